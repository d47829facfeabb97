/**
 * What a fake ERP does instead of (or around) answering normally:
 * - `status`: answers that HTTP status with an HTML body, without handling the request;
 * - `hangup`: drops the connection without answering;
 * - `delayMs`: handles the request after a delay (past the client's timeout it looks like a hang).
 */
export type Failure = { status: number } | { hangup: true } | { delayMs: number };

interface Planned<E extends string> {
  endpoint: E;
  failure: Failure;
  skip: number;
  times: number;
}

/** Failures planned for the next requests to an endpoint: `skip` lets that many through first. */
export class FailurePlan<E extends string> {
  private planned: Planned<E>[] = [];

  add(endpoint: E, failure: Failure, options: { times?: number; skip?: number } = {}): void {
    this.planned.push({ endpoint, failure, times: options.times ?? 1, skip: options.skip ?? 0 });
  }

  take(endpoint: E): Failure | undefined {
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
