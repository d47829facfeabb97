import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { readEnv, type Env } from '../../../config/env';
import { demoDirectory, type DirectoryApiOptions, FakeDirectoryApi } from './directory-api';
import { FakeGateway, TOPIC_CARD, TOPIC_ROBOT, type GatewayOptions } from './gateway';
import { sendJson } from './http';
import { FakeOpenApi, type FakeCard, type OpenApiOptions } from './openapi';

export { TOPIC_CARD, TOPIC_ROBOT };

export interface FakeDingtalkOptions {
  clock?: () => Date;
  gateway?: Partial<GatewayOptions>;
  api?: Partial<Omit<OpenApiOptions, 'clock'>>;
  /**
   * The company directory (通讯录) the old-style server API serves: `departments`, `users`, `withholdMobiles`
   * (default true), `maxPageSize`, `tokenTtlSeconds`; default the demo plant's directory.
   */
  directory?: Partial<Omit<DirectoryApiOptions, 'clock' | 'clientId' | 'clientSecret'>>;
}

const CORP_ID = 'dingfakecorp0001';

/**
 * A DingTalk tenant on 127.0.0.1: Stream gateway, OpenAPI, session webhooks and the old-style server API's
 * contacts calls (gettoken, topapi v2 department/user) on one port. The real `dingtalk-stream` client
 * connects to it unmodified once DINGTALK_GATEWAY_URL points here. Drivers play the people: `say` (a robot
 * message) and `tap` (a card button).
 */
export class FakeDingtalk {
  readonly gateway: FakeGateway;
  readonly api: FakeOpenApi;
  /** gettoken and the topapi contacts calls (oapi.dingtalk.com), on the same port as the OpenAPI. */
  readonly directory: FakeDirectoryApi;
  readonly clientId = 'dingfakeclient';
  readonly clientSecret = 'fake-secret-0123456789';
  readonly templateId = 'fake-approval-template.schema';
  private server!: Server;
  private msgCount = 0;
  url = '';

  private constructor(private readonly options: FakeDingtalkOptions) {
    const clock = options.clock ?? (() => new Date());
    this.gateway = new FakeGateway({
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      applyCardAnswer: (outTrackId, userId, response) => this.api.applyCallbackAnswer(outTrackId, userId, response),
      ...options.gateway,
    });
    this.api = new FakeOpenApi({
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      robotCode: this.clientId,
      templates: [this.templateId],
      staffIds: [
        '0211001',
        '0211002',
        '0212001',
        '0212002',
        '0213001',
        '0214001',
        '0212000',
        '0213000',
        '0214000',
        '0215001',
        '0216001',
        '0210000',
      ],
      clock,
      ...options.api,
    });
    this.directory = new FakeDirectoryApi({
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      clock,
      ...demoDirectory(),
      ...options.directory,
    });
  }

  static async start(options: FakeDingtalkOptions = {}): Promise<FakeDingtalk> {
    const fake = new FakeDingtalk(options);
    await fake.listen();
    return fake;
  }

