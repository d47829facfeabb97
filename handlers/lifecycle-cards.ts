import { createHash, randomUUID } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import { resolveCard, type Card, type CardField } from '../cards/model';
import { type BusinessConfig, type Department, departmentName, personName } from '../config/business-config';
import { carrierName } from '../integrations/courier/carriers';
import { chinaDate, chinaTime } from '../domain/china-time';
import { promisedInstant, STAGES, type EtdStep, type Stage, type WorkStage } from '../domain/lifecycle';
import { cards, type Order, orderItems } from '../db/schema';
import type { HandlerContext } from '../core/context';
import { type Lang, texts } from '../texts';
import { PLANT_LANG } from './names';
import { insertRows } from '../db/insert-rows';

export function etdCardId(order: Pick<Order, 'number'>): string {
  return `etd-${order.number}`;
}

/** The one card per order in the sales chat that shows where the order is; updated in place. */
export async function updateEtdCard(ctx: HandlerContext, order: Order, steps: EtdStep[]): Promise<void> {
  const id = etdCardId(order);
  // A line can be promised earlier than the order only when the order's promise is later than it was asked for.
  const mayDiffer =
    order.status === 'confirmed' && order.promisedDate !== null && order.promisedDate > order.requestedDate;
  const lines = mayDiffer ? await linesPromisedEarlier(ctx, order) : [];
  const card = etdCard(ctx.config, order, steps, ctx.now, id, lines);
  const options = { orderId: order.id, platform: order.platform };
  // Inserted when the order has no tracking card yet, else updated.
  const inserted = await insertRows(ctx.tx, cards, [etdCardRow(ctx, order, card)], {
    onConflictDoNothing: ['id'],
    returning: ['id'],
  });
  if (inserted.length > 0) return sendEtdCard(ctx, order, card);
  await ctx.tx.update(cards).set({ content: card }).where(eq(cards.id, id));
  const version = createHash('sha1').update(JSON.stringify(card)).digest('hex').slice(0, 12);
  await ctx.emit(
    { kind: 'update-card', cardId: id, card, conversationId: order.conversationId, refresh: 'tracking-card' },
    `card:${id}:${ctx.eventKey}:${version}`,
    options,
  );
}

/**
 * A new order's tracking card: its row, for the caller to write with the order's other rows (one statement), and
 * its sending, once written. The caller knows the order has none yet (updateEtdCard does not need to).
 */
export function newEtdCard(ctx: HandlerContext, order: Order) {
  const card = etdCard(ctx.config, order, [], ctx.now, etdCardId(order), []);
  return { row: etdCardRow(ctx, order, card), send: () => sendEtdCard(ctx, order, card) };
}

function etdCardRow(ctx: HandlerContext, order: Order, card: Card) {
  return {
    id: etdCardId(order),
    orderId: order.id,
    purpose: 'etd' as const,
    platform: order.platform,
    recipientId: order.conversationId,
    content: card,
    createdAt: ctx.now,
  };
}

function sendEtdCard(ctx: HandlerContext, order: Order, card: Card) {
  return ctx.emit(
    { kind: 'send-card', to: { conversationId: order.conversationId }, card },
    `card:${etdCardId(order)}:send`,
    { orderId: order.id, platform: order.platform },
  );
}

type OrderLine = Pick<typeof orderItems.$inferSelect, 'lineNo' | 'materialCode' | 'quantity' | 'unit' | 'promisedDate'>;

/** Lines of the order promised before the order's date: shown under the promise. */
function linesPromisedEarlier(ctx: HandlerContext, order: Order): Promise<OrderLine[]> {
  return ctx.tx
    .select({
      lineNo: orderItems.lineNo,
      materialCode: orderItems.materialCode,
      quantity: orderItems.quantity,
      unit: orderItems.unit,
      promisedDate: orderItems.promisedDate,
    })
    .from(orderItems)
    .where(and(eq(orderItems.orderId, order.id), lt(orderItems.promisedDate, order.promisedDate!)))
    .orderBy(orderItems.lineNo);
}

