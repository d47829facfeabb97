import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { DirectoryPlatform, DirectorySnapshot } from '../domain/directory';
import type { Database, Queryable } from './client';
import { adminAudit, directoryDepartments, directoryPeople } from './schema';

export interface SyncCounts {
  departments: number;
  people: number;
  /** People seen for the first time. */
  added: number;
  /** People the platform no longer lists as active. */
  left: number;
  withheld: DirectorySnapshot['withheld'];
}

/** A person of the directory as the console shows them: the admin's name and mobile before the platform's. */
export interface DirectoryPerson {
  platform: DirectoryPlatform;
  userId: string;
  name: string | null;
  /** Whether the name is the admin's (the platform gave none, or a wrong one). */
  nameByAdmin: boolean;
  title: string | null;
  mobile: string | null;
  departments: string[];
  active: boolean;
}

/**
 * Stores a platform's directory as read now, in one transaction. What the admin filled in stays; a
 * name or mobile the platform withheld this time keeps the one it gave before; people it no longer
 * lists become inactive (never deleted: orders and settings may name them). Audited as `actor`'s sync.
 */
export async function saveDirectory(
  db: Database,
  snapshot: DirectorySnapshot,
  args: { now: Date; actor: string },
): Promise<SyncCounts> {
  const { platform } = snapshot;
  const { now } = args;
  return db.transaction(async (tx) => {
    const before = await tx
      .select({ userId: directoryPeople.userId, active: directoryPeople.active })
      .from(directoryPeople)
      .where(eq(directoryPeople.platform, platform));
    const known = new Map(before.map((r) => [r.userId, r.active]));
    await saveDepartments(tx, snapshot, now);
    const rows = snapshot.members.map((m) => ({
      platform,
      userId: m.userId,
      name: m.name ?? null,
      title: m.title ?? null,
      mobile: m.mobile ?? null,
      departmentIds: m.departmentIds,
      active: m.active,
      firstSeenAt: now,
      syncedAt: now,
    }));
    for (const batch of chunks(rows, BATCH)) {
      await tx
        .insert(directoryPeople)
        .values(batch)
        .onConflictDoUpdate({
          target: [directoryPeople.platform, directoryPeople.userId],
          set: {
            name: sql`coalesce(excluded.name, ${directoryPeople.name})`,
            title: sql`coalesce(excluded.title, ${directoryPeople.title})`,
            mobile: sql`coalesce(excluded.mobile, ${directoryPeople.mobile})`,
            departmentIds: sql`excluded.department_ids`,
            active: sql`excluded.active`,
            syncedAt: now,
          },
        });
    }
    const listed = snapshot.members.map((m) => m.userId);
    await tx
      .update(directoryPeople)
      .set({ active: false, syncedAt: now })
      .where(
        and(
          eq(directoryPeople.platform, platform),
          eq(directoryPeople.active, true),
          listed.length ? notInArray(directoryPeople.userId, listed) : sql`true`,
        ),
      );
    const activeNow = new Set(snapshot.members.filter((m) => m.active).map((m) => m.userId));
    const counts: SyncCounts = {
      departments: snapshot.departments.length,
      people: snapshot.members.filter((m) => m.active).length,
      added: listed.filter((id) => !known.has(id)).length,
      left: [...known].filter(([userId, wasActive]) => wasActive && !activeNow.has(userId)).length,
      withheld: snapshot.withheld,
    };
    await tx
      .insert(adminAudit)
      .values({ at: now, actor: args.actor, action: 'directory-sync', detail: { platform, ...counts } });
    return counts;
  });
}

