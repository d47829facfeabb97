import fc from 'fast-check';
import { TOPIC_CARD, TOPIC_ROBOT } from '../fakes/dingtalk/fake-dingtalk';

/**
 * DingTalk Stream frames for the fuzz, each with what the product must do with it:
 * - `stored`: answered (once per send) and stored once, however often it is sent;
 * - `refused`: answered, so DingTalk stops resending it, and nothing stored;
 * - `ignored`: nothing stored and no CALLBACK answer (not ours to answer, or it cannot be answered).
 */
export type Outcome = 'stored' | 'refused' | 'ignored';

export interface Shot {
  /** The frames as sent on the socket (a duplicate is the same frame twice). */
  texts: string[];
  /** The messageId an answer would name, when the frame has a usable one. */
  messageId?: string;
  outcome: Outcome;
  /** What was done to the frame, for the failure message. */
  what: string;
}

/** What a shot needs from the running world: its robot code and a session webhook it may hand out. */
export interface FrameWorld {
  robotCode: string;
  sessionWebhook(chat: string): { url: string; expiresAt: number };
  now(): number;
}

const CORP_ID = 'dingfakecorp0001';
export const EAST_GROUP = 'cidEastSalesGroup0001==';
const STAFF_IDS = ['0211001', '0211002', '0212001', '0213001', '0214001', '0212000', '0210000'];

const oddText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(
    "'; drop table orders; --",
    "BRK-2026-01' or '1'='1",
    '<script>alert(1)</script><img src=x onerror=alert(1)>',
    '需要BRK-2026-01样品5件,3月5日前到',
    '\u0000\u0001\uFFFF\uD800',
    'a\uDC00b\uD83D',
    '𠮷𠮷𠮷 👍🏽 \u202Eevil',
    '{"__proto__": {"admin": true}}',
    '   ',
    'x'.repeat(5000),
    '单'.repeat(5000),
  ),
);

/** Fields a robot message may carry, from a real frame (see FakeDingtalk.say). */
function robotData(
  world: FrameWorld,
  serial: number,
  base: { text: string; staffId: string; group: string | null; webhook: boolean },
): Record<string, unknown> {
  const inGroup = base.group !== null;
  const webhook = base.webhook
    ? world.sessionWebhook(inGroup ? `group:${base.group}` : `user:${base.staffId}`)
    : undefined;
  return {
    conversationId: base.group ?? `cidDirect${base.staffId}==`,
    chatbotCorpId: CORP_ID,
    chatbotUserId: '$:LWCP_v1:$fakeRobotUser',
    msgId: `msgFuzz${serial}==`,
    senderNick: '模糊测试',
    isAdmin: false,
    senderStaffId: base.staffId,
    createAt: world.now(),
    senderCorpId: CORP_ID,
    conversationType: inGroup ? '2' : '1',
    senderId: `$:LWCP_v1:$sender${base.staffId}`,
    robotCode: world.robotCode,
    msgtype: 'text',
    text: { content: inGroup ? ` ${base.text}` : base.text },
    ...(webhook ? { sessionWebhook: webhook.url, sessionWebhookExpiredTime: webhook.expiresAt } : {}),
    ...(inGroup ? { conversationTitle: '销售群', isInAtList: true } : {}),
  };
}

function cardData(outTrackId: string, userId: string, content: unknown): Record<string, unknown> {
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  return {
    extension: '{}',
    corpId: CORP_ID,
    spaceType: 'IM_ROBOT',
    userIdType: 1,
    type: 'actionCallback',
    userId,
    content: text,
    spaceId: userId,
    outTrackId,
    value: text,
  };
}

type Mutation = { what: string; outcome: Outcome; apply: (data: Record<string, unknown>) => unknown };
const keep = (what: string, outcome: Outcome, apply: (d: Record<string, unknown>) => unknown): Mutation => ({
  what,
  outcome,
  apply,
});
const without = (d: Record<string, unknown>, ...keys: string[]) =>
  Object.fromEntries(Object.entries(d).filter(([k]) => !keys.includes(k)));

const NO_MUTATION = keep('none', 'stored', (d) => d);

