import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import { resolveCard, type Card, type CardField } from '../cards/model';
import { personName } from '../config/business-config';
import { chinaDate, chinaTime, formatDate } from '../domain/china-time';
import type { ParsedMessage } from '../domain/parse';
import { checkPromise, loadTone, type OrderPromise } from '../domain/promise';
import { findMaterials, recordOrderEvent } from '../db/orders';
import { cards, drafts, type Draft, type CardRow } from '../db/schema';
import { replyToMessage, type HandlerContext } from '../core/context';
import type { CardActionEvent, MessageEvent } from '../core/events';
import { createOrder, type OrderRequest } from './create-order';
import { promiseFor } from './promise';
import { bindingText, blockedText, constraintText } from './promise-texts';
import { departmentName, itemLine, type Lang } from './texts';

/** A check that blocked a request, kept so the order created from it later carries its history. */
interface BlockedCheck {
  at: string;
  requested: string;
  earliest: string | null;
  explanation: string;
}
/** A request the plant cannot meet, kept until the sales person chooses: its parse, the checks, whether tech granted an expedite. */
type BlockedRequest = ParsedMessage & { expediteGranted?: boolean; checks?: BlockedCheck[] };

const newCardId = () => `c_${randomUUID().replaceAll('-', '').slice(0, 20)}`;

function reasonsOf(promise: OrderPromise, lang: Lang, today: string): string {
  if (promise.feasible) return bindingText(promise.binding, lang, today);
  return bindingText(
    promise.items.flatMap((i) => i.constraints),
    lang,
    today,
  );
}

function lineLoadFields(promise: OrderPromise, today: string): CardField[] {
  const loads = promise.items.flatMap((i) => i.constraints).filter((c) => c.kind === 'line-load');
  return loads.map((c) => ({
    label: `${c.line}线负荷`,
    value: `${Math.round(c.load * 100)}%（至${formatDate(c.until, 'zh', today)}）`,
    tone: loadTone(c.load),
  }));
}

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
  const [draft] = await ctx.tx
    .insert(drafts)
    .values({
      platform: event.platform,
      conversationId: event.conversationId,
      senderId: event.senderId,
      parsed: {
        ...req.request,
        checks: [
          {
            at: ctx.now.toISOString(),
            requested: req.request.dueDate!,
            earliest,
            explanation: reasonsOf(promise, 'zh', today),
          },
        ],
      } satisfies BlockedRequest,
      sourceText: req.sourceText,
      requestedAt: req.requestedAt,
      expiresAt: new Date(ctx.now.getTime() + 24 * 3600_000),
      status: 'blocked',
    })
    .returning();
  const text = blockedText({ lang, requested: req.request.dueDate!, earliest, reasons, today });
  await replyToMessage(ctx, event, text);
  const zh = lang === 'zh';
  const card: Card = {
    id: newCardId(),
    title: zh ? '交期不可行' : 'Date not possible',
    fields: [
      ...req.request.items.map((i) => ({
        label: zh ? '物料' : 'Item',
        value: itemLine({ materialCode: i.sku, quantity: i.quantity!, unit: i.unit ?? '', kind: i.kind }, lang),
      })),
      { label: zh ? '要求交期' : 'Requested', value: formatDate(req.request.dueDate!, lang, today) },
      { label: zh ? '最早可交' : 'Earliest', value: earliest ? formatDate(earliest, lang, today) : '—', tone: 'red' },
      { label: zh ? '原因' : 'Why', value: reasons || '—' },
      ...lineLoadFields(promise, today),
    ],
    buttons: [
      { key: 'escalate', label: zh ? '升级技术部加急' : 'Escalate to tech for an expedite', style: 'primary' },
      ...(earliest
        ? [
            {
              key: 'offer',
              label: zh ? `按${formatDate(earliest, lang, today)}下单` : `Offer ${formatDate(earliest, lang, today)}`,
              style: 'default' as const,
            },
          ]
        : []),
    ],
  };
  await ctx.tx.insert(cards).values({
    id: card.id,
    draftId: draft!.id,
    purpose: 'blocked-request',
    platform: event.platform,
    recipientId: event.conversationId,
    content: card,
    createdAt: ctx.now,
  });
  await ctx.emit({ kind: 'send-card', to: { conversationId: event.conversationId }, card }, `card:${card.id}:send`);
}

/** The message a blocked request came from, rebuilt so an order can be created from a tap. */
function sourceEvent(draft: Draft, ctx: HandlerContext): MessageEvent {
  return {
    kind: 'message',
    platform: draft.platform,
    conversationId: draft.conversationId,
    senderId: draft.senderId,
    senderName: personName(ctx.config, draft.senderId),
    text: draft.sourceText,
    messageId: `draft:${draft.id}`,
    receivedAt: draft.requestedAt.toISOString(),
    addressedToBot: true,
  };
}

