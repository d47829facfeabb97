import type { Endpoint, Failure as WecomFailure } from '../../fakes/wecom/failures';
import type { Failure as DingtalkFailure } from '../../fakes/dingtalk/failures';
import { weighted } from './random';

/** The kinds of trouble injected, as the report counts them. */
export type FaultKind = '5xx' | 'timeout' | 'rate-limit' | 'token' | 'hangup-before' | 'hangup-after';

const MIX: ReadonlyArray<readonly [FaultKind, number]> = [
  ['5xx', 2],
  ['timeout', 1],
  ['rate-limit', 2],
  ['token', 2],
  ['hangup-before', 1],
  ['hangup-after', 1],
];

/**
 * A seeded random fault mix for a share of the fake's requests, with the counts of what was injected.
 * Timeouts hold the request past the client's timeout and then carry it out, like a hang-up after.
 */
export class FaultInjector {
  readonly injected = new Map<string, number>();
  readonly calls = new Map<string, number>();
  /** Requests the fake is still holding (timeouts): their late effects may still land. */
  holding = 0;

  constructor(
    private readonly random: () => number,
    readonly rate: number,
    readonly holdMs: number,
  ) {}

  private choose(endpoint: string, allowed: (kind: FaultKind) => boolean): FaultKind | undefined {
    this.calls.set(endpoint, (this.calls.get(endpoint) ?? 0) + 1);
    if (this.random() >= this.rate) return undefined;
    const kind = weighted(
      this.random,
      MIX.filter(([k]) => allowed(k)),
    );
    this.count(kind);
    if (kind === 'timeout') {
      this.holding += 1;
      setTimeout(() => (this.holding -= 1), this.holdMs + 200).unref();
    }
    return kind;
  }

  private count(kind: string) {
    this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
  }

  /** For FakeWecom's failure plan: WeCom's own codes (45009, 40014/42001, webhook over-limit). */
  wecom = (endpoint: Endpoint): WecomFailure | undefined => {
    const tokenless = endpoint === 'gettoken' || endpoint === 'webhook/send' || endpoint === 'aibot/response';
    const kind = this.choose(endpoint, (k) => !(k === 'token' && tokenless));
    switch (kind) {
      case undefined:
        return undefined;
      case '5xx':
        return { status: this.random() < 0.5 ? 502 : 503 };
      case 'timeout':
        return { delayMs: this.holdMs };
      case 'rate-limit':
        return { errcode: 45009, errmsg: 'api freq out of limit' };
      case 'token': {
        const variant = weighted(this.random, [
          ['40014', 1],
          ['42001', 1],
          ['revoke', 1],
        ] as const);
        this.count(`token:${variant}`);
        return variant === 'revoke'
          ? { revokeTokens: true }
          : { errcode: Number(variant), errmsg: variant === '40014' ? 'invalid access_token' : 'access_token expired' };
      }
      case 'hangup-before':
        return { hangup: 'before' };
      case 'hangup-after':
        return { hangup: 'after' };
    }
  };

  /** For FakeDingtalk's OpenAPI failure plan: 500, 403 QpsLimit…, 401 InvalidAuthentication, hang-ups, timeouts. */
  dingtalk = (route: string): DingtalkFailure | undefined => {
    const tokenless = route.includes('accessToken') || route.includes('sendBySession');
    const kind = this.choose(route, (k) => !(k === 'token' && tokenless));
    switch (kind) {
      case undefined:
        return undefined;
      case 'rate-limit':
        return this.random() < 0.5 ? 'qps' : 'qps-app';
      case 'token':
        return 'invalid-token';
      default:
        return kind;
    }
  };

  summary(): string {
    const total = [...this.calls.values()].reduce((a, b) => a + b, 0);
    const faults = MIX.map(([k]) => `${k} ${this.injected.get(k) ?? 0}`).join(', ');
    const tokens = [...this.injected]
      .filter(([k]) => k.startsWith('token:'))
      .map(([k, n]) => `${k.slice(6)} ${n}`)
      .join('/');
    const injected = MIX.reduce((sum, [k]) => sum + (this.injected.get(k) ?? 0), 0);
    return `${injected} faults in ${total} API calls (${((100 * injected) / Math.max(1, total)).toFixed(1)}%): ${faults}${tokens ? ` (token: ${tokens})` : ''}`;
  }
}
