import { encrypt, getSignature } from '@wecom/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAppPayload } from '../../bot/wecom/app-payload';
import { aesKeyBytes, checkSignature, decryptPayload } from '../../bot/wecom/callback-crypto';
import { RequestRefused } from '../../core/errors';
import { readSignedQuery } from '../../bot/wecom/callback-request';

const KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const CORP = 'wx5823bf96d3bd56c7';
const secrets = { aesKey: aesKeyBytes(KEY), receiveId: CORP };
const VECTOR =
  'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';

const refused = (work: () => unknown) => {
  try {
    work();
  } catch (err) {
    return err instanceof RequestRefused;
  }
  return false;
};

describe('WeCom callback crypto', () => {
  it('decrypts the official message vector with its own checks, every XML value a string', () => {
    const xml = decryptPayload(secrets, VECTOR);
    expect(readAppPayload(xml)).toEqual({
      kind: 'text',
      msgId: '4561255354251345929',
      fromUser: 'mycreate',
      createTime: '1409659813',
      content: 'hello',
    });
    expect(() =>
      checkSignature('477715d11cdb4164915debcba66cb864d751f3e6', 'QDG6eK', '1409659813', '1372623149', VECTOR),
    ).not.toThrow();
    expect(() =>
      checkSignature('477715D11CDB4164915DEBCBA66CB864D751F3E6', 'QDG6eK', '1409659813', '1372623149', VECTOR),
    ).not.toThrow();
    expect(refused(() => checkSignature('477715d1', 'QDG6eK', '1409659813', '1372623149', VECTOR))).toBe(true);
    expect(refused(() => decryptPayload({ ...secrets, receiveId: '' }, VECTOR))).toBe(true);
  });

  it('round-trips any message and receive id sealed by the official library', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1000, unit: 'binary' }), fc.constantFrom(CORP, ''), (message, receiveId) => {
        const sealed = encrypt(KEY, message, receiveId);
        expect(decryptPayload({ ...secrets, receiveId }, sealed)).toBe(message);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses every truncation, and any other key, rather than returning garbage', () => {
    const sealed = encrypt(KEY, '<xml><Content><![CDATA[需要BRK-2026-01样品5件]]></Content></xml>', CORP);
    const bytes = Buffer.from(sealed, 'base64');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), (cut) => {
        expect(refused(() => decryptPayload(secrets, bytes.subarray(0, cut).toString('base64')))).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{43}$/), (otherKey) => {
        fc.pre(otherKey !== KEY);
        expect(refused(() => decryptPayload({ aesKey: aesKeyBytes(otherKey), receiveId: CORP }, sealed))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes the query once and keeps a raw "+" as "+"', () => {
    const signature = getSignature('t', '1', 'n', 'a+b/c=');
    expect(readSignedQuery(`msg_signature=${signature}&timestamp=1&nonce=n&echostr=a+b%2Fc%3D`)).toEqual({
      signature,
      timestamp: '1',
      nonce: 'n',
      echostr: 'a+b/c=',
    });
    expect(refused(() => readSignedQuery('timestamp=1&nonce=n'))).toBe(true);
    expect(refused(() => readSignedQuery('msg_signature=%E0%A4%A&timestamp=1&nonce=n'))).toBe(true);
  });
});
