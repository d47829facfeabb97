/**
 * Drives a RUNNING orderbot playground over HTTP for one or more simulated weeks, so the ops board and
 * the weekly KPI digest have plausible figures to show:
 *
 *   npm start                      # in another terminal (playground on http://127.0.0.1:3000)
 *   npm run simulate -- [--url http://127.0.0.1:3000] [--weeks 1] [--seed 7]
 *
 * Sales people send customer requests, approvers answer their cards (some late, so escalations happen,
 * a few rejections), the plant marks stages by card or chat, sales report deliveries; the playground
 * clock is moved forward in steps so the bot's periodic jobs (escalation, ETD refresh, the Monday
 * digest) run as simulated time passes. Deterministic for a seed: every choice comes from a PRNG keyed
 * by the seed and the thing decided (an order number, a task), never from Math.random.
 */
import { parseArgs } from 'node:util';
import {
  AWAKE,
  DAY,
  DELIVERY,
  EXPEDITE_REFUSALS,
  HOME_CONVERSATION,
  HOUR,
  MINUTE,
  REJECT_REASONS,
  STAGE_OWNER,
  WORK,
  between,
  chance,
  chinaInstant,
  chinaTime,
  formatChina,
  formatChinaDay,
  inWindow,
  intBetween,
  isWorkday,
  makeRequest,
  nextAvailable,
  pausePhrase,
  pick,
  chinaDaysIn,
  resumePhrase,
  rngFor,
  stagePhrase,
  waybill,
  weighted,
  windowBack,
  windowForward,
  type Rng,
  type SalesId,
  type WorkStage,
} from './scenario';

// ---- command line ---------------------------------------------------------------------------------

const USAGE = 'usage: npm run simulate -- [--url http://127.0.0.1:3000] [--weeks 1] [--seed 7]';

interface Options {
  url: string;
  weeks: number;
  seed: number;
}

function usageError(message: string): never {
  process.stderr.write(`simulate: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function readOptions(argv: string[]): Options {
  let values: { url?: string; weeks?: string; seed?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        weeks: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    usageError((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const url = (values.url ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
  } catch {
    usageError(`--url must be an http(s) URL, got "${values.url}"`);
  }
  const weeks = values.weeks === undefined ? 1 : Number(values.weeks);
  if (!Number.isInteger(weeks) || weeks < 1 || weeks > 52)
    usageError(`--weeks must be a whole number from 1 to 52, got "${values.weeks}"`);
  const seed = values.seed === undefined ? 7 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    usageError(`--seed must be a whole number from 0 to 4294967295, got "${values.seed}"`);
  return { url, weeks, seed };
}

// ---- the playground's HTTP API --------------------------------------------------------------------

interface Card {
  id: string;
  title: string;
  subtitle?: string;
  fields: Array<{ label: string; value: string; tone?: string }>;
  notes?: string[];
  buttons: Array<{ key: string; label: string }>;
  resolved?: { status: string; text: string };
  at?: string;
}
interface ChatItem {
  id: string;
  from: { id: string; name: string };
  at: string;
  text?: string;
  card?: Card;
}
interface State {
  conversations: Record<string, ChatItem[]>;
  inbox: Record<string, Card[]>;
  sms: unknown[];
}

class Unreachable extends Error {}

class Playground {
  constructor(readonly url: string) {}

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T | undefined; text: string }> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new Unreachable(`${method} ${path}: ${cause ?? (err as Error).message}`);
    }
    const text = await response.text();
    let json: T | undefined;
    try {
      json = text ? (JSON.parse(text) as T) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  }

  async clock(): Promise<number> {
    const res = await this.call<{ now: string }>('GET', '/api/playground/clock');
    if (res.status === 404)
      throw new Unreachable(`${this.url} answers, but has no playground (GET /api/playground/clock gave 404)`);
    if (res.status !== 200 || !res.json)
      throw new Error(`GET /api/playground/clock: ${res.status} ${res.text.slice(0, 200)}`);
    return Date.parse(res.json.now);
  }

  /** Moves the clock forward; the server runs what became due before it answers. */
  async advance(minutes: number): Promise<number> {
    const res = await this.call<{ now: string }>('POST', '/api/playground/clock', { advanceMinutes: minutes });
    if (res.status === 409)
      throw new Unreachable(
        `this server's clock cannot be moved (${res.text.slice(0, 200)}); run it with the playground, no chat credentials`,
      );
    if (res.status !== 200 || !res.json)
      throw new Error(`POST /api/playground/clock: ${res.status} ${res.text.slice(0, 200)}`);
    return Date.parse(res.json.now);
  }

  async state(): Promise<State> {
    const res = await this.call<State>('GET', '/api/playground/state');
    if (res.status !== 200 || !res.json)
      throw new Error(`GET /api/playground/state: ${res.status} ${res.text.slice(0, 200)}`);
    return res.json;
  }

  async say(conversationId: string, senderId: string, text: string): Promise<boolean> {
    const res = await this.call('POST', '/api/playground/messages', { conversationId, senderId, text });
    return res.status === 202;
  }

  async tap(cardId: string, userId: string, key: string, note?: string): Promise<boolean> {
    const res = await this.call('POST', `/api/playground/cards/${encodeURIComponent(cardId)}/actions`, {
      userId,
      key,
      ...(note === undefined ? {} : { note }),
    });
    return res.status === 202;
  }
}

// ---- what the simulator keeps track of ------------------------------------------------------------

