import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { loadBusinessConfig } from '../../config/business-config';
import { readEnv, type Env } from '../../config/env';
import { queryRows, type DatabaseHandle } from '../../db/client';
import { FakeWecom, type FakeWecomOptions } from '../fakes/wecom/fake-wecom';
import type { CardView } from '../fakes/wecom/app-api';
import { TestApp } from '../support/app';
import { TestClock } from '../support/clock';
import type { Backend } from '../support/databases';

const config = loadBusinessConfig();
/** The demo config's people as WeCom knows them (通讯录). */
export const DEMO_USERS = config.people.flatMap((p) => (p.wecom ? [p.wecom] : []));
export const EAST = config.conversations.find((c) => c.id === 'sales-east')!.wecom! as {
  chatId: string;
  webhookKey: string;
};
export const SOUTH_CHAT = config.conversations.find((c) => c.id === 'sales-south')!.wecom!.chatId;
export const LEADS = ['WangGong', 'LiuGong', 'ChenJie', 'ZhouShiFu'];

export function wecomEnv(fake: FakeWecom, extra: Record<string, string> = {}): Env {
  return readEnv({ ...fake.envVars(), LOG_LEVEL: 'silent', ...extra });
}

/** The product on WeCom: a fake WeCom and the app, sharing one test clock. */
export class WecomWorld {
  private constructor(
    readonly fake: FakeWecom,
    readonly app: TestApp,
    readonly clock: TestClock,
  ) {}

  static async start(
    backend: Backend,
    database: DatabaseHandle,
    options: {
      fake?: FakeWecomOptions;
      clock?: TestClock;
      log?: Logger;
      /** Settings over the fake's own (an empty value unsets one). */
      env?: Record<string, string>;
      app?: Pick<Parameters<typeof TestApp.start>[1] & {}, 'seed' | 'seedDemoData' | 'configPollMs' | 'fresh'>;
    } = {},
  ) {
    const clock = options.clock ?? new TestClock();
    const fake = await new FakeWecom({
      users: DEMO_USERS,
      webhooks: { [EAST.webhookKey]: EAST.chatId },
      clock: clock.now,
      ...options.fake,
    }).start();
    const app = await TestApp.start(backend, {
      database,
      fresh: true,
      clock,
      env: wecomEnv(fake, options.env),
      ...(options.log ? { log: options.log } : {}),
      ...options.app,
    });
    fake.connect(app.url);
    return new WecomWorld(fake, app, clock);
  }

  get db() {
    return this.app.db;
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.fake.stop();
  }

  /** Polls until `check` gives a value (not undefined/false), or fails after 5 s with `what`. */
  async waitFor<T>(
    check: () => T | undefined | false | Promise<T | undefined | false>,
    what: string,
    timeoutMs = 5000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Every lead's single approval card, once all four have one. */
  async leadCards(): Promise<Record<string, CardView>> {
    return this.waitFor(() => {
      const cards = Object.fromEntries(LEADS.map((u) => [u, this.fake.cardsOf(u)[0]]));
      return LEADS.every((u) => cards[u]) && (cards as Record<string, CardView>);
    }, 'a card for each of the four leads');
  }

  /** Moves the clock on in steps until nothing is left to handle or deliver (retries with backoff). */
  async drain(stepMs = 5000, maxSteps = 200): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      if ((await this.pending()) === 0) return;
      this.clock.advance(stepMs);
      await new Promise((r) => setTimeout(r, 30));
    }
    throw new Error('the outbox did not drain');
  }

  async pending(): Promise<number> {
    const [row] = await queryRows<{ n: string | number }>(
      this.db,
      sql`select (select count(*) from inbound_messages where status = 'received') + (select count(*) from outbox where status = 'pending') as n`,
    );
    return Number(row?.n);
  }

  async count(table: 'inbound_messages' | 'outbox' | 'orders' | 'reply_windows' | 'cards'): Promise<number> {
    const [row] = await queryRows<{ n: string | number }>(this.db, sql.raw(`select count(*) as n from ${table}`));
    return Number(row?.n);
  }
}
