import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { ConfigSource } from '../../config/business-config';
import type { Database } from '../../db/client';
import { cards, type CardRow } from '../../db/schema';
import type { Card } from '../../cards/model';
import { decidedUpdate, renderWecomCard, WECOM_CARD_LIMITS } from '../../cards/wecom';
import type { Effect } from '../../core/effects';
import { DeliveryError } from '../../core/errors';
import { type DeliveryRecord, deliveryRecord } from '../adapter';
import type { WecomApi } from './api-client';
import { isTransient } from './api-errors';
import {
  addClickCode,
  cardData,
  markCodeUsed,
  recordSentCard,
  type SentCardRecord,
  sentCardRecords,
  reserveCode,
  usableCodes,
  type WecomCardData,
} from './card-codes';
import { WecomError, type WecomReply } from './http-json';
import { userOfPerson } from './identities';

type UpdateCard = Extract<Effect, { kind: 'update-card' }>;

const TASK_ID = /^[0-9A-Za-z_\-@]+$/;
/** "task_id has existed": WeCom keeps every task_id of an app forever. */
const TASK_ID_TAKEN = 42014;
/**
 * errcodes that refuse the request itself (bad message type, invalid parameter, empty or too long
 * content, wrong agentid): another response code or a fresh card would be refused the same way, or worse,
 * go through as something the update was not meant to be. Any other refusal of an update is taken as the
 * code's (spent or expired; WeCom's errcode for that is unconfirmed).
 */
const REQUEST_REFUSED = new Set([40008, 40035, 40056, 40058, 44004, 45002]);

/** The WeCom task_id of a card's n-th fresh copy; clicks on any copy lead back to the card. */
export function taskIdOf(cardId: string, revision: number): string {
  return revision === 0 ? cardId : `${cardId}-r${revision}`;
}

export function cardIdOfTask(taskId: string): string {
  return taskId.replace(/-r\d+$/, '');
}

/**
 * Approval cards in each approver's 1:1 chat with the app: sent with message/send, updated in place
 * with update_template_card and a response code, or replaced by a fresh card when no code is left.
 */
export class CardDelivery {
  constructor(
    private readonly deps: {
      api: WecomApi;
      db: Database;
      config: ConfigSource;
      clock: () => Date;
      log: Logger;
      agentId: number;
    },
  ) {}

  /** `attempt` is the outbox row's: only a retry can find the card sent by an earlier attempt. */
  /** Answers the card's record, written with the outbox row's sent mark. */
  async send(personId: string, card: Card, attempt: number): Promise<DeliveryRecord | undefined> {
    if (attempt > 1) {
      const row = await this.row(card.id);
      // Sent by an earlier attempt that crashed (or lost its answer) before the outbox row was marked.
      if (cardData(row?.platformData).sentAt) return;
    }
    const sent = await this.sendCopy(userOfPerson(this.deps.config.current, personId), card, 0);
    return deliveryRecord(sentCardRecords, sent);
  }

  async update(effect: UpdateCard, key: string): Promise<void> {
    const row = await this.row(effect.cardId);
    if (!row) throw DeliveryError.permanent(`card ${effect.cardId} is unknown`);
    let data = cardData(row.platformData);
    if (!data.taskId) throw DeliveryError.retry(`card ${effect.cardId} is not delivered yet`, { afterMs: 1000 });
    if (effect.callbackRef && !data.codes?.[effect.callbackRef]) {
      await addClickCode(this.deps.db, row.id, effect.callbackRef, this.deps.clock());
      data = cardData((await this.row(row.id))?.platformData);
    }
    if (await this.updateInPlace(row.id, data, effect, key)) return;
    this.deps.log.info({ cardId: row.id }, 'no usable response code left: sending a fresh card');
    const copy = await this.sendCopy(
      userOfPerson(this.deps.config.current, row.recipientId),
      effect.card,
      (data.revision ?? 0) + 1,
    );
    await recordSentCard(this.deps.db, copy);
    if (!effect.card.resolved) return;
    // A decided card goes out with one button showing the outcome, greyed at once with the send's own code.
    const fresh = cardData((await this.row(row.id))?.platformData);
    const update: UpdateCard = { kind: 'update-card', cardId: effect.cardId, card: effect.card };
    if (await this.updateInPlace(row.id, fresh, update, key)) return;
    // The copy's own code was lost with the answer to its send (WeCom had it already: "task_id taken"). The
    // retry sends the next copy, whose code greys it; left as it is, it would show live-looking buttons.
    throw DeliveryError.retry(`the fresh copy of card ${row.id} has no response code to grey it with`, {
      afterMs: 1000,
    });
  }

