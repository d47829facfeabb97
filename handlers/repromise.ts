import { createHash } from 'node:crypto';
import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Card } from '../cards/model';
import { buildRepromiseCard } from '../cards/repromise-card';
import type { HandlerContext } from '../core/context';
import { recordOrderEvent } from '../db/orders';
import { claimPlantChanges, loadReplan, type PlantChange, replaceHolds } from '../db/repromise';
import { type CardRow, cards, type Order, orderItems, orders, plantChanges, repromises } from '../db/schema';
import { chinaDate } from '../domain/china-time';
import { type Replanned, replan } from '../domain/repromise/replan';
import { replaceCard } from './card-updates';
import { refreshEtd } from './etd';

export type Repromise = typeof repromises.$inferSelect;

/** An order of a re-promise card, with its re-promise (and, once split, its new delivery's number). */
export interface Entry {
  order: Order;
  repromise: Repromise;
  child?: string;
}

/**
 * The re-promise job: each plant change not yet handled is claimed once (a second process skips it) and the
 * confirmed orders that depend on it are re-checked. Orders that still fit keep what they hold; orders that
 * must move do so silently while they still make their promise; the others are late, and their sales chat gets
 * one card per change (one order: its options; several: a summary).
 */
export async function recheckPlantChanges(ctx: HandlerContext, limit = 10): Promise<number> {
  const changes = await claimPlantChanges(ctx.tx, limit);
  const seen = new Set<string>();
  for (const change of changes) {
    // The same change reported again (a MES pushing a line's load every few minutes) is checked once: the
    // plant is read as it is now, so a second check finds nothing the first did not.
    const key = JSON.stringify([change.kind, change.cause, change.materials, change.lines, change.everything]);
    if (seen.has(key)) await markProcessed(ctx, change);
    else await recheck(ctx, change);
    seen.add(key);
  }
  return changes.length;
}

function markProcessed(ctx: HandlerContext, change: PlantChange) {
  return ctx.tx.update(plantChanges).set({ processedAt: ctx.now }).where(eq(plantChanges.id, change.id));
}

async function recheck(ctx: HandlerContext, change: PlantChange): Promise<void> {
  const today = chinaDate(ctx.now);
  const load = await loadReplan(ctx.tx, ctx.config, change, today);
  const result = replan(load.input);
  await replaceHolds(ctx.tx, ctx.now, result.moved);
  const late: Array<{ order: Order; moved: Replanned }> = [];
  for (const moved of result.moved) {
    const order = await movePlan(ctx, load.orders.get(moved.orderId)!, moved, change);
    if (moved.late) late.push({ order, moved });
  }
  const rows = await openRepromises(ctx, change, late);
  await tellChats(ctx, change, rows);
  await markProcessed(ctx, change);
  ctx.log.info(
    { change: change.id, kind: change.kind, checked: load.orders.size, moved: result.moved.length, late: late.length },
    'plant change re-checked',
  );
}

/** The order's plan follows what it now holds; its ETD too (a late order's slip is announced by the card). */
async function movePlan(ctx: HandlerContext, order: Order, moved: Replanned, change: PlantChange): Promise<Order> {
  const [updated] = await ctx.tx
    .update(orders)
    .set({ planStart: moved.plan.start ?? null, planFinish: moved.plan.finish ?? null })
    .where(eq(orders.id, order.id))
    .returning();
  await recordOrderEvent(ctx.tx, {
    orderId: order.id,
    at: ctx.now,
    type: 'replanned',
    data: {
      change: change.id,
      cause: change.cause,
      plan: moved.plan,
      earliest: moved.date,
      late: moved.late,
      ...(moved.split ? { split: moved.split } : {}),
    },
  });
  return refreshEtd(ctx, updated!, { kind: 'replanned' }, { announced: moved.late });
}

/** One open re-promise per late order; an older open one of the same order is superseded. */
async function openRepromises(
  ctx: HandlerContext,
  change: PlantChange,
  late: Array<{ order: Order; moved: Replanned }>,
): Promise<Array<{ order: Order; repromise: Repromise }>> {
  if (late.length === 0) return [];
  const ids = late.map((l) => l.order.id);
  const superseded = await ctx.tx
    .update(repromises)
    .set({ status: 'superseded', decidedAt: ctx.now })
    .where(and(inArray(repromises.orderId, ids), eq(repromises.status, 'open')))
    .returning({ changeId: repromises.changeId, orderId: repromises.orderId });
  await redrawSuperseded(ctx, superseded, late);
  const inserted = await ctx.tx
    .insert(repromises)
    .values(
      late.map(({ order, moved }) => ({
        orderId: order.id,
        changeId: change.id,
        promisedDate: order.promisedDate!,
        earliest: moved.date,
        split: moved.split,
        lineDates: moved.lineDates,
        cause: change.cause,
        createdAt: ctx.now,
      })),
    )
    .onConflictDoNothing()
    .returning();
  const byOrder = new Map(inserted.map((r) => [r.orderId, r]));
  return late.flatMap(({ order }) => {
    const repromise = byOrder.get(order.id);
    return repromise ? [{ order, repromise }] : [];
  });
}

