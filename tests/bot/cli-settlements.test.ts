import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settlementsImportCommand } from '../../bot/cli-settlements';
import { openDatabase } from '../../db/client';
import { channelSettlements } from '../../db/schema';
import { readSettlementExport } from '../../integrations/channels/settlement-export';
import { runCommand } from '../support/cli';
import { backends, createTestDatabase } from '../support/databases';
import { migratedPgliteDir } from '../support/pglite-image';
import { csvText, sheetOf, workbookBytes } from '../integrations/excel-builders';

const cli = (args: string[], env: Record<string, string | undefined>) =>
  runCommand(settlementsImportCommand, args, env);

/** A 京麦 bill export: a title row, the header, four lines, a blank row and a 合计 row. */
const JD_BILL = [
  ['京东商家账单明细 2026-01'],
  ['订单号', '商品编号', '费用项', '收支方向', '金额(元)', '结算时间', '账单日期', '账单状态'],
  ['2918830001', '100001', '货款', '收入', '598.00', '2026-01-31 23:59:59', '2026-01-31', '已结算'],
  ['2918830001', '100001', '佣金', '支出', '47.84', '2026-01-31 23:59:59', '2026-01-31', '已结算'],
  ['2918830002', '100002', '货款', '收入', '0.01', '', '2026-02-01', '已结算'],
  ['2918830002', '100002', '退款', '支出', '0.01', '2026-02-03 10:00:00', '2026-02-03', '已结算'],
  ['2918830003', '100003', '货款', '收入', '99.00', '', '2026-02-05', '未结算'],
  [],
  ['合计', '', '', '', '647.86', '', '', ''],
];

