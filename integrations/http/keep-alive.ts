/**
 * Outgoing HTTP on node:http/node:https with one keep-alive Agent per origin (protocol, host and port).
 * It replaces `fetch` on the platform calls an order makes: undici's web streams, Response objects and
 * AbortSignal cost about 5 ms of CPU per order in the e2e bench (../shared/research/perf.md).
 *
 * One deadline covers the whole exchange, body included; on expiry the request and its socket are destroyed.
 * A body that ends before its length is an error. No accept-encoding is sent, so bodies arrive as sent.
 * Nothing is retried: whether a request may be sent again is the caller's (the outbox's, the sync job's) call.
 * Idle sockets are closed after 4 s, before a server's usual idle timeout closes them under a new request.
 */
import http from 'node:http';
import https from 'node:https';

export interface KeepAliveRequest {
  method: string;
  url: string | URL;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The whole exchange: connect, send, answer and body. */
  timeoutMs: number;
}

export interface KeepAliveResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * The request failed. code: ETIMEDOUT when the deadline passed, else the socket's error code (ECONNREFUSED,
 * ECONNRESET, ENOTFOUND, …; ECONNRESET too for a body cut off). status is set when the answer's head had
 * arrived (the failure was in the body), so a caller can tell "no answer" from "answer cut off".
 */
export class HttpRequestError extends Error {
  override readonly name = 'HttpRequestError';

  constructor(
    message: string,
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
  }

  /** The deadline passed (or the operating system gave up connecting, which is ETIMEDOUT too). */
  get timedOut(): boolean {
    return this.code === 'ETIMEDOUT';
  }
}

/** How a client sends one request: keepAliveRequest, or an injected fetch through sendWithFetch. */
export type HttpSend = (request: KeepAliveRequest) => Promise<KeepAliveResponse>;

/**
 * The same contract over a fetch (a seam some clients keep for injection): one deadline for the
 * exchange, its failures as HttpRequestErrors with the same codes.
 */
export function sendWithFetch(fetchImpl: typeof fetch): HttpSend {
  return async (request) => {
    const signal = AbortSignal.timeout(request.timeoutMs);
    let status: number | undefined;
    try {
      const response = await fetchImpl(request.url, {
        method: request.method,
        ...(request.headers ? { headers: request.headers } : {}),
        ...(request.body === undefined ? {} : { body: request.body }),
        signal,
      });
      status = response.status;
      const text = await response.text();
      const headers: http.IncomingHttpHeaders = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) headers['set-cookie'] = cookies;
      return { status, headers, text };
    } catch (err) {
      if (signal.aborted) throw new HttpRequestError(`no answer within ${request.timeoutMs} ms`, 'ETIMEDOUT', status);
      const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
      const code = typeof cause?.code === 'string' ? cause.code : 'EIO';
      const detail = typeof cause?.message === 'string' ? `: ${cause.message}` : '';
      throw new HttpRequestError(`${(err as Error).message}${detail}`, code, status);
    }
  };
}

/** The sender a client uses: keepAliveRequest, or an injected fetch (tests, a proxy) through sendWithFetch. */
export function httpSender(fetchImpl?: typeof fetch): HttpSend {
  return fetchImpl ? sendWithFetch(fetchImpl) : keepAliveRequest;
}

/** Sockets per origin; more requests queue in the agent. */
export const MAX_SOCKETS_PER_ORIGIN = 16;
/** An idle socket is closed after this, below the usual server idle timeouts (Node 5 s, nginx 75 s). */
export const FREE_SOCKET_TIMEOUT_MS = 4000;

type Agent = http.Agent | https.Agent;
const agents = new Map<string, Agent>();

function agentFor(url: URL): Agent {
  const key = `${url.protocol}//${url.host}`;
  let agent = agents.get(key);
  if (!agent) {
    const options: http.AgentOptions = {
      keepAlive: true,
      maxSockets: MAX_SOCKETS_PER_ORIGIN,
      maxFreeSockets: MAX_SOCKETS_PER_ORIGIN,
      timeout: FREE_SOCKET_TIMEOUT_MS,
      scheduling: 'lifo',
    };
    agent = url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    agents.set(key, agent);
  }
  return agent;
}

/** Closes every pooled socket and forgets the agents (tests, shutdown); later requests make new ones. */
export function closeKeepAliveAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

/**
 * One request; resolves with any status (non-2xx included), rejects with HttpRequestError. Nothing is
 * re-sent, not even a GET on a kept socket the server had closed: the caller knows whether a retry is safe.
 */
export function keepAliveRequest(request: KeepAliveRequest): Promise<KeepAliveResponse> {
  const url = typeof request.url === 'string' ? new URL(request.url) : request.url;
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return Promise.reject(new HttpRequestError(`unsupported protocol ${url.protocol}`, 'EPROTO'));
  return once(url, request);
}

function once(url: URL, request: KeepAliveRequest): Promise<KeepAliveResponse> {
  const { timeoutMs } = request;
  return new Promise<KeepAliveResponse>((resolve, reject) => {
    let settled = false;
    let status: number | undefined;
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(url, { method: request.method, headers, agent: agentFor(url) });

    const fail = (error: HttpRequestError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new HttpRequestError(`no answer within ${timeoutMs} ms`, 'ETIMEDOUT', status)),
      timeoutMs,
    );

    req.on('error', (err: NodeJS.ErrnoException) => {
      fail(new HttpRequestError(err.message, err.code ?? 'EIO', status));
    });
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err: NodeJS.ErrnoException) => {
        fail(new HttpRequestError(`response cut off (${err.message})`, err.code ?? 'ECONNRESET', status));
      });
      res.on('end', () => {
        if (settled) return;
        if (!res.complete) {
          fail(new HttpRequestError('response cut off', 'ECONNRESET', status));
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve({ status: status ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('close', () => {
        if (!settled) fail(new HttpRequestError('response cut off', 'ECONNRESET', status));
      });
    });
    req.end(request.body);
  });
}
