import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessage, parseNumberRun, type ParsedMessage } from '../../domain/parse/index';

const TUE = new Date('2026-02-24T10:00:00+08:00'); // Tuesday
const SAT = new Date('2026-02-28T15:00:00+08:00'); // Saturday, last day of February
const SUN_NIGHT = new Date('2026-03-01T23:30:00+08:00'); // Sunday 23:30 in China
const MON_EARLY = new Date('2026-03-02T00:30:00+08:00'); // Monday 00:30 in China = Sunday 16:30 UTC
const DEC = new Date('2026-12-29T09:00:00+08:00'); // Tuesday, late December

const p = (text: string, now: Date = TUE): ParsedMessage => parseMessage(text, now);
const due = (text: string, now: Date = TUE): string | null => p(text, now).dueDate;

/** 'YYYY-MM-DD' of an instant in China time. */
function chinaDate(d: Date): string {
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

describe('numbers', () => {
  it.each([
    ['五', 5],
    ['十', 10],
    ['十二', 12],
    ['二十', 20],
    ['一百一十二', 112],
    ['两千', 2000],
    ['一千二百', 1200],
    ['两千五百', 2500],
    ['一万二', 12000],
    ['一万二千', 12000],
    ['二百五', 250],
    ['一千二', 1200],
    ['两千五', 2500],
    ['壹仟贰佰', 1200],
    ['一千零五', 1005],
    ['一千零五十', 1050],
    ['十万', 100000],
    ['三万五', 35000],
    ['1,200', 1200],
    ['1,000,000', 1000000],
    ['5k', 5000],
    ['5K', 5000],
    ['5w', 50000],
    ['1.5万', 15000],
    ['1万2千', 12000],
    ['1万2', 12000],
    ['2千5', 2500],
    ['12万', 120000],
    ['二〇二六', 2026],
  ] as const)('%s = %d', (s, v) => {
    expect(parseNumberRun(s)).toBe(v);
  });

  it.each(['三四', '一二', '百千', ''])('%s is not a number', (s) => {
    expect(parseNumberRun(s)).toBeNull();
  });
});

describe('quantities', () => {
  it.each([
    ['BRK-2026-01 ×5', 5, null],
    ['BRK-2026-01 x5', 5, null],
    ['BRK-2026-01 X5', 5, null],
    ['BRK-2026-01 *5', 5, null],
    ['BRK-2026-01 x 5', 5, null],
    ['BRK-2026-01x5', 5, null],
    ['BRK-2026-01 5件', 5, '件'],
    ['BRK-2026-01 5个', 5, '个'],
    ['BRK-2026-01 5套', 5, '套'],
    ['BRK-2026-01 5只', 5, '只'],
    ['BRK-2026-01 5支', 5, '支'],
    ['BRK-2026-01 5箱', 5, '箱'],
    ['BRK-2026-01 5pcs', 5, 'pcs'],
    ['BRK-2026-01 5 pc', 5, 'pcs'],
    ['BRK-2026-01 5 PCS', 5, 'pcs'],
    ['BRK-2026-01 5 pieces', 5, 'pcs'],
    ['BRK-2026-01 5 units', 5, 'pcs'],
    ['BRK-2026-01 5 ea', 5, 'pcs'],
    ['BRK-2026-01 5 sets', 5, 'sets'],
    ['BRK-2026-01 5 set', 5, 'sets'],
    ['BRK-2026-01 qty 5', 5, null],
    ['BRK-2026-01 qty: 5', 5, null],
    ['BRK-2026-01 数量 5', 5, null],
    ['BRK-2026-01 数量：5', 5, null],
    ['BRK-2026-01 五件', 5, '件'],
    ['BRK-2026-01 十二个', 12, '个'],
    ['BRK-2026-01 两千件', 2000, '件'],
    ['BRK-2026-01 一千二百件', 1200, '件'],
    ['BRK-2026-01 两千五百件', 2500, '件'],
    ['BRK-2026-01 一万二件', 12000, '件'],
    ['BRK-2026-01 二百五件', 250, '件'],
    ['BRK-2026-01 壹仟贰佰件', 1200, '件'],
    ['BRK-2026-01 1,200 pcs', 1200, 'pcs'],
    ['BRK-2026-01 5k pcs', 5000, 'pcs'],
    ['BRK-2026-01 1.5万件', 15000, '件'],
    ['BRK-2026-01 1万2千件', 12000, '件'],
    ['BRK-2026-01 500', 500, null],
    ['5 pcs of BRK-2026-01', 5, 'pcs'],
    ['10x BRK-2026-01', 10, null],
    ['BRK-2026-01 ５件', 5, '件'],
  ] as const)('%s', (text, q, unit) => {
    const r = p(text);
    expect(r.intent).toBe('order');
    expect(r.items).toEqual([{ sku: 'BRK-2026-01', quantity: q, unit, kind: 'batch' }]);
  });

  it('two SKUs with their own quantities give two items', () => {
    expect(p('BRK-2026-01 ×5, BRK-2026-03 ×10').items.map((i) => [i.sku, i.quantity])).toEqual([
      ['BRK-2026-01', 5],
      ['BRK-2026-03', 10],
    ]);
    expect(p('10 pcs BRK-2026-01 and 20 pcs BRK-2026-03').items.map((i) => i.quantity)).toEqual([10, 20]);
  });

  it('各 / each gives every listed SKU the quantity', () => {
    expect(p('BRK-2026-01、BRK-2026-03 各5件').items.map((i) => i.quantity)).toEqual([5, 5]);
    expect(p('BRK-2026-01, BRK-2026-03 each 5').items.map((i) => i.quantity)).toEqual([5, 5]);
    expect(p('BRK-2026-01 and BRK-2026-03, 5 pcs each').items.map((i) => i.quantity)).toEqual([5, 5]);
  });

  it('one quantity after several SKUs without 各 is ambiguous: quantity missing', () => {
    const r = p('BRK-2026-01、BRK-2026-03 5件 3月5日前');
    expect(r.items.map((i) => i.quantity)).toEqual([null, null]);
    expect(r.missing).toEqual(['quantity']);
  });

  it('never takes years, dates, SKU digits, specs, times or money as quantities', () => {
    for (const text of [
      'BRK-2026-01 2026年3月5日',
      'BRK-2026-01 3/5',
      'BRK-2026-01 3月5日',
      'BRK-2026-01 Ra≤0.8',
      'BRK-2026-01 HRC 58-62',
      'BRK-2026-01 下午3点',
      'BRK-2026-01 5天内',
      'BRK-2026-01 15号前',
      'BRK-2026-01 单价5元',
      'BRK-2026-01 2027年前',
      'BRK-2026-01 3个工作日内',
      'BRK-2026-01 by Mar 5',
      'BRK-2026-01 in 3 days',
      'BRK-2026-01 尺寸50x30mm',
    ]) {
      const r = p(`需要${text}`);
      expect(
        r.items.map((i) => i.quantity),
        text,
      ).toEqual([null]);
    }
  });

  it('quantity must be a positive integer', () => {
    expect(p('BRK-2026-01 0件').items[0]?.quantity).toBeNull();
    expect(p('BRK-2026-01 1.5件').items[0]?.quantity).toBeNull();
    expect(p('BRK-2026-01 5-10件').items[0]?.quantity).toBeNull();
  });

  it('a quantity without SKU is reported as a fragment', () => {
    expect(p('数量5件')).toMatchObject({ intent: 'none', items: [], fragmentQuantity: 5, fragmentUnit: '件' });
    expect(p('5件')).toMatchObject({ fragmentQuantity: 5, fragmentUnit: '件' });
    expect(p('×5')).toMatchObject({ fragmentQuantity: 5, fragmentUnit: null });
    expect(p('qty 20')).toMatchObject({ fragmentQuantity: 20, fragmentUnit: null });
    expect(p('不是5件，改成10件')).toMatchObject({ fragmentQuantity: 10, fragmentUnit: '件' });
    expect(p('BRK-2026-01 5件')).toMatchObject({ fragmentQuantity: null, fragmentUnit: null });
    expect(p('有个问题')).toMatchObject({ fragmentQuantity: null });
    expect(p('5件多少钱')).toMatchObject({ fragmentQuantity: null });
  });
});

describe('SKUs and refs', () => {
  it('normalises SKUs to upper case and keeps them whole', () => {
    expect(p('cal-3310-a 5件').items[0]?.sku).toBe('CAL-3310-A');
    expect(p('pad-7781 5件').items[0]?.sku).toBe('PAD-7781');
    expect(p('ＢＲＫ－２０２６－０１ ５件').items[0]?.sku).toBe('BRK-2026-01');
  });

  it('requires a dash and a digit', () => {
    expect(p('T-shirt 5件').intent).toBe('none');
    expect(p('BRK2026 5件').intent).toBe('none');
  });

  it('order numbers are refs, not SKUs', () => {
    const r = p('SO-20260224-0001 进度');
    expect(r).toMatchObject({ intent: 'status', refs: ['SO-20260224-0001'], items: [] });
    expect(p('so-20260224-0001 到哪了').refs).toEqual(['SO-20260224-0001']);
  });
});

describe('kind', () => {
  it.each(['样品', '样件', '打样', '送样', 'sample', 'samples', 'prototype'])('%s → sample', (w) => {
    expect(p(`BRK-2026-01 ${w} 5件`).items[0]?.kind).toBe('sample');
  });
  it('defaults to batch, and is decided per item when both appear', () => {
    expect(p('BRK-2026-01 5件').items[0]?.kind).toBe('batch');
    const r = p('PAD-7781 sample 2pcs, PAD-7782 bulk 5000pcs');
    expect(r.items.map((i) => i.kind)).toEqual(['sample', 'batch']);
  });
});

describe('due dates (reference Tuesday 2026-02-24, China time)', () => {
  it.each([
    ['3/5', '2026-03-05'],
    ['by 3/5', '2026-03-05'],
    ['3月5日', '2026-03-05'],
    ['3月5号', '2026-03-05'],
    ['3月5', '2026-03-05'],
    ['三月五日', '2026-03-05'],
    ['5号', '2026-03-05'],
    ['28号', '2026-02-28'],
    ['5日', '2026-03-05'],
    ['24号', '2026-02-24'],
    ['2026-04-01', '2026-04-01'],
    ['2026年3月28日', '2026-03-28'],
    ['2026/4/1', '2026-04-01'],
    ['03-05', '2026-03-05'],
    ['3.5前', '2026-03-05'],
    ['3.5之前', '2026-03-05'],
    ['3.5到', '2026-03-05'],
    ['3.5交', '2026-03-05'],
    ['2.28前', '2026-02-28'],
    ['Mar 5', '2026-03-05'],
    ['March 5th', '2026-03-05'],
    ['5 March', '2026-03-05'],
    ['5th of March', '2026-03-05'],
    ['the 15th', '2026-03-15'],
    ['15th', '2026-03-15'],
    ['by the 15th', '2026-03-15'],
    ['今天', '2026-02-24'],
    ['明天', '2026-02-25'],
    ['后天', '2026-02-26'],
    ['大后天', '2026-02-27'],
    ['today', '2026-02-24'],
    ['tomorrow', '2026-02-25'],
    ['tmr', '2026-02-25'],
    ['day after tomorrow', '2026-02-26'],
    ['周五', '2026-02-27'],
    ['本周五', '2026-02-27'],
    ['星期五', '2026-02-27'],
    ['礼拜五', '2026-02-27'],
    ['周一', '2026-03-02'],
    ['下周二', '2026-03-03'],
    ['下星期二', '2026-03-03'],
    ['下个礼拜二', '2026-03-03'],
    ['下下周三', '2026-03-11'],
    ['Friday', '2026-02-27'],
    ['this Friday', '2026-02-27'],
    ['next Monday', '2026-03-02'],
    ['next Friday', '2026-03-06'],
    ['月底', '2026-02-28'],
    ['月末', '2026-02-28'],
    ['本月底', '2026-02-28'],
    ['3月底', '2026-03-31'],
    ['下个月底', '2026-03-31'],
    ['下月底', '2026-03-31'],
    ['end of month', '2026-02-28'],
    ['end of March', '2026-03-31'],
    ['end of next month', '2026-03-31'],
    ['上旬', '2026-03-10'],
    ['中旬', '2026-03-20'],
    ['下旬', '2026-02-28'],
    ['3月上旬', '2026-03-10'],
    ['3月中旬', '2026-03-20'],
    ['3月下旬', '2026-03-31'],
    ['月中', '2026-03-15'],
    ['mid March', '2026-03-15'],
    ['下个月15号', '2026-03-15'],
    ['5天内', '2026-03-01'],
    ['5日内', '2026-03-01'],
    ['两周内', '2026-03-10'],
    ['一周内', '2026-03-03'],
    ['3个工作日内', '2026-02-27'],
    ['within 10 days', '2026-03-06'],
    ['in 3 days', '2026-02-27'],
    ['within 2 weeks', '2026-03-10'],
    ['within 3 working days', '2026-02-27'],
    ['一个月内', '2026-03-24'],
    ['半个月内', '2026-03-11'],
    ['这周末', '2026-03-01'],
    ['本周内', '2026-03-01'],
    ['15号前', '2026-03-15'],
    ['年底', '2026-12-31'],
    ['EOM', '2026-02-28'],
    ['3/5/2026', '2026-03-05'],
    ['5/3/2026', '2026-05-03'],
    ['24/3', '2026-03-24'],
    ['12-15号', '2026-03-15'],
  ] as const)('%s → %s', (text, expected) => {
    expect(due(text)).toBe(expected);
  });

  it('deadline words do not change the date', () => {
    for (const text of [
      '3月5日前',
      '3月5日之前',
      '3月5日以前',
      '3月5日到',
      '3月5日交货',
      'by Mar 5',
      'before Mar 5',
      'no later than Mar 5',
    ]) {
      expect(due(text), text).toBe('2026-03-05');
    }
  });

  it.each([
    '下个月',
    '过几天',
    '尽快',
    '下周',
    '3月份',
    'next week',
    'next month',
    'in a few days',
    '2025-12-01',
    '2月29日',
    '4/31',
  ])('%s is ambiguous or impossible: no date', (text) => {
    expect(due(text)).toBeNull();
  });

  it('a date already past this year means next year', () => {
    expect(due('1月5日')).toBe('2027-01-05');
    expect(due('Jan 5')).toBe('2027-01-05');
    expect(due('1/5')).toBe('2027-01-05');
    expect(due('2月23日')).toBe('2027-02-23');
    expect(due('2月24日')).toBe('2026-02-24');
    expect(due('1月5日', DEC)).toBe('2027-01-05');
    expect(due('下周二', DEC)).toBe('2027-01-05');
    expect(due('下个月底', DEC)).toBe('2027-01-31');
  });

  it('week logic: weeks start on Monday', () => {
    expect(due('周五', SAT)).toBe('2026-03-06'); // Saturday: next Friday
    expect(due('本周五', SAT)).toBeNull(); // this week's Friday has passed
    expect(due('下周二', SAT)).toBe('2026-03-03');
    expect(due('周末', SAT)).toBe('2026-03-01');
    expect(due('下周一', SUN_NIGHT)).toBe('2026-03-02');
    expect(due('本周日', SUN_NIGHT)).toBe('2026-03-01');
    expect(due('下周一', MON_EARLY)).toBe('2026-03-09');
    expect(due('周一', MON_EARLY)).toBe('2026-03-02');
  });

  it('uses the China date, not the UTC date', () => {
    expect(due('今天', MON_EARLY)).toBe('2026-03-02');
    expect(due('明天', MON_EARLY)).toBe('2026-03-03');
    expect(due('今天', SUN_NIGHT)).toBe('2026-03-01');
    expect(due('明天', SUN_NIGHT)).toBe('2026-03-02');
  });

  it('working days skip the weekend', () => {
    expect(due('3个工作日内', SAT)).toBe('2026-03-04');
  });

  it('an invalid or absurd message time gives no date but does not throw', () => {
    expect(parseMessage('BRK-2026-01 5件 3月5日前', new Date(Number.NaN)).dueDate).toBeNull();
    expect(parseMessage('BRK-2026-01 5件 5天内', new Date(8.64e15)).dueDate).toBeNull();
    expect(parseMessage('BRK-2026-01 5件 五周', new Date('-000001-11-26T15:59:59.999Z')).dueDate).toBeNull();
  });

  it('a deadline-marked date wins over another date', () => {
    expect(due('明天确认，3月10日前交货')).toBe('2026-03-10');
    expect(due('今天下午3点')).toBe('2026-02-24');
  });
});

describe('urgency', () => {
  it.each(['加急', '紧急', '急', '急单', '很急', 'urgent', 'URGENT', 'ASAP', 'asap', 'rush'])('%s → urgent', (w) => {
    expect(p(`BRK-2026-01 5件 ${w}`).urgent).toBe(true);
  });
  it.each(['不急', '不着急', '不用太急', 'no rush', 'not urgent', ''])('"%s" → not urgent', (w) => {
    expect(p(`BRK-2026-01 5件 ${w}`).urgent).toBe(false);
  });
});

describe('specs', () => {
  const S = (param: string, op: string, value: number, unit: string | null = null) => ({ param, op, value, unit });
  it.each([
    ['Ra≤0.8μm', [S('Ra', '<=', 0.8, 'μm')]],
    ['Ra<=0.8um', [S('Ra', '<=', 0.8, 'μm')]],
    ['Ra ≤ 0.8 μm', [S('Ra', '<=', 0.8, 'μm')]],
    ['Ra≦0.8µm', [S('Ra', '<=', 0.8, 'μm')]],
    ['Ra0.8', [S('Ra', '=', 0.8)]],
    ['粗糙度Ra≤1.6', [S('Ra', '<=', 1.6)]],
    ['硬度HRC≥58', [S('HRC', '>=', 58)]],
    ['HRC>=58', [S('HRC', '>=', 58)]],
    ['HRC 58-62', [S('HRC', '>=', 58), S('HRC', '<=', 62)]],
    ['58-62HRC', [S('HRC', '>=', 58), S('HRC', '<=', 62)]],
    ['平面度≤0.05mm', [S('平面度', '<=', 0.05, 'mm')]],
    ['Rz<3.2µm', [S('Rz', '<', 3.2, 'μm')]],
    ['硬度>50', [S('硬度', '>', 50)]],
    ['厚度5±0.1mm', [S('厚度', '>=', 4.9, 'mm'), S('厚度', '<=', 5.1, 'mm')]],
    ['flatness 0.05mm max', [S('flatness', '<=', 0.05, 'mm')]],
  ] as const)('%s', (text, specs) => {
    expect(p(`BRK-2026-01 5件 ${text}`).specs).toEqual(specs);
  });

  it('specs are not quantities and vice versa', () => {
    const r = p('BRK-2026-01 Ra0.8 HRC 58-62 200件');
    expect(r.items[0]?.quantity).toBe(200);
    expect(r.specs).toHaveLength(3);
  });
});

describe('customer', () => {
  it.each([
    ['客户：大陆集团 BRK-2026-01 5件', '大陆集团'],
    ['客户:博世 BRK-2026-01 5件', '博世'],
    ['客户 大陆集团 BRK-2026-01 5件', '大陆集团'],
    ['客户是博世，BRK-2026-01 5件', '博世'],
    ['客户大陆集团要BRK-2026-01 5件', '大陆集团'],
    ['给大陆集团做BRK-2026-01 5件', '大陆集团'],
    ['大陆集团的BRK-2026-01 5件', '大陆集团'],
    ['需要大陆集团的BRK-2026-01 5件', '大陆集团'],
    ['BRK-2026-01 5 pcs for Continental by Friday', 'Continental'],
    ['customer: Bosch BRK-2026-01 x5', 'Bosch'],
    ['Customer Bosch wants BRK-2026-01 x5', 'Bosch'],
  ] as const)('%s → %s', (text, name) => {
    expect(p(text).customer).toBe(name);
  });

  it.each([
    '客户说BRK-2026-01 要5件',
    '给我BRK-2026-01 5件',
    '帮忙看下BRK-2026-01 5件',
    'BRK-2026-01 x5 for Friday',
    'thanks for the help',
    '我们的BRK-2026-01 5件',
  ])('%s → no customer', (text) => {
    expect(p(text).customer).toBeNull();
  });
});

describe('intent', () => {
  it.each([
    ['需要BRK-2026-01样品5件', 'order'],
    ['BRK-2026-01 5件', 'order'],
    ['BRK-2026-01 3月5日前', 'order'],
    ['please send BRK-2026-01', 'order'],
    ['BRK-2026-22 到哪了？', 'status'],
    ['SO-20260224-0001 进度', 'status'],
    ['到哪了', 'status'],
    ['什么时候到', 'status'],
    ['发货了吗', 'status'],
    ['status of BRK-2026-01', 'status'],
    ['where is SO-20260224-0001', 'status'],
    ['ETA?', 'status'],
    ['BRK-2026-01 5件 发货了吗', 'status'],
    ['大家好', 'none'],
    ['收到', 'none'],
    ['thanks', 'none'],
    ['BRK-2026-01 多少钱？', 'none'],
    ['price for BRK-2026-01?', 'none'],
    ['报价', 'none'],
    ['3月5日前', 'none'],
    ['5件', 'none'],
    ['BRK-2026-01', 'none'],
    ['BRK-2026-01 单价5元 要1000个', 'order'],
  ] as const)('%s → %s', (text, intent) => {
    expect(p(text).intent).toBe(intent);
  });

  it('status carries the refs named, in order', () => {
    expect(p('BRK-2026-05 和 SO-20260224-0001 到哪里了').refs).toEqual(['BRK-2026-05', 'SO-20260224-0001']);
    expect(p('BRK-2026-01 5件').refs).toEqual([]);
  });

  it('missing lists what an order lacks, in order quantity, dueDate', () => {
    expect(p('BRK-2026-01').missing).toEqual([]);
    expect(p('需要BRK-2026-01').missing).toEqual(['quantity', 'dueDate']);
    expect(p('BRK-2026-01 5件').missing).toEqual(['dueDate']);
    expect(p('BRK-2026-01 3月5日前').missing).toEqual(['quantity']);
    expect(p('BRK-2026-01 5件 3月5日前').missing).toEqual([]);
  });
});

describe('noise', () => {
  const base = p('BRK-2026-01 样品5件 3月5日前');
  it.each([
    '@订单助手 BRK-2026-01 样品5件 3月5日前',
    '@orderbot BRK-2026-01 样品5件 3月5日前',
    '@张三 BRK-2026-01 样品5件 3月5日前',
    'BRK-2026-01 样品5件 @李四 3月5日前',
    '[图片]BRK-2026-01 样品5件 3月5日前',
    'BRK-2026-01 样品5件 3月5日前[表情]',
    'BRK-2026-01 样品5件 [image] 3月5日前',
    'BRK-2026-01 样品５件 ３月５日前',
    '@订单助手\u2005BRK-2026-01 样品5件 3月5日前',
  ])('%s', (text) => {
    expect(p(text)).toEqual(base);
  });

  it('language', () => {
    expect(p('BRK-2026-01 x5').language).toBe('en');
    expect(p('BRK-2026-01 5件').language).toBe('zh');
    expect(p('@订单助手 BRK-2026-01 x5').language).toBe('en');
  });
});

describe('robustness', () => {
  it('never throws on odd arguments', () => {
    expect(() => parseMessage(undefined as unknown as string, TUE)).not.toThrow();
    expect(() => parseMessage(null as unknown as string, TUE)).not.toThrow();
    expect(() => parseMessage(42 as unknown as string, TUE)).not.toThrow();
    expect(() => parseMessage('BRK-2026-01 5件', undefined as unknown as Date)).not.toThrow();
    expect(() => parseMessage('\uD800\uDC00\uD800', new Date(8.64e15))).not.toThrow();
  });

  it('parses a 10,000-character message in well under a second (adversarial inputs)', () => {
    const unitsOf = [
      'a',
      '1',
      ' ',
      'a-',
      'ab-1',
      'BRK-2026-01 ×5, ',
      '需要样品五件三月五日前',
      '一二三四五六七八九十百千万',
      '@',
      '@a ',
      '[',
      '[图片',
      '[图片]x',
      '1,',
      '1.',
      'x5',
      '3/5/',
      'HRC 58-62 ',
      'Ra≤0.8μm ',
      '客户：',
      '客户 ',
      'for A ',
      '大陆的',
      '给大',
      '下周',
      '3月',
      '5号',
      'BRK-2026-01样品5件,3月5日前到 ',
      '😊',
      ':',
      '5 ',
      'by 3/5 ',
      '15th ',
      'Mar 5 ',
      'qty ',
      '5件',
      '5-',
      'BRK-2026-01 BRK-2026-02 各5件 ',
      '周五 ',
      'SO-20260224-0001 ',
      'Ra ',
      ' 各',
      '中 ',
      'within ',
    ];
    parseMessage('BRK-2026-01样品5件,3月5日前到'.repeat(50), TUE); // warm up
    for (const u of unitsOf) {
      for (const prefix of ['', '中']) {
        const text = prefix + u.repeat(Math.ceil(10_000 / u.length)).slice(0, 10_000);
        let best = Infinity;
        for (let k = 0; k < 3; k++) {
          const t0 = performance.now();
          parseMessage(text, TUE);
          best = Math.min(best, performance.now() - t0);
        }
        // Backtracking gone wrong takes seconds on 10,000 characters; a loaded machine may take ~50 ms.
        expect(best, JSON.stringify(u)).toBeLessThan(250);
      }
    }
  });
});

// ---------------------------------------------------------------- properties

const FRAGMENTS = [
  'BRK-2026-01',
  'cal-3310-a',
  'PAD-7781',
  'SO-20260224-0001',
  '×5',
  'x10',
  '5件',
  '两千件',
  '一万二',
  'qty 20',
  '数量：5',
  '1,200pcs',
  '5k',
  '各',
  'each',
  '样品',
  'samples',
  '3月5日前',
  '3/5',
  '下周二',
  '周五',
  '月底',
  '下个月',
  '明天',
  '5号',
  '2026-04-01',
  'by Mar 5',
  'next Monday',
  'within 10 days',
  '3个工作日内',
  'Ra≤0.8μm',
  'HRC 58-62',
  '客户：大陆集团',
  'for Continental',
  '给博世做',
  '到哪了',
  '进度',
  'ETA?',
  '多少钱',
  'price',
  '大家好',
  'thanks',
  '不急',
  '@张三',
  '😊',
  '需要',
  '要',
  'please',
  '的',
  '，',
  ',',
  '。',
  '?',
  '！',
  ' ',
  '\n',
  '1',
  '2026',
  '0',
  '.',
  '-',
  '/',
  '年',
  '月',
  '日',
  '(',
  ')',
  '周一',
  'Mon',
  '[',
  ']',
  '图片',
  '@',
  '订单助手',
  '急',
  '不',
  'x',
  '*',
  '号',
  '前',
  'customer',
  ':',
  'for',
  'Bosch',
];
const messageArb = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 4 })), { maxLength: 14 })
  .chain((parts) =>
    fc
      .array(fc.constantFrom('', ' ', ''), { minLength: parts.length, maxLength: parts.length })
      .map((seps) => parts.map((x, i) => x + (seps[i] ?? '')).join('')),
  );
