/**
 * Money in channel orders. Everything inside orderbot is an integer number of 分 (fen).
 *
 * What the platforms send (../shared/protocols/channels.md §1):
 * - Douyin: integers in 分 already (`order_amount`, `pay_amount`, …): check them with `assertFen`.
 * - Taobao/Tmall and JD: 元 strings with two decimals ("120.00", "299.00"); `adjust_fee` may be negative.
 * `parseYuan` accepts exactly: an optional "-", digits without leading zeros (or a single 0), and
 * optionally "." with one or two digits. No thousands separators, spaces, "+", exponents or a third
 * decimal: none of the platforms sends them, so such a string means a broken input and is refused
 * rather than guessed at (a third decimal would otherwise need rounding).
 */

export class MoneyFormatError extends Error {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`not a yuan amount: ${JSON.stringify(input)} (${reason})`);
    this.name = 'MoneyFormatError';
  }
}

const YUAN = /^(-?)(0|[1-9]\d*)(?:\.(\d{1,2}))?$/;

/** "12.3" → 1230, "0.01" → 1, "-5.00" → -500. Throws MoneyFormatError on anything else. */
export function parseYuan(input: string): number {
  const m = YUAN.exec(input);
  if (!m) {
    const reason = input.includes(',')
      ? 'thousands separators are not accepted'
      : /\.\d{3,}$/.test(input)
        ? 'more than two decimals'
        : 'expected digits with at most two decimals, e.g. "12.30"';
    throw new MoneyFormatError(input, reason);
  }
  const [, sign, whole, frac = ''] = m;
  const fen = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) throw new MoneyFormatError(input, 'too large');
  if (fen === 0) return 0;
  return sign === '-' ? -fen : fen;
}

/** 1230 → "12.30", 1 → "0.01", -5 → "-0.05". */
export function formatFen(fen: number): string {
  assertFen(fen);
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  return `${fen < 0 ? '-' : ''}${yuan}.${cents}`;
}

/** Throws unless `fen` is a safe integer (what Douyin sends, and what every amount here must be). */
export function assertFen(fen: number, field = 'amount'): void {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`${field} must be an integer number of fen, got ${fen}`);
}
