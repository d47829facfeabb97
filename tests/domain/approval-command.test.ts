import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ApprovalCommand, parseApprovalCommand } from '../../domain/approval-command';

/** Thu 2026-12-03 10:00 China time. */
const NOW = new Date('2026-12-03T02:00:00Z');
const parse = (text: string, now = NOW) => parseApprovalCommand(text, now);

const SO = 'SO-20261203-0001';
const nudge = (orderNumber = SO): ApprovalCommand => ({ kind: 'nudge', orderNumber });
const transfer = (to: string, orderNumber: string | null = SO): ApprovalCommand => ({
  kind: 'transfer',
  orderNumber,
  to,
});
const leave = (from: string, until: string, standIn = '刘工'): ApprovalCommand => ({
  kind: 'leave',
  from,
  until,
  standIn,
});
const CANCEL: ApprovalCommand = { kind: 'cancel-leave' };
const PENDING: ApprovalCommand = { kind: 'pending' };

const CASES: Array<[string, ApprovalCommand]> = [
  // ---- nudge
  [`催一下 ${SO}`, nudge()],
  [`催一下${SO}`, nudge()],
  [`${SO} 催办`, nudge()],
  [`催办 ${SO}`, nudge()],
  [`${SO} 催一下`, nudge()],
  [`帮忙催下 ${SO}`, nudge()],
  [`nudge ${SO}`, nudge()],
  [`${SO} nudge`, nudge()],
  [`please nudge ${SO}`, nudge()],
  [`chase ${SO}`, nudge()],
  [`pls chase up ${SO}`, nudge()],
  [`催 ${SO}`, nudge()],
  [`${SO}催办`, nudge()],
  [`${SO} 请帮忙催一下审批`, nudge()],
  [`@订单助手 ${SO} 的审批催一下`, nudge()],
  [`@订单助手 催一下 ${SO.toLowerCase()}。`, nudge()],
  [`@orderbot nudge ${SO}!`, nudge()],
  [`催一下 ${SO} @王经理`, nudge()],
  ['ＳＯ－２０２６１２０３－０００１ 催办', nudge()],
  ['SO20261203-0001催一下？', nudge()],
  [`  催一下 ${SO}  `, nudge()],
  // ---- transfer
  [`${SO} 转交 刘工`, transfer('刘工')],
  [`${SO} 转交给刘工`, transfer('刘工')],
  [`转交 ${SO} 给刘工`, transfer('刘工')],
  ['转交给刘工', transfer('刘工', null)],
  [`${SO} 转给刘工`, transfer('刘工')],
  [`transfer ${SO} to Liu`, transfer('Liu')],
  [`${SO} transfer to Liu Gong`, transfer('Liu Gong')],
  [`hand ${SO} over to Liu`, transfer('Liu')],
  [`${SO}转交给王经理处理`, transfer('王经理')],
  [`把${SO}转给张工吧`, transfer('张工')],
  [`reassign ${SO} to Zhang`, transfer('Zhang')],
  [`${SO} hand over to Mr. Wang`, transfer('Mr. Wang')],
  ['转交给 @刘工', transfer('刘工', null)],
  ['转交给刘工审批，谢谢', transfer('刘工', null)],
  ['transfer to Liu please', transfer('Liu', null)],
  [`@订单助手 ${SO} 移交给李总。`, transfer('李总')],
  [`${SO} 转交给 Liu Gong`, transfer('Liu Gong')],
  [`${SO} 转交给欧阳娜娜`, transfer('欧阳娜娜')],
  // ---- leave
  ['12月5日到12月9日休假，刘工代', leave('2026-12-05', '2026-12-09')],
  ['12月5日至9日休假，由刘工代理', leave('2026-12-05', '2026-12-09')],
  ['12/5-12/9 请假，刘工代批', leave('2026-12-05', '2026-12-09')],
  ['12月5日休假 刘工代', leave('2026-12-05', '2026-12-05')],
  ['明天到周五出差，刘工代', leave('2026-12-04', '2026-12-04')],
  ['明天到下周二出差，刘工代', leave('2026-12-04', '2026-12-08')],
  ['下周一到下周三请假，张工代批', leave('2026-12-07', '2026-12-09', '张工')],
  ['后天请假，王工替我审批', leave('2026-12-05', '2026-12-05', '王工')],
  ['12月5日休假刘工代', leave('2026-12-05', '2026-12-05')],
  ['12月5日(周六)休假，刘工代', leave('2026-12-05', '2026-12-05')],
  ['12.5-12.9 年假，刘工顶一下', leave('2026-12-05', '2026-12-09')],
  ['2026年12月5日至2026年12月9日出差，代理人：刘工', leave('2026-12-05', '2026-12-09')],
  ['12月5日到9日去上海出差，有事找刘工', leave('2026-12-05', '2026-12-09')],
  ['12月5日到9日病假，审批转交给刘工', leave('2026-12-05', '2026-12-09')],
  ['各位，我12月5日到12月9日休假，期间审批由刘工代理，谢谢', leave('2026-12-05', '2026-12-09')],
  ['我12月5日休假，请刘工代批一下', leave('2026-12-05', '2026-12-05')],
  ['5号到9号休假，刘工代', leave('2026-12-05', '2026-12-09')],
  ['12/5-9 请假 刘工代批', leave('2026-12-05', '2026-12-09')],
  ['12/5到12/9不在，刘工代', leave('2026-12-05', '2026-12-09')],
  ['12月28日到1月3日休假，刘工代', leave('2026-12-28', '2027-01-03')],
  ['１２月５日到１２月９日休假，刘工代。', leave('2026-12-05', '2026-12-09')],
  ['@订单助手 12月5日到12月9日休假，刘工代', leave('2026-12-05', '2026-12-09')],
  ['on leave 12/5 to 12/9, Liu covers', leave('2026-12-05', '2026-12-09', 'Liu')],
  ['away 12/5-12/9, Liu stands in', leave('2026-12-05', '2026-12-09', 'Liu')],
  ['leave 2026-12-05 to 2026-12-09, stand-in Liu', leave('2026-12-05', '2026-12-09', 'Liu')],
  ["I'm on leave Dec 5 to Dec 9, Liu Gong will cover", leave('2026-12-05', '2026-12-09', 'Liu Gong')],
  ['Hi team, I am out of office 12/5 - 12/9. Liu covers my approvals', leave('2026-12-05', '2026-12-09', 'Liu')],
  ['off tomorrow, Liu covers', leave('2026-12-04', '2026-12-04', 'Liu')],
  ['away next monday, covered by Wang Wei', leave('2026-12-07', '2026-12-07', 'Wang Wei')],
  ['sick leave tomorrow, Zhang stands in', leave('2026-12-04', '2026-12-04', 'Zhang')],
  ['on leave 12/5 (Sat) to 12/9, Mr. Liu covers', leave('2026-12-05', '2026-12-09', 'Mr. Liu')],
  ['I will be on vacation from Dec 5th to 9th Dec, backup: Liu', leave('2026-12-05', '2026-12-09', 'Liu')],
  ['Sun covers, on leave 12/5-12/9', leave('2026-12-05', '2026-12-09', 'Sun')],
  // ---- cancel-leave
  ['取消休假', CANCEL],
  ['休假取消', CANCEL],
  ['取消请假', CANCEL],
  ['销假', CANCEL],
  ['我回来了', CANCEL],
  ['cancel leave', CANCEL],
  ['cancel my leave', CANCEL],
  ['back from leave', CANCEL],
  ['@订单助手 取消 休假。', CANCEL],
  ["I'm back from leave!", CANCEL],
  ['Cancel My Leave', CANCEL],
  // ---- pending
  ['待办', PENDING],
  ['我的待办', PENDING],
  ['我的审批', PENDING],
  ['待审批', PENDING],
  ['待我审批', PENDING],
  ['审批待办', PENDING],
  ['my approvals', PENDING],
  ['my pending approvals', PENDING],
  ['pending approvals', PENDING],
  ['my todo', PENDING],
  ['todo', PENDING],
  ['TODO', PENDING],
  ['My Pending Approvals?', PENDING],
  ['@订单助手 我的待办', PENDING],
  ['@orderbot  my  approvals ', PENDING],
];

