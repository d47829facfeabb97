import { appEnvelope, aibotEnvelope, callbackQuery, seal, type SealOptions } from './wire';

export type CallbackKind = 'app' | 'aibot';

export interface CallbackBehaviour {
  /** WeCom gives up on an attempt after 5 s. */
  timeoutMs: number;
  /** After a failed attempt (non-200, timeout, error) WeCom tries up to 3 more times. */
  retries: number;
  /** About 5 s in production; 0 keeps tests fast. */
  retryDelayMs: number;
  /** Unconfirmed whether retries reuse timestamp and nonce: false sends the identical request again. */
  resealRetries: boolean;
  /** Unconfirmed Content-Type of callbacks; null sends none. */
  contentType: Record<CallbackKind, string | null>;
}

export interface Attempt {
  status: number | 'timeout' | 'error';
  body: string;
  ms: number;
}

export interface Delivery {
  kind: CallbackKind | 'verify';
  plaintext: string;
  attempts: Attempt[];
  acked: boolean;
}

export interface PreparedCallback {
  kind: CallbackKind;
  plaintext: string;
  query: string;
  body: string;
}

/** Tampering for negative tests; everything else is sealed as WeCom would. */
export type Tamper = Partial<
  Pick<
    SealOptions,
    'receiveId' | 'encodingAesKey' | 'timestamp' | 'nonce' | 'ciphertext' | 'signature' | 'random' | 'token'
  >
>;

export interface DriverSecrets {
  corpId: string;
  agentId: number;
  app: { token: string; encodingAesKey: string };
  aibot: { token: string; encodingAesKey: string };
}

const PATHS: Record<CallbackKind, string> = { app: '/wecom/callback', aibot: '/wecom/aibot/callback' };

/** WeCom calling our callback URLs: URL verification, and events with its timeout and retries. */
export class CallbackDriver {
  private target: string | undefined;
  readonly deliveries: Delivery[] = [];

  constructor(
    private readonly secrets: DriverSecrets,
    readonly behaviour: CallbackBehaviour,
    private readonly now: () => number,
  ) {}

  /** Where our app listens, e.g. http://127.0.0.1:12345 (known only once it has started). */
  setTarget(baseUrl: string): void {
    this.target = baseUrl;
  }

  prepare(kind: CallbackKind, plaintext: string, tamper: Tamper = {}): PreparedCallback {
    const sealed = seal(plaintext, this.sealOptions(kind, tamper));
    const body =
      kind === 'app'
        ? appEnvelope(this.secrets.corpId, this.secrets.agentId, sealed.encrypt)
        : aibotEnvelope(sealed.encrypt);
    return { kind, plaintext, query: callbackQuery(sealed), body };
  }

  /**
   * Delivers like WeCom: retries after a failed attempt. `attempts` forces that many identical
   * deliveries whatever the answers (acks lost on the way back).
   */
  async deliver(prepared: PreparedCallback, options: { attempts?: number } = {}): Promise<Delivery> {
    const delivery: Delivery = { kind: prepared.kind, plaintext: prepared.plaintext, attempts: [], acked: false };
    this.deliveries.push(delivery);
    const forced = options.attempts;
    const max = forced ?? 1 + this.behaviour.retries;
    let request = prepared;
    for (let i = 0; i < max; i++) {
      if (i > 0 && this.behaviour.retryDelayMs > 0)
        await new Promise((r) => setTimeout(r, this.behaviour.retryDelayMs));
      if (i > 0 && this.behaviour.resealRetries) request = this.prepare(prepared.kind, prepared.plaintext);
      const attempt = await this.post(request);
      delivery.attempts.push(attempt);
      if (attempt.status === 200) delivery.acked = true;
      if (attempt.status === 200 && forced === undefined) break;
    }
    return delivery;
  }

  async post(prepared: PreparedCallback): Promise<Attempt> {
    const type = this.behaviour.contentType[prepared.kind];
    return this.request(`${PATHS[prepared.kind]}?${prepared.query}`, {
      method: 'POST',
      headers: type ? { 'content-type': type } : {},
      body: new TextEncoder().encode(prepared.body),
    });
  }

  /** The GET WeCom sends when the admin saves the callback URL: echostr sealed like any payload. */
  async verifyUrl(kind: CallbackKind, echo: string, tamper: Tamper = {}): Promise<Attempt> {
    const sealed = seal(echo, this.sealOptions(kind, tamper));
    const attempt = await this.request(`${PATHS[kind]}?${callbackQuery(sealed, true)}`, { method: 'GET' });
    this.deliveries.push({
      kind: 'verify',
      plaintext: echo,
      attempts: [attempt],
      acked: attempt.status === 200 && attempt.body === echo,
    });
    return attempt;
  }

  /** Sends exactly the given query and body: for replaying a captured request or the official vectors. */
  async raw(kind: CallbackKind, method: 'GET' | 'POST', query: string, body?: string): Promise<Attempt> {
    const type = this.behaviour.contentType[kind];
    return this.request(`${PATHS[kind]}?${query}`, {
      method,
      headers: body !== undefined && type ? { 'content-type': type } : {},
      ...(body !== undefined ? { body: new TextEncoder().encode(body) } : {}),
    });
  }

  private sealOptions(kind: CallbackKind, tamper: Tamper): SealOptions {
    const secrets = kind === 'app' ? this.secrets.app : this.secrets.aibot;
    return {
      token: secrets.token,
      encodingAesKey: secrets.encodingAesKey,
      receiveId: kind === 'app' ? this.secrets.corpId : '',
      timestamp: Math.floor(this.now() / 1000),
      ...tamper,
    };
  }

  private async request(pathAndQuery: string, init: RequestInit): Promise<Attempt> {
    if (!this.target) throw new Error('the fake does not know where the app listens: call setTarget first');
    const started = performance.now();
    try {
      const response = await fetch(`${this.target}${pathAndQuery}`, {
        ...init,
        signal: AbortSignal.timeout(this.behaviour.timeoutMs),
      });
      const body = await response.text();
      return { status: response.status, body, ms: performance.now() - started };
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      return {
        status: timedOut ? 'timeout' : 'error',
        body: String((err as Error).message),
        ms: performance.now() - started,
      };
    }
  }
}
