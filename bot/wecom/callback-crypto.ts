import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { RequestRefused } from '../../core/errors';

/** EncodingAESKey (43 characters) → the 32-byte AES key. */
export function aesKeyBytes(encodingAesKey: string, name = 'EncodingAESKey'): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) throw new Error(`WeCom: ${name} must be 43 letters and digits`);
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new Error(`WeCom: ${name} does not decode to 32 bytes`);
  return key;
}

/** SHA1 hex over the sorted [token, timestamp, nonce, encrypt], as WeCom signs callbacks. */
export function callbackSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
}

export function checkSignature(given: string, token: string, timestamp: string, nonce: string, encrypt: string): void {
  const expected = Buffer.from(callbackSignature(token, timestamp, nonce, encrypt), 'utf8');
  const actual = Buffer.from(given.toLowerCase(), 'utf8');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    throw RequestRefused.forbidden('signature mismatch');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})+$|^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$/;
const BLOCK = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decrypts `random(16) ‖ msg_len(4, BE) ‖ msg ‖ receiveid` (AES-256-CBC, IV = key[0..16], PKCS#7 to
 * 32-byte blocks) and checks every length, the padding and the receiver, which the official
 * libraries leave unchecked.
 */
export function decryptPayload(secrets: { aesKey: Buffer; receiveId: string }, encrypt: string): string {
  if (!BASE64.test(encrypt)) throw RequestRefused.malformed('ciphertext is not base64');
  const cipherBytes = Buffer.from(encrypt, 'base64');
  if (cipherBytes.length < BLOCK || cipherBytes.length % BLOCK !== 0)
    throw RequestRefused.malformed('ciphertext length is not a multiple of 32');
  const decipher = createDecipheriv('aes-256-cbc', secrets.aesKey, secrets.aesKey.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(cipherBytes), decipher.final()]);
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > BLOCK || !plain.subarray(plain.length - pad).every((b) => b === pad)) {
    throw RequestRefused.malformed('bad padding (wrong key?)');
  }
  const content = plain.subarray(0, plain.length - pad);
  if (content.length < 20) throw RequestRefused.malformed('plaintext too short');
  const msgLength = content.readUInt32BE(16);
  if (20 + msgLength > content.length) throw RequestRefused.malformed('message length exceeds the plaintext');
  let message: string;
  let receiveId: string;
  try {
    message = utf8.decode(content.subarray(20, 20 + msgLength));
    receiveId = utf8.decode(content.subarray(20 + msgLength));
  } catch {
    throw RequestRefused.malformed('plaintext is not UTF-8 (wrong key?)');
  }
  if (receiveId !== secrets.receiveId) throw RequestRefused.forbidden('receive id mismatch');
  return message;
}

/** Encrypts a reply the way WeCom's callbacks are encrypted (the inverse of `decryptPayload`). */
export function encryptPayload(secrets: { aesKey: Buffer; receiveId: string }, message: string): string {
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(secrets.receiveId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const cipher = createCipheriv('aes-256-cbc', secrets.aesKey, secrets.aesKey.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString(
    'base64',
  );
}
