import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from './client';

/**
 * Named leases: one process at a time plays a role (e.g. holds an app's DingTalk Stream connection).
 * The database's now() is the only clock expiry is judged by, so the clocks of the machines running
 * the processes need not agree. A holder's fence grows by one each time the lease changes hands (or is
 * taken again after it ran out), and never goes back: rows are expired on release, not deleted.
 */

/**
 * Takes the lease `name` for `holder` for `leaseMs` from the database's now(), or renews it when
 * `holder` already holds it; one statement, so two processes can never both win. Returns the fence
 * (the same one on a renewal, the last one plus one for a new tenure), or undefined when another
 * holder's lease has not run out.
 */
export async function takeLease(
  db: Queryable,
  name: string,
  holder: string,
  leaseMs: number,
): Promise<number | undefined> {
  const [row] = await queryRows<{ fence: string | number }>(
    db,
    sql`insert into leases as l (name, holder, fence, expires_at)
      values (${name}, ${holder}, 1, now() + ${Math.round(leaseMs)}::integer * interval '1 millisecond')
      on conflict (name) do update set
        holder = excluded.holder,
        fence = case when l.holder = excluded.holder and l.expires_at > now() then l.fence else l.fence + 1 end,
        expires_at = excluded.expires_at
      where l.holder = excluded.holder or l.expires_at <= now()
      returning l.fence`,
  );
  return row === undefined ? undefined : Number(row.fence);
}

/**
 * Gives the lease up at once, if it is still `holder`'s with `fence`: it is expired (its fence kept,
 * so that the next holder's is higher), and another process can take it on its next try.
 */
export async function releaseLease(db: Queryable, name: string, holder: string, fence: number): Promise<boolean> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`update leases set expires_at = now()
      where name = ${name} and holder = ${holder} and fence = ${fence} and expires_at > now()
      returning name`,
  );
  return rows.length > 0;
}

/** Whether `holder` holds the lease `name` with `fence` now (by the database's clock). */
export async function holdsLease(db: Queryable, name: string, holder: string, fence: number): Promise<boolean> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select name from leases
      where name = ${name} and holder = ${holder} and fence = ${fence} and expires_at > now()`,
  );
  return rows.length > 0;
}