describe.each(backends)('orderbot import settlements (CLI, %s)', (backend) => {
  const cleanup: Array<() => Promise<void> | void> = [];
  let files = '';
  let env: Record<string, string>;
  let rows: () => Promise<Array<typeof channelSettlements.$inferSelect>>;

  beforeAll(async () => {
    files = mkdtempSync(join(tmpdir(), 'orderbot-settlements-'));
    cleanup.push(() => rmSync(files, { recursive: true, force: true }));
    const select = (h: Awaited<ReturnType<typeof openDatabase>>) =>
      h.db.select().from(channelSettlements).orderBy(asc(channelSettlements.id));
    if (backend === 'postgres') {
      const database = await createTestDatabase('postgres');
      cleanup.push(() => database.close());
      env = { DATABASE_URL: database.url! };
      rows = () => select(database);
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'orderbot-settlements-db-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      await migratedPgliteDir(dir);
      env = { ORDERBOT_DATA_DIR: dir };
      rows = async () => {
        const handle = await openDatabase({ dataDir: dir });
        try {
          return await select(handle);
        } finally {
          await handle.close();
        }
      };
    }
  }, 60_000);
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('stores a JD bill export once: the same file twice doubles nothing', async () => {
    const path = join(files, 'jd-bill-2026-01.csv');
    writeFileSync(path, csvText(JD_BILL));
    const first = await cli([path, '--channel', 'jd', '--shop', '10086'], env);
    expect(first).toEqual({
      code: 0,
      stdout: 'settlements: 4 added, 0 already there, 0 errors\n',
      stderr: 'orderbot import settlements: left out, not settled yet: 1\n',
    });
    // Uploaded again (also as "import settlements FILE …"): nothing is added.
    const again = await cli(['settlements', path, '--channel', 'jd', '--shop', '10086'], env);
    expect(again.stdout).toBe('settlements: 0 added, 4 already there, 0 errors\n');
    const stored = await rows();
    expect(stored.map((r) => [r.orderId, r.kind, r.amountFen, r.settledAt.toISOString()])).toEqual([
      ['2918830001', 'settle', 59_800, '2026-01-31T15:59:59.000Z'],
      ['2918830001', 'fee', -4784, '2026-01-31T15:59:59.000Z'],
      // No 结算时间: the 账单日期 at China midnight.
      ['2918830002', 'settle', 1, '2026-01-31T16:00:00.000Z'],
      ['2918830002', 'refund', -1, '2026-02-03T02:00:00.000Z'],
    ]);
    expect(new Set(stored.map((r) => `${r.channel}/${r.shop}/${r.source}`))).toEqual(
      new Set(['jd/10086/upload:jd-bill-2026-01.csv']),
    );
  });

  it('reads the generic layout from .xlsx; a dry run counts without storing', async () => {
    const path = join(files, 'douyin-settle.xlsx');
    const sheet = sheetOf([
      ['订单号', '类型', '金额', '结算时间'],
      ['6920001', '结算', 120.5, '2026-02-10 08:00:00'],
      ['6920001', '费用', 6.03, '2026-02-10 08:00:00'],
      // An Excel date-time serial: 2026-02-24 12:00 China time.
      ['6920002', '退款', 30, { t: 'n', v: 46077.5 }],
    ]);
    writeFileSync(path, workbookBytes(sheet, 'xlsx', 'Sheet1'));
    const dry = await cli([path, '--channel', 'douyin', '--shop', 'DY1', '--dry-run'], env);
    expect(dry).toEqual({
      code: 0,
      stdout: 'settlements: 3 added, 0 already there, 0 errors\n',
      stderr: 'orderbot import settlements: dry run, nothing was stored\n',
    });
    // Stored now, all three are new: the dry run left nothing behind.
    const real = await cli([path, '--channel', 'douyin', '--shop', 'DY1'], env);
    expect(real.stdout).toBe('settlements: 3 added, 0 already there, 0 errors\n');
    const added = (await rows()).filter((r) => r.channel === 'douyin');
    expect(added.map((r) => [r.orderId, r.kind, r.amountFen, r.settledAt.toISOString()])).toEqual([
      ['6920001', 'settle', 12_050, '2026-02-10T00:00:00.000Z'],
      ['6920001', 'fee', -603, '2026-02-10T00:00:00.000Z'],
      ['6920002', 'refund', -3000, '2026-02-24T04:00:00.000Z'],
    ]);
  });

  it('stores nothing from a file with a bad row, and names the row and the column of each error', async () => {
    const path = join(files, 'jd-bad.csv');
    const bad = JD_BILL.map((row) => [...row]);
    bad[2]![0] = '2918839999'; // a new line, so that a store would show
    bad[3]![4] = '47.845'; // row 4, column E
    bad[4]![3] = '转入'; // row 5, column D
    writeFileSync(path, csvText(bad));
    const run = await cli([path, '--channel', 'jd', '--shop', '10086'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('settlements: 0 added, 0 already there, 2 errors\n');
    expect(run.stderr.split('\n')).toEqual([
      'row 4, column E (金额(元)): not a yuan amount: "47.845" (more than two decimals)',
      'row 5, column D (收支方向): "转入" is neither 收入 nor 支出',
      'orderbot import settlements: jd-bad.csv has errors; nothing was stored',
      '',
    ]);
    expect((await rows()).filter((r) => r.orderId === '2918839999')).toEqual([]);
  });
});

describe('orderbot import settlements (CLI) refusals', () => {
  it('refuses bad usage with exit 2 and a file it cannot read with exit 1', async () => {
    expect((await cli([], {})).code).toBe(2);
    expect(await cli(['x.csv', '--channel', 'jd'], {})).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--shop'),
    });
    expect(await cli(['x.csv', '--channel', 'pdd', '--shop', 'S'], {})).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not "pdd"'),
    });
    expect((await cli(['x.csv', '--channel', 'jd', '--shop', 'S', '--force'], {})).code).toBe(2);
    expect(await cli(['/nonexistent/x.csv', '--channel', 'jd', '--shop', 'S'], {})).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('cannot read'),
    });
  });

  it('keeps line keys stable across uploads and apart for two identical lines in one file', () => {
    const rows = [
      ['订单号', '费用名称', '收支方向', '金额', '账单日期'],
      ['1', '货款', '收入', '5.00', '2026-01-01'],
      ['1', '货款', '收入', '5.00', '2026-01-01'],
    ];
    const read = (name: string) =>
      readSettlementExport({ name, bytes: Buffer.from(csvText(rows)) }, { channel: 'jd', shop: 'S' });
    const a = read('a.csv');
    const b = read('renamed.csv');
    if (!a.ok || !b.ok) throw new Error('expected a readable file');
    expect(a.lines.map((l) => l.lineKey)).toEqual(b.lines.map((l) => l.lineKey));
    expect(new Set(a.lines.map((l) => l.lineKey)).size).toBe(2);
    expect(read('bill.txt')).toEqual({ ok: false, errors: ['bill.txt: only .xlsx, .xls and .csv exports are read'] });
  });
});