const NUMBER_RE = /SO-\d{8}-\d{4,}/;
const CREATED_RE = /(?:已创建需求单|Requirement order) \*\*(SO-\d{8}-\d{4,})\*\*/;
const REQUEST_REPLY_RE = /已创建需求单|Requirement order \*\*|^⛔|^📝|^❓/;
const BLOCKED_TITLES = ['交期不可行', 'Date not possible'];
/** Directors and the general manager answer an escalated card in the evening too. */
const ON_CALL = { from: AWAKE.from, to: 22 * 60 };
const FULL_STAGES: WorkStage[] = ['in_production', 'qc_passed', 'packed', 'shipped', 'delivered'];

interface OrderRec {
  number: string;
  conversationId: string;
  requester: SalesId;
  language: 'zh' | 'en';
  createdAt: number;
  pauseResumeAt?: number;
  pausedAt?: number;
  resumedAt?: number;
  confirmedAt?: number;
  rejected?: boolean;
  deliveredAt?: number;
  promisedAt?: number;
  fate?: 'on-time' | 'late' | 'early';
  planned?: boolean;
  /** The production plan on the production card (China days), for orders made to order. */
  planStart?: number;
  planFinish?: number;
  stageCards: Map<WorkStage, string>;
  done: Set<WorkStage>;
}

interface TaskRec {
  key: string;
  number: string;
  department: string;
  fate: 'normal' | 'slow' | 'reject';
  decided: boolean;
}

interface BlockedRec {
  conversationId: string;
  sender: SalesId;
  text: string;
  cardId: string;
  language: 'zh' | 'en';
  /** The customer is to be waited on once the order exists. */
  pause: boolean;
  state: 'open' | 'offered' | 'escalated' | 'left' | 'done';
}

interface Action {
  at: number;
  seq: number;
  run: () => Promise<void>;
}

const newStats = () => ({
  requests: 0,
  notUnderstood: 0,
  blockedReplies: 0,
  offersTaken: 0,
  expeditesAsked: 0,
  blockedLeft: 0,
  created: new Set<string>(),
  confirmed: new Set<string>(),
  rejected: new Set<string>(),
  delivered: new Set<string>(),
  deliveredOnTime: 0,
  deliveredLate: 0,
  deliveredLateOnPurpose: 0,
  deliveredEarly: 0,
  pauses: new Set<string>(),
  resumes: 0,
  escalations: 0,
  ladderEscalations: 0,
  delayAlerts: 0,
  delayedOrders: new Set<string>(),
  approvals: 0,
  rejections: 0,
  directorDecisions: 0,
  stageTaps: 0,
  stageReports: 0,
  notices: 0,
  warnings: 0,
});
type Stats = ReturnType<typeof newStats>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const numberOf = (text: string | undefined): string | undefined => (text ? NUMBER_RE.exec(text)?.[0] : undefined);
const departmentOf = (title: string): string => title.split('·')[1]?.trim() ?? title;
const itemAt = (item: { at?: string }, fallback: number): number => {
  const at = item.at ? Date.parse(item.at) : Number.NaN;
  return Number.isFinite(at) ? at : fallback;
};

class Simulation {
  private now = 0;
  private end = 0;
  private readonly actions: Action[] = [];
  private seq = 0;
  private readonly seenItems = new Set<string>();
  private readonly seenCards = new Set<string>();
  private readonly cards = new Map<string, { owner: string; card: Card }>();
  private readonly claimed = new Set<string>();
  private readonly orders = new Map<string, OrderRec>();
  private readonly tasks = new Map<string, TaskRec>();
  private readonly expedites = new Set<string>();
  private readonly blocked: BlockedRec[] = [];
  private maxItemId = 0;
  private readonly digests: Array<{ id: string; text: string }> = [];
  private readonly plannedDays = new Set<number>();
  private loggedDay = -1;
  private dayStart: Stats = newStats();
  readonly stats: Stats = newStats();
  private readonly stepRng: Rng;
  private failures = 0;
  private noticesShown = 0;

  constructor(
    private readonly api: Playground,
    private readonly options: Options,
  ) {
    this.stepRng = rngFor(options.seed, 'steps');
  }

  private rng(name: string): Rng {
    return rngFor(this.options.seed, name);
  }

  private log(line: string) {
    process.stdout.write(`${line}\n`);
  }

  private warn(line: string) {
    this.stats.warnings++;
    process.stdout.write(`  ! ${formatChina(this.now).slice(11)} ${line}\n`);
  }

  private schedule(at: number, run: () => Promise<void>) {
    this.actions.push({ at, seq: this.seq++, run });
  }

  // ---- reading the playground ----

  private async refresh(): Promise<State> {
    const state = await this.api.state();
    this.scan(state);
    return state;
  }

