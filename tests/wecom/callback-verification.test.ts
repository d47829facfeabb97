import { afterEach, describe, expect, it } from 'vitest';
import { inboundMessages } from '../../db/schema';
import { TestClock } from '../support/clock';
import { backends, useTestDatabase } from '../support/databases';
import { appTextXml } from '../fakes/wecom/wire';
import { EAST, WecomWorld } from './harness';

/** Tencent's WXBizMsgCrypt sample vectors (protocol notes §3). */
const VECTOR = {
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
  agentId: 218,
  url: {
    signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
    timestamp: '1409659589',
    nonce: '263014780',
    echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    reply: '1616140317555161061',
  },
  message: {
    signature: '477715d11cdb4164915debcba66cb864d751f3e6',
    timestamp: '1409659813',
    nonce: '1372623149',
    encrypt:
      'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
  },
};

const query = (v: { signature: string; timestamp: string; nonce: string }) =>
  `msg_signature=${v.signature}&timestamp=${v.timestamp}&nonce=${v.nonce}`;

describe.each(backends)('WeCom callback verification on %s', (backend) => {
  const database = useTestDatabase(backend);
  let w: WecomWorld;
  afterEach(async () => {
    await w.close();
  });

  async function startOfficial() {
    const clock = new TestClock(new Date(Number(VECTOR.message.timestamp) * 1000).toISOString());
    w = await WecomWorld.start(backend, database(), {
      clock,
      fake: {
        corpId: VECTOR.corpId,
        agentId: VECTOR.agentId,
        app: { token: VECTOR.token, encodingAesKey: VECTOR.encodingAesKey },
        users: ['mycreate'],
      },
    });
  }

  async function nothingStored() {
    expect(await w.count('inbound_messages')).toBe(0);
    expect(await w.count('outbox')).toBe(0);
    expect(await w.count('reply_windows')).toBe(0);
    expect(w.fake.requests).toEqual([]);
  }

  it('answers the official URL-verification vector with the decrypted echostr, exactly, every time it is asked', async () => {
    await startOfficial();
    const { url } = VECTOR;
    for (let i = 0; i < 3; i++) {
      const res = await w.fake.callbacks.raw('app', 'GET', `${query(url)}&echostr=${encodeURIComponent(url.echostr)}`);
      expect(res).toMatchObject({ status: 200, body: url.reply });
    }
    // A raw "+" (not percent-encoded) is still a "+", not a space.
    const raw = await w.fake.callbacks.raw('app', 'GET', `${query(url)}&echostr=${url.echostr.replace(/=/g, '%3D')}`);
    expect(raw).toMatchObject({ status: 200, body: url.reply });
    await nothingStored();
  });

  it('takes the official message vector: "hello" from mycreate, MsgId kept as a string, answered 1:1 through the app', async () => {
    await startOfficial();
    const { message } = VECTOR;
    const body = `<xml><ToUserName><![CDATA[${VECTOR.corpId}]]></ToUserName><Encrypt><![CDATA[${message.encrypt}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`;
    const res = await w.fake.callbacks.raw('app', 'POST', query(message), body);
    expect(res).toMatchObject({ status: 200, body: '' });
    const [row] = await w.db.select().from(inboundMessages);
    expect(row).toMatchObject({ platform: 'wecom', externalId: 'msg:4561255354251345929', kind: 'message' });
    expect(row!.payload).toMatchObject({
      text: 'hello',
      messageId: '4561255354251345929',
      senderId: 'wecom:mycreate',
      senderName: 'mycreate',
      conversationId: 'dm:wecom:mycreate',
      addressedToBot: true,
    });
    const help = await w.waitFor(() => w.fake.textsOf('mycreate')[0], 'the help text to mycreate');
    expect(help).toContain("Hi, I'm 订单助手");
    const send = w.fake.calls('message/send')[0]!;
    expect(send.body).toMatchObject({
      touser: 'mycreate',
      msgtype: 'markdown',
      agentid: 218,
      enable_duplicate_check: 1,
    });
  });

  it('verifies both callback URLs with random echostrs full of + / =, and the AI bot only with an empty receive id', async () => {
    w = await WecomWorld.start(backend, database());
    for (const kind of ['app', 'aibot'] as const) {
      for (let i = 0; i < 5; i++) {
        const echo = `${'+/='.repeat(i)}${Math.random().toString(36).slice(2)}中文`;
        expect(await w.fake.callbacks.verifyUrl(kind, echo)).toMatchObject({ status: 200, body: echo });
      }
    }
    const corpIdForBot = await w.fake.callbacks.verifyUrl('aibot', 'x', { receiveId: w.fake.secrets.corpId });
    expect(corpIdForBot.status).toBe(403);
    const emptyForApp = await w.fake.callbacks.verifyUrl('app', 'x', { receiveId: '' });
    expect(emptyForApp.status).toBe(403);
    await nothingStored();
  });

  it('refuses tampered, misaddressed, malformed, stale and replayed requests with a 4xx and stores nothing', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake, clock } = w;
    const xml = appTextXml({
      corpId: fake.secrets.corpId,
      agentId: fake.secrets.agentId,
      fromUser: 'ZhangSan',
      createTime: 1,
      content: 'BRK-2026-01 5件 3月5日前',
      msgId: '9007199254740993',
    });
    const bot = JSON.stringify({
      msgid: 'm1',
      chatid: EAST.chatId,
      chattype: 'group',
      from: { userid: 'ZhangSan' },
      msgtype: 'text',
      text: { content: '@订单助手 BRK-2026-01 5件 3月5日前' },
    });
    const otherKey = 'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7Mm6Ll'.slice(0, 43);
    const cases = {
      'bad signature': fake.callbacks.prepare('app', xml, { signature: 'a'.repeat(40) }),
      'signature of another token': fake.callbacks.prepare('app', xml, { token: 'not-the-token' }),
      'wrong receive id': fake.callbacks.prepare('app', xml, { receiveId: 'wwSomeOtherCorp' }),
      'AI bot payload sealed for a corp id': fake.callbacks.prepare('aibot', bot, { receiveId: fake.secrets.corpId }),
      'wrong key': fake.callbacks.prepare('app', xml, { encodingAesKey: otherKey }),
      'truncated ciphertext': fake.callbacks.prepare('app', xml, { ciphertext: (c) => c.slice(0, -8) }),
      'ciphertext cut to a block boundary': fake.callbacks.prepare('app', xml, {
        ciphertext: (c) => Buffer.from(c, 'base64').subarray(0, 32).toString('base64'),
      }),
      'not base64': fake.callbacks.prepare('app', xml, { ciphertext: (c) => `${c.slice(0, -4)}!!!!` }),
      'stale timestamp': fake.callbacks.prepare('app', xml, {
        timestamp: Math.floor(clock.now().getTime() / 1000) - 600,
      }),
      'timestamp from the future': fake.callbacks.prepare('app', xml, {
        timestamp: Math.floor(clock.now().getTime() / 1000) + 600,
      }),
    };
    const statuses: Record<string, unknown> = {};
    for (const [what, prepared] of Object.entries(cases)) statuses[what] = (await fake.callbacks.post(prepared)).status;
    const not4xx = Object.entries(statuses).filter(
      ([, status]) => !(typeof status === 'number' && status >= 400 && status < 500),
    );
    expect(not4xx).toEqual([]);
    expect(statuses).toMatchObject({
      'bad signature': 403,
      'wrong receive id': 403,
      'truncated ciphertext': 400,
      'stale timestamp': 403,
    });
    const noQuery = await fake.callbacks.raw('app', 'POST', '', cases['bad signature'].body);
    expect(noQuery.status).toBe(400);
    const noEncrypt = await fake.callbacks.raw(
      'app',
      'POST',
      cases['bad signature'].query,
      '<xml><ToUserName>x</ToUserName></xml>',
    );
    expect(noEncrypt.status).toBe(400);

    // A captured request replayed after the window.
    const captured = fake.callbacks.prepare('app', xml);
    clock.advance(10 * 60_000);
    expect((await fake.callbacks.post(captured)).status).toBe(403);
    await nothingStored();
  });

  it('acks an accepted message with an empty 200 once its row is committed, and a replay within the window changes nothing', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    const xml = appTextXml({
      corpId: fake.secrets.corpId,
      agentId: fake.secrets.agentId,
      fromUser: 'ZhangSan',
      createTime: 1,
      content: '007',
      msgId: '9007199254740993',
    });
    const prepared = fake.callbacks.prepare('app', xml);
    const first = await fake.callbacks.post(prepared);
    expect(first).toMatchObject({ status: 200, body: '' });
    expect(first.ms).toBeLessThan(1000);
    const [row] = await w.db.select().from(inboundMessages);
    // 2^53 + 1 and "007" survive: every XML value is read as a string.
    expect(row).toMatchObject({ externalId: 'msg:9007199254740993' });
    expect(row!.payload).toMatchObject({
      text: '007',
      messageId: '9007199254740993',
      senderId: 'zhangsan',
      conversationId: 'dm:zhangsan',
    });
    w.clock.advance(30_000);
    expect(await fake.callbacks.post(prepared)).toMatchObject({ status: 200, body: '' });
    expect(await w.count('inbound_messages')).toBe(1);
  });

  it('reads callbacks whatever their Content-Type, and keeps a numeric AI-bot msgid whole', async () => {
    w = await WecomWorld.start(backend, database(), {
      fake: { callbacks: { contentType: { app: null, aibot: 'text/plain' } } },
    });
    const { fake } = w;
    expect((await fake.sendAppText('LiSi', '你好')).attempts[0]).toMatchObject({ status: 200, body: '' });
    const json = `{"msgid": 12345678901234567890, "chattype": "single", "from": {"userid": "LiSi"}, "msgtype": "text", "text": {"content": "你好"}}`;
    expect(await fake.callbacks.post(fake.callbacks.prepare('aibot', json))).toMatchObject({ status: 200, body: '' });
    const ids = (await w.db.select({ id: inboundMessages.externalId }).from(inboundMessages)).map((r) => r.id);
    expect(ids).toContain('aibot:12345678901234567890');
  });
});
