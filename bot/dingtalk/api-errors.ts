import { DeliveryError } from '../../core/errors';

/** An OpenAPI answer that was not a success, as DingTalk's new-style APIs report it. */
export interface ApiFailure {
  status: number;
  code?: string;
  message?: string;
}

export type FailureClass =
  | { kind: 'invalid-token' }
  | { kind: 'retry'; afterMs?: number; throttled?: boolean }
  | { kind: 'quota' }
  | { kind: 'permanent' };

/** The organisation's monthly API quota is used up (legacy errcode 90020). */
const MONTHLY_QUOTA = /ApiCountLimitForOrg|^90020$/i;
/** The DeliveryError code of a call refused because the month's quota is used up. */
export const QUOTA_EXHAUSTED = 'quota-exhausted';

const QPS = /QpsLimit/i;
const QPM_OR_FLOW = /QpmLimit|flowControl|throttl|sendTooFast/i;

/**
 * What to do about a failed call: refresh the token, try again later, or give up. Codes follow the
 * open platform's error list (InvalidAuthentication, Forbidden.AccessDenied.QpsLimitForApi, ...).
 */
export function classifyFailure(failure: ApiFailure): FailureClass {
  const code = failure.code ?? '';
  if (failure.status === 401 || /InvalidAuthentication|invalid.*token|token.*(invalid|expired)/i.test(code))
    return { kind: 'invalid-token' };
  if (MONTHLY_QUOTA.test(code)) return { kind: 'quota' };
  if (QPS.test(code)) return { kind: 'retry', afterMs: 1000, throttled: true };
  if (failure.status === 429 || QPM_OR_FLOW.test(code)) return { kind: 'retry', afterMs: 60_000, throttled: true };
  if (failure.status >= 500) return { kind: 'retry' };
  return { kind: 'permanent' };
}

export function describeFailure(what: string, failure: ApiFailure): string {
  const detail = [failure.code, failure.message].filter(Boolean).join(': ');
  return `DingTalk ${what} failed: HTTP ${failure.status}${detail ? ` ${detail}` : ''}`;
}

/** The DeliveryError the outbox sender understands for a failure that was not fixed by a token refresh. */
export function deliveryErrorFor(what: string, failure: ApiFailure): DeliveryError {
  const verdict = classifyFailure(failure);
  const message = describeFailure(what, failure);
  if (verdict.kind === 'permanent') return DeliveryError.permanent(message);
  // Nothing was done; the adapter's quota guard decides (essential effects wait, the others are withheld).
  if (verdict.kind === 'quota') return DeliveryError.throttled(message, { afterMs: 3600_000, code: QUOTA_EXHAUSTED });
  // A rate limit refused the call before anything was done: waiting it out does not count as an attempt.
  if (verdict.kind === 'retry' && verdict.throttled)
    return DeliveryError.throttled(message, { afterMs: verdict.afterMs ?? 1000 });
  if (verdict.kind === 'retry')
    return DeliveryError.retry(message, verdict.afterMs === undefined ? {} : { afterMs: verdict.afterMs });
  return DeliveryError.retry(message, { afterMs: 1000 });
}

/**
 * Whether a card-creation failure says the outTrackId exists already: the card was created before (the
 * documented code is `param.cardAlreadyExist`; older wording names the outTrackId).
 */
export function isDuplicateOutTrackId(failure: ApiFailure): boolean {
  if (/^param\.cardAlreadyExist$/i.test(failure.code ?? '')) return true;
  const text = `${failure.code ?? ''} ${failure.message ?? ''}`;
  return /outTrackId/i.test(text) && /dup|exist|重复|已存在/i.test(text);
}

/** A card template that cannot be used: it does not exist in the tenant, or it is not published. */
export function templateProblem(failure: ApiFailure): 'not-found' | 'unpublished' | undefined {
  const code = failure.code ?? '';
  if (/^param\.templateNotExist$/i.test(code)) return 'not-found';
  if (/^param\.templateUnpublished$/i.test(code)) return 'unpublished';
  return undefined;
}

/**
 * Whether a space's delivery failure (`deliverResults[].errorMsg` of a 200 answer) reads as passing:
 * DingTalk names no codes there, so busy, timeout and rate-limit wording is retried and the rest is not.
 */
export function isTransientDeliveryError(errorMsg: string | undefined): boolean {
  return /busy|timeout|timed out|try again|retry|later|throttl|limit|internal|unavailable|繁忙|超时|稍后|重试|限流|频繁|系统错误/i.test(
    errorMsg ?? '',
  );
}
