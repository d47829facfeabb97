import { randomBytes } from 'node:crypto';
import { BUTTON_CARDS, checkTemplateCard, isInteractive, type Refusal } from './template-card-rules';
import { randomCode } from './wire';

type Obj = Record<string, unknown>;
export type Reply = Obj & { errcode: number; errmsg: string };

export interface AppApiOptions {
  corpId: string;
  secret: string;
  agentId: number;
  users: string[];
  tokenTtlSeconds: number;
  /** Reports say a fresh gettoken makes the tokens handed out before it invalid (40014). */
  newTokenRevokesOld: boolean;
  responseCodeTtlMs: number;
  /** Unconfirmed errcodes for a spent or expired response_code. */
  responseCodeUsedErrcode: number;
  responseCodeExpiredErrcode: number;
  /**
   * Unconfirmed errcode for a button_interaction card without buttons (send or full update); null
   * accepts one. 40058 ("invalid parameter") is WeCom's generic refusal of a bad field.
   */
  buttonlessCardErrcode: number | null;
  /** Unconfirmed errcode for `button.replace_name` that is empty or on a card without buttons (notice cards). */
  replaceNameRefusedErrcode: number;
}

export type InboxItem =
  | { kind: 'text' | 'markdown'; content: string; at: Date; msgid: string }
  | { kind: 'card'; taskId: string; at: Date; msgid: string };

/** One recipient's copy of a template card, as their client shows it now. */
export interface CardView {
  taskId: string;
  userid: string;
  card: Obj;
  /** replace_text / replace_name: the buttons are grey and can no longer be tapped. */
  greyed?: string;
  updates: number;
}

interface Token {
  expiresAt: number;
  revoked: boolean;
}
interface ResponseCode {
  taskId: string;
  mintedAt: number;
  used: boolean;
  origin: 'send' | 'click';
}

const ok = (extra: Obj = {}): Reply => ({ errcode: 0, errmsg: 'ok', ...extra });
const fail = (errcode: number, errmsg: string): Reply => ({ errcode, errmsg });

/**
 * gettoken, message/send and message/update_template_card of a self-built app, with the state a
 * real client would show: each member's 1:1 chat with the app and the cards in it.
 */
export class FakeAppApi {
  readonly tokens = new Map<string, Token>();
  gettokenCalls = 0;
  readonly inbox = new Map<string, InboxItem[]>();
  readonly cards = new Map<string, Map<string, CardView>>();
  readonly codes = new Map<string, ResponseCode>();
  private readonly duplicates = new Map<string, number>();
  private msgSeq = 0;

  constructor(
    private readonly options: AppApiOptions,
    private readonly now: () => number,
  ) {}

  gettoken(query: URLSearchParams): Reply {
    this.gettokenCalls += 1;
    if (query.get('corpid') !== this.options.corpId) return fail(40013, 'invalid corpid');
    if (query.get('corpsecret') !== this.options.secret) return fail(40001, 'invalid credential');
    if (this.options.newTokenRevokesOld) this.revokeTokens();
    const token = randomBytes(48).toString('base64url');
    this.tokens.set(token, { expiresAt: this.now() + this.options.tokenTtlSeconds * 1000, revoked: false });
    return ok({ access_token: token, expires_in: this.options.tokenTtlSeconds });
  }

  revokeTokens(): void {
    for (const token of this.tokens.values()) token.revoked = true;
  }

  checkToken(token: string | null): Reply | undefined {
    if (!token) return fail(41001, 'access_token missing');
    const known = this.tokens.get(token);
    if (!known || known.revoked) return fail(40014, 'invalid access_token');
    if (known.expiresAt <= this.now()) return fail(42001, 'access_token expired');
    return undefined;
  }

  send(body: Obj): Reply {
    const refused = this.checkAgent(body) ?? this.checkContent(body);
    if (refused) return refused;
    const { valid, invalid } = this.recipients(String(body.touser ?? ''));
    if (valid.length === 0) return fail(81013, 'user & party & tag all invalid');
    const msgid = `msg${++this.msgSeq}_${randomBytes(6).toString('hex')}`;
    const extra: Obj = { invaliduser: invalid.join('|'), invalidparty: '', invalidtag: '', unlicenseduser: '', msgid };
    if (body.msgtype === 'template_card') {
      const card = body.template_card as Obj;
      if (typeof card.task_id === 'string') {
        if (this.cards.has(card.task_id)) return fail(42014, 'taskid has existed or empty or exceed max len');
        const greyed = typeof card.replace_text === 'string' ? { greyed: card.replace_text } : {};
        this.cards.set(
          card.task_id,
          new Map(
            valid.map((userid) => [userid, { taskId: card.task_id as string, userid, card, updates: 0, ...greyed }]),
          ),
        );
      }
      for (const userid of valid)
        this.deliver(userid, { kind: 'card', taskId: String(card.task_id), at: new Date(this.now()), msgid });
      if (isInteractive(card)) extra.response_code = this.mint(String(card.task_id), 'send');
      return ok(extra);
    }
    const type = body.msgtype as 'text' | 'markdown';
    const content = String((body[type] as Obj).content);
    for (const userid of valid) {
      if (this.isDuplicate(body, userid, type, content)) continue;
      this.deliver(userid, { kind: type, content, at: new Date(this.now()), msgid });
    }
    return ok(extra);
  }

