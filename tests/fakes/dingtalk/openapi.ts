import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FAILURE_ANSWERS, FailurePlan } from './failures';
import { apiError, isRecord, parseJsonBody, readBody, sendJson } from './http';

export interface OpenApiOptions {
  clientId: string;
  clientSecret: string;
  robotCode: string;
  /** Card templates that exist in the tenant (others get `param.templateNotExist`). */
  templates: string[];
  /** Templates that exist but are not published: createAndDeliver answers `param.templateUnpublished`. */
  unpublishedTemplates?: string[];
  /** Staff ids of the tenant; others are reported in invalidStaffIdList. */
  staffIds: string[];
  /** Business time: token and session-webhook expiry follow it. */
  clock: () => Date;
  tokenTtlSeconds?: number;
  sessionWebhookTtlMs?: number;
  /** Robot messages per group per minute before the group is throttled (DingTalk: about 20). */
  groupLimitPerMinute?: number;
  /** The error code a throttled group send gets (unconfirmed). */
  groupLimitCode?: string;
  /**
   * What a second createAndDeliver with the same outTrackId gets (unknown): `reject` answers 400
   * `param.cardAlreadyExist` (the documented code); `succeed` answers as for the first one.
   */
  duplicateOutTrackId?: 'reject' | 'succeed';
  /**
   * The organisation's OpenAPI calls a month (China time; token and session-webhook calls not counted)
   * before calls are answered 403 `Forbidden.AccessDenied.ApiCountLimitForOrg`; unset: no limit.
   */
  monthlyLimit?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  status: number;
  at: Date;
}

/** A message the robot sent, wherever it went. */
export interface SentMessage {
  via: 'sessionWebhook' | 'groupMessages' | 'oToMessages';
  /** `group:<openConversationId>` or `user:<staffId>`. */
  chat: string;
  msgKey: string;
  param: Record<string, unknown>;
  /** The text a person reads (markdown text or plain content). */
  text: string;
  at: Date;
}

export interface FakeCard {
  outTrackId: string;
  templateId: string;
  spaceType: 'IM_GROUP' | 'IM_ROBOT';
  spaceId: string;
  callbackType: string;
  params: Record<string, string>;
  versions: Array<Record<string, string>>;
  /** The tapping users' private data (a callback answer's userPrivateData). */
  privateData: Record<string, Record<string, string>>;
  /** How each change after creation came: a PUT, or the answer to a tap's callback. */
  updates: Array<'put' | 'callback'>;
  /** False while the card exists but its space was not reached (a per-space delivery failure). */
  delivered: boolean;
  createdAt: Date;
}

interface SessionWebhook {
  chat: string;
  expiresAt: number;
}

const ROUTES = {
  token: 'POST /v1.0/oauth2/accessToken',
  group: 'POST /v1.0/robot/groupMessages/send',
  oto: 'POST /v1.0/robot/oToMessages/batchSend',
  createCard: 'POST /v1.0/card/instances/createAndDeliver',
  deliverCard: 'POST /v1.0/card/instances/deliver',
  updateCard: 'PUT /v1.0/card/instances',
  session: 'POST /robot/sendBySession',
} as const;
export type OpenApiRoute = (typeof ROUTES)[keyof typeof ROUTES];

const MSG_PARAMS: Record<string, string[]> = {
  sampleText: ['content'],
  sampleMarkdown: ['title', 'text'],
  sampleActionCard: ['title', 'text', 'singleTitle', 'singleURL'],
  sampleActionCard2: ['title', 'text', 'actionTitle1', 'actionURL1', 'actionTitle2', 'actionURL2'],
  sampleActionCard3: [
    'title',
    'text',
    'actionTitle1',
    'actionURL1',
    'actionTitle2',
    'actionURL2',
    'actionTitle3',
    'actionURL3',
  ],
};

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function chinaMonth(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 7);
}

function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || !value)
    throw new Refusal(400, 'MissingParameter', `${name} is mandatory for this action.`);
  return value;
}

function stringMap(value: unknown, name: string): Record<string, string> {
  if (!isRecord(value)) throw new Refusal(400, 'InvalidParameter', `${name} must be an object`);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw new Refusal(400, 'InvalidParameter', `${name}.${key} must be a string (cardParamMap values are strings)`);
  }
  return value as Record<string, string>;
}

