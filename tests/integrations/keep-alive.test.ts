import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeKeepAliveAgents,
  HttpRequestError,
  type HttpSend,
  keepAliveRequest,
  sendWithFetch,
} from '../../integrations/http/keep-alive';

interface Local {
  url: string;
  connections: number;
  sockets: Set<Socket>;
  requests: Array<{ method: string; headers: IncomingMessage['headers']; body: string }>;
  server: Server;
}

const servers: Server[] = [];

async function serve(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<Local> {
  const local: Local = { url: '', connections: 0, sockets: new Set(), requests: [], server: createServer() };
  local.server.on('connection', (socket: Socket) => {
    local.connections += 1;
    local.sockets.add(socket);
    socket.on('close', () => local.sockets.delete(socket));
  });
  local.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      local.requests.push({ method: req.method ?? '', headers: req.headers, body });
      handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => local.server.listen(0, '127.0.0.1', resolve));
  local.url = `http://127.0.0.1:${(local.server.address() as AddressInfo).port}`;
  servers.push(local.server);
  return local;
}

async function failure(promise: Promise<unknown>): Promise<HttpRequestError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpRequestError);
  return err as HttpRequestError;
}

afterEach(async () => {
  closeKeepAliveAgents();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('keepAliveRequest', () => {
  it('sends method, headers and body, and reuses one socket for sequential requests to an origin', async () => {
    const local = await serve((_req, res, body) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ echoed: body }));
    });
    const first = await keepAliveRequest({
      method: 'POST',
      url: `${local.url}/a?x=1`,
      headers: { 'content-type': 'application/json', 'x-token': 't1' },
      body: '{"中":1}',
      timeoutMs: 2000,
    });
    const second = await keepAliveRequest({ method: 'GET', url: `${local.url}/b`, timeoutMs: 2000 });
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toEqual({ echoed: '{"中":1}' });
    expect(first.headers['content-type']).toBe('application/json');
    expect(second.status).toBe(200);
    expect(local.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(local.requests[0]?.headers['x-token']).toBe('t1');
    expect(local.requests[0]?.headers['content-length']).toBe(String(Buffer.byteLength('{"中":1}')));
    expect(local.requests[0]?.headers['accept-encoding']).toBeUndefined();
    expect(local.connections).toBe(1);
  });

  it('opens one socket per concurrent request and keeps them for the next ones', async () => {
    const local = await serve((_req, res) => setTimeout(() => res.end('ok'), 20));
    const call = () => keepAliveRequest({ method: 'GET', url: local.url, timeoutMs: 2000 });
    await Promise.all([call(), call(), call()]);
    await Promise.all([call(), call(), call()]);
    expect(local.connections).toBe(3);
    expect(local.requests).toHaveLength(6);
  });

  it('passes a non-2xx status through with its body', async () => {
    const local = await serve((_req, res) => {
      res.statusCode = 503;
      res.end('busy');
    });
    const answer = await keepAliveRequest({ method: 'POST', url: local.url, body: '{}', timeoutMs: 2000 });
    expect(answer).toMatchObject({ status: 503, text: 'busy' });
  });

  it('reads a large body whole', async () => {
    const big = 'x'.repeat(3_000_000);
    const local = await serve((_req, res) => res.end(big));
    const answer = await keepAliveRequest({ method: 'GET', url: local.url, timeoutMs: 5000 });
    expect(answer.text.length).toBe(big.length);
    expect(answer.text === big).toBe(true);
  });

  it('gives up at the deadline with ETIMEDOUT and destroys the socket', async () => {
    const local = await serve(() => {
      // never answers
    });
    const started = Date.now();
    const err = await failure(keepAliveRequest({ method: 'POST', url: local.url, body: '{}', timeoutMs: 150 }));
    const took = Date.now() - started;
    expect(err.code).toBe('ETIMEDOUT');
    expect(err.timedOut).toBe(true);
    expect(err.status).toBeUndefined();
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(1000);
    // The server sees the socket closed.
    await expect.poll(() => local.sockets.size, { timeout: 1000 }).toBe(0);
    expect(local.connections).toBe(1);
  });

  it('times out while the body is still arriving, with the status it had', async () => {
    const local = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const err = await failure(keepAliveRequest({ method: 'GET', url: local.url, timeoutMs: 150 }));
    expect(err.code).toBe('ETIMEDOUT');
    expect(err.status).toBe(200);
    await expect.poll(() => local.sockets.size, { timeout: 1000 }).toBe(0);
  });

  it('reports a refused connection as ECONNREFUSED', async () => {
    const local = await serve(() => undefined);
    const url = local.url;
    local.server.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const err = await failure(keepAliveRequest({ method: 'POST', url, body: '{}', timeoutMs: 2000 }));
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.status).toBeUndefined();
  });

  it('reports a hang-up before any answer as ECONNRESET without a status', async () => {
    const local = await serve((req) => req.socket.destroy());
    const err = await failure(keepAliveRequest({ method: 'POST', url: local.url, body: '{}', timeoutMs: 2000 }));
    expect(err.code).toBe('ECONNRESET');
    expect(err.status).toBeUndefined();
    expect(local.requests).toHaveLength(1);
  });

  it('treats a body cut off mid-way as an error carrying the status', async () => {
    const local = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('{"errcode":0,');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const err = await failure(keepAliveRequest({ method: 'GET', url: local.url, timeoutMs: 2000 }));
    expect(err.code).toBe('ECONNRESET');
    expect(err.status).toBe(200);
    expect(err.message).toMatch(/cut off/);
  });

  it('treats a chunked body cut off mid-way as an error', async () => {
    const local = await serve((_req, res) => {
      res.writeHead(200);
      res.write('first chunk');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const err = await failure(keepAliveRequest({ method: 'POST', url: local.url, body: '{}', timeoutMs: 2000 }));
    expect(err.status).toBe(200);
    expect(err.code).toBe('ECONNRESET');
  });

  it('sends nothing again when a kept socket was closed by the server, GET or POST', async () => {
    const local = await serve((_req, res) => res.end('ok'));
    await keepAliveRequest({ method: 'GET', url: local.url, timeoutMs: 2000 });
    expect(local.connections).toBe(1);
    for (const method of ['GET', 'POST'] as const) {
      const err = await staleSocketRace(local, method).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HttpRequestError);
      expect((err as HttpRequestError).code).toBe('ECONNRESET');
      expect((err as HttpRequestError).status).toBeUndefined();
      // The next request opens a new socket, and is answered.
      expect(await keepAliveRequest({ method: 'GET', url: local.url, timeoutMs: 2000 })).toMatchObject({ text: 'ok' });
    }
    expect(local.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
    expect(local.connections).toBe(3);
  });
});

