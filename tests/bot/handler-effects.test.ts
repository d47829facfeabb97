import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../db/schema';
import { TestApp } from '../support/app';
import { backends } from '../support/databases';

describe.each(backends)("a handler's effects on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start(backend);
  });
  afterAll(async () => {
    await t.close();
  });

  it('reach the outbox in the order they were emitted, however many (past the 65,535 parameters of one statement), and a repeated key once', async () => {
    await t.app.scheduler.stop();
    const before = (await t.db.select({ id: outbox.id }).from(outbox)).length;
    const texts = Array.from({ length: 12_000 }, (_, i) => `第${i}条`);
    await t.app.bot.runScheduled('many-effects', async (ctx) => {
      const post = (i: number) => ({
        effect: { kind: 'post' as const, to: { conversationId: 'sales-east' }, text: texts[i]! },
        key: `many:${i}`,
      });
      // 10,000 at once (70,000 parameters in one statement would be refused), then one by one.
      await ctx.emitAll(texts.slice(0, 10_000).map((_, i) => post(i)));
      for (let i = 10_000; i < texts.length; i++) await ctx.emit(post(i).effect, post(i).key);
      await ctx.emit({ kind: 'post', to: { conversationId: 'sales-east' }, text: 'again' }, 'many:5');
    });
    const rows = await t.db
      .select({ key: outbox.idempotencyKey, payload: outbox.payload })
      .from(outbox)
      .orderBy(asc(outbox.id));
    const mine = rows.slice(before);
    expect(mine.map((r) => r.key)).toEqual(texts.map((_, i) => `many:${i}`));
    expect((mine[5]!.payload as { text: string }).text).toBe('第5条');
  });
});