/** An older change's card whose order a newer change made late again loses its buttons ("superseded"). */
async function redrawSuperseded(
  ctx: HandlerContext,
  superseded: Array<{ changeId: number; orderId: number }>,
  late: Array<{ order: Order }>,
) {
  const chatOf = new Map(late.map((l) => [l.order.id, l.order.conversationId]));
  const ids = new Set(superseded.map((s) => repromiseCardId(s.changeId, chatOf.get(s.orderId)!)));
  const rows = ids.size
    ? await ctx.tx
        .select()
        .from(cards)
        .where(inArray(cards.id, [...ids]))
    : [];
  for (const row of rows) await redrawCard(ctx, row);
}

/** The card id of a change's re-promise card in one chat. */
export function repromiseCardId(changeId: number, conversationId: string): string {
  return `rp-${changeId}-${createHash('sha1').update(conversationId).digest('hex').slice(0, 10)}`;
}

async function tellChats(
  ctx: HandlerContext,
  change: PlantChange,
  rows: Array<{ order: Order; repromise: Repromise }>,
) {
  const byChat = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.order.platform}\u0000${row.order.conversationId}`;
    byChat.set(key, [...(byChat.get(key) ?? []), row]);
  }
  const units = await unitsOf(
    ctx,
    rows.map((r) => r.order.id),
  );
  for (const chat of byChat.values()) {
    const { platform, conversationId } = chat[0]!.order;
    const id = repromiseCardId(change.id, conversationId);
    const card = repromiseCard(id, chat, units, chinaDate(ctx.now));
    await ctx.tx
      .insert(cards)
      .values({
        id,
        orderId: chat.length === 1 ? chat[0]!.order.id : null,
        purpose: 'repromise',
        platform,
        recipientId: conversationId,
        content: card,
        createdAt: ctx.now,
      })
      .onConflictDoNothing();
    await ctx.emit({ kind: 'send-card', to: { conversationId }, card }, `card:${id}:send`, {
      platform,
      ...(chat.length === 1 ? { orderId: chat[0]!.order.id } : {}),
    });
  }
}

export type LineUnits = Map<number, Map<number, { materialCode: string; unit: string }>>;

/** Each order line's material and unit, to name the parts of a split. */
export async function unitsOf(ctx: HandlerContext, orderIds: number[]): Promise<LineUnits> {
  const out: LineUnits = new Map();
  if (orderIds.length === 0) return out;
  const rows = await ctx.tx
    .select({
      orderId: orderItems.orderId,
      lineNo: orderItems.lineNo,
      materialCode: orderItems.materialCode,
      unit: orderItems.unit,
    })
    .from(orderItems)
    .where(inArray(orderItems.orderId, orderIds));
  for (const r of rows) {
    const lines = out.get(r.orderId) ?? new Map();
    lines.set(r.lineNo, { materialCode: r.materialCode, unit: r.unit });
    out.set(r.orderId, lines);
  }
  return out;
}

/** The card drawn from its orders' re-promises (cards/repromise-card.ts). */
export function repromiseCard(id: string, rows: Entry[], units: LineUnits, today: string): Card {
  return buildRepromiseCard(
    id,
    rows.map(({ order, repromise, child }) => ({
      number: order.number,
      customerName: order.customerName,
      language: order.language,
      promisedDate: order.promisedDate,
      repromise,
      ...(child ? { child } : {}),
      lines: units.get(order.id) ?? new Map(),
    })),
    today,
  );
}

/** The tapped re-promise card's orders, locked, with their re-promises of that change. */
export async function entriesOfCard(ctx: HandlerContext, row: CardRow): Promise<Entry[]> {
  const changeId = Number(/^rp-(\d+)-/.exec(row.id)?.[1] ?? Number.NaN);
  if (!Number.isFinite(changeId)) return [];
  const rows = await ctx.tx
    .select({ order: orders, repromise: repromises })
    .from(repromises)
    .innerJoin(orders, eq(orders.id, repromises.orderId))
    .where(and(eq(repromises.changeId, changeId), eq(orders.conversationId, row.recipientId)))
    .orderBy(orders.id)
    .for('update', { of: orders });
  return withChildren(ctx, rows);
}

async function withChildren(ctx: HandlerContext, rows: Entry[]): Promise<Entry[]> {
  const split = rows.filter((r) => r.repromise.status === 'split').map((r) => r.order.id);
  if (split.length === 0) return rows;
  const children = await ctx.tx
    .select({ number: orders.number, splitOf: orders.splitOf })
    .from(orders)
    .where(and(inArray(orders.splitOf, split), isNotNull(orders.splitOf)))
    .orderBy(desc(orders.id));
  return rows.map((r) => {
    const child = children.find((c) => c.splitOf === r.order.id);
    return child ? { ...r, child: child.number } : r;
  });
}

/** The card drawn again from its orders' re-promises, after a choice or when a newer change superseded them. */
export async function redrawCard(ctx: HandlerContext, row: CardRow, callbackRef?: string) {
  const entries = await entriesOfCard(ctx, row);
  if (entries.length === 0) return;
  const units = await unitsOf(
    ctx,
    entries.map((e) => e.order.id),
  );
  const card = repromiseCard(row.id, entries, units, chinaDate(ctx.now));
  await replaceCard(ctx, row, card, { key: `${ctx.eventKey}:card:${row.id}`, callbackRef });
}