function etdCard(
  config: BusinessConfig,
  order: Order,
  steps: EtdStep[],
  now: Date,
  id: string,
  lines: OrderLine[] = [],
): Card {
  if (order.status === 'pending_approval' || order.status === 'rejected') return requestCard(order, now, id);
  const lang = order.language;
  const t = texts(lang);
  const c = t.lifecycle.orderCard;
  const today = chinaDate(now);
  const fields: CardField[] = [
    { key: 'stage', label: c.stage, value: stageValue(order, lang, today) },
    etdField(config, order, lang, today),
  ];
  if (order.latencyMs !== null) {
    const value = c.latencyValue(t.format.latency(order.latencyMs), order.pausedMs);
    fields.push({ key: 'latency', label: c.latency, value });
  }
  if (order.promisedDate) {
    const promisedAt = promisedInstant(order.promisedDate, config.lifecycle.deliverBy);
    const value = c.promisedValue(t.format.date(order.promisedDate, today), chinaTime(promisedAt));
    fields.push({ key: 'promised', label: c.promised, value });
    for (const line of lines) {
      const date = t.format.date(line.promisedDate!, today);
      fields.push({
        key: `line:${line.lineNo}`,
        label: c.line(line.materialCode),
        value: c.lineValue(line.quantity, line.unit, date),
      });
    }
  }
  if (order.waybill) fields.push({ key: 'shipment', label: c.shipment, value: shipmentValue(order, lang) });
  const notes =
    order.stage === 'delivered'
      ? []
      : steps.filter((s) => s.stage !== 'delivered').map((s) => stepNote(config, s, lang, today));
  const card: Card = {
    id,
    title: c.title(order.number),
    ...(order.customerName ? { subtitle: order.customerName } : {}),
    fields,
    ...(notes.length ? { notes } : {}),
    buttons: [],
  };
  return order.stage === 'delivered' ? resolveCard(card, { status: 'approved', text: c.closed }) : card;
}

/**
 * The same card while the order waits for approval: its latency clock, and the button that pauses it
 * while the sales person waits on the customer (or resumes it).
 */
function requestCard(order: Order, now: Date, id: string): Card {
  const t = texts(order.language);
  const c = t.lifecycle.orderCard;
  const today = chinaDate(now);
  const paused = order.pausedSince !== null;
  const clock = paused
    ? c.clockPaused(order.pauseReason, t.format.timeOrDateTime(order.pausedSince!, today))
    : c.clockRunning(t.format.timeOrDateTime(order.requestedAt, today));
  const card: Card = {
    id,
    title: c.title(order.number),
    ...(order.customerName ? { subtitle: order.customerName } : {}),
    fields: [
      { key: 'stage', label: c.stage, value: c.awaitingApproval },
      { key: 'requested', label: c.requested, value: t.format.date(order.requestedDate, today) },
      { key: 'clock', label: c.clock, value: clock, ...(paused ? { tone: 'yellow' as const } : {}) },
    ],
    notes: [paused ? c.pausedNote(order.number) : c.runningNote],
    buttons: paused
      ? [{ key: 'resume', label: c.resume, style: 'primary', command: `${order.number} ${c.resume}` }]
      : [
          { key: 'pause', label: c.pause, command: `${order.number} ${c.pause}` },
          { key: 'nudge', label: c.nudge, command: c.nudgeCommand(order.number) },
        ],
  };
  if (order.status === 'rejected') return resolveCard({ ...card, notes: [] }, { status: 'rejected', text: c.rejected });
  return card;
}

function etdField(config: BusinessConfig, order: Order, lang: Lang, today: string): CardField {
  const t = texts(lang);
  const c = t.lifecycle.orderCard;
  if (order.stage === 'delivered' && order.stageAt) {
    const value = t.format.dateTime(order.stageAt, today);
    return { key: 'delivered', label: c.delivered, value, tone: etdTone(config, order) };
  }
  if (!order.etd) return { key: 'etd', label: c.etd, value: '—' };
  return { key: 'etd', label: c.etd, value: t.format.etd(order.etd, today), tone: etdTone(config, order) };
}

function stageValue(order: Order, lang: Lang, today: string): string {
  const t = texts(lang);
  const stage = order.stage ?? 'confirmed';
  if (!order.stageAt) return t.stages.label(stage);
  return t.lifecycle.orderCard.stageSince(stage, t.format.dateTime(order.stageAt, today));
}

function shipmentValue(order: Order, lang: Lang): string {
  const carrier = order.carrier ? carrierName(order.carrier) : '';
  const tracking = order.tracking?.text ? ` · ${order.tracking.text}` : '';
  return `${carrier} ${order.waybill}${tracking}`.trim().slice(0, texts(lang).lifecycle.orderCard.shipmentMaxChars);
}

