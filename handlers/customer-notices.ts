import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { type NoticeMilestone, noticeMilestonesOf } from '../config/business-config';
import { envSchema } from '../config/env';
import type { HandlerContext } from '../core/context';
import { SMS_PLATFORM } from '../core/effects';
import type { Queryable } from '../db/client';
import { recordOrderEvent } from '../db/orders';
import { customers, type Order, orderEvents, orders, platformTokens } from '../db/schema';
import { chinaDate, chinaTime } from '../domain/china-time';
import { promisedInstant, quietHoursEnd } from '../domain/lifecycle';
import { carrierName } from '../integrations/courier/carriers';
import { maskPhone } from '../integrations/sms/port';
import { smsTemplateReady } from '../integrations/sms/sms-config';
import { texts } from '../texts';
import { CUSTOMER_LANG } from './names';

/** A point in an order's life the customer hears about (if their settings say so). */
export type CustomerMilestone = { kind: 'confirmed' } | { kind: 'shipped' } | { kind: 'promise-changed'; from: string };

/** The order event each notice (or the reason it could not go) is recorded as. */
export const NOTICE_EVENT = 'customer-notice';

/**
 * Tells the order's customer about a milestone by SMS, when the config's `customerNotices` chooses it for
 * that customer: through the SMS provider's template of the same name, held until quiet hours end, once
 * per order and milestone (and new date, for a changed promise). A customer without a phone, or a
 * provider without the template, gets nothing; the order's history says why.
 */
export async function noticeCustomer(ctx: HandlerContext, orderId: number, milestone: CustomerMilestone) {
  const { milestones, customers: own } = ctx.config.customerNotices;
  // Notices off for everyone (the default): nothing to read.
  if (milestones.length === 0 && Object.keys(own).length === 0) return;
  const [order] = await ctx.tx.select().from(orders).where(eq(orders.id, orderId));
  if (!order?.stage || order.status !== 'confirmed') return;
  const [customer] =
    order.customerId === null ? [] : await ctx.tx.select().from(customers).where(eq(customers.id, order.customerId));
  const name: NoticeMilestone = milestone.kind;
  if (!noticeMilestonesOf(ctx.config, customer?.name ?? order.customerName).includes(name)) return;
  // A jump from packed to delivered completes shipping too: "shipped" would be news too late.
  if (name === 'shipped' && order.stage === 'delivered') return;
  const message = composeNotice(ctx, order, milestone);
  if (!message) return;
  const key = `order:${order.id}:notice:${name}${milestone.kind === 'promise-changed' ? `:${order.promisedDate}` : ''}`;
  if (await alreadyNoticed(ctx, order.id, key)) return;

  const record = (data: Record<string, unknown>) =>
    recordOrderEvent(ctx.tx, {
      orderId: order.id,
      at: ctx.now,
      type: NOTICE_EVENT,
      data: { milestone: name, key, ...message.facts, ...data },
    });
  const phone = customer?.contactPhone?.trim() || null;
  if (!phone) return record({ outcome: 'no-phone', sms: null });
  if (!smsTemplateReady(process.env, name)) {
    ctx.log.warn(
      { orderId: order.id, template: name },
      'customer notice not sent: the SMS provider has no such template',
    );
    return record({ outcome: 'no-template', sms: null });
  }
  const link = await statusLink(ctx.tx, order.number, ctx.now, ctx.config.customerNotices.linkDays);
  const params = { ...message.params, ...(link ? { link } : {}) };
  const smsAt = quietHoursEnd(ctx.now, ctx.config.lifecycle.quietHours);
  // No `notify`: the sales chat is asked to call only about a delay; a notice refused is logged and kept in sms_messages.
  await ctx.emit(
    { kind: 'sms', phone, template: name, params, text: message.text(ctx.config.company, link) },
    `${key}:sms`,
    { orderId: order.id, platform: SMS_PLATFORM, ...(smsAt ? { notBefore: smsAt } : {}) },
  );
  await record({
    outcome: smsAt ? 'held' : 'queued',
    sms: (smsAt ?? ctx.now).toISOString(),
    phone: maskPhone(phone),
    link: link !== undefined,
  });
}

interface Notice {
  /** The vendor template's params (all strings), without the link. */
  params: Record<string, string>;
  text(company: string, link: string | undefined): string;
  /** What the order's history keeps about it. */
  facts: Record<string, unknown>;
}