  private get clock(): () => Date {
    return this.options.clock ?? (() => new Date());
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const route = `${req.method} ${url.pathname}`;
      const handled =
        route === 'POST /v1.0/gateway/connections/open'
          ? this.gateway.open(req, res)
          : this.api.handles(req.method ?? '', url.pathname)
            ? this.api.handle(req, res, url.pathname, url.searchParams)
            : this.directory.handles(req.method ?? '', url.pathname)
              ? this.directory.handle(req, res, url.pathname, url.searchParams)
              : Promise.resolve(sendJson(res, 404, { code: 'NotFound', message: `${route} is not a DingTalk API` }));
      handled.catch((err: Error) => sendJson(res, 500, { code: 'FakeError', message: err.message }));
    });
    this.server.on('upgrade', (req, socket, head) => this.gateway.upgrade(req, socket, head));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.gateway.wsBase = `ws://127.0.0.1:${port}`;
    this.api.baseUrl = this.url;
  }

  /** The environment that points orderbot's DingTalk adapter here. */
  env(overrides: Record<string, string | undefined> = {}): Env {
    return readEnv({ LOG_LEVEL: 'silent', ...this.envVars(), ...overrides });
  }

  /** The same, as strings (a child process's env). */
  envVars(): Record<string, string> {
    return {
      DINGTALK_CLIENT_ID: this.clientId,
      DINGTALK_CLIENT_SECRET: this.clientSecret,
      DINGTALK_CARD_TEMPLATE_ID: this.templateId,
      DINGTALK_API_BASE: this.url,
      DINGTALK_OAPI_BASE: this.url,
      DINGTALK_GATEWAY_URL: `${this.url}/v1.0/gateway/connections/open`,
    };
  }

  reset(): void {
    this.gateway.reset();
    this.api.reset();
    this.directory.reset();
  }

  async close(): Promise<void> {
    this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Staff member `staffId` writes `text` to the robot: in group `group` (an @-mention; DingTalk cuts the
   * mention out and leaves a leading space), or in their 1:1 chat with the robot when no group is given.
   */
  say(args: { staffId: string; text: string; group?: string; nick?: string; msgId?: string; connectionId?: string }): {
    msgId: string;
    messageId: string;
    data: Record<string, unknown>;
  } {
    const msgId = args.msgId ?? `msg${randomBytes(8).toString('base64url')}==`;
    const inGroup = args.group !== undefined;
    const conversationId = args.group ?? `cidDirect${args.staffId}==`;
    const webhook = this.api.openSessionWebhook(inGroup ? `group:${args.group}` : `user:${args.staffId}`);
    const now = this.clock().getTime();
    this.msgCount += 1;
    const data: Record<string, unknown> = {
      conversationId,
      chatbotCorpId: CORP_ID,
      chatbotUserId: '$:LWCP_v1:$fakeRobotUser',
      msgId,
      senderNick: args.nick ?? `用户${args.staffId.slice(-3)}`,
      isAdmin: false,
      senderStaffId: args.staffId,
      sessionWebhookExpiredTime: webhook.expiresAt,
      createAt: now,
      senderCorpId: CORP_ID,
      conversationType: inGroup ? '2' : '1',
      senderId: `$:LWCP_v1:$sender${args.staffId}`,
      sessionWebhook: webhook.url,
      robotCode: this.api.options.robotCode,
      msgtype: 'text',
      text: { content: inGroup ? ` ${args.text}` : args.text },
      ...(inGroup
        ? { conversationTitle: '销售群', isInAtList: true, atUsers: [{ dingtalkId: '$:LWCP_v1:$fakeRobotUser' }] }
        : {}),
    };
    const messageId = this.gateway.push(
      TOPIC_ROBOT,
      data,
      args.connectionId ? { connectionId: args.connectionId } : {},
    );
    return { msgId, messageId, data };
  }

  /**
   * Staff member `staffId` taps button `action` on card `outTrackId`, with a reason typed into the card's
   * `note` input. Only the card's recipient (or any member, for a group card) can see it, and only while
   * its buttons show; `unseen: true` models a tap that reaches the card some other way (a stale copy).
   */
  tap(args: {
    staffId: string;
    outTrackId: string;
    action: string;
    note?: string;
    /** The id picked in the card's reason select (the template binds it to the `reason` param). */
    reason?: string;
    via?: 'actionId' | 'param';
    unseen?: boolean;
    connectionId?: string;
  }): string {
    const card = this.api.cards.get(args.outTrackId);
    if (!card) throw new Error(`the fake has no card ${args.outTrackId}`);
    if (card.callbackType !== 'STREAM')
      throw new Error(`card ${args.outTrackId} was created without callbackType STREAM: taps never reach the bot`);
    if (!args.unseen) {
      if (!card.delivered) throw new Error(`card ${args.outTrackId} never reached its space`);
      if (card.spaceType === 'IM_ROBOT' && card.spaceId !== args.staffId)
        throw new Error(`${args.staffId} cannot see ${args.outTrackId}, which went to ${card.spaceId}`);
      if (card.params.showActions === 'false') throw new Error(`card ${args.outTrackId} shows no buttons any more`);
    }
    const params: Record<string, string> = {
      ...(args.via === 'actionId' ? {} : { action: args.action }),
      ...(args.note !== undefined ? { note: args.note } : {}),
      ...(args.reason !== undefined ? { reason: args.reason } : {}),
    };
    const content = JSON.stringify({
      cardPrivateData: {
        actionIds: [args.via === 'param' ? `button_${randomBytes(3).toString('hex')}` : args.action],
        params,
      },
    });
    const data = {
      extension: '{}',
      corpId: CORP_ID,
      spaceType: card.spaceType,
      userIdType: 1,
      type: 'actionCallback',
      userId: args.staffId,
      content,
      spaceId: card.spaceId,
      outTrackId: args.outTrackId,
      value: content,
    };
    return this.gateway.push(TOPIC_CARD, data, args.connectionId ? { connectionId: args.connectionId } : {});
  }

  /** What the robot said in a group (session webhook or group API), in order. */
  groupTexts(openConversationId: string): string[] {
    return this.api.messages.filter((m) => m.chat === `group:${openConversationId}`).map((m) => m.text);
  }

  /** What the robot said to a person in their 1:1 chat, in order. */
  userTexts(staffId: string): string[] {
    return this.api.messages.filter((m) => m.chat === `user:${staffId}`).map((m) => m.text);
  }

  /** Interactive cards delivered to a person's 1:1 chat with the robot. */
  cardsOf(staffId: string): FakeCard[] {
    return [...this.api.cards.values()].filter(
      (c) => c.delivered && c.spaceType === 'IM_ROBOT' && c.spaceId === staffId,
    );
  }

  /** Polls until `check` returns something (not undefined/false), calling `tick` between tries; 10 s at most. */
  async waitFor<T>(check: () => T | undefined | false, what: string, tick?: () => void): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const value = check();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      tick?.();
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