/**
 * The OpenAPI part of the fake: tokens, robot group and 1:1 messages, session webhooks, interactive cards.
 * It validates what the real API requires, records every request, and fails on demand.
 */
export class FakeOpenApi {
  readonly failures = new FailurePlan();
  readonly requests: RecordedRequest[] = [];
  readonly messages: SentMessage[] = [];
  readonly cards = new Map<string, FakeCard>();
  readonly tokensIssued: string[] = [];
  private readonly tokens = new Map<string, { expiresAt: number; revoked: boolean }>();
  private readonly sessions = new Map<string, SessionWebhook>();
  private readonly groupSends = new Map<string, number[]>();
  /** OpenAPI calls per month ('YYYY-MM', China time), as DingTalk counts them against the monthly quota. */
  readonly monthlyCalls = new Map<string, number>();
  /** Per space id: the errorMsg of each coming delivery that fails (HTTP 200, `success: false`). */
  private readonly spaceFailures = new Map<string, string[]>();
  baseUrl = '';

  constructor(readonly options: OpenApiOptions) {}

  reset(): void {
    this.failures.clear();
    this.requests.length = 0;
    this.messages.length = 0;
    this.tokensIssued.length = 0;
    this.cards.clear();
    this.tokens.clear();
    this.sessions.clear();
    this.groupSends.clear();
    this.monthlyCalls.clear();
    this.spaceFailures.clear();
  }

  /** The next `times` deliveries to space `spaceId` (a staff id or openConversationId) fail with `errorMsg`. */
  failDelivery(spaceId: string, errorMsg: string, times = 1): void {
    const queue = this.spaceFailures.get(spaceId) ?? [];
    for (let i = 0; i < times; i++) queue.push(errorMsg);
    this.spaceFailures.set(spaceId, queue);
  }

  /** Makes session webhooks answer 300001 from now on, as DingTalk does once a session ends. */
  expireSessionWebhooks(): void {
    const now = this.options.clock().getTime();
    for (const session of this.sessions.values()) session.expiresAt = Math.min(session.expiresAt, now);
  }

  /**
   * A card callback's answer, applied as DingTalk applies it: `cardData` to the card, `userPrivateData` to
   * the tapping user's private data, by key when cardUpdateOptions says so (else overwriting). True if applied.
   */
  applyCallbackAnswer(outTrackId: string, userId: string, response: unknown): boolean {
    const card = this.cards.get(outTrackId);
    if (!card || !isRecord(response)) return false;
    const options = isRecord(response.cardUpdateOptions) ? response.cardUpdateOptions : {};
    const cardData = isRecord(response.cardData) ? response.cardData : undefined;
    const privateData = isRecord(response.userPrivateData) ? response.userPrivateData : undefined;
    const publicParams = isRecord(cardData?.cardParamMap)
      ? (cardData.cardParamMap as Record<string, string>)
      : undefined;
    const privateParams = isRecord(privateData?.cardParamMap)
      ? (privateData.cardParamMap as Record<string, string>)
      : undefined;
    if (!publicParams && !privateParams) return false;
    if (publicParams)
      card.params = options.updateCardDataByKey === true ? { ...card.params, ...publicParams } : { ...publicParams };
    if (privateParams)
      card.privateData[userId] =
        options.updatePrivateDataByKey === true
          ? { ...card.privateData[userId], ...privateParams }
          : { ...privateParams };
    card.versions.push({ ...card.params });
    card.updates.push('callback');
    return true;
  }

  /** The calls counted against the monthly quota in the month of `at` (default now). */
  callsInMonth(at: Date = this.options.clock()): number {
    return this.monthlyCalls.get(chinaMonth(at)) ?? 0;
  }

  /** Counts a call against the month's quota; false when the monthly limit was passed already. */
  private countCall(route: OpenApiRoute): boolean {
    if (route === ROUTES.token || route === ROUTES.session) return true;
    const month = chinaMonth(this.options.clock());
    const calls = (this.monthlyCalls.get(month) ?? 0) + 1;
    this.monthlyCalls.set(month, calls);
    return this.options.monthlyLimit === undefined || calls <= this.options.monthlyLimit;
  }

