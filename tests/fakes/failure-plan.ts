/** Failures a fake plays for the next requests to an endpoint: `skip` lets that many through first. */
export class FailurePlan<E extends string, F> {
  private planned: Array<{ endpoint: E; failure: F; skip: number; times: number }> = [];
  private chooser: ((endpoint: E) => F | undefined) | undefined;

  /** Probabilistic mode: asked for every request that has no planned failure (a seeded random mix, say). */
  randomly(choose: ((endpoint: E) => F | undefined) | undefined): void {
    this.chooser = choose;
  }

  add(endpoint: E, failure: F, options: { times?: number; skip?: number } = {}): void {
    this.planned.push({ endpoint, failure, times: options.times ?? 1, skip: options.skip ?? 0 });
  }

  /** The failure for this request, if one is planned; counts it down. */
  take(endpoint: E): F | undefined {
    const plan = this.planned.find((p) => p.endpoint === endpoint);
    if (!plan) return this.chooser?.(endpoint);
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
    this.chooser = undefined;
  }
}