describe('parseApprovalCommand: what sales and approvers type', () => {
  it('has many phrasings of every kind', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    const kinds = new Set(CASES.map(([, expected]) => expected.kind));
    expect(kinds).toEqual(new Set(['nudge', 'transfer', 'leave', 'cancel-leave', 'pending']));
  });

  it.each(CASES)('%s', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });
});

describe('parseApprovalCommand: leave dates', () => {
  it('keeps a month/day up to 31 days past in this year (the handler refuses it), later ones are next year', () => {
    expect(parse('11月2日休假，刘工代')).toEqual(leave('2026-11-02', '2026-11-02'));
    expect(parse('11月1日休假，刘工代')).toEqual(leave('2027-11-01', '2027-11-01'));
    expect(parse('11月20日到11月25日休假，刘工代')).toEqual(leave('2026-11-20', '2026-11-25'));
  });

  it('takes an explicit year as written', () => {
    expect(parse('2027-01-05 到 2027-01-06 休假，刘工代')).toEqual(leave('2027-01-05', '2027-01-06'));
    expect(parse('2026/11/01 请假，刘工代')).toEqual(leave('2026-11-01', '2026-11-01'));
  });

  it('resolves in China time: at 23:30 UTC it is already the next day in China', () => {
    const lateUtc = new Date('2026-12-03T23:30:00Z'); // 2026-12-04 07:30 in China
    expect(parse('明天休假，刘工代', lateUtc)).toEqual(leave('2026-12-05', '2026-12-05'));
  });

  it('accepts a period of 366 days, not 367', () => {
    expect(parse('2026-12-05 to 2027-12-05 leave, Liu covers')).toEqual(leave('2026-12-05', '2027-12-05', 'Liu'));
    expect(parse('2026-12-05 to 2027-12-06 leave, Liu covers')).toBeNull();
  });

  it('rejects a period that ends before it starts', () => {
    expect(parse('12月9日到12月5日休假，刘工代')).toBeNull();
    expect(parse('2026-12-09 to 2026-12-05 leave, Liu covers')).toBeNull();
  });
});

