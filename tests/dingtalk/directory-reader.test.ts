import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DingtalkDirectoryError, DingtalkDirectoryReader } from '../../bot/dingtalk/directory-reader';
import { dingtalkSettings } from '../../bot/dingtalk/settings';
import { createLogger } from '../../bot/logger';
import type { DatabaseHandle } from '../../db/client';
import { platformTokens } from '../../db/schema';
import type { DirectorySnapshot } from '../../domain/directory';
import type { FakeDepartment, FakeUser } from '../fakes/dingtalk/directory-api';
import { FakeDingtalk } from '../fakes/dingtalk/fake-dingtalk';
import { TestClock } from '../support/clock';
import { createTestDatabase } from '../support/databases';

const SALES = '581001';
const TECH = '581002';
const PRODUCTION = '581004';
const QUALITY = '581005';

describe('DingTalk directory reader against the fake oapi', () => {
  const clock = new TestClock();
  let fake: FakeDingtalk;
  let database: DatabaseHandle;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    fake = await FakeDingtalk.start({ clock: clock.now });
  });
  afterAll(async () => {
    await fake?.close();
    await database?.close();
  });
  beforeEach(async () => {
    clock.set('2026-02-24T10:00:00+08:00');
    fake.reset();
    await database.db.delete(platformTokens);
  });

  /** A reader as the adapter makes it, on the fake's environment; busy waits shortened unless asked. */
  function reader(busyDelaysMs: number[] = [1, 2, 4]): DingtalkDirectoryReader {
    return new DingtalkDirectoryReader(dingtalkSettings(fake.env()), database.db, clock.now, createLogger('silent'), {
      busyDelaysMs,
    });
  }

  const byId = (snapshot: DirectorySnapshot, userId: string) => snapshot.members.find((m) => m.userId === userId);

  it('reads every department with its name and parent, and each person once with every department', async () => {
    const snapshot = await reader().read();
    expect(snapshot.platform).toBe('dingtalk');
    expect(snapshot.departments).toEqual([
      { id: '1', name: '华东精密制造有限公司' },
      { id: SALES, name: '销售部', parentId: '1' },
      { id: TECH, name: '技术部', parentId: '1' },
      { id: '581003', name: '采购部', parentId: '1' },
      { id: PRODUCTION, name: '生产部', parentId: '1' },
      { id: QUALITY, name: '质量部', parentId: '1' },
      { id: '581006', name: '仓储物流部', parentId: '1' },
    ]);
    expect(snapshot.members).toHaveLength(13);
    expect(byId(snapshot, '0211001')).toEqual({
      userId: '0211001',
      name: '张三',
      title: '销售',
      departmentIds: [SALES],
      active: true,
    });
    expect(byId(snapshot, '0215001')?.departmentIds).toEqual([QUALITY, PRODUCTION]);
    expect(byId(snapshot, '0217001')).toMatchObject({ name: '冯工', departmentIds: [TECH] });
    expect(byId(snapshot, '0210000')?.departmentIds).toEqual(['1']);
    // Without the 员工手机号信息 permission (the fake's default) no mobile comes back.
    expect(snapshot.members.some((m) => m.mobile)).toBe(false);
    expect(snapshot.withheld).toEqual(['mobiles']);
    // One listsub and one user/list per department (郑工 comes back from two), one name lookup for the root.
    expect(fake.directory.calls('v2/department/listsub')).toHaveLength(7);
    expect(fake.directory.calls('v2/user/list')).toHaveLength(7);
    expect(fake.directory.calls('v2/department/get', { dept_id: 1 })).toHaveLength(1);
  });

  it('gives mobiles when the app may read them, and says when names were withheld', async () => {
    const r = reader();
    fake.directory.options.withholdMobiles = false;
    const granted = await r.read();
    expect(byId(granted, '0211001')?.mobile).toBe('13900000001');
    expect(granted.members.every((m) => m.mobile)).toBe(true);
    expect(granted.withheld).toEqual([]);

    fake.directory.options.withholdMobiles = true;
    fake.directory.options.users = [
      { userid: 'u1', name: 'u1', dept_id_list: [1] },
      { userid: 'u2', name: ' ', dept_id_list: [1] },
    ];
    const idsOnly = await r.read();
    expect(idsOnly.members.map((m) => m.name)).toEqual([undefined, undefined]);
    expect(idsOnly.withheld).toEqual(['names', 'mobiles']);
  });

  it('pages through a department of 230 people 100 at a time', async () => {
    const departments: FakeDepartment[] = [
      { dept_id: 1, name: '华东精密制造有限公司' },
      { dept_id: 700, name: '装配车间', parent_id: 1 },
    ];
    const users: FakeUser[] = Array.from({ length: 230 }, (_, i) => ({
      userid: `07${String(i).padStart(5, '0')}`,
      name: `工人${i}`,
      dept_id_list: [700],
    }));
    Object.assign(fake.directory.options, { departments, users });
    const r = reader();
    const snapshot = await r.read();
    expect(snapshot.members).toHaveLength(230);
    expect(new Set(snapshot.members.map((m) => m.userId)).size).toBe(230);
    expect(fake.directory.calls('v2/user/list', { dept_id: 700 }).map((q) => [q.body.cursor, q.body.size])).toEqual([
      [0, 100],
      [100, 100],
      [200, 100],
    ]);

    // The fake holds the reader to the page size it allows.
    fake.directory.options.maxPageSize = 50;
    await expect(r.read()).rejects.toThrow(/^DingTalk v2\/user\/list: errcode 400002 /);
  });

  it('uses its own gettoken token, cached, refreshed once when DingTalk calls it invalid and when it expires', async () => {
    const r = reader();
    await r.read();
    expect(fake.directory.calls('gettoken')).toHaveLength(1);
    expect(fake.api.tokensIssued).toEqual([]); // the new-style OpenAPI token is not used here
    const [row] = await database.db.select().from(platformTokens);
    expect(row).toMatchObject({ key: `dingtalk-oapi:${fake.clientId}`, token: fake.directory.tokensIssued[0] });

    await r.read();
    expect(fake.directory.calls('gettoken')).toHaveLength(1);

    fake.directory.revokeTokens();
    const before = fake.directory.requests.length;
    await r.read();
    const after = fake.directory.requests.slice(before);
    expect(after.filter((q) => q.errcode === 40014)).toHaveLength(1);
    expect(after.filter((q) => q.call === 'gettoken')).toHaveLength(1);

    // Another process finds the new token in the database.
    await reader().read();
    expect(fake.directory.calls('gettoken')).toHaveLength(2);

    // Two hours on, the token is fetched again before DingTalk has to refuse it.
    clock.advance(2 * 3600_000);
    await r.read();
    expect(fake.directory.calls('gettoken')).toHaveLength(3);
    expect(fake.directory.requests.filter((q) => q.errcode !== 0 && q.errcode !== 40014)).toEqual([]);
  });

  it('refreshes only once: a token refused twice is an error', async () => {
    fake.directory.failures.add('v2/department/get', 'invalid-token', { times: 2 });
    fake.directory.failures.add('v2/department/listsub', 'invalid-token', { times: 2 });
    await expect(reader().read()).rejects.toThrow(/^DingTalk v2\/department\/listsub: errcode 40014 /);
  });

  it('turns a missing permission into a clear error without token or URL; the root only loses its name', async () => {
    const r = reader();
    fake.directory.failures.add('v2/department/get', 'no-permission');
    const snapshot = await r.read();
    expect(snapshot.departments[0]).toEqual({ id: '1' });
    expect(snapshot.departments).toHaveLength(7);

    fake.directory.failures.add('v2/user/list', 'no-permission');
    const error = await r.read().catch((err: Error) => err);
    expect(error).toBeInstanceOf(DingtalkDirectoryError);
    expect((error as DingtalkDirectoryError).isPermission).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(/^DingTalk v2\/user\/list: errcode 88 没有调用该接口的权限 \(sub_code 60011/);
    expect(message).toContain('lacks a Contacts permission');
    expect(message).not.toContain(fake.directory.tokensIssued[0]!);
    expect(message).not.toContain('127.0.0.1');
  });

  it('names a wrong app secret as a gettoken error, without the secret', async () => {
    const r = new DingtalkDirectoryReader(
      dingtalkSettings(fake.env({ DINGTALK_CLIENT_SECRET: 'wrong-secret' })),
      database.db,
      clock.now,
      createLogger('silent'),
    );
    const error = await r.read().catch((err: Error) => err);
    expect((error as Error).message).toMatch(/^DingTalk gettoken: errcode 40089 /);
    expect((error as Error).message).not.toContain('wrong-secret');
  });

  it('waits and tries again while DingTalk is busy or rate limited, three times at most', async () => {
    const r = reader();
    fake.directory.failures.add('v2/department/listsub', 'busy');
    fake.directory.failures.add('v2/user/list', 'rate-limited', { times: 2 });
    const snapshot = await r.read();
    expect(snapshot.members).toHaveLength(13);
    expect(fake.directory.calls('v2/department/listsub', { dept_id: 1 }).map((q) => q.errcode)).toEqual([-1, 0]);
    expect(fake.directory.calls('v2/user/list', { dept_id: 1 }).map((q) => q.errcode)).toEqual([90002, 90002, 0]);

    fake.directory.requests.length = 0;
    fake.directory.failures.add('v2/department/listsub', 'busy', { times: 4 });
    await expect(r.read()).rejects.toThrow(/^DingTalk v2\/department\/listsub: errcode -1 系统繁忙$/);
    expect(fake.directory.calls('v2/department/listsub')).toHaveLength(4);
  });

  it('waits 200 ms before the first retry unless told otherwise', async () => {
    const r = new DingtalkDirectoryReader(dingtalkSettings(fake.env()), database.db, clock.now, createLogger('silent'));
    fake.directory.failures.add('v2/department/get', 'busy');
    const started = Date.now();
    await r.read();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(fake.directory.calls('v2/department/get').map((q) => q.errcode)).toEqual([-1, 0]);
  });
});
