import { describe, expect, it } from 'vitest';
import { cards } from '../../db/schema';
import { backends } from '../support/databases';
import { HAN, PLATFORM, useHandlerHarness } from './harness';

describe.each(backends)('a tap on an unknown card on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('tells the tapper the card is no longer valid, and nothing else happens', async () => {
    await scenario(async (s) => {
      const order = await s.pendingOrder();
      const before = await s.tasks(order.id);
      const step = await s.tap('c_expired0000000000000', 'wanggong', 'approve', { callbackRef: 'cb-1' });
      expect(step.effects).toEqual([{ kind: 'post', to: { userId: 'wanggong' }, text: expect.stringMatching(HAN) }]);
      expect(step.rows[0]).toMatchObject({ platform: PLATFORM, idempotencyKey: `${step.eventKey}:notice` });
      expect(await s.tasks(order.id)).toEqual(before);
    });
  });

  it('answers the same for an approval card whose task is gone', async () => {
    await scenario(async (s) => {
      const known = (await s.tap('c_expired0000000000000', 'wanggong', 'approve')).notice;
      await s.tx.insert(cards).values({
        id: 'c_orphan',
        purpose: 'approval',
        platform: PLATFORM,
        recipientId: 'wanggong',
        content: { id: 'c_orphan', title: '需求单审批 · 技术部', fields: [], buttons: [] },
        createdAt: s.clock.now(),
      });
      const step = await s.tap('c_orphan', 'wanggong', 'approve');
      expect(step.notice).toBe(known);
      expect(step.kinds).toEqual(['post']);
    });
  });
});
