import type { DirectoryPlatform } from './directory';

/** What a directory person can be made in the settings, from the console's directory list. */
export type DirectoryRole =
  | { as: 'person' }
  | { as: 'sales' }
  | { as: 'lead'; department: string }
  | { as: 'director'; department: string };

export interface DirectoryPersonRef {
  platform: DirectoryPlatform;
  userId: string;
  name: string | null;
  title: string | null;
  mobile: string | null;
}

type Row = Record<string, unknown>;
interface ConfigInput {
  people?: Row[];
  departments?: Row[];
  sales?: unknown;
  [key: string]: unknown;
}

export type RoleOutcome =
  | { ok: true; input: ConfigInput; personId: string }
  | { ok: false; problem: 'no-name' | 'unknown-department' };

/**
 * The settings (as stored, unparsed) with a directory person given a role: the person is found by
 * their platform id, or by their exact name among people without an id on that platform, or added.
 * A department's leads that have no WeCom or DingTalk id (the starter config's placeholder) give way
 * to the first real lead, since they cannot receive a card anyway.
 */
export function assignDirectoryRole(
  current: ConfigInput,
  who: DirectoryPersonRef,
  role: DirectoryRole,
  /** The `role` text that makes a person a sales person when the config has no `sales` list. */
  salesRole: string,
): RoleOutcome {
  const input = structuredClone(current);
  input.people ??= [];
  const people = input.people;
  let person =
    people.find((p) => p[who.platform] === who.userId) ??
    (who.name ? people.find((p) => p.name === who.name && !p[who.platform]) : undefined);
  if (!person) {
    if (!who.name) return { ok: false, problem: 'no-name' };
    person = {
      id: freshId(people, who),
      name: who.name,
      ...(who.title ? { role: who.title } : {}),
      ...(who.mobile ? { phone: who.mobile } : {}),
    };
    people.push(person);
  }
  person[who.platform] = who.userId;
  const personId = String(person.id);
  if (role.as === 'sales') {
    person.role = salesRole;
    if (Array.isArray(input.sales) && !input.sales.includes(personId)) input.sales.push(personId);
    return { ok: true, input, personId };
  }
  if (role.as === 'person') return { ok: true, input, personId };
  const department = input.departments?.find((d) => d.key === role.department);
  if (!department) return { ok: false, problem: 'unknown-department' };
  if (role.as === 'director') {
    department.director = personId;
    return { ok: true, input, personId };
  }
  const reachable = (id: unknown) => people.some((p) => p.id === id && (p.wecom || p.dingtalk));
  const leads = (Array.isArray(department.leads) ? department.leads : []).filter(reachable);
  department.leads = leads.includes(personId) ? leads : [...leads, personId];
  return { ok: true, input, personId };
}

/** A people id from the platform id ("FengGong" → "fenggong"), made unique. */
function freshId(people: Row[], who: DirectoryPersonRef): string {
  const base =
    who.userId
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '') || who.platform;
  const taken = new Set(people.map((p) => String(p.id)));
  const first = /^[a-z]/.test(base) ? base : `${who.platform}-${base}`;
  if (!taken.has(first)) return first;
  for (let n = 2; ; n++) if (!taken.has(`${first}-${n}`)) return `${first}-${n}`;
}
