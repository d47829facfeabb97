import { and, eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import { cards, outbox } from '../../db/schema';
import type { Card } from '../../cards/model';
import { renderCardMarkdown, renderWecomCard } from '../../cards/wecom';
import { type Delivery, type DeliveryRecord, deliveryRecord } from '../adapter';
import { cardData, sentCardRecords } from './card-codes';
import { taskIdOf } from './card-delivery';
import type { PassiveReplies, TapWindow } from './passive-replies';
import type { PostDelivery } from './post-delivery';

/**
 * A card for a group (the order's card in the sales chat). With the AI bot set up and a reply window of
 * the group open (an @-mention's response_url, once, 1 h), it goes in as a button_interaction template card;
 * its taps come to the AI-bot callback, and an update answering a tap goes into that tap's reply. Without a
 * window it goes in as markdown naming the chat commands that do what its buttons do.
 */
export class GroupCards {
  constructor(
    private readonly deps: {
      db: Database;
      clock: () => Date;
      log: Logger;
      posts: PostDelivery;
      passive: PassiveReplies;
      aibot: boolean;
      botName: () => string;
    },
  ) {}

  /** Answers the record of a template card, written with the outbox row's sent mark; markdown has none. */
  async send(conversationId: string, card: Card, delivery: Delivery): Promise<DeliveryRecord | undefined> {
    const { posts, clock } = this.deps;
    if (this.deps.aibot && !card.resolved && card.buttons.length > 0) {
      const taskId = taskIdOf(card.id, 0);
      const body = { msgtype: 'template_card', template_card: renderWecomCard(card, taskId) };
      // A retry may follow an attempt that went out as markdown (its answer lost): no new window for it then.
      if (await posts.throughResponseUrl(conversationId, body, delivery, undefined, delivery.attempt === 1)) {
        return deliveryRecord(sentCardRecords, {
          cardId: card.id,
          sent: { taskId, revision: 0, now: clock(), via: 'aibot' },
        });
      }
    }
    await posts.post({ conversationId }, this.markdown(card), delivery);
  }

  async update(conversationId: string, cardId: string, card: Card, delivery: Delivery): Promise<void> {
    const [row] = await this.deps.db
      .select({ platformData: cards.platformData })
      .from(cards)
      .where(eq(cards.id, cardId));
    const data = cardData(row?.platformData);
    if (data.via === 'aibot' && data.taskId && this.deps.passive.offer(cardId, renderWecomCard(card, data.taskId))) {
      return;
    }
    // Markdown cannot be edited: the new state is posted (the card's buttons, if any, as chat commands).
    await this.deps.posts.post({ conversationId }, this.markdown(card), delivery);
  }

  /**
   * What answers a tap on a group card: its update, handed over while the window is open; or, once the tap
   * is handled without one (a tap that changes nothing), the card as it stands, so a stale copy catches up.
   */
  async answerTap(window: TapWindow, handled: Promise<void>, cardId: string) {
    const first = await Promise.race([
      window.result.then((card) => ({ card })),
      handled.then(
        () => undefined,
        () => undefined,
      ),
    ]);
    if (first) return first.card;
    // Handled: an update it made is on its way to the window (or the window closes on its own).
    if (await this.updateWaiting(cardId)) return window.result;
    window.cancel();
    return this.current(cardId);
  }

  /** An update of the card is still waiting to be delivered. */
  private async updateWaiting(cardId: string): Promise<boolean> {
    const [row] = await this.deps.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        and(
          eq(outbox.status, 'pending'),
          eq(outbox.kind, 'update-card'),
          sql`${outbox.payload} ->> 'cardId' = ${cardId}`,
        ),
      )
      .limit(1);
    return row !== undefined;
  }

  /** The card as it stands, rendered for the tap's reply (only for a card the AI bot posted). */
  private async current(cardId: string) {
    const [row] = await this.deps.db
      .select({ content: cards.content, platformData: cards.platformData })
      .from(cards)
      .where(and(eq(cards.id, cardId)));
    const data = cardData(row?.platformData);
    return row && data.via === 'aibot' && data.taskId ? renderWecomCard(row.content as Card, data.taskId) : undefined;
  }

  private markdown(card: Card): string {
    return renderCardMarkdown(card, this.deps.botName());
  }
}
