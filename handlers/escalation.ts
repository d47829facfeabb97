import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import { type Card, newCardId } from '../cards/model';
import {
  type BusinessConfig,
  type Department,
  departmentName,
  personName,
  rejectReasonsOf,
} from '../config/business-config';
import { formatDuration } from '../domain/china-time';
import { approvalTasks, cards, orderEvents, orders, type ApprovalTask, type Order } from '../db/schema';
import type { HandlerContext } from '../core/context';
import { approvalButtons } from '../cards/approval-card';
import { type Lang, texts } from '../texts';
import { PLANT_LANG } from './names';
import { departmentsAtWork, escalationSteps, nextStepTimes } from './approval-deadlines';
import { type StandInRouter, standInRouter } from './stand-ins';
import { firstCardsOf, type HolderChange, tellStandInsInChat } from './approval-handover';

type Task = ApprovalTask;
/** What an escalation needs of its order. */
type OrderRef = Pick<Order, 'id' | 'number' | 'language' | 'conversationId' | 'platform'>;

export { escalationSteps };

/** Everyone who may decide a task at its escalation level: the leads, then each holder so far. */
export function taskDeciders(
  config: BusinessConfig,
  task: Pick<Task, 'assignees' | 'department' | 'escalationLevel'>,
): string[] {
  const department = config.departments.find((d) => d.key === task.department);
  const holders = department
    ? escalationSteps(config, department)
        .slice(0, task.escalationLevel)
        .map((s) => s.to)
    : [];
  return [...task.assignees, ...holders];
}

/**
 * Approval tasks nobody answered in time go one step up the ladder (the director, then e.g. the general
 * manager): a card of their own (a new card id), and the sales chat is told who holds the order. Due
 * tasks are claimed with SKIP LOCKED, so processes ticking at once escalate each step once. A tick costs
 * a fixed handful of statements however many tasks it escalates.
 */
export async function escalateOverdueTasks(ctx: HandlerContext, limit = 50): Promise<number> {
  const due = await claimDueTasks(ctx, limit);
  if (due.length === 0) return 0;
  const orderIds = [...new Set(due.map((t) => t.orderId))];
  const refs = await ctx.tx
    .select({
      id: orders.id,
      number: orders.number,
      language: orders.language,
      conversationId: orders.conversationId,
      platform: orders.platform,
    })
    .from(orders)
    .where(inArray(orders.id, orderIds));
  const byId = new Map(refs.map((o) => [o.id, o]));
  const firstCards = await firstCardsOf(
    ctx,
    due.map((t) => t.id),
  );
  const router = await standInRouter(ctx);
  const steps: Escalation[] = [];
  const topped: number[] = [];
  for (const task of due) {
    const step = escalationOf(ctx, task, byId.get(task.orderId), firstCards.get(task.id), router);
    if (step === 'top') topped.push(task.id);
    else if (step) steps.push(step);
  }
  if (steps.length > 0) await recordEscalations(ctx, steps);
  if (topped.length > 0) await parkAtTop(ctx, topped);
  return due.length;
}

/**
 * The due tasks that can still go up a step, the longest overdue first. Each level that can still escalate
 * is its own ordered range of approval_tasks_due_idx (escalation_level, due_at), so tasks already at the
 * top of the ladder (pending for good, their last due time long past) are never walked.
 */
