import { eq } from 'drizzle-orm';
import { type Card, resolveCard } from '../cards/model';
import { personName } from '../config/business-config';
import { replaceCard, tellTapper } from './card-updates';
import type { HandlerContext } from '../core/context';
import type { CardActionEvent, MessageEvent } from '../core/events';
import { type CardRow, type Draft, drafts, orderFollowers } from '../db/schema';
import { recognizeCustomers } from '../domain/customers';
import { texts } from '../texts';
import { customerIndex } from './customers';
import { draftEvent, heldOf, latestHeld, lockedDraft, requestOf } from './held-requests';
import { intakeRequest } from './intake';

type Choice = { kind: 'customer'; id: number } | { kind: 'follow' } | { kind: 'separate' };

/** A tap on a held request's card: a customer's button, or "同一需求" / "新需求". */
export async function handleHeldChoice(event: CardActionEvent, ctx: HandlerContext, row: CardRow) {
  const draft = await lockedDraft(ctx, row);
  const lang = draft ? heldOf(draft).language : 'zh';
  const notify = (text: string) => tellTapper(ctx, event, text);
  if (draft?.status !== 'held') return notify(texts(lang).customers.choice.taken);
  if (event.actorId !== draft.senderId) {
    return notify(texts(lang).customers.sameNeed.onlyRequester(personName(ctx.config, draft.senderId)));
  }
  const choice = choiceOfKey(event.actionKey);
  if (!choice) return notify(texts(lang).approvals.unknownAction(event.actionKey));
  await settleHeld(ctx, draft, row, choice, event.callbackRef);
}

function choiceOfKey(key: string): Choice | null {
  if (key === 'follow') return { kind: 'follow' };
  if (key === 'separate') return { kind: 'separate' };
  const customer = /^customer:(\d+)$/.exec(key);
  return customer ? { kind: 'customer', id: Number(customer[1]) } : null;
}

/**
 * The same choice typed in the chat, where a card's buttons cannot be tapped (a WeCom group): a
 * customer's name for the held request that asked which, "同一需求" / "新需求" for the one that asked
 * whether. False when the sender has no held request or the text answers nothing it asks.
 */
export async function answerHeldByText(event: MessageEvent, text: string, ctx: HandlerContext): Promise<boolean> {
  const held = await latestHeld(ctx, event);
  if (!held) return false;
  const { hold } = heldOf(held.draft);
  let choice: Choice | null = null;
  if (hold.kind === 'customer-choice') {
    const named = recognizeCustomers(text, await customerIndex(ctx.tx)).filter((m) =>
      hold.candidates.some((c) => c.id === m.id),
    );
    if (named.length === 1) choice = { kind: 'customer', id: named[0]!.id };
  } else {
    choice = sameNeedAnswerOf(text);
  }
  if (!choice) return false;
  await settleHeld(ctx, held.draft, held.card, choice);
  return true;
}

/** "同一需求" / "关注" / "same need" / "follow" and "新需求" / "另下一单" / "new need" / "new order". */
export function sameNeedAnswerOf(text: string): Choice | null {
  const t = text.replace(/@\S+/g, '').trim().toLowerCase();
  if (/^(同一需求|是同一需求|同一个需求|关注|关注此单|same need|the same need|follow( it)?)$/.test(t))
    return { kind: 'follow' };
  if (/^(新需求|是新需求|另下一单|另外下单|new need|a new need|new order)$/.test(t)) return { kind: 'separate' };
  return null;
}

async function settleHeld(ctx: HandlerContext, draft: Draft, row: CardRow, choice: Choice, callbackRef?: string) {
  const { hold, language } = heldOf(draft);
  const t = texts(language).customers;
  if (choice.kind === 'customer') {
    if (hold.kind !== 'customer-choice') return;
    const customer = hold.candidates.find((c) => c.id === choice.id);
    if (!customer) return;
    await close(ctx, draft, row, t.choice.chosen(customer.name), callbackRef);
    return intakeRequest(draftEvent(draft, ctx), ctx, requestOf(draft, { customer }));
  }
  if (hold.kind !== 'same-need') return;
  if (choice.kind === 'separate') {
    await close(ctx, draft, row, t.sameNeed.separated, callbackRef);
    const settled = { sameNeedAnswered: true, relatedOrderId: hold.orderId };
    return intakeRequest(draftEvent(draft, ctx), ctx, requestOf(draft, settled));
  }
  await close(ctx, draft, row, t.sameNeed.followed(hold.orderNumber), callbackRef);
  await ctx.tx
    .insert(orderFollowers)
    .values({
      orderId: hold.orderId,
      personId: draft.senderId,
      platform: draft.platform,
      conversationId: draft.conversationId,
      createdAt: ctx.now,
    })
    .onConflictDoNothing();
  const text = t.sameNeed.following(hold.orderNumber);
  await ctx.emit({ kind: 'post', to: { conversationId: draft.conversationId }, text }, `${ctx.eventKey}:followed`, {
    orderId: hold.orderId,
    platform: draft.platform,
  });
}

/** The held request is answered: its draft closes and its card shows the answer instead of buttons. */
async function close(ctx: HandlerContext, draft: Draft, row: CardRow, answer: string, callbackRef?: string) {
  await ctx.tx.update(drafts).set({ status: 'completed' }).where(eq(drafts.id, draft.id));
  const card = resolveCard(row.content as Card, { status: 'approved', text: answer });
  await replaceCard(ctx, row, card, { key: `${ctx.eventKey}:card:${row.id}`, callbackRef });
}
