import { newCardId } from '../cards/model';
import { buildApprovalCard, type ApprovalCardInput } from '../cards/approval-card';
import type { Department } from '../config/business-config';
import type { HandlerContext } from '../core/context';
import { replyToMessage } from '../core/context';
import type { Destination } from '../core/effects';
import type { MessageEvent } from '../core/events';
import {
  type findMaterials,
  latestInspectionReports,
  nextOrderNumber,
  orderNumberSql,
  qualifiedRangesFor,
} from '../db/orders';
import {
  approvalTasks,
  cards,
  orderEvents,
  orderItems,
  orderRiskInputs,
  orderSpecs,
  orders,
  type Order,
} from '../db/schema';
import { chinaDate } from '../domain/china-time';
import type { ParsedMessage } from '../domain/parse';
import type { OrderPromise } from '../domain/promise';
import { plantRiskInputs } from '../domain/risk/plant-inputs';
import type { RiskAssessment, TargetRisk } from '../domain/risk/assess';
import { assessNewOrder } from './order-risk';
import { checkSpec, formatRange, formatSpec, type SpecVerdict } from '../domain/spec-check';
import { offerNewCustomer, type OrderCustomer } from './customers';
import { firstStepTimes } from './approval-deadlines';
import { type StandInRouter, standInRouter } from './stand-ins';
import { tellStandInsInChat } from './approval-handover';
import { newEtdCard } from './lifecycle-cards';
import { bindingText, promiseFields } from './promise-fields';
import { rejectReasonsOf } from '../config/business-config';
import { texts } from '../texts';
import { departmentList, PLANT_LANG } from './names';
import { childRows, insertParentsWithChildren, insertWithChildren, siblingRows } from '../db/insert-rows';
import type { RequestReads } from '../db/request-reads';

/** A request ready to become an order: its parse, when the customer asked, and the text it came from. */
export interface OrderRequest {
  request: ParsedMessage;
  requestedAt: Date;
  sourceText: string;
  /** The sales person stated when the customer asked ("客户 9:30 提的"). */
  stated?: boolean;
  /** Who it is for, once settled: null for nobody named; undefined while intake has not looked. */
  customer?: OrderCustomer | null;
  /** The sales person said it is a new need, not the open order of the same customer and material. */
  sameNeedAnswered?: boolean;
  /** That open order, to link the new one to. */
  relatedOrderId?: number;
}

type Material = Awaited<ReturnType<typeof findMaterials>>[number];
type FeasibleOrderPromise = Extract<OrderPromise, { feasible: true }>;
type SpecCheck = { materialCode: string; verdict: SpecVerdict };
/** What the request read before: its materials, and today's stand-ins and the active risk models when read. */
type PriorReads = Pick<RequestReads, 'materials'> &
  Partial<Pick<RequestReads, 'standIns' | 'riskModels' | 'numberedToday'>>;

interface NewOrder {
  order: Order;
  items: Array<ApprovalCardInput['items'][number] & { requestedDate: string }>;
  verdicts: SpecCheck[];
  customerName: string | null;
  /** The active models' view of it; null without models. */
  risk: RiskAssessment | null;
}

/**
 * The order, its items, specs and first events; one approval card per routed department's lead; the
 * answer in the chat and the order's own card there.
 */
export async function createOrder(
  event: MessageEvent,
  ctx: HandlerContext,
  req: OrderRequest,
  read: PriorReads,
  promise: FeasibleOrderPromise,
): Promise<{ number: string; orderId: number }> {
  // Who holds each step today is read alongside the order's first statements (one round trip fewer), unless read.
  const [created, router] = await Promise.all([
    insertOrder(event, ctx, req, read, promise),
    standInRouter(ctx, read.standIns),
  ]);
  const { order } = created;
  const departments = ctx.config.routing[order.kind];
  const trackingCard = newEtdCard(ctx, order);
  await sendApprovalCards(event, ctx, {
    order,
    router,
    departments,
    card: approvalCardBasics(ctx, req, created, promise),
    techReports: await reportsOutsideRange(ctx, created.verdicts),
    trackingCard: trackingCard.row,
  });
  ctx.log.info({ orderId: order.id, orderNumber: order.number, messageId: event.messageId }, 'order created');
  await replyToMessage(ctx, event, createdText(ctx, req, created, departments), order.id);
  await trackingCard.send();
  if (order.customerName && order.customerId === null) {
    await offerNewCustomer(ctx, { ...order, customerName: order.customerName }, order.language);
  }
  return { number: order.number, orderId: order.id };
}

