import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { moulds } from '../../db/schema';
import { TestApp } from '../support/app';
import { backends, useTestDatabase } from '../support/databases';

/** Needs handleMouldCommand wired into handleMessage (before the order parser). */
describe.each(backends)('mould commands in chat on %s', (backend) => {
  const database = useTestDatabase(backend);
  let t: TestApp;
  beforeEach(async () => {
    t = await TestApp.start(backend, { database: database(), fresh: true });
  });
  afterEach(async () => {
    await t.close();
  });

  const mould = async (id: string) => (await t.db.select().from(moulds).where(eq(moulds.id, id)))[0];

  it('lets the production lead put a mould back in service', async () => {
    expect(await mould('M-3')).toMatchObject({ status: 'repair' });
    await t.say('#3模具 恢复', { senderId: 'zhoushifu' });
    const reply = await t.waitFor((s) => t.botMessages(s)[0], 'the reply');
    expect(reply).toBe('已更新：模具M-3 恢复使用');
    expect(await mould('M-3')).toMatchObject({ status: 'ok', availableFrom: null, updatedBy: 'zhoushifu' });
  });

  it('lets the production director set a repair end date', async () => {
    await t.say('3号模具维修到3月9日', { senderId: 'sunzong' });
    const reply = await t.waitFor((s) => t.botMessages(s)[0], 'the reply');
    expect(reply).toBe('已更新：模具M-3 维修至3月9日');
    expect(await mould('M-3')).toMatchObject({ status: 'repair', availableFrom: '2026-03-09', updatedBy: 'sunzong' });
  });

  it('answers in English when written in English', async () => {
    await t.say('mould M-12 under maintenance until 3/5', { senderId: 'zhoushifu' });
    const reply = await t.waitFor((s) => t.botMessages(s)[0], 'the reply');
    expect(reply).toBe('Updated: mould M-12 under maintenance until Mar 5');
    expect(await mould('M-12')).toMatchObject({ status: 'maintenance', availableFrom: '2026-03-05' });
  });

  it('refuses anyone outside production and changes nothing', async () => {
    const before = await mould('M-3');
    await t.say('#3模具 恢复', { senderId: 'lisi' });
    const reply = await t.waitFor((s) => t.botMessages(s)[0], 'the reply');
    expect(reply).toBe('只有生产部主管或生产总监可以更新模具状态。');
    await t.settle();
    expect(await mould('M-3')).toEqual(before);
  });

  it('lists the known moulds for an unknown one', async () => {
    await t.say('#77模具 恢复', { senderId: 'zhoushifu' });
    const reply = await t.waitFor((s) => t.botMessages(s)[0], 'the reply');
    expect(reply).toBe('没有模具M-77。已知模具：M-3、M-4、M-5、M-6、M-9、M-12');
    expect(await mould('M-77')).toBeUndefined();
  });

  it('still takes orders', async () => {
    await t.say('BRK-2026-01 ×5 3/5', { senderId: 'zhoushifu' });
    const reply = await t.waitFor((s) => t.botMessages(s)[0], 'the reply');
    expect(reply).toContain('SO-20260224-0001');
  });
});
