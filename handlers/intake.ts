import { and, eq, sql } from 'drizzle-orm';
import { fixedQuery } from '../db/fixed-query';
import { completeDraft } from '../domain/draft';
import { closestCodes } from '../domain/material-match';
import { parseMessage, type ParsedMessage } from '../domain/parse';
import { extractRequestTime } from '../domain/kpi';
import { checkPromise } from '../domain/promise';
import { allMaterialCodes } from '../db/orders';
import { type RequestReads, readForRequest } from '../db/request-reads';
import { drafts, type Draft, type Order, orderItems } from '../db/schema';
import { chinaDate } from '../domain/china-time';
import { replyToMessage, type HandlerContext } from '../core/context';
import type { MessageEvent } from '../core/events';
import { blockRequest } from './blocked-request';
import { createOrder, type OrderRequest } from './create-order';
import { promiseFor } from './promise';
import { type Lang, texts } from '../texts';
import { customerIndex, resolveCustomer } from './customers';
import type { CustomerIndex } from '../domain/customers';
import { holdRequest, sameNeed } from './held-requests';

/** A message parsed as a request: "客户 9:30 提的" (when the customer asked) cut out and kept. */
export interface RequestMessage {
  parsed: ParsedMessage;
  /** When the customer asked: the stated time, or the message's own. */
  requestedAt: Date;
  stated: boolean;
}

export function requestMessage(text: string, receivedAt: Date): RequestMessage {
  const stated = extractRequestTime(text, receivedAt);
  const parsed = parseMessage(stated.at ? stated.rest : text, receivedAt);
  return { parsed, requestedAt: stated.at ?? receivedAt, stated: stated.at !== null };
}

/** A new request: any open draft of the sender's in this chat is dropped, and the request taken in. */
export async function handleNewRequest(event: MessageEvent, message: RequestMessage, ctx: HandlerContext) {
  // The draft (expired or not, it is superseded) is read with what the request needs: one statement.
  const reads = await readForRequest(ctx.tx, codesOf(message.parsed), ctx.now, event);
  if (reads.openDraft) await closeDraft(ctx, reads.openDraft.id, 'superseded');
  await intakeRequest(
    event,
    ctx,
    {
      request: message.parsed,
      requestedAt: message.requestedAt,
      sourceText: event.text,
      stated: message.stated,
    },
    reads,
  );
}

function codesOf(request: ParsedMessage): string[] {
  return [...new Set(request.items.map((i) => i.sku))];
}

/**
 * The missing piece of the sender's open draft ("3月5日前", "5件"): the draft becomes a request. Returns
 * false when there is no open draft or the message does not complete it.
 */
export async function handleDraftReply(event: MessageEvent, message: RequestMessage, ctx: HandlerContext) {
  const draft = await openDraft(event, ctx);
  const completed = draft ? completeDraft(draft.parsed as ParsedMessage, message.parsed) : null;
  if (!draft || !completed) return false;
  await closeDraft(ctx, draft.id, 'completed');
  await intakeRequest(event, ctx, {
    request: completed,
    requestedAt: draft.requestedAt,
    sourceText: `${draft.sourceText}\n${event.text}`,
  });
  return true;
}

const openDraftOf = fixedQuery((q) =>
  q
    .select()
    .from(drafts)
    .where(
      and(
        eq(drafts.platform, sql.placeholder('platform')),
        eq(drafts.conversationId, sql.placeholder('conversationId')),
        eq(drafts.senderId, sql.placeholder('senderId')),
        // Written into the statement, not bound, so that its plan can use the partial index of open drafts once.
        sql`${drafts.status} = 'open'`,
      ),
    )
    .for('update'),
);

