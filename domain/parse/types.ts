export type Intent = 'order' | 'status' | 'none';

export type SpecOp = '<=' | '<' | '>=' | '>' | '=';

export interface ParsedItem {
  sku: string;
  quantity: number | null;
  unit: string | null;
  kind: 'sample' | 'batch';
  /** This line's own date when it differs from the request's (a split delivery chosen on a blocked request). */
  dueDate?: string;
}

export interface ParsedSpec {
  param: string;
  op: SpecOp;
  value: number;
  unit: string | null;
}

export type MissingField = 'items' | 'quantity' | 'dueDate';

export interface ParsedMessage {
  intent: Intent;
  items: ParsedItem[];
  /** 'YYYY-MM-DD' in China time (UTC+8). Filled whenever a date is present, whatever the intent. */
  dueDate: string | null;
  urgent: boolean;
  specs: ParsedSpec[];
  customer: string | null;
  /** For intent 'order': what a complete order still lacks, in the order ['quantity', 'dueDate']. [] otherwise. */
  missing: MissingField[];
  /** 'zh' if the text has CJK (Han) characters, else 'en'. */
  language: 'zh' | 'en';
  /** For intent 'status': the order numbers and SKUs the question asks about. [] otherwise. */
  refs: string[];
  /** A quantity written without any SKU ("数量5件", "×5"), so the caller can complete a draft. null otherwise. */
  fragmentQuantity: number | null;
  fragmentUnit: string | null;
}
