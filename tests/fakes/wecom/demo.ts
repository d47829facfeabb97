/**
 * A WeCom demo without WeCom: starts the fake WeCom with the demo config's people and groups, prints
 * the environment to start orderbot with, and lets you act as the members from the terminal.
 *
 *   npx tsx tests/fakes/wecom/demo.ts [orderbot URL, default http://127.0.0.1:3000]
 */
import { createInterface } from 'node:readline/promises';
import { loadBusinessConfig } from '../../../config/business-config';
import { FakeWecom } from './fake-wecom';

const config = loadBusinessConfig();
const users = config.people.flatMap((p) => (p.wecom ? [p.wecom] : []));
const webhooks = Object.fromEntries(
  config.conversations.flatMap((c) => (c.wecom?.webhookKey ? [[c.wecom.webhookKey, c.wecom.chatId]] : [])),
);
const groups = Object.fromEntries(config.conversations.flatMap((c) => (c.wecom ? [[c.id, c.wecom.chatId]] : [])));

const HELP = `commands:
  say <group id> <userid> <text>     @-mention the AI bot in a group, e.g. say sales-east ZhangSan @订单助手 BRK-2026-01 样品5件 3月5日前到
  dm <userid> <text>                 write to the app 1:1
  cards <userid>                     the cards in someone's chat with the app
  tap <userid> <n> <approve|reject> [reason id: date|material|capacity|spec|other]
  show <group id | userid>           messages in a group / someone's 1:1 chats
  quit`;

async function main() {
  const fake = await new FakeWecom({ users, webhooks }).start();
  fake.connect(process.argv[2] ?? 'http://127.0.0.1:3000');
  const s = fake.secrets;
  process.stdout.write(`fake WeCom listening on ${fake.url}\nstart orderbot with:\n
WECOM_CORP_ID=${s.corpId} WECOM_AGENT_ID=${s.agentId} WECOM_SECRET=${s.secret} \\
WECOM_TOKEN=${s.app.token} WECOM_ENCODING_AES_KEY=${s.app.encodingAesKey} \\
WECOM_AIBOT_TOKEN=${s.aibot.token} WECOM_AIBOT_ENCODING_AES_KEY=${s.aibot.encodingAesKey} \\
WECOM_API_BASE=${fake.url} npm start\n\n${HELP}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  for await (const line of rl) {
    const [command, ...args] = line.trim().split(/\s+/);
    try {
      if (command === 'quit') break;
      await run(fake, command ?? '', args);
    } catch (err) {
      process.stdout.write(`! ${(err as Error).message}\n`);
    }
  }
  rl.close();
  await fake.stop();
}

async function run(fake: FakeWecom, command: string, args: string[]) {
  const print = (value: unknown) =>
    process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
  switch (command) {
    case 'say': {
      const [group, userid, ...text] = args;
      const { delivery } = await fake.mentionAibot({
        chatId: groups[group ?? ''] ?? group ?? '',
        fromUser: userid ?? '',
        text: text.join(' '),
      });
      return print(delivery.attempts.map((a) => a.status));
    }
    case 'dm':
      return print((await fake.sendAppText(args[0] ?? '', args.slice(1).join(' '))).attempts.map((a) => a.status));
    case 'cards':
      for (const [i, c] of fake.cardsOf(args[0] ?? '').entries()) {
        print(`[${i}] ${c.taskId} ${c.greyed ?? '(open)'}\n${JSON.stringify(c.card.horizontal_content_list)}`);
      }
      return;
    case 'tap': {
      const [userid = '', n = '0', key = 'approve', reason] = args;
      const card = fake.cardsOf(userid)[Number(n)];
      if (!card) return print('no such card');
      return print((await fake.tap(userid, card.taskId, key, reason ? { reason } : {})).attempts.map((a) => a.status));
    }
    case 'show': {
      const id = args[0] ?? '';
      return print({ chat: fake.chat(groups[id] ?? id).map((m) => `${m.via}: ${m.content}`), app: fake.textsOf(id) });
    }
    default:
      return print(HELP);
  }
}

void main();
