import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as XLSX from '@e965/xlsx';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../bot/cli-import';
import { rulesCommand, rulesImportCommand } from '../../bot/cli-rules';
import { activeRules, ruleVersions } from '../../db/channel-rules';
import { openDatabase } from '../../db/client';
import { channelRules } from '../../db/schema';
import type { ChannelOrder } from '../../domain/channels/order';
import { type ChannelRule, evaluateRules } from '../../domain/channels/rules';
import { runCommand } from '../support/cli';
import { backends, createTestDatabase } from '../support/databases';
import { migratedPgliteDir } from '../support/pglite-image';

const dir = mkdtempSync(join(tmpdir(), 'orderbot-rules-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function xlsx(name: string, rows: unknown[][]): string {
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'rules');
  return file(name, XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
}

async function* linesOf(lines: string[]): AsyncIterable<string> {
  for (const line of lines) yield line;
}

/** `orderbot rules eval --rules FILE` with these stdin lines: exit code, the parsed stdout lines, stderr. */
async function evalRules(rulesFile: string, input: Array<ChannelOrder | string>) {
  const run = await runCommand(
    (args: string[], io: CommandIo) =>
      rulesCommand(args, io, linesOf(input.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))))),
    ['eval', '--rules', rulesFile],
    {},
  );
  const out =
    run.stdout === ''
      ? []
      : run.stdout
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l));
  return { code: run.code, out, stderr: run.stderr, stdout: run.stdout };
}

function order(
  orderId: string,
  lines: Array<[string, number, number]>,
  over: Partial<ChannelOrder> = {},
): ChannelOrder {
  return {
    channel: 'douyin',
    shop: '旗舰店',
    orderId,
    buyerKey: `B-${orderId}`,
    createdAt: '2026-01-15T02:00:00Z',
    paidAt: '2026-01-15T02:01:00Z',
    lines: lines.map(([sku, quantity, unitPriceFen]) => ({ sku, quantity, unitPriceFen, discounts: [] })),
    discounts: [],
    totals: { freightFen: 0, paidFen: 0 },
    ...over,
  };
}

const HEADER_ZH =
  '规则编码,显示名称,渠道,店铺,适用SKU,排除SKU,门槛(元),最少件数,优惠类型,优惠内容,作用对象,分摊方式,优先级,叠加组,可叠加,互斥规则,停止后续规则,开始时间,结束时间,时间依据,出资方,平台活动编号,预算,状态';

/** The worked examples of issue 20 as a rule sheet. */
const WORKED = [
  HEADER_ZH,
  // 满299减50 across the order; one group with the 满200减10 below: the first by priority takes it.
  'DY-299-50,已应用满299减50,抖音,,,,299.00,,满减,50.00,订单,整单分摊,10,满减,,,否,2026-01-01 00:00:00,2026-02-01 00:00:00,支付时间,商家,,,启用',
  'DY-200-10,已应用满200减10,抖音,,,,200,,满减,10,订单,整单分摊,11,满减,,,否,2026-01-01 00:00:00,2026-02-01 00:00:00,支付时间,商家,,,启用',
  // 95折 on SKU P only, excluded by the 满299减50 (exclusion is symmetric: written on this side only).
  'DY-P-95,已应用P品95折,抖音,旗舰店,P,,,,折扣,95折,商品,整单分摊,20,,,DY-299-50,否,2026-01-01 00:00:00,2026-02-01 00:00:00,支付时间,商家,,,启用',
  // 1% off everything: 1% of 0.01 元 rounds to nothing.
  'DY-1PCT,已应用1%折扣,抖音,,,P,,,折扣,1%,订单,整单分摊,30,,,,是,2026-01-01 00:00:00,2026-02-01 00:00:00,支付时间,商家,,,启用',
  // after the stop-further rule above: never applied when it applied
  'DY-LAST,已应用积分,抖音,,,,,,积分,100,订单,整单分摊,40,,,,否,2026-01-01 00:00:00,2026-02-01 00:00:00,支付时间,平台,,,启用',
  // a window written to end at 23:59:59: that last second itself is outside (end-exclusive)
  'DY-EDGE,已应用截止23:59:59,抖音,,,,,,满减,0.01,订单,整单分摊,50,,,,否,2026-01-01 00:00:00,2026-01-31 23:59:59,支付时间,商家,,,启用',
  // paused rows are not evaluated
  'DY-PAUSED,暂停的规则,抖音,,,,,,满减,99,订单,整单分摊,1,,,,否,2026-01-01 00:00:00,2026-02-01 00:00:00,支付时间,商家,,,暂停',
].join('\n');

