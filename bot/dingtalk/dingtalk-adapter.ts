import { TOPIC_CARD, TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream';
import type { Logger } from 'pino';
import type { Env } from '../../config/env';
import type { Tx } from '../../db/client';
import type { InboundEvent } from '../../core/events';
import type { Effect } from '../../core/effects';
import type { Card } from '../../cards/model';
import { enqueueEffects } from '../../core/outbox';
import type { DirectoryReader } from '../../domain/directory';
import type { PlatformAdapter } from '../adapter';
import { DeliveryError } from '../../core/errors';
import type { Bot } from '../bot';
import { storableText } from '../storable-text';
import {
  CardDelivery,
  callbackAnswer,
  cardAnsweredBefore,
  claimCallbackUpdate,
  releaseCallbackUpdate,
} from './card-delivery';
import { DingtalkDirectory } from './directory';
import { DingtalkDirectoryReader } from './directory-reader';
import { decodeCardCallback, decodeRobotMessage, PLATFORM } from './inbound';
import { RequestRefused } from '../../core/errors';
import { MessageSender } from './messages';
import { DingtalkOpenApi } from './openapi';
import { DingtalkQuota } from './quota';
import { rememberSessionWebhook } from './reply-windows';
import { dingtalkSettings, type DingtalkSettings } from './settings';
import { GatewayStreamClient } from './stream-client';
import { StreamHolder, streamLeaseName } from './stream-holder';

interface Decoded {
  event: InboundEvent;
  externalId: string;
  alsoInTx?: (tx: Tx) => Promise<void>;
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
  callbackAnswerWaitMs = 1200;
  /** Card taps of this process waiting for their answer, by the frame's messageId. */
  private readonly waitingTaps = new Map<string, WaitingTap>();

  constructor(
    private readonly bot: Bot,
    env: Env,
  ) {
    this.settings = dingtalkSettings(env);
    this.log = bot.log.child({ platform: PLATFORM });
    this.ids = new DingtalkDirectory(bot.configSource);
    const clock = () => bot.now();
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

  async deliver(effect: Effect): Promise<void> {
    return this.quota.deliver(effect, () => this.send(effect));
  }

  private async send(effect: Effect): Promise<void> {
    switch (effect.kind) {
      case 'post':
        return this.messages.post(effect.to, effect.text);
      case 'send-card':
        return this.cards.send(effect.to, effect.card);
      case 'update-card':
        if (this.handOver(effect)) return;
        return this.cards.update(effect.cardId, effect.card);
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
      return this.client.answer(messageId, null);
    }
    if (decoded.ignore) {
      this.log.warn({ messageId, topic, reason: decoded.ignore }, 'ignored a DingTalk frame');
      return this.client.answer(messageId, null);
    }
    // Opened before the tap is stored, so the outbox can hand over no update of it before it is waited for.
    const tap =
      topic === TOPIC_CARD && decoded.event.kind === 'card-action'
        ? this.openTap(messageId, decoded.event.cardId)
        : undefined;
    let stored: Awaited<ReturnType<Bot['ingest']>>;
    try {
      stored = await this.bot.ingest(decoded.event, decoded.externalId, decoded.alsoInTx);
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
    if (topic !== TOPIC_CARD) return this.client.answer(messageId, null);
    this.client.answer(messageId, await this.cardAnswer(messageId, decoded.event, stored, arrivedAt, tap));
  }

  /**
   * The answer to a card tap, sent after its inbound row is committed. DingTalk applies an answer's card data
   * to the tapped card if it comes within 2 s, and asks for no update call meanwhile: so the handler gets until
   * `callbackAnswerWaitMs` after the frame was sent, and if it committed an update of the tapped card for this
   * tap, that update goes in the answer, never by PUT: taken from the outbox (marked sent while still pending),
   * or, when an outbox sender got to it first, handed over by `deliver` while the tap still waits. Otherwise
   * the answer is empty and the outbox PUTs the update. Other copies of the card always go by PUT.
   */
  private async cardAnswer(
    messageId: string,
    event: InboundEvent,
    stored: Awaited<ReturnType<Bot['ingest']>>,
    arrivedAt: number,
    tap: WaitingTap | undefined,
  ): Promise<object> {
    if (event.kind !== 'card-action') return {};
    const left = (ms: number) => arrivedAt + ms - Date.now();
    try {
      // A repeat of a tap answered with its update before: that answer may be what was lost, so give it again.
      if (stored.duplicate) {
        const card = await cardAnsweredBefore(this.bot.db, messageId);
        return card ? callbackAnswer(card) : {};
      }
      if (!tap || !stored.handled) return {};
      const handled = stored.handled.then(() => true);
      await within(Promise.race([tap.handed, handled]), left(this.callbackAnswerWaitMs));
      if (tap.card) return callbackAnswer(tap.card);
      if (!(await within(handled, 0))) return {};
      const claimed = await claimCallbackUpdate(this.bot.db, { messageId, cardId: event.cardId, now: this.bot.now() });
      if (tap.card) return callbackAnswer(tap.card);
      if (claimed) {
        tap.close();
        if (left(this.callbackAnswerWaitMs + CLAIM_GRACE_MS) < 0) {
          // Claimed, but the answer could now reach DingTalk after its 2 s: the outbox PUTs the update instead.
          await releaseCallbackUpdate(this.bot.db, { messageId, cardId: event.cardId });
          return {};
        }
        return callbackAnswer(claimed);
      }
      // An outbox sender may be delivering it: it hands the card over while the tap waits.
      const handed = await within(tap.handed, left(this.callbackAnswerWaitMs + CLAIM_GRACE_MS));
      return handed ? callbackAnswer(handed) : {};
    } catch (err) {
      this.log.warn({ err, messageId }, 'could not put the card update in the callback answer; the outbox sends it');
      return tap?.card ? callbackAnswer(tap.card) : {};
    } finally {
      tap?.close();
    }
  }

  /** Starts waiting for a tap's update (one wait per frame; a repeat arriving meanwhile gets none). */
  private openTap(messageId: string, cardId: string): WaitingTap | undefined {
    if (this.waitingTaps.has(messageId)) return undefined;
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
        if (this.waitingTaps.get(messageId) === tap) this.waitingTaps.delete(messageId);
      },
    };
    this.waitingTaps.set(messageId, tap);
    return tap;
  }

  /** An update of a tapped card that the tap is still waiting for goes in its answer: true if handed over. */
  private handOver(effect: Extract<Effect, { kind: 'update-card' }>): boolean {
    const tap = effect.callbackRef ? this.waitingTaps.get(effect.callbackRef) : undefined;
    if (!tap || tap.cardId !== effect.cardId) return false;
    tap.close();
    tap.take(effect.card);
    this.log.debug({ cardId: effect.cardId }, 'DingTalk card update handed to the waiting tap');
    return true;
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
      // Cleaned as ingest cleans the event, so that the window is stored, and found under the event's conversation.
      ...(webhook
        ? {
            alsoInTx: (tx: Tx) =>
              rememberSessionWebhook(tx, {
                ...webhook,
                conversationId: storableText(webhook.conversationId),
                url: storableText(webhook.url),
                now,
              }),
          }
        : {}),
    };
  }

  private decodeCardAction(frame: DWClientDownStream): Decoded {
    return decodeCardCallback(frame.data, frame.headers.messageId, this.ids, this.bot.now());
  }
}

/** How much longer than the wait the claim may take before its answer is given up (DingTalk's limit is 2 s). */
const CLAIM_GRACE_MS = 300;

/**
 * When DingTalk sent a frame, as far as this process can tell: the frame's `time` header (ms epoch) when it
 * is earlier than now by less than 10 s (a frame that waited in this process's queue has less of its 2 s
 * left), else now (a clock ahead of ours, or a header that cannot be read, is not trusted).
 */
function sentAt(time: unknown): number {
  const now = Date.now();
  const sent = Number(time);
  return Number.isFinite(sent) && sent <= now && now - sent < 10_000 ? sent : now;
}

/** A card tap waiting for the update it made, to answer with it. */
interface WaitingTap {
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