  /** Polls the state until `check` finds something, at most `timeoutMs`; a warning (not a hang) when it does not. */
  private async waitFor<T>(
    what: string,
    check: (state: State) => T | undefined,
    timeoutMs = 6000,
  ): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    let pause = 10;
    for (;;) {
      const value = check(await this.refresh());
      if (value !== undefined) return value;
      if (Date.now() > deadline) {
        this.warn(`no sign of ${what} after ${timeoutMs / 1000}s; moving on`);
        return undefined;
      }
      await sleep(pause);
      pause = Math.min(80, pause * 2);
    }
  }

  /**
   * What is already there when the simulation starts: chat history is only read; cards still open (from
   * an earlier run against the same server) are taken up like new ones, so those orders move on too.
   */
  private takeOver(state: State) {
    for (const [conversationId, items] of Object.entries(state.conversations)) {
      for (const item of items) {
        this.seenItems.add(item.id);
        this.maxItemId = Math.max(this.maxItemId, Number(item.id));
        if (item.card) this.cards.set(item.card.id, { owner: conversationId, card: item.card });
      }
    }
    for (const [owner, cards] of Object.entries(state.inbox)) {
      for (const card of cards) this.cards.set(card.id, { owner, card });
    }
    for (const [owner, cards] of Object.entries(state.inbox)) {
      for (const card of cards) {
        this.seenCards.add(card.id);
        if (!card.resolved) this.onInboxCard(owner, card);
      }
    }
  }

  /** New chat items and cards: counts what the bot said, schedules what people do about new cards. */
  private scan(state: State) {
    for (const [conversationId, items] of Object.entries(state.conversations)) {
      for (const item of items) {
        if (item.card) this.cards.set(item.card.id, { owner: conversationId, card: item.card });
        if (this.seenItems.has(item.id)) continue;
        this.seenItems.add(item.id);
        this.maxItemId = Math.max(this.maxItemId, Number(item.id));
        if (item.from.id === 'bot' && item.text !== undefined) this.onBotMessage(conversationId, item);
      }
    }
    for (const [owner, cards] of Object.entries(state.inbox)) {
      for (const card of cards) {
        this.cards.set(card.id, { owner, card });
        if (this.seenCards.has(card.id)) continue;
        this.seenCards.add(card.id);
        this.onInboxCard(owner, card);
      }
    }
  }

  private onBotMessage(conversationId: string, item: ChatItem) {
    const text = item.text ?? '';
    const at = itemAt(item, this.now);
    const number = numberOf(text);
    const s = this.stats;
    if (conversationId.startsWith('dm:')) {
      s.notices++;
      if (this.noticesShown++ < 8) this.warn(`the bot told ${conversationId.slice(3)}: ${text.split('\n')[0]}`);
      return;
    }
    if (conversationId === 'ops' && text.startsWith('📊')) {
      this.digests.push({ id: item.id, text });
      return;
    }
    const created = CREATED_RE.exec(text)?.[1];
    if (created) {
      s.created.add(created);
      this.order(created, conversationId, at, text.includes('已创建需求单') ? 'zh' : 'en');
      return;
    }
    if (text.startsWith('⛔')) s.blockedReplies++;
    if (!number) return;
    if (text.startsWith('🎉')) {
      s.confirmed.add(number);
      const order = this.orders.get(number);
      if (order) order.confirmedAt = at;
    } else if (text.startsWith('❌')) {
      s.rejected.add(number);
      const order = this.orders.get(number);
      if (order) order.rejected = true;
    } else if (text.startsWith('✅')) {
      s.delivered.add(number);
    } else if (text.startsWith('⏰')) {
      s.escalations++;
      if (/升级给周总|escalated to 周总/.test(text)) s.ladderEscalations++;
    } else if (text.startsWith('⚠️')) {
      s.delayAlerts++;
      s.delayedOrders.add(number);
    } else if (text.startsWith('⏸')) {
      s.pauses.add(number);
    }
  }

  /** The order record, made on first sight (by the reply, a card or a stage card). */
  private order(number: string, conversationId?: string, at?: number, language?: 'zh' | 'en'): OrderRec {
    let order = this.orders.get(number);
    if (!order) {
      // An order met first through a card (one from an earlier run): its chat is where its ETD card is.
      const chat = conversationId ?? this.cards.get(`etd-${number}`)?.owner;
      const requester: SalesId = chat === HOME_CONVERSATION.lisi ? 'lisi' : 'zhangsan';
      order = {
        number,
        conversationId: chat ?? HOME_CONVERSATION[requester],
        requester,
        language: language ?? 'zh',
        createdAt: at ?? this.now,
        stageCards: new Map(),
        done: new Set(),
      };
      this.orders.set(number, order);
    }
    return order;
  }

  private onInboxCard(owner: string, card: Card) {
    const at = itemAt(card, this.now);
    if (card.id.startsWith('st-')) return this.onStageCard(card, at);
    const actionable = card.buttons.some((b) => b.key === 'approve') && !card.resolved;
    if (!actionable) return;
    if (card.title.startsWith('加急评估')) return this.onExpediteCard(card, at);
    const number = numberOf(card.subtitle) ?? numberOf(JSON.stringify(card.fields));
    if (!number) return;
    const key = `${number}|${departmentOf(card.title)}`;
    if (card.title.startsWith('升级审批')) {
      const task = this.task(key, number, departmentOf(card.title));
      const rng = this.rng(`escalated|${key}|${owner}`);
      const delay = between(rng, owner === 'zhouzong' ? 15 : 10, owner === 'zhouzong' ? 90 : 60) * MINUTE;
      this.schedule(nextAvailable(rng, at + delay, ON_CALL), () => this.decide(task, { cardId: card.id, owner }));
      return;
    }
    if (this.tasks.has(key)) return; // the other lead's copy of the same approval
    const task = this.task(key, number, departmentOf(card.title));
    const rng = this.rng(`lead|${key}`);
    const minutes = task.fate === 'slow' ? between(rng, 130, 280) : between(rng, 10, 90);
    this.schedule(nextAvailable(rng, at + minutes * MINUTE, AWAKE), () => this.decide(task, null));
  }

  private task(key: string, number: string, department: string): TaskRec {
    let task = this.tasks.get(key);
    if (!task) {
      const fate = weighted(this.rng(`fate|${key}`), [
        ['reject', 0.02],
        ['slow', 0.15],
        ['normal', 0.83],
      ] as const);
      task = { key, number, department, fate, decided: false };
      this.tasks.set(key, task);
    }
    return task;
  }

  // ---- approvals ----

  /** A lead (escalated = null) or the holder of an escalation card decides, unless it is decided already. */
  private async decide(task: TaskRec, escalated: { cardId: string; owner: string } | null): Promise<void> {
    if (task.decided) return;
    const order = this.orders.get(task.number);
    if (order?.rejected) {
      task.decided = true;
      return;
    }
    // Engineering waits for the drawings the customer is to send before it signs off (a director who
    // got the card escalated decides anyway).
    if (!escalated && task.department === '技术部' && order?.pausedAt !== undefined && order.resumedAt === undefined) {
      const rng = this.rng(`hold|${task.key}`);
      const at = Math.max(order.pauseResumeAt ?? this.now + HOUR, this.now) + between(rng, 10, 40) * MINUTE;
      this.schedule(nextAvailable(rng, at, AWAKE), () => this.decide(task, escalated));
      return;
    }
    let target: { cardId: string; owner: string } | undefined;
    if (escalated) {
      const current = this.cards.get(escalated.cardId)?.card;
      if (current && !current.resolved && current.buttons.length > 0) target = escalated;
    } else {
      const open = [...this.cards.entries()]
        .filter(
          ([, { card }]) =>
            card.title.startsWith('需求单审批') && !card.resolved && card.buttons.some((b) => b.key === 'approve'),
        )
        .filter(
          ([, { card }]) =>
            `${numberOf(card.subtitle) ?? numberOf(JSON.stringify(card.fields))}|${departmentOf(card.title)}` ===
            task.key,
        )
        .map(([cardId, { owner }]) => ({ cardId, owner }))
        .sort((a, b) => (a.owner < b.owner ? -1 : 1));
      if (open.length > 0) target = pick(this.rng(`who|${task.key}`), open);
    }
    if (!target) {
      if (!escalated) task.decided = true; // decided by someone else, or the order is closed
      return;
    }
    const reject = !escalated && task.fate === 'reject';
    const note = reject ? pick(this.rng(`reason|${task.key}`), REJECT_REASONS) : undefined;
    if (!(await this.api.tap(target.cardId, target.owner, reject ? 'reject' : 'approve', note))) {
      this.warn(`the tap on ${task.number}'s ${task.department} card was refused`);
      return;
    }
    task.decided = true;
    if (reject) this.stats.rejections++;
    else this.stats.approvals++;
    if (escalated) this.stats.directorDecisions++;
    const cardId = target.cardId;
    await this.waitFor(`${task.number}'s ${task.department} card to close`, () =>
      this.cards.get(cardId)?.card.resolved ? true : undefined,
    );
  }

  private onExpediteCard(card: Card, at: number) {
    const source = card.notes?.[0] ?? card.id;
    if (this.expedites.has(source)) return; // the other tech lead's copy
    this.expedites.add(source);
    const rng = this.rng(`expedite|${source}`);
    const approve = chance(rng, 0.7);
    const note = pick(rng, EXPEDITE_REFUSALS);
    this.schedule(nextAvailable(rng, at + between(rng, 10, 60) * MINUTE, AWAKE), async () => {
      const open = [...this.cards.entries()].filter(
        ([, { card: c }]) => (c.notes?.[0] ?? c.id) === source && !c.resolved && c.buttons.length > 0,
      );
      const first = open[0];
      if (!first) return;
      const [cardId, { owner }] = first;
      const request = this.blocked.find((b) => `原文：${b.text}` === source);
      const baseline = this.maxItemId;
      if (!(await this.api.tap(cardId, owner, approve ? 'approve' : 'reject', approve ? undefined : note)))
        return this.warn('the expedite decision was refused');
      await this.waitFor('the expedite decision', () => (this.cards.get(cardId)?.card.resolved ? true : undefined));
      if (!request) return;
      // Granted: the order is created at the requested date (or the chat hears it is still too late).
      const answer = approve
        ? await this.waitFor('the order after the expedite', (state) =>
            (state.conversations[request.conversationId] ?? []).find(
              (i) =>
                Number(i.id) > baseline &&
                i.from.id === 'bot' &&
                !this.claimed.has(i.id) &&
                (CREATED_RE.test(i.text ?? '') || /仍赶不上|earliest is still/.test(i.text ?? '')),
            ),
          )
        : undefined;
      const number = CREATED_RE.exec(answer?.text ?? '')?.[1];
      if (answer) this.claimed.add(answer.id);
      if (answer && number) {
        request.state = 'done';
        const order = this.order(number, request.conversationId, itemAt(answer, this.now), request.language);
        order.requester = request.sender;
        return;
      }
      // Refused, or granted and still too late: the sales person takes the earliest date after all.
      this.schedule(nextAvailable(rng, this.now + between(rng, 10, 40) * MINUTE, AWAKE), () =>
        this.offerIfStillOpen(request),
      );
    });
  }

  // ---- customer requests ----

  private planDay(dayIndex: number) {
    if (this.plannedDays.has(dayIndex) || !isWorkday(dayIndex)) return;
    this.plannedDays.add(dayIndex);
    const rng = this.rng(`day|${dayIndex}`);
    const count = intBetween(rng, 6, 12);
    const times = Array.from({ length: count }, () =>
      chinaInstant(dayIndex, Math.round(between(rng, 8 * 60 + 45, 17 * 60 + 30))),
    ).sort((a, b) => a - b);
    times.forEach((at, i) => {
      if (at < this.now) return; // the simulation started later that day
      this.schedule(at, () => this.sendRequest(this.rng(`request|${dayIndex}|${i}`)));
    });
  }

  /** Says `text` and waits for the bot's first reply after it that `accept`s. */
  private async sayAndWait(
    conversationId: string,
    senderId: string,
    text: string,
    what: string,
    accept: (reply: string) => boolean,
  ): Promise<ChatItem | undefined> {
    const baseline = this.maxItemId;
    if (!(await this.api.say(conversationId, senderId, text))) {
      this.warn(`the playground refused "${text}" from ${senderId}`);
      return undefined;
    }
    const reply = await this.waitFor(what, (state) => {
      const items = state.conversations[conversationId] ?? [];
      const mine = items.find((i) => Number(i.id) > baseline && i.from.id === senderId && i.text === text);
      if (!mine) return undefined;
      return items.find(
        (i) =>
          Number(i.id) > Number(mine.id) &&
          i.from.id === 'bot' &&
          i.text !== undefined &&
          !this.claimed.has(i.id) &&
          accept(i.text),
      );
    });
    if (reply) this.claimed.add(reply.id);
    return reply;
  }

  private async sendRequest(rng: Rng): Promise<void> {
    const request = makeRequest(rng, this.now);
    this.stats.requests++;
    const reply = await this.sayAndWait(
      request.conversationId,
      request.sender,
      request.text,
      `the reply to "${request.text}"`,
      (t) => REQUEST_REPLY_RE.test(t),
    );
    if (!reply?.text) return;
    const number = CREATED_RE.exec(reply.text)?.[1];
    if (number) {
      const order = this.order(number, request.conversationId, itemAt(reply, this.now), request.language);
      order.requester = request.sender;
      order.language = request.language;
      if (request.pause)
        this.schedule(nextAvailable(rng, this.now + between(rng, 3, 15) * MINUTE, AWAKE), () => this.pause(order));
      return;
    }
    if (reply.text.startsWith('⛔')) {
      const replyId = Number(reply.id);
      const card = await this.waitFor('the "date not possible" card', (state) =>
        (state.conversations[request.conversationId] ?? []).find(
          (i) => Number(i.id) > replyId && i.card && BLOCKED_TITLES.includes(i.card.title) && !this.claimed.has(i.id),
        ),
      );
      if (!card?.card) return;
      this.claimed.add(card.id);
      const blocked: BlockedRec = {
        conversationId: request.conversationId,
        sender: request.sender,
        text: request.text,
        cardId: card.card.id,
        language: request.language,
        pause: request.pause,
        state: 'open',
      };
      this.blocked.push(blocked);
      const choice = weighted(rng, [
        ['offer', 0.75],
        ['escalate', 0.1],
        ['leave', 0.15],
      ] as const);
      if (choice === 'leave') {
        blocked.state = 'left';
        this.stats.blockedLeft++;
        return;
      }
      const at = nextAvailable(rng, this.now + between(rng, 2, 30) * MINUTE, AWAKE);
      this.schedule(at, () => (choice === 'offer' ? this.offerIfStillOpen(blocked) : this.askExpedite(blocked)));
      return;
    }
    this.stats.notUnderstood++;
    this.warn(`the bot did not take "${request.text}" as an order: ${reply.text.split('\n')[0]}`);
  }

  /** "按…下单" on the card: the order is created at the plant's earliest date. */
  private async offerIfStillOpen(blocked: BlockedRec): Promise<void> {
    // An expedite that went through created the order; the card in the chat still shows its "offer" button.
    if (blocked.state === 'done' || blocked.state === 'offered') return;
    const card = this.cards.get(blocked.cardId)?.card;
    if (!card || card.resolved || !card.buttons.some((b) => b.key === 'offer')) return;
    const baseline = this.maxItemId;
    if (!(await this.api.tap(blocked.cardId, blocked.sender, 'offer'))) return this.warn('the "offer" tap was refused');
    const outcome = await this.waitFor('the order at the earliest date', (state) => {
      const resolved = this.cards.get(blocked.cardId)?.card.resolved;
      const number = numberOf(resolved?.text);
      if (number) {
        const reply = (state.conversations[blocked.conversationId] ?? []).find(
          (i) => Number(i.id) > baseline && i.text && CREATED_RE.exec(i.text)?.[1] === number,
        );
        return reply ? { number, reply } : undefined;
      }
      const changed = (state.conversations[blocked.conversationId] ?? []).find(
        (i) => Number(i.id) > baseline && i.from.id === 'bot' && /计划有变|plan changed/.test(i.text ?? ''),
      );
      return changed ? { number: undefined, reply: changed } : undefined;
    });
    if (!outcome) return;
    this.claimed.add(outcome.reply.id);
    if (!outcome.number) return this.warn('no date available any more for a blocked request');
    blocked.state = 'offered';
    this.stats.offersTaken++;
    const order = this.order(outcome.number, blocked.conversationId, itemAt(outcome.reply, this.now), blocked.language);
    order.requester = blocked.sender;
    if (blocked.pause) {
      const rng = this.rng(`pause-at|${order.number}`);
      this.schedule(nextAvailable(rng, this.now + between(rng, 3, 15) * MINUTE, AWAKE), () => this.pause(order));
    }
  }

  private async askExpedite(blocked: BlockedRec): Promise<void> {
    const card = this.cards.get(blocked.cardId)?.card;
    if (!card || card.resolved || !card.buttons.some((b) => b.key === 'escalate')) return;
    const baseline = this.maxItemId;
    if (!(await this.api.tap(blocked.cardId, blocked.sender, 'escalate')))
      return this.warn('the "escalate" tap was refused');
    blocked.state = 'escalated';
    this.stats.expeditesAsked++;
    const reply = await this.waitFor('the expedite request', (state) =>
      (state.conversations[blocked.conversationId] ?? []).find(
        (i) => Number(i.id) > baseline && i.from.id === 'bot' && /评估加急|Escalated to/.test(i.text ?? ''),
      ),
    );
    if (reply) this.claimed.add(reply.id);
  }

  // ---- waiting on the customer ----

  private async pause(order: OrderRec): Promise<void> {
    if (order.confirmedAt !== undefined || order.rejected) return;
    const rng = this.rng(`pause|${order.number}`);
    const text = pausePhrase(rng, order.number, order.language);
    const reply = await this.sayAndWait(order.conversationId, order.requester, text, `the answer to "${text}"`, (t) =>
      t.includes(order.number),
    );
    if (!reply?.text?.startsWith('⏸')) {
      if (reply?.text) this.warn(`"${text}" did not pause: ${reply.text.split('\n')[0]}`);
      return;
    }
    order.pausedAt = this.now;
    const hours = 1 + 5 * rng() ** 2; // 1–6 hours, mostly under 2.5
    order.pauseResumeAt = nextAvailable(rng, this.now + hours * HOUR, AWAKE);
    this.schedule(order.pauseResumeAt, () => this.resume(order));
  }

  private async resume(order: OrderRec): Promise<void> {
    const rng = this.rng(`resume|${order.number}`);
    const text = resumePhrase(rng, order.number, order.language);
    const reply = await this.sayAndWait(order.conversationId, order.requester, text, `the answer to "${text}"`, (t) =>
      t.includes(order.number),
    );
    order.resumedAt = this.now;
    if (reply) this.stats.resumes++;
  }

  // ---- after confirmation: the stages ----

  private onStageCard(card: Card, at: number) {
    const stage = /^st-([a-z_]+)-/.exec(card.id)?.[1] as WorkStage | undefined;
    const number = numberOf(card.title);
    if (!stage || !number || !FULL_STAGES.includes(stage)) return;
    const known = this.orders.has(number);
    const order = this.order(number);
    if (!known && card.subtitle?.includes('李四')) order.requester = 'lisi';
    if (!known && card.subtitle?.includes('张三')) order.requester = 'zhangsan';
    order.stageCards.set(stage, card.id);
    if (order.planned || card.resolved) return;
    order.planned = true;
    const promised = chinaDaysIn(card.fields.find((f) => f.label === '承诺交期')?.value ?? '', at)[0];
    order.promisedAt = promised === undefined ? undefined : chinaInstant(promised, 18 * 60);
    const [planStart, planFinish] = chinaDaysIn(card.fields.find((f) => f.label === '生产计划')?.value ?? '', at);
    order.planStart = planStart;
    order.planFinish = planFinish;
    this.planStages(order, FULL_STAGES.slice(FULL_STAGES.indexOf(stage)), at);
  }

  /**
   * When each stage gets done: backwards from a delivery time chosen for the order's fate (most on time,
   * some late, a few early), but never faster than the plant can work forwards; all in office hours.
   */
  private planStages(order: OrderRec, stages: WorkStage[], start: number) {
    const rng = this.rng(`plan|${order.number}`);
    const promisedAt = order.promisedAt ?? start + 7 * DAY;
    let fate = weighted(rng, [
      ['on-time', 0.68],
      ['late', 0.25],
      ['early', 0.07],
    ] as const);
    if (fate === 'early' && promisedAt - start < 4 * DAY) fate = 'on-time';
    order.fate = fate;
    const delivery =
      fate === 'late'
        ? windowForward(promisedAt + between(rng, 6, 40) * HOUR, DELIVERY)
        : windowBack(
            promisedAt - between(rng, fate === 'early' ? 54 : 2, fate === 'early' ? 100 : 40) * HOUR,
            DELIVERY,
          );

    // Latest sensible times, backwards from the delivery, in the plant's working hours (a stage due on
    // a Sunday is done on the Friday before, not on the Monday after).
    const back = new Map<WorkStage, number>();
    back.set('delivered', delivery);
    back.set('shipped', windowBack(delivery - between(rng, 30, 50) * HOUR, WORK));
    back.set('packed', windowBack(back.get('shipped')! - between(rng, 1, 4) * HOUR, WORK));
    back.set('qc_passed', windowBack(back.get('packed')! - between(rng, 2, 8) * HOUR, WORK));
    back.set('in_production', windowBack(back.get('qc_passed')! - between(rng, 8, 30) * HOUR, WORK));
    // Made to order: production starts on the first day of the plan on its card and passes QC on the
    // last (a late order's production runs a day or two over: that is what first moves its ETD).
    const planned = new Map<WorkStage, number>();
    if (order.planStart !== undefined)
      planned.set('in_production', chinaInstant(order.planStart, WORK.from) + between(rng, 0, 120) * MINUTE);
    if (order.planFinish !== undefined)
      planned.set(
        'qc_passed',
        chinaInstant(order.planFinish, 14 * 60) + (fate === 'late' ? between(rng, 20, 44) * HOUR : 0),
      );
    // Shortest gaps after the previous stage (hours), forwards from the card; the courier takes a day or two.
    const gap: Record<WorkStage, [number, number]> = {
      in_production: [0.3, 3],
      qc_passed: [4, 10],
      packed: [1, 4],
      shipped: [1, 3],
      delivered: [18, 40],
    };
    let previous = start;
    for (const stage of stages) {
      const [low, high] = gap[stage];
      const earliest = previous + between(rng, low, high) * HOUR;
      const target = planned.get(stage) ?? back.get(stage) ?? earliest;
      const at = nextAvailable(rng, Math.max(earliest, target), stage === 'delivered' ? DELIVERY : WORK, 90);
      this.schedule(at, () => this.doStage(order, stage, 0));
      previous = at;
    }
  }

  private async doStage(order: OrderRec, stage: WorkStage, attempt: number): Promise<void> {
    if (order.deliveredAt !== undefined || order.rejected) return;
    const rng = this.rng(`stage|${order.number}|${stage}|${attempt}`);
    const window = stage === 'delivered' ? DELIVERY : WORK;
    const retry = () =>
      this.schedule(nextAvailable(rng, this.now + between(rng, 30, 60) * MINUTE, window), () =>
        this.doStage(order, stage, attempt + 1),
      );
    if (stage === 'delivered') {
      if (!order.done.has('shipped') && attempt < 4) return retry();
      const text = stagePhrase(rng, order.number, 'delivered', order.language);
      const reply = await this.sayAndWait(
        order.conversationId,
        order.requester,
        text,
        `the delivery notice of ${order.number}`,
        (t) => t.includes(order.number),
      );
      if (!reply?.text?.startsWith('✅')) {
        if (reply?.text) this.warn(`"${text}" was not taken: ${reply.text.split('\n')[0]}`);
        return;
      }
      order.deliveredAt = this.now;
      order.done.add('delivered');
      this.stats.stageReports++;
      const promisedAt = order.promisedAt;
      if (promisedAt !== undefined) {
        if (this.now > promisedAt) {
          this.stats.deliveredLate++;
          if (order.fate === 'late') this.stats.deliveredLateOnPurpose++;
        } else if (this.now < promisedAt - 2 * DAY) this.stats.deliveredEarly++;
        else this.stats.deliveredOnTime++;
      }
      return;
    }
    const cardId = order.stageCards.get(stage);
    const card = cardId ? this.cards.get(cardId)?.card : undefined;
    if (card?.resolved) {
      order.done.add(stage);
      return;
    }
    if (!card && attempt < 4) return retry();
    const owner = STAGE_OWNER[stage];
    const byCard = card !== undefined && (stage === 'shipped' ? chance(rng, 0.3) : chance(rng, 0.6));
    if (byCard && card) {
      if (!(await this.api.tap(card.id, owner, `done:${stage}`)))
        return this.warn(`the "${stage}" tap on ${order.number} was refused`);
      const closed = await this.waitFor(`${order.number}'s ${stage} card to close`, () =>
        this.cards.get(card.id)?.card.resolved ? true : undefined,
      );
      if (!closed) return;
      this.stats.stageTaps++;
      order.done.add(stage);
      // Tapped "已发货" on the card: the waybill follows in the chat, so tracking can start.
      if (stage === 'shipped' && chance(rng, 0.6)) {
        this.schedule(this.now + between(rng, 10, 60) * MINUTE, async () => {
          const text = `${order.number} 已发货 顺丰 ${waybill(rng)}`;
          await this.sayAndWait(order.conversationId, owner, text, `the waybill of ${order.number}`, (t) =>
            t.includes(order.number),
          );
        });
      }
      return;
    }
    const text = stagePhrase(rng, order.number, stage, 'zh');
    const reply = await this.sayAndWait(order.conversationId, owner, text, `the answer to "${text}"`, (t) =>
      t.includes(order.number),
    );
    if (!reply?.text) return;
    if (!reply.text.startsWith('已记录')) return this.warn(`"${text}" was not recorded: ${reply.text.split('\n')[0]}`);
    this.stats.stageReports++;
    order.done.add(stage);
  }

  // ---- the clock ----

  /** 10–30 minutes while people are about; at night and at weekends up to 3 hours, to the next thing due. */
  private nextStepMinutes(): number {
    if (inWindow(this.now, AWAKE)) return intBetween(this.stepRng, 10, 30);
    const morning = windowForward(this.now, AWAKE);
    const nextAction = this.actions.reduce((min, a) => Math.min(min, a.at), Number.POSITIVE_INFINITY);
    const target = Math.min(morning, nextAction);
    return Math.max(1, Math.min(180, Math.ceil((target - this.now) / MINUTE)));
  }

  private async runDue() {
    for (;;) {
      this.actions.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.actions[0];
      if (!next || next.at > this.now) return;
      this.actions.shift();
      await this.guarded(next.run);
    }
  }

  /** A failed step is a warning; the playground gone, or five failures in a row, ends the run. */
  private async guarded(step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
      this.failures = 0;
    } catch (err) {
      if (err instanceof Unreachable || ++this.failures >= 5) throw err;
      this.warn(`a step failed: ${(err as Error).message}`);
    }
  }

  private logDay(force = false) {
    const day = chinaTime(this.now).dayIndex;
    if (!force && day === this.loggedDay) return;
    const previousDay = this.loggedDay;
    this.loggedDay = day;
    if (previousDay < 0) return;
    const s = this.stats;
    const d = this.dayStart;
    const label = formatChinaDay(chinaInstant(previousDay, 12 * 60));
    const parts = [
      `${s.requests - d.requests} requests`,
      `${s.created.size - d.created.size} orders`,
      `${s.confirmed.size - d.confirmed.size} confirmed`,
      `${s.rejected.size - d.rejected.size} rejected`,
      `${s.pauses.size - d.pauses.size} paused`,
      `${s.escalations - d.escalations} escalations`,
      `${s.stageTaps + s.stageReports - d.stageTaps - d.stageReports} stage updates`,
      `${s.delivered.size - d.delivered.size} delivered`,
      `${s.delayAlerts - d.delayAlerts} delay alerts`,
    ];
    this.log(`${label}${isWorkday(previousDay) ? '' : ' (weekend)'}: ${parts.join(', ')}`);
    this.dayStart = {
      ...s,
      created: new Set(s.created),
      confirmed: new Set(s.confirmed),
      rejected: new Set(s.rejected),
      delivered: new Set(s.delivered),
      pauses: new Set(s.pauses),
    };
  }

  async run(): Promise<void> {
    const started = Date.now();
    this.now = await this.api.clock();
    const from = this.now;
    this.end = from + this.options.weeks * 7 * DAY;
    this.takeOver(await this.api.state());
    this.loggedDay = chinaTime(this.now).dayIndex;
    this.log(
      `Simulating ${this.options.weeks} week(s) from ${formatChina(from)} to ${formatChina(this.end)} (China time), seed ${this.options.seed}, against ${this.options.url}`,
    );

    while (this.now < this.end) {
      const minutes = Math.min(this.nextStepMinutes(), Math.ceil((this.end - this.now) / MINUTE));
      if (minutes < 1) break;
      this.now = await this.api.advance(minutes);
      this.logDay();
      const today = chinaTime(this.now);
      if (today.minuteOfDay >= AWAKE.from) this.planDay(today.dayIndex);
      await this.guarded(() => this.refresh());
      await this.runDue();
    }
    await this.refresh();
    this.logDay(true);
    await this.report(from, started);
  }

  private async report(from: number, started: number) {
    const s = this.stats;
    const workdays = this.plannedDays.size;
    const inFlight = [...this.orders.values()].filter(
      (o) => s.confirmed.has(o.number) && !s.delivered.has(o.number),
    ).length;
    const lines = [
      '',
      `Simulated ${Math.round((this.now - from) / DAY)} days (${workdays} working days) in ${Math.round((Date.now() - started) / 1000)}s.`,
      `  requests sent        ${s.requests} (${s.notUnderstood} not taken as an order)`,
      `  dates not possible   ${s.blockedReplies} → ${s.offersTaken} took the earliest date, ${s.expeditesAsked} asked tech to expedite, ${s.blockedLeft} left`,
      `  orders               ${s.created.size} created, ${s.confirmed.size} confirmed, ${s.rejected.size} rejected, ${s.delivered.size} delivered, ${inFlight} confirmed and still under way`,
      `  deliveries           ${s.deliveredOnTime} on time, ${s.deliveredLate} late (${s.deliveredLateOnPurpose} meant to run late), ${s.deliveredEarly} more than 2 days early`,
      `  approvals            ${s.approvals} approved, ${s.rejections} rejected with a reason, ${s.directorDecisions} decided by a director or the GM`,
      `  waiting on customer  ${s.pauses.size} paused, ${s.resumes} resumed`,
      `  escalations seen     ${s.escalations} (${s.ladderEscalations} of them on to the general manager)`,
      `  delay alerts seen    ${s.delayAlerts} on ${s.delayedOrders.size} orders`,
      `  stage updates        ${s.stageTaps} by card, ${s.stageReports} in the chat`,
      `  weekly digests       ${this.digests.length} posted to the ops chat by the bot during the run`,
      `  warnings             ${s.warnings}${s.notices > 0 ? ` (${s.notices} notices from the bot to a person)` : ''}`,
    ];
    this.log(lines.join('\n'));

    const digests = this.digests.length;
    const reply = await this.sayAndWait('ops', 'zhouzong', '/kpi', 'the KPI digest', (t) => t.startsWith('📊'));
    this.log(`\n/kpi in the ops chat (${formatChina(this.now)}):\n${reply?.text ?? '(no answer)'}`);
    const last = this.digests.slice(0, digests).at(-1);
    if (last)
      this.log(`\nThe last weekly digest the bot posted to the ops chat by itself (Monday 09:00):\n${last.text}`);
    this.log(`\nOps board: ${this.options.url}/board (login ops / orderbot); chats and inboxes: ${this.options.url}/`);
  }
}

async function main() {
  const options = readOptions(process.argv.slice(2));
  const api = new Playground(options.url);
  try {
    await api.clock();
  } catch (err) {
    if (err instanceof Unreachable) {
      process.stderr.write(
        `simulate: cannot reach the orderbot playground at ${options.url} (${err.message}); start it first with npm start\n`,
      );
      process.exit(1);
    }
    throw err;
  }
  try {
    await new Simulation(api, options).run();
  } catch (err) {
    if (err instanceof Unreachable) {
      process.stderr.write(
        `simulate: lost the playground at ${options.url} (${err.message}); is it still running? start it with npm start\n`,
      );
      process.exit(1);
    }
    process.stderr.write(`simulate: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  }
}

void main();