/** Red once the delay passes the alert threshold, yellow when past the promise at all, blue on time. */
function etdTone(config: BusinessConfig, order: Order): CardField['tone'] {
  if (!order.etd || !order.promisedDate) return undefined;
  const late = order.etd.getTime() - promisedInstant(order.promisedDate, config.lifecycle.deliverBy).getTime();
  if (late > config.thresholds.delayAlertAfter) return 'red';
  return late > 0 ? 'yellow' : 'blue';
}

function stepNote(config: BusinessConfig, step: EtdStep, lang: Lang, today: string): string {
  const t = texts(lang);
  const department = stageDepartment(config, step.stage);
  const name = department ? departmentName(config, department.key, lang) : null;
  return t.lifecycle.orderCard.step(step.stage, name, t.format.dateTime(step.expectedAt, today));
}

/** The department that marks a stage done (delivery has none: the courier or the sales person reports it). */
export function stageDepartment(config: BusinessConfig, stage: WorkStage): Department | undefined {
  const key = stage === 'delivered' ? undefined : config.lifecycle.stages[stage].department;
  return config.departments.find((d) => d.key === key);
}

/** Who marks a stage done: its department's leads; they get the stage's card with a "done" button. */
export function stageOwners(config: BusinessConfig, stage: WorkStage): string[] {
  return stageDepartment(config, stage)?.leads ?? [];
}

/** Sends the card for the next stage to each of its owners. */
export async function sendStageCards(ctx: HandlerContext, order: Order, stage: WorkStage): Promise<void> {
  for (const owner of stageOwners(ctx.config, stage)) {
    const card = stageCard(ctx, order, stage);
    await ctx.tx.insert(cards).values({
      id: card.id,
      orderId: order.id,
      purpose: 'stage',
      platform: order.platform,
      recipientId: owner,
      content: card,
      createdAt: ctx.now,
    });
    await ctx.emit({ kind: 'send-card', to: { userId: owner }, card }, `card:${card.id}:send`, {
      orderId: order.id,
      platform: order.platform,
    });
  }
}

function stageCard(ctx: HandlerContext, order: Order, stage: WorkStage): Card {
  const t = texts(PLANT_LANG);
  const c = t.lifecycle.stageCard;
  const today = chinaDate(ctx.now);
  const planned = order.planStart && order.planFinish && (stage === 'in_production' || stage === 'qc_passed');
  const fields: CardField[] = [
    { key: 'order', label: c.order, value: order.number },
    ...(order.customerName ? [{ key: 'customer', label: c.customer, value: order.customerName }] : []),
    ...(order.promisedDate
      ? [{ key: 'promised', label: c.promised, value: t.format.date(order.promisedDate, today) }]
      : []),
    ...(planned
      ? [
          {
            key: 'plan',
            label: c.plan,
            value: c.planValue(t.format.date(order.planStart!, today), t.format.date(order.planFinish!, today)),
          },
        ]
      : []),
  ];
  return {
    id: `st-${stage}-${randomUUID().replaceAll('-', '').slice(0, 16)}`,
    title: c.title(stage, order.number),
    subtitle: c.subtitle(personName(ctx.config, order.requesterId)),
    fields,
    notes: [c.note(stage, order.number)],
    buttons: [{ key: `done:${stage}`, label: t.stages.action(stage), style: 'primary' }],
  };
}

/** The stage a stage card is for: it is part of the card id, so a resolved card still tells. */
export function stageOfCard(cardId: string): WorkStage | undefined {
  const match = /^st-([a-z_]+)-[0-9a-f]+$/.exec(cardId);
  return match && STAGES.includes(match[1] as Stage) && match[1] !== 'confirmed' ? (match[1] as WorkStage) : undefined;
}

/** Every open stage card of the order for a completed stage shows who completed it. */
export async function resolveStageCards(
  ctx: HandlerContext,
  order: Order,
  completed: readonly Stage[],
  by: string,
): Promise<void> {
  const rows = await ctx.tx
    .select()
    .from(cards)
    .where(and(eq(cards.orderId, order.id), eq(cards.purpose, 'stage')));
  for (const row of rows) {
    const content = row.content as Card;
    const stage = stageOfCard(row.id);
    if (!stage || content.resolved || !completed.includes(stage)) continue;
    const card = resolveCard(content, {
      status: 'approved',
      text: texts(PLANT_LANG).lifecycle.stageCard.done(stage, by, chinaTime(ctx.now)),
    });
    await ctx.tx.update(cards).set({ content: card }).where(eq(cards.id, row.id));
    await ctx.emit({ kind: 'update-card', cardId: row.id, card }, `card:${row.id}:done`, {
      orderId: order.id,
      platform: row.platform,
    });
  }
}
