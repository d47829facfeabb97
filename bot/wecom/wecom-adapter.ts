import Router from '@koa/router';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { Env } from '../../config/env';
import type { Effect } from '../../core/effects';
import type { Delivery, DeliveryRecord, PlatformAdapter } from '../adapter';
import { DeliveryError } from '../../core/errors';
import type { Bot } from '../bot';
import { encryptedField, readAibotPayload } from './aibot-payload';
import { WecomApi } from './api-client';
import { WecomDirectoryReader } from './directory-reader';
import type { DirectoryReader } from '../../domain/directory';
import { deliveryErrorOf } from './api-errors';
import { encryptedPart, readAppPayload } from './app-payload';
import { openEcho, openPost, type CallbackChannel } from './callback-channel';
import { callbackSignature, encryptPayload } from './callback-crypto';
import { RequestRefused } from '../../core/errors';
import { CardDelivery, cardIdOfTask } from './card-delivery';
import { GroupCards } from './group-cards';
import { WecomInbound } from './inbound';
import { PassiveReplies } from './passive-replies';
import { PostDelivery } from './post-delivery';
import { wecomSettings, type WecomSettings } from './settings';
import { WebhookRobots } from './webhook-robots';

/**
 * WeCom (企业微信). Receives on two callback URLs: the self-built app's (XML: 1:1 messages to the app,
 * taps on its approval cards) and the AI bot's (JSON: @-mentions in existing groups, taps on the cards it
 * posted there). Sends approval cards to approvers through the app; group news through the AI bot's reply
 * window or the group's webhook robot; a group's card through a reply window (updated in the reply to a
 * tap on it), else as markdown (docs/wecom-setup.md, "Cards in the group").
 */
export class WecomAdapter implements PlatformAdapter {
  readonly platform = 'wecom';
  private readonly settings: WecomSettings;
  private readonly log: Logger;
  private readonly inbound: WecomInbound;
  private readonly cards: CardDelivery;
  private readonly posts: PostDelivery;
  private readonly groupCards: GroupCards;
  private readonly passive = new PassiveReplies();
  private readonly contacts: WecomDirectoryReader;

  constructor(
    private readonly bot: Bot,
    env: Env,
  ) {
    this.settings = wecomSettings(env);
    this.log = bot.log.child({ platform: this.platform });
    const clock = () => bot.now();
    const deps = { db: bot.db, config: bot.configSource, clock, log: this.log, agentId: this.settings.agentId };
    const api = new WecomApi(this.settings, bot.db, clock, this.log);
    const robots = new WebhookRobots({
      api,
      db: bot.db,
      clock,
      log: this.log,
      perMinute: this.settings.webhookPerMinute,
    });
    this.inbound = new WecomInbound(bot, new URL(this.settings.apiBase).origin, this.log);
    this.cards = new CardDelivery({ ...deps, api });
    const aibot = this.settings.aibot !== undefined;
    this.posts = new PostDelivery({ ...deps, api, robots, aibot });
    this.groupCards = new GroupCards({
      ...deps,
      posts: this.posts,
      passive: this.passive,
      aibot,
      botName: () => bot.config.botName,
    });
    this.contacts = new WecomDirectoryReader(api, this.log);
  }

  directory(): DirectoryReader {
    return this.contacts;
  }

