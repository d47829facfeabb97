import { and, arrayContains, eq, or, sql } from 'drizzle-orm';
import { departmentName, personName } from '../config/business-config';
import { type HandlerContext, replyToMessage } from '../core/context';
import type { MessageEvent } from '../core/events';
import { approvalTasks } from '../db/schema';
import { addStandIn, cancelStandIns } from '../db/stand-ins';
import type { ApprovalCommand } from '../domain/approval-command';
import { chinaDate } from '../domain/china-time';
import { writerLanguage } from '../domain/parse';
import { type Lang, texts } from '../texts';
import { nudgeFromChat } from './approval-nudge';
import { findPerson, transferFromChat } from './approval-transfer';
import { answerPendingList } from './pending-approvals';
import { stepHoldersAllowed } from './stand-ins';

/** An approval command from the chat: 催办, a transfer, a stand-in period, the pending list. */
export async function handleApprovalCommand(
  event: MessageEvent,
  command: ApprovalCommand,
  ctx: HandlerContext,
): Promise<unknown> {
  const lang = writerLanguage(event.text);
  const reply = (text: string) => replyToMessage(ctx, event, text);
  switch (command.kind) {
    case 'pending':
      return answerPendingList(event, ctx);
    case 'nudge':
      return reply(
        await nudgeFromChat(ctx, {
          number: command.orderNumber,
          platform: event.platform,
          conversationId: event.conversationId,
          senderId: event.senderId,
          lang,
        }),
      );
    case 'transfer':
      return reply(
        await transferFromChat(ctx, {
          senderId: event.senderId,
          orderNumber: command.orderNumber,
          to: command.to,
          lang,
        }),
      );
    case 'leave':
      return reply(await setLeave(ctx, event.senderId, command, lang));
    case 'cancel-leave': {
      const cancelled = await cancelStandIns(ctx.tx, event.senderId, chinaDate(ctx.now), ctx.now);
      return reply(texts(lang).approvalFlow.standInCancelled(cancelled));
    }
  }
}

/**
 * "12月5日到12月9日休假，刘工代": the sender's new cards, reminders and escalations go to the stand-in on
 * those days. The stand-in must be able to hold every department's step the sender leads or directs.
 */
async function setLeave(
  ctx: HandlerContext,
  senderId: string,
  command: Extract<ApprovalCommand, { kind: 'leave' }>,
  lang: Lang,
): Promise<string> {
  const t = texts(lang).approvalFlow;
  const { config } = ctx;
  const standIn = findPerson(config, command.standIn);
  if (!standIn) return t.unknownPerson(command.standIn);
  if (standIn === senderId) return t.standInSelf;
  if (command.until < chinaDate(ctx.now)) return t.standInPast(command.until);
  const own = config.departments.filter((d) => d.leads.includes(senderId) || d.director === senderId);
  const onLadder = config.escalationLadder.some((s) => s.to === senderId);
  if (own.length === 0 && !onLadder) return t.standInNotHolder;
  const refused = own.filter((d) => !stepHoldersAllowed(config, d.key).includes(standIn));
  if (refused.length > 0) {
    const departments = texts(lang).format.list(refused.map((d) => departmentName(config, d.key, lang)));
    return t.standInNotAllowed({ standIn: personName(config, standIn), departments });
  }
  await addStandIn(ctx.tx, {
    personId: senderId,
    standInId: standIn,
    startsOn: command.from,
    endsOn: command.until,
    createdBy: senderId,
    createdAt: ctx.now,
  });
  const [open] = await ctx.tx
    .select({ n: sql<number>`count(*)::int` })
    .from(approvalTasks)
    .where(
      and(
        eq(approvalTasks.status, 'pending'),
        or(arrayContains(approvalTasks.assignees, [senderId]), eq(approvalTasks.escalatedTo, senderId)),
      ),
    );
  return t.standInSet({
    from: command.from,
    until: command.until,
    standIn: personName(config, standIn),
    tasks: open?.n ?? 0,
  });
}
