import { and, desc, eq, gte, sql } from 'drizzle-orm';
import { type Card, chosenReason, newCardId, resolveCard } from '../cards/model';
import { departmentName, personName } from '../config/business-config';
import type { HandlerContext } from '../core/context';
import { replyToMessage } from '../core/context';
import type { CardActionEvent, MessageEvent } from '../core/events';
import { recordOrderEvent } from '../db/orders';
import { loadOrders, replaceHolds } from '../db/repromise';
import { type CardRow, cards, type Order, orderFollowers, orderItems, orders, repromises } from '../db/schema';
import { chinaDate, chinaTime } from '../domain/china-time';
import { promisedInstant } from '../domain/lifecycle';
import type { RepromiseChoice } from '../domain/repromise/command';
import { type Hold, holdsOf, planOf, remainingItems, splitPlan } from '../domain/repromise/replan';
import { texts } from '../texts';
import { partsText } from '../cards/repromise-card';
import { replaceCard, tellTapper } from './card-updates';
import { noticeCustomer } from './customer-notices';
import { refreshEtd } from './etd';
import { PLANT_LANG } from './names';
import { postToOrderChats } from './order-chats';
import { promiseFor } from './promise';
import { type Entry, entriesOfCard, type Repromise, redrawCard, repromiseCardId, unitsOf } from './repromise';
import { createDelivery } from './deliveries';
import { expediteChoices } from './expedite-card';
import { startLifecycle } from './stages';

/** Keep-and-expedite, move or split on the card; "move all" on a summary. */
export async function handleRepromiseChoice(event: CardActionEvent, ctx: HandlerContext, row: CardRow) {
  const entries = await entriesOfCard(ctx, row);
  if (entries.length === 0) return tellTapper(ctx, event, texts('zh').repromise.nothingOpen(''));
  const key = event.actionKey;
  const targets =
    key === 'move-all'
      ? entries.filter((e) => e.repromise.status === 'open' && e.repromise.earliest)
      : key === 'move' || key === 'split' || key === 'expedite'
        ? entries.slice(0, 1)
        : [];
  if (targets.length === 0) {
    const t = texts(entries[0]!.order.language);
    return tellTapper(ctx, event, key === 'move-all' ? t.repromise.nothingOpen('') : t.approvals.unknownAction(key));
  }
  const choice: RepromiseChoice = key === 'move-all' ? 'move' : (key as RepromiseChoice);
  for (const target of targets) {
    const said = await decide(ctx, target, choice, event.actorId);
    if (said.to === 'tapper') await tellTapper(ctx, event, said.text);
    else await postToOrderChats(ctx, target.order, said.text, `${ctx.eventKey}:${target.order.id}`);
  }
  await redrawCard(ctx, row, event.callbackRef);
}

/** The same choice typed in the chat; false when the order has no re-promise at all (not this command's text). */
export async function answerRepromiseByText(
  event: MessageEvent,
  command: { number: string; choice: RepromiseChoice },
  ctx: HandlerContext,
): Promise<boolean> {
  const [found] = await ctx.tx
    .select({ order: orders, repromise: repromises })
    .from(repromises)
    .innerJoin(orders, eq(orders.id, repromises.orderId))
    .where(eq(orders.number, command.number))
    .orderBy(desc(repromises.id))
    .limit(1)
    .for('update', { of: orders });
  if (!found) return false;
  const said = await decide(ctx, found, command.choice, event.senderId);
  await replyToMessage(ctx, event, said.text, found.order.id);
  const [row] = await ctx.tx
    .select()
    .from(cards)
    .where(eq(cards.id, repromiseCardId(found.repromise.changeId, found.order.conversationId)));
  if (row) await redrawCard(ctx, row);
  return true;
}

type Said = { to: 'chat' | 'tapper'; text: string };

