import { and, desc, eq } from 'drizzle-orm';
import { type Card, type CardField, chosenReason, resolveCard, newCardId } from '../cards/model';
import { departmentName, personName } from '../config/business-config';
import { replaceCard, tellTapper } from './card-updates';
import { type HandlerContext, replyToMessage } from '../core/context';
import type { CardActionEvent, MessageEvent } from '../core/events';
import { findMaterials, recordOrderEvent } from '../db/orders';
import { type CardRow, cards, type Draft, drafts } from '../db/schema';
import { chinaDate, chinaTime } from '../domain/china-time';
import type { ParsedItem, ParsedMessage } from '../domain/parse';
import { splitPlan } from '../domain/repromise/replan';
import type { SplitOffer } from '../domain/repromise/types';
import { loadPlantFor } from '../db/repromise';
import { partsText } from '../cards/repromise-card';
import { checkPromise, type OrderPromise } from '../domain/promise';
import { type Lang, texts } from '../texts';
import { createOrder, type OrderRequest } from './create-order';
import { draftEvent, lockedDraft, type Settled, storeWaitingRequest } from './held-requests';
import { PLANT_LANG } from './names';
import { promiseFor } from './promise';
import { handleOrderExpedite } from './repromise-choice';
import { expediteChoices } from './expedite-card';
import { lineLoadFields, reasonsOf } from './promise-fields';

/** A check that blocked a request, kept so the order created from it later carries its history. */
interface BlockedCheck {
  at: string;
  requested: string;
  earliest: string | null;
  explanation: string;
}
/** A request the plant cannot meet, kept until the sales person chooses: its parse, the checks, whether tech granted an expedite. */
type BlockedRequest = ParsedMessage & {
  expediteGranted?: boolean;
  checks?: BlockedCheck[];
  settled?: Settled;
  /** Part by the requested date, the rest later: offered beside the earliest date and the expedite. */
  split?: SplitOffer;
};

const BLOCKED_FOR_MS = 24 * 3600_000;

/** No promise is made: the chat is told why, and gets a card to escalate to tech or take the earliest date. */
export async function blockRequest(
  event: MessageEvent,
  ctx: HandlerContext,
  req: OrderRequest,
  promise: OrderPromise,
  earliest: string | null,
) {
  const today = chinaDate(ctx.now);
  const lang = req.request.language;
  const reasons = reasonsOf(promise, lang, today);
  const check: BlockedCheck = {
    at: ctx.now.toISOString(),
    requested: req.request.dueDate!,
    earliest,
    explanation: reasonsOf(promise, PLANT_LANG, today),
  };
  const split = earliest ? await splitOffer(ctx, req.request) : null;
  const draft = await storeWaitingRequest(event, ctx, req, {
    status: 'blocked',
    forMs: BLOCKED_FOR_MS,
    parsed: { ...req.request, checks: [check], ...(split ? { split } : {}) } satisfies BlockedRequest,
  });
  const t = texts(lang).promise;
  const blocked = t.blocked({ requested: req.request.dueDate!, earliest, reasons, today });
  const splitText = split ? splitWords(req.request, split, today) : null;
  await replyToMessage(ctx, event, splitText ? `${blocked}\n${t.splitHint(splitText)}` : blocked);
  const card = blockedCard({ request: req.request, promise, earliest, reasons, lang, today, split: splitText });
  await ctx.tx.insert(cards).values({
    id: card.id,
    draftId: draft.id,
    purpose: 'blocked-request',
    platform: event.platform,
    recipientId: event.conversationId,
    content: card,
    createdAt: ctx.now,
  });
  await ctx.emit({ kind: 'send-card', to: { conversationId: event.conversationId }, card }, `card:${card.id}:send`);
}

function blockedCard(a: {
  request: ParsedMessage;
  promise: OrderPromise;
  earliest: string | null;
  reasons: string;
  lang: Lang;
  today: string;
  split: string | null;
}): Card {
  const t = texts(a.lang);
  const c = t.promise.blockedCard;
  const items = a.request.items.map((i, index) => ({
    key: `item:${index + 1}`,
    label: c.item,
    value: t.orders.itemLine({ materialCode: i.sku, quantity: i.quantity!, unit: i.unit ?? '', kind: i.kind }),
  }));
  const earliest = a.earliest ? t.format.date(a.earliest, a.today) : null;
  const fields: CardField[] = [
    ...items,
    { key: 'requested', label: c.requested, value: t.format.date(a.request.dueDate!, a.today) },
    { key: 'earliest', label: c.earliest, value: earliest ?? '—', tone: 'red' },
    { key: 'why', label: c.why, value: a.reasons || '—' },
    ...lineLoadFields(
      a.promise.items.flatMap((i) => i.constraints),
      a.lang,
      a.today,
    ),
  ];
  return {
    id: newCardId(),
    title: c.title,
    fields,
    buttons: [
      { key: 'escalate', label: c.escalate, style: 'primary' },
      ...(earliest ? [{ key: 'offer', label: c.offer(earliest), style: 'default' as const }] : []),
      ...(a.split ? [{ key: 'split', label: c.split, style: 'default' as const }] : []),
    ],
    ...(a.split ? { notes: [a.split] } : {}),
  };
}

