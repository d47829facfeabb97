/**
 * Intent: 'status' (where is my order), 'order' (a SKU plus a request), or 'none'
 * (chit-chat, price questions, stock questions, cancellations, fragments without a SKU, and
 * requests for a material's documents or facts that ask for no goods: drawings, reports, the line).
 * Status wins over order when the message asks about progress.
 */
import type { Intent } from './types';

const STATUS_RE = new RegExp(
  [
    '到哪了',
    '到哪里了',
    '到哪儿了',
    '到哪啦',
    '到哪一步',
    '在哪了',
    '在哪里了',
    '进度',
    '进展',
    '什么进度',
    '什么时候到',
    '啥时候到',
    '什么时候能发',
    '啥时候能发',
    '什么时候可以发',
    '什么时候能出',
    '何时到',
    '几时到',
    '什么时候能到',
    '啥时候能到',
    '什么时候发',
    '啥时候发',
    '何时发',
    '什么时候出货',
    '啥时候出货',
    '什么时候好',
    '啥时候好',
    '什么时候能好',
    '什么时候交',
    '啥时候交',
    '什么时候能交',
    '发货了吗',
    '发货了没',
    '发货没',
    '发了吗',
    '发了没',
    '发出了吗',
    '发出去了吗',
    '寄出了吗',
    '寄了吗',
    '出货了吗',
    '出货了没',
    '出了吗',
    '到了吗',
    '到了没',
    '到货了吗',
    '到货没',
    '做好了吗',
    '做好了没',
    '做完了吗',
    '好了吗',
    '好了没',
    '完成了吗',
    '完成了没',
    '状态',
    '物流',
    '快递单号',
    '运单号',
    '单号多少',
    '跟踪',
    '怎么样了',
    '咋样了',
    '如何了',
    '有消息吗',
    '还没发',
    '还没到',
    '还没出',
    '还没好',
    '还没收到',
    '怎么还没',
    '为什么还没',
    '有进展吗',
    '催一下',
    '催下',
    '催催',
    '帮忙催',
    '排上了吗',
    '排产了吗',
    '上线了吗',
    '交期确认了吗',
    '\\bstatus\\b',
    '\\bwhere\\s+is\\b',
    "\\bwhere's\\b",
    '\\bwhere\\s+are\\b',
    '\\beta\\b',
    '\\btracking\\b',
    '\\bshipped\\s+yet\\b',
    '\\bbeen\\s+shipped\\b',
    '\\bhas\\s+(?:it|this|that)\\s+shipped\\b',
    '\\bany\\s+update',
    '^\\s*update\\s+on\\b',
    '\\bprogress\\b',
    '\\bfollow(?:ing)?[\\s-]up\\s+on\\b',
    '\\bwhen\\s+will\\b[^?]{0,40}\\b(?:arrive|ship|be\\s+ready|be\\s+delivered|be\\s+done|be\\s+shipped)\\b',
    '\\bwhen\\s+(?:does|do|is|are|can)\\b[^?]{0,40}\\b(?:arrive|ship|ready|delivered|done)\\b',
    '\\bany\\s+news\\b',
    '\\bis\\s+it\\s+(?:ready|shipped|done)\\b',
    '\\bready\\s+yet\\b',
  ].join('|'),
  'i',
);
const PRICE_RE =
  /多少钱|价格|价钱|报价|单价|什么价|啥价|询价|报个价|几块钱|\bprices?\b|\bpricing\b|\bquot(?:e|ation)s?\b|\bhow\s+much\b|\bcost\b|\bunit\s+price\b/i;
const STRONG_ORDER_RE = /下单|订单|确认订|正式订|\bplace\s+(?:an?\s+)?order\b|\bPO\b/i;
const STOCK_RE = /有货吗|有没有货|库存|现货|有现货|还有吗|\bin\s+stock\b|\bstock\b|\binventory\b/i;
const CANCEL_RE = /取消|不要了|不做了|撤单|作废|\bcancel(?:led|ed)?\b|\bcancellation\b|\bhold\s+off\b/i;
const CAPABILITY_RE = /能做吗|能不能做|可以做吗|可不可以做|能做不|会做吗|\bcan\s+you\s+(?:make|do|produce)\b[^.]*\?/i;
// Asking for documents or facts about a material, not for goods: "BRK-2026-04 的图纸发我",
// "send me the drawing of BRK-2026-04", "检测报告发一下", "BRK-2026-04 在哪条线生产".
const INFO_ASK_RE =
  /图纸|图档|图面|工程图|数模|(?<![a-z0-9])(?:[23]d|cad)(?![a-z0-9])|规格书|规格表|承认书|说明书|资料|参数|技术要求|检验报告|检测报告|测试报告|试验报告|出货报告|材质证明|材证|材质单|质保书|合格证|证书|\bdrawings?\b|\bdwgs?\b|\bstep\s+files?\b|\bdata\s*sheets?\b|\bspec(?:ification)?\s+sheets?\b|\bspecifications\b|\bcertificates?\b|\bcerts?\b|\breports?\b|\bcoa\b|\bcoc\b|\bmsds\b|\bppap\b|\bdocuments?\b|\bdocs\b|\bdocumentation\b|\bdetails\b|\binfo(?:rmation)?\b/i;