describe('orderbot rules eval', () => {
  it('runs the worked examples from a CSV sheet: 0.01 元, remainder allocation, window edges, stacking, exclusion, stop', async () => {
    const sheet = file('worked.csv', `\ufeff${WORKED}\n`);
    const orders = [
      // three lines of 100.00: 50.00 split 16.67 + 16.67 + 16.66 by largest remainder (ties: earlier line first)
      order('REM', [
        ['A', 1, 10000],
        ['B', 1, 10000],
        ['C', 1, 10000],
      ]),
      // 0.01 元: the 0.01 rule gives 1 分; 1% rounds to nothing
      order('CENT', [['A', 1, 1]], { paidAt: '2026-01-20T00:00:00Z' }),
      // paid 2026-01-31 23:59:59 China time: inside the month, outside the window ending "23:59:59"
      order('EDGE-IN', [['A', 1, 1000]], { paidAt: '2026-01-31T15:59:59Z' }),
      // paid 2026-02-01 00:00:00 China time: outside every window
      order('EDGE-OUT', [['A', 1, 1000]], { paidAt: '2026-01-31T16:00:00Z' }),
    ];
    const run = await evalRules(sheet, orders);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toHaveLength(4);
    const [rem, cent, edgeIn, edgeOut] = run.out;

    expect(rem.order).toBe('REM');
    expect(rem.applied.slice(0, 1)).toEqual([
      {
        code: 'DY-299-50',
        version: 1,
        amountFen: 5000,
        lines: [
          { sku: 'A', amountFen: 1667 },
          { sku: 'B', amountFen: 1667 },
          { sku: 'C', amountFen: 1666 },
        ],
        label: '已应用满299减50',
      },
    ]);
    // 1% of the 250.00 left = 2.50, allocated by remainder too; it stops DY-LAST.
    expect(rem.applied[1]).toMatchObject({ code: 'DY-1PCT', amountFen: 250 });
    expect(rem.applied[1].lines.reduce((s: number, l: { amountFen: number }) => s + l.amountFen, 0)).toBe(250);
    expect(rem.skipped).toEqual([
      { code: 'DY-200-10', reason: 'stack_group_taken_by:DY-299-50' },
      { code: 'DY-P-95', reason: 'out_of_scope' },
      { code: 'DY-LAST', reason: 'stopped_by:DY-1PCT' },
      { code: 'DY-EDGE', reason: 'stopped_by:DY-1PCT' },
    ]);
    expect(rem.expectedInvoiceFen).toBe(30000 - 5000 - 250);

    expect(cent.applied.map((a: { code: string; amountFen: number }) => [a.code, a.amountFen])).toEqual([
      ['DY-LAST', 0],
      ['DY-EDGE', 1],
    ]);
    expect(cent.applied[0].points).toBe(100);
    expect(cent.skipped).toContainEqual({ code: 'DY-1PCT', reason: 'rounds_to_zero' });
    expect(cent.skipped).toContainEqual({ code: 'DY-299-50', reason: 'below_threshold' });
    expect(cent.expectedInvoiceFen).toBe(0);

    expect(edgeIn.skipped).toContainEqual({ code: 'DY-EDGE', reason: 'out_of_window' });
    expect(edgeIn.applied.map((a: { code: string }) => a.code)).toEqual(['DY-1PCT']);
    expect(edgeOut.applied).toEqual([]);
    expect(edgeOut.skipped.map((s: { reason: string }) => s.reason)).toEqual(Array(6).fill('out_of_window'));
    expect(edgeOut.expectedInvoiceFen).toBe(1000);
  });

  it('exclusion: a 95折 excluded by the 满减 applied before it; without the 满减 it applies', async () => {
    const sheet = file('worked2.csv', WORKED);
    const run = await evalRules(sheet, [
      order('EXCL', [['P', 2, 20000]]),
      order('ALONE', [['P', 1, 10000]]), // 100.00: below both thresholds, so the 95折 applies: 5.00 off
    ]);
    expect(run.code).toBe(0);
    // the 1% excludes SKU P from its scope; the points and the 0.01 rule still apply
    expect(run.out[0].applied.map((a: { code: string }) => a.code)).toEqual(['DY-299-50', 'DY-LAST', 'DY-EDGE']);
    expect(run.out[0].skipped).toContainEqual({ code: 'DY-1PCT', reason: 'out_of_scope' });
    expect(run.out[0].skipped).toContainEqual({ code: 'DY-P-95', reason: 'excluded_by:DY-299-50' });
    expect(run.out[1].applied[0]).toMatchObject({
      code: 'DY-P-95',
      amountFen: 500,
      lines: [{ sku: 'P', amountFen: 500 }],
    });
  });

  it('reads an .xlsx sheet with English headers and a version column, and a .json rule list, to the same result', async () => {
    const book = xlsx('rules.xlsx', [
      ['Rule sheet, January'],
      [],
      [
        'code',
        'version',
        'label',
        'channel',
        'shop',
        'min subtotal',
        'benefit type',
        'benefit value',
        'allocation',
        'priority',
        'from',
        'to',
        'time basis',
        'funded by',
      ],
      [
        'TM-20',
        3,
        'Tmall 20 off',
        'tmall',
        '',
        '100.00',
        'fixed_off',
        20,
        'across',
        5,
        '2026-01-01 00:00',
        '2026-02-01',
        'create',
        'shop',
      ],
      [
        'TM-GIFT',
        '',
        'gift',
        '天猫',
        '',
        '',
        'gift',
        'G-1×2',
        'each',
        6,
        '2026-01-01',
        '2026-02-01',
        '下单时间',
        'platform',
      ],
    ]);
    const o = order('T1', [['A', 3, 4000]], { channel: 'taobao', paidAt: null });
    const fromSheet = await evalRules(book, [o]);
    expect(fromSheet.stderr).toBe('');
    expect(fromSheet.out[0]).toEqual({
      order: 'T1',
      applied: [
        { code: 'TM-20', version: 3, amountFen: 2000, lines: [{ sku: 'A', amountFen: 2000 }], label: 'Tmall 20 off' },
        { code: 'TM-GIFT', version: 1, amountFen: 0, lines: [], label: 'gift', gift: { sku: 'G-1', quantity: 2 } },
      ],
      skipped: [],
      expectedInvoiceFen: 10000,
    });
    const rules: ChannelRule[] = [
      {
        code: 'TM-20',
        version: 3,
        label: 'Tmall 20 off',
        channel: 'taobao',
        shop: null,
        skuScope: { include: [], exclude: [] },
        conditions: { minSubtotalFen: 10000 },
        benefit: { type: 'fixed_off', amountFen: 2000 },
        target: 'order',
        allocation: 'across',
        priority: 5,
        stackGroup: null,
        combinesWith: { item: true, order: true },
        exclusiveWith: [],
        stopFurther: false,
        window: { from: '2026-01-01 00:00:00', to: '2026-02-01 00:00:00', basis: 'create' },
        fundedBy: 'shop',
        platformRef: null,
      },
    ];
    const fromJson = await evalRules(file('rules.json', JSON.stringify(rules)), [o]);
    expect(fromJson.out[0].applied).toEqual([fromSheet.out[0].applied[0]]);
    expect(fromJson.out[0].expectedInvoiceFen).toBe(evaluateRules(o, rules).expectedInvoiceFen);
  });

  it('reads 折 and % discounts, Excel date-time cells (23:59:59 China time) and budgets as written', async () => {
    const head = ['规则编码', '渠道', '店铺', '优惠类型', '优惠内容', '开始时间', '结束时间', '预算'];
    const from = new Date(2026, 0, 1, 0, 0, 0);
    const to = new Date(2026, 0, 31, 23, 59, 59);
    const book = xlsx('discounts.xlsx', [
      head,
      ['P95', '京东', 'S95', '折扣', '95折', from, to, '1000次'],
      ['P9', '京东', 'S9', '折扣', '9折', from, to, '5000元'],
      ['P85', '京东', 'S85', '折扣', '8.5折', from, to, '¥0.01'],
      ['P05', '京东', 'S05', '折扣', '0.5%', from, to, ''],
    ]);
    const jd = (id: string, shop: string, paidAt: string) =>
      order(id, [['A', 1, 10000]], { channel: 'jd', shop, paidAt });
    const run = await evalRules(book, [
      jd('a', 'S95', '2026-01-31T15:59:58Z'),
      jd('b', 'S9', '2026-01-31T15:59:58Z'),
      jd('c', 'S85', '2026-01-31T15:59:58Z'),
      jd('d', 'S05', '2026-01-31T15:59:58Z'),
      jd('e', 'S95', '2026-01-31T15:59:59Z'), // 23:59:59 itself: the end is exclusive
    ]);
    expect(run.stderr).toBe('');
    expect(run.out.map((o: { applied: Array<{ amountFen: number }> }) => o.applied.map((a) => a.amountFen))).toEqual([
      [500],
      [1000],
      [1500],
      [50],
      [],
    ]);
    expect(run.out[4].skipped).toContainEqual({ code: 'P95', reason: 'out_of_window' });
    const budgets = await evalRules(
      file(
        'budgets.csv',
        `${head.join(',')}\nB1,京东,,折扣,5%,2026-01-01,2026-02-01,lots\nB2,京东,,折扣,10折,2026-01-01,2026-02-01,0次\n`,
      ),
      [],
    );
    expect(budgets.stderr.split('\n').slice(0, 3)).toEqual([
      'row 2, column H (预算): "lots" is not a budget: a number of uses ("1000次") or an amount ("5000元")',
      'row 3, column E (优惠内容): "10折" is not a discount between 0折 and 10折',
      'row 3, column H (预算): a budget must be above 0',
    ]);
  });

  it('bad input: one error line naming the order (or the line) and the field, exit 2; earlier orders were printed', async () => {
    const sheet = file('ok.csv', WORKED);
    const good = order('G1', [['A', 1, 100]]);
    const cases: Array<[Array<ChannelOrder | string>, RegExp, number]> = [
      [[good, '{"orderId": "X1", '], /^orderbot rules: line 2: not JSON \(.+\)\n$/, 1],
      [
        [good, '', JSON.stringify({ ...good, orderId: 'X2', lines: undefined })],
        /^orderbot rules: order X2: lines: .+\n$/,
        1,
      ],
      [[JSON.stringify({ ...good, orderId: undefined })], /^orderbot rules: line 1: orderId: .+\n$/, 0],
      [
        [
          JSON.stringify({
            ...good,
            orderId: 'X3',
            lines: [{ sku: 'A', quantity: '2', unitPriceFen: 1, discounts: [] }],
          }),
        ],
        /^orderbot rules: order X3: lines\[0\]\.quantity: .+\n$/,
        0,
      ],
      [
        [good, good, { ...good, orderId: 'X4', createdAt: '2026-01-15 10:00:00' }],
        /^orderbot rules: order X4: createdAt must be a UTC ISO instant\n$/,
        2,
      ],
      [[{ ...good, orderId: 'X5', channel: 'pdd' as never }], /^orderbot rules: order X5: channel: .+\n$/, 0],
      [['[1,2]'], /^orderbot rules: line 1: \(the order\): .+\n$/, 0],
    ];
    for (const [input, error, printed] of cases) {
      const run = await evalRules(sheet, [...input, good]);
      expect({ input, code: run.code }).toEqual({ input, code: 2 });
      expect(run.stderr).toMatch(error);
      expect(run.out.map((o: { order: string }) => o.order)).toEqual(Array(printed).fill('G1'));
    }
  });

  it('a sheet with bad cells: every error as row, column (header), nothing evaluated; usage errors', async () => {
    const bad = file(
      'bad.csv',
      [
        HEADER_ZH,
        'OK-1,ok,抖音,,,,10,,满减,5,订单,整单分摊,1,,,,否,2026-01-01 00:00:00,2026-02-01 00:00:00,支付时间,商家,,,启用',
        'BAD-1,x,拼多多,,,,1.234,,满送,5,订单,整单分摊,1,,,,也许,2026-01-01,2026-02-30,支付时间,商家,,,启用',
        'OK-1,x,京东,,,,,,折扣,120%,订单,整单分摊,1,,,,否,2026-02-01 00:00:00,2026-01-01 00:00:00,付款时间,老板,,,启用',
      ].join('\n'),
    );
    const run = await evalRules(bad, [order('N', [['A', 1, 100]])]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^row 3, column C \(渠道\): "拼多多" is not a channel \(抖音, .*jd\)$/),
      expect.stringMatching(
        /^row 3, column G \(门槛\(元\)\): "1.234" is not an amount in yuan \(more than two decimals\)$/,
      ),
      expect.stringMatching(/^row 3, column I \(优惠类型\): "满送" is not a benefit type/),
      'row 3, column Q (停止后续规则): "也许" is neither 是/yes nor 否/no',
      'row 3, column S (结束时间): "2026-02-30" is not a valid date and time',
      'row 4, column A (规则编码): rule OK-1 is already on row 2; one row per rule',
      'row 4, column J (优惠内容): "120%" is more than 100%',
      'row 4, column S (结束时间): the window ends at 2026-01-01 00:00:00, not after it starts (2026-02-01 00:00:00)',
      expect.stringMatching(/^row 4, column U \(出资方\): "老板" is not a funder/),
      'orderbot rules: bad.csv has errors; no order was evaluated',
    ]);
    const usage = await evalRules(file('x.txt', 'hello'), []);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/only \.xlsx, \.xls and \.csv rule sheets are read/);
    const missing = await runCommand((a, io) => rulesCommand(a, io, linesOf([])), ['eval'], {});
    expect(missing).toEqual({
      code: 2,
      stdout: '',
      stderr: 'usage: orderbot rules eval --rules FILE  (orders as JSON lines on stdin)\n',
    });
    const noHeader = await evalRules(file('nohead.csv', 'a,b,c\n1,2,3\n'), []);
    expect(noHeader.stderr).toMatch(
      /no header row found in the first 20 rows; the columns needed are 规则编码\/编码, 渠道\/平台/,
    );
  });
});

