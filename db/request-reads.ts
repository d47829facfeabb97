import { sql } from 'drizzle-orm';
import { chinaDate } from '../domain/china-time';
import { orderNumberDay } from '../domain/order-number';
import { anyOfList, type Queryable, queryRows } from './client';
import { fromJson, type PlantRows, plantRowsSql } from './plant';
import { type ActiveRiskModels, activeModelsOf } from './risk-models';
import type { materials, riskModels } from './schema';
import type { StandInPeriod } from './stand-ins';

type MaterialRow = typeof materials.$inferSelect;

/** What a request for these materials reads before it can become an order, read by `readForRequest`. */
export interface RequestReads {
  /** The rows of the codes that are known; an unknown code has none. */
  materials: MaterialRow[];
  /** The customer list's stamp (`customerIndex`); null when the database has no stamp row. */
  customerListStamp: string | null;
  /** The plant's state for the known materials (`plantStatesOf`). */
  plant: PlantRows;
  /** Today's stand-in periods set from the chat, the latest set first (`standInsOn`). */
  standIns: StandInPeriod[];
  riskModels: ActiveRiskModels;
  /** Today has its order-number base: an order's number can come from the statement that inserts it. */
  numberedToday: boolean;
}

interface ReadsRow {
  materials: Array<Omit<MaterialRow, 'leadTimeDays'> & { lead_time_days: number }>;
  stamp: string | null;
  plant: PlantRows;
  standIns: StandInPeriod[];
  riskModels: Array<Record<string, unknown>>;
  numberedToday: boolean;
}

/**
 * Everything a request reads from the database before its order is written, in one statement: its materials,
 * the customer list's stamp, the plant's state for those materials, today's stand-ins, the active risk models
 * and whether today has its order-number base. An order's path read these in five statements and three round trips before.
 */
export async function readForRequest(q: Queryable, codes: string[], now: Date): Promise<RequestReads> {
  const today = chinaDate(now);
  const [row] = await queryRows<{ reads: ReadsRow | string }>(
    q,
    sql`with m as (select * from materials where code = ${anyOfList([...new Set(codes)])})
    select json_build_object(
      'materials', (select coalesce(json_agg(row_to_json(m)), '[]') from m),
      'stamp', (select version from customer_list_versions limit 1),
      'plant', ${plantRowsSql(
        sql`any(array(select code from m))`,
        sql`any(array(select line from m where line is not null))`,
        sql`any(array(select mould from m where mould is not null))`,
        today,
      )},
      'standIns', (select coalesce(json_agg(json_build_object('personId', person_id, 'standInId', stand_in_id,
          'startsOn', starts_on, 'endsOn', ends_on) order by id desc), '[]')
        from stand_ins where cancelled_at is null and starts_on <= ${today}::date and ends_on >= ${today}::date),
      'riskModels', (select coalesce(json_agg(row_to_json(r)), '[]') from risk_models r where status = 'active'),
      'numberedToday', exists(select 1 from order_number_days where day = ${orderNumberDay(now)})
    ) as reads`,
  );
  const reads = fromJson(row!.reads);
  return {
    materials: reads.materials.map(({ lead_time_days, ...m }) => ({ ...m, leadTimeDays: lead_time_days })),
    customerListStamp: reads.stamp,
    plant: reads.plant,
    standIns: reads.standIns,
    riskModels: activeModelsOf(reads.riskModels.map(riskModelRow)),
    numberedToday: reads.numberedToday,
  };
}

/** A risk_models row as `row_to_json` gives it, as drizzle would. */
function riskModelRow(r: Record<string, unknown>): typeof riskModels.$inferSelect {
  return {
    id: r.id as number,
    target: r.target as 'late' | 'complaint',
    kind: r.kind as 'logistic',
    version: r.version as number,
    status: r.status as 'active',
    trainedAt: new Date(r.trained_at as string),
    trainFrom: new Date(r.train_from as string),
    trainTo: new Date(r.train_to as string),
    featureSpec: r.feature_spec,
    params: r.params,
    metrics: r.metrics,
  };
}
