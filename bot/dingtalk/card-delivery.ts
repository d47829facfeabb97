import { eq } from 'drizzle-orm';
import { renderDingtalkActionCard, renderDingtalkCardParams } from '../../cards/dingtalk';
import type { Card } from '../../cards/model';
import type { Database } from '../../db/client';
import { cards } from '../../db/schema';
import type { Destination } from '../../core/effects';
import { DeliveryError } from '../../core/errors';
import { deliveryErrorFor, isDuplicateOutTrackId } from './api-errors';
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

type Target = Exclude<DingtalkTarget, { kind: 'unknown' }>;

interface DeliverAnswer {
  result?: { deliverResults?: Array<{ success?: boolean; errorMsg?: string; spaceId?: string }> };
}

/**
 * Approval cards: created and delivered as interactive card instances (outTrackId = our card id, so a
 * retried creation cannot make a second card), updated in place with PUT on the instance.
 */
export class CardDelivery {
  constructor(
    private readonly settings: DingtalkSettings,
    private readonly api: DingtalkOpenApi,
    private readonly messages: MessageSender,
    private readonly db: Database,
    private readonly clock: () => Date,
  ) {}

  async send(to: Destination, card: Card): Promise<void> {
    const target = this.messages.target(to);
    if (await this.sentState(card.id)) return;
    if (!this.settings.cardTemplateId) {
      await this.messages.send(target, renderDingtalkActionCard(card));
      return this.markSent(card.id, { mode: 'actionCard', to });
    }
    const openSpaceId = openSpaceIdOf(target);
    const result = await this.api.call<DeliverAnswer>(
      'POST',
      '/v1.0/card/instances/createAndDeliver',
      this.createBody(card, target, openSpaceId),
    );
    if (!result.ok && !isDuplicateOutTrackId(result.failure)) throw deliveryErrorFor('card delivery', result.failure);
    const refused = result.ok ? result.body.result?.deliverResults?.find((r) => r.success === false) : undefined;
    if (refused)
      throw DeliveryError.permanent(
        `DingTalk created card ${card.id} but did not deliver it: ${refused.errorMsg ?? 'no reason given'}`,
      );
    await this.markSent(card.id, { mode: 'template', openSpaceId });
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

  private createBody(card: Card, target: Target, openSpaceId: string) {
    const { robotCode } = this.settings;
    const space =
      target.kind === 'group'
        ? { imGroupOpenSpaceModel: { supportForward: false }, imGroupOpenDeliverModel: { robotCode } }
        : {
            imRobotOpenSpaceModel: { supportForward: false },
            imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode },
          };
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
    const [row] = await this.db.select({ data: cards.platformData }).from(cards).where(eq(cards.id, cardId));
    const data = row?.data as Partial<SentCard> | undefined;
    return data?.deliveredAt ? (data as SentCard) : undefined;
  }

  private async markSent(cardId: string, state: Omit<SentCard, 'deliveredAt'>): Promise<void> {
    const platformData = { ...state, deliveredAt: this.clock().toISOString() };
    await this.db.update(cards).set({ platformRef: cardId, platformData }).where(eq(cards.id, cardId));
  }
}

export function openSpaceIdOf(target: Target): string {
  return target.kind === 'group'
    ? `dtv1.card//IM_GROUP.${target.openConversationId}`
    : `dtv1.card//IM_ROBOT.${target.staffId}`;
}
