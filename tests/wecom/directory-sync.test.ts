import { afterEach, describe, expect, it } from 'vitest';
import { backends, useTestDatabase } from '../support/databases';
import { adminSession } from '../support/admin-session';
import { WecomWorld } from './harness';

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the product answered
type Json = any;

describe.each(backends)('the WeCom directory in the console, on %s', (backend) => {
  const database = useTestDatabase(backend);
  let w: WecomWorld;
  afterEach(async () => {
    await w.close();
  });

  it('syncs people with their departments, maps them to roles without typing ids, keeps what the admin filled in when WeCom gives ids only', async () => {
    w = await WecomWorld.start(backend, database());
    const { fake } = w;
    const { api } = await adminSession(w.app);
    const before = await api('GET', '/directory');
    expect(before.json).toMatchObject({ platforms: ['wecom'], people: [], lastSync: null });

    const synced = await api('POST', '/directory/sync');
    expect(synced).toEqual({
      status: 200,
      json: {
        results: [
          { platform: 'wecom', ok: true, departments: 8, people: 13, added: 14, left: 0, withheld: ['mobiles'] },
        ],
      },
    });
    // The app reads with its own token: the tree, one department/get and one user/list per department.
    expect(fake.calls('department/simplelist')).toHaveLength(1);
    expect(fake.calls('user/list')).toHaveLength(8);

    const listed = (await api('GET', '/directory')).json;
    const byId = (id: string) => listed.people.find((p: Json) => p.userId === id);
    expect(byId('ZhaoZong')).toMatchObject({
      platform: 'wecom',
      name: '赵总',
      title: '技术总监',
      departments: ['技术部', '总经办'],
      active: true,
      mobile: null,
      person: { id: 'zhaozong', roles: ['director:tech'] },
    });
    expect(byId('ZhangSan').person).toEqual({ id: 'zhangsan', roles: ['sales'] });
    expect(byId('FengGong')).toMatchObject({ name: '冯工', person: null });
    expect(byId('HeJie')).toMatchObject({ active: false });
    expect(listed.people.at(-1).userId).toBe('HeJie');

    // 冯工 becomes a lead of Engineering: a person with his WeCom id, added to the leads, in one new version.
    const assigned = await api('POST', '/directory/assign', {
      platform: 'wecom',
      userId: 'FengGong',
      role: { as: 'lead', department: 'tech' },
    });
    expect(assigned.status).toBe(200);
    const config = w.app.app.config.current;
    expect(config.people.find((p) => p.wecom === 'FengGong')).toEqual({
      id: 'fenggong',
      name: '冯工',
      role: '工艺工程师',
      wecom: 'FengGong',
    });
    expect(config.departments.find((d) => d.key === 'tech')!.leads).toEqual(['wanggong', 'liugong', 'fenggong']);
    expect(assigned.json.version).toBe(w.app.app.config.version);

    // 周总 (already a person) becomes director of Purchasing; an unknown department is refused, naming it.
    expect(
      (
        await api('POST', '/directory/assign', {
          platform: 'wecom',
          userId: 'ZhouZong',
          role: { as: 'director', department: 'purchasing' },
        })
      ).status,
    ).toBe(200);
    expect(w.app.app.config.current.departments.find((d) => d.key === 'purchasing')!.director).toBe('zhouzong');
    expect(
      await api('POST', '/directory/assign', {
        platform: 'wecom',
        userId: 'ZhouZong',
        role: { as: 'lead', department: 'hr' },
      }),
    ).toMatchObject({ status: 400, json: { field: 'department', error: '没有这个部门：hr' } });
    expect(
      (await api('POST', '/directory/assign', { platform: 'wecom', userId: 'Nobody', role: { as: 'person' } })).status,
    ).toBe(404);

    // WeCom now gives ids only (通讯录同步 secret from a new IP): names already synced stay, a newcomer has none.
    fake.directory.options.idsOnly = true;
    fake.directory.options.members.push({ userid: 'LuGong', name: '陆工', department: [5] });
    fake.directory.options.members.splice(
      fake.directory.options.members.findIndex((m) => m.userid === 'LiSi'),
      1,
    );
    const idsOnly = await api('POST', '/directory/sync');
    expect(idsOnly.json.results[0]).toMatchObject({ ok: true, added: 1, left: 1, withheld: ['names', 'mobiles'] });
    const again = (await api('GET', '/directory')).json.people as Json[];
    expect(again.find((p) => p.userId === 'ZhaoZong')).toMatchObject({
      name: '赵总',
      departments: ['技术部', '总经办'],
    });
    expect(again.find((p) => p.userId === 'LiSi')).toMatchObject({ active: false });
    expect(again.find((p) => p.userId === 'LuGong')).toMatchObject({ name: null, departments: ['生产部'] });

    const nameless = await api('POST', '/directory/assign', {
      platform: 'wecom',
      userId: 'LuGong',
      role: { as: 'lead', department: 'production' },
    });
    expect(nameless).toMatchObject({ status: 400, json: { field: 'name' } });
    expect((await api('PUT', '/directory/people/wecom/LuGong', { mobile: '12345' })).status).toBe(400);
    const filled = await api('PUT', '/directory/people/wecom/LuGong', { name: '陆工', mobile: '139 0000 0021' });
    expect(filled.json).toMatchObject({ name: '陆工', nameByAdmin: true, mobile: '13900000021' });
    expect(
      (
        await api('POST', '/directory/assign', {
          platform: 'wecom',
          userId: 'LuGong',
          role: { as: 'lead', department: 'production' },
        })
      ).status,
    ).toBe(200);
    expect(w.app.app.config.current.people.find((p) => p.id === 'lugong')).toMatchObject({ phone: '13900000021' });

    // A later sync with names again does not overwrite what the admin wrote.
    fake.directory.options.idsOnly = false;
    await api('POST', '/directory/sync');
    const named = (await api('GET', '/directory')).json.people.find((p: Json) => p.userId === 'LuGong');
    expect(named).toMatchObject({
      name: '陆工',
      nameByAdmin: true,
      person: { id: 'lugong', roles: ['lead:production'] },
    });

    const audit = (await api('GET', '/audit')).json.entries.map((e: Json) => e.action);
    expect(audit.filter((a: string) => a === 'directory-sync')).toHaveLength(3);
    expect(audit).toContain('directory-person');

    // WeCom refusing (the app has no contacts permission) is reported, and changes nothing.
    fake.fail('user/list', { errcode: 60011, errmsg: 'no privilege to access/modify contact/party/agent' });
    const refused = await api('POST', '/directory/sync');
    expect(refused.status).toBe(502);
    expect(refused.json.results[0]).toMatchObject({ platform: 'wecom', ok: false });
    expect(refused.json.results[0].error).toContain('60011');
    expect((await api('GET', '/directory')).json.people).toHaveLength(again.length);
  });
});
