import { and, count, eq, isNull, sql } from 'drizzle-orm';
import { type Card, resolveCard, newCardId } from '../cards/model';
import { mayEditCustomers } from '../config/business-config';
import { replaceCard, tellTapper } from './card-updates';
import { type HandlerContext, replyToMessage } from '../core/context';
import type { CardActionEvent, MessageEvent } from '../core/events';
import type { Queryable } from '../db/client';
import { fixedQuery } from '../db/fixed-query';
import { type CardRow, cards, customerListVersions, customers, orders } from '../db/schema';
import type { ContactCommand } from '../domain/contact-command';
import { buildCustomerIndex, type CustomerIndex, recognizeCustomers } from '../domain/customers';
import { writerLanguage } from '../domain/parse';
import { maskPhone } from '../integrations/sms/port';
import { type Lang, texts } from '../texts';

/** The customer an order is for: one in the customer list, or a name as written that the list lacks. */
export type OrderCustomer = { id: number; name: string } | { id: null; name: string };

/** Who a request is for, as the message names it. */
export type CustomerResolution =
  | { kind: 'known'; customer: { id: number; name: string } }
  | { kind: 'ambiguous'; candidates: Array<{ id: number; name: string }> }
  | { kind: 'unknown'; customer: { id: null; name: string } }
  | { kind: 'none' };

let cached: { version: string; index: CustomerIndex } | undefined;

const listStamp = fixedQuery((q) => q.select({ version: customerListVersions.version }).from(customerListVersions));

/**
 * The customer list as a name index. Rebuilt when the list changed (in this process or another: an import, a
 * customer added from a card), which the stamp a trigger renews on every change to customers tells (random, so
 * two databases, a test run's, never share an index). Without the stamp's row, a sum of the rows' hashes tells.
 */
export async function customerIndex(q: Queryable, known?: { stamp: string | null }): Promise<CustomerIndex> {
  const stamp = known ? known.stamp : (await listStamp(q))[0]?.version;
  const version = stamp ? `stamp:${stamp}` : await hashOfNames(q);
  if (cached?.version === version) return cached.index;
  const rows = await q.select({ id: customers.id, name: customers.name, aliases: customers.aliases }).from(customers);
  cached = { version, index: buildCustomerIndex(rows) };
  return cached.index;
}

async function hashOfNames(q: Queryable): Promise<string> {
  const [state] = await q
    .select({
      n: count(),
      hash: sql<string>`coalesce(sum(hashtext(${customers.id} || '|' || ${customers.name} || '|' || array_to_string(${customers.aliases}, '|'))), 0)::text`,
    })
    .from(customers);
  return `${state?.n ?? 0}:${state?.hash ?? 0}`;
}

/**
 * The customer a message names: any known name, alias or short name anywhere in it (the recogniser's
 * rules), else the name a sales person labelled ("客户：新能科技") as written, else none.
 */
export async function resolveCustomer(
  ctx: HandlerContext,
  text: string,
  labelled: string | null,
  /** The index when the caller has read it already. */
  index?: CustomerIndex,
) {
  const matches = recognizeCustomers(text, index ?? (await customerIndex(ctx.tx)));
  const resolution: CustomerResolution =
    matches.length > 1
      ? { kind: 'ambiguous', candidates: matches.map(({ id, name }) => ({ id, name })) }
      : matches.length === 1
        ? { kind: 'known', customer: { id: matches[0]!.id, name: matches[0]!.name } }
        : labelled
          ? { kind: 'unknown', customer: { id: null, name: labelled } }
          : { kind: 'none' };
  return resolution;
}

/** "采埃孚 联系人 周工 13800138003": the customer's contact person and phone, by a sales person or an admin. */
export async function handleContactCommand(event: MessageEvent, command: ContactCommand, ctx: HandlerContext) {
  const t = texts(writerLanguage(event.text)).customers.contact;
  const reply = (text: string) => replyToMessage(ctx, event, text);
  if (!mayEditCustomers(ctx.config, event.senderId)) return reply(t.refused);
  if (command.badPhone) return reply(t.badPhone(command.badPhone));
  const matches = recognizeCustomers(command.subject, await customerIndex(ctx.tx));
  if (matches.length === 0) return reply(t.notFound(command.subject));
  if (matches.length > 1) return reply(t.ambiguous(matches.map((m) => m.name)));
  const customer = matches[0]!;
  await ctx.tx
    .update(customers)
    .set({
      ...(command.contactName ? { contactName: command.contactName } : {}),
      ...(command.phone ? { contactPhone: command.phone } : {}),
      updatedAt: ctx.now,
    })
    .where(eq(customers.id, customer.id));
  ctx.log.info({ customerId: customer.id, by: event.senderId }, 'customer contact updated from chat');
  await reply(
    t.updated({
      customer: customer.name,
      contactName: command.contactName,
      phone: command.phone ? maskPhone(command.phone) : null,
    }),
  );
}

/** To the sales person, after an order for a customer the list lacks: one tap adds it. */
export async function offerNewCustomer(
  ctx: HandlerContext,
  order: { id: number; number: string; platform: string; requesterId: string; customerName: string },
  lang: Lang,
) {
  const t = texts(lang).customers.add;
  const card: Card = {
    id: newCardId(),
    title: t.title(order.customerName),
    fields: [
      { key: 'customer', label: t.name, value: order.customerName },
      { key: 'order', label: t.order, value: order.number },
    ],
    notes: [t.note(order.customerName)],
    buttons: [{ key: 'add-customer', label: t.button, style: 'primary' }],
  };
  await ctx.tx.insert(cards).values({
    id: card.id,
    orderId: order.id,
    purpose: 'add-customer',
    platform: order.platform,
    recipientId: order.requesterId,
    content: card,
    createdAt: ctx.now,
  });
  await ctx.emit({ kind: 'send-card', to: { userId: order.requesterId }, card }, `card:${card.id}:send`, {
    orderId: order.id,
    platform: order.platform,
  });
}

/**
 * "添加客户" tapped: the name becomes a customer (or is one already, added meanwhile), and every order
 * that carries the name without a customer is linked to it.
 */
export async function handleAddCustomer(event: CardActionEvent, ctx: HandlerContext, row: CardRow) {
  const [order] = row.orderId === null ? [] : await ctx.tx.select().from(orders).where(eq(orders.id, row.orderId));
  const lang = order?.language ?? 'zh';
  const t = texts(lang);
  const notify = (text: string) => tellTapper(ctx, event, text);
  if (event.actionKey !== 'add-customer') return notify(t.approvals.unknownAction(event.actionKey));
  if (!order?.customerName) return notify(t.approvals.unknownCard);
  const name = order.customerName;
  const [added] = await ctx.tx
    .insert(customers)
    .values({ name, updatedAt: ctx.now })
    .onConflictDoNothing({ target: customers.name })
    .returning({ id: customers.id });
  const [customer] = added
    ? [added]
    : await ctx.tx.select({ id: customers.id }).from(customers).where(eq(customers.name, name));
  const linked = await ctx.tx
    .update(orders)
    .set({ customerId: customer!.id })
    .where(and(eq(orders.customerName, name), isNull(orders.customerId)))
    .returning({ id: orders.id });
  const content = row.content as Card;
  if (!content.resolved) {
    const card = resolveCard(content, { status: 'approved', text: t.customers.add.added(name) });
    await replaceCard(ctx, row, card, {
      key: `${ctx.eventKey}:card`,
      callbackRef: event.callbackRef,
      orderId: order.id,
    });
  }
  await notify(added ? t.customers.add.addedReply(name, linked.length) : t.customers.add.exists(name));
}
