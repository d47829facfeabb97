import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appEnvelope, appTextXml, aibotEnvelope, callbackQuery, seal } from '../fakes/wecom/wire';
import { TestApp } from '../support/app';
import { EAST, WecomWorld } from '../wecom/harness';

/**
 * Generated requests at the front doors: every one must get an answer below 500 that carries no stack
 * trace, and a refused one must store nothing. FUZZ_RUNS sets how many per door (CI runs a short form;
 * `npm run fuzz` runs 5,000 per door).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
/** Generous: a run of 5,000 takes about 40 s on two cores. */
const TIMEOUT = 30_000 + RUNS * 25;
const STACK = /\n\s+at |node_modules|\.ts:\d+|\bat Object\.|TypeError|ReferenceError/;

const oddText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.constantFrom(
    "'; drop table orders; --",
    '<script>alert(1)</script>',
    '需要BRK-2026-01样品5件,3月5日前到',
    '\u0000\u0001\uFFFF\uD800',
    '𠮷𠮷𠮷 👍🏽 \u202Eevil',
    ']]></Content><MsgType>event</MsgType>',
    '{"__proto__": {"admin": true}}',
    'x'.repeat(5000),
  ),
);

/** WeCom's XML is well-formed: no characters XML forbids, and "]]>" split across two CDATA sections. */
function asWecomCdata(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replaceAll(']]>', ']]]]><![CDATA[>');
}

interface Shot {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** A genuine, signed, fresh request: it may be stored. */
  genuine: boolean;
}

describe('front door fuzz: WeCom callbacks', () => {
  let w: WecomWorld;
  let serial = 0;
  beforeAll(async () => {
    const { createTestDatabase } = await import('../support/databases');
    w = await WecomWorld.start('pglite', await createTestDatabase('pglite'));
  });
  afterAll(async () => w?.close());

  /** A callback as WeCom would send it, then maybe broken in one way. */
  const shotArb = fc
    .record({
      kind: fc.constantFrom('app', 'aibot'),
      method: fc.constantFrom<'GET' | 'POST'>('POST', 'POST', 'POST', 'GET'),
      content: oddText,
      flaw: fc.constantFrom(
        'none',
        'none',
        'signature',
        'stale',
        'future',
        'receiver',
        'truncated',
        'garbage-body',
        'no-query',
        'broken-query',
        'oversized',
        'tampered-cipher',
      ),
      contentType: fc.constantFrom(
        'text/xml',
        'application/xml',
        'application/json',
        'application/x-www-form-urlencoded',
        'text/plain',
        '',
      ),
      junk: fc.string({ maxLength: 300 }),
    })
    .map(({ kind, method, content, flaw, contentType, junk }): Shot => {
      const s = w.fake.secrets;
      const keys = kind === 'app' ? s.app : s.aibot;
      const now = Math.floor(w.clock.now().getTime() / 1000);
      const timestamp = flaw === 'stale' ? now - 3600 : flaw === 'future' ? now + 3600 : now;
      serial += 1;
      const plaintext =
        kind === 'app'
          ? appTextXml({
              corpId: s.corpId,
              agentId: s.agentId,
              fromUser: 'ZhangSan',
              createTime: now,
              content: asWecomCdata(content),
              msgId: `7${String(serial).padStart(18, '0')}`,
            })
          : JSON.stringify({
              msgid: `fuzz-${serial}`,
              aibotid: 'AIBOT',
              chatid: EAST.chatId,
              chattype: 'group',
              from: { userid: 'ZhangSan' },
              msgtype: 'text',
              text: { content },
            });
      const receiveId = flaw === 'receiver' ? 'wwSomebodyElse' : kind === 'app' ? s.corpId : '';
      const sealed = seal(plaintext, {
        token: keys.token,
        encodingAesKey: keys.encodingAesKey,
        receiveId,
        timestamp,
        ...(flaw === 'signature' ? { signature: 'f'.repeat(40) } : {}),
        ...(flaw === 'tampered-cipher' ? { ciphertext: (c: string) => `${c.slice(0, -8)}AAAAAAA=` } : {}),
      });
      const envelope =
        kind === 'app' ? appEnvelope(s.corpId, s.agentId, sealed.encrypt) : aibotEnvelope(sealed.encrypt);
      const body =
        flaw === 'truncated'
          ? envelope.slice(0, Math.floor(envelope.length / 2))
          : flaw === 'garbage-body'
            ? junk
            : flaw === 'oversized'
              ? envelope + ' '.repeat(300_000)
              : envelope;
      const query =
        flaw === 'no-query'
          ? ''
          : flaw === 'broken-query'
            ? `msg_signature=%E0%A4%A&timestamp=${junk.length}&nonce=1`
            : callbackQuery(sealed, method === 'GET');
      const path = `${kind === 'app' ? '/wecom/callback' : '/wecom/aibot/callback'}${query ? `?${query}` : ''}`;
      // A GET is URL verification: it stores nothing whatever it answers. XML labelled as JSON is refused
      // by the JSON body parser (WeCom labels the app's XML as XML).
      const genuine = method === 'POST' && flaw === 'none' && !(kind === 'app' && contentType === 'application/json');
      return {
        method,
        path,
        headers: contentType ? { 'content-type': contentType } : {},
        ...(method === 'POST' ? { body } : {}),
        genuine,
      };
    });

  it(
    `answers ${RUNS} generated callbacks below 500, without a stack trace, storing only the genuine ones`,
    async () => {
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(shotArb, async (shot) => {
          const before = await w.count('inbound_messages');
          // A fresh connection each time: a refused oversized body ends its connection, as it should.
          const headers = { ...shot.headers, connection: 'close' };
          const res = await fetch(`${w.app.url}${shot.path}`, {
            method: shot.method,
            headers,
            ...(shot.body !== undefined ? { body: shot.body } : {}),
          });
          const text = await res.text();
          expect(res.status, `${shot.method} ${shot.path.slice(0, 80)}`).toBeLessThan(500);
          expect(text).not.toMatch(STACK);
          const after = await w.count('inbound_messages');
          if (!shot.genuine) {
            expect(after, `a refused ${shot.method} stored something`).toBe(before);
            if (shot.method === 'POST') refused += res.status >= 400 ? 1 : 0;
          } else {
            expect(res.status, text).toBe(200);
            expect(after).toBe(before + 1);
          }
        }),
        { numRuns: RUNS },
      );
      expect(refused).toBeGreaterThan(RUNS / 4);
      const health = await fetch(`${w.app.url}/healthz`);
      expect(health.status).toBe(200);
      await w.app.settle();
    },
    TIMEOUT,
  );
});