async function lockedDraft(ctx: HandlerContext, id: number | null): Promise<Draft | undefined> {
  if (id === null) return undefined;
  const [draft] = await ctx.tx.select().from(drafts).where(eq(drafts.id, id)).for('update');
  return draft;
}

async function updateCard(ctx: HandlerContext, row: CardRow, card: Card, callbackRef?: string) {
  await ctx.tx.update(cards).set({ content: card }).where(eq(cards.id, row.id));
  await ctx.emit(
    { kind: 'update-card', cardId: row.id, card, ...(callbackRef ? { callbackRef } : {}) },
    `${ctx.eventKey}:card:${row.id}`,
    { platform: row.platform },
  );
}

/** Creates the order from a blocked request at `dueDate`, if the plant can still make it; false when not. */
async function orderFromDraft(
  ctx: HandlerContext,
  draft: Draft,
  dueDate: string | null,
  expedite: boolean,
): Promise<{ number: string } | { earliest: string | null }> {
  const request = draft.parsed as BlockedRequest;
  const items = request.items.map((i) => ({ materialCode: i.sku, quantity: i.quantity! }));
  const promise = await promiseFor(ctx, items, { expedite });
  const target = dueDate ?? (promise.feasible ? promise.date : null);
  const verdict = target ? checkPromise(target, promise) : { ok: false as const, earliest: null };
  if (!verdict.ok || !promise.feasible || !target) return { earliest: promise.feasible ? promise.date : null };
  await ctx.tx.update(drafts).set({ status: 'completed' }).where(eq(drafts.id, draft.id));
  const known = await findMaterials(
    ctx.tx,
    items.map((i) => i.materialCode),
  );
  const req: OrderRequest = {
    request: { ...request, dueDate: target, urgent: request.urgent || expedite },
    requestedAt: draft.requestedAt,
    sourceText: draft.sourceText,
  };
  const { number, orderId } = await createOrder(sourceEvent(draft, ctx), ctx, req, known, promise);
  for (const check of request.checks ?? []) {
    await recordOrderEvent(ctx.tx, {
      orderId,
      at: new Date(check.at),
      type: 'promise-blocked',
      data: { ...check, expedite },
    });
  }
  return { number };
}