  /** Makes every token issued so far invalid, as when DingTalk revokes them. */
  revokeTokens(): void {
    for (const token of this.tokens.values()) token.revoked = true;
  }

  /** A session webhook for a chat, as a robot message carries it. */
  openSessionWebhook(chat: string): { url: string; expiresAt: number } {
    const session = randomBytes(12).toString('hex');
    const expiresAt = this.options.clock().getTime() + (this.options.sessionWebhookTtlMs ?? 90 * 60_000);
    this.sessions.set(session, { chat, expiresAt });
    return { url: `${this.baseUrl}/robot/sendBySession?session=${session}`, expiresAt };
  }

  handles(method: string, path: string): boolean {
    return Object.values(ROUTES).includes(`${method} ${path}` as OpenApiRoute);
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const route = `${req.method} ${path}` as OpenApiRoute;
    const text = await readBody(req);
    const body = parseJsonBody(text);
    const record: RecordedRequest = { method: req.method ?? '', path, body, status: 0, at: this.options.clock() };
    this.requests.push(record);
    if (!this.countCall(route)) {
      record.status = 403;
      return apiError(res, 403, 'Forbidden.AccessDenied.ApiCountLimitForOrg', '本月接口调用次数已超过组织额度');
    }
    const failure = this.failures.take(route);
    if (failure === 'hangup-before') return void req.socket.destroy();
    if (failure === 'timeout') await new Promise((r) => setTimeout(r, this.failures.timeoutMs));
    if (failure && failure !== 'hangup-after' && failure !== 'timeout') {
      const answer = FAILURE_ANSWERS[failure];
      record.status = answer.status;
      return apiError(res, answer.status, answer.code, answer.message);
    }
    try {
      if (!isRecord(body)) throw new Refusal(400, 'InvalidParameter', 'the body must be a JSON object');
      if (route !== ROUTES.token && route !== ROUTES.session) this.authenticate(req);
      const answer = this.dispatch(route, body, query);
      record.status = 200;
      if (failure === 'hangup-after') return void req.socket.destroy();
      sendJson(res, 200, answer);
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      record.status = err.status;
      apiError(res, err.status, err.code, err.message);
    }
  }

  private dispatch(route: OpenApiRoute, body: Record<string, unknown>, query: URLSearchParams): unknown {
    switch (route) {
      case ROUTES.token:
        return this.issueToken(body);
      case ROUTES.group:
        return this.groupMessage(body);
      case ROUTES.oto:
        return this.oneToOne(body);
      case ROUTES.createCard:
        return this.createCard(body);
      case ROUTES.deliverCard:
        return this.deliverCard(body);
      case ROUTES.updateCard:
        return this.updateCard(body);
      case ROUTES.session:
        return this.sessionMessage(body, query.get('session') ?? '');
    }
  }

  private authenticate(req: IncomingMessage): void {
    const token = req.headers['x-acs-dingtalk-access-token'];
    const known = typeof token === 'string' ? this.tokens.get(token) : undefined;
    if (!known || known.revoked || known.expiresAt <= this.options.clock().getTime()) {
      throw new Refusal(401, 'InvalidAuthentication', '不合法的access_token');
    }
  }

