import { eq, inArray, sql } from 'drizzle-orm';
import DataLoader from 'dataloader';
import { renderDingtalkActionCard, renderDingtalkCardParams } from '../../cards/dingtalk';
import type { Card } from '../../cards/model';
import { anyOfList, type Database } from '../../db/client';
import { cards } from '../../db/schema';
import type { Destination } from '../../core/effects';
import { DeliveryError } from '../../core/errors';
import { texts } from '../../texts';
import { type DeliveryRecord, deliveryRecord, type RecordWriter } from '../adapter';
import { deliveryErrorFor, isDuplicateOutTrackId, isTransientDeliveryError, templateProblem } from './api-errors';
import type { DingtalkTarget } from './directory';
import type { MessageSender } from './messages';
import type { DingtalkOpenApi } from './openapi';
import type { DingtalkSettings } from './settings';

/** What the adapter keeps in cards.platform_data about a card it sent. */
interface SentCard {
  mode: 'template' | 'actionCard';
  openSpaceId?: string;
  /** Where an ActionCard fallback went, to tell the recipient when its state changes. */
  to?: Destination;
  deliveredAt: string;
}

/** A card instance DingTalk created whose delivery to its space failed: retried through the deliver call. */
type UndeliveredCard = {
  mode: 'template';
  openSpaceId: string;
  created: true;
  deliveredAt?: undefined;
};

/** How many delivered cards' states a process keeps (a few hundred bytes each). */
const DELIVERED_KEPT = 10_000;

/** Tells the ops conversation once per key (the outbox's idempotency key, so once in the database). */
export type ReportToOps = (key: string, text: string) => Promise<void>;

/** Ops are told in the plant's language (OPS_LANG). */
const OPS_TEXTS = texts('zh').plant;

type Target = Exclude<DingtalkTarget, { kind: 'unknown' }>;

type DeliverResult = { success?: boolean; errorMsg?: string; spaceType?: string; spaceId?: string };

/** createAndDeliver answers `result.deliverResults`; the deliver call (no answer documented) maybe `result` itself. */
interface DeliverAnswer {
  result?: { deliverResults?: DeliverResult[] } | DeliverResult[];
}

/**
 * Approval cards: created and delivered as interactive card instances (outTrackId = our card id, so a
 * retried creation cannot make a second card), updated in place with PUT on the instance.
 */
export class CardDelivery {
  /**
   * Cards this process delivered, newest last (at most DELIVERED_KEPT): an update of one needs no read of its
   * state. Delivery is final, so a card here never needs reading again; one delivered elsewhere is read.
   */
  private readonly delivered = new Map<string, SentCard>();
  /** Cards sent at the same time (an order's approval cards) are read by one statement. */
  private readonly states: DataLoader<string, SentCard | UndeliveredCard | undefined>;

  constructor(
    private readonly settings: DingtalkSettings,
    private readonly api: DingtalkOpenApi,
    private readonly messages: MessageSender,
    private readonly db: Database,
    private readonly clock: () => Date,
    private readonly reportToOps: ReportToOps,
  ) {
    this.states = new DataLoader((ids) => readCardStates(db, ids), { cache: false });
  }

  /**
   * Creates the card instance and delivers it to its space. A 200 can still say the space was not reached
   * (`deliverResults[].success: false`): the instance is kept and the delivery alone is retried (a passing
   * cause) or given up and reported. A duplicate outTrackId means an earlier try made the card: delivered.
   * Answers the card's record, written with the outbox row's sent mark.
   */
  async send(
    to: Destination,
    card: Card,
    options: { firstAttempt?: boolean } = {},
  ): Promise<DeliveryRecord | undefined> {
    const target = this.messages.target(to);
    // A card is sent by one outbox row, and only that row's tries record its state: on the first, there is none.
    const state = options.firstAttempt ? undefined : await this.cardState(card.id);
    if (state?.deliveredAt) return;
    const templateId = this.settings.cardTemplateId;
    if (!templateId) {
      await this.messages.send(target, renderDingtalkActionCard(card));
      return this.sentRecord(card.id, { mode: 'actionCard', to });
    }
    const openSpaceId = openSpaceIdOf(target);
    if (state && 'created' in state && state.created) return this.deliverAgain(to, card, target, openSpaceId);
    const result = await this.api.call<DeliverAnswer>(
      'POST',
      '/v1.0/card/instances/createAndDeliver',
      this.createBody(card, target, openSpaceId),
    );
    if (!result.ok) {
      // Made by an earlier try whose answer was lost (DingTalk may also just accept the repeat with a 200).
      if (isDuplicateOutTrackId(result.failure)) return this.sentRecord(card.id, { mode: 'template', openSpaceId });
      const problem = templateProblem(result.failure);
      if (problem)
        await this.reportToOps(
          `dingtalk:card-template:${templateId}`,
          OPS_TEXTS.dingtalkCardTemplate(templateId, problem),
        );
      throw deliveryErrorFor('card delivery', result.failure);
    }
    await this.checkDelivered(to, card, openSpaceId, result.body);
    return this.sentRecord(card.id, { mode: 'template', openSpaceId });
  }

  /** The instance exists but did not reach its space: deliver it again (POST /v1.0/card/instances/deliver). */
  private async deliverAgain(
    to: Destination,
    card: Card,
    target: Target,
    openSpaceId: string,
  ): Promise<DeliveryRecord> {
    const answer = await this.api.require<DeliverAnswer>('card delivery', 'POST', '/v1.0/card/instances/deliver', {
      outTrackId: card.id,
      openSpaceId,
      userIdType: 1,
      ...this.deliverModel(target),
    });
    await this.checkDelivered(to, card, openSpaceId, answer);
    return this.sentRecord(card.id, { mode: 'template', openSpaceId });
  }