const ROBOT_MUTATIONS: Mutation[] = [
  NO_MUTATION,
  NO_MUTATION,
  NO_MUTATION,
  keep('senderStaffId empty', 'stored', (d) => ({ ...d, senderStaffId: '' })),
  keep('no sender at all', 'stored', (d) => without(d, 'senderStaffId', 'senderId')),
  keep('createAt huge', 'stored', (d) => ({ ...d, createAt: 1e300 })),
  keep('sessionWebhookExpiredTime beyond any date', 'stored', (d) => ({
    ...d,
    sessionWebhook: 'http://127.0.0.1:9/robot/sendBySession?session=none',
    sessionWebhookExpiredTime: 9e15,
  })),
  keep('sessionWebhookExpiredTime 1e300', 'stored', (d) => ({
    ...d,
    sessionWebhook: 'http://127.0.0.1:9/robot/sendBySession?session=none',
    sessionWebhookExpiredTime: 1e300,
  })),
  keep('a picture, no text', 'stored', (d) => ({
    ...without(d, 'text'),
    msgtype: 'picture',
    content: { downloadCode: 'dc', pictureDownloadCode: 'pdc' },
  })),
  keep('richText of odd parts', 'stored', (d) => ({
    ...without(d, 'text'),
    msgtype: 'richText',
    content: { richText: [{ text: 1 }, null, { text: '需要' }, 'x'] },
  })),
  keep('sessionWebhookExpiredTime not a number', 'refused', (d) => ({ ...d, sessionWebhookExpiredTime: 'soon' })),
  keep('sessionWebhook not a URL', 'refused', (d) => ({
    ...d,
    sessionWebhook: 'not a url',
    sessionWebhookExpiredTime: 1,
  })),
  keep('text.content a number', 'refused', (d) => ({ ...d, text: { content: 12345 } })),
  keep('text a string', 'refused', (d) => ({ ...d, text: 'hello' })),
  keep('conversationId missing', 'refused', (d) => without(d, 'conversationId')),
  keep('conversationId empty', 'refused', (d) => ({ ...d, conversationId: '' })),
  // biome-ignore lint/correctness/noPrecisionLoss: a number too large for a double is the point of this frame
  keep('conversationId a number', 'refused', (d) => ({ ...d, conversationId: 9007199254740993 })),
  keep('msgId missing', 'refused', (d) => without(d, 'msgId')),
  keep('msgId an object', 'refused', (d) => ({ ...d, msgId: { $ne: null } })),
  keep('conversationType 3', 'refused', (d) => ({ ...d, conversationType: '3' })),
  keep('conversationType a number', 'refused', (d) => ({ ...d, conversationType: 2 })),
  keep("another robot's message", 'refused', (d) => ({ ...d, robotCode: 'dingSomeOtherRobot' })),
  keep('data an array', 'refused', (d) => [d]),
  keep('data null', 'refused', () => null),
  keep('data a number', 'refused', () => 1e308),
  keep('data a string', 'refused', () => 'hello'),
  keep('data {}', 'refused', () => ({})),
];

const CARD_MUTATIONS: Mutation[] = [
  NO_MUTATION,
  NO_MUTATION,
  keep('content missing, value kept', 'stored', (d) => without(d, 'content')),
  keep('action param not a string, actionIds kept', 'stored', (d) => ({
    ...d,
    content: JSON.stringify({ cardPrivateData: { actionIds: ['approve'], params: { action: 42 } } }),
  })),
  keep('userId empty', 'refused', (d) => ({ ...d, userId: '' })),
  keep('userId a number', 'refused', (d) => ({ ...d, userId: 211001 })),
  keep('outTrackId missing', 'refused', (d) => without(d, 'outTrackId')),
  keep('content and value missing', 'refused', (d) => without(d, 'content', 'value')),
  keep('content not JSON', 'refused', (d) => ({ ...d, content: '{"cardPrivateData": ' })),
  keep('content names no action', 'refused', (d) => ({
    ...d,
    content: JSON.stringify({ cardPrivateData: { actionIds: [], params: {} } }),
  })),
  keep('content without cardPrivateData', 'refused', (d) => ({ ...d, content: '{}' })),
  keep('actionIds a string', 'refused', (d) => ({
    ...d,
    content: JSON.stringify({ cardPrivateData: { actionIds: 'approve' } }),
  })),
  keep('content JSON null', 'refused', (d) => ({ ...d, content: 'null' })),
  keep('data an array', 'refused', (d) => [d]),
];

/** A CALLBACK frame as the gateway sends it. */
function envelope(topic: string, messageId: string, data: string) {
  return {
    type: 'CALLBACK' as string,
    headers: {
      appId: 'fuzz',
      connectionId: 'fuzz',
      contentType: 'application/json',
      messageId,
      time: String(Date.now()),
      topic,
    } as Record<string, unknown>,
    data,
  };
}
type Frame = ReturnType<typeof envelope>;

