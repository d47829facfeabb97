import { eq, type SQL, sql } from 'drizzle-orm';
import type DataLoader from 'dataloader';
import { anyOfList, type Database, type Queryable } from '../../db/client';
import type { RecordWriter } from '../adapter';
import { writeBatcher } from '../write-batcher';
import { cards } from '../../db/schema';

/**
 * What the adapter keeps in `cards.platform_data` for a WeCom card: the task_id it is showing under,
 * and the response codes that can update it (one per send, one per click; single use, 72 h).
 * Every write is a single jsonb update, so concurrent clicks and deliveries do not overwrite each other.
 */
export interface WecomCardData {
  taskId?: string;
  /** How many fresh cards replaced the first one (their task_ids end in -r1, -r2 ...). */
  revision?: number;
  sentAt?: string;
  /** Posted into a group by the AI bot (updated only through a tap's reply); absent for the app's cards. */
  via?: 'aibot';
  codes?: Record<string, ResponseCode>;
}

export interface ResponseCode {
  at: string;
  source: 'send' | 'click';
  /** The idempotency key of the update that has taken this code. */
  by?: string;
  used?: boolean;
}

export const RESPONSE_CODE_LIFETIME_MS = 72 * 3600_000;
const MARGIN_MS = 5 * 60_000;

export function cardData(platformData: unknown): WecomCardData {
  return (platformData ?? {}) as WecomCardData;
}

interface SentCard {
  taskId: string;
  revision: number;
  code?: string;
  now: Date;
  via?: 'aibot';
}

export interface SentCardRecord {
  cardId: string;
  sent: SentCard;
}

/**
 * Records of sent cards: the task_id each shows under and the code its send returned. A first send's record goes
 * with its outbox row's sent mark (a DeliveryRecord); a fresh copy's is written at once by `recordSentCard`.
 */
export const sentCardRecords: RecordWriter<SentCardRecord> = { statement: sentCardsStatement };

/** Records a fresh copy of a card; copies sent at the same time are recorded by one statement (group commit). */
export async function recordSentCard(db: Database, record: SentCardRecord): Promise<void> {
  let writer = sentCardWriters.get(db);
  if (!writer) {
    writer = writeBatcher(async (batch: readonly SentCardRecord[]) => {
      await db.execute(sentCardsStatement(batch));
      return batch.map(() => true as const);
    });
    sentCardWriters.set(db, writer);
  }
  await writer.load(record);
}

const sentCardWriters = new WeakMap<Database, DataLoader<SentCardRecord, true>>();

function sentCardsStatement(batch: readonly SentCardRecord[]): SQL {
  // One row per card (the later send's fields win, the codes add up), so the join meets each card once.
  const byCard = new Map<string, { id: string; taskId: string; fields: object; codes: object }>();
  for (const { cardId, sent } of batch) {
    const codes = sent.code ? { [sent.code]: { at: sent.now.toISOString(), source: 'send' } } : {};
    const fields = {
      taskId: sent.taskId,
      revision: sent.revision,
      sentAt: sent.now.toISOString(),
      ...(sent.via ? { via: sent.via } : {}),
    };
    const earlier = byCard.get(cardId);
    byCard.set(cardId, {
      id: cardId,
      taskId: sent.taskId,
      fields: { ...earlier?.fields, ...fields },
      codes: { ...earlier?.codes, ...codes },
    });
  }
  // The ids again as a list: the planner takes a record set for a hundred rows and would scan all cards.
  return sql`update cards c set platform_ref = v."taskId",
      platform_data = c.platform_data || v.fields
        || jsonb_build_object('codes', coalesce(c.platform_data -> 'codes', '{}'::jsonb) || v.codes)
    from jsonb_to_recordset(${JSON.stringify([...byCard.values()])}::jsonb)
      as v(id text, "taskId" text, fields jsonb, codes jsonb)
    where c.id = v.id and c.id = ${anyOfList([...byCard.keys()])}`;
}

export async function addClickCode(q: Queryable, cardId: string, code: string, now: Date) {
  const entry = { [code]: { at: now.toISOString(), source: 'click' } };
  await q
    .update(cards)
    .set({
      platformData: sql`jsonb_set(${cards.platformData}, '{codes}',
        ${JSON.stringify(entry)}::jsonb || coalesce(${cards.platformData} -> 'codes', '{}'::jsonb))`,
    })
    .where(eq(cards.id, cardId));
}

/** Takes a code for one update (idempotency key); false when it is used or another update has it. */
export async function reserveCode(q: Queryable, cardId: string, code: string, key: string): Promise<boolean> {
  const path = sql`array['codes', ${code}]::text[]`;
  const rows = await q
    .update(cards)
    .set({
      platformData: sql`jsonb_set(${cards.platformData}, array['codes', ${code}, 'by']::text[], to_jsonb(${key}::text))`,
    })
    .where(
      sql`${cards.id} = ${cardId} and ${cards.platformData} #> ${path} is not null
        and (${cards.platformData} #>> array['codes', ${code}, 'used']::text[]) is null
        and coalesce(${cards.platformData} #>> array['codes', ${code}, 'by']::text[], ${key}) = ${key}`,
    )
    .returning({ id: cards.id });
  return rows.length > 0;
}

export async function markCodeUsed(q: Queryable, cardId: string, code: string) {
  await q
    .update(cards)
    .set({
      platformData: sql`jsonb_set(${cards.platformData}, array['codes', ${code}, 'used']::text[], 'true'::jsonb)`,
    })
    .where(sql`${cards.id} = ${cardId} and ${cards.platformData} #> array['codes', ${code}]::text[] is not null`);
}

/** Codes that may still update the card for this update: the tapped one first, then the newest. */
export function usableCodes(data: WecomCardData, key: string, now: Date, preferred?: string): string[] {
  const oldest = now.getTime() - RESPONSE_CODE_LIFETIME_MS + MARGIN_MS;
  return Object.entries(data.codes ?? {})
    .filter(([, c]) => !c.used && (c.by === undefined || c.by === key) && Date.parse(c.at) > oldest)
    .sort(([a, x], [b, y]) => Number(b === preferred) - Number(a === preferred) || Date.parse(y.at) - Date.parse(x.at))
    .map(([code]) => code);
}
