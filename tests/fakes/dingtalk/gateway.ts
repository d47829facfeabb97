import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isRecord, parseJsonBody, readBody, sendJson } from './http';

export const TOPIC_ROBOT = '/v1.0/im/bot/messages/get';
export const TOPIC_CARD = '/v1.0/card/instances/callback';

export interface GatewayOptions {
  clientId: string;
  clientSecret: string;
  /** A CALLBACK frame not answered within this time is sent again (DingTalk: about 60 s). */
  redeliverAfterMs?: number;
  /** Topics whose unanswered frames are sent again. DingTalk's FAQ calls robot messages fire-and-forget. */
  redeliverTopics?: string[];
  /** Deliveries of one frame before the gateway gives up on it. */
  maxDeliveries?: number;
  /** `connection`: an answer counts only on the connection the frame went to; `app`: on any of the app's. */
  ackScope?: 'connection' | 'app';
  /** SYSTEM ping every this many ms (0: never); a ping not echoed within pingTimeoutMs closes the socket. */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** After a SYSTEM disconnect frame the server waits this long, then closes (DingTalk: 10 s). */
  disconnectGraceMs?: number;
  /** A ticket is good for one connection within this time (DingTalk: 90 s). */
  ticketTtlMs?: number;
  /** How a frame picks one of the app's live connections (DingTalk: at random). */
  pick?: 'random' | 'round-robin' | 'newest';
  /** Send SYSTEM CONNECTED and REGISTERED on connect (the SDK handles them; the protocol page lists only ping and disconnect). */
  announce?: boolean;
  /** Give a redelivered frame a new messageId (unconfirmed either way; the SDK's answers suggest the id is kept). */
  newMessageIdOnRedelivery?: boolean;
  /** A card callback's answer later than this (from the frame's send) changes nothing (DingTalk: 2 s). */
  cardAnswerTimeoutMs?: number;
  /** Applies a card callback answer's cardData / userPrivateData to the card; true if it changed anything. */
  applyCardAnswer?: (outTrackId: string, userId: string, response: unknown) => boolean;
}

/** An answer to a card callback frame: applied to the card, or not (empty, or `late`). */
export interface CardAnswerRecord {
  messageId: string;
  outTrackId: string;
  userId: string;
  response: unknown;
  ms: number;
  late: boolean;
  applied: boolean;
}

interface Connection {
  id: string;
  socket: WebSocket;
  subscriptions: Array<{ type: string; topic: string }>;
  ua: string;
  pings: Map<string, { opaque: string; timer: NodeJS.Timeout }>;
  pingTimer?: NodeJS.Timeout;
}

interface PendingFrame {
  messageId: string;
  topic: string;
  data: string;
  connectionId?: string;
  sentAt: number;
  deliveries: number;
}

export interface FrameRecord {
  messageId: string;
  topic: string;
  connectionId: string;
  data: unknown;
  at: number;
}

const DEFAULTS = {
  redeliverAfterMs: 60_000,
  redeliverTopics: [TOPIC_ROBOT, TOPIC_CARD],
  maxDeliveries: 10,
  ackScope: 'connection' as const,
  pingIntervalMs: 0,
  pingTimeoutMs: 5000,
  disconnectGraceMs: 10_000,
  ticketTtlMs: 90_000,
  pick: 'random' as const,
  announce: true,
  newMessageIdOnRedelivery: false,
  cardAnswerTimeoutMs: 2000,
  applyCardAnswer: () => false,
};

/**
 * The Stream gateway: the connection-open endpoint, the WebSocket endpoint with its SYSTEM frames, and
 * CALLBACK frames that are sent again until answered. Wall-clock timing (it is a transport).
 */
