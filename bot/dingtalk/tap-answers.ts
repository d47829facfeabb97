import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { renderDingtalkCardParams } from '../../cards/dingtalk';
import type { Card } from '../../cards/model';
import type { Effect } from '../../core/effects';
import type { InboundEvent } from '../../core/events';
import { enqueueEffects } from '../../core/outbox';
import type { Database } from '../../db/client';
import { cards, outbox } from '../../db/schema';

/** What the bot's ingest tells of a stored frame: a repeat, or the handler's run. */
interface Stored {
  duplicate: boolean;
  handled?: Promise<void>;
}

/**
 * DingTalk card taps answered in their callback. DingTalk applies an answer's card data to the tapped card
 * when it comes within 2 s, and asks for no update call meanwhile; the update a tap makes goes in its answer
 * when the handler commits it in time, else by PUT through the outbox, never both.
 */
export class TapAnswers {
  /** How long after the frame was sent the tap's handler has to commit the update its answer carries. */
  waitMs = 1200;
  /** Card taps of this process waiting for their answer, by the frame's messageId. */
  private readonly waiting = new Map<string, WaitingTap>();

  /**
   * An answer carrying a card update that leaves this process later than this after DingTalk sent the frame
   * (the claim's own limit) may reach DingTalk past its 2 s (network, a busy process) and not be applied: the
   * outbox PUTs the card's data after it as well.
   */
  sureWithinMs = 1500;

  constructor(private readonly deps: { db: Database; now: () => Date; log: Logger; wakeSender: () => void }) {}

  /**
   * After a tap's answer went out: when it carried a card update but was not written (no socket, the lease
   * lost) or written too late to be sure DingTalk applied it, the card's current data is PUT through the
   * outbox (after the answer, as DingTalk asks; the same data again changes nothing if it was applied).
   */
  async afterAnswer(args: {
    messageId: string;
    cardId: string;
    answer: object;
    written: boolean;
    arrivedAt: number;
  }): Promise<void> {
    if (!('cardData' in args.answer)) return;
    const late = Date.now() - args.arrivedAt > this.sureWithinMs;
    if (args.written && !late) return;
    try {
      const [card] = await this.deps.db.select({ content: cards.content }).from(cards).where(eq(cards.id, args.cardId));
      if (!card) return;
      const effect: Effect = { kind: 'update-card', cardId: args.cardId, card: card.content as Card };
      await this.deps.db.transaction((tx) =>
        enqueueEffects(tx, [{ effect, key: `tap-answer-unsure:${args.messageId}` }], {
          platform: 'dingtalk',
          now: this.deps.now(),
        }),
      );
      this.deps.wakeSender();
      this.deps.log.info(
        { messageId: args.messageId, cardId: args.cardId, written: args.written, ms: Date.now() - args.arrivedAt },
        "a tap answer may have missed DingTalk's 2 s: the card update is PUT as well",
      );
    } catch (err) {
      this.deps.log.error({ err, messageId: args.messageId }, 'could not queue the PUT after an unsure tap answer');
    }
  }

  /**
   * The answer to a card tap, sent after its inbound row is committed. DingTalk applies an answer's card data
   * to the tapped card if it comes within 2 s, and asks for no update call meanwhile: so the handler gets until
   * `waitMs` after the frame was sent, and if it committed an update of the tapped card for this
   * tap, that update goes in the answer, never by PUT: taken from the outbox (marked sent while still pending),
   * or, when an outbox sender got to it first, handed over by `deliver` while the tap still waits. Otherwise
   * the answer is empty and the outbox PUTs the update. Other copies of the card always go by PUT.
   */
  async answer(
    messageId: string,
    event: InboundEvent,
    stored: Stored,
    arrivedAt: number,
    tap: WaitingTap | undefined,
  ): Promise<object> {
    const answer = await this.compose(messageId, event, stored, arrivedAt, tap);
    // Closed first, so no sender can hand an update over any more: one handed over while the answer was
    // being composed (its sender counts it delivered) goes in the answer.
    tap?.close();
    return tap?.card && !('cardData' in answer) ? callbackAnswer(tap.card) : answer;
  }

