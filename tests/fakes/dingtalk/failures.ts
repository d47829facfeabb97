/**
 * Failures the fake OpenAPI can be told to answer with, next time a route is called:
 * - `5xx`: HTTP 500 `{code: "InternalError"}`
 * - `qps`: HTTP 403 `Forbidden.AccessDenied.QpsLimitForApi`
 * - `qps-app`: HTTP 403 `Forbidden.AccessDenied.QpsLimitForAppkeyAndApi`
 * - `invalid-token`: HTTP 401 `InvalidAuthentication`, as for a revoked token
 * - `no-permission`: HTTP 403 `Forbidden.AccessDenied.AccessTokenPermissionDenied` (permanent)
 * - `hangup-before`: the connection is cut before anything is done
 * - `hangup-after`: the request takes effect, then the connection is cut before the answer
 * - `timeout`: the request takes effect after `timeoutMs` (past the client's timeout, the answer is lost)
 */
export type Failure =
  | '5xx'
  | 'qps'
  | 'qps-app'
  | 'invalid-token'
  | 'no-permission'
  | 'hangup-before'
  | 'hangup-after'
  | 'timeout';

export const FAILURE_ANSWERS: Record<
  Exclude<Failure, 'hangup-before' | 'hangup-after' | 'timeout'>,
  { status: number; code: string; message: string }
> = {
  '5xx': { status: 500, code: 'InternalError', message: '系统繁忙' },
  qps: { status: 403, code: 'Forbidden.AccessDenied.QpsLimitForApi', message: '请求过于频繁' },
  'qps-app': {
    status: 403,
    code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
    message: '当前应用调用该接口过于频繁',
  },
  'invalid-token': { status: 401, code: 'InvalidAuthentication', message: '不合法的access_token' },
  'no-permission': {
    status: 403,
    code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
    message: '没有调用该接口的权限',
  },
};

/** Per-route queues of injected failures; a route is "METHOD /path". */
export class FailurePlan {
  private readonly queues = new Map<string, Failure[]>();
  private chooser: ((route: string) => Failure | undefined) | undefined;
  /** How long a `timeout` failure holds the request before handling it. */
  timeoutMs = 11_000;

  /** Probabilistic mode: asked for every request that has no queued failure (a seeded random mix, say). */
  randomly(choose: ((route: string) => Failure | undefined) | undefined): void {
    this.chooser = choose;
  }

  inject(route: string, failure: Failure, times = 1): void {
    const queue = this.queues.get(route) ?? [];
    for (let i = 0; i < times; i++) queue.push(failure);
    this.queues.set(route, queue);
  }

  take(route: string): Failure | undefined {
    return this.queues.get(route)?.shift() ?? this.chooser?.(route);
  }

  clear(): void {
    this.queues.clear();
    this.chooser = undefined;
  }
}