describe.each(backends)('orderbot import rules (%s)', (backend) => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  async function target() {
    if (backend === 'postgres') {
      const database = await createTestDatabase('postgres');
      cleanup.push(() => database.close());
      return { env: { DATABASE_URL: database.url! }, open: async () => ({ ...database, close: async () => {} }) };
    }
    const data = mkdtempSync(join(tmpdir(), 'orderbot-rules-import-'));
    cleanup.push(() => rmSync(data, { recursive: true, force: true }));
    await migratedPgliteDir(data);
    return { env: { ORDERBOT_DATA_DIR: data }, open: () => openDatabase({ dataDir: data }) };
  }

  const sample = 'docs/samples/channel-rules.csv';

  // Each run on an embedded data directory opens it anew (seconds): the whole flow runs on the last backend
  // (the real PostgreSQL when there is one); every backend imports the sample once and is read back. The
  // versioning itself runs on both databases in tests/db/channel-rules.test.ts.
  it('imports the sample sheet into the database', async () => {
    const { env, open } = await target();
    expect(await runCommand(rulesImportCommand, [sample], env)).toEqual({
      code: 0,
      stdout: 'rules: 5 added, 0 new versions, 0 unchanged, 0 errors\n',
      stderr: '',
    });
    const handle = await open();
    try {
      // JD-PLUS-95 is paused in the sheet: stored, not active.
      expect((await activeRules(handle.db)).map((r) => `${r.code}@${r.version}`)).toEqual([
        'DY-299-50@1',
        'DY-BRK-95@1',
        'TB-GIFT@1',
        'TM-COUPON-20@1',
      ]);
      expect((await ruleVersions(handle.db, 'JD-PLUS-95')).map((v) => v.status)).toEqual(['paused']);
    } finally {
      await handle.close();
    }
  });

  it.runIf(backend === backends.at(-1))(
    'dry run, unchanged the second time, a new version of a changed row; a bad sheet saves nothing',
    async () => {
      const { env, open } = await target();
      const cli = (args: string[]) => runCommand(rulesImportCommand, args, env);
      expect(await cli([sample, '--dry-run'])).toEqual({
        code: 0,
        stdout: 'rules: 5 added, 0 new versions, 0 unchanged, 0 errors\n',
        stderr: 'orderbot import rules: dry run, nothing was saved\n',
      });
      expect(await cli([sample])).toEqual({
        code: 0,
        stdout: 'rules: 5 added, 0 new versions, 0 unchanged, 0 errors\n',
        stderr: '',
      });
      expect(await cli([sample])).toEqual({
        code: 0,
        stdout: 'rules: 0 added, 0 new versions, 5 unchanged, 0 errors\n',
        stderr: '',
      });

      const text = readFileSync(sample, 'utf8');
      const changed = file('changed.csv', text.replace(',满减,50.00,', ',满减,60.00,'));
      expect(await cli([changed])).toEqual({
        code: 0,
        stdout: 'rules: 0 added, 1 new versions, 4 unchanged, 0 errors\n',
        stderr: '',
      });

      const broken = file('broken.csv', text.replace(',满减,20.00,', ',满减,二十,').replace(',天猫,', ',TMALL,'));
      const refused = await cli([broken]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('rules: 0 added, 0 new versions, 0 unchanged, 1 error\n');
      expect(refused.stderr).toMatch(
        /^row 4, column J \(优惠内容\): "二十" is not an amount in yuan .*\norderbot import rules: broken.csv has errors; nothing was saved\n$/,
      );

      const handle = await open();
      try {
        const versions = await ruleVersions(handle.db, 'DY-299-50');
        expect(versions.map((v) => [v.version, v.status, v.source])).toEqual([
          [1, 'archived', 'import:channel-rules.csv'],
          [2, 'active', 'import:changed.csv'],
        ]);
        expect(versions[1]!.rule.benefit).toEqual({ type: 'fixed_off', amountFen: 6000 });
        expect((await handle.db.select().from(channelRules)).length).toBe(6);
      } finally {
        await handle.close();
      }
    },
  );
});
