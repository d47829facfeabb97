import { checkTemplateCard } from './template-card-rules';
import { randomCode } from './wire';
import type { Reply } from './app-api';

type Obj = Record<string, unknown>;

export interface GroupApiOptions {
  /** Webhook robot key → the chatid of the group it posts into. */
  webhooks: Record<string, string>;
  webhookPerMinute: number;
  /** Unconfirmed: 45009 is the commonly reported one. */
  webhookOverLimitErrcode: number;
  responseUrlTtlMs: number;
  responseUrlUsedErrcode: number;
  responseUrlExpiredErrcode: number;
}

/** A message as it appears in a chat: a group (by chatid) or a member's 1:1 chat with the AI bot. */
export interface ChatMessage {
  via: 'webhook' | 'response_url';
  msgtype: string;
  content: string;
  card?: Obj;
  at: Date;
}

/** A template card the AI bot posted into a chat, as the members see it now. */
export interface GroupCardView {
  chat: string;
  taskId: string;
  card: Obj;
  /** Updates applied through a tap's passive reply. */
  updates: number;
  /** replace_text of an update: the buttons are grey and can no longer be tapped. */
  greyed?: string;
}

interface ResponseUrl {
  chat: string;
  mintedAt: number;
  used: boolean;
}

const ok = (): Reply => ({ errcode: 0, errmsg: 'ok' });
const fail = (errcode: number, errmsg: string): Reply => ({ errcode, errmsg });

/** The two ways into a group: a webhook robot (send-only, rate limited) and the AI bot's response_url (once, 1 h). */
export class FakeGroupApi {
  readonly chats = new Map<string, ChatMessage[]>();
  readonly groupCards = new Map<string, GroupCardView>();
  private readonly webhookSends = new Map<string, number[]>();
  private readonly responseUrls = new Map<string, ResponseUrl>();

  constructor(
    private readonly options: GroupApiOptions,
    private readonly now: () => number,
  ) {}

  webhook(key: string | null, body: Obj): Reply {
    const chat = key ? this.options.webhooks[key] : undefined;
    if (!chat) return fail(93000, 'invalid webhook url');
    const recent = (this.webhookSends.get(key!) ?? []).filter((t) => t > this.now() - 60_000);
    this.webhookSends.set(key!, recent);
    if (recent.length >= this.options.webhookPerMinute)
      return fail(this.options.webhookOverLimitErrcode, 'api freq out of limit');
    const message = this.message(body, 'webhook');
    if ('errcode' in message) return message;
    recent.push(this.now());
    this.post(chat, message);
    return ok();
  }

  /** The response_url of one AI-bot callback into `chat` (a group chatid, or the userid of a 1:1 chat). */
  mintResponseUrl(base: string, chat: string): string {
    const code = randomCode();
    this.responseUrls.set(code, { chat, mintedAt: this.now(), used: false });
    return `${base}/cgi-bin/aibot/response?response_code=${encodeURIComponent(code)}`;
  }

  respond(code: string | null, body: Obj): Reply {
    const url = code ? this.responseUrls.get(code) : undefined;
    if (!url || url.used) return fail(this.options.responseUrlUsedErrcode, 'response_code is invalid or used');
    if (this.now() - url.mintedAt > this.options.responseUrlTtlMs)
      return fail(this.options.responseUrlExpiredErrcode, 'response_code expired');
    const message = this.message(body, 'response_url');
    if ('errcode' in message) return message;
    url.used = true;
    this.post(url.chat, message);
    const taskId = message.card?.task_id;
    if (typeof taskId === 'string')
      this.groupCards.set(taskId, { chat: url.chat, taskId, card: message.card!, updates: 0 });
    return ok();
  }

  /**
   * A tap's passive reply `{response_type: "update_template_card", template_card}` applied to the tapped card,
   * validated like a card sent through response_url (same task_id); else why WeCom would not apply it.
   */
  applyPassiveReply(taskId: string, reply: Obj): string | undefined {
    const view = this.groupCards.get(taskId);
    if (!view) return `no card ${taskId}`;
    if (reply.response_type !== 'update_template_card') return `response_type ${String(reply.response_type)}`;
    const card = reply.template_card as Obj | undefined;
    const problem = checkTemplateCard(card, 'aibot');
    if (problem) return `${problem.errcode} ${problem.errmsg}`;
    if (card!.task_id !== taskId) return 'template_card.task_id differs from the tapped card';
    view.card = card!;
    view.greyed = typeof card!.replace_text === 'string' ? card!.replace_text : undefined;
    view.updates += 1;
    return undefined;
  }

  private message(body: Obj, via: ChatMessage['via']): ChatMessage | Reply {
    const at = new Date(this.now());
    const limit = via === 'webhook' ? { text: 2048, markdown: 4096 } : { text: 2048, markdown: 20480 };
    switch (body.msgtype) {
      case 'text':
      case 'markdown': {
        if (via === 'response_url' && body.msgtype === 'text') return fail(40008, 'invalid message type');
        const content = (body[body.msgtype] as Obj | undefined)?.content;
        if (typeof content !== 'string' || content === '') return fail(44004, 'empty content');
        if (Buffer.byteLength(content) > limit[body.msgtype]) return fail(45002, 'content size out of limit');
        return { via, msgtype: body.msgtype, content, at };
      }
      case 'template_card': {
        const problem = checkTemplateCard(body.template_card, via === 'webhook' ? 'webhook' : 'aibot');
        if (problem) return fail(problem.errcode, problem.errmsg);
        return { via, msgtype: 'template_card', content: '', card: body.template_card as Obj, at };
      }
      default:
        return fail(40008, 'invalid message type');
    }
  }

  private post(chat: string, message: ChatMessage) {
    const messages = this.chats.get(chat) ?? [];
    messages.push(message);
    this.chats.set(chat, messages);
  }
}
