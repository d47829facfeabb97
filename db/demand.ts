/**
 * What the pre-stocking suggestion reads (domain/demand): weekly demand per material from the order history, stock on
 * hand and open supply.
 *
 * Demand is counted in the week the customer asked (China-time weeks, domain/demand/weekly.ts):
 * - chat orders: their lines, unless the order was rejected, by the order's created_at. A split-off delivery's
 *   lines were MOVED out of its parent (handlers/deliveries.ts lowers the parent's line), so each piece is on one
 *   line only; the child's lines count at the created_at of the order they were split from (its root), not at the
 *   moment of the split;
 * - e-commerce channel orders: each line whose sku is one of our material codes (intake maps outer SKUs to codes),
 *   of orders paid and not cancelled (a refunded and closed trade is cancelled) nor refunded in full by their
 *   settlements, by the order's created_at.
 * Quantities are summed per material and China day in the database, so the rows read follow materials × days, not
 * order lines.
 */
import { sql } from 'drizzle-orm';
import type { OpenSupply } from '../domain/demand/prestock';
import { type DemandOrder, type WeeklySeries, weeklyDemand } from '../domain/demand/weekly';
import { queryRows, type Queryable } from './client';

const DAY_MS = 86_400_000;
const CHINA_OFFSET_S = 8 * 3600;

/** The China day number of a timestamptz column: days since 1970-01-01 in UTC+8. */
const chinaDay = (column: string) => sql.raw(`floor((extract(epoch from ${column}) + ${CHINA_OFFSET_S}) / 86400)::int`);

type DayRow = { material: string; day: number; quantity: string | number };

/** Demand per material and China day (chat and channel orders), as DemandOrder rows stamped at the day's start. */
export async function readDailyDemand(q: Queryable): Promise<DemandOrder[]> {
  const [chat, channel] = await Promise.all([
    queryRows<DayRow>(
      q,
      sql`with recursive tree as (
            select id, id as root from orders where split_of is null
            union all
            select o.id, t.root from orders o join tree t on o.split_of = t.id
          )
          select i.material_code as material, ${chinaDay('r.created_at')} as day, sum(i.quantity) as quantity
          from order_items i
          join tree t on t.id = i.order_id
          join orders o on o.id = i.order_id
          join orders r on r.id = t.root
          where o.status <> 'rejected' and r.status <> 'rejected'
          group by 1, 2`,
    ),
    queryRows<DayRow>(
      q,
      sql`select l.sku as material, ${chinaDay('c.created_at')} as day, sum(l.quantity) as quantity
          from channel_orders c
          cross join lateral jsonb_to_recordset(c.body -> 'lines') as l(sku text, quantity int)
          join materials m on m.code = l.sku
          where c.paid_at is not null and c.status in ('paid', 'shipped', 'finished')
            and coalesce((select -sum(s.amount_fen) from channel_settlements s
                          where s.channel = c.channel and s.order_id = c.order_id and s.kind = 'refund'), 0)
                < greatest(c.paid_fen, 1)
          group by 1, 2`,
    ),
  ]);
  return [...chat, ...channel].map((r) => ({
    material: r.material,
    quantity: Number(r.quantity),
    createdAt: new Date(r.day * DAY_MS - CHINA_OFFSET_S * 1000),
  }));
}

/** Weekly demand per material up to the last complete week before `now` (see the file header for what counts). */
export async function readWeeklyDemand(q: Queryable, now: Date): Promise<WeeklySeries[]> {
  return weeklyDemand(await readDailyDemand(q), { now });
}

export interface MaterialSupply {
  /** Stock on hand; 0 when the material has no stock row. */
  stockOnHand: number;
  /** Open purchase and production orders, each due at the start (China time) of its due date. */
  openSupply: OpenSupply[];
}

/**
 * Stock on hand and open supply of every material that has either, and whether any stock count is stored at all
 * (without one, every material would look uncovered).
 */
export async function readSupply(
  q: Queryable,
): Promise<{ byMaterial: Map<string, MaterialSupply>; stockKnown: boolean }> {
  const [stockRows, supplyRows] = await Promise.all([
    queryRows<{ material: string; on_hand: number }>(q, sql`select material_code as material, on_hand from stock`),
    queryRows<{ material: string; quantity: number; due: string }>(
      q,
      sql`select material_code as material, quantity, due_date::text as due from open_supply order by due_date, id`,
    ),
  ]);
  const out = new Map<string, MaterialSupply>();
  const of = (material: string) => {
    let held = out.get(material);
    if (!held) {
      held = { stockOnHand: 0, openSupply: [] };
      out.set(material, held);
    }
    return held;
  };
  for (const s of stockRows) of(s.material).stockOnHand = Number(s.on_hand);
  for (const s of supplyRows) {
    of(s.material).openSupply.push({ quantity: Number(s.quantity), due: new Date(`${s.due}T00:00:00+08:00`) });
  }
  return { byMaterial: out, stockKnown: stockRows.length > 0 };
}

/** Name and unit of each material. */
export async function readMaterialNames(q: Queryable): Promise<Map<string, { name: string; unit: string }>> {
  const rows = await queryRows<{ code: string; name: string; unit: string }>(
    q,
    sql`select code, name, unit from materials`,
  );
  return new Map(rows.map((r) => [r.code, { name: r.name, unit: r.unit }]));
}