describe('front door fuzz: playground API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start('pglite');
  });
  afterAll(async () => t?.close());

  const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));
  const bodyArb = fc.oneof(
    json,
    fc
      .record({
        conversationId: fc.oneof(fc.constant('sales-east'), fc.string()),
        senderId: fc.oneof(fc.constant('zhangsan'), fc.string()),
        text: oddText,
      })
      .map((v) => JSON.stringify(v)),
    fc
      .record({
        userId: fc.oneof(fc.constant('wanggong'), fc.string()),
        key: fc.oneof(fc.constantFrom('approve', 'reject', 'pause', 'done:packed'), fc.string()),
        note: oddText,
      })
      .map((v) => JSON.stringify(v)),
    fc
      .record({ advanceMinutes: fc.oneof(fc.integer({ min: -10, max: 20000 }), fc.double(), fc.string()) })
      .map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 300 }).map((s) => `{${s}`),
    fc.constant('x'.repeat(300_000)),
  );
  const shotArb = fc.record({
    path: fc.constantFrom(
      '/api/playground/messages',
      '/api/playground/cards/nope/actions',
      '/api/playground/cards/%E0%A4%A/actions',
      '/api/playground/cards/a%00b/actions',
      '/api/playground/clock',
      '/board/login',
    ),
    body: bodyArb,
    contentType: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain'),
  });

  it('stores a message carrying NUL and half a surrogate pair, cleaned, and answers it', async () => {
    const sent = await t.say('需要BRK-2026-01样品5件\u0000，3月5日前到\uD800');
    expect(sent.duplicate).toBe(false);
    await t.settle();
    expect(t.botMessages(await t.state()).at(-1)).toContain('SO-20260224-0001');
  });

  it(
    `answers ${RUNS} generated API calls below 500, without a stack trace`,
    async () => {
      await fc.assert(
        fc.asyncProperty(shotArb, async ({ path, body, contentType }) => {
          const res = await fetch(`${t.url}${path}`, {
            method: 'POST',
            headers: { 'content-type': contentType, connection: 'close' },
            body,
          });
          const text = await res.text();
          expect(res.status, `${path} ${body.slice(0, 80)}`).toBeLessThan(500);
          expect(text).not.toMatch(STACK);
        }),
        { numRuns: RUNS },
      );
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    },
    TIMEOUT,
  );
});
