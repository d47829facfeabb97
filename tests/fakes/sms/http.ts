import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RawRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface RawReply {
  status: number;
  json: unknown;
  /** Wait this long before answering (slow vendor / timeout tests). */
  delayMs?: number;
}

/** Minimal HTTP server on 127.0.0.1:0 for the SMS fakes. */
export class SmsHttpServer {
  private server: Server | undefined;
  private base = '';
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly handle: (req: RawRequest) => RawReply) {}

  get url(): string {
    return this.base;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const reply = this.handle({
      method: req.method ?? 'GET',
      url: new URL(req.url ?? '/', 'http://placeholder'),
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    const write = (): void => {
      if (res.destroyed) return;
      res.writeHead(reply.status, { 'content-type': 'application/json;charset=utf-8' });
      res.end(JSON.stringify(reply.json));
    };
    if (reply.delayMs && reply.delayMs > 0) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        write();
      }, reply.delayMs);
      this.timers.add(t);
    } else {
      write();
    }
  }
}

export const header = (h: IncomingMessage['headers'], name: string): string | undefined => {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};