/** "Offer 3月9日" / "Escalate to tech" on the card of a request the plant could not meet. */
export async function handlePromiseChoice(event: CardActionEvent, ctx: HandlerContext, row: CardRow) {
  const notify = (text: string) =>
    ctx.emit({ kind: 'post', to: { userId: event.actorId }, text }, `${ctx.eventKey}:notice`);
  const draft = await lockedDraft(ctx, row.draftId);
  if (draft?.status !== 'blocked') return notify('这项需求已经处理过了。');
  if (event.actorId !== draft.senderId)
    return notify(`只有提出需求的${personName(ctx.config, draft.senderId)}可以选择。`);
  const request = draft.parsed as BlockedRequest;
  const lang = request.language;
  const card = row.content as Card;
  const post = (text: string) =>
    ctx.emit({ kind: 'post', to: { conversationId: draft.conversationId }, text }, `${ctx.eventKey}:post`);

  if (event.actionKey === 'offer') {
    const result = await orderFromDraft(ctx, draft, null, request.expediteGranted ?? false);
    if ('number' in result)
      return updateCard(
        ctx,
        row,
        resolveCard(card, { status: 'approved', text: `已按最早交期下单 · ${result.number}` }),
        event.callbackRef,
      );
    return post(
      lang === 'zh'
        ? '计划有变，暂时排不上产，请稍后再试或升级技术部。'
        : 'The plan changed and no date is available now; try again or escalate to tech.',
    );
  }
  if (event.actionKey !== 'escalate') return notify(`不认识的操作“${event.actionKey}”。`);
  const [escalated] = await ctx.tx
    .select({ id: cards.id })
    .from(cards)
    .where(and(eq(cards.draftId, draft.id), eq(cards.purpose, 'expedite')))
    .limit(1);
  if (escalated) return notify('已经提交过加急评估，请等技术部答复。');

  const department = expediteDepartment(ctx);
  const today = chinaDate(ctx.now);
  const promise = await promiseFor(
    ctx,
    request.items.map((i) => ({ materialCode: i.sku, quantity: i.quantity! })),
  );
  for (const lead of department.leads) {
    const expedite: Card = {
      id: newCardId(),
      title: `加急评估 · ${department.name}`,
      subtitle: `${personName(ctx.config, draft.senderId)} 申请加急`,
      fields: [
        ...card.fields.filter((f) => f.label !== '原因' && f.label !== 'Why'),
        ...(promise.feasible ? promise.binding : promise.items.flatMap((i) => i.constraints))
          .filter((c) => c.kind !== 'transit')
          .map((c) => ({ label: '约束', value: constraintText(c, 'zh', today), tone: 'red' as const })),
      ],
      notes: [`原文：${draft.sourceText}`, '同意加急：按加急（线体负荷可压满、采购周期可缩短）重新核算交期。'],
      buttons: [
        { key: 'approve', label: '同意加急', style: 'primary' },
        { key: 'reject', label: '不能加急', style: 'danger' },
      ],
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
  const leads = department.leads.map((id) => personName(ctx.config, id)).join('/');
  await updateCard(
    ctx,
    row,
    {
      ...card,
      buttons: card.buttons.filter((b) => b.key !== 'escalate'),
      notes: [...(card.notes ?? []), `已提交${department.name}（${leads}）评估加急`],
    },
    event.callbackRef,
  );
  await post(
    lang === 'zh'
      ? `已提交${department.name}（${leads}）评估加急，结果会发到本群。`
      : `Escalated to ${departmentName(ctx.config, department.key, 'en')} (${leads}); the answer will be posted here.`,
  );
}

/** The tech lead's answer on an expedite card: approve re-runs the check with the expedite granted. */
export async function handleExpediteDecision(event: CardActionEvent, ctx: HandlerContext, row: CardRow) {
  const notify = (text: string) =>
    ctx.emit({ kind: 'post', to: { userId: event.actorId }, text }, `${ctx.eventKey}:notice`);
  const draft = await lockedDraft(ctx, row.draftId);
  const department = expediteDepartment(ctx);
  if (!department.leads.includes(event.actorId) && department.director !== event.actorId) {
    return notify(`您不是${department.name}的加急评估人，操作未生效。`);
  }
  if (draft?.status !== 'blocked' || (draft.parsed as BlockedRequest).expediteGranted !== undefined) {
    return notify('这项加急申请已经处理过了。');
  }
  if (event.actionKey === 'reject' && !event.note?.trim()) return notify('不能加急需要填写原因，请写明原因后再点。');
  if (event.actionKey !== 'approve' && event.actionKey !== 'reject')
    return notify(`不认识的操作“${event.actionKey}”。`);
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
  for (const sibling of siblings) {
    const resolution = approved
      ? { status: 'approved' as const, text: `已同意加急 · ${who} ${time}` }
      : { status: 'rejected' as const, text: `不能加急 · ${who} ${time}：${event.note!.trim()}` };
    await updateCard(
      ctx,
      sibling,
      resolveCard(sibling.content as Card, resolution),
      sibling.id === event.cardId ? event.callbackRef : undefined,
    );
  }
  const post = (text: string) =>
    ctx.emit({ kind: 'post', to: { conversationId: draft.conversationId }, text }, `${ctx.eventKey}:post`);
  if (!approved) {
    return post(
      lang === 'zh'
        ? `${who}：不能加急（${event.note!.trim()}）。仍可按最早交期下单。`
        : `${who}: no expedite (${event.note!.trim()}). You can still take the earliest date.`,
    );
  }
  const result = await orderFromDraft(ctx, draft, request.dueDate, true);
  if ('number' in result) return;
  const today = chinaDate(ctx.now);
  const earliest = result.earliest ? formatDate(result.earliest, lang, today) : '—';
  await post(
    lang === 'zh'
      ? `${who}同意加急，但仍赶不上：加急后最早${earliest}。可按该日期下单。`
      : `${who} granted an expedite, but the earliest is still ${earliest}. You can take that date.`,
  );
}

/** A typed answer to a blocked request, for chats where the card's buttons cannot be tapped (a WeCom group). */
export function blockedChoiceOf(text: string): 'offer' | 'escalate' | null {
  const t = text.replace(/@\S+/g, '').trim().toLowerCase();
  if (/^(按最早(交期)?下单|接受最早(交期)?|offer|take the earliest( date)?)$/.test(t)) return 'offer';
  if (/^(升级(技术部?)?加急|申请加急|escalate)$/.test(t)) return 'escalate';
  return null;
}

/** Answers the sender's latest blocked request in this chat as if they had tapped its card; false when there is none. */
export async function answerBlockedByText(
  event: MessageEvent,
  choice: 'offer' | 'escalate',
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
