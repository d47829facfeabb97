import { latestConfig, saveConfig } from '../../db/config-versions';
import { hashPassword } from '../../web/board/passwords';
import type { TestApp } from './app';

/**
 * Signs in to the console as the admin "ops". With a chat platform running the demo password is
 * refused, so the admin first gets a password of their own, as `orderbot config import` would give it.
 * Returns the headers an admin API call needs.
 */
// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the product answered
type AdminCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>;

export async function adminSession(
  t: TestApp,
): Promise<{ cookie: string; csrf: string; headers: Record<string, string>; api: AdminCall }> {
  const latest = (await latestConfig(t.db))!;
  const input = structuredClone(latest.input) as { board: { users: Array<{ passwordHash: string }> } };
  input.board.users[0]!.passwordHash = await hashPassword('plant admin password');
  await saveConfig(t.db, { input, basedOn: latest.version, source: 'import', savedBy: 'cli', now: new Date() });
  await t.app.config.refresh();
  const res = await fetch(`${t.url}/board/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'ops', password: 'plant admin password' }),
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const session = (await (await fetch(`${t.url}/api/admin/session`, { headers: { cookie } })).json()) as {
    csrfToken: string;
  };
  const csrf = session.csrfToken;
  const headers = { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' };
  /** One call to /api/admin<path> in this session. */
  const api: AdminCall = async (method, path, body) => {
    const answer = await fetch(`${t.url}/api/admin${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: answer.status, json: await answer.json() };
  };
  return { cookie, csrf, headers, api };
}
