import type { DatabaseHandle } from '../../../db/client';
import { loadBusinessConfig } from '../../../config/business-config';
import { FakeDingtalk, type FakeDingtalkOptions } from '../../fakes/dingtalk/fake-dingtalk';
import { TestApp } from '../../support/app';
import { TestClock } from '../../support/clock';

const config = loadBusinessConfig();

/** The DingTalk staff id of a config person. */
export function staffIdOf(personId: string): string {
  const id = config.people.find((p) => p.id === personId)?.dingtalk;
  if (!id) throw new Error(`${personId} has no DingTalk id`);
  return String(id);
}

export function groupIdOf(conversationId: string): string {
  const id = config.conversations.find((c) => c.id === conversationId)?.dingtalk?.openConversationId;
  if (!id) throw new Error(`${conversationId} has no DingTalk group`);
  return id;
}

/** The product on a fake DingTalk (Stream gateway + OpenAPI), in this process, sharing one test clock. */
export class DingtalkDrillWorld {
  private constructor(
    readonly fake: FakeDingtalk,
    readonly app: TestApp,
    readonly clock: TestClock,
  ) {}

  static async start(
    database: DatabaseHandle,
    options: { requestTimeoutMs?: number; fake?: FakeDingtalkOptions } = {},
  ): Promise<DingtalkDrillWorld> {
    const clock = new TestClock();
    const fake = await FakeDingtalk.start({ clock: clock.now, ...options.fake });
    const env = fake.env(
      options.requestTimeoutMs ? { DINGTALK_REQUEST_TIMEOUT_MS: String(options.requestTimeoutMs) } : {},
    );
    const app = await TestApp.start('postgres', { database, clock, env });
    await fake.waitFor(() => fake.gateway.liveConnections().length === 1, 'the bot to connect');
    return new DingtalkDrillWorld(fake, app, clock);
  }

  get db() {
    return this.app.db;
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.fake.close();
  }
}

/** The dingtalk-stream SDK announces every connection on stdout: kept quiet while `work` runs. */
export async function quietSdk<T>(work: () => Promise<T>): Promise<T> {
  const info = console.info;
  console.info = () => {};
  try {
    return await work();
  } finally {
    console.info = info;
  }
}