const json = (value: unknown) => JSON.stringify({ specVersion: '1.0', ...(value as object) });

/**
 * Breaks the frame around good data; what becomes of each is fixed by what the SDK and the adapter do.
 * `answerable`: the frame names a messageId that a CALLBACK answer could carry (and must not).
 * (The SDK acks an EVENT frame with its own {status} answer, which is no CALLBACK answer.)
 */
const ENVELOPE_FLAWS: Array<{
  what: string;
  outcome: Outcome;
  answerable: boolean;
  apply: (e: Frame, junk: string) => string;
}> = [
  { what: 'not JSON', outcome: 'ignored', answerable: false, apply: (_e, junk) => `{${junk}` },
  { what: 'JSON null', outcome: 'ignored', answerable: false, apply: () => 'null' },
  { what: 'JSON array', outcome: 'ignored', answerable: false, apply: (e) => JSON.stringify([e]) },
  { what: 'JSON number', outcome: 'ignored', answerable: false, apply: () => '1e999' },
  { what: 'type SYSTEM', outcome: 'ignored', answerable: true, apply: (e) => json({ ...e, type: 'SYSTEM' }) },
  {
    what: 'type SYSTEM KEEPALIVE',
    outcome: 'ignored',
    answerable: false,
    apply: (e) => json({ ...e, type: 'SYSTEM', headers: { ...e.headers, topic: 'KEEPALIVE' } }),
  },
  {
    what: 'type SYSTEM ping without data',
    outcome: 'ignored',
    answerable: false,
    apply: (e) => json({ type: 'SYSTEM', headers: { ...e.headers, topic: 'ping' } }),
  },
  { what: 'type EVENT', outcome: 'ignored', answerable: true, apply: (e) => json({ ...e, type: 'EVENT' }) },
  {
    what: 'type EVENT without headers',
    outcome: 'ignored',
    answerable: false,
    apply: (e) => json({ type: 'EVENT', data: e.data }),
  },
  {
    what: 'type callback (lower case)',
    outcome: 'ignored',
    answerable: true,
    apply: (e) => json({ ...e, type: 'callback' }),
  },
  {
    what: 'type missing',
    outcome: 'ignored',
    answerable: true,
    apply: (e) => json({ headers: e.headers, data: e.data }),
  },
  { what: 'type a number', outcome: 'ignored', answerable: true, apply: (e) => json({ ...e, type: 3 }) },
  {
    what: 'headers missing',
    outcome: 'ignored',
    answerable: false,
    apply: (e) => json({ type: 'CALLBACK', data: e.data }),
  },
  { what: 'headers a string', outcome: 'ignored', answerable: false, apply: (e) => json({ ...e, headers: 'topic' }) },
  {
    what: 'headers.topic missing',
    outcome: 'ignored',
    answerable: true,
    apply: (e) => json({ ...e, headers: without(e.headers, 'topic') }),
  },
  {
    what: 'headers.messageId missing',
    outcome: 'ignored',
    answerable: false,
    apply: (e) => json({ ...e, headers: without(e.headers, 'messageId') }),
  },
  {
    what: 'headers.messageId empty',
    outcome: 'ignored',
    answerable: false,
    apply: (e) => json({ ...e, headers: { ...e.headers, messageId: '' } }),
  },
  {
    what: 'headers.messageId a number',
    outcome: 'ignored',
    answerable: false,
    apply: (e) => json({ ...e, headers: { ...e.headers, messageId: 42 } }),
  },
  {
    what: 'unknown topic',
    outcome: 'ignored',
    answerable: true,
    apply: (e) => json({ ...e, headers: { ...e.headers, topic: '/v1.0/im/bot/messages/delegate' } }),
  },
  {
    what: 'topic "error"',
    outcome: 'ignored',
    answerable: true,
    apply: (e) => json({ ...e, headers: { ...e.headers, topic: 'error' } }),
  },
  {
    what: 'topic "__proto__"',
    outcome: 'ignored',
    answerable: true,
    apply: (e) => json({ ...e, headers: { ...e.headers, topic: '__proto__' } }),
  },
  {
    what: 'topic with a trailing space',
    outcome: 'ignored',
    answerable: true,
    apply: (e) => json({ ...e, headers: { ...e.headers, topic: `${String(e.headers.topic)} ` } }),
  },
  {
    what: 'data missing',
    outcome: 'refused',
    answerable: true,
    apply: (e) => json({ type: e.type, headers: e.headers }),
  },
  {
    what: 'data an object, not a string',
    outcome: 'refused',
    answerable: true,
    apply: (e) => json({ ...e, data: JSON.parse(e.data) as unknown }),
  },
  { what: 'data not JSON', outcome: 'refused', answerable: true, apply: (e, junk) => json({ ...e, data: `{${junk}` }) },
  {
    what: 'data 300 KB of junk',
    outcome: 'refused',
    answerable: true,
    apply: (e) => json({ ...e, data: `{"msgId": "${'x'.repeat(300_000)}` }),
  },
];

