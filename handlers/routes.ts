import { repromiseCommandOf } from '../domain/repromise/command';
import { answerRepromiseByText, handleRepromiseChoice } from './repromise-choice';
import { tellTapper } from './card-updates';
import { type HandlerContext, replyToMessage } from '../core/context';
import type { CardActionEvent, InboundEvent, MesStageReportEvent, MessageEvent, SmsOutcomeEvent } from '../core/events';
import type { CardRow } from '../db/schema';
import { parseKpiCommand, parsePauseCommand } from '../domain/kpi';
import { parseMouldCommand } from '../domain/mould-command';
import { writerLanguage } from '../domain/parse';
import { parseContactCommand } from '../domain/contact-command';
import { handleApprovalAction } from './approval-decision';
import { handleApprovalCommand } from './approval-commands';
import { parseApprovalCommand } from '../domain/approval-command';
import { handlePendingListAction } from './pending-approvals';
import { handleAddCustomer, handleContactCommand } from './customers';
import { answerHeldByText, handleHeldChoice } from './held-choices';
import { handleDraftReply, handleNewRequest, type RequestMessage, requestMessage } from './intake';
import { answerKpiQuery } from './kpi-digest';
import { handleOrderCardAction, handlePauseCommand } from './latency';
import { handleMesStageReport } from './mes-stage-report';
import { handleComplaintCommand } from './complaints';
import { parseComplaintCommand } from '../domain/complaints/command';
import { parseRiskQuery } from '../domain/risk/command';
import { answerRiskQuery } from './risk-query';
import { handleStackingReviewAction } from './stacking-review';
import { handleBuyerLinkCommand, parseBuyerLinkCommand } from './channel-customers';
import { handleMouldCommand } from './mould-update';
import { answerBlockedByText, blockedChoiceOf, handleExpediteDecision, handlePromiseChoice } from './blocked-request';
import { handleSmsOutcome } from './sms-outcome';
import { handleStageCardAction, handleStageCommand, parseStageCommand } from './stage-actions';
import { answerStatusQuery } from './status-query';
import { texts } from '../texts';
import { PLANT_LANG } from './names';

/**
 * What the bot understands, in one place.
 *
 * A chat message is tried against `chatCommands` in this order: the first command whose `match` gives
 * something (not null) handles it; a handler that finds the message is not for it after all (a typed
 * "offer" with no blocked request) returns false, and the next command is tried. The last one always
 * matches. A card tap goes to the route for its card's purpose.
 *
 * A new command is one entry here plus its handler; a new kind of card, one entry in `cardActions`.
 */

/** What a command's `match` sees: the text, when it arrived, and the text parsed as a request (once, when asked). */
export interface ChatInput {
  text: string;
  receivedAt: Date;
  /** The message read as a request (items, date, specs…), parsed on first use. */
  readonly request: RequestMessage;
  addressedToBot: boolean;
}

export interface ChatCommand<P> {
  name: string;
  /** What the command reads from the message, or null when the message is not this command. */
  match(input: ChatInput): P | null;
  /** Resolves to false to pass the message on to the next command; anything else means handled. */
  handle(event: MessageEvent, parsed: P, ctx: HandlerContext): Promise<unknown>;
}

const command = <P>(c: ChatCommand<P>) => c as ChatCommand<unknown>;

/** A typed answer to a held request is a short message: a customer's name, "新需求". */
const HELD_ANSWER_MAX = 40;

