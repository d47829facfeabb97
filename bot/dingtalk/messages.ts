import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import type { Destination } from '../../core/effects';
import type { Delivery } from '../adapter';
import { DeliveryError } from '../../core/errors';
import type { DingtalkDirectory, DingtalkTarget } from './directory';
import { httpJson, type DingtalkOpenApi } from './openapi';
import { closeSessionWebhook, openSessionWebhook } from './reply-windows';
import type { DingtalkSettings } from './settings';

/** A robot message as the msgKey/msgParam pair of the robot APIs (msgParam is sent as a JSON string). */
export interface RobotMessage {
  msgKey: string;
  msgParam: Record<string, string>;
}

/**
 * Handler texts use light markdown (**bold**, one item a line); DingTalk markdown needs blank lines to break.
 * The title (what the message list shows) is the first line, or `fallbackTitle` when that is empty.
 */
export function markdownMessage(text: string, fallbackTitle: string): RobotMessage {
  const lines = text.split('\n');
  const first = lines.find((l) => l.trim()) ?? text;
  const title =
    first
      .replace(/[*#>`]/g, '')
      .trim()
      .slice(0, 32) || fallbackTitle;
  return { msgKey: 'sampleMarkdown', msgParam: { title, text: lines.join('\n\n') } };
}

const SEND_TOO_FAST = 130101;
/** The answer of a session webhook past its 90 minutes ("session 不存在"); its HTTP status is not known. */
const SESSION_GONE = 300001;

/**
 * Posts to a group or to a person's 1:1 chat with the robot. A group's (or chat's) session webhook is used
 * while it is valid; otherwise the robot's group-message or 1:1 API, which work at any time.
 */
export class MessageSender {
  constructor(
    private readonly settings: DingtalkSettings,
    private readonly directory: DingtalkDirectory,
    private readonly api: DingtalkOpenApi,
    private readonly db: Database,
    private readonly clock: () => Date,
    private readonly log: Logger,
    /** The title of a message whose first line says nothing. */
    private readonly botName: string,
  ) {}

  /**
   * Posts through the conversation's session webhook when it has one open, else the OpenAPI. The outbox gives the
   * webhook it found (`replyUrl`), or says it found none (`replyWindow` false); only without either is one looked for.
   */
  async post(to: Destination, text: string, found: Pick<Delivery, 'replyWindow' | 'replyUrl'> = {}): Promise<void> {
    const target = this.target(to);
    const message = markdownMessage(text, this.botName);
    const webhook =
      found.replyUrl ??
      (found.replyWindow === false
        ? undefined
        : await openSessionWebhook(this.db, target.conversationId, this.clock()));
    if (webhook && (await this.viaSessionWebhook(webhook, message))) return;
    await this.send(target, message);
  }

  /** Sends a robot message through the OpenAPI (never the session webhook). */
  async send(target: Exclude<DingtalkTarget, { kind: 'unknown' }>, message: RobotMessage): Promise<void> {
    const msgParam = JSON.stringify(message.msgParam);
    if (target.kind === 'group') {
      await this.api.require('group message', 'POST', '/v1.0/robot/groupMessages/send', {
        robotCode: this.settings.robotCode,
        openConversationId: target.openConversationId,
        msgKey: message.msgKey,
        msgParam,
      });
      return;
    }
    const answer = await this.api.require<{ invalidStaffIdList?: string[]; flowControlledStaffIdList?: string[] }>(
      '1:1 robot message',
      'POST',
      '/v1.0/robot/oToMessages/batchSend',
      { robotCode: this.settings.robotCode, userIds: [target.staffId], msgKey: message.msgKey, msgParam },
    );
    if (answer.invalidStaffIdList?.includes(target.staffId)) {
      throw DeliveryError.permanent(
        `DingTalk does not know staff id ${target.staffId} (or the robot is not visible to them)`,
      );
    }
    if (answer.flowControlledStaffIdList?.includes(target.staffId)) {
      throw DeliveryError.throttled(`DingTalk throttled the 1:1 message to ${target.staffId}`, { afterMs: 60_000 });
    }
  }

  target(to: Destination): Exclude<DingtalkTarget, { kind: 'unknown' }> {
    const target = this.directory.resolve(to);
    if (target.kind === 'unknown') throw DeliveryError.permanent(target.reason);
    return target;
  }

  /** True when DingTalk took the message; false when the webhook is no longer usable (then the API is used). */
  private async viaSessionWebhook(url: string, message: RobotMessage): Promise<boolean> {
    const body = { msgtype: 'markdown', markdown: message.msgParam };
    const response = await httpJson(url, 'POST', body, {}, this.settings.requestTimeoutMs);
    const errcode = (response.json as { errcode?: number } | undefined)?.errcode;
    if (response.status === 200 && errcode === 0) return true;
    if (errcode === SEND_TOO_FAST)
      throw DeliveryError.throttled('DingTalk throttled the group (send too fast)', { afterMs: 30_000 });
    // Expired (300001) or refused otherwise: closed for good, and this message goes through the robot API now.
    this.log.info(
      { status: response.status, errcode, expired: errcode === SESSION_GONE },
      'session webhook refused; using the robot API instead',
    );
    await closeSessionWebhook(this.db, url, this.clock());
    return false;
  }
}
