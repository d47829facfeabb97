import { describe, expect, it } from 'vitest';
import { weekOf } from '../../domain/kpi';
import { type DigestInput, formatDigest } from '../../texts/digest';
import { at, DAY, figuresWith, HOUR, MIN } from '../support/kpi';

describe('formatDigest', () => {
  const input: DigestInput = {
    language: 'zh',
    company: '华东精密制造有限公司',
    week: weekOf(at('2026-02-25 10:00')),
    thisWeek: figuresWith({
      confirmedCount: 12,
      latencyP50Ms: 3 * HOUR + 20 * MIN,
      latencyP90Ms: DAY + 2 * HOUR,
      deliveredCount: 13,
      onTimeRate: 0.92,
      promiseAccuracy: 0.77,
      handling: [
        { department: 'production', decidedCount: 3, p50Ms: 2 * HOUR },
        { department: 'purchasing', decidedCount: 2, p50Ms: HOUR + 10 * MIN },
        { department: 'tech', decidedCount: 4, p50Ms: 45 * MIN },
      ],
      handlingP50Ms: HOUR,
      complaintCount: 1,
      complaintRate: 1 / 13,
    }),
    lastWeek: figuresWith({
      confirmedCount: 9,
      latencyP50Ms: 4 * HOUR + 10 * MIN,
      latencyP90Ms: DAY + 5 * HOUR,
      onTimeRate: 0.85,
      promiseAccuracy: 0.77,
      handling: [{ department: 'tech', decidedCount: 1, p50Ms: 30 * MIN }],
      complaintRate: 0.1,
    }),
    departments: [
      { key: 'tech', name: '技术部', nameEn: 'Engineering' },
      { key: 'purchasing', name: '采购部', nameEn: 'Purchasing' },
      { key: 'production', name: '生产部', nameEn: 'Production' },
    ],
    slowest: [
      {
        number: 'SO-20260227-0003',
        customerName: '大陆集团',
        latencyMs: DAY + 4 * HOUR,
        paused: true,
        pauseReason: null,
        waitingOn: null,
      },
      {
        number: 'SO-20260227-0004',
        customerName: null,
        latencyMs: 5 * HOUR + 5 * MIN,
        paused: true,
        pauseReason: '图纸',
        waitingOn: null,
      },
      {
        number: 'SO-20260227-0005',
        customerName: '博世',
        latencyMs: 50 * MIN,
        paused: false,
        pauseReason: null,
        waitingOn: '技术部',
      },
    ],
  };

  it('zh', () => {
    const text = formatDigest(input);
    expect(text.split('\n')).toEqual([
      '📊 华东精密制造有限公司 指标周报（2026-W09，2月23日–3月1日）',
      '客户感知时延：中位 3小时20分钟↓，P90 1天2小时↓（上周 4小时10分钟 / 1天5小时），已确认 12 单',
      '准时交付率：92%↑（上周 85%），已签收 13 单',
      '承诺准确率：77%（上周 77%）',
      '客户投诉率：8%↓（上周 10%），本周 1 单有投诉或退货',
      '各部门处理时长（中位）：技术部 45分钟↑，采购部 1小时10分钟，生产部 2小时',
      '最慢的未确认订单：',
      '1. SO-20260227-0003 大陆集团 已等 1天4小时（等客户中）',
      '2. SO-20260227-0004 已等 5小时5分钟（等客户图纸）',
      '3. SO-20260227-0005 博世 已等 50分钟，待技术部审批',
    ]);
  });

  it('en', () => {
    const text = formatDigest({ ...input, language: 'en', company: 'East China Precision' });
    expect(text).toContain('📊 East China Precision weekly KPIs (2026-W09, Feb 23–Mar 1)');
    expect(text).toContain(
      'Customer-perceived latency: median 3h 20m ↓, p90 1d 2h ↓ (last week 4h 10m / 1d 5h), 12 confirmed',
    );
    expect(text).toContain('On-time delivery: 92% ↑ (last week 85%), 13 delivered');
    expect(text).toContain('Promise accuracy: 77% (last week 77%)');
    expect(text).toContain('Handling time by department (median): Engineering 45m ↑, Purchasing 1h 10m, Production 2h');
    expect(text).toContain(
      'Slowest open orders:\n1. SO-20260227-0003 大陆集团, waiting 1d 4h (waiting on the customer)',
    );
    expect(text).toContain('2. SO-20260227-0004, waiting 5h 5m (waiting for 图纸)');
    expect(text).toContain('3. SO-20260227-0005 博世, waiting 50m, awaiting 技术部');
  });

  it('missing figures show —, no open orders is said, at most 5 orders', () => {
    const empty = figuresWith({});
    const zh = formatDigest({ ...input, thisWeek: empty, lastWeek: empty, slowest: [] });
    expect(zh).toContain('客户感知时延：中位 —，P90 —（上周 — / —），已确认 0 单');
    expect(zh).toContain('准时交付率：—（上周 —），已签收 0 单');
    expect(zh).toContain('各部门处理时长（中位）：—');
    expect(zh.endsWith('没有未确认的订单')).toBe(true);
    expect(formatDigest({ ...input, language: 'en', slowest: [] }).endsWith('No open orders')).toBe(true);
    const many = Array.from({ length: 8 }, (_, i) => ({
      number: `SO-20260227-000${i}`,
      customerName: null,
      latencyMs: HOUR,
      paused: false,
      pauseReason: null,
      waitingOn: null,
    }));
    const text = formatDigest({ ...input, slowest: many });
    expect(text).toContain('5. SO-20260227-0004');
    expect(text).not.toContain('6. ');
  });

  it('a week across the new year shows the year of the end date', () => {
    expect(formatDigest({ ...input, week: weekOf(at('2026-12-30 10:00')) }).split('\n')[0]).toBe(
      '📊 华东精密制造有限公司 指标周报（2026-W53，12月28日–2027年1月3日）',
    );
  });
});