const NEGATIVES = [
  '',
  '   ',
  '需要BRK-2026-01样品5件，3月5日前到',
  'BRK-2026-01 samples x5 by 3/5',
  `${SO} 到哪了`,
  `${SO} 质检通过`,
  '等客户图纸',
  '采埃孚 联系人 周工 13800138003',
  '催一下BRK-2026-05',
  '催一下',
  'nudge',
  `催一下 ${SO} SO-20261203-0002`,
  `客户催${SO}`,
  `${SO} 客户在催`,
  SO,
  '转交',
  `transfer ${SO} to`,
  '转交给谁',
  '转给刘工了吗？',
  `${SO} 转交给刘工了`,
  `${SO} 转交给他`,
  `${SO} 转交给刘工 他休假了`,
  '刘工出差了，SO-20261203-0001 转交给张工',
  '12月5日到12月9日休假',
  '12月5日到12月9日休假，刘工代，BRK-2026-01样品5件',
  '12月5日到12月9日休假，刘工代，张工代',
  `12月5日休假，${SO} 刘工代`,
  '刘工代',
  '12月5日 刘工代',
  'on leave 12/5 to 12/9',
  'on leave 12/5 to 12/9, Liu covers the samples order',
  '我回来了，样品收到了吗',
  '我回来啦，刚才在开会',
  '待办事项：BRK-2026-01 样品5件',
  'todo: ship SO-20261203-0001',
  '我的审批呢，怎么还没到',
  '12月5日到12月9日休假，刘工代 12月20日再休',
  '周五前交货 刘工负责',
  'M-3 维修至 3/2',
  '本周指标',
];

