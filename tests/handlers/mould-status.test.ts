import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { drafts, moulds } from '../../db/schema';
import { backends } from '../support/databases';
import { HAN, SALES, type Scenario, useHandlerHarness } from './harness';

const mould = async (s: Scenario, id: string) => (await s.tx.select().from(moulds).where(eq(moulds.id, id)))[0];

describe.each(backends)('mould-status on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('lets the production lead put a mould back in service', async () => {
    await scenario(async (s) => {
      expect(await mould(s, 'M-3')).toMatchObject({ status: 'repair', availableFrom: '2026-03-02' });
      s.at('2026-02-24T11:00');
      const step = await s.say('#3模具 恢复', { senderId: 'zhoushifu', replyRef: 'reply-window-1' });
      expect(await mould(s, 'M-3')).toEqual({
        id: 'M-3',
        status: 'ok',
        availableFrom: null,
        updatedAt: s.clock.now(),
        updatedBy: 'zhoushifu',
      });
      expect(step.effects).toEqual([
        {
          kind: 'post',
          to: { conversationId: SALES },
          text: expect.stringContaining('M-3'),
          replyRef: 'reply-window-1',
        },
      ]);
      expect(step.reply).toContain('恢复');
      expect(step.rows[0]!.idempotencyKey).toBe(`${step.eventKey}:reply`);
    });
  });

  it('lets the production director set a repair end date', async () => {
    await scenario(async (s) => {
      const step = await s.say('3号模具维修到3月9日', { senderId: 'sunzong' });
      expect(await mould(s, 'M-3')).toMatchObject({
        status: 'repair',
        availableFrom: '2026-03-09',
        updatedBy: 'sunzong',
      });
      expect(step.reply).toContain('M-3');
      expect(step.reply).toContain('维修');
      expect(step.reply).toContain('3月9日');
      // Read as a mould report, not as a request with a date.
      expect(await s.tx.select().from(drafts)).toEqual([]);
      expect(await s.orders()).toEqual([]);
    });
  });

  it('answers in English when written in English', async () => {
    await scenario(async (s) => {
      const step = await s.say('mould M-12 under maintenance until 3/5', { senderId: 'zhoushifu' });
      expect(await mould(s, 'M-12')).toMatchObject({ status: 'maintenance', availableFrom: '2026-03-05' });
      expect(step.reply).toContain('M-12');
      expect(step.reply).toContain('maintenance');
      expect(step.reply).toContain('Mar 5');
      expect(step.reply).not.toMatch(HAN);
    });
  });

  it('takes a repair with no end date as out of service until further notice, which blocks promises', async () => {
    await scenario(async (s) => {
      const step = await s.say('#3模具 维修', { senderId: 'zhoushifu' });
      expect(await mould(s, 'M-3')).toMatchObject({ status: 'repair', availableFrom: null });
      expect(step.reply).toContain('M-3');
      // The next promise reads the mould as the handler left it.
      const blocked = await s.say('BRK-2026-01 ×500 3月20日前');
      expect(blocked.reply).toContain('M-3');
      expect(await s.orders()).toEqual([]);
    });
  });

  it('refuses anyone outside production, in their language, and changes nothing', async () => {
    await scenario(async (s) => {
      const before = await mould(s, 'M-3');
      const zh = await s.say('#3模具 恢复', { senderId: 'lisi' });
      expect(zh.kinds).toEqual(['post']);
      expect(zh.reply).toContain('生产');
      expect(zh.reply).not.toContain('已更新');
      // A tech lead is a lead, but not of production.
      const en = await s.say('mould M-3 back in service', { senderId: 'wanggong' });
      expect(en.reply).toContain('production');
      expect(en.reply).not.toMatch(HAN);
      expect(await mould(s, 'M-3')).toEqual(before);
    });
  });

  it('lists the known moulds for an unknown one and adds none', async () => {
    await scenario(async (s) => {
      const step = await s.say('#77模具 恢复', { senderId: 'zhoushifu' });
      expect(step.reply).toContain('M-77');
      for (const id of ['M-3', 'M-4', 'M-5', 'M-6', 'M-9', 'M-12']) expect(step.reply).toContain(id);
      expect(step.reply.indexOf('M-3')).toBeLessThan(step.reply.indexOf('M-12'));
      expect(await mould(s, 'M-77')).toBeUndefined();
    });
  });
});