const INFO_QUESTION_RE =
  /哪条线|哪个线|哪台|哪个模具|哪副模|什么材料|什么材质|用的什么|\bwhich\s+(?:line|mou?ld|machine|press)\b|\bwhat\s+(?:material|line)\b/i;
// Words that ask for goods after all: "按图纸做样品", "BRK-2026-04 per drawing, samples please".
const GOODS_RE =
  /样品|样件|打样|送样|出样|试样|手板|首件|批量|大货|量产|下单|订购|采购|备货|生产|加工|做|安排|按图|照图|依图|根据图|\bsamples?\b|\bprototypes?\b|\bbulk\b|\border\b|\bmake\b|\bproduce\b|\bmanufacture\b|\b(?:according\s+to|as\s+per|per)\s+(?:the\s+)?(?:drawing|dwg|spec)/i;
// "…的图纸明天发我", "send me the drawing by Friday": a date, but for the documents.
const SEND_ME_RE = /发我|发给我|给我|传我|发一下|发下|发过来|\bsend\s+(?:me|us|over)\b|\bshare\b|\bemail\b/i;

const REQUEST_RE =
  /需要|要|订|下单|做|打样|送|发|请|样品|样件|安排|补|备货|生产|采购|加单|追加|麻烦|帮忙|\bneed(?:s|ed)?\b|\border\b|\bwants?\b|\bplease\b|\bpls\b|\bplz\b|\bby\b|\bsend\b|\bmake\b|\bship\b|\brequire[sd]?\b|\brequest\b|\bkindly\b|\bbook\b|\barrange\b|\bsamples?\b|\bprototypes?\b|\bdeliver\b/i;

export interface IntentInput {
  /** Text with SKUs/dates/specs/quantities masked, lower noise for keyword tests. */
  masked: string;
  hasSku: boolean;
  hasOrderRef: boolean;
  hasQuantity: boolean;
  hasDate: boolean;
}

// A stated price ("单价5块", "price $3.2", "价格：12元") is not a price question.
const STATED_PRICE_RE =
  /(?:单价|价格|价钱|\bunit\s+price|\bprice)\s*(?:[:：=]\s*|\bis\s+|\bat\s+)?[$¥￥]?\s*\d[\d.,]*\s*(?:元|块|rmb|usd|美金|刀|\/\s*(?:pc|pcs|件|个))?/gi;

export function isPriceQuestion(text: string): boolean {
  const t = text.replace(STATED_PRICE_RE, ' ');
  return PRICE_RE.test(t) && !STRONG_ORDER_RE.test(t);
}

export function isStatusQuestion(masked: string, hasOrderRef: boolean): boolean {
  if (STATUS_RE.test(masked)) return true;
  // "SO-20260224-0001？" / "SO-20260224-0001呢" / "帮我查下SO-…"
  return hasOrderRef && /[?？]|呢|吗|查|\bcheck\b|\btrack/i.test(masked);
}

export function detectIntent(inp: IntentInput): Intent {
  const t = inp.masked;
  if (isStatusQuestion(t, inp.hasOrderRef)) return 'status';
  // "客户那边催BRK-…的样品": chasing without new quantities or dates is a progress question
  if (/催/.test(t) && !inp.hasQuantity && !inp.hasDate) return 'status';
  if (!inp.hasSku) return 'none';
  if (isPriceQuestion(t)) return 'none';
  if (CANCEL_RE.test(t)) return 'none';
  if (STOCK_RE.test(t)) return 'none';
  if (CAPABILITY_RE.test(t) && !inp.hasQuantity && !inp.hasDate) return 'none';
  if (!inp.hasQuantity && !inp.hasDate && INFO_QUESTION_RE.test(t)) return 'none';
  if (!inp.hasQuantity && INFO_ASK_RE.test(t) && !GOODS_RE.test(t) && (!inp.hasDate || SEND_ME_RE.test(t)))
    return 'none';
  if (inp.hasQuantity || inp.hasDate || REQUEST_RE.test(t)) return 'order';
  return 'none';
}