  /**
   * update_template_card (protocol notes §2.3): mode A `button: {replace_name}` greys the buttons of a
   * button/vote/multiple card; mode B `template_card` replaces the card. A refused body leaves the code unspent.
   */
  update(body: Obj): Reply {
    const refused = this.checkAgent(body);
    if (refused) return refused;
    const code = this.codes.get(String(body.response_code ?? ''));
    if (!code || code.used) return fail(this.options.responseCodeUsedErrcode, 'response_code is invalid or used');
    if (this.now() - code.mintedAt > this.options.responseCodeTtlMs)
      return fail(this.options.responseCodeExpiredErrcode, 'response_code expired');
    const views = this.cards.get(code.taskId)!;
    const card = body.template_card as Obj | undefined;
    const replaceName = (body.button as Obj | undefined)?.replace_name;
    if (card !== undefined) {
      const problem = checkTemplateCard(card, 'update', { buttonlessErrcode: this.options.buttonlessCardErrcode });
      if (problem) return fail(problem.errcode, problem.errmsg);
      if (card.task_id !== undefined && card.task_id !== code.taskId)
        return fail(40058, 'template_card.task_id differs from the card being updated');
    } else if (body.button === undefined) {
      return fail(40058, 'button.replace_name or template_card is required');
    } else {
      const shown = [...views.values()][0]?.card;
      if (typeof replaceName !== 'string' || replaceName === '')
        return fail(this.options.replaceNameRefusedErrcode, 'button.replace_name is empty');
      if (!BUTTON_CARDS.includes(String(shown?.card_type)))
        return fail(
          this.options.replaceNameRefusedErrcode,
          'only button, vote and multiple cards have buttons to replace',
        );
    }
    const targets = body.atall === 1 ? [...views.keys()] : this.userids(body.userids).filter((u) => views.has(u));
    if (targets.length === 0) return fail(81013, 'user & party & tag all invalid');
    code.used = true;
    for (const userid of targets) {
      const view = views.get(userid)!;
      if (card) {
        view.card = card;
        view.greyed = typeof card.replace_text === 'string' ? card.replace_text : undefined;
      } else {
        view.greyed = String(replaceName);
      }
      view.updates += 1;
    }
    return ok({ invaliduser: [] });
  }

  /** A tap by `userid` on button `key`: refused like the client would, else a fresh one-shot response code. */
  tap(userid: string, taskId: string, key: string): { code: string; view: CardView } {
    const view = this.cards.get(taskId)?.get(this.canonical(userid) ?? userid);
    if (!view) throw new Error(`${userid} has no card ${taskId}`);
    if (view.greyed !== undefined)
      throw new Error(`card ${taskId} of ${userid} is greyed out ("${view.greyed}"): it cannot be tapped`);
    const buttons = (view.card.button_list as Obj[] | undefined) ?? [];
    if (!buttons.some((b) => b.key === key)) throw new Error(`card ${taskId} of ${userid} has no button "${key}"`);
    return { code: this.mint(taskId, 'click'), view };
  }

  canonical(userid: string): string | undefined {
    return this.options.users.find((u) => u.toLowerCase() === userid.toLowerCase());
  }

  private mint(taskId: string, origin: 'send' | 'click'): string {
    const code = randomCode();
    this.codes.set(code, { taskId, mintedAt: this.now(), used: false, origin });
    return code;
  }

  private deliver(userid: string, item: InboxItem) {
    const items = this.inbox.get(userid) ?? [];
    items.push(item);
    this.inbox.set(userid, items);
  }

  private isDuplicate(body: Obj, userid: string, type: string, content: string): boolean {
    if (body.enable_duplicate_check !== 1) return false;
    const interval = Math.min(Number(body.duplicate_check_interval ?? 1800), 4 * 3600) * 1000;
    const key = `${userid}\n${type}\n${content}`;
    const last = this.duplicates.get(key);
    if (last !== undefined && this.now() - last < interval) return true;
    this.duplicates.set(key, this.now());
    return false;
  }

  private checkAgent(body: Obj): Reply | undefined {
    return Number(body.agentid) === this.options.agentId ? undefined : fail(40056, 'invalid agentid');
  }

  private checkContent(body: Obj): Reply | undefined {
    switch (body.msgtype) {
      case 'text':
      case 'markdown': {
        const content = (body[body.msgtype] as Obj | undefined)?.content;
        if (typeof content !== 'string' || content === '') return fail(44004, 'empty content');
        if (Buffer.byteLength(content) > 2048) return fail(45002, 'content size out of limit');
        return undefined;
      }
      case 'template_card': {
        const problem: Refusal | undefined = checkTemplateCard(body.template_card, 'send', {
          buttonlessErrcode: this.options.buttonlessCardErrcode,
        });
        return problem ? fail(problem.errcode, problem.errmsg) : undefined;
      }
      default:
        return fail(40008, 'invalid message type');
    }
  }

  private userids(value: unknown): string[] {
    return Array.isArray(value) ? value.map(String) : [];
  }

  /** Valid recipients by their canonical userid; invalid ones lower-cased, as WeCom reports them. */
  private recipients(touser: string): { valid: string[]; invalid: string[] } {
    const wanted = touser === '@all' ? this.options.users : touser.split('|').filter(Boolean);
    if (wanted.length > 1000) return { valid: [], invalid: [] };
    const valid: string[] = [];
    const invalid: string[] = [];
    for (const userid of wanted) {
      const known = this.canonical(userid);
      if (known) valid.push(known);
      else invalid.push(userid.toLowerCase());
    }
    return { valid, invalid };
  }
}