/** What part of the request the plant can still make by its date, and when the rest can follow. */
async function splitOffer(ctx: HandlerContext, request: ParsedMessage): Promise<SplitOffer | null> {
  const items = request.items.map((i, index) => ({ lineNo: index + 1, materialCode: i.sku, quantity: i.quantity! }));
  const codes = items.map((i) => i.materialCode);
  const { input } = await loadPlantFor(ctx.tx, ctx.config, codes, chinaDate(ctx.now));
  return splitPlan(input, { id: 0, promisedDate: request.dueDate!, items, holds: [] })?.offer ?? null;
}

/** "BRK-2026-01 100件 by 3月5日, the rest (BRK-2026-01 150件) on 3月9日". */
function splitWords(request: ParsedMessage, split: SplitOffer, today: string): string {
  const lang = request.language;
  const f = texts(lang).format;
  const lines = new Map(
    request.items.map((i, index) => [index + 1, { materialCode: i.sku, unit: i.unit ?? '' }] as const),
  );
  return texts(lang).repromise.card.splitValue({
    now: partsText(lang, split.now, lines),
    rest: partsText(lang, split.rest, lines),
    promised: f.date(request.dueDate!, today),
    restDate: f.date(split.restDate, today),
  });
}

/**
 * The request's lines as a split order's: the part that makes the date first, then the rest with the later
 * date; confirmation makes the later lines a delivery of their own.
 */
function splitItems(request: ParsedMessage, split: SplitOffer): ParsedItem[] {
  const part = (parts: SplitOffer['now'], index: number) => parts.find((p) => p.lineNo === index + 1)?.quantity ?? 0;
  const now = request.items.flatMap((item, i) =>
    part(split.now, i) > 0 ? [{ ...item, quantity: part(split.now, i) }] : [],
  );
  const rest = request.items.flatMap((item, i) =>
    part(split.rest, i) > 0 ? [{ ...item, quantity: part(split.rest, i), dueDate: split.restDate }] : [],
  );
  return [...now, ...rest];
}

function updateCard(ctx: HandlerContext, row: CardRow, card: Card, callbackRef?: string) {
  return replaceCard(ctx, row, card, { key: `${ctx.eventKey}:card:${row.id}`, callbackRef });
}

/** Creates the order from a blocked request at `dueDate` if the plant can still make it; else the new earliest. */
async function orderFromDraft(
  ctx: HandlerContext,
  draft: Draft,
  dueDate: string | null,
  expedite: boolean,
  split = false,
): Promise<{ number: string } | { earliest: string | null }> {
  const request = draft.parsed as BlockedRequest;
  const offer = split ? await splitOffer(ctx, request) : null;
  if (split && !offer) return { earliest: null };
  const lines = offer ? splitItems(request, offer) : request.items;
  const items = lines.map((i) => ({ materialCode: i.sku, quantity: i.quantity! }));
  const promise = await promiseFor(ctx, items, { expedite });
  const target = dueDate ?? (promise.feasible && !offer ? promise.date : null) ?? request.dueDate;
  const verdict = offer ? checkSplit(lines, promise, target!) : checkPromise(target!, promise);
  if (!verdict.ok || !promise.feasible || !target) return { earliest: promise.feasible ? promise.date : null };
  await ctx.tx.update(drafts).set({ status: 'completed' }).where(eq(drafts.id, draft.id));
  const known = await findMaterials(
    ctx.tx,
    items.map((i) => i.materialCode),
  );
  const { checks, settled, expediteGranted, split: _, ...parsed } = request;
  const req: OrderRequest = {
    ...settled,
    request: { ...parsed, items: lines, dueDate: target, urgent: request.urgent || expedite },
    requestedAt: draft.requestedAt,
    sourceText: draft.sourceText,
  };
  const { number, orderId } = await createOrder(draftEvent(draft, ctx), ctx, req, { materials: known }, promise);
  for (const check of checks ?? []) {
    await recordOrderEvent(ctx.tx, {
      orderId,
      at: new Date(check.at),
      type: 'promise-blocked',
      data: { ...check, expedite },
    });
  }
  return { number };
}

