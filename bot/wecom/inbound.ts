import type { Logger } from 'pino';
import { reasonFromSelection } from '../../cards/wecom';
import type { CardActionEvent, MessageEvent } from '../../core/events';
import type { Bot } from '../bot';
import type { AibotPayload } from './aibot-payload';
import type { AppPayload } from './app-payload';
import { addClickCode } from './card-codes';
import { cardIdOfTask } from './card-delivery';
import { conversationOfChat, directConversation, personOfUser } from './identities';
import { responseUrlWindow } from './reply-windows';

const PLATFORM = 'wecom';

/** Turns verified WeCom payloads into neutral events and commits them (dedupe happens in ingest). */
export class WecomInbound {
  constructor(
    private readonly bot: Bot,
    private readonly apiOrigin: string,
    private readonly log: Logger,
  ) {}

  /** A text in someone's 1:1 chat with the app, or a tap on an app card. */
  async fromApp(payload: AppPayload): Promise<void> {
    if (payload.kind === 'ignored') return this.log.debug({ what: payload.what }, 'app callback ignored');
    const person = personOfUser(this.bot.config, payload.fromUser);
    const now = this.bot.now();
    if (payload.kind === 'text') {
      const event: MessageEvent = {
        kind: 'message',
        platform: PLATFORM,
        conversationId: directConversation(person.id),
        senderId: person.id,
        senderName: person.name,
        text: payload.content,
        messageId: payload.msgId,
        receivedAt: now.toISOString(),
        addressedToBot: true,
      };
      await this.bot.ingest(event, `msg:${payload.msgId}`);
      return;
    }
    const cardId = cardIdOfTask(payload.taskId);
    const reasonId = reasonFromSelection(payload.selected);
    const { responseCode } = payload;
    const event: CardActionEvent = {
      kind: 'card-action',
      platform: PLATFORM,
      cardId,
      actionKey: payload.eventKey,
      actorId: person.id,
      ...(reasonId ? { reasonId } : {}),
      receivedAt: now.toISOString(),
      ...(responseCode ? { callbackRef: responseCode } : {}),
    };
    // CreateTime has one-second resolution: the task and the button (and the chosen reason) tell taps apart.
    const chosen = payload.selected.flatMap((s) => s.optionIds).join(',');
    const key = `click:${payload.fromUser}:${payload.createTime}:${payload.taskId}:${payload.eventKey}${chosen ? `:${chosen}` : ''}`;
    await this.bot.ingest(
      event,
      key,
      responseCode ? { alsoInTx: (tx) => addClickCode(tx, cardId, responseCode, now) } : {},
    );
  }

  /**
   * An @-mention of the AI bot in a group, or a 1:1 message to it; its response_url opens a reply window.
   * A tap on a card the AI bot posted is a card action; resolves to the handler's run when the tap is new
   * (not a repeat of an event already taken), so its answer can go into the event's reply.
   */
  async fromAibot(payload: AibotPayload): Promise<{ handled: Promise<void> } | undefined> {
    if (payload.kind === 'ignored') {
      this.log.debug({ what: payload.what }, 'AI-bot callback ignored');
      return undefined;
    }
    const { config } = this.bot;
    const person = personOfUser(config, payload.fromUser);
    const conversationId =
      payload.chatType === 'group' && payload.chatId
        ? conversationOfChat(config, payload.chatId)
        : directConversation(person.id);
    if (conversationId.startsWith('wecom:')) {
      this.log.info(
        { chatId: payload.chatId },
        'AI-bot message from a group not in the business config (add its chatId under conversations)',
      );
    }
    const url = this.trustedUrl(payload.responseUrl);
    const now = this.bot.now();
    const replyWindow = url ? responseUrlWindow(conversationId, url, now) : undefined;
    if (payload.kind === 'card-tap') {
      const cardId = cardIdOfTask(payload.taskId);
      const event: CardActionEvent = {
        kind: 'card-action',
        platform: PLATFORM,
        cardId,
        actionKey: payload.eventKey,
        actorId: person.id,
        receivedAt: now.toISOString(),
      };
      const { handled } = await this.bot.ingest(event, `aibot-tap:${payload.eventId}`, { replyWindow });
      return handled ? { handled } : undefined;
    }
    const event: MessageEvent = {
      kind: 'message',
      platform: PLATFORM,
      conversationId,
      senderId: person.id,
      senderName: person.name,
      text: payload.content,
      messageId: payload.msgId,
      receivedAt: now.toISOString(),
      addressedToBot: true,
      ...(url ? { replyRef: url } : {}),
    };
    await this.bot.ingest(event, `aibot:${payload.msgId}`, { replyWindow });
    return undefined;
  }

  /** Only a response_url on the WeCom API host is ever posted to. */
  private trustedUrl(url: string | undefined): string | undefined {
    if (!url) return undefined;
    try {
      if (new URL(url).origin === this.apiOrigin) return url;
    } catch {
      // not a URL
    }
    this.log.warn('AI-bot response_url is not on the WeCom API host; not used');
    return undefined;
  }
}