  private async compose(
    messageId: string,
    event: InboundEvent,
    stored: Stored,
    arrivedAt: number,
    tap: WaitingTap | undefined,
  ): Promise<object> {
    if (event.kind !== 'card-action') return {};
    const left = (ms: number) => arrivedAt + ms - Date.now();
    try {
      // A repeat of a tap answered with its update before: that answer may be what was lost, so give it again.
      if (stored.duplicate) {
        const card = await cardAnsweredBefore(this.deps.db, messageId);
        return card ? callbackAnswer(card) : {};
      }
      if (!tap || !stored.handled) return {};
      const handled = stored.handled.then(() => true);
      await within(Promise.race([tap.handed, handled]), left(this.waitMs));
      if (tap.card) return callbackAnswer(tap.card);
      if (!(await within(handled, 0))) return {};
      const claimed = await claimCallbackUpdate(this.deps.db, {
        messageId,
        cardId: event.cardId,
        now: this.deps.now(),
      });
      if (tap.card) return callbackAnswer(tap.card);
      if (claimed) {
        tap.close();
        if (left(this.waitMs + CLAIM_GRACE_MS) < 0) {
          // Claimed, but the answer could now reach DingTalk after its 2 s: the outbox PUTs the update instead.
          await releaseCallbackUpdate(this.deps.db, { messageId, cardId: event.cardId });
          return {};
        }
        return callbackAnswer(claimed);
      }
      // No update of the tapped card for this tap is waiting: nothing to answer with (a refused tap, say).
      if (!(await updateInFlight(this.deps.db, { messageId, cardId: event.cardId }))) return {};
      // An outbox sender is delivering it: it hands the card over while the tap still waits.
      const handed = await within(tap.handed, left(this.waitMs + CLAIM_GRACE_MS));
      return handed ? callbackAnswer(handed) : {};
    } catch (err) {
      this.deps.log.warn(
        { err, messageId },
        'could not put the card update in the callback answer; the outbox sends it',
      );
      return {};
    }
  }

  /** Starts waiting for a tap's update (one wait per frame; a repeat arriving meanwhile gets none). */
  open(messageId: string, cardId: string): WaitingTap | undefined {
    if (this.waiting.has(messageId)) return undefined;
    let resolve: (card: Card) => void = () => {};
    const tap: WaitingTap = {
      cardId,
      handed: new Promise<Card>((r) => {
        resolve = r;
      }),
      take: (card) => {
        tap.card = card;
        resolve(card);
      },
      close: () => {
        if (this.waiting.get(messageId) === tap) this.waiting.delete(messageId);
      },
    };
    this.waiting.set(messageId, tap);
    return tap;
  }

  /** An update of a tapped card that the tap is still waiting for goes in its answer: true if handed over. */
  handOver(effect: Extract<Effect, { kind: 'update-card' }>): boolean {
    const tap = effect.callbackRef ? this.waiting.get(effect.callbackRef) : undefined;
    if (!tap || tap.cardId !== effect.cardId) return false;
    tap.close();
    tap.take(effect.card);
    this.deps.log.debug({ cardId: effect.cardId }, 'DingTalk card update handed to the waiting tap');
    return true;
  }
}

/** How much longer than the wait the claim may take before its answer is given up (DingTalk's limit is 2 s). */
const CLAIM_GRACE_MS = 300;

/**
 * When DingTalk sent a frame, as far as this process can tell: the frame's `time` header (ms epoch) when it
 * is earlier than now by less than 10 s (a frame that waited in this process's queue has less of its 2 s
 * left), else now (a clock ahead of ours, or a header that cannot be read, is not trusted).
 */
export function sentAt(time: unknown): number {
  const now = Date.now();
  const sent = Number(time);
  return Number.isFinite(sent) && sent <= now && now - sent < 10_000 ? sent : now;
}

/** A card tap waiting for the update it made, to answer with it. */
export interface WaitingTap {
  cardId: string;
  /** Set (and `handed` settled) when an outbox sender hands the update over. */
  card?: Card;
  handed: Promise<Card>;
  take(card: Card): void;
  /** Stops taking updates: from then on they go by PUT. */
  close(): void;
}

