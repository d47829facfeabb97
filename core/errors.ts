/**
 * The product's one error vocabulary. Every failure raised on purpose says what went wrong (`code`) and
 * what whoever catches it may do about it (`retryable`, `afterMs`), always by name, never by position.
 * Each outside system has its own subclass (WecomError, SmsError, ErpError…) for its own codes and fields.
 */
export interface FailureOptions {
  /** What went wrong, for code and logs: 'TIMEOUT', 'auth', a platform's errcode… */
  code?: string;
  /** The same call may succeed later without anyone changing anything. */
  retryable?: boolean;
  /** When the other side said to try again. */
  afterMs?: number;
  cause?: unknown;
}

export class OrderbotError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly afterMs: number | undefined;

  constructor(message: string, options: FailureOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'error';
    this.retryable = options.retryable ?? false;
    this.afterMs = options.afterMs;
  }
}

/**
 * A delivery that did not happen. The outbox sender retries `retry` with backoff (or after `afterMs`),
 * waits out `throttled` without counting it as an attempt (nothing was tried: a rate limit said "not
 * yet"), and records `permanent` as failed.
 */
export class DeliveryError extends OrderbotError {
  /** Nothing was attempted: the wait does not count towards giving up. */
  readonly throttled: boolean;

  private constructor(message: string, options: FailureOptions & { throttled?: boolean }) {
    super(message, options);
    this.throttled = options.throttled ?? false;
  }

  /** May work on another attempt (a 5xx, a timeout, a token to refresh). */
  static retry(message: string, options: { afterMs?: number; code?: string } = {}): DeliveryError {
    return new DeliveryError(message, { ...options, retryable: true, code: options.code ?? 'retry' });
  }

  /** The platform said "not now": try again after `afterMs`, without counting it as an attempt. */
  static throttled(message: string, options: { afterMs: number; code?: string }): DeliveryError {
    return new DeliveryError(message, {
      ...options,
      retryable: true,
      throttled: true,
      code: options.code ?? 'throttled',
    });
  }

  /** Will not work however often it is tried: recorded as failed and surfaced. */
  static permanent(message: string, options: { code?: string } = {}): DeliveryError {
    return new DeliveryError(message, { ...options, retryable: false, code: options.code ?? 'permanent' });
  }
}

/** A request or frame refused before anything is stored: the answer's HTTP status says why. */
export class RequestRefused extends OrderbotError {
  private constructor(
    message: string,
    readonly status: 400 | 401 | 403 | 404 | 409 | 413,
  ) {
    super(message, { code: String(status) });
  }

  /** Not what the sender should send: a missing field, not JSON, not XML. */
  static malformed(message: string): RequestRefused {
    return new RequestRefused(message, 400);
  }

  /** No or wrong credentials (an API token). */
  static unauthorized(message: string): RequestRefused {
    return new RequestRefused(message, 401);
  }

  /** Not from the platform: a wrong signature, another receiver, a stale timestamp. */
  static forbidden(message: string): RequestRefused {
    return new RequestRefused(message, 403);
  }

  static notFound(message: string): RequestRefused {
    return new RequestRefused(message, 404);
  }

  /** Not possible in this state (the playground's clock on a server that cannot move it). */
  static conflict(message: string): RequestRefused {
    return new RequestRefused(message, 409);
  }

  static tooLarge(message: string): RequestRefused {
    return new RequestRefused(message, 413);
  }
}

/** A configuration (business config, environment) that cannot work: the message says what to change. */
export class ConfigError extends OrderbotError {
  /** The environment variables to set or fix, when the problem is in the environment. */
  readonly variables: string[];

  constructor(message: string, options: { variables?: string[] } = {}) {
    super(message, { code: 'config' });
    this.variables = options.variables ?? [];
  }
}
