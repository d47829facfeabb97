import { randomUUID } from 'node:crypto';
import { and, eq, or, sql } from 'drizzle-orm';
import { buildApprovalCard, type ApprovalCardInput } from '../cards/approval-card';
import type { Department } from '../config/business-config';
import { chinaDate, chinaTime, formatDate } from '../domain/china-time';
import { parseMouldCommand } from '../domain/mould-command';
import { completeDraft } from '../domain/draft';
import { closestCodes } from '../domain/material-match';
import { parseMessage, type ParsedMessage } from '../domain/parse';
import { extractRequestTime, parseKpiCommand, parsePauseCommand } from '../domain/kpi';
import { checkPromise, type OrderPromise } from '../domain/promise';
import { checkSpec, formatRange, formatSpec, type SpecVerdict } from '../domain/spec-check';
import {
  allMaterialCodes,
  findMaterials,
  latestInspectionReports,
  nextOrderNumber,
  qualifiedRangesFor,
  recordOrderEvent,
} from '../db/orders';
import { approvalTasks, cards, customers, drafts, orderItems, orderSpecs, orders } from '../db/schema';
import { handleStageCommand, parseStageCommand } from './stage-actions';
import { replyToMessage, type HandlerContext } from '../core/context';
import type { MessageEvent } from '../core/events';
import type { Destination } from '../core/effects';
import { handleMouldCommand } from './mould-update';
import { updateEtdCard } from './lifecycle-cards';
import { answerKpiQuery } from './kpi-digest';
import { handlePauseCommand } from './latency';
import { answerStatusQuery } from './status-query';
import { answerBlockedByText, blockRequest, blockedChoiceOf } from './promise-choice';
import { promiseFor } from './promise';
import { bindingText, promiseFields } from './promise-texts';
import { departmentNames, itemLine, texts } from './texts';

type Draft = typeof drafts.$inferSelect;

/**
 * A chat message: a mould status update from production, a new order, the missing piece of an earlier
 * one, a status question, or nothing for us.
 */
export async function handleMessage(event: MessageEvent, ctx: HandlerContext): Promise<void> {
  const mouldCommand = parseMouldCommand(event.text, new Date(event.receivedAt));
  if (mouldCommand) return handleMouldCommand(event, mouldCommand, ctx);
  const stageCommand = parseStageCommand(event.text);
  if (stageCommand) return handleStageCommand(event, stageCommand, ctx);
  const pauseCommand = parsePauseCommand(event.text);
  if (pauseCommand) return handlePauseCommand(event, pauseCommand, ctx);
  const kpiCommand = parseKpiCommand(event.text);
  if (kpiCommand) return answerKpiQuery(event, kpiCommand.language, ctx);
  const choice = blockedChoiceOf(event.text);
  if (choice && (await answerBlockedByText(event, choice, ctx))) return;
  const sentAt = new Date(event.receivedAt);
  // "客户 9:30 提的": the customer asked before the sales person wrote; the latency clock starts then.
  const stated = extractRequestTime(event.text, sentAt);
  const parsed = parseMessage(stated.at ? stated.rest : event.text, sentAt);
  const draft = await openDraft(event, ctx);

  if (parsed.intent === 'order') {
    if (draft) await closeDraft(ctx, draft.id, 'superseded');
    return intakeRequest(event, ctx, {
      request: parsed,
      requestedAt: stated.at ?? sentAt,
      sourceText: event.text,
      stated: stated.at !== null,
    });
  }
  const completed = draft ? completeDraft(draft.parsed as ParsedMessage, parsed) : null;
  if (draft && completed) {
    await closeDraft(ctx, draft.id, 'completed');
    return intakeRequest(event, ctx, {
      request: completed,
      requestedAt: draft.requestedAt,
      sourceText: `${draft.sourceText}\n${event.text}`,
    });
  }
  if (parsed.intent === 'status') return answerStatusQuery(event, parsed, ctx);
  if (event.addressedToBot) await replyToMessage(ctx, event, texts.help(parsed.language, ctx.config.botName));
}

async function openDraft(event: MessageEvent, ctx: HandlerContext): Promise<Draft | undefined> {
  const [draft] = await ctx.tx
    .select()
    .from(drafts)
    .where(
      and(
        eq(drafts.platform, event.platform),
        eq(drafts.conversationId, event.conversationId),
        eq(drafts.senderId, event.senderId),
        eq(drafts.status, 'open'),
      ),
    )
    .for('update');
  if (!draft) return undefined;
  if (draft.expiresAt <= ctx.now) {
    await closeDraft(ctx, draft.id, 'superseded');
    return undefined;
  }
  return draft;
}

