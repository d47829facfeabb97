import { randomBytes } from 'node:crypto';
import type { Delivery } from '../../fakes/wecom/callback-driver';
import type { FakeWecom } from '../../fakes/wecom/fake-wecom';
import { chatIdOf, config } from './wecom-side';

/** How a sales person writes to the bot: @-mention in the sales group, 1:1 to the app, 1:1 to the AI bot. */
export type Channel = 'group' | 'app' | 'aibot-dm';

export interface LoadMessage {
  index: number;
  channel: Channel;
  fromUser: string;
  text: string;
  /** WeCom's message id; the inbound row's external id is derived from it. */
  msgId: string;
}

export interface SentMessage extends LoadMessage {
  startedAt: number;
  endedAt: number;
  delivery: Delivery;
}

/** Materials of the demo master data that need no lead time (any due date a month out is feasible). */
const MATERIALS = [
  'BRK-2026-01',
  'BRK-2026-02',
  'BRK-2026-03',
  'BRK-2026-04',
  'BRK-2026-05',
  'BRK-2026-06',
  'BRK-2026-07',
  'BRK-2026-09',
  'BRK-2026-10',
];
const SALES = ['ZhangSan', 'LiSi'];
/**
 * A group's news goes out through the AI bot's one-use reply windows and then its webhook robot, which
 * takes 20 messages a minute: a burst of group orders is news for minutes. One message in `groupEvery`
 * is an @-mention in the sales group; the others alternate between the two 1:1 chats.
 */
function channelOf(index: number, groupEvery: number): Channel {
  if (index % groupEvery === 0) return 'group';
  return index % 2 === 0 ? 'app' : 'aibot-dm';
}
const EAST_CHAT = chatIdOf('sales-east')!;

/** "3月5日" of a day `days` from now in China time. */
function chinaDay(days: number): string {
  const day = new Date(Date.now() + days * 86_400_000 + 8 * 3600_000);
  return `${day.getUTCMonth() + 1}月${day.getUTCDate()}日`;
}

/** `count` distinct, complete order requests, spread over the channels, materials, quantities and dates. */
export function orderRequests(count: number, groupEvery: number): LoadMessage[] {
  const tag = randomBytes(3).toString('hex');
  const numericBase = BigInt(7_300_000_000_000_000_000n) + BigInt(randomBytes(4).readUInt32BE(0)) * 100_000n;
  return Array.from({ length: count }, (_, index) => {
    const channel = channelOf(index, groupEvery);
    const material = MATERIALS[index % MATERIALS.length]!;
    const quantity = 1 + ((index * 7) % 40);
    const due = chinaDay(25 + (index % 30));
    const wordings = [
      `需要${material}样品${quantity}件,${due}前到`,
      `${material} 样品${quantity}件 ${due}前`,
      `${material} ×${quantity} ${due}前交`,
    ];
    const body = wordings[index % wordings.length]!;
    return {
      index,
      channel,
      fromUser: SALES[Math.floor(index / 3) % SALES.length]!,
      text: channel === 'group' ? `@${config.botName} ${body}` : body,
      msgId: channel === 'app' ? String(numericBase + BigInt(index)) : `CAIQdrill${tag}${index}`,
    };
  });
}

/** The inbound row's external id the WeCom adapter gives this message. */
export function externalIdOf(message: LoadMessage): string {
  return message.channel === 'app' ? `msg:${message.msgId}` : `aibot:${message.msgId}`;
}

async function deliver(fake: FakeWecom, m: LoadMessage): Promise<Delivery> {
  if (m.channel === 'app') return fake.sendAppText(m.fromUser, m.text, { msgId: m.msgId });
  const chat = m.channel === 'group' ? { chatId: EAST_CHAT } : {};
  const { delivery } = await fake.mentionAibot({ fromUser: m.fromUser, text: m.text, msgid: m.msgId, ...chat });
  return delivery;
}

/**
 * Sends the messages at about `perSecond`, never more than `concurrency` callbacks (with their retries)
 * in flight, as WeCom delivers: each one retried by the fake's driver until it is acknowledged or its
 * four attempts are spent.
 */
export class LoadRun {
  readonly sent: SentMessage[] = [];
  private inFlight = 0;
  readonly done: Promise<void>;

  constructor(
    private readonly fake: FakeWecom,
    readonly messages: LoadMessage[],
    private readonly options: { concurrency: number; perSecond: number },
  ) {
    this.done = this.run();
  }

  get acked(): number {
    return this.sent.filter((s) => s.delivery.acked).length;
  }

  get started(): number {
    return this.sent.length + this.inFlight;
  }

  get maxInFlight(): number {
    return this.peak;
  }

  private peak = 0;

  private async run() {
    const t0 = Date.now();
    const slots: Promise<void>[] = [];
    const waiting = new Set<Promise<void>>();
    for (const message of this.messages) {
      const due = t0 + (message.index * 1000) / this.options.perSecond;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      while (this.inFlight >= this.options.concurrency) await Promise.race(waiting);
      this.inFlight += 1;
      this.peak = Math.max(this.peak, this.inFlight);
      const startedAt = Date.now();
      const slot = deliver(this.fake, message).then((delivery) => {
        this.inFlight -= 1;
        this.sent.push({ ...message, startedAt, endedAt: Date.now(), delivery });
      });
      waiting.add(slot);
      void slot.finally(() => waiting.delete(slot));
      slots.push(slot);
    }
    await Promise.all(slots);
    this.sent.sort((a, b) => a.index - b.index);
  }
}

export interface TimedAttempt {
  message: SentMessage;
  /** When the attempt started (reconstructed: the driver waits `retryDelayMs` between attempts). */
  at: number;
  endedAt: number;
  status: number | 'timeout' | 'error';
}

/** Every callback attempt of the load, in time. */
export function attemptTimeline(sent: SentMessage[], retryDelayMs: number): TimedAttempt[] {
  return sent.flatMap((message) => {
    let at = message.startedAt;
    return message.delivery.attempts.map((attempt, i) => {
      if (i > 0) at += retryDelayMs;
      const timed = { message, at, endedAt: at + attempt.ms, status: attempt.status };
      at += attempt.ms;
      return timed;
    });
  });
}