  private issueToken(body: Record<string, unknown>) {
    if (body.appKey !== this.options.clientId || body.appSecret !== this.options.clientSecret) {
      throw new Refusal(400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
    }
    const ttl = this.options.tokenTtlSeconds ?? 7200;
    const token = `fake-token-${randomBytes(8).toString('hex')}`;
    this.tokens.set(token, { expiresAt: this.options.clock().getTime() + ttl * 1000, revoked: false });
    this.tokensIssued.push(token);
    return { accessToken: token, expireIn: ttl };
  }

  private robotMessage(body: Record<string, unknown>): { msgKey: string; param: Record<string, unknown> } {
    if (field(body, 'robotCode') !== this.options.robotCode)
      throw new Refusal(400, 'InvalidParameter.robotCode', 'robotCode 不存在');
    const msgKey = field(body, 'msgKey');
    const required = MSG_PARAMS[msgKey];
    if (!required) throw new Refusal(400, 'InvalidParameter.msgKey', `msgKey ${msgKey} 不支持`);
    let param: unknown;
    try {
      param = JSON.parse(field(body, 'msgParam'));
    } catch {
      throw new Refusal(400, 'InvalidParameter.msgParam', 'msgParam must be a JSON string');
    }
    if (!isRecord(param)) throw new Refusal(400, 'InvalidParameter.msgParam', 'msgParam must encode an object');
    for (const name of required) {
      if (typeof param[name] !== 'string' || !param[name])
        throw new Refusal(400, 'InvalidParameter.msgParam', `msgParam.${name} is required for ${msgKey}`);
    }
    return { msgKey, param };
  }

  private groupMessage(body: Record<string, unknown>) {
    const { msgKey, param } = this.robotMessage(body);
    const group = field(body, 'openConversationId');
    if (!group.startsWith('cid')) throw new Refusal(400, 'InvalidParameter.openConversationId', '群不存在');
    this.throttleGroup(group);
    this.record('groupMessages', `group:${group}`, msgKey, param);
    return { processQueryKey: randomBytes(8).toString('hex') };
  }

  private throttleGroup(group: string): void {
    const now = this.options.clock().getTime();
    const recent = (this.groupSends.get(group) ?? []).filter((t) => t > now - 60_000);
    if (recent.length >= (this.options.groupLimitPerMinute ?? 20)) {
      throw new Refusal(
        403,
        this.options.groupLimitCode ?? 'Forbidden.AccessDenied.QpmLimitForAppkeyAndApi',
        '机器人发送消息过于频繁，已被限流',
      );
    }
    recent.push(now);
    this.groupSends.set(group, recent);
  }

  private oneToOne(body: Record<string, unknown>) {
    const { msgKey, param } = this.robotMessage(body);
    const userIds = body.userIds;
    if (!Array.isArray(userIds) || userIds.length === 0 || userIds.some((u) => typeof u !== 'string')) {
      throw new Refusal(400, 'MissingParameter', 'userIds is mandatory for this action.');
    }
    const invalid = userIds.filter((u: string) => !this.options.staffIds.includes(u));
    for (const user of userIds.filter((u: string) => this.options.staffIds.includes(u)))
      this.record('oToMessages', `user:${user}`, msgKey, param);
    return {
      processQueryKey: randomBytes(8).toString('hex'),
      invalidStaffIdList: invalid,
      flowControlledStaffIdList: [],
    };
  }

  private sessionMessage(body: Record<string, unknown>, session: string) {
    const window = this.sessions.get(session);
    if (!window || window.expiresAt <= this.options.clock().getTime())
      return { errcode: 300001, errmsg: 'session 不存在' };
    const msgtype = body.msgtype;
    const content = typeof msgtype === 'string' ? body[msgtype] : undefined;
    if (!isRecord(content)) return { errcode: 40035, errmsg: '缺少参数 msgtype 或其内容' };
    if (window.chat.startsWith('group:')) {
      try {
        this.throttleGroup(window.chat.slice(6));
      } catch {
        return { errcode: 130101, errmsg: 'send too fast' };
      }
    }
    this.record('sessionWebhook', window.chat, String(msgtype), content);
    return { errcode: 0, errmsg: 'ok' };
  }

  private record(via: SentMessage['via'], chat: string, msgKey: string, param: Record<string, unknown>): void {
    const text = String(param.text ?? param.content ?? '');
    this.messages.push({ via, chat, msgKey, param, text, at: this.options.clock() });
  }

  private createCard(body: Record<string, unknown>) {
    const templateId = field(body, 'cardTemplateId');
    if (this.options.unpublishedTemplates?.includes(templateId))
      throw new Refusal(400, 'param.templateUnpublished', '卡片模板未发布');
    if (!this.options.templates.includes(templateId))
      throw new Refusal(400, 'param.templateNotExist', '卡片模板不存在');
    const outTrackId = field(body, 'outTrackId');
    const cardData = body.cardData;
    if (!isRecord(cardData)) throw new Refusal(400, 'MissingParameter', 'cardData is mandatory for this action.');
    const params = stringMap(cardData.cardParamMap ?? {}, 'cardData.cardParamMap');
    const { spaceType, spaceId } = this.openSpace(field(body, 'openSpaceId'), body);
    const existing = this.cards.get(outTrackId);
    if (existing) {
      if ((this.options.duplicateOutTrackId ?? 'reject') === 'reject')
        throw new Refusal(400, 'param.cardAlreadyExist', '卡片已存在');
      return this.deliverAnswer(existing);
    }
    const card: FakeCard = {
      outTrackId,
      templateId,
      spaceType,
      spaceId,
      callbackType: typeof body.callbackType === 'string' ? body.callbackType : '',
      params: { ...params },
      versions: [{ ...params }],
      privateData: {},
      updates: [],
      delivered: false,
      createdAt: this.options.clock(),
    };
    this.cards.set(outTrackId, card);
    return this.deliverAnswer(card, this.attemptDelivery(card));
  }

  /** POST /v1.0/card/instances/deliver: an existing card to its space again (answer shape unknown: a list). */
  private deliverCard(body: Record<string, unknown>) {
    const outTrackId = field(body, 'outTrackId');
    const card = this.cards.get(outTrackId);
    if (!card) throw new Refusal(400, 'param.cardNotExist', '卡片不存在');
    const { spaceType, spaceId } = this.openSpace(field(body, 'openSpaceId'), body);
    if (spaceType !== card.spaceType || spaceId !== card.spaceId)
      throw new Refusal(400, 'param.openSpaceIdInvalid', 'the fake delivers a card only to the space it was made for');
    return { success: true, result: this.deliverAnswer(card, this.attemptDelivery(card)).result.deliverResults };
  }

  /** Delivers a card to its space unless a failure is queued for it or the user is unknown; the errorMsg if not. */
  private attemptDelivery(card: FakeCard): string | undefined {
    const queued = this.spaceFailures.get(card.spaceId)?.shift();
    if (queued) return queued;
    if (card.spaceType === 'IM_ROBOT' && !this.options.staffIds.includes(card.spaceId)) return 'user not found';
    card.delivered = true;
    return undefined;
  }

  private openSpace(
    openSpaceId: string,
    body: Record<string, unknown>,
  ): { spaceType: FakeCard['spaceType']; spaceId: string } {
    const match = /^dtv1\.card\/\/(IM_GROUP|IM_ROBOT)\.(.+)$/.exec(openSpaceId);
    if (!match) throw new Refusal(400, 'InvalidParameter.openSpaceId', `openSpaceId ${openSpaceId} 格式错误`);
    const spaceType = match[1] as FakeCard['spaceType'];
    const spaceId = match[2]!;
    if (spaceType === 'IM_GROUP') {
      const deliver = body.imGroupOpenDeliverModel;
      if (!isRecord(deliver) || deliver.robotCode !== this.options.robotCode) {
        throw new Refusal(400, 'MissingParameter', 'imGroupOpenDeliverModel.robotCode is required for IM_GROUP');
      }
    } else {
      const deliver = body.imRobotOpenDeliverModel;
      if (!isRecord(deliver) || deliver.spaceType !== 'IM_ROBOT') {
        throw new Refusal(400, 'MissingParameter', 'imRobotOpenDeliverModel.spaceType must be IM_ROBOT');
      }
    }
    return { spaceType, spaceId };
  }

  private deliverAnswer(card: FakeCard, errorMsg = card.delivered ? undefined : 'not delivered') {
    const known = errorMsg === undefined;
    return {
      success: true,
      result: {
        outTrackId: card.outTrackId,
        deliverResults: [
          {
            spaceType: card.spaceType,
            spaceId: card.spaceId,
            success: known,
            ...(known ? { carrierId: randomBytes(6).toString('hex') } : { errorMsg }),
          },
        ],
      },
    };
  }

  private updateCard(body: Record<string, unknown>) {
    const outTrackId = field(body, 'outTrackId');
    const card = this.cards.get(outTrackId);
    if (!card) throw new Refusal(400, 'param.cardInstance.notFound', '卡片实例不存在');
    const cardData = body.cardData;
    if (!isRecord(cardData)) throw new Refusal(400, 'MissingParameter', 'cardData is mandatory for this action.');
    const params = stringMap(cardData.cardParamMap ?? {}, 'cardData.cardParamMap');
    const byKey = isRecord(body.cardUpdateOptions) && body.cardUpdateOptions.updateCardDataByKey === true;
    card.params = byKey ? { ...card.params, ...params } : { ...params };
    card.versions.push({ ...card.params });
    card.updates.push('put');
    return { success: true, result: true };
  }
}
