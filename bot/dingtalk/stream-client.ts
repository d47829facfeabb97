import { DWClient, type DWClientDownStream } from 'dingtalk-stream';
import type { Logger } from 'pino';
import type WebSocket from 'ws';

/** The SDK's private fields this subclass has to touch (its .d.ts marks them private). */
interface SdkInternals {
  dw_url?: string;
  socket?: WebSocket;
}

export interface StreamClientOptions {
  clientId: string;
  clientSecret: string;
  /** The connection-open endpoint (DINGTALK_GATEWAY_URL); the SDK itself hard-codes DingTalk's. */
  gatewayUrl: string;
  log: Logger;
  /** First reconnect delay; it doubles per failed attempt up to maxReconnectMs, with ±25 % jitter. */
  reconnectMs?: number;
  maxReconnectMs?: number;
  /**
   * Whether this process may act on frames now (it holds the app's Stream lease, see stream-holder.ts).
   * A CALLBACK frame that arrives while it may not is neither handled nor answered, so DingTalk sends
   * it again, to the connection of the process that holds the lease by then; answers are withheld too.
   */
  mayAct?: () => boolean;
}

const UA = 'orderbot dingtalk-stream/2.1.5';
const HEARTBEAT_MS = 8000;

function jitter(ms: number): number {
  return Math.round(ms * (0.75 + Math.random() * 0.5));
}

/**
 * The official DWClient; the SDK still parses frames, answers pings and sends answers. Changed: the
 * endpoint comes from a configurable URL; reconnects are this class's, one at a time, with backoff and
 * jitter (the SDK retries every second and can start two loops after a socket error); a `disconnect`
 * frame closes the socket at once so the new connection opens before the server cuts the old one; one
 * heartbeat per socket; a malformed frame is logged instead of crashing the process.
 */
