import { readFileSync } from 'node:fs';
import { type BusinessConfig, DEMO_CONFIG_PATH, readBusinessConfig } from '../../config/business-config';
import { readEnv, type Env } from '../../config/env';
import { startApp, type AppOptions, type RunningApp } from '../../bot/app';
import { createLogger } from '../../bot/logger';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { queryRows, type DatabaseHandle } from '../../db/client';
import { TestClock } from './clock';
import { createTestDatabase, resetDatabase, type Backend } from './databases';

export interface PlaygroundCard {
  id: string;
  title: string;
  fields: Array<{ key: string; label: string; value: string; tone?: string }>;
  notes?: string[];
  buttons: Array<{ key: string; label: string }>;
  resolved?: { status: string; text: string };
}
export interface ChatItem {
  id: string;
  from: { id: string; name: string };
  text?: string;
  card?: PlaygroundCard;
}
export interface PlaygroundState {
  conversations: Record<string, ChatItem[]>;
  inbox: Record<string, PlaygroundCard[]>;
  sms: unknown[];
}

/** The product started for real on a fresh database, driven over HTTP like the page and other tools do. */
export class TestApp {
  private constructor(
    readonly app: RunningApp,
    readonly database: DatabaseHandle,
    readonly clock: TestClock,
    private readonly ownsDatabase: boolean,
  ) {}

  /**
   * Starts the app on `options.database` (left open on close: the caller owns it) or on a database of
   * its own. Pass `fresh: true` with a shared database to empty it first.
   */
  static async start(
    backend: Backend,
    options: {
      clock?: TestClock;
      database?: DatabaseHandle;
      fresh?: boolean;
      env?: Env;
      config?: BusinessConfig;
      integrations?: Pick<AppOptions, 'smsProvider' | 'tracker' | 'transit'>;
      /** Where the app logs (silent by default). */
      log?: Logger;
      /** How often it looks for a newer config version. */
      configPollMs?: number;
      /** How often the outbox sender looks for due rows (50 ms by default). */
      outboxPollMs?: number;
      /** The first-start config file instead of the demo's (its input, as read from YAML). */
      seed?: { config: BusinessConfig; input: unknown };
      /** Whether an empty database gets the demo master data (default yes). */
      seedDemoData?: boolean;
    } = {},
  ): Promise<TestApp> {
    const database = options.database ?? (await createTestDatabase(backend));
    if (options.fresh) await resetDatabase(database.db);
    const clock = options.clock ?? new TestClock();
    const app = await startApp({
      database,
      ...(options.seed
        ? { config: options.seed.config, configInput: options.seed.input }
        : options.config
          ? { config: options.config }
          : demoConfig()),
      ...(options.seedDemoData === undefined ? {} : { seedDemoData: options.seedDemoData }),
      log: options.log ?? createLogger('silent'),
      clock: clock.now,
      port: 0,
      outboxPollMs: options.outboxPollMs ?? 50,
      ...(options.configPollMs ? { configPollMs: options.configPollMs } : {}),
      env: options.env ?? readEnv({}),
      timeTravel: { offsetMs: clock.offsetMs, advance: clock.advance },
      ...options.integrations,
    });
    return new TestApp(app, database, clock, !options.database);
  }

  get url(): string {
    return this.app.url;
  }

  get db() {
    return this.database.db;
  }

  async request(method: string, path: string, body?: unknown, raw?: string) {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {},
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the product answered
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  }

  async say(text: string, options: { senderId?: string; conversationId?: string; messageId?: string } = {}) {
    const res = await this.request('POST', '/api/playground/messages', {
      conversationId: options.conversationId ?? 'sales-east',
      senderId: options.senderId ?? 'zhangsan',
      text,
      ...(options.messageId ? { messageId: options.messageId } : {}),
    });
    if (res.status !== 202) throw new Error(`message refused: ${res.status} ${res.text}`);
    return res.json as { messageId: string; duplicate: boolean };
  }

  async tap(cardId: string, userId: string, key: string, note?: string) {
    return this.request('POST', `/api/playground/cards/${cardId}/actions`, {
      userId,
      key,
      ...(note !== undefined ? { note } : {}),
    });
  }

  async state(): Promise<PlaygroundState> {
    return (await this.request('GET', '/api/playground/state')).json;
  }

  /** Polls the playground state until `check` returns a value (not undefined/false), or fails after 5 s. */
  async waitFor<T>(check: (state: PlaygroundState) => T | undefined | false, what = 'condition'): Promise<T> {
    const deadline = Date.now() + 5000;
    let last: PlaygroundState | undefined;
    while (Date.now() < deadline) {
      last = await this.state();
      const value = check(last);
      if (value !== undefined && value !== false) return value;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(last, null, 1).slice(0, 3000)}`);
  }

  /**
   * Waits until nothing is left to handle or deliver: every inbound row handled, every outbox row settled
   * (rows held for later on purpose, such as an SMS waiting for quiet hours to end, do not count).
   */
  async settle(): Promise<void> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const [row] = await queryRows<{ n: string | number }>(
        this.database.db,
        sql`select (select count(*) from inbound_messages where status = 'received')
          + (select count(*) from outbox where status = 'pending' and next_attempt_at < ${new Date(this.clock.now().getTime() + 60_000).toISOString()}::timestamptz) as n`,
      );
      if (Number(row?.n) === 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('timed out waiting for the bot to settle');
  }

  /** The bot's text messages in a chat (its cards, such as each order's tracking card, are left out). */
  botMessages(state: PlaygroundState, conversationId = 'sales-east'): string[] {
    return (state.conversations[conversationId] ?? [])
      .filter((m) => m.from.id === 'bot' && !m.card)
      .map((m) => m.text ?? '');
  }

  async close(): Promise<void> {
    await this.app.close();
    if (this.ownsDatabase) await this.database.close();
  }
}

/** The demo config file as the product reads it: its input form (durations as written) and the config. */
function demoConfig() {
  const { input, config } = readBusinessConfig(readFileSync(DEMO_CONFIG_PATH, 'utf8'), DEMO_CONFIG_PATH);
  return { config, configInput: input };
}
