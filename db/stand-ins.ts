import { and, desc, eq, gte, isNull, lte, sql } from 'drizzle-orm';
import { fixedQuery } from './fixed-query';
import type { Queryable, Tx } from './client';
import { standIns } from './schema';

export interface StandInPeriod {
  personId: string;
  standInId: string;
  startsOn: string;
  endsOn: string;
}

const periodColumns = {
  personId: standIns.personId,
  standInId: standIns.standInId,
  startsOn: standIns.startsOn,
  endsOn: standIns.endsOn,
};

/** The stand-in periods set from the chat that include the China date `day`, the latest set first. */
const periodsOn = fixedQuery((q) =>
  q
    .select(periodColumns)
    .from(standIns)
    .where(
      and(
        isNull(standIns.cancelledAt),
        lte(standIns.startsOn, sql.placeholder('day')),
        gte(standIns.endsOn, sql.placeholder('day')),
      ),
    )
    .orderBy(desc(standIns.id)),
);

export async function standInsOn(q: Queryable, day: string): Promise<StandInPeriod[]> {
  return periodsOn(q, { day });
}

export async function addStandIn(tx: Tx, period: StandInPeriod & { createdBy: string; createdAt: Date }) {
  await tx.insert(standIns).values(period);
}

/** Cancels a person's periods not yet over on `day`; how many were. */
export async function cancelStandIns(tx: Tx, personId: string, day: string, at: Date): Promise<number> {
  const cancelled = await tx
    .update(standIns)
    .set({ cancelledAt: at })
    .where(and(eq(standIns.personId, personId), isNull(standIns.cancelledAt), gte(standIns.endsOn, day)))
    .returning({ id: standIns.id });
  return cancelled.length;
}