export class FakeGateway {
  readonly options: Required<GatewayOptions>;
  readonly opens: Array<{ ok: boolean; subscriptions: unknown; ua: unknown; at: number }> = [];
  readonly frames: FrameRecord[] = [];
  /** Answered frames; `ms` from the frame's (last) send to its answer. */
  readonly acks: Array<{ messageId: string; connectionId: string; response: unknown; ms: number }> = [];
  readonly pingEchoes: Array<{ connectionId: string; ok: boolean }> = [];
  /** Every answer to a card callback frame, and whether it updated the card. */
  readonly cardAnswers: CardAnswerRecord[] = [];
  /** Answers that break the protocol (bad JSON, wrong code, missing headers). Tests expect none. */
  readonly violations: string[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Map<
    string,
    { expiresAt: number; subscriptions: Connection['subscriptions']; ua: string }
  >();
  private readonly connections = new Map<string, Connection>();
  private readonly pending = new Map<string, PendingFrame>();
  private readonly timer: NodeJS.Timeout;
  /** messageIds of frames sent with sendRaw and how many of their sends are not answered yet. */
  private readonly rawPending = new Map<string, number>();
  readonly rawAcks: Array<{ messageId: string; connectionId: string; response: unknown }> = [];
  private roundRobin = 0;
  private frameCount = 0;
  readonly appId = randomUUID();
  wsBase = '';

  constructor(options: GatewayOptions) {
    this.options = { ...DEFAULTS, ...options };
    this.timer = setInterval(() => this.redeliver(), 20);
  }

  reset(): void {
    for (const connection of this.connections.values()) connection.socket.terminate();
    this.pending.clear();
    this.rawPending.clear();
    this.rawAcks.length = 0;
    this.tickets.clear();
    this.opens.length = 0;
    this.frames.length = 0;
    this.acks.length = 0;
    this.pingEchoes.length = 0;
    this.cardAnswers.length = 0;
    this.violations.length = 0;
  }

  close(): void {
    clearInterval(this.timer);
    for (const connection of this.connections.values()) connection.socket.terminate();
    this.wss.close();
  }

  /** POST /v1.0/gateway/connections/open */
  async open(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = parseJsonBody(await readBody(req));
    if (!String(req.headers.accept ?? '').includes('application/json')) {
      // DingTalk answers XML without this header; the SDK's comment says so.
      res.writeHead(200, { 'content-type': 'application/xml' });
      return void res.end('<result><endpoint/></result>');
    }
    const ok =
      isRecord(body) && body.clientId === this.options.clientId && body.clientSecret === this.options.clientSecret;
    const subscriptions = isRecord(body) ? body.subscriptions : undefined;
    this.opens.push({ ok, subscriptions, ua: isRecord(body) ? body.ua : undefined, at: Date.now() });
    if (!ok) return sendJson(res, 401, { code: 'InvalidAuthentication', message: 'clientId 或 clientSecret 不正确' });
    if (
      !Array.isArray(subscriptions) ||
      subscriptions.some((s) => !isRecord(s) || typeof s.type !== 'string' || typeof s.topic !== 'string')
    ) {
      return sendJson(res, 400, { code: 'InvalidParameter', message: 'subscriptions must be [{type, topic}]' });
    }
    const ticket = randomUUID();
    this.tickets.set(ticket, {
      expiresAt: Date.now() + this.options.ticketTtlMs,
      subscriptions: subscriptions as Connection['subscriptions'],
      ua: String(body.ua ?? ''),
    });
    sendJson(res, 200, { endpoint: `${this.wsBase}/connect`, ticket });
  }

  /** WebSocket upgrade on /connect?ticket=...: a ticket opens one connection, once. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const ticket = this.tickets.get(url.searchParams.get('ticket') ?? '');
    if (url.pathname !== '/connect' || !ticket || ticket.expiresAt < Date.now()) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
      return;
    }
    this.tickets.delete(url.searchParams.get('ticket')!);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, ticket.subscriptions, ticket.ua));
  }

  private accept(socket: WebSocket, subscriptions: Connection['subscriptions'], ua: string): void {
    const connection: Connection = { id: randomBytes(6).toString('hex'), socket, subscriptions, ua, pings: new Map() };
    this.connections.set(connection.id, connection);
    socket.on('message', (raw) => this.onAnswer(connection, raw.toString()));
    socket.on('close', () => this.forget(connection));
    socket.on('error', () => socket.terminate());
    if (this.options.announce) {
      this.system(connection, 'CONNECTED', {});
      this.system(connection, 'REGISTERED', {});
    }
    if (this.options.pingIntervalMs > 0)
      connection.pingTimer = setInterval(() => this.ping(connection), this.options.pingIntervalMs);
    for (const frame of this.pending.values()) if (!frame.connectionId) this.deliver(frame);
  }

  private forget(connection: Connection): void {
    clearInterval(connection.pingTimer);
    for (const ping of connection.pings.values()) clearTimeout(ping.timer);
    this.connections.delete(connection.id);
  }

  /** Ids of the live connections, oldest first. */
  liveConnections(): string[] {
    return [...this.connections.values()].filter((c) => c.socket.readyState === c.socket.OPEN).map((c) => c.id);
  }

  private send(connection: Connection, frame: unknown): void {
    if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(JSON.stringify(frame));
  }

  private headers(connection: Connection, topic: string, messageId: string) {
    return {
      appId: this.appId,
      connectionId: connection.id,
      contentType: 'application/json',
      messageId,
      time: String(Date.now()),
      topic,
    };
  }

  private nextMessageId(): string {
    this.frameCount += 1;
    return `${randomBytes(4).toString('hex')}_${this.frameCount}_${Date.now().toString(16)}_${randomBytes(2).toString('hex')}`;
  }

  private system(connection: Connection, topic: string, data: Record<string, unknown>): string {
    const messageId = this.nextMessageId();
    this.send(connection, {
      specVersion: '1.0',
      type: 'SYSTEM',
      headers: this.headers(connection, topic, messageId),
      data: JSON.stringify(data),
    });
    return messageId;
  }

  private ping(connection: Connection): void {
    const opaque = randomUUID();
    const messageId = this.system(connection, 'ping', { opaque });
    const timer = setTimeout(() => {
      connection.pings.delete(messageId);
      this.pingEchoes.push({ connectionId: connection.id, ok: false });
      connection.socket.terminate();
    }, this.options.pingTimeoutMs);
    connection.pings.set(messageId, { opaque, timer });
  }

  /** Sends a SYSTEM disconnect, then closes the socket after the grace period (all connections by default). */
  sendDisconnect(connectionId?: string, reason = 'connection is expired'): void {
    for (const connection of this.pick(connectionId)) {
      this.send(connection, {
        specVersion: '1.0',
        type: 'SYSTEM',
        headers: { topic: 'disconnect', contentType: 'application/json', messageId: this.nextMessageId() },
        data: JSON.stringify({ reason }),
      });
      setTimeout(() => connection.socket.close(1000, 'disconnect'), this.options.disconnectGraceMs);
    }
  }

  /** Cuts connections without a word, as a network failure would (all by default). */
  drop(connectionId?: string): void {
    for (const connection of this.pick(connectionId)) connection.socket.terminate();
  }

  private pick(connectionId?: string): Connection[] {
    return [...this.connections.values()].filter((c) => connectionId === undefined || c.id === connectionId);
  }

  /** Pushes a CALLBACK frame for a topic to one live connection (or the one named); returns its messageId. */
  push(topic: string, data: unknown, options: { connectionId?: string } = {}): string {
    const frame: PendingFrame = {
      messageId: this.nextMessageId(),
      topic,
      data: JSON.stringify(data),
      sentAt: 0,
      deliveries: 0,
    };
    this.pending.set(frame.messageId, frame);
    this.deliver(frame, options.connectionId);
    return frame.messageId;
  }

  /**
   * Sends `text` as it stands (any text, any frame, however broken; a Buffer goes out as a text frame
   * whatever its bytes) to one live connection, once: no redelivery. An answer naming `messageId` is
   * recorded in rawAcks. Returns the connection's id.
   */
  sendRaw(text: string | Buffer, options: { connectionId?: string; messageId?: string } = {}): string | undefined {
    const connection = options.connectionId
      ? this.connections.get(options.connectionId)
      : this.pick().find((c) => c.socket.readyState === c.socket.OPEN);
    if (!connection) return undefined;
    if (options.messageId !== undefined)
      this.rawPending.set(options.messageId, (this.rawPending.get(options.messageId) ?? 0) + 1);
    connection.socket.send(text, { binary: false });
    return connection.id;
  }

  /** Sends a SYSTEM ping to every live connection (or the one named) now; echoes land in pingEchoes. */
  pingNow(connectionId?: string): void {
    for (const connection of this.pick(connectionId)) this.ping(connection);
  }

  /**
   * Sends a frame that was delivered before again, with the same messageId, whether or not it was
   * answered (as when the gateway lost the answer); it waits for an answer again.
   */
  resend(messageId: string, options: { connectionId?: string } = {}): void {
    const sent = this.frames.find((f) => f.messageId === messageId);
    if (!sent) throw new Error(`the gateway never sent frame ${messageId}`);
    const frame = this.pending.get(messageId) ?? {
      messageId,
      topic: sent.topic,
      data: JSON.stringify(sent.data),
      sentAt: 0,
      deliveries: 0,
    };
    this.pending.set(messageId, frame);
    this.deliver(frame, options.connectionId);
  }

  private deliver(frame: PendingFrame, connectionId?: string): void {
    const connection = connectionId ? this.connections.get(connectionId) : this.choose(frame.topic);
    frame.connectionId = connection?.id;
    frame.sentAt = Date.now();
    if (!connection) return;
    frame.deliveries += 1;
    this.frames.push({
      messageId: frame.messageId,
      topic: frame.topic,
      connectionId: connection.id,
      data: JSON.parse(frame.data),
      at: frame.sentAt,
    });
    this.send(connection, {
      specVersion: '1.0',
      type: 'CALLBACK',
      headers: this.headers(connection, frame.topic, frame.messageId),
      data: frame.data,
    });
  }

  private choose(topic: string): Connection | undefined {
    const live = [...this.connections.values()].filter(
      (c) =>
        c.socket.readyState === c.socket.OPEN &&
        c.subscriptions.some((s) => s.type === 'CALLBACK' && s.topic === topic),
    );
    if (live.length === 0) return undefined;
    if (this.options.pick === 'newest') return live[live.length - 1];
    if (this.options.pick === 'round-robin') return live[this.roundRobin++ % live.length];
    return live[Math.floor(Math.random() * live.length)];
  }

  private redeliver(): void {
    const now = Date.now();
    for (const frame of this.pending.values()) {
      const waiting = frame.connectionId === undefined || !this.connections.has(frame.connectionId);
      const overdue = now - frame.sentAt >= this.options.redeliverAfterMs;
      if (!waiting && !overdue) continue;
      if (frame.deliveries > 0 && !this.options.redeliverTopics.includes(frame.topic)) {
        this.pending.delete(frame.messageId);
      } else if (frame.deliveries >= this.options.maxDeliveries) {
        this.pending.delete(frame.messageId);
      } else if (overdue || frame.connectionId === undefined) {
        this.deliver(frame.deliveries > 0 && this.options.newMessageIdOnRedelivery ? this.renumber(frame) : frame);
      }
    }
  }

  private renumber(frame: PendingFrame): PendingFrame {
    this.pending.delete(frame.messageId);
    const again = { ...frame, messageId: this.nextMessageId() };
    this.pending.set(again.messageId, again);
    return again;
  }

  /** Frames sent and not yet answered. */
  unanswered(): string[] {
    return [...this.pending.keys()];
  }

  private onAnswer(connection: Connection, raw: string): void {
    const answer = parseJsonBody(raw);
    if (!isRecord(answer) || !isRecord(answer.headers))
      return void this.violations.push(`not a JSON answer with headers: ${raw.slice(0, 200)}`);
    const messageId = answer.headers.messageId;
    if (typeof messageId !== 'string')
      return void this.violations.push(`answer without headers.messageId: ${raw.slice(0, 200)}`);
    if (answer.code !== 200) return void this.violations.push(`answer ${messageId} has code ${String(answer.code)}`);
    const ping = connection.pings.get(messageId);
    if (ping) return void this.onPingEcho(connection, messageId, ping, answer);
    if (answer.headers.contentType !== 'application/json' || typeof answer.data !== 'string') {
      return void this.violations.push(`answer ${messageId} lacks contentType application/json or a string data`);
    }
    const data = parseJsonBody(answer.data);
    if (!isRecord(data) || !('response' in data))
      return void this.violations.push(`CALLBACK answer ${messageId} has no {response} in data`);
    const frame = this.pending.get(messageId);
    if (!frame && this.rawPending.has(messageId)) return void this.onRawAnswer(connection, messageId, data.response);
    if (!frame) return; // a late second answer to a frame that was sent twice
    if (this.options.ackScope === 'connection' && frame.connectionId !== connection.id) return;
    this.pending.delete(messageId);
    const ms = Date.now() - frame.sentAt;
    this.acks.push({ messageId, connectionId: connection.id, response: data.response, ms });
    if (frame.topic === TOPIC_CARD) this.onCardAnswer(frame, data.response, ms);
  }

  /** DingTalk updates the tapped card from the answer's cardData / userPrivateData if it came in time. */
  private onCardAnswer(frame: PendingFrame, response: unknown, ms: number): void {
    const tap = parseJsonBody(frame.data);
    if (!isRecord(tap) || typeof tap.outTrackId !== 'string') return;
    const userId = String(tap.userId ?? '');
    const late = ms > this.options.cardAnswerTimeoutMs;
    const applied = !late && this.options.applyCardAnswer(tap.outTrackId, userId, response);
    this.cardAnswers.push({
      messageId: frame.messageId,
      outTrackId: tap.outTrackId,
      userId,
      response,
      ms,
      late,
      applied,
    });
  }

  private onRawAnswer(connection: Connection, messageId: string, response: unknown): void {
    const left = this.rawPending.get(messageId)! - 1;
    if (left > 0) this.rawPending.set(messageId, left);
    else this.rawPending.delete(messageId);
    this.rawAcks.push({ messageId, connectionId: connection.id, response });
  }

  private onPingEcho(
    connection: Connection,
    messageId: string,
    ping: { opaque: string; timer: NodeJS.Timeout },
    answer: Record<string, unknown>,
  ): void {
    clearTimeout(ping.timer);
    connection.pings.delete(messageId);
    const data = typeof answer.data === 'string' ? parseJsonBody(answer.data) : undefined;
    const ok = isRecord(data) && data.opaque === ping.opaque;
    if (!ok) this.violations.push(`ping ${messageId} echoed without its opaque`);
    this.pingEchoes.push({ connectionId: connection.id, ok });
  }
}
