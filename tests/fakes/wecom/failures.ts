export type Endpoint = 'gettoken' | 'message/send' | 'message/update_template_card' | 'webhook/send' | 'aibot/response';

/**
 * What the fake does instead of (or around) answering normally:
 * - `status`: answers that HTTP status with an HTML body, without handling the request;
 * - `hangup: 'before'`: drops the connection without handling; `'after'`: handles it, then drops the
 *   connection before answering (the send happened, the caller cannot know);
 * - `errcode`: answers that errcode without handling;
 * - `delayMs`: handles it after a delay (past the client's timeout, it looks like a hang);
 * - `revokeTokens`: revokes every access token first, then handles it (so it meets 40014).
 */
export type Failure =
  | { status: number }
  | { hangup: 'before' | 'after' }
  | { errcode: number; errmsg?: string }
  | { delayMs: number }
  | { revokeTokens: true };

interface Planned {
  endpoint: Endpoint;
  failure: Failure;
  skip: number;
  times: number;
}

/** Failures planned for the next requests to an endpoint. */
export class FailurePlan {
  private planned: Planned[] = [];

  add(endpoint: Endpoint, failure: Failure, options: { times?: number; skip?: number } = {}): void {
    this.planned.push({ endpoint, failure, times: options.times ?? 1, skip: options.skip ?? 0 });
  }

  /** The failure for this request, if one is planned; counts it down. */
  take(endpoint: Endpoint): Failure | undefined {
    const plan = this.planned.find((p) => p.endpoint === endpoint);
    if (!plan) return undefined;
    if (plan.skip > 0) {
      plan.skip -= 1;
      return undefined;
    }
    plan.times -= 1;
    if (plan.times <= 0) this.planned = this.planned.filter((p) => p !== plan);
    return plan.failure;
  }

  clear(): void {
    this.planned = [];
  }
}
