import { and, eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { ConfigSource } from '../../config/business-config';
import type { Database } from '../../db/client';
import { outbox } from '../../db/schema';
import type { Destination } from '../../core/effects';
import type { Delivery } from '../adapter';
import { DeliveryError } from '../../core/errors';
import type { WecomApi } from './api-client';
import { isTransient } from './api-errors';
import { rejectInvalidRecipient } from './card-delivery';
import { WecomError } from './http-json';
import { targetOfConversation, userOfPerson } from './identities';
import { claimedBy, claimResponseUrl, releaseClaim } from './reply-windows';
import { clipBytes } from './text-limits';
import type { WebhookRobots } from './webhook-robots';

const APP_MARKDOWN_BYTES = 2048;
const AIBOT_MARKDOWN_BYTES = 4096;
/** WeCom drops a repeat of the same content to the same user within this many seconds (our retries). */
const DUPLICATE_CHECK_SECONDS = 1800;

/**
 * Texts: to a person through the app (message/send); to a group through the AI bot's response_url
 * while one is open, otherwise through the group's webhook robot.
 */
export class PostDelivery {
  constructor(
    private readonly deps: {
      api: WecomApi;
      db: Database;
      config: ConfigSource;
      clock: () => Date;
      log: Logger;
      agentId: number;
      robots: WebhookRobots;
      /**
       * The AI bot is set up. Its reply windows (an @-mention's response_url) are the only ones a group has: without
       * it none are opened, so none are looked for. A group card with buttons may take one (see GroupCards).
       */
      aibot: boolean;
    },
  ) {}

  /** `delivery` is the outbox row's key and attempt (only a retry can have taken a response_url before). */
  async post(to: Destination, text: string, delivery: Delivery, replyRef?: string): Promise<void> {
    const config = this.deps.config.current;
    if ('userId' in to) return this.toUser(userOfPerson(config, to.userId), text);
    const target = targetOfConversation(config, to.conversationId);
    // A retry may follow an attempt that reached the group through the webhook robot (its answer lost):
    // it stays on the robot, since a reply window opened meanwhile would show the post a second time.
    // A card with buttons waiting behind this post needs the reply window more: the post takes the robot.
    const newWindow =
      !(delivery.attempt > 1 && target.kind === 'group' && target.webhookKey) &&
      !(target.kind === 'group' && target.webhookKey && (await this.cardWaitsForWindow(to.conversationId)));
    const body = { msgtype: 'markdown', markdown: { content: clipBytes(text, AIBOT_MARKDOWN_BYTES) } };
    if (await this.throughResponseUrl(to.conversationId, body, delivery, replyRef, newWindow)) return;
    if (target.kind === 'direct') return this.toUser(target.userid, text);
    if (target.webhookKey)
      return this.deps.robots.post(target.webhookKey, target.conversationId, text, delivery.idempotencyKey);
    // A window opens when someone next @-mentions the bot in the group.
    throw DeliveryError.retry(`no open AI-bot reply window and no webhook robot for ${to.conversationId}`, {
      afterMs: 5 * 60_000,
    });
  }

  async toUser(userid: string, text: string): Promise<void> {
    const reply = await this.deps.api.call('message/send', {
      touser: userid,
      msgtype: 'markdown',
      agentid: this.deps.agentId,
      markdown: { content: clipBytes(text, APP_MARKDOWN_BYTES) },
      enable_duplicate_check: 1,
      duplicate_check_interval: DUPLICATE_CHECK_SECONDS,
    });
    rejectInvalidRecipient(reply, userid);
  }

  /** A card with buttons for this group is waiting in the outbox (it can show them only through a reply window). */
  private async cardWaitsForWindow(conversationId: string): Promise<boolean> {
    if (!this.deps.aibot) return false;
    const [row] = await this.deps.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        and(
          eq(outbox.platform, 'wecom'),
          eq(outbox.kind, 'send-card'),
          eq(outbox.status, 'pending'),
          sql`${outbox.payload} -> 'to' ->> 'conversationId' = ${conversationId}`,
          sql`jsonb_array_length(coalesce(${outbox.payload} -> 'card' -> 'buttons', '[]'::jsonb)) > 0`,
          sql`${outbox.payload} -> 'card' -> 'resolved' is null`,
        ),
      )
      .limit(1);
    return row !== undefined;
  }

  /**
   * Posts `body` (markdown or a template card) through an open response_url; false when none is left (or a
   * new one may not be taken). A refused one is spent, so the next is tried.
   */
  async throughResponseUrl(
    conversationId: string,
    body: Record<string, unknown>,
    { idempotencyKey: key, attempt, replyWindow }: Delivery,
    replyRef?: string,
    mayClaimNew = true,
  ): Promise<boolean> {
    const { api, db, clock, log } = this.deps;
    // This row took a response_url before (its answer lost, or the process died before marking it sent):
    // the URL is ours alone and open, so a refusal now means the earlier attempt got through.
    const earlier = attempt > 1 ? await claimedBy(db, key, clock()) : undefined;
    if (earlier) {
      try {
        await api.postTo('aibot/response', earlier, body);
      } catch (err) {
        if (!(err instanceof WecomError) || isTransient(err)) throw err;
        log.info(
          { conversationId, errcode: err.errcode },
          'AI-bot response_url already used: the earlier attempt got through',
        );
      }
      return true;
    }
    if (!mayClaimNew || !this.deps.aibot || replyWindow === false) return false;
    for (let tries = 0; tries < 5; tries++) {
      const url = await claimResponseUrl(db, conversationId, clock(), key, replyRef);
      if (!url) return false;
      try {
        await api.postTo('aibot/response', url, body);
        return true;
      } catch (err) {
        if (!(err instanceof WecomError) || isTransient(err)) throw err;
        await releaseClaim(db, key);
        log.info({ conversationId, errcode: err.errcode }, 'AI-bot response_url refused; trying the next way');
      }
    }
    return false;
  }
}
