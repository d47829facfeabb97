import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeAppApi, type CardView, type InboxItem, type Reply } from './app-api';
import { CallbackDriver, type CallbackBehaviour, type Delivery } from './callback-driver';
import { demoDirectory, type DirectoryApiOptions, FakeDirectoryApi } from './directory-api';
import { type DirectoryEndpoint, FailurePlan, type Endpoint, type Failure } from './failures';
import { FakeGroupApi, type ChatMessage, type GroupCardView } from './group-api';
import { appTextXml, cardEventXml, openAibotReply } from './wire';

/** Test credentials; the EncodingAESKeys are 43 characters as WeCom issues them. */
export const FAKE_SECRETS = {
  corpId: 'ww5e1f2c3d4b5a6978',
  agentId: 1000002,
  secret: 'fake-app-secret-7Q2mX9',
  app: { token: 'AppToken8z3', encodingAesKey: 'kWq3Zp7Lm2Xv9Rt4Yb6Nc8Hd1Fg5Js0Ka3Ue7Wi2Oq4' },
  aibot: { token: 'BotToken5k1', encodingAesKey: 'Bv2Nq8Lx4Tz6Mc1Rp9Ws3Yd7Hf5Kj0Ga2Ue8Qi4Oo6P' },
  aibotId: 'aibFakeOrderBot01',
};

/** Where the protocol notes say the real value is unconfirmed, these are the fake's settings. */
export interface UnconfirmedBehaviour {
  responseCodeUsedErrcode: number;
  responseCodeExpiredErrcode: number;
  responseUrlUsedErrcode: number;
  responseUrlExpiredErrcode: number;
  webhookOverLimitErrcode: number;
  newTokenRevokesOld: boolean;
  /** A button_interaction card without buttons: refused with this errcode, or accepted (null). */
  buttonlessCardErrcode: number | null;
  /** `button.replace_name` empty, or on a card without buttons. */
  replaceNameRefusedErrcode: number;
}

export interface FakeWecomOptions extends Partial<UnconfirmedBehaviour> {
  /** The clock for token expiry, 72 h codes, rate windows and callback timestamps (share the app's). */
  clock?: () => Date;
  corpId?: string;
  agentId?: number;
  secret?: string;
  app?: { token: string; encodingAesKey: string };
  aibot?: { token: string; encodingAesKey: string };
  /** Member userids (通讯录); anything else is an invalid recipient. */
  users?: string[];
  /** Webhook robot key → the chatid of its group. */
  webhooks?: Record<string, string>;
  tokenTtlSeconds?: number;
  responseCodeTtlMs?: number;
  responseUrlTtlMs?: number;
  webhookPerMinute?: number;
  callbacks?: Partial<CallbackBehaviour>;
  /** The company directory (通讯录) the contacts APIs read; default the demo plant's. */
  directory?: Partial<DirectoryApiOptions>;
}

export interface ApiRecord {
  at: Date;
  method: string;
  endpoint: string;
  query: Record<string, string>;
  body: unknown;
  reply: Reply | { status: number } | 'hangup';
}

const ENDPOINTS: Endpoint[] = [
  'gettoken',
  'message/send',
  'message/update_template_card',
  'webhook/send',
  'aibot/response',
];

const DIRECTORY_ENDPOINTS: DirectoryEndpoint[] = [
  'department/simplelist',
  'department/get',
  'user/list',
  'user/simplelist',
  'user/list_id',
];

/**
 * A fake WeCom on 127.0.0.1: the server API (gettoken, message/send, update_template_card, webhook
 * robots, AI-bot response_url, the contacts APIs of docs/directory-apis.md) with the rules the protocol
 * notes list, and a driver that calls our
 * callback URLs the way WeCom does. Everything it receives is recorded.
 */
export class FakeWecom {
  readonly app: FakeAppApi;
  readonly groups: FakeGroupApi;
  readonly directory: FakeDirectoryApi;
  readonly callbacks: CallbackDriver;
  readonly failures = new FailurePlan();
  readonly requests: ApiRecord[] = [];
  readonly secrets: typeof FAKE_SECRETS;
  private server: Server | undefined;
  private baseUrl = '';
  private readonly clock: () => Date;
  private msgSeq = 4561255354251345929n;