/** The notice's words and params; null when the order has nothing to say for it (no date to promise). */
function composeNotice(ctx: HandlerContext, order: Order, milestone: CustomerMilestone): Notice | null {
  const t = texts(CUSTOMER_LANG);
  const today = chinaDate(ctx.now);
  const { deliverBy } = ctx.config.lifecycle;
  const by = (at: Date) => t.notices.by(t.format.date(chinaDate(at), today), chinaTime(at));
  switch (milestone.kind) {
    case 'confirmed': {
      const promisedAt = order.promisedDate ? promisedInstant(order.promisedDate, deliverBy) : null;
      const at = order.etd && (!promisedAt || order.etd < promisedAt) ? order.etd : promisedAt;
      if (!at) return null;
      return {
        params: { order: order.number, when: by(at) },
        text: (company, link) => t.sms.confirmed({ company, order: order.number, when: by(at), link }),
        facts: { when: at.toISOString() },
      };
    }
    case 'shipped': {
      const carrier = order.carrier ? carrierName(order.carrier) : t.sms.noCarrier;
      const waybill = order.waybill ?? t.sms.noWaybill;
      return {
        params: { order: order.number, carrier, waybill },
        text: (company, link) => t.sms.shipped({ company, order: order.number, carrier, waybill, link }),
        facts: { carrier: order.carrier, waybill: order.waybill },
      };
    }
    case 'promise-changed': {
      const to = order.promisedDate;
      if (!to || !/^\d{4}-\d{2}-\d{2}$/.test(milestone.from) || milestone.from === to) return null;
      const params = {
        order: order.number,
        from: t.format.date(milestone.from, today),
        to: by(promisedInstant(to, deliverBy)),
      };
      return {
        params,
        text: (company, link) => t.sms.promiseChanged({ company, ...params, link }),
        facts: { from: milestone.from, to },
      };
    }
  }
}

async function alreadyNoticed(ctx: HandlerContext, orderId: number, key: string): Promise<boolean> {
  const rows = await ctx.tx
    .select({ data: orderEvents.data })
    .from(orderEvents)
    .where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.type, NOTICE_EVENT)));
  return rows.some((row) => row.data.key === key);
}

// ---- status links ----------------------------------------------------------------------------------

const linkEnvSchema = z.object({
  PUBLIC_URL: envSchema.shape.PUBLIC_URL,
  STATUS_LINK_SECRET: envSchema.shape.STATUS_LINK_SECRET,
});

/** The status links' settings from the environment (read when used: `.env` is loaded into it at start). */
export function statusLinkEnv(source: Record<string, string | undefined> = process.env): {
  publicUrl?: string;
  secret?: string;
} {
  const parsed = linkEnvSchema.safeParse(source);
  if (!parsed.success) return {};
  return {
    ...(parsed.data.PUBLIC_URL ? { publicUrl: parsed.data.PUBLIC_URL.replace(/\/+$/, '') } : {}),
    ...(parsed.data.STATUS_LINK_SECRET ? { secret: parsed.data.STATUS_LINK_SECRET } : {}),
  };
}

/** The platform_tokens row holding the generated secret: it never expires. */
const SECRET_ROW = 'status-link-secret';
const NEVER = new Date('9999-12-31T00:00:00Z');

/**
 * The key status links are signed with: STATUS_LINK_SECRET, else one generated at the first use and kept
 * in the database (platform_tokens), the same for every process. Losing it only ends the links given out.
 */
export async function statusLinkSecret(q: Queryable, now: Date, source = process.env): Promise<Buffer> {
  const fromEnv = statusLinkEnv(source).secret;
  if (fromEnv) return Buffer.from(fromEnv, 'utf8');
  const read = async () =>
    (await q.select({ token: platformTokens.token }).from(platformTokens).where(eq(platformTokens.key, SECRET_ROW)))[0]
      ?.token;
  let token = await read();
  if (!token) {
    await q
      .insert(platformTokens)
      .values({ key: SECRET_ROW, token: randomBytes(32).toString('base64url'), expiresAt: NEVER, refreshedAt: now })
      .onConflictDoNothing();
    token = await read();
  }
  if (!token) throw new Error('status link secret: not stored');
  return Buffer.from(token, 'base64url');
}

/** Bytes of HMAC-SHA256 a token carries: 96 bits, 16 characters of base64url. */
const SIGNATURE_BYTES = 12;

function signature(secret: Buffer, number: string, expires: string): Buffer {
  return createHmac('sha256', secret).update(`${number}.${expires}`, 'utf8').digest().subarray(0, SIGNATURE_BYTES);
}

/** "SO-20260224-0001.tbx3k0.<signature>": the order number, the expiry (unix seconds, base 36), the HMAC. */
export function signStatusToken(secret: Buffer, number: string, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000).toString(36);
  return `${number}.${expires}.${signature(secret, number, expires).toString('base64url')}`;
}

const TOKEN = /^([A-Za-z0-9-]{1,40})\.([0-9a-z]{1,9})\.([A-Za-z0-9_-]{16})$/;

/** The order number a token opens, or null: malformed, altered, or expired (no reason given). */
export function readStatusToken(secret: Buffer, token: string, now: Date): string | null {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const [, number, expires, given] = m as unknown as [string, string, string, string];
  const expected = signature(secret, number, expires);
  const actual = Buffer.from(given, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  return Number.parseInt(expires, 36) * 1000 > now.getTime() ? number : null;
}

/** The status page's address for an order, valid `days` from `now`; undefined without PUBLIC_URL or with 0 days. */
export async function statusLink(
  q: Queryable,
  number: string,
  now: Date,
  days: number,
  source = process.env,
): Promise<string | undefined> {
  const { publicUrl } = statusLinkEnv(source);
  if (!publicUrl || days <= 0) return undefined;
  const secret = await statusLinkSecret(q, now, source);
  return `${publicUrl}/s/${signStatusToken(secret, number, new Date(now.getTime() + days * 86_400_000))}`;
}
