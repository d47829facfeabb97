import { createHash, randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { resolveCard, type Card, type CardField } from '../cards/model';
import { personName, type BusinessConfig, type Department } from '../config/business-config';
import { carrierName } from '../integrations/courier/carriers';
import { chinaDate, chinaTime, formatDate, formatLatency } from '../domain/china-time';
import {
  formatEtd,
  promisedInstant,
  STAGES,
  stageActionLabel,
  stageLabel,
  type EtdStep,
  type Stage,
  type WorkStage,
} from '../domain/lifecycle';
import { cards, type Order } from '../db/schema';
import type { HandlerContext } from '../core/context';
import { departmentName } from './texts';

type Lang = 'zh' | 'en';

export function etdCardId(order: Pick<Order, 'number'>): string {
  return `etd-${order.number}`;
}

/** The one card per order in the sales chat that shows where the order is; updated in place. */
export async function updateEtdCard(ctx: HandlerContext, order: Order, steps: EtdStep[]): Promise<void> {
  const id = etdCardId(order);
  const card = etdCard(ctx.config, order, steps, ctx.now, id);
  const options = { orderId: order.id, platform: order.platform };
  const [existing] = await ctx.tx.select({ id: cards.id }).from(cards).where(eq(cards.id, id));
  if (!existing) {
    await ctx.tx.insert(cards).values({
      id,
      orderId: order.id,
      purpose: 'etd',
      platform: order.platform,
      recipientId: order.conversationId,
      content: card,
      createdAt: ctx.now,
    });
    return ctx.emit(
      { kind: 'send-card', to: { conversationId: order.conversationId }, card },
      `card:${id}:send`,
      options,
    );
  }
  await ctx.tx.update(cards).set({ content: card }).where(eq(cards.id, id));
  const version = createHash('sha1').update(JSON.stringify(card)).digest('hex').slice(0, 12);
  await ctx.emit(
    { kind: 'update-card', cardId: id, card, conversationId: order.conversationId },
    `card:${id}:${ctx.eventKey}:${version}`,
    options,
  );
}

function etdCard(config: BusinessConfig, order: Order, steps: EtdStep[], now: Date, id: string): Card {
  if (order.status === 'pending_approval' || order.status === 'rejected') return requestCard(order, now, id);
  const lang = order.language;
  const today = chinaDate(now);
  const zh = lang === 'zh';
  const fields: CardField[] = [
    { label: zh ? '当前阶段' : 'Stage', value: stageValue(order, lang, today) },
    etdField(config, order, lang, today),
  ];
  if (order.latencyMs !== null) fields.push(latencyField(order, lang));
  if (order.promisedDate) {
    const promisedAt = promisedInstant(order.promisedDate, config.lifecycle.deliverBy);
    fields.push({
      label: zh ? '承诺交期' : 'Promised',
      value: `${formatDate(order.promisedDate, lang, today)} ${chinaTime(promisedAt)}${zh ? '前' : ''}`,
    });
  }
  if (order.waybill) fields.push({ label: zh ? '物流' : 'Shipment', value: shipmentValue(order, lang) });
  const notes =
    order.stage === 'delivered'
      ? []
      : steps.filter((s) => s.stage !== 'delivered').map((s) => stepNote(config, s, lang, today));
  const card: Card = {
    id,
    title: zh ? `交期跟踪 · ${order.number}` : `Delivery tracking · ${order.number}`,
    ...(order.customerName ? { subtitle: order.customerName } : {}),
    fields,
    ...(notes.length ? { notes } : {}),
    buttons: [],
  };
  return order.stage === 'delivered'
    ? resolveCard(card, { status: 'approved', text: zh ? '已签收，订单完成' : 'Delivered; order closed' })
    : card;
}

/**
 * The same card while the order waits for approval: its latency clock, and the button that pauses it
 * while the sales person waits on the customer (or resumes it).
 */
function requestCard(order: Order, now: Date, id: string): Card {
  const lang = order.language;
  const zh = lang === 'zh';
  const today = chinaDate(now);
  const paused = order.pausedSince !== null;
  const since = (at: Date) =>
    `${chinaDate(at) === today ? '' : `${formatDate(chinaDate(at), lang, today)} `}${chinaTime(at)}`;
  const reason = order.pauseReason ? (zh ? `（${order.pauseReason}）` : ` (${order.pauseReason})`) : '';
  const clock = paused
    ? zh
      ? `已暂停：等客户${reason}，${since(order.pausedSince!)}起`
      : `paused: waiting on the customer${reason} since ${since(order.pausedSince!)}`
    : zh
      ? `计时中，${since(order.requestedAt)}起`
      : `running since ${since(order.requestedAt)}`;
  const card: Card = {
    id,
    title: zh ? `交期跟踪 · ${order.number}` : `Delivery tracking · ${order.number}`,
    ...(order.customerName ? { subtitle: order.customerName } : {}),
    fields: [
      { label: zh ? '当前阶段' : 'Stage', value: zh ? '待审批' : 'Awaiting approval' },
      { label: zh ? '要求交期' : 'Requested', value: formatDate(order.requestedDate, lang, today) },
      { label: zh ? '客户时延' : 'Latency clock', value: clock, ...(paused ? { tone: 'yellow' as const } : {}) },
    ],
    notes: [
      paused
        ? zh
          ? `客户回复后点“客户已回复”，或在群里说“${order.number} 客户已回复”。`
          : `When the customer answers, tap "Customer replied" or say "${order.number} customer replied".`
        : zh
          ? `等客户图纸或确认时点“等客户回复”，时延暂停计时。`
          : `Waiting for the customer's drawing or answer? Tap "Waiting on customer" to pause the clock.`,
    ],
    buttons: paused
      ? [{ key: 'resume', label: zh ? '客户已回复' : 'Customer replied', style: 'primary' }]
      : [{ key: 'pause', label: zh ? '等客户回复' : 'Waiting on customer' }],
  };
  if (order.status === 'rejected')
    return resolveCard({ ...card, notes: [] }, { status: 'rejected', text: zh ? '已驳回' : 'Rejected' });
  return card;
}

function latencyField(order: Order, lang: Lang): CardField {
  const zh = lang === 'zh';
  const paused =
    order.pausedMs > 0
      ? zh
        ? `（不含等客户${formatLatency(order.pausedMs, 'zh')}）`
        : ` (excluding ${formatLatency(order.pausedMs, 'en')} waiting on the customer)`
      : '';
  return { label: zh ? '客户时延' : 'Latency', value: `${formatLatency(order.latencyMs ?? 0, lang)}${paused}` };
}

function etdField(config: BusinessConfig, order: Order, lang: Lang, today: string): CardField {
  const zh = lang === 'zh';
  if (order.stage === 'delivered' && order.stageAt) {
    return {
      label: zh ? '签收时间' : 'Delivered',
      value: `${formatDate(chinaDate(order.stageAt), lang, today)} ${chinaTime(order.stageAt)}`,
      tone: etdTone(config, order),
    };
  }
  if (!order.etd) return { label: zh ? '预计签收' : 'ETD', value: '—' };
  return { label: zh ? '预计签收' : 'ETD', value: formatEtd(order.etd, lang, today), tone: etdTone(config, order) };
}

function stageValue(order: Order, lang: Lang, today: string): string {
  const stage = order.stage ?? 'confirmed';
  if (!order.stageAt) return stageLabel(stage, lang);
  const since = `${formatDate(chinaDate(order.stageAt), lang, today)} ${chinaTime(order.stageAt)}`;
  return lang === 'zh' ? `${stageLabel(stage, 'zh')}（${since}）` : `${stageLabel(stage, 'en')} (since ${since})`;
}

function shipmentValue(order: Order, lang: Lang): string {
  const carrier = order.carrier ? carrierName(order.carrier) : '';
  const tracking = order.tracking?.text ? ` · ${order.tracking.text}` : '';
  return `${carrier} ${order.waybill}${tracking}`.trim().slice(0, lang === 'zh' ? 80 : 120);
}

/** Red once the delay passes the alert threshold, yellow when past the promise at all, blue on time. */
function etdTone(config: BusinessConfig, order: Order): CardField['tone'] {
  if (!order.etd || !order.promisedDate) return undefined;
  const late = order.etd.getTime() - promisedInstant(order.promisedDate, config.lifecycle.deliverBy).getTime();
  if (late > config.thresholds.delayAlertAfter) return 'red';
  return late > 0 ? 'yellow' : 'blue';
}

function stepNote(config: BusinessConfig, step: EtdStep, lang: Lang, today: string): string {
  const when = `${formatDate(chinaDate(step.expectedAt), lang, today)} ${chinaTime(step.expectedAt)}`;
  const department = stageDepartment(config, step.stage);
  const who = department ? `（${departmentName(config, department.key, lang)}）` : '';
  return lang === 'zh'
    ? `${stageActionLabel(step.stage, 'zh')}${who} 预计${when}`
    : `${stageActionLabel(step.stage, 'en')} expected ${when}`;
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
  const today = chinaDate(ctx.now);
  const fields: CardField[] = [
    { label: '订单号', value: order.number },
    ...(order.customerName ? [{ label: '客户', value: order.customerName }] : []),
    ...(order.promisedDate ? [{ label: '承诺交期', value: formatDate(order.promisedDate, 'zh', today) }] : []),
    ...(order.planStart && order.planFinish && (stage === 'in_production' || stage === 'qc_passed')
      ? [
          {
            label: '生产计划',
            value: `${formatDate(order.planStart, 'zh', today)}–${formatDate(order.planFinish, 'zh', today)}`,
          },
        ]
      : []),
  ];
  return {
    id: `st-${stage}-${randomUUID().replaceAll('-', '').slice(0, 16)}`,
    title: `${stageActionLabel(stage, 'zh')} · ${order.number}`,
    subtitle: `销售：${personName(ctx.config, order.requesterId)}`,
    fields,
    notes: [
      `完成后请点“${stageActionLabel(stage, 'zh')}”，或在群里说“${order.number} ${stageActionLabel(stage, 'zh')}”。`,
    ],
    buttons: [{ key: `done:${stage}`, label: stageActionLabel(stage, 'zh'), style: 'primary' }],
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
      text: `${stageLabel(stage, 'zh')} · ${by} ${chinaTime(ctx.now)}`,
    });
    await ctx.tx.update(cards).set({ content: card }).where(eq(cards.id, row.id));
    await ctx.emit({ kind: 'update-card', cardId: row.id, card }, `card:${row.id}:done`, {
      orderId: order.id,
      platform: row.platform,
    });
  }
}