describe('parseApprovalCommand: not a command', () => {
  it('has at least 20 negative cases', () => {
    expect(NEGATIVES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(NEGATIVES)('%s', (text) => {
    expect(parse(text)).toBeNull();
  });
});

interface CorpusRow {
  message: string;
  now: string;
  expected: { intent: string };
}

const corpusFile = fileURLToPath(new URL('./parse-corpus.jsonl', import.meta.url));
const orderRows: CorpusRow[] = readFileSync(corpusFile, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as CorpusRow)
  .filter((row) => row.expected.intent === 'order');

/**
 * Han characters of names and titles; none is a verb, particle or pronoun the parser strips or refuses
 * (谢 is left out: "转交给谢谢" is a thank-you, not a name).
 */
const NAME_CHARS = [
  ...'刘王张李陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文工总经主管明华强伟芳娜敏静丽军磊洋勇艳杰涛超欧阳',
];
const chineseName = fc.array(fc.constantFrom(...NAME_CHARS), { minLength: 1, maxLength: 8 }).map((cs) => cs.join(''));
const orderNumber = fc
  .tuple(
    fc.constantFrom('SO', 'so', 'So'),
    fc.stringMatching(/^\d{8}$/),
    fc.integer({ min: 1, max: 99_999 }).map((n) => String(n).padStart(4, '0')),
  )
  .map(([prefix, day, seq]) => `${prefix}-${day}-${seq}`);

describe('parseApprovalCommand properties', () => {
  it('never throws on arbitrary strings, and anything it returns is well formed', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 120 }),
          fc.string({ unit: 'grapheme', maxLength: 120 }),
        ),
        fc.date({ min: new Date('1900-01-01'), max: new Date('2199-01-01') }),
        (text, now) => {
          const result = parseApprovalCommand(text, now);
          if (result?.kind === 'leave') {
            expect(result.from <= result.until).toBe(true);
            expect(result.from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          }
          if (result?.kind === 'nudge') expect(result.orderNumber).toMatch(/^SO-/);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never throws on messages built from its own vocabulary', () => {
    const piece = fc.constantFrom(
      ...['催一下', '转交给', '给', '刘工', 'Liu', 'to', 'transfer', 'nudge', SO, '休假', '请假', 'on leave'],
      ...['代', '代理', '由', 'covers', '12月5日', '9日', '12/5', '-', '到', 'to', '明天', '周五', '2026-12-05'],
      ...['，', ' ', '@订单助手', '@', '取消', '待办', '?', '(周六)', 'BRK-2026-01', '5件', '...'],
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), fc.boolean(), (pieces, spaced) => {
        parseApprovalCommand(pieces.join(spaced ? ' ' : ''), NOW);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads no order request of the parse corpus as an approval command', () => {
    expect(orderRows.length).toBeGreaterThan(100);
    for (const row of orderRows) {
      expect(parseApprovalCommand(row.message, new Date(row.now)), row.message).toBeNull();
    }
  });

  it('"<no> 转交给<name>" is that transfer and "催一下 <no>" that nudge', () => {
    fc.assert(
      fc.property(orderNumber, chineseName, fc.constantFrom('', ' '), (no, name, space) => {
        const upper = no.toUpperCase();
        expect(parseApprovalCommand(`${no} 转交给${name}`, NOW)).toEqual({
          kind: 'transfer',
          orderNumber: upper,
          to: name,
        });
        expect(parseApprovalCommand(`催一下${space}${no}`, NOW)).toEqual({ kind: 'nudge', orderNumber: upper });
      }),
      { numRuns: 1000 },
    );
  });

  it('reads any future leave period written as M月D日 or M/D', () => {
    const DAY = 86_400_000;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 30 }),
        chineseName,
        fc.boolean(),
        (offset, length, name, slash) => {
          const from = new Date(NOW.getTime() + 8 * 3_600_000 + offset * DAY);
          const until = new Date(from.getTime() + length * DAY);
          const write = (d: Date) =>
            slash ? `${d.getUTCMonth() + 1}/${d.getUTCDate()}` : `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
          const iso = (d: Date) => d.toISOString().slice(0, 10);
          expect(parseApprovalCommand(`${write(from)}到${write(until)}休假，${name}代`, NOW)).toEqual({
            kind: 'leave',
            from: iso(from),
            until: iso(until),
            standIn: name,
          });
        },
      ),
      { numRuns: 1000 },
    );
  });
});