async function saveDepartments(tx: Queryable, snapshot: DirectorySnapshot, now: Date) {
  const { platform } = snapshot;
  const ids = snapshot.departments.map((d) => d.id);
  await tx
    .delete(directoryDepartments)
    .where(
      and(
        eq(directoryDepartments.platform, platform),
        ids.length ? notInArray(directoryDepartments.deptId, ids) : sql`true`,
      ),
    );
  const rows = snapshot.departments.map((d) => ({
    platform,
    deptId: d.id,
    name: d.name ?? null,
    parentId: d.parentId ?? null,
    syncedAt: now,
  }));
  for (const batch of chunks(rows, BATCH)) {
    await tx
      .insert(directoryDepartments)
      .values(batch)
      .onConflictDoUpdate({
        target: [directoryDepartments.platform, directoryDepartments.deptId],
        set: {
          name: sql`coalesce(excluded.name, ${directoryDepartments.name})`,
          parentId: sql`excluded.parent_id`,
          syncedAt: now,
        },
      });
  }
}

/** Rows per insert: a plant's directory in a few statements, far below PostgreSQL's parameter limit. */
const BATCH = 500;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Everyone in the synced directories, active first, by platform and name; departments by name. */
export async function directoryListing(db: Database): Promise<{ people: DirectoryPerson[]; lastSync: Date | null }> {
  const [people, departments] = await Promise.all([
    db.select().from(directoryPeople),
    db.select().from(directoryDepartments),
  ]);
  const listed = people.map(personView(departments));
  listed.sort(
    (a, b) =>
      Number(b.active) - Number(a.active) ||
      a.platform.localeCompare(b.platform) ||
      (a.name ?? a.userId).localeCompare(b.name ?? b.userId, 'zh-CN'),
  );
  const times = people.map((p) => p.syncedAt.getTime());
  return { people: listed, lastSync: times.length ? new Date(Math.max(...times)) : null };
}

/** One person of the directory, or undefined. */
export async function directoryPerson(
  db: Database,
  platform: DirectoryPlatform,
  userId: string,
): Promise<DirectoryPerson | undefined> {
  const [person] = await db
    .select()
    .from(directoryPeople)
    .where(and(eq(directoryPeople.platform, platform), eq(directoryPeople.userId, userId)));
  if (!person) return undefined;
  const departments = person.departmentIds.length
    ? await db
        .select()
        .from(directoryDepartments)
        .where(
          and(eq(directoryDepartments.platform, platform), inArray(directoryDepartments.deptId, person.departmentIds)),
        )
    : [];
  return personView(departments)(person);
}

/** A stored person as the console shows them, with their departments' names. */
function personView(departments: Array<typeof directoryDepartments.$inferSelect>) {
  const deptName = new Map(departments.map((d) => [`${d.platform}:${d.deptId}`, d.name ?? d.deptId]));
  return (p: typeof directoryPeople.$inferSelect): DirectoryPerson => ({
    platform: p.platform,
    userId: p.userId,
    name: p.adminName ?? p.name,
    nameByAdmin: p.adminName !== null,
    title: p.title,
    mobile: p.adminMobile ?? p.mobile,
    departments: p.departmentIds.map((id) => deptName.get(`${p.platform}:${id}`) ?? id),
    active: p.active,
  });
}

/** What the admin wrote for a person the platform gives no (or a wrong) name or mobile; null clears it. */
export async function fillInPerson(
  db: Database,
  args: {
    platform: DirectoryPlatform;
    userId: string;
    name?: string | null;
    mobile?: string | null;
    actor: string;
    now: Date;
  },
): Promise<boolean> {
  const set: Partial<typeof directoryPeople.$inferInsert> = {};
  if (args.name !== undefined) set.adminName = args.name;
  if (args.mobile !== undefined) set.adminMobile = args.mobile;
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(directoryPeople)
      .set(set)
      .where(and(eq(directoryPeople.platform, args.platform), eq(directoryPeople.userId, args.userId)))
      .returning({ userId: directoryPeople.userId });
    if (updated.length === 0) return false;
    await tx.insert(adminAudit).values({
      at: args.now,
      actor: args.actor,
      action: 'directory-person',
      detail: {
        platform: args.platform,
        userId: args.userId,
        name: args.name,
        mobile: args.mobile ? 'set' : args.mobile,
      },
    });
    return true;
  });
}