const nowArb = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2099-12-31T00:00:00Z'),
  noInvalidDate: true,
});

describe('properties', () => {
  it('never throws on arbitrary strings and times', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.date(), (text, now) => {
        const r = parseMessage(text, now);
        expect(['order', 'status', 'none']).toContain(r.intent);
        if (r.dueDate !== null) expect(r.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        for (const it of r.items)
          if (it.quantity !== null) expect(Number.isInteger(it.quantity) && it.quantity > 0).toBe(true);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), messageArb, fc.date(), (a, b, now) => {
        for (const r of [parseMessage(a + b, now), parseMessage(b + a, now)]) {
          if (r.dueDate !== null) expect(r.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on very long strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 2000, maxLength: 12_000 }), (text) => {
        parseMessage(text, TUE);
      }),
      { numRuns: 15 },
    );
  });

  it('dueDate is never before the message date (China time)', () => {
    fc.assert(
      fc.property(messageArb, nowArb, (text, now) => {
        const r = parseMessage(text, now);
        if (r.dueDate !== null) expect(r.dueDate >= chinaDate(now)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  const BLOCKED =
    /^(?:UTC|GMT|COVID|ISO|IATF|RA|RZ|RQ|HRC|HRB|HRA|HV|HB|QTY|SO|PO|NO|TEL|WECHAT|VX|WX|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|SEPT|OCT|NOV|DEC|JANUARY|FEBRUARY|MARCH|APRIL|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER)$/i;
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const alnum = `${letters}0123456789`;
  const skuArb = fc
    .tuple(
      fc.string({ unit: fc.constantFrom(...letters), minLength: 2, maxLength: 5 }),
      fc.array(fc.string({ unit: fc.constantFrom(...alnum), minLength: 1, maxLength: 5 }), {
        minLength: 1,
        maxLength: 3,
      }),
      fc.integer({ min: 0, max: 9 }),
    )
    .map(([prefix, groups, d]) => [prefix, ...groups, String(d)].join('-'))
    .filter((sku) => !BLOCKED.test(sku.split('-')[0] as string) && !sku.split('-').some((g) => /^\d+x\d+$/i.test(g)));

  function toChinese(n: number, liang: boolean): string {
    const D = '零一二三四五六七八九';
    const parts: Array<[number, string]> = [
      [Math.floor(n / 1000) % 10, '千'],
      [Math.floor(n / 100) % 10, '百'],
      [Math.floor(n / 10) % 10, '十'],
    ];
    let s = '';
    let started = false;
    let zero = false;
    for (const [d, unit] of parts) {
      if (d === 0) {
        if (started) zero = true;
        continue;
      }
      if (zero) s += '零';
      zero = false;
      if (!(d === 1 && unit === '十' && !started)) s += d === 2 && liang && unit !== '十' && !started ? '两' : D[d];
      s += unit;
      started = true;
    }
    const u = n % 10;
    if (u > 0) s += (zero ? '零' : '') + D[u];
    return s;
  }

  it('toChinese helper writes standard numerals', () => {
    expect([1, 10, 12, 20, 105, 110, 1005, 1010, 1200, 2500, 9999].map((n) => toChinese(n, false))).toEqual([
      '一',
      '十',
      '十二',
      '二十',
      '一百零五',
      '一百一十',
      '一千零五',
      '一千零一十',
      '一千二百',
      '二千五百',
      '九千九百九十九',
    ]);
  });

  it('"SKU ×N" round-trips in every written form', () => {
    fc.assert(
      fc.property(
        skuArb,
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 11 }),
        fc.boolean(),
        (sku, n, form, liang) => {
          const forms: Array<[string, string | null]> = [
            [`${sku} ×${n}`, null],
            [`${sku} x${n}`, null],
            [`${sku} X ${n}`, null],
            [`${sku} *${n}`, null],
            [`${sku} ${n}件`, '件'],
            [`${sku} ${n} pcs`, 'pcs'],
            [`${sku} qty ${n}`, null],
            [`${sku} qty: ${n}`, null],
            [`${sku} 数量：${n}`, null],
            [`${sku} ${n.toLocaleString('en-US')}pcs`, 'pcs'],
            [`需要${sku} ${n}个`, '个'],
            n < 10_000 ? [`${sku} ${toChinese(n, liang)}件`, '件'] : [`${sku} ${n}套`, '套'],
          ];
          const [text, unit] = forms[form] as [string, string | null];
          const r = parseMessage(text, TUE);
          expect(r.intent, text).toBe('order');
          expect(r.items, text).toEqual([{ sku: sku.toUpperCase(), quantity: n, unit, kind: 'batch' }]);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('"M月D日" / "M/D" round-trip to the right date, next year if past', () => {
    const mdArb = fc
      .integer({ min: 1, max: 12 })
      .chain((m) =>
        fc.tuple(
          fc.constant(m),
          fc.integer({ min: 1, max: [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] as number }),
        ),
      );
    fc.assert(
      fc.property(mdArb, nowArb, fc.integer({ min: 0, max: 5 }), ([m, d], now, form) => {
        const text = [
          `${m}月${d}日`,
          `${m}月${d}号`,
          `${m}/${d}`,
          `BRK-2026-01 5件 ${m}月${d}日前`,
          `BRK-2026-01 x5 by ${m}/${d}`,
          `${m}月${d}号之前交`,
        ][form] as string;
        const today = chinaDate(now);
        const y = Number(today.slice(0, 4));
        const pad = (v: number) => String(v).padStart(2, '0');
        const thisYear = `${y}-${pad(m)}-${pad(d)}`;
        const expected = thisYear >= today ? thisYear : `${y + 1}-${pad(m)}-${pad(d)}`;
        expect(parseMessage(text, now).dueDate, `${text} @ ${now.toISOString()}`).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('adding 加急 toggles urgent only', () => {
    fc.assert(
      fc.property(messageArb, nowArb, (text, now) => {
        const a = parseMessage(text, now);
        fc.pre(!a.urgent);
        const b = parseMessage(`${text} 加急`, now);
        expect(b).toEqual({ ...a, urgent: true, language: 'zh' });
        // "… not" + " urgent" says the opposite ("not urgent"), as it should.
        const negates = /\b(?:not(?:\s+(?:that|very|so))?|no)\s*$/i.test(text);
        if (a.language === 'en' && !negates)
          expect(parseMessage(`${text} urgent`, now)).toEqual({ ...a, urgent: true });
      }),
      { numRuns: 1500 },
    );
  });

  it('"@订单助手 " at the start or "[图片]" anywhere never changes the result', () => {
    fc.assert(
      fc.property(
        messageArb,
        nowArb,
        fc.nat(),
        fc.constantFrom('[图片]', '[image]', '[表情]'),
        (text, now, pos, marker) => {
          const a = parseMessage(text, now);
          expect(parseMessage(`@订单助手 ${text}`, now)).toEqual(a);
          const i = pos % (text.length + 1);
          expect(parseMessage(text.slice(0, i) + marker + text.slice(i), now)).toEqual(a);
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('one material asked as samples and as a batch', () => {
  const items = (text: string) => p(text).items.map((i) => [i.sku, i.quantity, i.kind]);

  it.each([
    'CAL-3310-A 先送样2件，批量500件随后',
    'CAL-3310-A 样品2件，大货500件',
    'CAL-3310-A 打样2件 然后批量500件',
    'CAL-3310-A 先打2件样品，后续批量500',
    'CAL-3310-A 样品2件，CAL-3310-A 批量500件',
    '样品2件、批量500件 CAL-3310-A',
    'CAL-3310-A: 2 samples first, then 500 pcs batch',
    'CAL-3310-A 2 samples + 500 pcs bulk',
    'CAL-3310-A samples x2, then bulk 500 pcs',
    '2 samples of CAL-3310-A now and a batch of 500 later',
  ])('%s → a sample item and a batch item', (text) => {
    expect(items(text)).toEqual([
      ['CAL-3310-A', 2, 'sample'],
      ['CAL-3310-A', 500, 'batch'],
    ]);
  });

  it('keeps the order written, and gives a quantity without a kind word the other kind', () => {
    expect(items('CAL-3310-A 批量500件，先送样2件')).toEqual([
      ['CAL-3310-A', 500, 'batch'],
      ['CAL-3310-A', 2, 'sample'],
    ]);
    expect(items('CAL-3310-A 500件，另外送样2件')).toEqual([
      ['CAL-3310-A', 500, 'batch'],
      ['CAL-3310-A', 2, 'sample'],
    ]);
  });

  it('other materials keep their own items', () => {
    expect(items('BRK-2026-01 样品5件 批量2000件，BRK-2026-02 样品3件')).toEqual([
      ['BRK-2026-01', 5, 'sample'],
      ['BRK-2026-01', 2000, 'batch'],
      ['BRK-2026-02', 3, 'sample'],
    ]);
    expect(items('PAD-7781 sample 2pcs, PAD-7782 bulk 5000pcs')).toEqual([
      ['PAD-7781', 2, 'sample'],
      ['PAD-7782', 5000, 'batch'],
    ]);
  });

  it('one kind only, a total, or a correction is still one item', () => {
    expect(items('BRK-2026-01 样品5件 共5件')).toHaveLength(1);
    expect(items('BRK-2026-01 5件 共10件')).toHaveLength(1);
    expect(items('BRK-2026-01 样品5件，CAL-3310-A 样品5件 BRK-2026-01 样品3件')).toHaveLength(2);
    expect(items('BRK-2026-01 样品5件 改成批量10件')).toHaveLength(1);
    expect(items('BRK-2026-01 samples x5, make it 10 bulk')).toHaveLength(1);
  });
});

describe('"each" after the quantity', () => {
  it.each([
    '5 samples each of BRK-2026-01 and BRK-2026-02',
    'BRK-2026-01 and BRK-2026-02, 5 pcs each',
    'BRK-2026-01 and BRK-2026-02 5 samples each',
    '5 each of BRK-2026-01 and BRK-2026-02',
    'BRK-2026-01 and BRK-2026-02, 5 of each',
    'BRK-2026-01 and BRK-2026-02, 5 pcs of each',
    'BRK-2026-01 & BRK-2026-02 samples, 5 apiece',
    'BRK-2026-01和BRK-2026-02样品各5件',
    'BRK-2026-01、BRK-2026-02 各要5件',
  ])('%s → 5 of each', (text) => {
    const r = p(text);
    expect(r.intent).toBe('order');
    expect(r.items.map((i) => [i.sku, i.quantity])).toEqual([
      ['BRK-2026-01', 5],
      ['BRK-2026-02', 5],
    ]);
  });

  it('"samples each" keeps the items samples', () => {
    expect(p('5 samples each of BRK-2026-01 and BRK-2026-02').items.map((i) => i.kind)).toEqual(['sample', 'sample']);
  });
});

describe('questions and requests that ask for no goods', () => {
  it.each([
    'BRK-2026-04 的图纸发我',
    'BRK-2026-04 图纸发一下',
    '麻烦发下BRK-2026-04的图纸',
    '请把BRK-2026-04图纸发过来',
    'BRK-2026-04 的3D发我',
    'BRK-2026-04 的CAD发我',
    'BRK-2026-04 检测报告发我',
    'BRK-2026-04 需要材质证明',
    'BRK-2026-04 的规格书发一份',
    'BRK-2026-04 的资料发我',
    'BRK-2026-04 有图纸吗',
    'BRK-2026-04 在哪条线生产',
    'BRK-2026-04 图纸明天发我',
    'send me the drawing of BRK-2026-04',
    'send me the drawing of BRK-2026-04 by Friday',
    'please send the drawings for BRK-2026-04',
    'please send the material certificate of BRK-2026-04',
    'need the PPAP documents for BRK-2026-04',
    'which line makes BRK-2026-04?',
    'is PAD-7781 in stock?',
    'PAD-7781 还有库存吗',
    'do we have PAD-7781 in stock? need 50',
    'BRK-2026-04 多少钱',
    'BRK-2026-04 500件什么价',
    'BRK-2026-04 交期多久',
    "what's the lead time for BRK-2026-04?",
  ])('%s → none', (text) => {
    expect(p(text)).toMatchObject({ intent: 'none', items: [], missing: [] });
  });

  it.each([
    ['BRK-2026-04 按图纸做样品', 'order'],
    ['BRK-2026-04 按最新图纸生产500件', 'order'],
    ['BRK-2026-04 图纸发你了，做5件样品', 'order'],
    ['BRK-2026-04 5件 需要材质证明', 'order'],
    ['BRK-2026-04 样品 图纸一起发', 'order'],
    ['BRK-2026-04 per drawing, 5 samples', 'order'],
    ['please send BRK-2026-04', 'order'],
    ['BRK-2026-04 cadence 5 per week please', 'order'],
    ['BRK-2026-06 进度', 'status'],
    ['BRK-2026-06 图纸进度', 'status'],
    ['BRK-2026-04 发货了吗', 'status'],
  ] as const)('%s → %s', (text, intent) => {
    expect(p(text).intent).toBe(intent);
  });
});
