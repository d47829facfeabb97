/**
 * Platform buyers linked to customers by hand, in the chat, by sales people, the ops supervisor or admins:
 * "关联买家 抖音 <买家ID> 博世" / "link buyer douyin <buyer id> to Bosch", and "取消关联 抖音 <买家ID>" /
 * "unlink buyer douyin <buyer id>". A link applies to the buyer's past orders too. The automatic link by phone
 * hash is in db/channel-customers.ts; the limits of both are in docs/channels-review.md.
 */
import { mayEditCustomers } from '../config/business-config';
import { type HandlerContext, replyToMessage } from '../core/context';
import type { MessageEvent } from '../core/events';
import { linkBuyerByHand, unlinkBuyer } from '../db/channel-customers';
import { customers } from '../db/schema';
import type { Channel } from '../domain/channels/order';
import { chinaDate } from '../domain/china-time';
import { recognizeCustomers } from '../domain/customers';
import { writerLanguage } from '../domain/parse';
import { type Lang, texts } from '../texts';
import { eq } from 'drizzle-orm';
import { customerIndex } from './customers';
import { mayReview } from './stacking-review';

export type BuyerLinkCommand =
  | { kind: 'link'; channel: Channel; buyerKey: string; subject: string }
  | { kind: 'unlink'; channel: Channel; buyerKey: string }
  /** The command's words, but not a well-formed command: the reply shows how to write it. */
  | { kind: 'usage' };

const CHANNEL_WORDS: Array<[RegExp, Channel]> = [
  [/^(?:抖音|抖店|douyin)$/i, 'douyin'],
  [/^(?:淘宝|天猫|taobao|tmall)$/i, 'taobao'],
  [/^(?:京东|jd)$/i, 'jd'],
];
// Regular expressions, not strings: the chat vocabulary (channel names, the command words) is no message text.
// The channel is one of 抖音|抖店|淘宝|天猫|京东|douyin|taobao|tmall|jd; a buyer id (encrypted or open, base64-ish) has no spaces.
const LINK_ZH =
  /^关联买家\s*(抖音|抖店|淘宝|天猫|京东|douyin|taobao|tmall|jd)\s*[:：]?\s*([A-Za-z0-9_\-=+/.:@#~]{1,128})\s+(?:到|给|为|至)?\s*(.+)$/iu;
const LINK_EN =
  /^link\s+buyer\s+(抖音|抖店|淘宝|天猫|京东|douyin|taobao|tmall|jd)\s+([A-Za-z0-9_\-=+/.:@#~]{1,128})\s+(?:to\s+)?(.+)$/iu;
const UNLINK_ZH =
  /^(?:取消|解除)关联(?:买家)?\s*(抖音|抖店|淘宝|天猫|京东|douyin|taobao|tmall|jd)\s*[:：]?\s*([A-Za-z0-9_\-=+/.:@#~]{1,128})$/iu;
const UNLINK_EN =
  /^unlink\s+buyer\s+(抖音|抖店|淘宝|天猫|京东|douyin|taobao|tmall|jd)\s+([A-Za-z0-9_\-=+/.:@#~]{1,128})$/iu;
const PREFIX = /^(?:关联买家|(?:取消|解除)关联买家|(?:un)?link\s+buyer\b)/i;
const MENTION = /@\S+/g;

function channelOf(word: string): Channel {
  return CHANNEL_WORDS.find(([re]) => re.test(word))![1];
}

/** The command in a message, or null when the message is not one. */
export function parseBuyerLinkCommand(text: string): BuyerLinkCommand | null {
  const clean = text.replace(MENTION, ' ').replace(/\s+/g, ' ').trim();
  if (!PREFIX.test(clean) && !/^(?:取消|解除)关联/.test(clean)) return null;
  const unlink = UNLINK_ZH.exec(clean) ?? UNLINK_EN.exec(clean);
  if (unlink) return { kind: 'unlink', channel: channelOf(unlink[1]!), buyerKey: unlink[2]! };
  const link = LINK_ZH.exec(clean) ?? LINK_EN.exec(clean);
  if (link) {
    const subject = link[3]!.replace(/[。.!！\s]+$/u, '').trim();
    if (subject) return { kind: 'link', channel: channelOf(link[1]!), buyerKey: link[2]!, subject };
  }
  // "取消关联" alone may be about something else; only the buyer words ask for the usage.
  return PREFIX.test(clean) ? { kind: 'usage' } : null;
}

/** Sales people and admins (who may edit customers), and the stacking reviewer. */
function mayLinkBuyers(ctx: HandlerContext, personId: string): boolean {
  return mayEditCustomers(ctx.config, personId) || mayReview(ctx.config, personId);
}

export async function handleBuyerLinkCommand(event: MessageEvent, command: BuyerLinkCommand, ctx: HandlerContext) {
  const lang: Lang = writerLanguage(event.text);
  const t = texts(lang).channels;
  const reply = (text: string) => replyToMessage(ctx, event, text);
  if (command.kind === 'usage') return reply(t.links.usage);
  if (!mayLinkBuyers(ctx, event.senderId)) return reply(t.links.refused);
  const buyer = t.buyer(command.channel, command.buyerKey);
  const today = chinaDate(ctx.now);
  const how = (link: { method: 'phone-hash' | 'manual'; linkedBy: string | null; linkedAt: Date }) =>
    t.link({
      method: link.method,
      by: link.linkedBy ? (ctx.config.people.find((p) => p.id === link.linkedBy)?.name ?? link.linkedBy) : null,
      on: texts(lang).format.date(chinaDate(link.linkedAt), today),
    });
  const nameOf = async (id: number) =>
    (await ctx.tx.select({ name: customers.name }).from(customers).where(eq(customers.id, id)))[0]?.name ?? `#${id}`;

  if (command.kind === 'unlink') {
    const removed = await unlinkBuyer(ctx.tx, command.channel, command.buyerKey);
    if (!removed) return reply(t.links.notLinked(buyer));
    ctx.log.info({ channel: command.channel, by: event.senderId }, 'channel buyer unlinked');
    const customer = await nameOf(removed.previous.customerId);
    return reply(t.links.unlinked({ buyer, customer, orders: removed.orders }));
  }

  const matches = recognizeCustomers(command.subject, await customerIndex(ctx.tx));
  if (matches.length === 0) return reply(t.links.notFound(command.subject));
  if (matches.length > 1) return reply(t.links.ambiguous(matches.map((m) => m.name)));
  const customer = matches[0]!;
  const linked = await linkBuyerByHand(ctx.tx, {
    channel: command.channel,
    buyerKey: command.buyerKey,
    customerId: customer.id,
    linkedBy: event.senderId,
    now: ctx.now,
  });
  const previous =
    linked.previous && (linked.previous.customerId !== customer.id || linked.previous.method !== 'manual')
      ? t.links.previous(await nameOf(linked.previous.customerId), how(linked.previous))
      : null;
  ctx.log.info({ channel: command.channel, customer: customer.id, by: event.senderId }, 'channel buyer linked');
  return reply(t.links.linked({ buyer, customer: customer.name, orders: linked.orders, previous }));
}
