/**
 * The wire details of the Taobao/Tmall TOP gateway (../shared/protocols/channels.md §1.2): request signing, the
 * GMT+8 wall-clock times it sends and expects, and reading its JSON without losing 64-bit ids.
 *
 * Signing: every non-empty parameter but `sign`, sorted by key, concatenated as key+value; then
 * - md5:         MD5(secret + s + secret)
 * - hmac:        HMAC-MD5(key = secret, s)   (the official Java SDK, TaobaoUtils: "HmacMD5"; one Python port hashes
 *                "hmac" with SHA-256, which the official SDKs do not: kept selectable through `hmacHash`)
 * - hmac-sha256: HMAC-SHA256(key = secret, s)
 * as upper-case hex.
 */
import { createHash, createHmac } from 'node:crypto';

export type TopSignMethod = 'md5' | 'hmac' | 'hmac-sha256';

export function signTopRequest(
  params: Record<string, string>,
  secret: string,
  method: TopSignMethod,
  hmacHash: 'md5' | 'sha256' = 'md5',
): string {
  const s = Object.keys(params)
    .filter((key) => key !== 'sign' && params[key] !== undefined && params[key] !== '')
    .sort()
    .map((key) => `${key}${params[key]}`)
    .join('');
  const hex =
    method === 'md5'
      ? createHash('md5').update(`${secret}${s}${secret}`, 'utf8').digest('hex')
      : createHmac(method === 'hmac' ? hmacHash : 'sha256', secret)
          .update(s, 'utf8')
          .digest('hex');
  return hex.toUpperCase();
}

const CHINA_OFFSET_MS = 8 * 3600_000;
const TOP_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** An instant as TOP writes it: "yyyy-MM-dd HH:mm:ss" in China time (GMT+8, no daylight saving). */
export function formatTopTime(at: Date): string {
  const iso = new Date(at.getTime() + CHINA_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** "2026-01-31 23:59:59" (China time) → "2026-01-31T15:59:59Z". Throws a RangeError on anything else. */
export function topTimeToUtc(value: string, field = 'time'): string {
  const m = TOP_TIME.exec(value);
  if (!m) throw new RangeError(`${field}: not a "yyyy-MM-dd HH:mm:ss" time: ${JSON.stringify(value)}`);
  const at = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`);
  // Date accepts 2026-02-30 by rolling over; a time that does not read back the same was not a real time.
  if (Number.isNaN(at.getTime()) || formatTopTime(at) !== value) {
    throw new RangeError(`${field}: not a real time: ${JSON.stringify(value)}`);
  }
  return at.toISOString().replace('.000Z', 'Z');
}

/**
 * JSON.parse that keeps integers too large for a double (tid, oid, TMC message ids and bill ids are 64-bit and
 * sent as bare JSON numbers) as their decimal strings instead of rounding them. Everything else parses as usual.
 */
export function parseTopJson(text: string): unknown {
  let out = '';
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      const start = i;
      i++;
      while (i < text.length && /[0-9eE.+-]/.test(text[i]!)) i++;
      const token = text.slice(start, i);
      if (/^-?\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token))) {
        out += `${text.slice(from, start)}"${token}"`;
        from = i;
      }
      continue;
    }
    i++;
  }
  return JSON.parse(out + text.slice(from));
}
