/**
 * orderbot against the fake DingTalk, in one process: `npx tsx tests/fakes/dingtalk/demo.ts`.
 * Starts the fake (gateway + OpenAPI), starts orderbot on an in-memory database with DINGTALK_* pointing
 * at it, then plays a sales group and three leads and prints what each of them sees.
 */
import { startApp } from '../../../bot/app';
import { createLogger } from '../../../bot/logger';
import { loadBusinessConfig } from '../../../config/business-config';
import { openDatabase } from '../../../db/client';
import { FakeDingtalk } from './fake-dingtalk';

const EAST = 'cidEastSalesGroup0001==';
const LEADS = { 王工: '0212001', 陈姐: '0213001', 周师傅: '0214001' };

async function main() {
  const silence = console.info;
  console.info = () => {}; // the SDK announces every connection on stdout
  const fake = await FakeDingtalk.start();
  const database = await openDatabase({});
  const app = await startApp({
    database,
    config: loadBusinessConfig(),
    log: createLogger('warn'),
    env: fake.env({ LOG_LEVEL: 'warn' }),
    port: 0,
    outboxPollMs: 100,
  });
  const show = (who: string, text: string) => process.stdout.write(`\n[${who}]\n${text}\n`);
  try {
    await fake.waitFor(() => fake.gateway.liveConnections().length > 0, 'orderbot to connect');
    show('张三 @订单助手 in 华东销售群', 'BRK-2026-01 样品5件 3月5日前到');
    fake.say({ staffId: '0211001', nick: '张三', group: EAST, text: 'BRK-2026-01 样品5件 3月5日前到' });
    show('订单助手 in 华东销售群', await fake.waitFor(() => fake.groupTexts(EAST)[0], 'the reply'));
    for (const [name, staffId] of Object.entries(LEADS)) {
      const card = await fake.waitFor(() => fake.cardsOf(staffId)[0], `${name}'s card`);
      show(`card for ${name} (outTrackId ${card.outTrackId})`, `${card.params.title}\n${card.params.content}`);
      fake.tap({ staffId, outTrackId: card.outTrackId, action: 'approve' });
      show(`${name} taps`, '同意');
    }
    show(
      '订单助手 in 华东销售群',
      await fake.waitFor(() => fake.groupTexts(EAST).find((m) => m.includes('已确认')), 'the confirmation'),
    );
    await new Promise((r) => setTimeout(r, 500));
    show('王工 card now', fake.cardsOf(LEADS.王工)[0]!.params.statusText!);
  } finally {
    await app.close();
    await database.close();
    await fake.close();
    console.info = silence;
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