async function closeDraft(ctx: HandlerContext, id: number, status: 'completed' | 'superseded') {
  await ctx.tx.update(drafts).set({ status }).where(eq(drafts.id, id));
}

interface Request {
  request: ParsedMessage;
  requestedAt: Date;
  sourceText: string;
  /** The sales person stated when the customer asked ("客户 9:30 提的"). */
  stated?: boolean;
}

async function intakeRequest(event: MessageEvent, ctx: HandlerContext, req: Request): Promise<void> {
  const { request } = req;
  const lang = request.language;
  const codes = [...new Set(request.items.map((i) => i.sku))];
  const known = await findMaterials(ctx.tx, codes);
  const unknown = codes.filter((c) => !known.some((m) => m.code === c));
  if (unknown.length > 0) {
    const all = await allMaterialCodes(ctx.tx);
    const list = unknown.map((code) => ({ code, suggestions: closestCodes(code, all) }));
    return replyToMessage(ctx, event, texts.unknownCodes(list, lang));
  }
  if (request.missing.length > 0) {
    await ctx.tx.insert(drafts).values({
      platform: event.platform,
      conversationId: event.conversationId,
      senderId: event.senderId,
      parsed: request,
      sourceText: req.sourceText,
      requestedAt: req.requestedAt,
      expiresAt: new Date(ctx.now.getTime() + ctx.config.thresholds.draftExpiresAfter),
    });
    const summary = request.items
      .map((i) =>
        i.quantity === null
          ? i.sku
          : itemLine({ materialCode: i.sku, quantity: i.quantity, unit: i.unit ?? '', kind: i.kind }, lang),
      )
      .join(lang === 'zh' ? '；' : '; ');
    return replyToMessage(ctx, event, texts.askMissing(request.missing, lang, summary));
  }
  const promise = await promiseFor(
    ctx,
    request.items.map((i) => ({ materialCode: i.sku, quantity: i.quantity! })),
  );
  const verdict = checkPromise(request.dueDate!, promise);
  if (!verdict.ok || !promise.feasible)
    return blockRequest(event, ctx, req, promise, verdict.ok ? null : verdict.earliest);
  await createOrder(event, ctx, req, known, promise);
}

type Material = Awaited<ReturnType<typeof findMaterials>>[number];
export type { Request as OrderRequest };

export async function createOrder(
  event: MessageEvent,
  ctx: HandlerContext,
  req: Request,
  known: Material[],
  promise: Extract<OrderPromise, { feasible: true }>,
) {
  const { tx, now, config } = ctx;
  const { request } = req;
  const lang = request.language;
  const today = chinaDate(now);
  const materialByCode = new Map(known.map((m) => [m.code, m]));
  const items = request.items.map((item, index) => {
    const material = materialByCode.get(item.sku)!;
    return {
      lineNo: index + 1,
      materialCode: item.sku,
      materialName: material.name,
      quantity: item.quantity!,
      unit: item.unit ?? material.unit,
      kind: item.kind,
    };
  });
  const kind = items.some((i) => i.kind === 'batch') ? 'batch' : 'sample';
  const verdicts = await checkSpecs(
    ctx,
    request,
    items.map((i) => i.materialCode),
  );
  const customer = request.customer ? await findCustomer(ctx, request.customer) : undefined;
  const number = await nextOrderNumber(tx, now);

  const [order] = await tx
    .insert(orders)
    .values({
      number,
      platform: event.platform,
      conversationId: event.conversationId,
      requesterId: event.senderId,
      requesterName: event.senderName,
      customerId: customer?.id ?? null,
      customerName: customer?.name ?? request.customer,
      kind,
      urgent: request.urgent,
      language: lang,
      requestedDate: request.dueDate!,
      status: 'pending_approval',
      sourceText: req.sourceText,
      requestedAt: req.requestedAt,
      createdAt: now,
    })
    .returning();
  const orderId = order!.id;
  await tx.insert(orderItems).values(items.map(({ materialName: _, ...item }) => ({ ...item, orderId })));
  if (request.specs.length > 0) {
    await tx.insert(orderSpecs).values(request.specs.map((s) => ({ orderId, ...s })));
  }
  await recordOrderEvent(tx, {
    orderId,
    at: now,
    type: 'created',
    actorId: event.senderId,
    data: { messageId: event.messageId, items: request.items, dueDate: request.dueDate, specs: verdicts },
  });
  await recordOrderEvent(tx, {
    orderId,
    at: now,
    type: 'promise-checked',
    data: {
      requested: request.dueDate,
      earliest: promise.date,
      binding: promise.binding,
      explanation: bindingText(promise.binding, 'zh', today),
    },
  });

  const departments = config.routing[kind];
  const outsideCodes = [...new Set(verdicts.filter((v) => v.verdict.status === 'outside').map((v) => v.materialCode))];
  const reports = (await Promise.all(outsideCodes.map((code) => latestInspectionReports(tx, code)))).flat();
  await sendApprovalCards(event, ctx, {
    orderId,
    departments,
    card: {
      orderNumber: number,
      requesterName: event.senderName,
      customerName: customer?.name ?? request.customer,
      items,
      requestedDate: request.dueDate!,
      urgent: request.urgent,
      verdicts: verdicts.map((v) => v.verdict),
      promiseFields: promiseFields(promise, today),
      sourceText: req.sourceText,
      today,
    },
    techReports: reports,
  });

  const warnings = verdicts.flatMap(({ materialCode, verdict }) => {
    if (verdict.status === 'outside')
      return [texts.specOutside(formatSpec(verdict.spec), materialCode, formatRange(verdict.range), lang)];
    if (verdict.status === 'unknown') return [texts.specUnknown(formatSpec(verdict.spec), materialCode, lang)];
    return [];
  });
  ctx.log.info({ orderId, orderNumber: number, messageId: event.messageId }, 'order created');
  await replyToMessage(
    ctx,
    event,
    texts.orderCreated({
      lang,
      number,
      items,
      requestedDate: request.dueDate!,
      today,
      urgent: request.urgent,
      customerName: customer?.name ?? request.customer,
      departments: departmentNames(config, departments, lang),
      warnings,
      statedAt: req.stated
        ? `${chinaDate(req.requestedAt) === today ? '' : `${formatDate(chinaDate(req.requestedAt), lang, today)} `}${chinaTime(req.requestedAt)}`
        : null,
    }),
    orderId,
  );
  await updateEtdCard(ctx, order!, []);
  return { number, orderId };
}

