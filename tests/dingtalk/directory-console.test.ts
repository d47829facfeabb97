import { describe, expect, it } from 'vitest';
import { adminSession } from '../support/admin-session';
import { backends } from '../support/databases';
import { useDingtalkApp } from './harness';

// The console's directory calls are platform-neutral (tested on both databases with WeCom); here the
// DingTalk adapter's reader behind them, on one database.
describe('the DingTalk directory in the console', () => {
  const h = useDingtalkApp(backends.at(-1)!);

  it('syncs DingTalk people and makes one a lead by their staff id', async () => {
    const { api } = await adminSession(h.t);
    const synced = await api('POST', '/directory/sync');
    expect(synced.status).toBe(200);
    expect(synced.json.results).toEqual([
      expect.objectContaining({ platform: 'dingtalk', ok: true, added: synced.json.results[0].people }),
    ]);
    expect(synced.json.results[0].withheld).toEqual(['mobiles']);
    const people = (await api('GET', '/directory')).json.people;
    expect(people.find((p: { userId: string }) => p.userId === '0212000')).toMatchObject({
      platform: 'dingtalk',
      name: '赵总',
      person: { id: 'zhaozong', roles: ['director:tech'] },
    });
    expect(
      (
        await api('POST', '/directory/assign', {
          platform: 'dingtalk',
          userId: '0217001',
          role: { as: 'lead', department: 'tech' },
        })
      ).status,
    ).toBe(200);
    const config = h.t.app.config.current;
    const person = config.people.find((p) => p.dingtalk === '0217001')!;
    expect(person.name).toBe('冯工');
    expect(config.departments.find((d) => d.key === 'tech')!.leads).toContain(person.id);
    expect(person.id).toBe('dingtalk-0217001');
  });
});