  routes(): Router {
    const router = new Router();
    const app: CallbackChannel = { secrets: this.settings.app, encryptedPart };
    router.get('/wecom/callback', (ctx) => this.answerEcho(ctx, app));
    router.post('/wecom/callback', (ctx) =>
      this.receive(ctx, app, async (text) => {
        await this.inbound.fromApp(readAppPayload(text));
        return undefined;
      }),
    );
    const { aibot } = this.settings;
    if (aibot) {
      const channel: CallbackChannel = { secrets: aibot, encryptedPart: encryptedField };
      router.get('/wecom/aibot/callback', (ctx) => this.answerEcho(ctx, channel));
      router.post('/wecom/aibot/callback', (ctx) =>
        this.receive(ctx, channel, async (text) => {
          const payload = readAibotPayload(text);
          if (payload.kind !== 'card-tap') {
            await this.inbound.fromAibot(payload);
            return undefined;
          }
          // The tap's reply window: the card's update, if the bot makes it in time, is the answer.
          const cardId = cardIdOfTask(payload.taskId);
          const window = this.passive.openWindow(cardId, this.settings.aibotReplyWaitMs);
          let tap: { handled: Promise<void> } | undefined;
          try {
            tap = await this.inbound.fromAibot(payload);
          } finally {
            if (tap === undefined) window.cancel(); // a repeat of a tap already taken, or refused
          }
          if (tap === undefined) return undefined;
          const card = await this.groupCards.answerTap(window, tap.handled, cardId);
          if (!card) return undefined;
          return this.sealReply(aibot, JSON.stringify({ response_type: 'update_template_card', template_card: card }));
        }),
      );
    }
    return router;
  }

  /** URL verification: the decrypted echostr, byte for byte. */
  private answerEcho(ctx: Context, channel: CallbackChannel) {
    return this.refusing(ctx, () => {
      const echo = openEcho(channel, ctx.querystring, this.bot.now(), this.settings.timestampWindowMs);
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = echo;
    });
  }

  /** An encrypted passive reply of the AI bot: `{encrypt, msgsignature, timestamp, nonce}`. */
  private sealReply(secrets: NonNullable<WecomSettings['aibot']>, plaintext: string): string {
    const encrypt = encryptPayload(secrets, plaintext);
    const timestamp = String(Math.floor(this.bot.now().getTime() / 1000));
    const nonce = String(Math.floor(Math.random() * 1e10));
    const msgsignature = callbackSignature(secrets.token, timestamp, nonce, encrypt);
    return JSON.stringify({ encrypt, msgsignature, timestamp, nonce });
  }

  /**
   * Verify, commit the inbound row, answer 200: empty, or the passive reply `ingest` gives (already sealed).
   * The bot handles the event afterwards.
   */
  private async receive(
    ctx: Context,
    channel: CallbackChannel,
    ingest: (plaintext: string) => Promise<string | undefined>,
  ) {
    await this.refusing(ctx, async () => {
      const rawBody = (ctx.request as { rawBody?: unknown }).rawBody;
      const plaintext = await openPost(
        channel,
        { querystring: ctx.querystring, req: ctx.req, rawBody },
        this.bot.now(),
        this.settings.timestampWindowMs,
      );
      const reply = await ingest(plaintext);
      ctx.status = 200;
      if (reply) ctx.type = 'application/json; charset=utf-8';
      ctx.body = reply ?? '';
    });
  }

  private async refusing(ctx: Context, work: () => void | Promise<void>) {
    try {
      await work();
    } catch (err) {
      if (!(err instanceof RequestRefused)) throw err;
      this.log.warn({ path: ctx.path, reason: err.message }, 'callback refused');
      ctx.status = err.status;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = err.message;
    }
  }

  async deliver(effect: Effect, delivery: Delivery): Promise<DeliveryRecord | undefined> {
    try {
      return await this.deliverEffect(effect, delivery);
    } catch (err) {
      throw deliveryErrorOf(err, this.log);
    }
  }

  private async deliverEffect(effect: Effect, delivery: Delivery): Promise<DeliveryRecord | undefined> {
    switch (effect.kind) {
      case 'post':
        await this.posts.post(effect.to, effect.text, delivery, effect.replyRef);
        return;
      case 'send-card':
        if ('userId' in effect.to) return this.cards.send(effect.to.userId, effect.card, delivery.attempt);
        return this.groupCards.send(effect.to.conversationId, effect.card, delivery);
      case 'update-card': {
        const group = await this.cards.groupOf(effect.cardId);
        if (group) await this.groupCards.update(group, effect.cardId, effect.card, delivery);
        else await this.cards.update(effect, delivery.idempotencyKey);
        return;
      }
      case 'sms':
        throw DeliveryError.permanent('SMS is not sent by the WeCom adapter');
    }
  }
}
