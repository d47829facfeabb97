import { and, eq } from 'drizzle-orm';
import { parseMouldCommand } from '../domain/mould-command';
import { completeDraft } from '../domain/draft';
import { closestCodes } from '../domain/material-match';
import { parseMessage, type ParsedMessage } from '../domain/parse';
import { extractRequestTime, parseKpiCommand, parsePauseCommand } from '../domain/kpi';
import { checkPromise } from '../domain/promise';
import { allMaterialCodes, findMaterials } from '../db/orders';
import { drafts, type Draft } from '../db/schema';
import { handleStageCommand, parseStageCommand } from './stage-actions';
import { replyToMessage, type HandlerContext } from '../core/context';
import type { MessageEvent } from '../core/events';
import { handleMouldCommand } from './mould-update';
import { answerKpiQuery } from './kpi-digest';
import { handlePauseCommand } from './latency';
import { answerStatusQuery } from './status-query';
import { answerBlockedByText, blockRequest, blockedChoiceOf } from './promise-choice';
import { createOrder, type OrderRequest } from './create-order';
import { promiseFor } from './promise';
import { itemLine, texts } from './texts';

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

async function intakeRequest(event: MessageEvent, ctx: HandlerContext, req: OrderRequest): Promise<void> {
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
