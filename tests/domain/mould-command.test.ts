import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMouldCommand, type MouldCommand } from '../../domain/mould-command';

/** Tue 2026-02-24 10:00 China time, as tests/support/clock.ts. */
const NOW = new Date('2026-02-24T10:00:00+08:00');
const parse = (text: string, now = NOW) => parseMouldCommand(text, now);
const cmd = (mould: string, status: MouldCommand['status'], availableFrom: string | null = null): MouldCommand => ({
  mould,
  status,
  availableFrom,
});

describe('parseMouldCommand: what production leads type', () => {
  it.each<[string, MouldCommand]>([
    ['#3模具 维修 至 3/2', cmd('M-3', 'repair', '2026-03-02')],
    ['3号模具维修到3月2日', cmd('M-3', 'repair', '2026-03-02')],
    ['M-3 模具 保养 至 3月5日', cmd('M-3', 'maintenance', '2026-03-05')],
    ['#3模具 恢复', cmd('M-3', 'ok')],
    ['3号模具修好了', cmd('M-3', 'ok')],
    ['M-12 恢复使用', cmd('M-12', 'ok')],
    ['mould M-3 in repair until 3/2', cmd('M-3', 'repair', '2026-03-02')],
    ['mould #3 back in service', cmd('M-3', 'ok')],
    // Other ways of naming the mould.
    ['3#模具坏了，修到3月2号', cmd('M-3', 'repair', '2026-03-02')],
    ['模具M-3 维修至3月2日', cmd('M-3', 'repair', '2026-03-02')],
    ['m3模具 保养至3/5', cmd('M-3', 'maintenance', '2026-03-05')],
    ['M-03 维修至 2026-03-02', cmd('M-3', 'repair', '2026-03-02')],
    ['＃３模具　维修至３／２', cmd('M-3', 'repair', '2026-03-02')],
    ['@订单助手 #3模具 恢复', cmd('M-3', 'ok')],
    ['mold 12 under maintenance until Mar 5', cmd('M-12', 'maintenance', '2026-03-05')],
    ['mould M-9 is back in service', cmd('M-9', 'ok')],
    // Dates.
    ['M-3 维修至5号', cmd('M-3', 'repair', '2026-03-05')],
    ['M-3 维修至25号', cmd('M-3', 'repair', '2026-02-25')],
    ['M-3 维修至明天', cmd('M-3', 'repair', '2026-02-25')],
    ['M-3 维修至1/15', cmd('M-3', 'repair', '2027-01-15')],
    ['M-3 维修至2027年1月5日', cmd('M-3', 'repair', '2027-01-05')],
    ['mould M-3 in repair until 2 March', cmd('M-3', 'repair', '2026-03-02')],
    // No date: out of service, end unknown.
    ['#3模具 维修', cmd('M-3', 'repair')],
    ['M-6 保养中', cmd('M-6', 'maintenance')],
    ['3号模具还没修好', cmd('M-3', 'repair')],
    ['mould 3 not fixed yet', cmd('M-3', 'repair')],
    ['M-3 维修保养', cmd('M-3', 'repair')],
    // A completion with a future date is the expected end; with 已/since it has already happened.
    ['3号模具维修，预计3月2日修好', cmd('M-3', 'repair', '2026-03-02')],
    ['M-3 3月5日恢复使用', cmd('M-3', 'repair', '2026-03-05')],
    ['mould M-3 back in service on 3/5', cmd('M-3', 'repair', '2026-03-05')],
    ['M-3 已于2月20日修好', cmd('M-3', 'ok')],
    ['M-3 今天恢复', cmd('M-3', 'ok')],
    ['3号模具维修好了', cmd('M-3', 'ok')],
  ])('%s', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it('resolves dates in China time: at 23:30 UTC it is already the next day in China', () => {
    const lateUtc = new Date('2026-02-28T23:30:00Z'); // 2026-03-01 07:30 in China
    expect(parse('M-3 维修至3月1日', lateUtc)).toEqual(cmd('M-3', 'repair', '2026-03-01'));
    expect(parse('M-3 维修至2月28日', lateUtc)).toEqual(cmd('M-3', 'repair', '2027-02-28'));
  });

  it.each([
    'BRK-2026-01 ×5 3/5',
    '需要BRK-2026-01样品5件,3月5日前到',
    '需要BRK-2026-01样品5件，M-3模具修好后发',
    'CAL-3310-A 10件 M-9模具维修中 3月20日前要',
    '3号交货 M-3维修',
    'BRK-2026-01 samples ×5 by 3/5',
    'SO-20260224-0001 到哪了',
    'M-3修好了吗？',
    'M-3 模具什么时候修好',
    'when is mould M-3 back?',
    '#3 #4模具 维修',
    'M-3 维修至2月30日',
    'M-3 维修至 2025-01-05',
    'M-3 维修 3.5',
    'DSM-12 维修',
    'M-3310-A 维修',
    '3号修好了',
    '模具维修',
    'M-3',
    '我明天去维修车间看看M-3附近的那台设备有没有问题',
    '',
  ])('is not a mould command: %s', (text) => {
    expect(parse(text)).toBeNull();
  });
});

describe('parseMouldCommand properties', () => {
  it('never throws, and anything it returns is well formed', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 80 }),
          fc.string({ unit: 'grapheme', maxLength: 80 }),
        ),
        fc.date({ min: new Date('2000-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }),
        (text, now) => {
          const result = parseMouldCommand(text, now);
          if (result === null) return;
          expect(result.mould).toMatch(/^M-\d+$/);
          expect(['ok', 'repair', 'maintenance']).toContain(result.status);
          if (result.status === 'ok') expect(result.availableFrom).toBeNull();
          if (result.availableFrom !== null) expect(result.availableFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws on messages built from its own vocabulary', () => {
    const piece = fc.constantFrom(
      '#3',
      '3号',
      'M-3',
      'm12',
      '模具',
      'mould',
      '维修',
      '保养',
      '恢复',
      '修好',
      '没',
      '已',
      '至',
      '到',
      '3/2',
      '3月5日',
      '5号',
      '2026-03-02',
      '明天',
      '?',
      '吗',
      'back',
      'in',
      'service',
      'until',
      'repair',
      ' ',
      '，',
      '×5',
      'BRK-2026-01',
      '件',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        parseMouldCommand(pieces.join(''), NOW);
        parseMouldCommand(pieces.join(' '), NOW);
      }),
      { numRuns: 3000 },
    );
  });

  const sku = fc.oneof(
    fc
      .tuple(fc.integer({ min: 2020, max: 2030 }), fc.integer({ min: 1, max: 99 }))
      .map(([y, n]) => `BRK-${y}-${String(n).padStart(2, '0')}`),
    fc.constantFrom('CAL-3310-A', 'PAD-7781', 'DSC-4420'),
  );
  const orderDate = fc
    .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
    .chain(([m, d]) =>
      fc.constantFrom(`${m}/${d}`, `${m}月${d}日前`, `${m}月${d}号到`, `by ${m}/${d}`, `${m}月${d}日前到`),
    );
  const quantity = fc
    .integer({ min: 1, max: 5000 })
    .chain((n) => fc.constantFrom(`×${n}`, `${n}件`, `样品${n}件`, `x${n}`, `${n} pcs`, `批量${n}套`));
  const extra = fc.constantFrom(
    '',
    '急',
    '需要',
    '客户大陆集团',
    '模具M-3',
    'M-3模具维修好了',
    '#3模具 恢复',
    'Ra≤0.8',
    '加急',
  );

  it('returns null for order-like messages, even ones that mention a mould', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(sku, quantity), { minLength: 1, maxLength: 3 }),
        orderDate,
        extra,
        fc.boolean(),
        (items, date, more, spaced) => {
          const sep = spaced ? ' ' : '';
          const text = [more, ...items.map(([code, qty]) => `${code}${sep}${qty}`), date].join(spaced ? ' ' : '，');
          expect(parseMouldCommand(text, NOW)).toBeNull();
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('reads any mould, state and date written the usual ways', () => {
    const ref = fc
      .integer({ min: 1, max: 999 })
      .chain((n) =>
        fc.tuple(
          fc.constant(n),
          fc.constantFrom(`#${n}模具`, `${n}号模具`, `M-${n}`, `M${n} 模具`, `模具M-${n}`, `${n}#模具`),
        ),
      );
    const day = fc
      .integer({ min: 0, max: 364 })
      .map((offset) => new Date(Date.UTC(2026, 1, 24 + offset)).toISOString().slice(0, 10));
    const write = (iso: string) => {
      const m = Number(iso.slice(5, 7));
      const d = Number(iso.slice(8, 10));
      return fc.constantFrom(`${m}/${d}`, `${m}月${d}日`, `${m}月${d}号`, iso);
    };
    fc.assert(
      fc.property(
        ref,
        fc.constantFrom(['维修', 'repair'], ['保养', 'maintenance'], ['在修', 'repair']),
        fc.constantFrom('至', '到', ' 至 ', '，预计'),
        day.chain((iso) => fc.tuple(fc.constant(iso), write(iso))),
        ([n, mould], [word, status], connector, [iso, written]) => {
          const text = `${mould} ${word}${connector}${written}`;
          expect(parseMouldCommand(text, NOW), text).toEqual({ mould: `M-${n}`, status, availableFrom: iso });
        },
      ),
      { numRuns: 1000 },
    );
  });
});
