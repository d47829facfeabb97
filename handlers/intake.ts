import { and, eq } from 'drizzle-orm';
import { completeDraft } from '../domain/draft';
import { closestCodes } from '../domain/material-match';
import { parseMessage, type ParsedMessage } from '../domain/parse';
import { extractRequestTime } from '../domain/kpi';
import { checkPromise } from '../domain/promise';
import { allMaterialCodes, findMaterials } from '../db/orders';
import { drafts, type Draft } from '../db/schema';
import { replyToMessage, type HandlerContext } from '../core/context';
import type { MessageEvent } from '../core/events';
import { blockRequest } from './blocked-request';
import { createOrder, type OrderRequest } from './create-order';
import { promiseFor } from './promise';
import { texts } from '../texts';

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
  const draft = await openDraft(event, ctx);
  if (draft) await closeDraft(ctx, draft.id, 'superseded');
  await intakeRequest(event, ctx, {
    request: message.parsed,
    requestedAt: message.requestedAt,
    sourceText: event.text,
    stated: message.stated,
  });
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

async function intakeRequest(event: MessageEvent, ctx: HandlerContext, req: OrderRequest): Promise<void> {
  const { request } = req;
  const t = texts(request.language).orders;
  const codes = [...new Set(request.items.map((i) => i.sku))];
  const known = await findMaterials(ctx.tx, codes);
  const unknown = codes.filter((c) => !known.some((m) => m.code === c));
  if (unknown.length > 0) {
    const all = await allMaterialCodes(ctx.tx);
    const list = unknown.map((code) => ({ code, suggestions: closestCodes(code, all) }));
    return replyToMessage(ctx, event, t.unknownCodes(list));
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
    const summary = t.partialItems(
      request.items.map((i) =>
        i.quantity === null
          ? i.sku
          : t.itemLine({ materialCode: i.sku, quantity: i.quantity, unit: i.unit ?? '', kind: i.kind }),
      ),
    );
    return replyToMessage(ctx, event, t.askMissing(request.missing, summary));
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