  /** Tries the card's codes in turn; true once the card shows the update. */
  private async updateInPlace(cardId: string, data: WecomCardData, effect: UpdateCard, key: string): Promise<boolean> {
    const { api, db, clock, log, agentId } = this.deps;
    for (const code of usableCodes(data, key, clock(), effect.callbackRef)) {
      const takenEarlier = data.codes?.[code]?.by === key;
      if (!(await reserveCode(db, cardId, code, key))) continue;
      try {
        // Decided: the documented button-only update greys the buttons; otherwise the whole card is replaced.
        await api.call('message/update_template_card', {
          atall: 1,
          agentid: agentId,
          response_code: code,
          ...(decidedUpdate(effect.card) ?? { template_card: renderWecomCard(effect.card, data.taskId!) }),
        });
        await markCodeUsed(db, cardId, code);
        return true;
      } catch (err) {
        if (!(err instanceof WecomError) || isTransient(err)) throw err; // the code stays with this update for its retry
        if (REQUEST_REFUSED.has(err.errcode)) {
          // Not the code's fault: neither the next code nor a fresh card would help; the row fails, visibly.
          throw DeliveryError.permanent(`${err.message} (the update itself was refused; no fresh card sent)`);
        }
        await markCodeUsed(db, cardId, code);
        if (takenEarlier) {
          log.info(
            { cardId, errcode: err.errcode },
            'the code was spent by an earlier attempt of this update: it went through',
          );
          return true;
        }
        log.info({ cardId, errcode: err.errcode }, 'response code refused; trying the next');
      }
    }
    return false;
  }

  /**
   * message/send of one copy of the card. A task_id WeCom already has means an earlier attempt got
   * through (its response code is lost; a later update then sends a fresh copy).
   */
  private async sendCopy(userid: string, card: Card, revision: number): Promise<SentCardRecord> {
    const taskId = taskIdOf(card.id, revision);
    if (!TASK_ID.test(taskId) || Buffer.byteLength(taskId) > WECOM_CARD_LIMITS.taskIdBytes) {
      throw DeliveryError.permanent(`card id ${card.id} cannot be a WeCom task_id`);
    }
    const now = this.deps.clock();
    let reply: WecomReply | undefined;
    try {
      reply = await this.deps.api.call('message/send', {
        touser: userid,
        msgtype: 'template_card',
        agentid: this.deps.agentId,
        template_card: renderWecomCard(card, taskId),
      });
    } catch (err) {
      if (!(err instanceof WecomError && err.errcode === TASK_ID_TAKEN)) throw err;
      this.deps.log.warn({ cardId: card.id, taskId }, 'WeCom already has this task_id: the card was sent before');
    }
    if (reply) rejectInvalidRecipient(reply, userid);
    const code = typeof reply?.response_code === 'string' ? reply.response_code : undefined;
    return { cardId: card.id, sent: { taskId, revision, now, ...(code ? { code } : {}) } };
  }

  /** The group a card was posted to, for cards that went to a group rather than a person. */
  async groupOf(cardId: string): Promise<string | undefined> {
    const row = await this.row(cardId);
    if (!row || this.deps.config.current.people.some((p) => p.id === row.recipientId)) return undefined;
    return row.recipientId;
  }

  private async row(cardId: string): Promise<CardRow | undefined> {
    const [row] = await this.deps.db.select().from(cards).where(eq(cards.id, cardId));
    return row;
  }
}

/** errcode 0 with the user listed in invaliduser: nothing was delivered, and retrying will not help. */
export function rejectInvalidRecipient(reply: WecomReply, userid: string): void {
  const invalid = typeof reply.invaliduser === 'string' ? reply.invaliduser.split('|') : [];
  if (invalid.some((u) => u.toLowerCase() === userid.toLowerCase())) {
    throw DeliveryError.permanent(`WeCom user "${userid}" is not a member the app can reach`);
  }
}