async function decide(ctx: HandlerContext, entry: Entry, choice: RepromiseChoice, actorId: string): Promise<Said> {
  const { order, repromise } = entry;
  const t = texts(order.language).repromise;
  if (repromise.status !== 'open') return { to: 'tapper', text: t.nothingOpen(order.number) };
  if (!(await mayDecide(ctx, order, actorId))) {
    return { to: 'tapper', text: t.notYours(order.number, personName(ctx.config, order.requesterId)) };
  }
  const decided = { decidedAt: ctx.now, decidedBy: actorId };
  if (choice === 'move') {
    if (!repromise.earliest) return { to: 'tapper', text: t.noEarliest(order.number) };
    await ctx.tx
      .update(repromises)
      .set({ status: 'moved', ...decided })
      .where(eq(repromises.id, repromise.id));
    return { to: 'chat', text: await movePromise(ctx, order, repromise, actorId) };
  }
  if (choice === 'split') {
    const text = await splitOrder(ctx, order, repromise);
    if (text.done)
      await ctx.tx
        .update(repromises)
        .set({ status: 'split', ...decided })
        .where(eq(repromises.id, repromise.id));
    return { to: 'chat', text: text.text };
  }
  return askExpedite(ctx, order, repromise);
}

/** The sales person who placed the order, or one who follows it. */
async function mayDecide(ctx: HandlerContext, order: Order, actorId: string): Promise<boolean> {
  if (order.requesterId === actorId) return true;
  const [follower] = await ctx.tx
    .select({ personId: orderFollowers.personId })
    .from(orderFollowers)
    .where(and(eq(orderFollowers.orderId, order.id), eq(orderFollowers.personId, actorId)));
  return follower !== undefined;
}

/** The promise becomes the new earliest date, each line its own; the customer is told. */
async function movePromise(ctx: HandlerContext, order: Order, repromise: Repromise, actorId: string): Promise<string> {
  const to = repromise.earliest!;
  const [moved] = await ctx.tx
    .update(orders)
    .set({
      promisedDate: to,
      promisedAt: promisedInstant(to, ctx.config.lifecycle.deliverBy),
      alertedEtd: null,
      version: sql`${orders.version} + 1`,
    })
    .where(eq(orders.id, order.id))
    .returning();
  for (const line of repromise.lineDates) {
    if (!line.date) continue;
    await ctx.tx
      .update(orderItems)
      .set({
        promisedDate: sql`greatest(coalesce(${orderItems.requestedDate}, ${line.date}::date), ${line.date}::date)`,
      })
      .where(and(eq(orderItems.orderId, order.id), eq(orderItems.lineNo, line.lineNo)));
  }
  await recordOrderEvent(ctx.tx, {
    orderId: order.id,
    at: ctx.now,
    type: 'promise-moved',
    actorId,
    data: { from: order.promisedDate, to, change: repromise.changeId },
  });
  await refreshEtd(ctx, moved!, { kind: 'replanned' });
  await noticeCustomer(ctx, order.id, { kind: 'promise-changed', from: order.promisedDate! });
  const today = chinaDate(ctx.now);
  const f = texts(order.language).format;
  return texts(order.language).repromise.moved({
    number: order.number,
    from: f.date(order.promisedDate!, today),
    to: f.date(to, today),
    customer: order.customerId !== null,
  });
}

/**
 * What can still make the promise stays on the order, with its promise; the rest becomes a delivery of its own
 * (the order's number with "-2", "-3", …) with its own promise, reservation, stages, ETD and delay alert.
 */
async function splitOrder(
  ctx: HandlerContext,
  order: Order,
  repromise: Repromise,
): Promise<{ done: boolean; text: string }> {
  const today = chinaDate(ctx.now);
  const load = await loadOrders(ctx.tx, ctx.config, [order.id], today);
  const planned = load.input.orders[0]!;
  const plan = splitPlan(load.input, planned);
  const lang = order.language;
  const f = texts(lang).format;
  if (!plan) {
    const earliest = repromise.earliest ? f.date(repromise.earliest, today) : texts(lang).repromise.card.noDate;
    return { done: false, text: texts(lang).repromise.splitGone(order.number, earliest) };
  }
  const past = planned.holds.filter((h) => h.kind === 'production' && h.day !== null && h.day < today);
  await replaceHolds(ctx.tx, ctx.now, [{ orderId: order.id, holds: [...past, ...plan.nowHolds] }]);
  const child = await createDelivery(ctx, order, {
    promisedDate: plan.offer.restDate,
    parts: plan.offer.rest,
    holds: plan.restHolds,
  });
  const parentPlan = planOf([...past, ...plan.nowHolds]);
  const [parent] = await ctx.tx
    .update(orders)
    .set({
      planStart: parentPlan.start ?? null,
      planFinish: parentPlan.finish ?? null,
      version: sql`${orders.version} + 1`,
    })
    .where(eq(orders.id, order.id))
    .returning();
  await refreshEtd(ctx, parent!, { kind: 'replanned' });
  await startLifecycle(ctx, child.id, planOf(plan.restHolds));
  const data = { child: child.number, now: plan.offer.now, rest: plan.offer.rest, restDate: plan.offer.restDate };
  await recordOrderEvent(ctx.tx, { orderId: order.id, at: ctx.now, type: 'split', data });
  await recordOrderEvent(ctx.tx, {
    orderId: child.id,
    at: ctx.now,
    type: 'split-from',
    data: { parent: order.number },
  });
  await noticeCustomer(ctx, child.id, { kind: 'promise-changed', from: order.promisedDate! });
  const lines = (await unitsOf(ctx, [order.id])).get(order.id) ?? new Map();
  return {
    done: true,
    text: texts(lang).repromise.split({
      number: order.number,
      now: partsText(lang, plan.offer.now, lines),
      promised: f.date(order.promisedDate!, today),
      child: child.number,
      rest: partsText(lang, plan.offer.rest, lines),
      restDate: f.date(plan.offer.restDate, today),
    }),
  };
}

