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
  | { kind: 'permanent' };

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
  // A rate limit refused the call before anything was done: waiting it out does not count as an attempt.
  if (verdict.kind === 'retry' && verdict.throttled)
    return DeliveryError.throttled(message, { afterMs: verdict.afterMs ?? 1000 });
  if (verdict.kind === 'retry')
    return DeliveryError.retry(message, verdict.afterMs === undefined ? {} : { afterMs: verdict.afterMs });
  return DeliveryError.retry(message, { afterMs: 1000 });
}

/** Whether a card-creation failure says the outTrackId exists already: the card was created before. */
export function isDuplicateOutTrackId(failure: ApiFailure): boolean {
  const text = `${failure.code ?? ''} ${failure.message ?? ''}`;
  return /outTrackId/i.test(text) && /dup|exist|重复|已存在/i.test(text);
}