export class GatewayStreamClient extends DWClient {
  private stopped = false;
  private failures = 0;
  private attempt: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: StreamClientOptions) {
    // keepAlive stays off: the SDK leaks one heartbeat timer per reconnect; `watch` keeps one per socket.
    super({ clientId: options.clientId, clientSecret: options.clientSecret, keepAlive: false, ua: UA });
    this.config.autoReconnect = false;
  }

  private get internals(): SdkInternals {
    return this as unknown as SdkInternals;
  }

  override async getEndpoint(): Promise<this> {
    const response = await fetch(this.options.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        clientId: this.config.clientId,
        clientSecret: this.config.clientSecret,
        ua: UA,
        subscriptions: this.config.subscriptions,
      }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`the stream gateway refused to open a connection: HTTP ${response.status}`);
    const { endpoint, ticket } = (await response.json()) as { endpoint?: string; ticket?: string };
    if (!endpoint || !ticket) throw new Error('the stream gateway answered without endpoint or ticket');
    this.internals.dw_url = `${endpoint}?ticket=${encodeURIComponent(ticket)}`;
    return this;
  }

  /** One connection attempt at a time; a failure schedules the next one with backoff. */
  override connect(): Promise<void> {
    if (this.stopped || this.isOpen()) return Promise.resolve();
    this.attempt ??= this.tryConnect().finally(() => {
      this.attempt = undefined;
    });
    return this.attempt;
  }

  private async tryConnect(): Promise<void> {
    clearTimeout(this.retryTimer);
    try {
      await this.getEndpoint();
      await this._connect();
    } catch (err) {
      if (this.stopped) return;
      this.failures += 1;
      const delay = Math.min(this.options.maxReconnectMs ?? 30_000, this.reconnectMs * 2 ** (this.failures - 1));
      this.options.log.warn(
        { err: (err as Error).message, attempt: this.failures },
        'DingTalk stream connection failed',
      );
      return this.reconnectIn(delay);
    }
    const socket = this.internals.socket!;
    if (this.stopped) {
      // Closed while the connection was being opened: it must not outlive the close.
      socket.terminate();
      return;
    }
    this.failures = 0;
    this.watch(socket);
    socket.once('close', () => {
      // A socket dropped by close() can report its close after open() made a new one: only the current
      // socket's close reconnects, or the stale one would open a second connection that nothing closes.
      if (!this.stopped && this.internals.socket === socket) this.reconnectIn(this.reconnectMs);
    });
    this.options.log.info('DingTalk stream connected');
  }

  private get reconnectMs(): number {
    return this.options.reconnectMs ?? 1000;
  }

  /** Jittered, so that processes cut off together do not all reconnect in the same instant. */
  private reconnectIn(ms: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), jitter(ms));
  }

  /** WebSocket ping every 8 s; a socket without a pong since the last one is dead and gets closed. */
  private watch(socket: WebSocket): void {
    let alive = true;
    socket.on('pong', () => {
      alive = true;
    });
    const timer = setInterval(() => {
      if (!alive) {
        this.options.log.warn('DingTalk stream missed a heartbeat; reconnecting');
        socket.terminate();
        return;
      }
      alive = false;
      socket.ping();
    }, HEARTBEAT_MS);
    timer.unref();
    socket.once('close', () => clearInterval(timer));
  }

  /** The SDK parses frames inside the socket's message handler: a malformed one must not crash the process. */
  override onDownStream(data: string): void {
    try {
      super.onDownStream(data);
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'ignored a malformed DingTalk frame');
    }
  }

  /** CALLBACK frames reach the listeners only while this process may act on them. */
  override onCallback(frame: DWClientDownStream): void {
    if (this.options.mayAct && !this.options.mayAct()) {
      this.options.log.warn(
        { messageId: frame.headers.messageId, topic: frame.headers.topic },
        'left a DingTalk frame unanswered: this process no longer holds the Stream lease',
      );
      return;
    }
    super.onCallback(frame);
  }

  override onSystem(frame: DWClientDownStream): void {
    super.onSystem(frame);
    if (frame.headers.topic === 'disconnect') {
      this.options.log.info('DingTalk stream asked to reconnect');
      this.internals.socket?.close();
    }
  }

  /**
   * Answers a CALLBACK frame: true if the answer was written to an open socket. A socket that is gone drops
   * the answer: DingTalk then redelivers the frame.
   */
  answer(messageId: string, response: unknown): boolean {
    if (this.options.mayAct && !this.options.mayAct()) {
      this.options.log.warn(
        { messageId },
        'did not answer a DingTalk frame: this process no longer holds the Stream lease',
      );
      return false;
    }
    const socket = this.internals.socket;
    if (!socket || socket.readyState !== socket.OPEN) {
      this.options.log.warn(
        { messageId },
        'could not answer a DingTalk frame (no open socket); it will be redelivered',
      );
      return false;
    }
    try {
      this.socketCallBackResponse(messageId, response);
      return true;
    } catch (err) {
      this.options.log.warn(
        { err: (err as Error).message, messageId },
        'could not answer a DingTalk frame; it will be redelivered',
      );
      return false;
    }
  }

  isOpen(): boolean {
    const socket = this.internals.socket;
    return socket !== undefined && (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING);
  }

  /** Opens the connection again after close() (or for the first time); it reconnects until closed. */
  open(): Promise<void> {
    this.stopped = false;
    return this.connect();
  }

  /**
   * Drops the connection at once, without the closing handshake, and stops reconnecting until open():
   * from here on this process reads no frame and sends no answer on it.
   */
  close(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.internals.socket?.terminate();
  }

  /** Closes the connection for good and waits (briefly) for the socket to close. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const socket = this.internals.socket;
    const closed =
      socket && socket.readyState !== socket.CLOSED
        ? new Promise<void>((resolve) => socket.once('close', () => resolve()))
        : Promise.resolve();
    this.disconnect();
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
    socket?.terminate();
  }
}