async function insertOrder(
  event: MessageEvent,
  ctx: HandlerContext,
  req: OrderRequest,
  read: PriorReads,
  promise: FeasibleOrderPromise,
): Promise<NewOrder> {
  const { tx, now } = ctx;
  const known = read.materials;
  const { request } = req;
  const items = orderItemsOf(request, known);
  const kind = items.some((i) => i.kind === 'batch') ? 'batch' : 'sample';
  // Statements that do not wait for each other are sent together: the driver pipelines them on the connection.
  // Once today has its number base, the number comes from the order's own statement.
  const [verdicts, number] = await Promise.all([
    checkSpecs(
      ctx,
      request,
      items.map((i) => i.materialCode),
    ),
    read.numberedToday ? undefined : nextOrderNumber(tx, now),
  ]);
  const customer = req.customer ?? null;
  const customerName = customer?.name ?? null;
  const riskInputs = { ...plantRiskInputs(promise.items), usualLeadDays: usualLeadDays(items, known) };
  // The order, its items, its first events and its risk inputs: one statement.
  const order = await insertWithChildren(
    tx,
    {
      table: orders,
      computed: number === undefined ? { number: orderNumberSql(now) } : undefined,
      row: {
        number,
        platform: event.platform,
        conversationId: event.conversationId,
        requesterId: event.senderId,
        requesterName: event.senderName,
        customerId: customer?.id ?? null,
        customerName,
        relatedOrderId: req.relatedOrderId ?? null,
        kind,
        urgent: request.urgent,
        language: request.language,
        requestedDate: request.dueDate!,
        status: 'pending_approval',
        sourceText: req.sourceText,
        requestedAt: req.requestedAt,
        createdAt: now,
      },
    },
    [
      childRows(
        orderItems,
        'orderId',
        items.map(({ materialName: _, ...item }) => item),
      ),
      childRows(orderRiskInputs, 'orderId', [{ inputs: riskInputs, recordedAt: now }]),
      childRows(orderEvents, 'orderId', [
        {
          at: now,
          type: 'created',
          actorId: event.senderId,
          data: { messageId: event.messageId, items: request.items, dueDate: request.dueDate, specs: verdicts },
        },
        {
          at: now,
          type: 'promise-checked',
          actorId: null,
          data: {
            requested: request.dueDate,
            earliest: promise.date,
            binding: promise.binding,
            explanation: bindingText(promise.binding, 'zh', chinaDate(now)),
          },
        },
      ]),
    ],
  );
  const orderId = order.id;
  const [risk] = await Promise.all([
    assessNewOrder(tx, ctx.config, order, items, riskInputs, now, read.riskModels),
    request.specs.length > 0 ? tx.insert(orderSpecs).values(request.specs.map((s) => ({ orderId, ...s }))) : null,
  ]);
  return { order, items, verdicts, customerName, risk };
}

/** The longest standard lead of the order's materials (the plant's usual for them). */
function usualLeadDays(items: ReadonlyArray<{ materialCode: string }>, known: Material[]): number {
  const lead = new Map(known.map((m) => [m.code, m.leadTimeDays]));
  return Math.max(0, ...items.map((i) => lead.get(i.materialCode) ?? 0));
}

function orderItemsOf(request: ParsedMessage, known: Material[]) {
  const materialByCode = new Map(known.map((m) => [m.code, m]));
  return request.items.map((item, index) => {
    const material = materialByCode.get(item.sku)!;
    return {
      lineNo: index + 1,
      materialCode: item.sku,
      materialName: material.name,
      quantity: item.quantity!,
      unit: item.unit ?? material.unit,
      kind: item.kind,
      requestedDate: item.dueDate ?? request.dueDate!,
    };
  });
}

function approvalCardBasics(
  ctx: HandlerContext,
  req: OrderRequest,
  created: NewOrder,
  promise: FeasibleOrderPromise,
): CardBasics {
  const today = chinaDate(ctx.now);
  const { order } = created;
  return {
    orderNumber: order.number,
    requesterName: order.requesterName,
    customerName: created.customerName,
    items: withDue(created.items, order.requestedDate),
    requestedDate: order.requestedDate,
    urgent: order.urgent,
    verdicts: created.verdicts.map((v) => v.verdict),
    promiseFields: promiseFields(promise, PLANT_LANG, today),
    risk: created.risk,
    sourceText: req.sourceText,
    today,
  };
}

/** Lines asked for another date than the order's show it (a split delivery chosen on a blocked request). */
function withDue<T extends { requestedDate: string }>(items: T[], requestedDate: string): Array<T & { due?: string }> {
  return items.map((item) => (item.requestedDate === requestedDate ? item : { ...item, due: item.requestedDate }));
}

/** The latest inspection reports of the materials with a spec outside its qualified range: tech gets them. */
async function reportsOutsideRange(ctx: HandlerContext, verdicts: SpecCheck[]) {
  const codes = [...new Set(verdicts.filter((v) => v.verdict.status === 'outside').map((v) => v.materialCode))];
  return (await Promise.all(codes.map((code) => latestInspectionReports(ctx.tx, code)))).flat();
}

