/**
 * Douyin 抖店 signatures (../shared/protocols/channels.md §1.1).
 *
 * API calls: sign = HMAC-SHA256(key = app_secret, app_secret + "app_key"+ak + "method"+m + "param_json"+pj +
 * "timestamp"+ts + "v2" + app_secret), lower-case hex (sign_method=hmac-sha256); with sign_method=md5 the same
 * pattern is hashed with MD5.
 * Message push: event-sign = md5_hex(app_key + raw body + app_secret), over the body's bytes as received.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type DouyinSignMethod = 'hmac-sha256' | 'md5';

export function apiSign(args: {
  appKey: string;
  secret: string;
  method: string;
  paramJson: string;
  timestamp: string;
  signMethod: DouyinSignMethod;
}): string {
  const pattern = `${args.secret}app_key${args.appKey}method${args.method}param_json${args.paramJson}timestamp${args.timestamp}v2${args.secret}`;
  return args.signMethod === 'md5'
    ? createHash('md5').update(pattern, 'utf8').digest('hex')
    : createHmac('sha256', args.secret).update(pattern, 'utf8').digest('hex');
}

/** md5_hex(app_key + body + app_secret) over the body's raw bytes. */
export function pushSign(appKey: string, body: Buffer, secret: string): string {
  return createHash('md5')
    .update(Buffer.from(appKey, 'utf8'))
    .update(body)
    .update(Buffer.from(secret, 'utf8'))
    .digest('hex');
}

/** Compares two hex signatures in constant time (case-insensitive; a length mismatch is simply unequal). */
export function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected.toLowerCase(), 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