/**
 * Destroys the server's side of every open socket and sends a request at once, in the same tick, so the
 * client's free socket is picked before its close is seen: the request meets a closed socket.
 */
async function staleSocketRace(local: Local, method: 'GET' | 'POST'): Promise<{ status: number; text: string }> {
  for (const socket of local.sockets) socket.destroy();
  const answer = await keepAliveRequest({
    method,
    url: local.url,
    ...(method === 'POST' ? { body: '{}' } : {}),
    timeoutMs: 2000,
  });
  return { status: answer.status, text: answer.text };
}

/** The contract callers rely on, for the keep-alive path and for an injected fetch. */
describe.each<[string, HttpSend]>([
  ['keepAliveRequest', keepAliveRequest],
  ['sendWithFetch(fetch)', sendWithFetch(fetch)],
])('%s', (_name, send) => {
  it('answers with status, headers (cookies as a list) and text', async () => {
    const local = await serve((_req, res, body) => {
      res.statusCode = 404;
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end(`got ${body}`);
    });
    const answer = await send({ method: 'POST', url: local.url, body: 'x', timeoutMs: 2000 });
    expect(answer.status).toBe(404);
    expect(answer.text).toBe('got x');
    expect(answer.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('fails with ETIMEDOUT at the deadline, ECONNREFUSED on a closed port, a status when the body is cut off', async () => {
    const silent = await serve(() => undefined);
    const timedOut = await failure(send({ method: 'GET', url: silent.url, timeoutMs: 100 }));
    expect([timedOut.code, timedOut.timedOut, timedOut.status]).toEqual(['ETIMEDOUT', true, undefined]);

    const closed = await serve(() => undefined);
    closed.server.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await failure(send({ method: 'GET', url: closed.url, timeoutMs: 2000 }))).code).toBe('ECONNREFUSED');

    const cut = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('{"status":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const cutOff = await failure(send({ method: 'GET', url: cut.url, timeoutMs: 2000 }));
    expect(cutOff.status).toBe(200);
    expect(cutOff.timedOut).toBe(false);
  });
});
