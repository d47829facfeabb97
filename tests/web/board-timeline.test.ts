import { describe, expect, it } from 'vitest';
import { collapseEtdRuns, timelineEntry } from '../../web/board/board-data';
import { loadBusinessConfig } from '../../config/business-config';

const config = loadBusinessConfig();
let id = 0;
const event = (type: string, at: string, data: Record<string, unknown> = {}, actorId: string | null = null) => ({
  id: ++id,
  orderId: 1,
  at: new Date(`${at}+08:00`),
  type,
  actorId,
  data,
});

describe('order timeline', () => {
  it('reads a run of ETD refreshes as one line from the first value to the last, and keeps other events apart', () => {
    const events = [
      event('confirmed', '2026-02-24T10:00:00', { promisedDate: '2026-03-03' }),
      event('etd-changed', '2026-02-24T10:00:00', { from: null, to: '2026-02-28T06:30:00.000Z' }),
      event('etd-changed', '2026-02-26T09:00:00', { from: '2026-02-28T06:30:00.000Z', to: '2026-02-28T07:00:00.000Z' }),
      event('etd-changed', '2026-02-26T09:30:00', { from: '2026-02-28T07:00:00.000Z', to: '2026-02-28T07:30:00.000Z' }),
      event('paused', '2026-02-26T10:00:00', { reason: '图纸' }, 'zhangsan'),
      event('etd-changed', '2026-02-26T11:00:00', { from: '2026-02-28T07:30:00.000Z', to: '2026-03-01T02:00:00.000Z' }),
    ];
    const entries = collapseEtdRuns(events).map((run) => timelineEntry(config, run.first, run));
    expect(entries.map((e) => [e.label, e.detail])).toEqual([
      ['交期确认', '承诺交期 2026-03-03'],
      ['预计签收变更', '— → 2月28日 15:30（3 次更新，至 02-26 09:30）'],
      ['等客户（暂停计时）', '图纸'],
      ['预计签收变更', '2月28日 15:30 → 3月1日 10:00'],
    ]);
    expect(entries[2]!.actor).toBe('张三');
    expect(entries.map((e) => e.kind)).toEqual(['decision', 'etd', 'pause', 'etd']);
  });
});