describe('settlement export reading', () => {
  const target = { channel: 'jd', shop: 'S' } as const;

  it('reads a GBK bill export saved as .xls text, with full-width money, a repeated header and a 合计 row', () => {
    const text = csvText([
      ['费用名称', '订单编号', '金额', '账单日期'],
      ['货款', '11', '１２.３０', '2026年1月31日'],
      ['费用名称', '订单编号', '金额', '账单日期'],
      ['平台使用费', '11', '-1.20', '2026/1/31'],
      ['退款', '12', '5', '20260201'],
      ['合计', '', '16.10', ''],
    ]).replace(/,/g, '\t');
    const bytes = Buffer.from(new TextEncoder().encode(text)); // UTF-8 first, then as GB18030 below
    const gbk = Buffer.from(iconvGb18030(text));
    for (const b of [bytes, gbk]) {
      const read = readSettlementExport({ name: 'bill.xls', bytes: b }, target);
      expect(read).toMatchObject({
        ok: true,
        layout: 'jd-bill',
        skipped: { total: 1 },
        lines: [
          { orderId: '11', kind: 'settle', amountFen: 1230, settledAt: '2026-01-30T16:00:00Z' },
          // No direction column: fees and refunds are money going out, whatever sign is written.
          { orderId: '11', kind: 'fee', amountFen: -120 },
          { orderId: '12', kind: 'refund', amountFen: -500, settledAt: '2026-01-31T16:00:00Z' },
        ],
      });
    }
  });

  it('refuses a file without the header, and reads the same rows from a BIFF8 .xls', () => {
    const none = readSettlementExport({ name: 'x.csv', bytes: Buffer.from('a,b\n1,2\n') }, target);
    expect(none.ok).toBe(false);
    expect(!none.ok && none.errors[0]).toContain('no header row found');
    const sheet = sheetOf([
      ['订单号', '费用项', '收支方向', '金额', '结算时间'],
      ['21', '货款', '收入', 10.1, '2026-03-01 00:00:00'],
    ]);
    const read = readSettlementExport({ name: 'bill.xls', bytes: workbookBytes(sheet, 'biff8') }, target);
    expect(read).toMatchObject({
      ok: true,
      lines: [{ orderId: '21', amountFen: 1010, settledAt: '2026-02-28T16:00:00Z' }],
    });
  });
});

/** GB18030 bytes of a string (Node decodes GB18030 natively but has no encoder): the few characters used here. */
function iconvGb18030(text: string): Uint8Array {
  const decoder = new TextDecoder('gb18030');
  const table = new Map<string, number[]>();
  for (let hi = 0x81; hi <= 0xfe; hi++) {
    for (let lo = 0x40; lo <= 0xfe; lo++) {
      const ch = decoder.decode(new Uint8Array([hi, lo]));
      if (ch.length === 1 && !table.has(ch)) table.set(ch, [hi, lo]);
    }
  }
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else out.push(...(table.get(ch) ?? [0x3f]));
  }
  return new Uint8Array(out);
}
