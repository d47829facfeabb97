import { TOPIC_CARD, TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream';
import type { Logger } from 'pino';
import type { Env } from '../../config/env';
import type { InboundEvent } from '../../core/events';
import type { Effect } from '../../core/effects';
import { enqueueEffects } from '../../core/outbox';
import type { DirectoryReader } from '../../domain/directory';
import type { Delivery, DeliveryRecord, PlatformAdapter } from '../adapter';
import { DeliveryError } from '../../core/errors';
import type { Bot } from '../bot';
import type { ReplyWindowToKeep } from '../../db/reply-windows';
import { CardDelivery } from './card-delivery';
import { sentAt, TapAnswers } from './tap-answers';
import { DingtalkDirectory } from './directory';
import { DingtalkDirectoryReader } from './directory-reader';
import { decodeCardCallback, decodeRobotMessage, PLATFORM } from './inbound';
import { RequestRefused } from '../../core/errors';
import { MessageSender } from './messages';
import { DingtalkOpenApi } from './openapi';
import { DingtalkQuota } from './quota';
import { dingtalkSettings, type DingtalkSettings } from './settings';
import { GatewayStreamClient } from './stream-client';
import { StreamHolder, streamLeaseName } from './stream-holder';

interface Decoded {
  event: InboundEvent;
  externalId: string;
  /** The session webhook the frame brings, stored with the event. */
  replyWindow?: ReplyWindowToKeep;
  /** Set when the frame is for another robot: answered, not stored. */
  ignore?: string;
}

/**
 * DingTalk: robot messages and card taps arrive over the Stream socket (the official SDK's DWClient);
 * replies, cards and card updates leave through the OpenAPI, called only from the outbox sender.
 */
export class DingtalkAdapter implements PlatformAdapter {
  readonly platform = PLATFORM;
  private readonly settings: DingtalkSettings;
  /** Config ids ↔ DingTalk staff ids and openConversationIds. */
  private readonly ids: DingtalkDirectory;
  private readonly directoryReader: DingtalkDirectoryReader;
  private readonly client: GatewayStreamClient;
  /** The app's one Stream connection across processes: only the lease's holder connects and acts on frames. */
  readonly streamLease: StreamHolder;
  private readonly messages: MessageSender;
  private readonly cards: CardDelivery;
  /** The organisation's monthly OpenAPI quota: calls counted, non-essential effects withheld once it is used up. */
  private readonly quota: DingtalkQuota;
  private readonly log: Logger;
  /** How long after a card tap arrives its answer may wait for the handler (DingTalk takes answers for 2 s). */
  readonly taps: TapAnswers;

  constructor(
    private readonly bot: Bot,
    env: Env,
  ) {
    this.settings = dingtalkSettings(env);
    this.log = bot.log.child({ platform: PLATFORM });
    this.ids = new DingtalkDirectory(bot.configSource);
    const clock = () => bot.now();
    this.taps = new TapAnswers({ db: bot.db, now: clock, log: this.log, wakeSender: () => bot.sender.wake() });
    this.quota = new DingtalkQuota({
      db: bot.db,
      clock,
      log: this.log,
      monthlyQuota: this.settings.monthlyQuota,
      config: () => bot.config,
      wake: () => bot.sender.wake(),
    });
    const api = new DingtalkOpenApi(this.settings, bot.db, clock, this.log, this.quota);
    this.messages = new MessageSender(this.settings, this.ids, api, bot.db, clock, this.log, bot.config.botName);
    this.cards = new CardDelivery(this.settings, api, this.messages, bot.db, clock, (key, text) =>
      this.reportToOps(key, text),
    );
    this.directoryReader = new DingtalkDirectoryReader(this.settings, bot.db, clock, this.log);
    this.client = new GatewayStreamClient({
      ...this.settings,
      log: this.log,
      mayAct: () => this.streamLease.holding(),
    });
    this.streamLease = new StreamHolder({
      db: bot.db,
      name: streamLeaseName(this.settings.clientId),
      leaseMs: this.settings.streamLeaseMs,
      log: this.log,
      open: () => this.client.open(),
      close: () => this.client.close(),
      shutdown: () => this.client.shutdown(),
    });
    this.client.registerCallbackListener(
      TOPIC_ROBOT,
      (frame) => void this.receive(frame, (f) => this.decodeMessage(f)),
    );
    this.client.registerCallbackListener(
      TOPIC_CARD,
      (frame) => void this.receive(frame, (f) => this.decodeCardAction(f)),
    );
  }

  /** Connects at once when no other process holds the app's Stream lease; otherwise stands by to take over. */
  async start(): Promise<void> {
    await this.streamLease.start();
  }

  /** Closes the connection and releases the lease, so that another process connects within a second. */
  async stop(): Promise<void> {
    await this.streamLease.stop();
  }

  /** The company directory (通讯录) through the old-style server API; calls DingTalk only when read. */
  directory(): DirectoryReader {
    return this.directoryReader;
  }

  async deliver(effect: Effect, delivery: Delivery): Promise<DeliveryRecord | undefined> {
    return this.quota.deliver(effect, () => this.send(effect, delivery));
  }

  private async send(
    effect: Effect,
    { attempt, replyWindow, replyUrl }: Delivery,
  ): Promise<DeliveryRecord | undefined> {
    switch (effect.kind) {
      case 'post':
        await this.messages.post(effect.to, effect.text, { replyWindow, replyUrl });
        return;
      case 'send-card':
        return this.cards.send(effect.to, effect.card, { firstAttempt: attempt === 1 });
      case 'update-card':
        if (!this.taps.handOver(effect)) await this.cards.update(effect.cardId, effect.card);
        return;
      case 'sms':
        throw DeliveryError.permanent('SMS is not sent through DingTalk');
    }
  }

  /**
   * One CALLBACK frame: decoded, its inbound row committed, and only then answered. A crash (or a
   * database error) before the commit leaves the frame unanswered, so DingTalk sends it again.
   */
  private async receive(frame: DWClientDownStream, decode: (frame: DWClientDownStream) => Decoded): Promise<void> {
    const { messageId, topic } = frame.headers;
    const arrivedAt = sentAt(frame.headers.time);
    if (typeof messageId !== 'string' || !messageId) {
      // DingTalk names every frame; one without a messageId can be neither answered nor told from its resends.
      this.log.warn({ topic }, 'ignored a DingTalk frame without a messageId');
      return;
    }
    let decoded: Decoded;
    try {
      decoded = decode(frame);
    } catch (err) {
      if (!(err instanceof RequestRefused)) {
        this.log.error({ err, messageId, topic }, 'could not decode a DingTalk frame; leaving it unanswered');
        return;
      }
      // A frame that can never be decoded is answered, or DingTalk would resend it for a minute.
      this.log.warn({ messageId, topic, err: err.message }, 'dropped an undecodable DingTalk frame');
      this.client.answer(messageId, null);
      return;
    }
    if (decoded.ignore) {
      this.log.warn({ messageId, topic, reason: decoded.ignore }, 'ignored a DingTalk frame');
      this.client.answer(messageId, null);
      return;
    }
    // Opened before the tap is stored, so the outbox can hand over no update of it before it is waited for.
    const tap =
      topic === TOPIC_CARD && decoded.event.kind === 'card-action'
        ? this.taps.open(messageId, decoded.event.cardId)
        : undefined;
    let stored: Awaited<ReturnType<Bot['ingest']>>;
    try {
      stored = await this.bot.ingest(decoded.event, decoded.externalId, { replyWindow: decoded.replyWindow });
      this.log.debug(
        { messageId, externalId: decoded.externalId, duplicate: stored.duplicate },
        'DingTalk frame stored',
      );
    } catch (err) {
      tap?.close();
      this.log.error(
        { err, messageId, externalId: decoded.externalId },
        'could not store a DingTalk frame; leaving it unanswered',
      );
      return;
    }
    if (topic !== TOPIC_CARD) {
      this.client.answer(messageId, null);
      return;
    }
    const answer = await this.taps.answer(messageId, decoded.event, stored, arrivedAt, tap);
    const written = this.client.answer(messageId, answer);
    if (decoded.event.kind === 'card-action')
      await this.taps.afterAnswer({ messageId, cardId: decoded.event.cardId, answer, written, arrivedAt });
  }

  /**
   * A problem only the plant's admins can fix, posted to the ops conversation (logged when there is none).
   * The key is the post's outbox idempotency key: each problem is told once, across processes and restarts.
   */
  private async reportToOps(key: string, text: string): Promise<void> {
    const conversationId = this.bot.config.opsConversation;
    this.log.warn({ key, told: Boolean(conversationId) }, 'DingTalk problem for the ops conversation');
    if (!conversationId) return;
    const effect: Effect = { kind: 'post', to: { conversationId }, text };
    await this.bot.db.transaction((tx) =>
      enqueueEffects(tx, [{ effect, key }], { platform: PLATFORM, now: this.bot.now() }),
    );
    this.bot.sender.wake();
  }

  private decodeMessage(frame: DWClientDownStream): Decoded {
    const now = this.bot.now();
    const message = decodeRobotMessage(frame.data, this.ids, now);
    const ignore =
      message.robotCode && message.robotCode !== this.settings.robotCode
        ? `robot ${message.robotCode} is not ours`
        : undefined;
    const webhook = message.sessionWebhook;
    return {
      event: message.event,
      externalId: message.externalId,
      ...(ignore ? { ignore } : {}),
      ...(webhook ? { replyWindow: { ...webhook, platform: PLATFORM, usesLeft: null } } : {}),
    };
  }

  private decodeCardAction(frame: DWClientDownStream): Decoded {
    return decodeCardCallback(frame.data, frame.headers.messageId, this.ids, this.bot.now());
  }
}
