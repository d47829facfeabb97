/**
 * Text clean-up before parsing: chat markers, bot @-mentions, full-width forms.
 *
 * Order matters: markers are removed first (on the raw text, so a marker inserted anywhere,
 * even inside a word, disappears without a trace), then NFKC (full-width → ASCII, µ → μ),
 * then @-mentions.
 */

const MEDIA_WORDS = [
  '图片',
  '图像',
  '照片',
  '表情',
  '动画表情',
  '语音',
  '视频',
  '文件',
  '链接',
  '位置',
  '名片',
  '红包',
  '转账',
  'image',
  'img',
  'photo',
  'picture',
  'pic',
  'sticker',
  'emoji',
  'voice',
  'video',
  'file',
  'link',
];
// WeChat / WeCom emoji codes as they appear in exported or copied text.
const EMOJI_WORDS = [
  '微笑',
  '撇嘴',
  '色',
  '发呆',
  '得意',
  '流泪',
  '害羞',
  '闭嘴',
  '睡',
  '大哭',
  '尴尬',
  '发怒',
  '调皮',
  '呲牙',
  '惊讶',
  '难过',
  '酷',
  '冷汗',
  '抓狂',
  '吐',
  '偷笑',
  '愉快',
  '白眼',
  '傲慢',
  '困',
  '惊恐',
  '流汗',
  '憨笑',
  '悠闲',
  '奋斗',
  '咒骂',
  '疑问',
  '嘘',
  '晕',
  '衰',
  '再见',
  '擦汗',
  '抠鼻',
  '鼓掌',
  '坏笑',
  '哈欠',
  '鄙视',
  '委屈',
  '快哭了',
  '阴险',
  '亲亲',
  '可怜',
  '玫瑰',
  '爱心',
  '心碎',
  '拥抱',
  '强',
  '弱',
  '握手',
  '胜利',
  '抱拳',
  '拳头',
  'OK',
  '捂脸',
  '奸笑',
  '机智',
  '皱眉',
  '耶',
  '吃瓜',
  '加油',
  '汗',
  '天啊',
  'Emm',
  '社会社会',
  '旺柴',
  '好的',
  '打脸',
  '哇',
  '翻白眼',
  '666',
  '让我看看',
  '叹气',
  '苦涩',
  '裂开',
  '嘿哈',
  '合十',
  '福',
  '庆祝',
  '礼物',
  '烟花',
  '爆竹',
  '笑脸',
  '生病',
  '破涕为笑',
  '脸红',
  '恐惧',
  '失望',
  '无语',
  '好',
  '赞',
  '谢谢',
  '收到',
];

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const MARKER_RE = new RegExp(`[\\[［](?:${[...MEDIA_WORDS, ...EMOJI_WORDS].map(escapeRe).join('|')})[\\]］]`, 'gi');

const KNOWN_BOTS_RE = /@(?:订单助手|下单助手|订单机器人|orderbot|order-bot|order bot)/gi;
// "@name" token at the start or after whitespace, up to the next whitespace. A token that
// contains what looks like a SKU (someone typed the message glued to the mention) is left alone.
const MENTION_RE = /(^|\s)@[^\s@]{1,24}(?=\s|$)/g;
const SKUISH_RE = /[A-Za-z]-[A-Za-z0-9]|\d/;

/** Removes chat markers such as [图片] / [image] / [微笑]; repeated so that nested insertions vanish too. */
export function stripMarkers(text: string): string {
  let out = text;
  for (let i = 0; i < 8; i++) {
    const next = out.replace(MARKER_RE, '');
    if (next === out) break;
    out = next;
  }
  return out;
}

export function stripMentions(text: string): string {
  let out = text.replace(KNOWN_BOTS_RE, ' ');
  out = out.replace(MENTION_RE, (m: string, lead: string) => (SKUISH_RE.test(m.slice(lead.length + 1)) ? m : lead));
  return out;
}

/**
 * Full normalisation. The result keeps no private-use characters (they are used as masks later),
 * no zero-width characters, and all whitespace becomes a plain space.
 */
export function normalizeText(raw: string): string {
  let s = stripMarkers(raw);
  // Strip zero-width chars, variation selectors and keycap marks before NFKC so "5️⃣" reads as "5".
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: the combining marks are stripped one by one on purpose
  s = s.replace(/[\u200B-\u200D\u2060\uFEFF\uFE00-\uFE0F\u20E3]/g, '');
  s = s.normalize('NFKC');
  s = s
    .replace(/[\u2010-\u2015\u2212\u2E3A\u2E3B\uFE58\uFE63]/g, '-')
    .replace(/[\u301C\u223C]/g, '~')
    .replace(/[\u2715\u2716\u2573\u00D7]/g, '×')
    .replace(/[\u2264\u2266\u2A7D]/g, '≤')
    .replace(/[\u2265\u2267\u2A7E]/g, '≥')
    .replace(/[\uE000-\uF8FF]/g, ' ')
    .replace(/\s/g, ' ');
  s = stripMentions(s);
  return s;
}

/**
 * Where stripMentions would remove an @-mention (a bot's name, or "@name" standing alone), as spans
 * of `text` (normalised, or of the same length as the normalised form), for callers that must keep
 * string indices: the customer recogniser masks them, a colleague's nickname is not a customer.
 */
export function mentionSpans(text: string): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  for (const m of text.matchAll(KNOWN_BOTS_RE)) spans.push({ start: m.index, end: m.index + m[0].length });
  for (const m of text.matchAll(MENTION_RE)) {
    const lead = (m[1] as string).length;
    if (SKUISH_RE.test(m[0].slice(lead + 1))) continue;
    spans.push({ start: m.index + lead, end: m.index + m[0].length });
  }
  return spans;
}

/** True if the text contains Han characters. */
export function hasCjk(text: string): boolean {
  return /[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]/.test(text);
}
