import type { Logger } from 'pino';
import { DeliveryError } from '../../core/errors';
import { TransportError, WecomError } from './http-json';

/** errcodes after which the same request may succeed later; any other errcode is about the request itself. */
const TRANSIENT = new Set([-1, 40014, 42001, 45009, 45033, 60020]);

export function isTransient(err: unknown): boolean {
  return err instanceof TransportError || (err instanceof WecomError && TRANSIENT.has(err.errcode));
}

/** How the outbox sender should treat a WeCom failure (see the protocol notes, "Error codes worth handling"). */
export function deliveryErrorOf(err: unknown, log: Logger): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof TransportError) return DeliveryError.retry(err.message);
  if (!(err instanceof WecomError)) return DeliveryError.retry(String((err as Error)?.message ?? err));
  switch (err.errcode) {
    case -1: // system busy
      return DeliveryError.retry(err.message);
    // Rate limits refuse the call before anything is done: waiting them out does not count as an attempt.
    case 45009: // frequency limit: blocked for at least the rest of the minute
      return DeliveryError.throttled(err.message, { afterMs: 60_000 });
    case 45033: // concurrency limit
      return DeliveryError.throttled(err.message, { afterMs: 1000 + Math.round(Math.random() * 2000) });
    case 40014:
    case 42001: // still refused after one refresh
      return DeliveryError.retry(err.message, { afterMs: 5000 });
    case 60020:
      log.error(
        { api: err.api, errcode: err.errcode },
        "deployment problem: this server's egress IP is not in the app's 企业可信IP list",
      );
      return DeliveryError.retry(`${err.message} (deployment: add the server's IP to 企业可信IP)`, {
        afterMs: 10 * 60_000,
      });
    default: // 81013 all recipients invalid, 400xx bad parameters ...: retrying cannot help
      return DeliveryError.permanent(err.message);
  }
}
