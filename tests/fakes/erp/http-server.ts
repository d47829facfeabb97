import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FailurePlan, type Failure } from './failures';

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** Parsed JSON when the body is JSON, the raw text otherwise, undefined when empty. */
  body: unknown;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string | string[]>;
  json: unknown;
}

export interface RecordedRequest extends FakeRequest {
  at: Date;
  endpoint: string;
  outcome: { status: number; json: unknown } | 'hangup';
}

/**
 * The HTTP side shared by the fake ERPs: listens on 127.0.0.1:0, records every request, and applies
 * planned failures before handing a request to the fake's router.
 */
export class FakeHttpServer<E extends string> {
  readonly failures = new FailurePlan<E>();
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  private baseUrl = '';

  constructor(
    private readonly route: (req: FakeRequest) => { endpoint: E; handle: () => FakeReply } | undefined,
    private readonly clock: () => Date,
  ) {}

  get url(): string {
    return this.baseUrl;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
    };
    const matched = this.route(request);
    if (!matched) {
      this.send(res, { status: 404, json: { message: `no route ${request.method} ${request.path}` } });
      return;
    }
    const record: RecordedRequest = { ...request, at: this.clock(), endpoint: matched.endpoint, outcome: 'hangup' };
    this.requests.push(record);
    const failure: Failure | undefined = this.failures.take(matched.endpoint);
    if (failure && 'hangup' in failure) {
      req.socket.destroy();
      return;
    }
    if (failure && 'status' in failure) {
      record.outcome = { status: failure.status, json: null };
      res
        .writeHead(failure.status, { 'content-type': 'text/html' })
        .end(`<html><body>${failure.status} from the gateway</body></html>`);
      return;
    }
    if (failure && 'delayMs' in failure) {
      await new Promise((resolve) => setTimeout(resolve, failure.delayMs));
      if (res.destroyed || req.socket.destroyed) return;
    }
    const reply = matched.handle();
    if (failure && 'lostAnswer' in failure) {
      req.socket.destroy();
      return;
    }
    record.outcome = { status: reply.status ?? 200, json: reply.json };
    this.send(res, reply);
  }

  private send(res: ServerResponse, reply: FakeReply): void {
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    res.end(JSON.stringify(reply.json));
  }
}