const staffArb = fc.oneof(
  fc.constantFrom(...STAFF_IDS),
  fc.string({ minLength: 1, maxLength: 20 }),
  fc.constantFrom('$:LWCP_v1:$x', '0'.repeat(64), '\u0000', '👍'),
);

/** One shot: a well-formed or broken frame, built for `world` with a serial that keeps its ids apart. */
export function shotArb(world: FrameWorld, nextSerial: () => number): fc.Arbitrary<Shot> {
  const message = fc.record({
    topic: fc.constantFrom(TOPIC_ROBOT, TOPIC_ROBOT, TOPIC_CARD),
    text: oddText,
    staffId: staffArb,
    group: fc.oneof(
      fc.constant<string | null>(EAST_GROUP),
      fc.constant<string | null>(null),
      fc.string({ minLength: 1, maxLength: 30 }),
    ),
    webhook: fc.boolean(),
    outTrackId: fc.oneof(
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.constantFrom(`ot_${'a'.repeat(30)}`, "c_'; drop table cards;--", '../../etc/passwd'),
    ),
    action: fc.oneof(
      fc.constantFrom('approve', 'reject', 'pause', 'done:packed'),
      fc.string({ minLength: 1, maxLength: 40 }),
    ),
    note: fc.option(oddText, { nil: undefined }),
    robotMutation: fc.constantFrom(...ROBOT_MUTATIONS),
    cardMutation: fc.constantFrom(...CARD_MUTATIONS),
  });
  return fc
    .record({
      message,
      frame: fc.oneof(
        { weight: 6, arbitrary: fc.constant('as-is' as const) },
        { weight: 2, arbitrary: fc.constant('twice' as const) },
        { weight: 5, arbitrary: fc.constant('flawed' as const) },
        { weight: 1, arbitrary: fc.constant('oversized' as const) },
      ),
      flaw: fc.constantFrom(...ENVELOPE_FLAWS),
      junk: fc.string({ maxLength: 200 }),
    })
    .map(({ message: m, frame, flaw, junk }): Shot => {
      const serial = nextSerial();
      const messageId = `fuzz_${serial}_${Date.now().toString(16)}`;
      const robot = m.topic === TOPIC_ROBOT;
      // 300 KB: the text of a message, or the note typed on a card.
      const big = `需要BRK-2026-01样品5件 ${'长'.repeat(100_000)}`;
      const text = frame === 'oversized' ? big : m.text;
      const note = frame === 'oversized' ? big : m.note;
      const data = robot
        ? robotData(world, serial, { text, staffId: m.staffId, group: m.group, webhook: m.webhook })
        : cardData(m.outTrackId, m.staffId, {
            cardPrivateData: {
              actionIds: [m.action],
              params: { action: m.action, ...(note !== undefined ? { note } : {}) },
            },
          });
      // A broken frame carries good data, so that only the frame's flaw decides what becomes of it.
      const mutation =
        frame === 'oversized' || frame === 'flawed' ? NO_MUTATION : robot ? m.robotMutation : m.cardMutation;
      const e = envelope(m.topic, messageId, JSON.stringify(mutation.apply(data)));
      const what = `${robot ? 'robot message' : 'card callback'}: ${mutation.what}`;
      if (frame === 'flawed') {
        return {
          texts: [flaw.apply(e, junk)],
          ...(flaw.answerable ? { messageId } : {}),
          outcome: flaw.outcome,
          what: `frame: ${flaw.what}; ${what}`,
        };
      }
      const texts = frame === 'twice' ? [json(e), json(e)] : [json(e)];
      return {
        texts,
        messageId,
        outcome: mutation.outcome,
        what: `${frame === 'oversized' ? '300 KB ' : ''}${frame === 'twice' ? 'twice: ' : ''}${what}`,
      };
    });
}