async function claimDueTasks(ctx: HandlerContext, limit: number): Promise<Task[]> {
  const atWork = departmentsAtWork(ctx.config, ctx.now);
  if (atWork !== 'all' && atWork.length === 0) return [];
  const due: Task[] = [];
  for (let level = 0; level <= ctx.config.escalationLadder.length; level += 1) {
    const page = await ctx.tx
      .select()
      .from(approvalTasks)
      .where(
        and(
          eq(approvalTasks.status, 'pending'),
          eq(approvalTasks.escalationLevel, level),
          lte(approvalTasks.dueAt, ctx.now),
          atWork === 'all' ? undefined : inArray(approvalTasks.department, atWork),
          // While the order waits on the customer (a drawing, an answer), nobody can decide it: no escalation.
          sql`not exists (select 1 from orders o where o.id = ${approvalTasks.orderId} and o.paused_since is not null)`,
        ),
      )
      .orderBy(asc(approvalTasks.dueAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    due.push(...page);
  }
  return due.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime()).slice(0, limit);
}

/**
 * The rung a step goes up to when its deadline passes: the next one whose person (or their stand-in) does
 * not hold the step already (a step transferred to the director goes on to the general manager); null when
 * every rung left is held.
 */
export function nextRung(
  config: BusinessConfig,
  department: Department,
  task: Pick<Task, 'assignees' | 'escalatedTo' | 'escalationLevel'>,
  router: StandInRouter,
): number | null {
  const steps = escalationSteps(config, department);
  const holders = new Set([...task.assignees, ...(task.escalatedTo ? [task.escalatedTo] : [])]);
  for (let rung = task.escalationLevel; rung < steps.length; rung += 1) {
    if (!holders.has(router.holderFor(steps[rung]!.to))) return rung;
  }
  return null;
}

/** Steps whose every rung left is held by their holders already: nothing is left to escalate to. */
async function parkAtTop(ctx: HandlerContext, taskIds: number[]) {
  const levels = 1 + ctx.config.escalationLadder.length;
  await ctx.tx
    .update(approvalTasks)
    .set({ escalationLevel: levels, remindAt: null })
    .where(inArray(approvalTasks.id, taskIds));
}

interface Escalation {
  task: Task;
  order: OrderRef;
  /** The level the task goes up to (rungs held by its holders already are skipped). */
  level: number;
  to: string;
  /** The step's holder on leave, when `to` stands in for them. */
  away: string | null;
  nextDueAt: Date | null;
  remindAt: Date | null;
  card: Card;
  text: string;
}

function escalationOf(
  ctx: HandlerContext,
  task: Task,
  order: OrderRef | undefined,
  base: Card | undefined,
  router: StandInRouter,
): Escalation | 'top' | null {
  const department = ctx.config.departments.find((d) => d.key === task.department);
  if (!department || !order) return null;
  const rung = nextRung(ctx.config, department, task, router);
  if (rung === null) return 'top';
  const steps = escalationSteps(ctx.config, department);
  const step = steps[rung]!;
  const to = router.holderFor(step.to);
  const next = nextStepTimes(ctx.config, department, { from: task.escalationLevel, to: rung + 1 }, task.dueAt, ctx.now);
  const waited = formatDuration(ctx.now.getTime() - task.createdAt.getTime());
  const holdersOf = (lang: Lang) =>
    texts(lang).format.list([
      texts(lang).approvals.escalation.holders(task.assignees.map((id) => personName(ctx.config, id))),
      ...steps.slice(0, task.escalationLevel).map((s) => personName(ctx.config, s.to)),
    ]);
  const lang = order.language;
  const text = texts(lang).approvals.escalation.chat({
    number: order.number,
    department: departmentName(ctx.config, task.department, lang),
    waited,
    holders: holdersOf(lang),
    to: personName(ctx.config, to),
  });
  const card = escalationCard({ ctx, order, department, waited, holders: holdersOf(PLANT_LANG), base });
  return {
    task,
    order,
    level: rung + 1,
    to,
    away: to === step.to ? null : step.to,
    nextDueAt: next?.dueAt ?? null,
    remindAt: next?.remindAt ?? null,
    card,
    text,
  };
}

/**
 * The card the next person up gets: the task's first card (the approval card) with how long it waited
 * and who held it on top, the same buttons and reasons.
 */
function escalationCard(args: {
  ctx: HandlerContext;
  order: OrderRef;
  department: Department;
  waited: string;
  holders: string;
  base: Card | undefined;
}): Card {
  const { ctx, order, department, waited, holders, base } = args;
  const t = texts(PLANT_LANG).approvals;
  const e = t.escalation;
  return {
    id: newCardId(),
    title: e.title(department.name),
    subtitle: e.subtitle(order.number, waited, holders),
    fields: [
      { key: 'waited', label: e.waited, value: e.waitedValue(waited, holders), tone: 'red' },
      ...(base?.fields.filter((f) => f.key !== 'waited') ?? [
        { key: 'order', label: t.card.orderNumber, value: order.number },
      ]),
    ],
    notes: [e.note(holders, waited), ...(base?.notes ?? [])],
    buttons: approvalButtons(PLANT_LANG),
    reasons: base?.reasons ?? {
      title: t.card.reasonsTitle,
      options: rejectReasonsOf(ctx.config, department.key).map(({ id, text }) => ({ id, text })),
    },
  };
}

/** Each task one step up, its card, its order event and its effects (the card, then the chat notice), in task order. */
async function recordEscalations(ctx: HandlerContext, steps: Escalation[]) {
  // One parameter for the whole batch (a JSON array), not five per task.
  const moves = steps.map((s) => ({
    id: s.task.id,
    to: s.to,
    level: s.level,
    version: s.task.version + 1,
    due: s.nextDueAt?.toISOString() ?? null,
    remind: s.remindAt?.toISOString() ?? null,
  }));
  await ctx.tx.execute(sql`
    update approval_tasks t set escalated_to = v.to, escalation_level = v.level, version = v.version,
      due_at = coalesce(v.due, t.due_at), remind_at = v.remind
    from jsonb_to_recordset(${JSON.stringify(moves)}::jsonb) as v(id bigint, "to" text, level int, version int, due timestamptz, remind timestamptz)
    where t.id = v.id`);
  await ctx.tx.insert(cards).values(
    steps.map((s) => ({
      id: s.card.id,
      orderId: s.order.id,
      taskId: s.task.id,
      platform: s.order.platform,
      recipientId: s.to,
      content: s.card,
      createdAt: ctx.now,
    })),
  );
  await ctx.tx.insert(orderEvents).values(
    steps.map((s) => ({
      orderId: s.order.id,
      at: ctx.now,
      type: 'task-escalated',
      actorId: s.to,
      data: {
        taskId: s.task.id,
        department: s.task.department,
        level: s.level,
        waitedMs: ctx.now.getTime() - s.task.createdAt.getTime(),
        ...(s.away ? { standInFor: s.away } : {}),
      },
    })),
  );
  await ctx.emitAll(
    steps.flatMap((s) => {
      const about = { orderId: s.order.id, platform: s.order.platform };
      return [
        {
          effect: { kind: 'send-card' as const, to: { userId: s.to }, card: s.card },
          key: `card:${s.card.id}:send`,
          ...about,
        },
        {
          effect: { kind: 'post' as const, to: { conversationId: s.order.conversationId }, text: s.text },
          key: `task:${s.task.id}:escalated:${s.level}`,
          ...about,
        },
      ];
    }),
  );
  for (const s of steps.filter((step) => step.away)) {
    const change: HolderChange = { department: s.task.department, away: s.away!, holder: s.to };
    await tellStandInsInChat(ctx, s.order, [change], `task:${s.task.id}:escalated:${s.level}:stand-in`);
  }
}
