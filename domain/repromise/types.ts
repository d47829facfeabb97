/** What kind of plant change broke (or may have broken) promises. */
export type PlantChangeKind = 'mould' | 'line-load' | 'stock' | 'calendar';

/** The change as the sales chat is told it. */
export type PlantChangeCause =
  | { kind: 'mould'; mould: string; status: 'ok' | 'repair' | 'maintenance'; availableFrom: string | null }
  | { kind: 'line-load'; line: string }
  | { kind: 'stock'; materials: string[] }
  | { kind: 'calendar'; holidays: string[] };

/** Part of an order line. */
export interface LinePart {
  lineNo: number;
  quantity: number;
}

/** What can still be delivered by the promise, and the date the rest can follow. */
export interface SplitOffer {
  now: LinePart[];
  rest: LinePart[];
  restDate: string;
}