export const chatCommands: ReadonlyArray<ChatCommand<unknown>> = [
  // "#3模具 维修 至 3/2", "M-12 恢复使用": production's report of a mould (before anything reads a date).
  command({
    name: 'mould-status',
    match: ({ text, receivedAt }) => parseMouldCommand(text, receivedAt),
    handle: handleMouldCommand,
  }),
  // "SO-20260224-0001 质检通过", "… 已发货 顺丰 SF1234567890": a stage done.
  command({ name: 'stage-report', match: ({ text }) => parseStageCommand(text) ?? null, handle: handleStageCommand }),
  // "SO-… 客户投诉包装破损", "SO-… 退货 3件 尺寸超差": a complaint or a return recorded on the order.
  command({ name: 'complaint', match: ({ text }) => parseComplaintCommand(text), handle: handleComplaintCommand }),
  // "SO-… 风险", "SO-… risk?": why the order's risk is what it is.
  command({ name: 'risk-query', match: ({ text }) => parseRiskQuery(text), handle: answerRiskQuery }),
  // "SO-… 改期" / "SO-… 加急" / "SO-… 拆分": a typed answer to a re-promise (a plant change broke the promise).
  command({ name: 'repromise', match: ({ text }) => repromiseCommandOf(text), handle: answerRepromiseByText }),
  // "催一下 SO-…", "SO-… 转交 刘工", "12月5日到12月9日休假，刘工代", "待办": approval steps from the chat.
  command({
    name: 'approval',
    match: ({ text, receivedAt }) => parseApprovalCommand(text, receivedAt),
    handle: handleApprovalCommand,
  }),
  // "等客户图纸", "SO-… 客户已回复": the latency clock paused or resumed.
  command({ name: 'latency-pause', match: ({ text }) => parsePauseCommand(text), handle: handlePauseCommand }),
  // "/kpi", "本周指标", "this week's kpis".
  command({
    name: 'kpi',
    match: ({ text }) => parseKpiCommand(text),
    handle: (event, { language }, ctx) => answerKpiQuery(event, language, ctx),
  }),
  // "关联买家 抖音 <买家ID> 博世", "unlink buyer jd <buyer id>": a platform buyer linked to a customer by hand.
  command({ name: 'buyer-link', match: ({ text }) => parseBuyerLinkCommand(text), handle: handleBuyerLinkCommand }),
  // "采埃孚 联系人 周工 13800138003", "ZF contact Zhou 138…": a customer's contact, by sales or an admin.
  command({
    name: 'customer-contact',
    match: ({ text, request }) => (request.parsed.intent === 'order' ? null : parseContactCommand(text)),
    handle: handleContactCommand,
  }),
  // A customer's name, "同一需求" / "新需求": a typed answer to the sender's held request.
  command({
    name: 'held-choice',
    match: ({ text, request }) => (text.length <= HELD_ANSWER_MAX && request.parsed.intent !== 'order' ? text : null),
    handle: (event, text, ctx) => answerHeldByText(event, text, ctx),
  }),
  // "按最早交期下单" / "offer", "升级加急" / "escalate": a typed answer to the sender's blocked request.
  command({ name: 'blocked-choice', match: ({ text }) => blockedChoiceOf(text), handle: answerBlockedByText }),
  // "需要BRK-2026-01样品5件，3月5日前到": a new request.
  command({
    name: 'new-request',
    match: ({ request }) => (request.parsed.intent === 'order' ? request : null),
    handle: handleNewRequest,
  }),
  // "3月5日前": the missing piece of the sender's open draft.
  command({
    name: 'draft-reply',
    match: ({ request }) => (request.parsed.intent === 'order' ? null : request),
    handle: handleDraftReply,
  }),
  // "SO-20260224-0001 到哪了", "BRK-2026-06 进度", "where is SO-…?".
  command({
    name: 'status',
    match: ({ request }) => (request.parsed.intent === 'status' ? request.parsed : null),
    handle: answerStatusQuery,
  }),
  // Anything else said to the bot: how to use it. Said in a group to someone else: nothing.
  command({
    name: 'help',
    match: ({ addressedToBot, request }) => (addressedToBot ? request.parsed.language : null),
    handle: (event, language, ctx) => replyToMessage(ctx, event, texts(language).orders.help(ctx.config.botName)),
  }),
];

/** The text as commands match it: parsed as a request only when a command asks. */
export function chatInput(event: MessageEvent): ChatInput {
  const receivedAt = new Date(event.receivedAt);
  let request: RequestMessage | undefined;
  return {
    text: event.text,
    receivedAt,
    addressedToBot: event.addressedToBot,
    get request() {
      request ??= requestMessage(event.text, receivedAt);
      return request;
    },
  };
}

export type CardPurpose = CardRow['purpose'];
export type CardActionRoute = (event: CardActionEvent, ctx: HandlerContext, card: CardRow) => Promise<void>;

/** A tap, by the purpose of the tapped card. */
export const cardActions: Readonly<Record<CardPurpose, CardActionRoute>> = {
  // Approve / Reject on a department's approval card (or its escalation card).
  approval: handleApprovalAction,
  // "Offer 3月9日" / "Escalate to tech" on a request the plant cannot meet.
  'blocked-request': handlePromiseChoice,
  // Tech's answer on an expedite card.
  expedite: handleExpediteDecision,
  // "Done" on a stage card (开始生产, 质检通过…).
  stage: handleStageCardAction,
  // "等客户回复" / "客户已回复" on the order's card in the sales chat.
  etd: handleOrderCardAction,
  // Which customer a request naming two is for.
  'customer-choice': handleHeldChoice,
  // "同一需求，关注此单" / "新需求，另下一单" on a request for a customer and material already open.
  'same-need': handleHeldChoice,
  // "添加客户" on the card a sales person gets for a customer the list lacks.
  'add-customer': handleAddCustomer,
  // "全部同意" / "下一页" on a person's list of open approval steps.
  'pending-list': handlePendingListAction,
  // "保留承诺并申请加急" / "改到新日期" / "拆分交付" on an order whose promise a plant change broke.
  repromise: handleRepromiseChoice,
  // "确认叠用" / "忽略（写明原因）" on a suspected rule stacking across channels.
  'stacking-review': handleStackingReviewAction,
};

/** A tap on a card this database does not know (expired, or not ours): the tapper is told. */
export async function unknownCardTapped(event: CardActionEvent, ctx: HandlerContext): Promise<void> {
  const text = texts(PLANT_LANG).approvals.unknownCard;
  await tellTapper(ctx, event, text);
}

type OtherEvent = Exclude<InboundEvent, MessageEvent | CardActionEvent>;

/** Events that are neither a message nor a tap: each kind's handler (the router picks it by the event's kind). */
export const otherEvents: { [K in OtherEvent['kind']]: (event: OtherEvent, ctx: HandlerContext) => Promise<void> } = {
  'sms-outcome': (event, ctx) => handleSmsOutcome(event as SmsOutcomeEvent, ctx),
  // A stage the MES reported over its HTTP interface.
  'mes-stage-report': (event, ctx) => handleMesStageReport(event as MesStageReportEvent, ctx),
};

/** What the sender is told when handling their event failed (kept, marked failed, logged). */
export function handlingErrorText(event: MessageEvent | CardActionEvent): string {
  return texts(event.kind === 'message' ? writerLanguage(event.text) : PLANT_LANG).orders.handlingError;
}