/** Tech is asked to expedite a confirmed order; the promise stands until they answer. */
async function askExpedite(ctx: HandlerContext, order: Order, repromise: Repromise): Promise<Said> {
  const department = ctx.config.departments.find((d) => d.key === ctx.config.techDepartment)!;
  const t = texts(order.language);
  const [asked] = await ctx.tx
    .select({ id: cards.id })
    .from(cards)
    .where(
      and(
        eq(cards.orderId, order.id),
        eq(cards.purpose, 'expedite'),
        gte(cards.createdAt, repromise.createdAt),
        sql`${cards.content} -> 'resolved' is null`,
      ),
    )
    .limit(1);
  if (asked) return { to: 'tapper', text: t.promise.alreadyEscalated };
  const plant = texts(PLANT_LANG);
  const c = plant.repromise.expediteCard;
  const today = chinaDate(ctx.now);
  const d = (date: string | null) => (date ? plant.format.date(date, today) : plant.repromise.card.noDate);
  for (const lead of department.leads) {
    const card: Card = {
      id: newCardId(),
      title: c.title(department.name),
      subtitle: c.subtitle(personName(ctx.config, order.requesterId)),
      fields: [
        { key: 'order', label: c.order, value: order.number },
        { key: 'cause', label: plant.repromise.card.cause, value: plant.repromise.cause(repromise.cause, today) },
        { key: 'promised', label: plant.repromise.card.promised, value: d(repromise.promisedDate) },
        { key: 'earliest', label: plant.repromise.card.earliest, value: d(repromise.earliest), tone: 'red' },
      ],
      notes: [c.explain],
      ...expediteChoices(ctx, department.key),
    };
    await ctx.tx.insert(cards).values({
      id: card.id,
      orderId: order.id,
      purpose: 'expedite',
      platform: order.platform,
      recipientId: lead,
      content: card,
      createdAt: ctx.now,
    });
    await ctx.emit({ kind: 'send-card', to: { userId: lead }, card }, `card:${card.id}:send`, {
      orderId: order.id,
      platform: order.platform,
    });
  }
  const leads = department.leads.map((id) => personName(ctx.config, id)).join('/');
  const name = departmentName(ctx.config, department.key, order.language);
  return { to: 'chat', text: t.repromise.expediteAsked(order.number, name, leads) };
}

/**
 * Tech's answer on a confirmed order's expedite card: approved, the order is planned again past the line load;
 * the promise is kept when that makes it, else the chat still has to move or split.
 */