  constructor(options: FakeWecomOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    const now = () => this.clock().getTime();
    this.secrets = {
      ...FAKE_SECRETS,
      ...(options.corpId ? { corpId: options.corpId } : {}),
      ...(options.agentId ? { agentId: options.agentId } : {}),
      ...(options.secret ? { secret: options.secret } : {}),
      ...(options.app ? { app: options.app } : {}),
      ...(options.aibot ? { aibot: options.aibot } : {}),
    };
    this.app = new FakeAppApi(
      {
        corpId: this.secrets.corpId,
        secret: this.secrets.secret,
        agentId: this.secrets.agentId,
        users: options.users ?? [],
        tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
        newTokenRevokesOld: options.newTokenRevokesOld ?? true,
        responseCodeTtlMs: options.responseCodeTtlMs ?? 72 * 3600_000,
        responseCodeUsedErrcode: options.responseCodeUsedErrcode ?? 40029,
        responseCodeExpiredErrcode: options.responseCodeExpiredErrcode ?? 40029,
        buttonlessCardErrcode: options.buttonlessCardErrcode === undefined ? 40058 : options.buttonlessCardErrcode,
        replaceNameRefusedErrcode: options.replaceNameRefusedErrcode ?? 40058,
      },
      now,
    );
    this.groups = new FakeGroupApi(
      {
        webhooks: options.webhooks ?? {},
        webhookPerMinute: options.webhookPerMinute ?? 20,
        webhookOverLimitErrcode: options.webhookOverLimitErrcode ?? 45009,
        responseUrlTtlMs: options.responseUrlTtlMs ?? 3600_000,
        responseUrlUsedErrcode: options.responseUrlUsedErrcode ?? 40029,
        responseUrlExpiredErrcode: options.responseUrlExpiredErrcode ?? 40029,
      },
      now,
    );
    this.directory = new FakeDirectoryApi({ ...demoDirectory(), ...options.directory });
    this.callbacks = new CallbackDriver(
      { corpId: this.secrets.corpId, agentId: this.secrets.agentId, app: this.secrets.app, aibot: this.secrets.aibot },
      {
        timeoutMs: 5000,
        retries: 3,
        retryDelayMs: 0,
        resealRetries: false,
        contentType: { app: 'text/xml', aibot: 'application/json' },
        ...options.callbacks,
      },
      now,
    );
  }

  /** The environment that points orderbot's WeCom adapter here, as strings (a child process's env). */
  envVars(): Record<string, string> {
    const s = this.secrets;
    return {
      WECOM_CORP_ID: s.corpId,
      WECOM_AGENT_ID: String(s.agentId),
      WECOM_SECRET: s.secret,
      WECOM_TOKEN: s.app.token,
      WECOM_ENCODING_AES_KEY: s.app.encodingAesKey,
      WECOM_AIBOT_TOKEN: s.aibot.token,
      WECOM_AIBOT_ENCODING_AES_KEY: s.aibot.encodingAesKey,
      WECOM_API_BASE: this.url,
    };
  }

