import { describe, expect, it } from 'vitest';
import { backends } from '../support/databases';
import { FIRST, HAN, SECOND, useHandlerHarness } from './harness';

describe.each(backends)('kpi on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('answers "/kpi" with this week\'s figures and the slowest open orders', async () => {
    await scenario(async (s) => {
      await s.confirmedOrder();
      await s.pendingOrder();
      s.at('2026-02-24T11:30');
      const step = await s.say('/kpi');
      expect(step.kinds).toEqual(['post']);
      expect(step.reply).toContain('华东精密制造有限公司');
      expect(step.reply).toContain('2026-W09');
      expect(step.reply).toContain('已确认 1 单');
      // The order still waiting, and how long it has waited.
      expect(step.reply).toContain(SECOND);
      expect(step.reply).toContain('1小时30分钟');
      expect(step.reply).not.toContain(FIRST);
      expect((await s.say('本周指标')).reply).toBe(step.reply);
    });
  });

  it('counts what happened: nothing confirmed before the order is', async () => {
    await scenario(async (s) => {
      const before = (await s.say('/kpi')).reply;
      expect(before).toContain('已确认 0 单');
      await s.confirmedOrder();
      expect((await s.say('/kpi')).reply).toContain('已确认 1 单');
    });
  });

  it('answers in English when asked in English', async () => {
    await scenario(async (s) => {
      await s.pendingOrder();
      const step = await s.say("this week's kpis");
      expect(step.reply).toContain(FIRST);
      expect(step.reply).toContain('latency');
      expect(step.reply).not.toContain('指标周报');
      expect(step.reply).not.toContain('已确认');
      expect((await s.say('/kpi')).reply).toMatch(HAN);
    });
  });
});