async function openDraft(event: MessageEvent, ctx: HandlerContext): Promise<Draft | undefined> {
  const [draft] = await openDraftOf(ctx.tx, {
    platform: event.platform,
    conversationId: event.conversationId,
    senderId: event.senderId,
  });
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

/**
 * A complete request on its way to an order: known material codes, nothing missing, a customer (asked
 * which when two are named), not the same need as an open order, a date the plant can make. Each step
 * may answer instead: a held request goes on from here when its sales person has chosen.
 */
export async function intakeRequest(
  event: MessageEvent,
  ctx: HandlerContext,
  req: OrderRequest,
  /** What the request reads, when the caller has read it for the same codes already. */
  read?: RequestReads,
): Promise<void> {
  const { request } = req;
  const t = texts(request.language).orders;
  const codes = codesOf(request);
  // One statement reads what the rest of the way needs: materials, plant state, stand-ins, risk models.
  const reads = read ?? (await readForRequest(ctx.tx, codes, ctx.now));
  const known = reads.materials;
  const customers =
    req.customer === undefined ? await customerIndex(ctx.tx, { stamp: reads.customerListStamp }) : undefined;
  const unknown = codes.filter((c) => !known.some((m) => m.code === c));
  if (unknown.length > 0) {
    const all = await allMaterialCodes(ctx.tx);
    const list = unknown.map((code) => ({ code, suggestions: closestCodes(code, all) }));
    return replyToMessage(ctx, event, t.unknownCodes(list));
  }
  if (request.missing.length > 0) return keepAsDraft(event, ctx, req);
  const customer = req.customer !== undefined ? req.customer : await customerOf(event, ctx, req, customers);
  if (customer === HELD) return;
  if (customer?.id && !req.sameNeedAnswered) {
    const same = await sameNeed(ctx, customer.id, codes, event.senderId);
    if (same) return answerSameNeed(event, ctx, { ...req, customer }, same, customer);
  }
  const promise = await promiseFor(
    ctx,
    request.items.map((i) => ({ materialCode: i.sku, quantity: i.quantity! })),
    { materials: known, plant: reads.plant },
  );
  const verdict = checkPromise(request.dueDate!, promise);
  const settled = { ...req, customer };
  if (!verdict.ok || !promise.feasible) {
    return blockRequest(event, ctx, settled, promise, verdict.ok ? null : verdict.earliest);
  }
  await createOrder(event, ctx, settled, reads, promise);
}

/** A request still missing its quantity or date is kept for the sender's next message. */
async function keepAsDraft(event: MessageEvent, ctx: HandlerContext, req: OrderRequest) {
  const { request } = req;
  const t = texts(request.language).orders;
  await ctx.tx.insert(drafts).values({
    platform: event.platform,
    conversationId: event.conversationId,
    senderId: event.senderId,
    parsed: request,
    sourceText: req.sourceText,
    requestedAt: req.requestedAt,
    expiresAt: new Date(ctx.now.getTime() + ctx.config.thresholds.draftExpiresAfter),
  });
  const summary = t.partialItems(
    request.items.map((i) =>
      i.quantity === null
        ? i.sku
        : t.itemLine({ materialCode: i.sku, quantity: i.quantity, unit: i.unit ?? '', kind: i.kind }),
    ),
  );
  return replyToMessage(ctx, event, t.askMissing(request.missing, summary));
}

const HELD = Symbol('held');

/** The request's customer; two named at once: the request is held and the chat asked which. */
async function customerOf(event: MessageEvent, ctx: HandlerContext, req: OrderRequest, index?: CustomerIndex) {
  const resolution = await resolveCustomer(ctx, req.sourceText, req.request.customer, index);
  switch (resolution.kind) {
    case 'known':
    case 'unknown':
      return resolution.customer;
    case 'none':
      return null;
    case 'ambiguous': {
      const t = texts(req.request.language).customers.choice;
      const names = resolution.candidates.map((c) => c.name);
      await holdRequest(
        event,
        ctx,
        req,
        { kind: 'customer-choice', candidates: resolution.candidates },
        {
          prompt: t.prompt(names),
          card: {
            title: t.title,
            fields: [],
            notes: [t.note(names)],
            buttons: resolution.candidates.map((c) => ({ key: `customer:${c.id}`, label: c.name })),
          },
        },
      );
      return HELD;
    }
  }
}

/**
 * The customer and material are open already: the sender's own order is named (no second one); another
 * sales person's is shown, and the request held for "same need" (follow it) or "new need" (order anyway).
 */
async function answerSameNeed(
  event: MessageEvent,
  ctx: HandlerContext,
  req: OrderRequest,
  same: { order: Order; mine: boolean },
  customer: { id: number; name: string },
) {
  const lang = req.request.language;
  const t = texts(lang);
  const { order } = same;
  const today = chinaDate(ctx.now);
  if (same.mine) {
    return replyToMessage(
      ctx,
      event,
      t.customers.sameNeed.alreadyOpen(order.number, t.format.date(order.requestedDate, today)),
    );
  }
  const s = t.customers.sameNeed;
  const items = await orderItemLines(ctx, order.id, lang);
  const date = order.promisedDate ?? order.requestedDate;
  await holdRequest(
    event,
    ctx,
    req,
    { kind: 'same-need', orderId: order.id, orderNumber: order.number, customer },
    {
      prompt: s.prompt({ number: order.number, sales: order.requesterName, customer: customer.name }),
      card: {
        title: s.title,
        subtitle: customer.name,
        fields: [
          { key: 'order', label: s.order, value: order.number },
          { key: 'sales', label: s.sales, value: order.requesterName },
          { key: 'items', label: s.items, value: t.customers.items(items) },
          { key: 'date', label: s.date(order.promisedDate !== null), value: t.format.date(date, today) },
          { key: 'status', label: s.status, value: t.customers.status[order.status as 'confirmed'] ?? order.status },
        ],
        buttons: [
          { key: 'follow', label: s.follow, style: 'primary' },
          { key: 'separate', label: s.separate },
        ],
      },
    },
  );
}

async function orderItemLines(ctx: HandlerContext, orderId: number, lang: Lang) {
  const items = await ctx.tx
    .select()
    .from(orderItems)
    .where(eq(orderItems.orderId, orderId))
    .orderBy(orderItems.lineNo);
  return items.map((i) => texts(lang).orders.itemLine(i));
}
