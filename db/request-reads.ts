import { type SQL, sql } from 'drizzle-orm';
import { chinaDate } from '../domain/china-time';
import { orderNumberDay } from '../domain/order-number';
import { anyOfList, fromJson, type Queryable } from './client';
import { fixedText } from './fixed-query';
import { type PlantRows, plantRowsSql } from './plant';
import { rowFromDriver } from './insert-rows';
import { type ActiveRiskModels, activeModelsOf } from './risk-models';
import { drafts, materials, riskModels } from './schema';
import type { StandInPeriod } from './stand-ins';

type MaterialRow = typeof materials.$inferSelect;
type DraftRow = typeof drafts.$inferSelect;

/** Whose open draft a new request supersedes: the sender's in the chat. */
export interface DraftOwner {
  platform: string;
  conversationId: string;
  senderId: string;
}

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
  /** The draft owner's open draft, locked (expired or not), when one was asked for; else null. */
  openDraft: DraftRow | null;
}

interface ReadsRow {
  materials: Array<Record<string, unknown>>;
  stamp: string | null;
  plant: PlantRows;
  standIns: StandInPeriod[];
  riskModels: Array<Record<string, unknown>>;
  numberedToday: boolean;
  draft: Record<string, unknown> | null;
}

/**
 * Everything a request reads from the database before its order is written, in one statement: its materials,
 * the customer list's stamp, the plant's state for those materials, today's stand-ins, the active risk models,
 * whether today has its order-number base, and the sender's open draft (locked) when `draftOf` is given. An
 * order's path read these in seven statements before.
 */
export async function readForRequest(
  q: Queryable,
  codes: string[],
  now: Date,
  draftOf?: DraftOwner,
): Promise<RequestReads> {
  const today = chinaDate(now);
  const values: Record<string, unknown> = {
    codes: JSON.stringify([...new Set(codes)]),
    today,
    day: orderNumberDay(now),
    ...(draftOf && {
      platform: draftOf.platform,
      conversationId: draftOf.conversationId,
      senderId: draftOf.senderId,
    }),
  };
  const [row] = await (draftOf ? readsWithDraft : readsWithoutDraft)(q, values);
  const reads = fromJson(row!.reads);
  return {
    materials: reads.materials.map((m) => rowFromDriver(materials, m)),
    customerListStamp: reads.stamp,
    plant: reads.plant,
    standIns: reads.standIns,
    riskModels: activeModelsOf(reads.riskModels.map((r) => rowFromDriver(riskModels, r))),
    numberedToday: reads.numberedToday,
    openDraft: reads.draft ? rowFromDriver(drafts, reads.draft) : null,
  };
}

function readsSql(withDraft: boolean): SQL {
  const today = sql.placeholder('today');
  const draft = withDraft
    ? sql`(select row_to_json(d) from (select * from drafts where platform = ${sql.placeholder('platform')}
        and conversation_id = ${sql.placeholder('conversationId')} and sender_id = ${sql.placeholder('senderId')}
        and status = 'open' for update) d)`
    : sql`null`;
  return sql`with m as (select * from materials where code = ${anyOfList(sql.placeholder('codes'))})
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
      'numberedToday', exists(select 1 from order_number_days where day = ${sql.placeholder('day')}),
      'draft', ${draft}
    ) as reads`;
}

/** The statement in its two forms (with the draft read, without), each written out once. */
const readsWithDraft = fixedText<{ reads: ReadsRow | string }>(() => readsSql(true));
const readsWithoutDraft = fixedText<{ reads: ReadsRow | string }>(() => readsSql(false));