  get url(): string {
    return this.baseUrl;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** The app to call back (its base URL). */
  connect(appUrl: string): void {
    this.callbacks.setTarget(appUrl);
  }

  fail(endpoint: Endpoint, failure: Failure, options?: { times?: number; skip?: number }): void {
    this.failures.add(endpoint, failure, options);
  }

  // ---- driving our app, as WeCom would ----

  /** A member writes to the app in their 1:1 chat. */
  async sendAppText(
    fromUser: string,
    content: string,
    options: { msgId?: string; attempts?: number } = {},
  ): Promise<Delivery> {
    const msgId = options.msgId ?? String(++this.msgSeq);
    const { corpId, agentId } = this.secrets;
    const xml = appTextXml({ corpId, agentId, fromUser, createTime: this.seconds(), content, msgId });
    return this.callbacks.deliver(this.callbacks.prepare('app', xml), options);
  }

  /** A member @-mentions the AI bot in a group (or writes to it 1:1 with chatType single). */
  async mentionAibot(m: {
    fromUser: string;
    text: string;
    chatId?: string;
    msgid?: string;
    attempts?: number;
  }): Promise<{ delivery: Delivery; responseUrl: string; msgid: string }> {
    const msgid = m.msgid ?? `CAIQ${(++this.msgSeq).toString(36)}`;
    const responseUrl = this.groups.mintResponseUrl(this.baseUrl, m.chatId ?? m.fromUser);
    const payload = {
      msgid,
      aibotid: this.secrets.aibotId,
      ...(m.chatId ? { chatid: m.chatId, chattype: 'group' } : { chattype: 'single' }),
      from: { userid: m.fromUser },
      create_time: this.seconds(),
      response_url: responseUrl,
      msgtype: 'text',
      text: { content: m.text },
    };
    const delivery = await this.callbacks.deliver(
      this.callbacks.prepare('aibot', JSON.stringify(payload)),
      m.attempts ? { attempts: m.attempts } : {},
    );
    return { delivery, responseUrl, msgid };
  }

  /**
   * A member taps a button on a card in their chat with the app: refused (throws) when the client
   * would not let them (no such card or button, buttons greyed); otherwise a template_card_event
   * with a fresh ResponseCode is delivered. `reason` picks an option of the card's dropdown.
   */
  async tap(
    fromUser: string,
    taskId: string,
    key: string,
    options: { reason?: string; attempts?: number } = {},
  ): Promise<Delivery> {
    const { code, view } = this.app.tap(fromUser, taskId, key);
    const selection = view.card.button_selection as { question_key?: string } | undefined;
    const selected =
      options.reason && selection?.question_key
        ? [{ questionKey: selection.question_key, optionIds: [options.reason] }]
        : [];
    const { corpId, agentId } = this.secrets;
    const xml = cardEventXml({
      corpId,
      agentId,
      fromUser: view.userid,
      createTime: this.seconds(),
      eventKey: key,
      taskId,
      cardType: String(view.card.card_type),
      responseCode: code,
      selected,
    });
    return this.callbacks.deliver(
      this.callbacks.prepare('app', xml),
      options.attempts ? { attempts: options.attempts } : {},
    );
  }

  /**
   * A member taps a button on a card the AI bot posted into a group: refused (throws) when the client would
   * not let them (no such card or button, buttons greyed); otherwise a template_card_event goes to the AI
   * bot's callback, with a response_url unless `responseUrl: false` (whether card events carry one is
   * unconfirmed). A passive reply in the answer updates the card (`replies` says what became of each).
   */
  async tapGroupCard(
    fromUser: string,
    taskId: string,
    key: string,
    options: { attempts?: number; msgid?: string; responseUrl?: boolean } = {},
  ): Promise<{ delivery: Delivery; replies: Array<{ applied: boolean; why?: string }> }> {
    const view = this.groups.groupCards.get(taskId);
    if (!view) throw new Error(`no group card ${taskId}`);
    if (view.greyed !== undefined) throw new Error(`group card ${taskId} is greyed out ("${view.greyed}")`);
    const buttons = (view.card.button_list as Array<Record<string, unknown>> | undefined) ?? [];
    if (!buttons.some((b) => b.key === key)) throw new Error(`group card ${taskId} has no button "${key}"`);
    const payload = {
      msgid: options.msgid ?? `CAIQ${(++this.msgSeq).toString(36)}`,
      aibotid: this.secrets.aibotId,
      chatid: view.chat,
      chattype: 'group',
      from: { userid: fromUser },
      create_time: this.seconds(),
      ...(options.responseUrl === false ? {} : { response_url: this.groups.mintResponseUrl(this.baseUrl, view.chat) }),
      msgtype: 'event',
      event: {
        eventtype: 'template_card_event',
        template_card_event: { card_type: view.card.card_type, event_key: key, task_id: taskId },
      },
    };
    const delivery = await this.callbacks.deliver(
      this.callbacks.prepare('aibot', JSON.stringify(payload)),
      options.attempts ? { attempts: options.attempts } : {},
    );
    const replies: Array<{ applied: boolean; why?: string }> = [];
    for (const attempt of delivery.attempts) {
      if (attempt.status !== 200 || attempt.body === '') continue;
      if (attempt.ms > this.callbacks.behaviour.timeoutMs) {
        replies.push({ applied: false, why: 'answered after WeCom gave up' });
        continue;
      }
      const opened = openAibotReply(attempt.body, this.secrets.aibot);
      if ('refused' in opened) {
        replies.push({ applied: false, why: opened.refused });
        continue;
      }
      const why = this.groups.applyPassiveReply(taskId, JSON.parse(opened.plaintext) as Record<string, unknown>);
      replies.push(why ? { applied: false, why } : { applied: true });
    }
    return { delivery, replies };
  }

  // ---- what members see ----

  /** A template card the AI bot posted into a group, by task_id, as it looks now. */
  groupCard(taskId: string): GroupCardView | undefined {
    return this.groups.groupCards.get(taskId);
  }

  /** Cards in a member's chat with the app, oldest first, as they look now. */
  cardsOf(userid: string): CardView[] {
    const items = this.app.inbox.get(this.app.canonical(userid) ?? userid) ?? [];
    return items.flatMap((item) =>
      item.kind === 'card'
        ? [this.app.cards.get(item.taskId)?.get(this.app.canonical(userid) ?? userid)].filter((v): v is CardView => !!v)
        : [],
    );
  }

  /** Texts (text and markdown) in a member's chat with the app. */
  textsOf(userid: string): string[] {
    const items: InboxItem[] = this.app.inbox.get(this.app.canonical(userid) ?? userid) ?? [];
    return items.flatMap((item) => (item.kind === 'card' ? [] : [item.content]));
  }

  /** Messages in a group (by chatid) or in a member's 1:1 chat with the AI bot (by userid). */
  chat(chat: string): ChatMessage[] {
    return this.groups.chats.get(chat) ?? [];
  }

  calls(endpoint: string): ApiRecord[] {
    return this.requests.filter((r) => r.endpoint === endpoint);
  }

  private seconds(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }

  // ---- the server API ----

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const endpoint = [...ENDPOINTS, ...DIRECTORY_ENDPOINTS].find((e) => url.pathname === `/cgi-bin/${e}`);
    const raw = await readBody(req);
    const record: ApiRecord = {
      at: this.clock(),
      method: req.method ?? 'GET',
      endpoint: endpoint ?? url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parseJson(raw),
      reply: { status: 404 },
    };
    this.requests.push(record);
    if (!endpoint) return answer(res, 404, { errcode: 404, errmsg: 'not found' });
    const failure = this.failures.take(endpoint);
    if (failure && 'status' in failure) {
      record.reply = { status: failure.status };
      res.writeHead(failure.status, { 'content-type': 'text/html' }).end('<html>server error</html>');
      return;
    }
    if (failure && 'hangup' in failure && failure.hangup === 'before') {
      record.reply = 'hangup';
      return req.socket.destroy();
    }
    if (failure && 'errcode' in failure) {
      record.reply = { errcode: failure.errcode, errmsg: failure.errmsg ?? 'injected' };
      return answer(res, 200, record.reply);
    }
    if (failure && 'delayMs' in failure) await new Promise((r) => setTimeout(r, failure.delayMs));
    if (failure && 'revokeTokens' in failure) this.app.revokeTokens();
    const reply = this.route(endpoint, url.searchParams, record.body, raw);
    if (failure && 'hangup' in failure) {
      record.reply = 'hangup';
      return req.socket.destroy();
    }
    record.reply = reply;
    answer(res, 200, reply);
  }

  private route(endpoint: Endpoint, query: URLSearchParams, body: unknown, raw: string): Reply {
    if (endpoint === 'gettoken') return this.app.gettoken(query);
    if (raw !== '' && body === undefined) return { errcode: 47001, errmsg: 'data format error' };
    const json = (body ?? {}) as Record<string, unknown>;
    if (endpoint === 'webhook/send') return this.groups.webhook(query.get('key'), json);
    if (endpoint === 'aibot/response') return this.groups.respond(query.get('response_code'), json);
    const tokenProblem = this.app.checkToken(query.get('access_token'));
    if (tokenProblem) return tokenProblem as Reply;
    if ((DIRECTORY_ENDPOINTS as string[]).includes(endpoint)) {
      return this.directory.route(endpoint, query, json);
    }
    return endpoint === 'message/send' ? this.app.send(json) : this.app.update(json);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