function createdText(ctx: HandlerContext, req: OrderRequest, created: NewOrder, departments: string[]): string {
  const { order } = created;
  const lang = order.language;
  const t = texts(lang).orders;
  const today = chinaDate(ctx.now);
  const warnings = created.verdicts.flatMap(({ materialCode, verdict }) => {
    if (verdict.status === 'outside')
      return [t.specOutside(formatSpec(verdict.spec), materialCode, formatRange(verdict.range))];
    if (verdict.status === 'unknown') return [t.specUnknown(formatSpec(verdict.spec), materialCode)];
    return [];
  });
  const risky = risksToTell(created.risk);
  if (risky.length > 0) warnings.push(texts(lang).risk.salesHint(order.number, risky));
  return t.created({
    number: order.number,
    items: withDue(created.items, order.requestedDate),
    requestedDate: order.requestedDate,
    today,
    urgent: order.urgent,
    customerName: created.customerName,
    departments: departmentList(ctx.config, departments, lang),
    warnings,
    statedAt: req.stated ? t.statedAt(req.requestedAt, today) : null,
  });
}

/** The targets the sales chat is warned of: those well above usual, else the complaint risk a packaging action is for. */
function risksToTell(risk: RiskAssessment | null): TargetRisk[] {
  if (!risk?.matters) return [];
  const elevated = [risk.late, risk.complaint].filter((r): r is TargetRisk => r?.elevated === true);
  return elevated.length > 0 ? elevated : risk.complaint ? [risk.complaint] : [];
}

type CardBasics = Omit<ApprovalCardInput, 'cardId' | 'lang' | 'departmentName' | 'reports' | 'rejectReasons'>;

/**
 * One approval task per routed department and one card per lead, written in one statement. A lead away
 * today is replaced by their stand-in (the sales chat is told who holds the step); the deadline and the
 * first reminder run on the department's clock.
 */
async function sendApprovalCards(
  event: MessageEvent,
  ctx: HandlerContext,
  args: {
    order: Order;
    router: StandInRouter;
    departments: string[];
    card: CardBasics;
    techReports: ApprovalCardInput['reports'];
    /** The order's tracking card, written by the same statement. */
    trackingCard: typeof cards.$inferInsert;
  },
) {
  const { tx, now, config } = ctx;
  const { router } = args;
  const orderId = args.order.id;
  const departments = args.departments.map((key) => config.departments.find((d) => d.key === key)!);
  const holders = new Map(departments.map((d) => [d.key, [...new Set(d.leads.map((id) => router.holderFor(id)))]]));
  const sent = departments.flatMap((department) =>
    cardRecipients(department, holders.get(department.key)!).map((to) => ({
      department: department.key,
      to,
      card: buildApprovalCard({
        ...args.card,
        cardId: newCardId(),
        lang: PLANT_LANG,
        departmentName: department.name,
        rejectReasons: rejectReasonsOf(config, department.key),
        reports: department.key === config.techDepartment ? args.techReports : [],
      }),
    })),
  );
  // The tasks and their cards, and the order's tracking card: one statement, each card taking its department's task id.
  await insertParentsWithChildren(
    tx,
    {
      table: approvalTasks,
      matchOn: 'department',
      rows: departments.map((department) => ({
        orderId,
        department: department.key,
        assignees: holders.get(department.key)!,
        ...firstStepTimes(config, department, now),
        createdAt: now,
      })),
    },
    [
      childRows(
        cards,
        'taskId',
        sent.map(({ to, card }) => ({
          id: card.id,
          orderId,
          platform: event.platform,
          recipientId: 'userId' in to ? to.userId : to.conversationId,
          content: card,
          createdAt: now,
        })),
        sent.map((s) => s.department),
      ),
      siblingRows(cards, [args.trackingCard]),
    ],
  );
  await ctx.emitAll(
    sent.map(({ to, card }) => ({
      effect: { kind: 'send-card' as const, to, card },
      key: `card:${card.id}:send`,
      orderId,
    })),
  );
  await tellStandIns(ctx, args.order, departments, router);
}

/** The sales chat hears who holds a step whose lead is away. */
async function tellStandIns(ctx: HandlerContext, order: Order, departments: Department[], router: StandInRouter) {
  const lines = departments.flatMap((department) =>
    department.leads
      .filter((lead) => router.holderFor(lead) !== lead)
      .map((lead) => ({ department: department.key, away: lead, holder: router.holderFor(lead) })),
  );
  if (lines.length === 0) return;
  await tellStandInsInChat(ctx, order, lines, `order:${order.id}:stand-ins`);
}

/** Each lead's 1:1 chat (their stand-ins' when away), or the department's approvers' group; only the holders may decide. */
function cardRecipients(department: Department, holders: string[]): Destination[] {
  return department.approvalGroup
    ? [{ conversationId: department.approvalGroup }]
    : holders.map((userId) => ({ userId }));
}

async function checkSpecs(ctx: HandlerContext, request: ParsedMessage, codes: string[]) {
  if (request.specs.length === 0) return [];
  const ranges = await qualifiedRangesFor(ctx.tx, codes);
  return [...new Set(codes)].flatMap((materialCode) => {
    const own = ranges
      .filter((r) => r.materialCode === materialCode)
      .map((r) => ({ param: r.param, min: r.minValue, max: r.maxValue, unit: r.unit }));
    return request.specs.map((spec): { materialCode: string; verdict: SpecVerdict } => ({
      materialCode,
      verdict: checkSpec(spec, own),
    }));
  });
}
