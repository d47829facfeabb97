/**
 * "SO-20260224-0001 客户投诉包装破损", "SO-… 退货 3件 尺寸超差", "SO-… complaint: packaging damaged",
 * "SO-… return 3 pcs dimension out of tolerance": a complaint or a return reported by sales or quality. The kind is
 * told from the words; what cannot be told is 'other' (still a complaint, and still counted).
 */
export type ComplaintKind = 'packaging' | 'dimension' | 'surface' | 'late' | 'other';

export interface ComplaintCommand {
  number: string;
  kind: ComplaintKind;
  /** A return: the pieces sent back (null when not said, or for a complaint). */
  returnedQuantity: number | null;
  isReturn: boolean;
  /** What was written after the order number and the command word. */
  note: string;
}

const COMMAND =
  /^(SO-\d{8}-\d{4,}(?:-\d+)?)\s*[:：,，]?\s*(客户投诉|投诉|退货|complaint|complain|return(?:ed)?)\s*[:：,，]?\s*(.*)$/is;

const KINDS: ReadonlyArray<[ComplaintKind, RegExp]> = [
  ['packaging', /包装|破损|压坏|压扁|磕碰|漏|packag|damag|crush|dent|broken box/i],
  ['dimension', /尺寸|超差|公差|孔径|长度|厚度|dimension|size|tolerance|diameter|length|thickness/i],
  ['surface', /表面|划伤|划痕|锈|毛刺|粗糙|Ra\b|surface|scratch|rust|burr|finish|roughness/i],
  ['late', /延期|迟到|晚到|交期|没按时|\blate\b|delay|overdue/i],
];

const QUANTITY = /(\d+)\s*(?:件|个|只|套|pcs?\b|pieces?\b|units?\b)/i;

export function parseComplaintCommand(text: string): ComplaintCommand | null {
  const t = text.replace(/@\S+/g, '').trim();
  const m = COMMAND.exec(t);
  if (!m) return null;
  const word = m[2]!.toLowerCase();
  const note = m[3]!.trim();
  const isReturn = word === '退货' || word.startsWith('return');
  const quantity = isReturn ? QUANTITY.exec(note) : null;
  return {
    number: m[1]!.toUpperCase(),
    kind: KINDS.find(([, words]) => words.test(note))?.[0] ?? 'other',
    returnedQuantity: quantity ? Number(quantity[1]) : null,
    isReturn,
    note,
  };
}
