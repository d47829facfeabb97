import { OrderbotError } from '../../core/errors';

/** The SMS port: one interface, three adapters (Aliyun, Tencent, in-memory log). */

export interface SmsMessage {
  /** Recipient; a bare 11-digit mainland mobile, or with a +86 / 0086 / 86 prefix. */
  phone: string;
  /** Template name in our own vocabulary (e.g. 'delay'); adapters map it to the vendor's template id. */
  template: string;
  /** Template variables; all values are strings (Aliyun rejects anything else). */
  params: Record<string, string>;
  /** Rendered text, for the log provider / playground and for audit. Vendors render from the template. */
  text: string;
  /** Our own reference (outbox / idempotency id); Aliyun `OutId`, Tencent `SessionContext`. */
  outId: string;
}

export type SmsResult =
  | { ok: true; providerId: string }
  /** A vendor business error (HTTP 200, non-OK code). Never retried blindly; shown to the sales person. */
  | { ok: false; permanent: boolean; code: string; message: string };

export interface SmsProvider {
  readonly name: 'aliyun' | 'tencent' | 'log';
  send(message: SmsMessage): Promise<SmsResult>;
}

/**
 * Thrown for failures that are not per-message business errors: transport (network, timeout, 5xx),
 * API-level throttling (retryable) and auth/signature/config problems (not retryable).
 * Note: after a timeout or 5xx the SMS may or may not have gone out (neither API is idempotent);
 * callers should de-duplicate by outId before retrying.
 */
export class SmsError extends OrderbotError {
  readonly provider: SmsProvider['name'];
  readonly status: number | undefined;

  constructor(args: {
    provider: SmsProvider['name'];
    code: string;
    message: string;
    retryable: boolean;
    status?: number;
    cause?: unknown;
  }) {
    super(maskPhonesInText(`[sms:${args.provider}] ${args.code}: ${args.message}`), args);
    this.provider = args.provider;
    this.status = args.status;
  }
}

/** 13800000000 -> 138****0000; +8613800000000 -> +86138****0000. Short or odd input -> '****'. */
export function maskPhone(phone: string): string {
  const compact = phone.replace(/[\s-]/g, '');
  const m = /^(\+?86|0086)?(\d{7,})$/.exec(compact);
  if (!m) return '****';
  const prefix = m[1] ?? '';
  const digits = m[2] ?? '';
  return `${prefix}${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

/** Masks every mainland-mobile-looking number (1xxxxxxxxxx, optionally +86 prefixed) inside free text. */
export function maskPhonesInText(text: string): string {
  return text.replace(/(?<!\d)((?:\+?86|0086)?1\d{10})(?!\d)/g, (p) => maskPhone(p));
}

/** Strips separators and a +86 / 0086 / 86 prefix from a mainland mobile; other input is returned compacted. */
export function nationalNumber(phone: string): string {
  const compact = phone.replace(/[\s-]/g, '');
  const m = /^(?:\+86|0086|86)(1\d{10})$/.exec(compact);
  return m?.[1] ?? compact;
}

/** E.164 for Tencent: bare 11-digit mainland mobiles get +86; numbers already in + form are kept. */
export function e164(phone: string): string {
  const compact = phone.replace(/[\s-]/g, '');
  if (compact.startsWith('+')) return compact;
  if (compact.startsWith('00')) return `+${compact.slice(2)}`;
  const national = nationalNumber(compact);
  return /^1\d{10}$/.test(national) ? `+86${national}` : compact;
}
