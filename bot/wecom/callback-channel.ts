import type { IncomingMessage } from 'node:http';
import { checkSignature, decryptPayload } from './callback-crypto';
import { RequestRefused } from '../../core/errors';
import { checkTimestamp, readRawBody, readSignedQuery } from './callback-request';
import type { CallbackSecrets } from './settings';

const BODY_LIMIT = 64 * 1024;

/** One callback URL (the app's XML one or the AI bot's JSON one): verification and decryption. */
export interface CallbackChannel {
  secrets: CallbackSecrets;
  /** The ciphertext inside the request body (XML <Encrypt> or JSON "encrypt"). */
  encryptedPart(body: string): string;
}

/** GET: the decrypted echostr, to be answered exactly. */
export function openEcho(channel: CallbackChannel, querystring: string, now: Date, windowMs: number): string {
  const query = readSignedQuery(querystring);
  if (query.echostr === undefined) throw RequestRefused.malformed('echostr is required');
  return open(channel, query, query.echostr, now, windowMs);
}

/** POST: the decrypted payload; signature first, then the clock, then the ciphertext and the receiver. */
export async function openPost(
  channel: CallbackChannel,
  request: { querystring: string; req: IncomingMessage; rawBody: unknown },
  now: Date,
  windowMs: number,
): Promise<string> {
  const query = readSignedQuery(request.querystring);
  const body = await readRawBody(request.req, request.rawBody, BODY_LIMIT);
  return open(channel, query, channel.encryptedPart(body), now, windowMs);
}

function open(
  channel: CallbackChannel,
  query: ReturnType<typeof readSignedQuery>,
  encrypt: string,
  now: Date,
  windowMs: number,
): string {
  checkSignature(query.signature, channel.secrets.token, query.timestamp, query.nonce, encrypt);
  checkTimestamp(query.timestamp, now, windowMs);
  return decryptPayload(channel.secrets, encrypt);
}