export async function handleOrderExpedite(event: CardActionEvent, ctx: HandlerContext, row: CardRow): Promise<void> {
  const plant = texts(PLANT_LANG).promise;
  const notify = (text: string) => tellTapper(ctx, event, text);
  const department = ctx.config.departments.find((d) => d.key === ctx.config.techDepartment)!;
  if (!department.leads.includes(event.actorId) && department.director !== event.actorId) {
    return notify(plant.notExpediter(department.name));
  }
  const [order] = await ctx.tx.select().from(orders).where(eq(orders.id, row.orderId!)).for('update');
  const [repromise] = await ctx.tx
    .select()
    .from(repromises)
    .where(and(eq(repromises.orderId, row.orderId!), eq(repromises.status, 'open')))
    .orderBy(desc(repromises.id))
    .limit(1);
  if (!order || !repromise || (row.content as Card).resolved) return notify(plant.expediteDecided);
  if (event.actionKey !== 'approve' && event.actionKey !== 'reject') {
    return notify(texts(PLANT_LANG).approvals.unknownAction(event.actionKey));
  }
  const reason = event.note?.trim() || chosenReason(row.content as Card, event.actionKey, event.reasonId);
  if (event.actionKey === 'reject' && !reason) return notify(plant.expediteNeedsReason);
  const who = personName(ctx.config, event.actorId);
  const approved = event.actionKey === 'approve';
  const resolution = approved
    ? { status: 'approved' as const, text: plant.expediteCard.approvedBy(who, chinaTime(ctx.now)) }
    : { status: 'rejected' as const, text: plant.expediteCard.rejectedBy(who, chinaTime(ctx.now), reason!) };
  const siblings = await ctx.tx
    .select()
    .from(cards)
    .where(
      and(eq(cards.orderId, order.id), eq(cards.purpose, 'expedite'), sql`${cards.content} -> 'resolved' is null`),
    );
  for (const sibling of siblings) {
    const callbackRef = sibling.id === event.cardId ? event.callbackRef : undefined;
    await replaceCard(ctx, sibling, resolveCard(sibling.content as Card, resolution), {
      key: `${ctx.eventKey}:card:${sibling.id}`,
      callbackRef,
      orderId: order.id,
    });
  }
  const t = texts(order.language).repromise;
  const post = (text: string) => postToOrderChats(ctx, order, text, `${ctx.eventKey}:post`);
  if (!approved) return post(t.expediteRefused(order.number, who, reason!));
  const date = await replanExpedited(ctx, order);
  const today = chinaDate(ctx.now);
  const f = texts(order.language).format;
  if (date && date <= order.promisedDate!) {
    await ctx.tx
      .update(repromises)
      .set({ status: 'kept', decidedAt: ctx.now, decidedBy: event.actorId })
      .where(eq(repromises.id, repromise.id));
    await post(t.expediteKept(order.number, who, f.date(order.promisedDate!, today)));
  } else {
    await ctx.tx.update(repromises).set({ earliest: date }).where(eq(repromises.id, repromise.id));
    await post(t.expediteShort(order.number, who, date ? f.date(date, today) : t.card.noDate));
  }
  const [card] = await ctx.tx
    .select()
    .from(cards)
    .where(eq(cards.id, repromiseCardId(repromise.changeId, order.conversationId)));
  if (card) await redrawCard(ctx, card);
}

/** The order promised again with the expedite granted (line load relaxed); returns its new date. */
async function replanExpedited(ctx: HandlerContext, order: Order): Promise<string | null> {
  const today = chinaDate(ctx.now);
  const load = await loadOrders(ctx.tx, ctx.config, [order.id], today);
  const planned = load.input.orders[0]!;
  const past = planned.holds.filter((h) => h.kind === 'production' && h.day !== null && h.day < today);
  await replaceHolds(ctx.tx, ctx.now, [{ orderId: order.id, holds: past }]);
  const items = remainingItems(planned, today);
  if (items.length === 0) return today;
  const promise = await promiseFor(ctx, items, { expedite: true });
  if (!promise.feasible) return null;
  const holds: Hold[] = [...past, ...promise.items.flatMap((result, i) => holdsOf(items[i]!.materialCode, result))];
  await replaceHolds(ctx.tx, ctx.now, [{ orderId: order.id, holds }]);
  const plan = planOf(holds);
  const late = promise.date > order.promisedDate!;
  const [updated] = await ctx.tx
    .update(orders)
    .set({ planStart: plan.start ?? null, planFinish: plan.finish ?? null })
    .where(eq(orders.id, order.id))
    .returning();
  await recordOrderEvent(ctx.tx, {
    orderId: order.id,
    at: ctx.now,
    type: 'expedited',
    data: { date: promise.date, plan },
  });
  await refreshEtd(ctx, updated!, { kind: 'replanned' }, { announced: late });
  return promise.date;
}