/** A split holds when every line makes its own date. */
function checkSplit(lines: ParsedItem[], promise: OrderPromise, requested: string): { ok: boolean } {
  if (!promise.feasible) return { ok: false };
  return { ok: promise.items.every((item, i) => item.date <= (lines[i]!.dueDate ?? requested)) };
}

/** "Offer 3月9日" / "Escalate to tech" on the card of a request the plant could not meet. */
export async function handlePromiseChoice(event: CardActionEvent, ctx: HandlerContext, row: CardRow) {
  const draft = await lockedDraft(ctx, row);
  const lang = (draft?.parsed as BlockedRequest | undefined)?.language ?? 'zh';
  const t = texts(lang).promise;
  const notify = (text: string) => tellTapper(ctx, event, text);
  if (draft?.status !== 'blocked') return notify(t.choiceTaken);
  if (event.actorId !== draft.senderId) return notify(t.onlyRequester(personName(ctx.config, draft.senderId)));
  const request = draft.parsed as BlockedRequest;
  const card = row.content as Card;
  const post = (text: string) =>
    ctx.emit({ kind: 'post', to: { conversationId: draft.conversationId }, text }, `${ctx.eventKey}:post`);

  if (event.actionKey === 'offer' || event.actionKey === 'split') {
    const split = event.actionKey === 'split';
    const result = await orderFromDraft(
      ctx,
      draft,
      split ? request.dueDate : null,
      request.expediteGranted ?? false,
      split,
    );
    if ('number' in result) {
      const resolved = resolveCard(card, { status: 'approved', text: t.blockedCard.ordered(result.number) });
      return updateCard(ctx, row, resolved, event.callbackRef);
    }
    return post(t.planChanged);
  }
  if (event.actionKey !== 'escalate') return notify(texts(lang).approvals.unknownAction(event.actionKey));
  const [escalated] = await ctx.tx
    .select({ id: cards.id })
    .from(cards)
    .where(and(eq(cards.draftId, draft.id), eq(cards.purpose, 'expedite')))
    .limit(1);
  if (escalated) return notify(t.alreadyEscalated);
  await sendExpediteCards(ctx, draft, row, card);
  const department = expediteDepartment(ctx);
  const leads = department.leads.map((id) => personName(ctx.config, id)).join('/');
  const asked = {
    ...card,
    buttons: card.buttons.filter((b) => b.key !== 'escalate'),
    notes: [...(card.notes ?? []), t.blockedCard.escalated(departmentName(ctx.config, department.key, lang), leads)],
  };
  await updateCard(ctx, row, asked, event.callbackRef);
  await post(t.escalatedToTech(departmentName(ctx.config, department.key, lang), leads));
}

/** One expedite card per lead of the tech department: the request as the sales chat saw it, and what binds it. */
async function sendExpediteCards(ctx: HandlerContext, draft: Draft, row: CardRow, blocked: Card) {
  const department = expediteDepartment(ctx);
  const t = texts(PLANT_LANG);
  const today = chinaDate(ctx.now);
  const request = draft.parsed as BlockedRequest;
  const promise = await promiseFor(
    ctx,
    request.items.map((i) => ({ materialCode: i.sku, quantity: i.quantity! })),
  );
  const binding = (promise.feasible ? promise.binding : promise.items.flatMap((i) => i.constraints)).filter(
    (c) => c.kind !== 'transit',
  );
  const c = t.promise.expediteCard;
  for (const lead of department.leads) {
    const expedite: Card = {
      id: newCardId(),
      title: c.title(department.name),
      subtitle: c.subtitle(personName(ctx.config, draft.senderId)),
      fields: [
        ...blocked.fields.filter((f) => f.key !== 'why'),
        ...binding.map((b, i) => ({
          key: `constraint:${i + 1}`,
          label: c.constraint,
          value: t.promise.constraint(b, today),
          tone: 'red' as const,
        })),
      ],
      notes: [c.source(draft.sourceText), c.explain],
      ...expediteChoices(ctx, department.key),
    };
    await ctx.tx.insert(cards).values({
      id: expedite.id,
      draftId: draft.id,
      purpose: 'expedite',
      platform: row.platform,
      recipientId: lead,
      content: expedite,
      createdAt: ctx.now,
    });
    await ctx.emit({ kind: 'send-card', to: { userId: lead }, card: expedite }, `card:${expedite.id}:send`);
  }
}