  /** Throws when the answer says this card's space was not reached, after noting that the instance exists. */
  private async checkDelivered(to: Destination, card: Card, openSpaceId: string, answer: DeliverAnswer) {
    const results = Array.isArray(answer.result) ? answer.result : (answer.result?.deliverResults ?? []);
    // One space a card: a result for another space is not ours; one naming no space is.
    const spaceId = openSpaceId.slice(openSpaceId.indexOf('.', 'dtv1.card//'.length) + 1);
    const refused = results.find((r) => r.success === false && (!r.spaceId || r.spaceId === spaceId));
    if (!refused) return;
    const undelivered: UndeliveredCard = { mode: 'template', openSpaceId, created: true };
    await this.db.update(cards).set({ platformRef: card.id, platformData: undelivered }).where(eq(cards.id, card.id));
    const reason = refused.errorMsg || 'no reason given';
    const message = `DingTalk created card ${card.id} but did not deliver it to ${openSpaceId}: ${reason}`;
    if (isTransientDeliveryError(refused.errorMsg)) throw DeliveryError.retry(message, { afterMs: 5000 });
    const who = 'userId' in to ? to.userId : to.conversationId;
    await this.reportToOps(
      `dingtalk:card-undelivered:${card.id}`,
      OPS_TEXTS.dingtalkCardUndelivered(card.subtitle ? `${card.title} ${card.subtitle}` : card.title, who, reason),
    );
    throw DeliveryError.permanent(message);
  }

  async update(cardId: string, card: Card): Promise<void> {
    const sent = await this.sentState(cardId);
    if (!sent) throw DeliveryError.retry(`card ${cardId} is not delivered yet`, { afterMs: 1000 });
    if (sent.mode === 'actionCard') {
      // An ActionCard cannot change: its recipient is told the new state instead.
      if (card.resolved && sent.to)
        await this.messages.post(sent.to, `${card.subtitle ?? card.title}：${card.resolved.text}`);
      return;
    }
    await this.api.require('card update', 'PUT', '/v1.0/card/instances', {
      outTrackId: cardId,
      cardData: { cardParamMap: renderDingtalkCardParams(card) },
      cardUpdateOptions: { updateCardDataByKey: true },
      userIdType: 1,
    });
  }

  private deliverModel(target: Target) {
    const { robotCode } = this.settings;
    return target.kind === 'group'
      ? { imGroupOpenDeliverModel: { robotCode } }
      : { imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode } };
  }

  private createBody(card: Card, target: Target, openSpaceId: string) {
    const space =
      target.kind === 'group'
        ? { imGroupOpenSpaceModel: { supportForward: false }, ...this.deliverModel(target) }
        : { imRobotOpenSpaceModel: { supportForward: false }, ...this.deliverModel(target) };
    return {
      cardTemplateId: this.settings.cardTemplateId,
      outTrackId: card.id,
      callbackType: 'STREAM',
      cardData: { cardParamMap: renderDingtalkCardParams(card) },
      openSpaceId,
      userIdType: 1,
      ...space,
    };
  }

  private async sentState(cardId: string): Promise<SentCard | undefined> {
    const known = this.delivered.get(cardId);
    if (known) return known;
    const data = await this.cardState(cardId);
    if (!data?.deliveredAt) return undefined;
    this.remember(cardId, data as SentCard);
    return data as SentCard;
  }

  private remember(cardId: string, state: SentCard) {
    this.delivered.set(cardId, state);
    if (this.delivered.size > DELIVERED_KEPT) this.delivered.delete(this.delivered.keys().next().value!);
  }

  private cardState(cardId: string): Promise<SentCard | UndeliveredCard | undefined> {
    return this.states.load(cardId);
  }

  /**
   * The card's record, remembered here at once: an update of the card comes after its outbox row is marked (the
   * two share an ordering key), and a row that could not be marked is sent again, which finds the card made.
   */
  private sentRecord(cardId: string, state: Omit<SentCard, 'deliveredAt'>): DeliveryRecord {
    const platformData = { ...state, deliveredAt: this.clock().toISOString() };
    this.remember(cardId, platformData);
    return deliveryRecord(sentCardRecords, { cardId, state: platformData });
  }
}

async function readCardStates(db: Database, ids: readonly string[]) {
  const rows = await db
    .select({ id: cards.id, data: cards.platformData })
    .from(cards)
    .where(inArray(cards.id, [...ids]));
  const byId = new Map(rows.map((row) => [row.id, (row.data ?? undefined) as SentCard | UndeliveredCard | undefined]));
  return ids.map((id) => byId.get(id));
}

/** Delivered cards' records. A card is recorded once per batch (the later record wins), so the join meets it once. */
const sentCardRecords: RecordWriter<{ cardId: string; state: SentCard }> = {
  statement(batch) {
    const byCard = new Map(batch.map(({ cardId, state }) => [cardId, { id: cardId, data: state }]));
    // The ids again as a list: the planner takes a record set for a hundred rows and would scan all cards.
    return sql`update cards c set platform_ref = v.id, platform_data = v.data
      from jsonb_to_recordset(${JSON.stringify([...byCard.values()])}::jsonb) as v(id text, data jsonb)
      where c.id = v.id and c.id = ${anyOfList([...byCard.keys()])}`;
  },
};

export function openSpaceIdOf(target: Target): string {
  return target.kind === 'group'
    ? `dtv1.card//IM_GROUP.${target.openConversationId}`
    : `dtv1.card//IM_ROBOT.${target.staffId}`;
}