type CardBasics = Omit<ApprovalCardInput, 'cardId' | 'departmentName' | 'reports'>;

/** One approval task per routed department and one card per lead, written in three statements. */
async function sendApprovalCards(
  event: MessageEvent,
  ctx: HandlerContext,
  args: { orderId: number; departments: string[]; card: CardBasics; techReports: ApprovalCardInput['reports'] },
) {
  const { tx, now, config } = ctx;
  const departments = args.departments.map((key) => config.departments.find((d) => d.key === key)!);
  const tasks = await tx
    .insert(approvalTasks)
    .values(
      departments.map((department) => ({
        orderId: args.orderId,
        department: department.key,
        assignees: department.leads,
        dueAt: new Date(now.getTime() + config.thresholds.escalateAfter),
        createdAt: now,
      })),
    )
    .returning();
  const sent = tasks.flatMap((task) => {
    const department = departments.find((d) => d.key === task.department)!;
    return cardRecipients(department).map((to) => ({
      task,
      to,
      card: buildApprovalCard({
        ...args.card,
        cardId: `c_${randomUUID().replaceAll('-', '').slice(0, 20)}`,
        departmentName: department.name,
        reports: department.key === config.techDepartment ? args.techReports : [],
      }),
    }));
  });
  await tx.insert(cards).values(
    sent.map(({ task, to, card }) => ({
      id: card.id,
      orderId: args.orderId,
      taskId: task.id,
      platform: event.platform,
      recipientId: 'userId' in to ? to.userId : to.conversationId,
      content: card,
      createdAt: now,
    })),
  );
  await ctx.emitAll(
    sent.map(({ to, card }) => ({
      effect: { kind: 'send-card' as const, to, card },
      key: `card:${card.id}:send`,
      orderId: args.orderId,
    })),
  );
}

/** Each lead's 1:1 chat, or the department's approvers' group; either way only the leads may decide. */
function cardRecipients(department: Department): Destination[] {
  return department.approvalGroup
    ? [{ conversationId: department.approvalGroup }]
    : department.leads.map((userId) => ({ userId }));
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

/** The customer named in a message, by name or alias, case-insensitively; undefined when not in the master. */
async function findCustomer(ctx: HandlerContext, name: string) {
  const [exact] = await ctx.tx
    .select()
    .from(customers)
    .where(
      or(
        sql`lower(${customers.name}) = lower(${name})`,
        sql`exists (select 1 from unnest(${customers.aliases}) a where lower(a) = lower(${name}))`,
      ),
    )
    .limit(1);
  return exact;
}
