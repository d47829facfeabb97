import type { IncomingMessage } from 'node:http';
import { RequestRefused } from '../../core/errors';

export interface SignedQuery {
  signature: string;
  timestamp: string;
  nonce: string;
  echostr?: string;
}

/**
 * The signed query, decoded exactly once. A raw "+" stays a "+" (querystring would make it a space);
 * WeCom percent-encodes it, and none of these values can contain a space.
 */
export function readSignedQuery(querystring: string): SignedQuery {
  const values = new Map<string, string>();
  for (const part of querystring.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    try {
      values.set(part.slice(0, eq), decodeURIComponent(part.slice(eq + 1)));
    } catch {
      throw RequestRefused.malformed('malformed query');
    }
  }
  const signature = values.get('msg_signature');
  const timestamp = values.get('timestamp');
  const nonce = values.get('nonce');
  if (!signature || !timestamp || !nonce)
    throw RequestRefused.malformed('msg_signature, timestamp and nonce are required');
  const echostr = values.get('echostr');
  return { signature, timestamp, nonce, ...(echostr !== undefined ? { echostr } : {}) };
}

/** Refuses a request whose timestamp is outside the window around our clock (stale or replayed). */
export function checkTimestamp(timestamp: string, now: Date, windowMs: number): void {
  if (!/^\d{1,12}$/.test(timestamp)) throw RequestRefused.malformed('timestamp is not a number');
  if (Math.abs(now.getTime() - Number(timestamp) * 1000) > windowMs)
    throw RequestRefused.forbidden('timestamp outside the accepted window');
}

/** The raw request body: what the JSON body parser kept, or the unread stream (XML is not parsed for us). */
export async function readRawBody(req: IncomingMessage, parsedRaw: unknown, limitBytes: number): Promise<string> {
  if (typeof parsedRaw === 'string') return parsedRaw;
  if (req.readableEnded) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw RequestRefused.tooLarge('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
