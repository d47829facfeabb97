import { destination, type Logger } from 'pino';
import { createLogger } from '../../../bot/logger';
import type { DatabaseHandle } from '../../../db/client';
import { FakeWecom } from '../../fakes/wecom/fake-wecom';
import { TestApp } from '../../support/app';
import { TestClock } from '../../support/clock';
import { DEMO_USERS, EAST, wecomEnv } from '../../wecom/harness';

type Obj = Record<string, unknown>;

/** Something the fake WeCom did for a request it handled (whether or not its answer reached the bot). */
export type WecomDelivery =
  | { kind: 'text'; user: string; content: string; shown: boolean }
  | { kind: 'card'; user: string; taskId: string; card: Obj; shown: boolean; errcode: number }
  | { kind: 'update'; taskId: string; card: Obj | undefined; applied: boolean; errcode: number }
  | {
      kind: 'group';
      chat: string;
      via: 'webhook' | 'response_url';
      content: string;
      /** The task_id of a template card the AI bot posted. */
      taskId?: string;
      shown: boolean;
      errcode: number;
    };

/** The product on a fake WeCom, in this process, with a record of what reached the people. */
export class WecomDrillWorld {
  readonly deliveries: WecomDelivery[] = [];

  private constructor(
    readonly fake: FakeWecom,
    readonly app: TestApp,
    readonly clock: TestClock,
  ) {
    this.record();
  }

  /** DRILL_LOG=<file> writes the bot's debug log there. */
  static async start(
    database: DatabaseHandle,
    options: { requestTimeoutMs?: number; log?: Logger } = {},
  ): Promise<WecomDrillWorld> {
    const clock = new TestClock();
    const fake = await new FakeWecom({
      users: DEMO_USERS,
      webhooks: { [EAST.webhookKey]: EAST.chatId },
      clock: clock.now,
    }).start();
    const env = wecomEnv(
      fake,
      options.requestTimeoutMs ? { WECOM_REQUEST_TIMEOUT_MS: String(options.requestTimeoutMs) } : {},
    );
    const log =
      options.log ?? (process.env.DRILL_LOG ? createLogger('debug', destination(process.env.DRILL_LOG)) : undefined);
    const app = await TestApp.start('postgres', { database, clock, env, ...(log ? { log } : {}) });
    fake.connect(app.url);
    return new WecomDrillWorld(fake, app, clock);
  }

  get db() {
    return this.app.db;
  }

  /** How the newest copy of a card looks now in its recipient's chat. */
  currentCard = (cardId: string): Record<string, unknown> | undefined => {
    const copies = [...this.fake.app.cards.keys()].filter(
      (taskId) => taskId === cardId || taskId.startsWith(`${cardId}-r`),
    );
    const views = copies.length > 0 ? this.fake.app.cards.get(copies[copies.length - 1]!) : undefined;
    const view = views ? [...views.values()][0] : undefined;
    // Greyed by `button.replace_name`: what shows is the outcome on the buttons.
    return view?.greyed !== undefined && view.card.replace_text === undefined ? { greyed: view.greyed } : view?.card;
  };

  async close(): Promise<void> {
    await this.app.close();
    await this.fake.stop();
  }

  /** Wraps the fake's handlers so every send it carried out is listed, with whether a person saw it. */
  private record(): void {
    const { app, groups } = this.fake;
    const log = this.deliveries;
    const inboxSize = (user: string) => app.inbox.get(app.canonical(user) ?? user)?.length ?? 0;
    const send = app.send.bind(app);
    app.send = (body: Obj) => {
      const users = String(body.touser ?? '').split('|');
      const before = users.map(inboxSize);
      const reply = send(body);
      users.forEach((user, i) => {
        const shown = inboxSize(user) > before[i]!;
        if (body.msgtype === 'template_card') {
          const card = body.template_card as Obj;
          log.push({ kind: 'card', user, taskId: String(card.task_id), card, shown, errcode: reply.errcode });
        } else if (reply.errcode === 0) {
          const content = String((body[String(body.msgtype)] as Obj | undefined)?.content ?? '');
          log.push({ kind: 'text', user, content, shown });
        }
      });
      return reply;
    };
    const update = app.update.bind(app);
    app.update = (body: Obj) => {
      const taskId = app.codes.get(String(body.response_code ?? ''))?.taskId ?? '?';
      const reply = update(body);
      log.push({
        kind: 'update',
        taskId,
        card:
          (body.template_card as Obj | undefined) ??
          (body.button ? { greyed: (body.button as Obj).replace_name } : undefined),
        applied: reply.errcode === 0,
        errcode: reply.errcode,
      });
      return reply;
    };
    const webhook = groups.webhook.bind(groups);
    groups.webhook = (key: string | null, body: Obj) => {
      const reply = webhook(key, body);
      const chat = (key && EAST.webhookKey === key ? EAST.chatId : key) ?? '?';
      log.push({
        kind: 'group',
        chat,
        via: 'webhook',
        content: contentOf(body),
        shown: reply.errcode === 0,
        errcode: reply.errcode,
      });
      return reply;
    };
    const respond = groups.respond.bind(groups);
    groups.respond = (code: string | null, body: Obj) => {
      const before = new Map([...groups.chats].map(([chat, messages]) => [chat, messages.length]));
      const reply = respond(code, body);
      const chat = [...groups.chats].find(([c, messages]) => messages.length > (before.get(c) ?? 0))?.[0] ?? '?';
      log.push({
        kind: 'group',
        chat,
        via: 'response_url',
        content: contentOf(body),
        ...(typeof (body.template_card as Obj | undefined)?.task_id === 'string'
          ? { taskId: (body.template_card as Obj).task_id as string }
          : {}),
        shown: reply.errcode === 0,
        errcode: reply.errcode,
      });
      return reply;
    };
  }
}

function contentOf(body: Obj): string {
  const part = body[String(body.msgtype)] as Obj | undefined;
  return String(part?.content ?? '');
}
