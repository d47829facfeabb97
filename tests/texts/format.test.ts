import { describe, expect, it } from 'vitest';
import { texts } from '../../texts';

const zh = texts('zh');
const en = texts('en');
const cn = (local: string) => new Date(`${local}+08:00`);

describe('formats for people', () => {
  it('dates, with the year only when it is not this one', () => {
    expect(zh.format.date('2026-03-05', '2026-02-24')).toBe('3月5日');
    expect(zh.format.date('2027-01-05', '2026-12-24')).toBe('2027年1月5日');
    expect(en.format.date('2026-03-05', '2026-02-24')).toBe('Mar 5');
  });

  it('stage labels in both languages', () => {
    expect(zh.stages.label('confirmed')).toBe('已确认');
    expect(en.stages.label('qc_passed')).toBe('QC passed');
    expect(zh.stages.label('delivered')).toBe('已签收');
    expect(zh.stages.action('in_production')).toBe('开始生产');
    expect(en.stages.action('in_production')).toBe('start production');
    expect(zh.stages.action('packed')).toBe('包装完成');
  });

  it('an ETD', () => {
    const etd = cn('2026-03-18T14:30');
    expect(zh.format.etd(etd, '2026-03-05')).toBe('3月18日14:30前签收');
    expect(en.format.etd(etd, '2026-03-05')).toBe('signed for by Mar 18, 14:30');
    const nextYear = cn('2027-01-04T09:00');
    expect(zh.format.etd(nextYear, '2026-12-28')).toBe('2027年1月4日09:00前签收');
    expect(en.format.etd(nextYear, '2026-12-28')).toBe('signed for by Jan 4, 2027, 09:00');
    // Late evening China time is still that China date.
    expect(zh.format.etd(cn('2026-03-18T23:30'), '2026-03-05')).toBe('3月18日23:30前签收');
  });
});