/** The tech lead's answer on an expedite card: approve re-runs the check with the expedite granted. */
export async function handleExpediteDecision(event: CardActionEvent, ctx: HandlerContext, row: CardRow) {
  if (row.draftId === null && row.orderId !== null) return handleOrderExpedite(event, ctx, row);
  const plant = texts(PLANT_LANG).promise;
  const notify = (text: string) => tellTapper(ctx, event, text);
  const draft = await lockedDraft(ctx, row);
  const department = expediteDepartment(ctx);
  if (!department.leads.includes(event.actorId) && department.director !== event.actorId) {
    return notify(plant.notExpediter(department.name));
  }
  if (draft?.status !== 'blocked' || (draft.parsed as BlockedRequest).expediteGranted !== undefined) {
    return notify(plant.expediteDecided);
  }
  const reason = event.note?.trim() || chosenReason(row.content as Card, event.actionKey, event.reasonId);
  if (event.actionKey === 'reject' && !reason) return notify(plant.expediteNeedsReason);
  if (event.actionKey !== 'approve' && event.actionKey !== 'reject') {
    return notify(texts(PLANT_LANG).approvals.unknownAction(event.actionKey));
  }
  const request = draft.parsed as BlockedRequest;
  const lang = request.language;
  const who = personName(ctx.config, event.actorId);
  const time = chinaTime(ctx.now);
  const approved = event.actionKey === 'approve';
  await ctx.tx
    .update(drafts)
    .set({ parsed: { ...request, expediteGranted: approved } })
    .where(eq(drafts.id, draft.id));
  const siblings = await ctx.tx
    .select()
    .from(cards)
    .where(and(eq(cards.draftId, draft.id), eq(cards.purpose, 'expedite')));
  const resolution = approved
    ? { status: 'approved' as const, text: plant.expediteCard.approvedBy(who, time) }
    : { status: 'rejected' as const, text: plant.expediteCard.rejectedBy(who, time, reason!) };
  for (const sibling of siblings) {
    const callbackRef = sibling.id === event.cardId ? event.callbackRef : undefined;
    await updateCard(ctx, sibling, resolveCard(sibling.content as Card, resolution), callbackRef);
  }
  const t = texts(lang).promise;
  const post = (text: string) =>
    ctx.emit({ kind: 'post', to: { conversationId: draft.conversationId }, text }, `${ctx.eventKey}:post`);
  if (!approved) return post(t.expediteRefused(who, reason!));
  const result = await orderFromDraft(ctx, draft, request.dueDate, true);
  if ('number' in result) return;
  const earliest = result.earliest ? texts(lang).format.date(result.earliest, chinaDate(ctx.now)) : '—';
  await post(t.expediteNotEnough(who, earliest));
}

/** A typed answer to a blocked request, for chats where the card's buttons cannot be tapped (a WeCom group). */
export function blockedChoiceOf(text: string): 'offer' | 'escalate' | 'split' | null {
  const t = text.replace(/@\S+/g, '').trim().toLowerCase();
  if (/^(拆分交付|分批交付|拆分|split( delivery)?)$/.test(t)) return 'split';
  if (/^(按最早(交期)?下单|接受最早(交期)?|offer|take the earliest( date)?)$/.test(t)) return 'offer';
  if (/^(升级(技术部?)?加急|申请加急|escalate)$/.test(t)) return 'escalate';
  return null;
}

/** Answers the sender's latest blocked request in this chat as if they had tapped its card; false when there is none. */
export async function answerBlockedByText(
  event: MessageEvent,
  choice: 'offer' | 'escalate' | 'split',
  ctx: HandlerContext,
): Promise<boolean> {
  const [row] = await ctx.tx
    .select({ card: cards })
    .from(cards)
    .innerJoin(drafts, eq(cards.draftId, drafts.id))
    .where(
      and(
        eq(cards.purpose, 'blocked-request'),
        eq(drafts.status, 'blocked'),
        eq(drafts.platform, event.platform),
        eq(drafts.conversationId, event.conversationId),
        eq(drafts.senderId, event.senderId),
      ),
    )
    .orderBy(desc(drafts.id))
    .limit(1);
  if (!row) return false;
  const tap: CardActionEvent = {
    kind: 'card-action',
    platform: event.platform,
    cardId: row.card.id,
    actionKey: choice,
    actorId: event.senderId,
    receivedAt: event.receivedAt,
  };
  await handlePromiseChoice(tap, ctx, row.card);
  return true;
}

/** Who decides an expedite: the business config's tech department (validated to exist at start-up). */
function expediteDepartment(ctx: HandlerContext) {
  return ctx.config.departments.find((d) => d.key === ctx.config.techDepartment)!;
}