/** What `work` settles to if it does within `ms` (0: only if it has already), else undefined. */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The note on an outbox row whose card update went out in the answer to the tap's callback, not by PUT. */
const ANSWERED_IN_CALLBACK = 'answered in the callback';

/** A card callback's answer that sets the card's public data to `card` (only the keys given). */
function callbackAnswer(card: Card) {
  return {
    cardData: { cardParamMap: renderDingtalkCardParams(card) },
    userPrivateData: { cardParamMap: {} },
    cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
  };
}

/**
 * Takes the update of the tapped card that this tap made (its callbackRef is the frame's messageId), so that
 * the callback's answer carries it: marked sent in the one statement that checks it is still pending and no
 * outbox sender holds it, so it is never PUT as well. None when a sender has it already, or when an older
 * update of the same card is still waiting (answering past it would be undone by that one's PUT).
 */
async function claimCallbackUpdate(
  db: Database,
  args: { messageId: string; cardId: string; now: Date },
): Promise<Card | undefined> {
  const { messageId, cardId, now } = args;
  const rows = await db
    .update(outbox)
    .set({ status: 'sent', sentAt: now, lockedUntil: null, lastError: ANSWERED_IN_CALLBACK })
    .where(
      and(
        eq(outbox.platform, 'dingtalk'),
        eq(outbox.kind, 'update-card'),
        eq(outbox.status, 'pending'),
        or(isNull(outbox.lockedUntil), lt(outbox.lockedUntil, now)),
        sql`${outbox.payload}->>'callbackRef' = ${messageId}`,
        sql`${outbox.payload}->>'cardId' = ${cardId}`,
        sql`not exists (select 1 from outbox as older where older.kind = 'update-card' and older.status = 'pending'
          and older.payload->>'cardId' = ${cardId} and older.id < "outbox"."id")`,
      ),
    )
    .returning({ id: outbox.id, payload: outbox.payload });
  const newest = rows.sort((a, b) => b.id - a.id)[0];
  return (newest?.payload as { card?: Card } | undefined)?.card;
}

/**
 * Gives a claimed update back to the outbox (to be PUT) when the answer that was to carry it is too late to
 * count: marked sent only by the claim, so no sender can have taken it meanwhile.
 */
async function releaseCallbackUpdate(db: Database, args: { messageId: string; cardId: string }): Promise<void> {
  await db
    .update(outbox)
    .set({ status: 'pending', sentAt: null, lastError: null })
    .where(
      and(
        eq(outbox.platform, 'dingtalk'),
        eq(outbox.kind, 'update-card'),
        eq(outbox.lastError, ANSWERED_IN_CALLBACK),
        sql`${outbox.payload}->>'callbackRef' = ${args.messageId}`,
        sql`${outbox.payload}->>'cardId' = ${args.cardId}`,
      ),
    );
}

/**
 * A callback frame sent again after its tap's update of the card went out (the answer may have been lost):
 * the card as it stands now, to answer the repeat with; answering the current data again changes nothing
 * that was delivered. None while that update is not sent yet (the outbox sends it).
 */
async function cardAnsweredBefore(db: Database, messageId: string): Promise<Card | undefined> {
  const [row] = await db
    .select({ content: cards.content })
    .from(outbox)
    .innerJoin(cards, sql`${cards.id} = ${outbox.payload}->>'cardId'`)
    .where(
      and(
        eq(outbox.platform, 'dingtalk'),
        eq(outbox.kind, 'update-card'),
        eq(outbox.status, 'sent'),
        sql`${outbox.payload}->>'callbackRef' = ${messageId}`,
      ),
    )
    .orderBy(desc(outbox.id))
    .limit(1);
  return row?.content as Card | undefined;
}

/** Whether an update of the tapped card made by this tap is still pending (an outbox sender holds it). */
async function updateInFlight(db: Database, args: { messageId: string; cardId: string }): Promise<boolean> {
  const [row] = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.platform, 'dingtalk'),
        eq(outbox.kind, 'update-card'),
        eq(outbox.status, 'pending'),
        sql`${outbox.payload}->>'callbackRef' = ${args.messageId}`,
        sql`${outbox.payload}->>'cardId' = ${args.cardId}`,
      ),
    )
    .limit(1);
  return row !== undefined;
}
