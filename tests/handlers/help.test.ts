import { describe, expect, it } from 'vitest';
import { backends } from '../support/databases';
import { HAN, SALES, useHandlerHarness } from './harness';

describe.each(backends)('help on %s', (backend) => {
  const { scenario } = useHandlerHarness(backend);

  it('tells someone who talks to the bot how to use it, in Chinese', async () => {
    await scenario(async (s) => {
      const step = await s.say('@订单助手 你好', { replyRef: 'window-7' });
      expect(step.effects).toEqual([
        {
          kind: 'post',
          to: { conversationId: SALES },
          text: expect.stringContaining('订单助手'),
          replyRef: 'window-7',
        },
      ]);
      expect(step.reply).toContain('BRK-2026-01');
      expect(step.reply).toContain('SO-');
      expect(step.reply).toMatch(HAN);
      expect(await s.orders()).toEqual([]);
    });
  });

  it('answers in English in a 1:1 chat written in English', async () => {
    await scenario(async (s) => {
      const step = await s.say('hello', { conversationId: 'dm:zhangsan' });
      expect(step.textsIn('dm:zhangsan')).toHaveLength(1);
      const [text] = step.textsIn('dm:zhangsan');
      expect(text).toContain('BRK-2026-01');
      expect(text).toContain('订单助手');
      expect(text!.replace('订单助手', '')).not.toMatch(HAN);
    });
  });

  it('stays quiet on chit-chat and price questions in a group, answering only when addressed', async () => {
    await scenario(async (s) => {
      expect((await s.say('大家好')).effects).toEqual([]);
      expect((await s.say('BRK-2026-01 多少钱？')).effects).toEqual([]);
      expect(await s.orders()).toEqual([]);
      expect((await s.say('大家好', { addressedToBot: true })).reply).toContain('订单助手');
    });
  });
});
