import type { EffectCount } from './effects';
import type { InboundRow, OutboxRow } from './ledger';
import { externalIdOf, type SentMessage, type TimedAttempt } from './load';

export interface MessageTally {
  sent: number;
  acked: number;
  /** Never acknowledged in four attempts: WeCom gives up on these (the platform's loss unless we stored it). */
  unacked: SentMessage[];
  /** Unacknowledged, but stored anyway (the 200 was lost on the way back): handled like any other. */
  unackedStored: number;
  /** Acknowledged with a 200 but no inbound row: a message we said we had and did not keep. */
  ackedNotStored: SentMessage[];
  /** Acknowledged (or stored), but no order came of it. */
  noOrder: SentMessage[];
  /** Became more than one order. */
  manyOrders: Array<{ message: SentMessage; orders: number }>;
  orders: number;
  inboundFailed: InboundRow[];
  inboundLeft: number;
}

/** Joins what WeCom was told (200 or not) with what the database holds, message by message. */
export function tallyMessages(
  sent: SentMessage[],
  inbound: InboundRow[],
  ordersByMessage: Map<string, number>,
  orders: number,
): MessageTally {
  const rows = new Map(inbound.map((r) => [r.externalId, r]));
  const tally: MessageTally = {
    sent: sent.length,
    acked: 0,
    unacked: [],
    unackedStored: 0,
    ackedNotStored: [],
    noOrder: [],
    manyOrders: [],
    orders,
    inboundFailed: inbound.filter((r) => r.status === 'failed'),
    inboundLeft: inbound.filter((r) => r.status === 'received').length,
  };
  for (const message of sent) {
    const stored = rows.has(externalIdOf(message));
    const n = ordersByMessage.get(message.msgId) ?? 0;
    if (message.delivery.acked) tally.acked += 1;
    else if (stored) tally.unackedStored += 1;
    else tally.unacked.push(message);
    if (message.delivery.acked && !stored) tally.ackedNotStored.push(message);
    if ((message.delivery.acked || stored) && n === 0) tally.noOrder.push(message);
    if (n > 1) tally.manyOrders.push({ message, orders: n });
  }
  return tally;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** The drill's result: numbers for people, checks for the exit code. */
export class Report {
  readonly checks: Check[] = [];
  private readonly lines: string[] = [];

  constructor(readonly title: string) {}

  line(text: string): void {
    this.lines.push(text);
  }

  check(name: string, ok: boolean, detail = ''): void {
    this.checks.push({ name, ok, detail });
  }

  /**
   * The checks every drill makes once the system is quiet. A webhook robot takes no idempotency key, so a
   * post delivered just before a kill -9, and not yet marked sent, goes out again: `webhookRepeatsAllowed`
   * bounds those (by the deliveries that can be in flight at once); every other repeat fails.
   */
  standardChecks(t: MessageTally, outbox: OutboxRow[], effects: EffectCount, webhookRepeatsAllowed = 0): void {
    const sample = (list: SentMessage[]) =>
      list
        .slice(0, 5)
        .map((m) => `#${m.index} ${m.channel} ${m.msgId}`)
        .join(', ');
    this.check(
      'every 200 has its inbound row',
      t.ackedNotStored.length === 0,
      `${t.ackedNotStored.length} acked but not stored ${sample(t.ackedNotStored)}`,
    );
    this.check(
      'every acked (or stored) message became an order',
      t.noOrder.length === 0,
      `${t.noOrder.length} without an order ${sample(t.noOrder)}`,
    );
    this.check(
      'no message became two orders',
      t.manyOrders.length === 0,
      `${t.manyOrders.length} with several orders ${t.manyOrders
        .slice(0, 5)
        .map((m) => `#${m.message.index}×${m.orders}`)
        .join(', ')}`,
    );
    this.check(
      'no inbound row failed or left unhandled',
      t.inboundFailed.length === 0 && t.inboundLeft === 0,
      `${t.inboundFailed.length} failed${t.inboundFailed[0] ? ` (${t.inboundFailed[0].error})` : ''}, ${t.inboundLeft} still received`,
    );
    const notSent = outbox.filter((r) => r.status !== 'sent');
    this.check(
      'every outbox row is sent',
      notSent.length === 0,
      `${notSent.length} not sent ${notSent
        .slice(0, 5)
        .map((r) => `${r.id}:${r.status}:${r.lastError ?? ''}`)
        .join('; ')}`,
    );
    this.check(
      'every delivered effect reached WeCom',
      effects.missing.length === 0,
      `${effects.missing.length} missing ${effects.missing
        .slice(0, 5)
        .map((m) => m.key)
        .join(', ')}`,
    );
    const repeats = (list: EffectCount['duplicated']) =>
      `${list.length} duplicated ${list
        .slice(0, 5)
        .map((d) => `${d.key}×${d.times}`)
        .join(', ')}`;
    const [webhook, other] = [
      effects.duplicated.filter((d) => d.webhook),
      effects.duplicated.filter((d) => !d.webhook),
    ];
    this.check('no effect seen twice by a member where WeCom can tell a repeat', other.length === 0, repeats(other));
    this.check(
      `webhook robot repeats (no idempotency key) at most ${webhookRepeatsAllowed}`,
      webhook.length <= webhookRepeatsAllowed,
      repeats(webhook),
    );
  }

  tallyLines(t: MessageTally, outbox: OutboxRow[], effects: EffectCount): void {
    this.line(
      `messages: ${t.sent} sent, ${t.acked} acked (200), ${t.unackedStored} stored though the 200 was lost, ${t.unacked.length} never acked nor stored (WeCom's loss)`,
    );
    this.line(
      `orders: ${t.orders} (${t.noOrder.length} acked or stored messages without an order, ${t.manyOrders.length} messages with several)`,
    );
    const sent = outbox.filter((r) => r.status === 'sent').length;
    this.line(
      `effects: ${outbox.length} outbox rows, ${sent} sent; at WeCom ${effects.once} seen once, ${effects.missing.length} missing, ${effects.duplicated.length} seen twice or more, ${effects.unchecked} not traced`,
    );
    this.line(
      `platform dedupe (not seen by users): ${effects.platformDeduped} repeated message/send texts dropped by enable_duplicate_check, ${effects.repeatedTaskIds} cards refused as a known task_id (42014)`,
    );
    this.line(
      `WeCom API requests: ${Object.entries(effects.requests)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }

  /** Prints the summary and returns the exit code: 0 only when every check passed. */
  finish(): number {
    const failed = this.checks.filter((c) => !c.ok);
    const out = [
      `== ${this.title} ==`,
      ...this.lines,
      ...this.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.ok ? '' : `: ${c.detail}`}`),
    ];
    out.push(`checks: ${this.checks.length - failed.length} passed, ${failed.length} failed`);
    process.stdout.write(`${out.join('\n')}\n`);
    return failed.length === 0 ? 0 : 1;
  }
}

/**
 * Messages never acknowledged, split by whose loss they are: WeCom's when every one of its four
 * attempts met the bot down (WeCom gives up on it), ours when an attempt reached a bot that was up.
 */
export function splitLosses(
  unacked: SentMessage[],
  attempts: TimedAttempt[],
  down: (at: number) => boolean,
): { platform: SentMessage[]; ours: SentMessage[] } {
  const platform = unacked.filter((m) => attempts.filter((a) => a.message === m).every((a) => down(a.at)));
  return { platform, ours: unacked.filter((m) => !platform.includes(m)) };
}
