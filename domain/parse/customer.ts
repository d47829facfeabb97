/**
 * Customer name, optional: "客户：大陆集团", "客户:博世", "客户 大陆集团", "客户是博世", "给大陆集团",
 * "大陆集团的BRK-…", "for Continental", "customer: Bosch", "client Bosch".
 * Works on the masked text (SKUs, dates, quantities are mask characters, so a name stops there)
 * and stops at the first word that starts the rest of the message (要, 需要, 急, 的, by, needs …).
 */

const HAN = '\\u4e00-\\u9fff';
const COMPANY_SUFFIX_RE =
  /(?:集团|公司|汽车|电子|科技|股份|工业|制造|机械|精密|实业|贸易|重工|电气|电器|动力|厂|有限|控股|零部件|部件|系统|技术)$/;
// Words that end a Chinese name: the rest of the message starts there.
const CN_STOP_RE =
  /(?:的|需要|要|下单|订|急|加急|说|那边|这边|催|问|想|在|也|又|还|再|现在|已经|刚|样品|打样|送样|数量|交期|交货|今天|明天|后天|月底|本周|这周|下周|下个|周|星期|礼拜|和|跟|与|做|发|送|追加|补|安排|请|帮|这个|那个|这批|那批|订单|单子|报价|价格|多少)/;
const PRONOUNS_RE =
  /^(?:我|你|他|她|它|我们|你们|他们|她们|咱们|人家|大家|客户|老板|工厂|厂里|仓库|对方|这边|那边|个|点|些|下|一下|我司|贵司|本司|上次|之前|昨天|今天|同样|一样|新|老)/;
const EN_STOP = new Set([
  'needs',
  'need',
  'wants',
  'want',
  'asks',
  'ask',
  'orders',
  'order',
  'requires',
  'require',
  'by',
  'before',
  'for',
  'urgent',
  'asap',
  'rush',
  'samples',
  'sample',
  'prototype',
  'prototypes',
  'qty',
  'quantity',
  'please',
  'pls',
  'plz',
  'x',
  'and',
  'with',
  'due',
  'deadline',
  'is',
  'has',
  'wants',
  'again',
  'also',
  'too',
  'this',
  'next',
  'the',
  'eta',
]);
const EN_NOT_NAME_RE =
  /^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|september|october|november|december|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|tonight|asap|urgent|eom|eow|me|us|you|him|her|them|it|this|that|these|those|the|a|an|our|your|their|my|next|end|mid|early|late|sample|samples|prototype|prototypes|production|delivery|shipping|quote|price|pricing|now|later|both|all|each|ra|rz|hrc|status|order|orders|q[1-4])$/i;

function cutCn(name: string): string {
  const stop = CN_STOP_RE.exec(name);
  return (stop ? name.slice(0, stop.index) : name).trim();
}

function cleanCn(raw: string): string | null {
  const name = cutCn(raw).replace(/[,，。.、:：;；!！?？]+$/, '');
  if (name.length < 2 || name.length > 20) return null;
  if (PRONOUNS_RE.test(name) && !COMPANY_SUFFIX_RE.test(name)) return null;
  return name;
}

function cleanEn(raw: string): string | null {
  const words = raw.split(/\s+/).filter(Boolean);
  const kept: string[] = [];
  for (const w of words) {
    const bare = w.replace(/[,.;:!?]+$/, '');
    if (EN_STOP.has(bare.toLowerCase()) || EN_NOT_NAME_RE.test(bare)) break;
    if (!/^[A-Za-z][A-Za-z0-9&.'-]*$/.test(bare)) break;
    kept.push(bare);
    if (w !== bare) break; // punctuation ends the name
    if (kept.length >= 4) break;
  }
  if (kept.length === 0) return null;
  const name = kept.join(' ');
  if (!/^[A-Z]/.test(name) && !/^[a-z]+$/.test(name)) return null;
  return name.length >= 2 ? name : null;
}

const CUSTOMER_LABEL_RE = new RegExp(
  `(?:客户|客戶|终端客户|顾客)(?:名称|名)?(\\s*)(?:([:：=]|是|为)\\s*)?([${HAN}A-Za-z][${HAN}A-Za-z0-9&·()（）.\\- ]{0,40})`,
  'g',
);
const EN_LABEL_RE =
  /\b(?:customer|client|cust|end\s+customer)(?:(\s*[:=]\s*)|\s+is\s+|\s+)([A-Za-z][A-Za-z0-9&.'\- ]{0,40}|[\u4e00-\u9fff]{2,20})/gi;
const FOR_RE = /\bfor\s+([A-Z][A-Za-z0-9&.'-]*(?:\s+[A-Z][A-Za-z0-9&.'-]*){0,3})/g;
const GEI_RE = new RegExp(`(给|帮|替|为)([${HAN}A-Za-z]{2,20})`, 'g');
const DE_RE = new RegExp(`([${HAN}A-Za-z]{2,24})的\\s*(?:\\uE001|订单|单子|货|样品|样件|那批|这批)`, 'g');
const DE_LEAD_RE =
  /^(?:需要|要|帮|给|请|为|替|是|这是|那是|有|还有|再|下单|订|做|安排|催|问|跟|和|及|客户是|客户|这个|那个|上次|之前)+/;
const GEI_FOLLOW_RE = /^(?:的|做|送|发|打样|下单|订|供|出|备|生产|加工|\s*\uE001)/;

export function findCustomer(masked: string): string | null {
  for (const m of masked.matchAll(CUSTOMER_LABEL_RE)) {
    const sep = (m[1] as string).length > 0 || m[2] !== undefined;
    const raw = m[3] as string;
    if (/^[A-Za-z]/.test(raw)) {
      const name = cleanEn(raw);
      if (name) return name;
      continue;
    }
    const firstToken = raw.split(/\s/)[0] as string;
    const name = cleanCn(firstToken);
    if (!name) continue;
    // Without a separator ("客户大陆集团要…") accept only what looks like a company name.
    if (!sep && !COMPANY_SUFFIX_RE.test(name)) continue;
    return name;
  }
  for (const m of masked.matchAll(EN_LABEL_RE)) {
    const raw = m[2] as string;
    if (/^[\u4e00-\u9fff]/.test(raw)) {
      const cn = cleanCn(raw);
      if (cn) return cn;
      continue;
    }
    const name = cleanEn(raw);
    if (name && (m[1] !== undefined || /^[A-Z]/.test(name))) return name;
  }
  for (const m of masked.matchAll(GEI_RE)) {
    const raw = m[2] as string;
    const name = cleanCn(raw);
    if (!name) continue;
    const rest = masked.slice(m.index + 1 + name.length, m.index + 1 + name.length + 4);
    // 帮/替/为 are too common ("帮忙", "为什么"): only with a company-like name. 给 also before 做/送/发/the SKU.
    if (COMPANY_SUFFIX_RE.test(name) || (m[1] === '给' && GEI_FOLLOW_RE.test(rest))) return name;
  }
  for (const m of masked.matchAll(DE_RE)) {
    let raw = (m[1] as string).replace(DE_LEAD_RE, '');
    raw = raw.replace(/^.*(?:需要|要|给|帮|替|为|催|问)/, '');
    if (raw.length < 2 || raw.length > 20) continue;
    if (PRONOUNS_RE.test(raw) && !COMPANY_SUFFIX_RE.test(raw)) continue;
    if (/[\d]/.test(raw)) continue;
    return raw;
  }
  for (const m of masked.matchAll(FOR_RE)) {
    const name = cleanEn(m[1] as string);
    if (name && /^[A-Z]/.test(name)) return name;
  }
  return null;
}
