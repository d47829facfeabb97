import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  json,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

import type { OrderStatus, TaskStatus } from '../domain/approval';
import type { Stage } from '../domain/lifecycle/stages';
import type { ConfigChange } from '../domain/config-changes';
import type { DirectoryPlatform } from '../domain/directory';
import type { PlantChangeCause, PlantChangeKind, SplitOffer } from '../domain/repromise/types';
import type { Channel, ChannelOrder } from '../domain/channels/order';
import type { ChannelRule, RuleEvaluation } from '../domain/channels/rules';
import type { ChannelOrderStatus, Cursor, SettlementKind } from '../domain/channels/received';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const customers = pgTable('customers', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  aliases: text('aliases').array().notNull().default(sql`'{}'::text[]`),
  contactName: text('contact_name'),
  contactPhone: text('contact_phone'),
  address: text('address'),
  /** The customer's code in the ERP (U8 客户编码, Kingdee FNumber): a written-back sale order names it. */
  erpCode: text('erp_code'),
  /** When the row last changed (an import, a contact given in chat). */
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/**
 * One row: a stamp the customers table's trigger renews with every change to the list (any statement on it), so a
 * process knows whether its name index is current from this row alone (migration 0020 holds the trigger).
 */
export const customerListVersions = pgTable('customer_list_versions', {
  id: integer('id').primaryKey().default(1),
  version: text('version').notNull(),
});

export const materials = pgTable('materials', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  /** 规格型号, as the ERP or the plant's material list has it. */
  spec: text('spec'),
  unit: text('unit').notNull().default('件'),
  line: text('line'),
  mould: text('mould'),
  leadTimeDays: integer('lead_time_days').notNull().default(0),
});

/** Range of values a material's parameter has reached in passing inspections (what we may promise). */
export const qualifiedRanges = pgTable(
  'qualified_ranges',
  {
    materialCode: text('material_code')
      .notNull()
      .references(() => materials.code),
    param: text('param').notNull(),
    minValue: doublePrecision('min_value'),
    maxValue: doublePrecision('max_value'),
    unit: text('unit'),
  },
  (t) => [primaryKey({ columns: [t.materialCode, t.param] })],
);

export const inspectionReports = pgTable(
  'inspection_reports',
  {
    id: serial('id').primaryKey(),
    reportNo: text('report_no').notNull().unique(),
    materialCode: text('material_code')
      .notNull()
      .references(() => materials.code),
    inspectedOn: date('inspected_on', { mode: 'string' }).notNull(),
    passed: boolean('passed').notNull(),
    results: jsonb('results').$type<Record<string, number>>().notNull(),
    summary: text('summary'),
  },
  (t) => [index('inspection_reports_material_idx').on(t.materialCode, t.inspectedOn)],
);

export const orders = pgTable(
  'orders',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    number: text('number').notNull().unique(),
    platform: text('platform').notNull(),
    conversationId: text('conversation_id').notNull(),
    requesterId: text('requester_id').notNull(),
    requesterName: text('requester_name').notNull(),
    customerId: integer('customer_id').references(() => customers.id),
    customerName: text('customer_name'),
    kind: text('kind').$type<'sample' | 'batch'>().notNull(),
    urgent: boolean('urgent').notNull().default(false),
    language: text('language').$type<'zh' | 'en'>().notNull(),
    requestedDate: date('requested_date', { mode: 'string' }).notNull(),
    promisedDate: date('promised_date', { mode: 'string' }),
    status: text('status').$type<OrderStatus>().notNull(),
    sourceText: text('source_text').notNull(),
    requestedAt: at('requested_at').notNull(),
    createdAt: at('created_at').notNull(),
    decidedAt: at('decided_at'),
    version: integer('version').notNull().default(1),
    /** The last stage reached once confirmed (confirmed, in_production, …, delivered); null before. */
    stage: text('stage').$type<Stage>(),
    stageAt: at('stage_at'),
    /** Stages this order does not go through (a stock order skips production and QC). */
    skippedStages: text('skipped_stages').array().$type<Stage[]>().notNull().default(sql`'{}'::text[]`),
    /** The production plan reserved at confirmation. */
    planStart: date('plan_start', { mode: 'string' }),
    planFinish: date('plan_finish', { mode: 'string' }),
    /** When the customer will have signed for the goods, as last computed. */
    etd: at('etd'),
    /** The ETD a delay SMS last announced: a further one only when the ETD slips again by the threshold. */
    alertedEtd: at('alerted_etd'),
    carrier: text('carrier'),
    waybill: text('waybill'),
    /** When the courier's tracking may next be asked (no more often than every 30 min). */
    nextTrackAt: at('next_track_at'),
    /** The courier's latest answer for the waybill. */
    tracking: jsonb('tracking').$type<{ state: string; at?: string; text?: string }>(),
    /** The customer-perceived latency clock: requestedAt → confirmedAt, minus the time spent waiting on the customer. */
    confirmedAt: at('confirmed_at'),
    latencyMs: bigint('latency_ms', { mode: 'number' }),
    pausedMs: bigint('paused_ms', { mode: 'number' }).notNull().default(0),
    /** Set while the order waits on the customer (a drawing, a confirmation). */
    pausedSince: at('paused_since'),
    pauseReason: text('pause_reason'),
    /** The promised date at the plant's deliver-by time: what on-time is measured against. */
    promisedAt: at('promised_at'),
    deliveredAt: at('delivered_at'),
    /** The open order of the same customer and material that another sales person had when this one was made. */
    relatedOrderId: bigint('related_order_id', { mode: 'number' }),
    /** A delivery split off another order: that order's id; its number is the parent's with "-2", "-3", …. */
    splitOf: bigint('split_of', { mode: 'number' }),
    /** The sale order the ERP created for this order (U8 id, Kingdee FBillNo), once written back. */
    erpNumber: text('erp_number'),
  },
  (t) => [
    index('orders_conversation_idx').on(t.conversationId, t.createdAt),
    index('orders_open_customer_idx')
      .on(t.customerId, t.createdAt)
      .where(sql`${t.status} in ('pending_approval', 'confirmed')`),
    index('orders_confirmed_at_idx').on(t.confirmedAt, t.latencyMs).where(sql`${t.confirmedAt} is not null`),
    index('orders_delivered_at_idx').on(t.deliveredAt, t.promisedAt).where(sql`${t.deliveredAt} is not null`),
    index('orders_open_idx').on(t.status).where(sql`${t.status} = 'pending_approval'`),
    index('orders_unfinished_idx').on(t.status, t.stage).where(sql`${t.status} in ('pending_approval', 'confirmed')`),
    index('orders_in_progress_idx').on(t.id).where(sql`${t.status} = 'confirmed'`),
    index('orders_tracking_idx').on(t.nextTrackAt).where(sql`${t.status} = 'confirmed' and ${t.waybill} is not null`),
    index('orders_split_of_idx').on(t.splitOf).where(sql`${t.splitOf} is not null`),
  ],
);
export type { OrderStatus };

/**
 * Sales people who follow an order they did not place (the same need, asked again): its news also goes
 * to the chat they asked in.
 */
export const orderFollowers = pgTable(
  'order_followers',
  {
    orderId: bigint('order_id', { mode: 'number' })
      .notNull()
      .references(() => orders.id),
    personId: text('person_id').notNull(),
    platform: text('platform').notNull(),
    conversationId: text('conversation_id').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.personId] })],
);

export const orderItems = pgTable(
  'order_items',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orderId: bigint('order_id', { mode: 'number' })
      .notNull()
      .references(() => orders.id),
    lineNo: integer('line_no').notNull(),
    materialCode: text('material_code')
      .notNull()
      .references(() => materials.code),
    quantity: integer('quantity').notNull(),
    unit: text('unit').notNull(),
    kind: text('kind').$type<'sample' | 'batch'>().notNull(),
    /** The date the customer asked for this line (lines of one order may differ). */
    requestedDate: date('requested_date', { mode: 'string' }),
    /** The date promised for this line; the order's promise is its latest line's. */
    promisedDate: date('promised_date', { mode: 'string' }),
  },
  (t) => [
    uniqueIndex('order_items_line_idx').on(t.orderId, t.lineNo),
    index('order_items_material_idx').on(t.materialCode),
  ],
);

export const orderSpecs = pgTable('order_specs', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  orderId: bigint('order_id', { mode: 'number' })
    .notNull()
    .references(() => orders.id),
  param: text('param').notNull(),
  op: text('op').notNull(),
  value: doublePrecision('value').notNull(),
  unit: text('unit'),
});

export const approvalTasks = pgTable(
  'approval_tasks',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orderId: bigint('order_id', { mode: 'number' })
      .notNull()
      .references(() => orders.id),
    department: text('department').notNull(),
    assignees: text('assignees').array().notNull(),
    status: text('status').$type<TaskStatus>().notNull().default('pending'),
    dueAt: at('due_at').notNull(),
    /** Who holds the task after the latest escalation step. */
    escalatedTo: text('escalated_to'),
    /** How many escalation steps were taken (1 = the director, 2… = the further ladder). */
    escalationLevel: integer('escalation_level').notNull().default(0),
    decidedBy: text('decided_by'),
    decidedAt: at('decided_at'),
    note: text('note'),
    version: integer('version').notNull().default(1),
    createdAt: at('created_at').notNull(),
    /** When the holder of the step is reminded next (null: no reminder point left before the deadline). */
    remindAt: at('remind_at'),
    /** The latest 催办 from the sales chat: at most one per step per approvals.nudgeInterval. */
    nudgedAt: at('nudged_at'),
  },
  (t) => [
    uniqueIndex('approval_tasks_order_department_idx').on(t.orderId, t.department),
    index('approval_tasks_remind_idx').on(t.remindAt).where(sql`${t.status} = 'pending' and ${t.remindAt} is not null`),
    // By level, then due time: each level that can still escalate is one ordered range, and tasks at the top of
    // the ladder (pending for good, due long ago) stay out of it (handlers/escalation.ts).
    index('approval_tasks_due_idx').on(t.escalationLevel, t.dueAt).where(sql`${t.status} = 'pending'`),
    index('approval_tasks_decided_idx')
      .on(t.decidedAt, t.department, t.createdAt)
      .where(sql`${t.status} in ('approved', 'rejected')`),
  ],
);
export type { TaskStatus };

/** One row per card sent: the neutral content is kept so the card can be re-rendered when it changes. */
export const cards = pgTable(
  'cards',
  {
    id: text('id').primaryKey(),
    orderId: bigint('order_id', { mode: 'number' }).references(() => orders.id),
    /** For a card about a request not (yet) an order: the draft it offers choices on. */
    draftId: bigint('draft_id', { mode: 'number' }).references(() => drafts.id),
    taskId: bigint('task_id', { mode: 'number' }).references(() => approvalTasks.id),
    /** What a tap on it means: an approval, or a choice on a request the plant cannot meet. */
    purpose: text('purpose')
      .$type<
        | 'approval'
        | 'blocked-request'
        | 'expedite'
        | 'stage'
        | 'etd'
        | 'customer-choice'
        | 'same-need'
        | 'add-customer'
        | 'pending-list'
        | 'repromise'
        | 'stacking-review'
      >()
      .notNull()
      .default('approval'),
    platform: text('platform').notNull(),
    recipientId: text('recipient_id').notNull(),
    content: jsonb('content').notNull(),
    platformRef: text('platform_ref'),
    /** Adapter-owned state of the sent card (e.g. WeCom response codes, DingTalk card instance ids). */
    platformData: jsonb('platform_data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: at('created_at').notNull(),
  },
  (t) => [index('cards_task_idx').on(t.taskId)],
);

export const orderEvents = pgTable(
  'order_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orderId: bigint('order_id', { mode: 'number' })
      .notNull()
      .references(() => orders.id),
    at: at('at').notNull(),
    type: text('type').notNull(),
    actorId: text('actor_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('order_events_order_idx').on(t.orderId, t.at)],
);

export const inboundMessages = pgTable(
  'inbound_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    platform: text('platform').notNull(),
    externalId: text('external_id').notNull(),
    kind: text('kind').$type<'message' | 'card-action' | 'sms-outcome' | 'mes-stage-report'>().notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status').$type<'received' | 'processed' | 'failed'>().notNull().default('received'),
    receivedAt: at('received_at').notNull(),
    processedAt: at('processed_at'),
    error: text('error'),
  },
  (t) => [
    uniqueIndex('inbound_messages_dedupe_idx').on(t.platform, t.externalId),
    index('inbound_messages_pending_idx').on(t.id).where(sql`${t.status} = 'received'`),
  ],
);

/** Unfinished order requests waiting for the sender to supply what is missing. */
export const drafts = pgTable(
  'drafts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    platform: text('platform').notNull(),
    conversationId: text('conversation_id').notNull(),
    senderId: text('sender_id').notNull(),
    parsed: jsonb('parsed').notNull(),
    sourceText: text('source_text').notNull(),
    requestedAt: at('requested_at').notNull(),
    expiresAt: at('expires_at').notNull(),
    status: text('status').$type<'open' | 'completed' | 'superseded' | 'blocked' | 'held'>().notNull().default('open'),
  },
  (t) => [
    uniqueIndex('drafts_open_idx').on(t.platform, t.conversationId, t.senderId).where(sql`${t.status} = 'open'`),
    index('drafts_waiting_idx')
      .on(t.platform, t.conversationId, t.senderId)
      .where(sql`${t.status} in ('blocked', 'held')`),
  ],
);

/**
 * Order numbers come from one sequence, which never blocks concurrent transactions; each day's numbers
 * count from the sequence value just before that day's first order (its base).
 */
export const orderNumberSequence = pgSequence('order_number_seq');

export const orderNumberDays = pgTable('order_number_days', {
  day: text('day').primaryKey(),
  base: bigint('base', { mode: 'number' }).notNull(),
});

export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    platform: text('platform').notNull(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull(),
    orderId: bigint('order_id', { mode: 'number' }),
    status: text('status').$type<'pending' | 'sent' | 'failed'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at').notNull(),
    lockedUntil: at('locked_until'),
    lastError: text('last_error'),
    createdAt: at('created_at').notNull(),
    sentAt: at('sent_at'),
  },
  (t) => [index('outbox_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`)],
);

/** What the local playground "platform" shows: chat messages, inbox cards and SMS. */
export const playgroundItems = pgTable(
  'playground_items',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deliveryKey: text('delivery_key').notNull().unique(),
    channel: text('channel').notNull(),
    kind: text('kind').$type<'message' | 'card' | 'sms'>().notNull(),
    senderId: text('sender_id'),
    text: text('text'),
    cardId: text('card_id'),
    card: jsonb('card'),
    at: at('at').notNull(),
  },
  (t) => [index('playground_items_card_idx').on(t.cardId)],
);

/** Platform access tokens, cached once for every process that shares the database. */
export const platformTokens = pgTable('platform_tokens', {
  key: text('key').primaryKey(),
  token: text('token').notNull(),
  expiresAt: at('expires_at').notNull(),
  refreshedAt: at('refreshed_at').notNull(),
});

/**
 * Short-lived ways to answer into a conversation that a platform hands us with an inbound message
 * (WeCom AI bot response_url, DingTalk sessionWebhook): usable until they expire or are spent.
 */
export const replyWindows = pgTable(
  'reply_windows',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    platform: text('platform').notNull(),
    conversationId: text('conversation_id').notNull(),
    url: text('url').notNull(),
    /** How many more sends the window allows (WeCom response_url: 1). Null: unlimited until expiry. */
    usesLeft: integer('uses_left'),
    expiresAt: at('expires_at').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('reply_windows_url_idx').on(t.platform, t.url),
    index('reply_windows_conversation_idx').on(t.platform, t.conversationId, t.expiresAt),
  ],
);

/** Stock on hand per material, from the ERP, the Excel bridge or a manual count. */
export const stock = pgTable('stock', {
  materialCode: text('material_code')
    .primaryKey()
    .references(() => materials.code),
  onHand: integer('on_hand').notNull(),
  source: text('source').notNull(),
  updatedAt: at('updated_at').notNull(),
});

/**
 * What is on its way per material: open purchase orders (in transit) and production orders not yet received.
 * A snapshot like stock: a `supply` import replaces the rows of its source (the file's feed, see db/master-data.ts).
 */
export const openSupply = pgTable(
  'open_supply',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    materialCode: text('material_code')
      .notNull()
      .references(() => materials.code),
    quantity: integer('quantity').notNull(),
    /** When it is expected in (China date). */
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    /** The purchase or production order number (单号), when the file has one. */
    reference: text('reference'),
    source: text('source').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [index('open_supply_material_idx').on(t.materialCode), index('open_supply_source_idx').on(t.source)],
);

/** How loaded a line is over a period (0..1), from ERP production orders, the MES or a planner. */
export const lineLoads = pgTable(
  'line_loads',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    line: text('line').notNull(),
    fromDate: date('from_date', { mode: 'string' }).notNull(),
    toDate: date('to_date', { mode: 'string' }).notNull(),
    load: doublePrecision('load').notNull(),
    source: text('source').notNull(),
  },
  (t) => [index('line_loads_line_idx').on(t.line, t.toDate)],
);

export const moulds = pgTable('moulds', {
  id: text('id').primaryKey(),
  status: text('status').$type<'ok' | 'repair' | 'maintenance'>().notNull().default('ok'),
  /** Back in service from this date; null when available now. */
  availableFrom: date('available_from', { mode: 'string' }),
  updatedAt: at('updated_at').notNull(),
  updatedBy: text('updated_by'),
});

/** What confirmed orders hold: stock pieces, or a line's capacity on given days. */
export const reservations = pgTable(
  'reservations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orderId: bigint('order_id', { mode: 'number' })
      .notNull()
      .references(() => orders.id),
    materialCode: text('material_code')
      .notNull()
      .references(() => materials.code),
    kind: text('kind').$type<'stock' | 'production'>().notNull(),
    line: text('line'),
    day: date('day', { mode: 'string' }),
    quantity: integer('quantity').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    index('reservations_stock_idx').on(t.materialCode).where(sql`${t.kind} = 'stock'`),
    index('reservations_line_idx').on(t.line, t.day).where(sql`${t.kind} = 'production'`),
  ],
);

/**
 * A change of what the plant can do (a mould's state, a line's load, stock, a holiday, lead times), written in
 * the same transaction as the change; the re-promise job claims each once and re-checks the confirmed orders
 * that depend on it.
 */
export const plantChanges = pgTable(
  'plant_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').$type<PlantChangeKind>().notNull(),
    /** What changed, for the message: a mould and its new date, a line, a stock count, holidays. */
    cause: jsonb('cause').$type<PlantChangeCause>().notNull(),
    materials: text('materials').array().notNull().default(sql`'{}'::text[]`),
    lines: text('lines').array().notNull().default(sql`'{}'::text[]`),
    /** Every confirmed order is re-checked (a holiday added). */
    everything: boolean('everything').notNull().default(false),
    source: text('source').notNull(),
    createdAt: at('created_at').notNull(),
    processedAt: at('processed_at'),
  },
  (t) => [index('plant_changes_pending_idx').on(t.id).where(sql`${t.processedAt} is null`)],
);

/**
 * A confirmed order whose promise a plant change broke: the sales chat chooses keep-and-expedite, move or split.
 * One per order and change; a newer one for the same order supersedes an open one.
 */
export const repromises = pgTable(
  'repromises',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orderId: bigint('order_id', { mode: 'number' })
      .notNull()
      .references(() => orders.id),
    changeId: bigint('change_id', { mode: 'number' })
      .notNull()
      .references(() => plantChanges.id),
    promisedDate: date('promised_date', { mode: 'string' }).notNull(),
    /** The new earliest date for the whole order; null when not within the horizon. */
    earliest: date('earliest', { mode: 'string' }),
    /** What can still be ready by the promise, and when the rest can: the split offer. */
    split: jsonb('split').$type<SplitOffer>(),
    /** Each order line's own new date (null: not within the horizon). */
    lineDates: jsonb('line_dates').$type<Array<{ lineNo: number; date: string | null }>>().notNull().default([]),
    /** What changed, as the chat was told. */
    cause: jsonb('cause').$type<PlantChangeCause>().notNull(),
    status: text('status').$type<'open' | 'kept' | 'moved' | 'split' | 'superseded'>().notNull().default('open'),
    createdAt: at('created_at').notNull(),
    decidedAt: at('decided_at'),
    decidedBy: text('decided_by'),
  },
  (t) => [
    uniqueIndex('repromises_order_change_idx').on(t.orderId, t.changeId),
    index('repromises_open_idx').on(t.orderId).where(sql`${t.status} = 'open'`),
  ],
);

/** Export files the Excel bridge has imported, by content hash, so an unchanged file is not read twice. */
export const bridgeFiles = pgTable('bridge_files', {
  name: text('name').primaryKey(),
  sha256: text('sha256').notNull(),
  status: text('status').$type<'imported' | 'failed'>().notNull(),
  rows: integer('rows').notNull().default(0),
  error: text('error'),
  importedAt: at('imported_at').notNull(),
});

/** Periodic work (ERP sync, Excel bridge scan): one row per job, claimed so that one process runs each turn. */
export const scheduledJobs = pgTable('scheduled_jobs', {
  name: text('name').primaryKey(),
  nextRunAt: at('next_run_at').notNull(),
  lockedUntil: at('locked_until'),
  lastRunAt: at('last_run_at'),
  lastError: text('last_error'),
});

/** Driving time from the plant to each customer, from the map (cached; refreshed when stale). */
export const customerRoutes = pgTable('customer_routes', {
  customerId: integer('customer_id')
    .primaryKey()
    .references(() => customers.id),
  /** The address the route was computed for: a changed address needs a new route. */
  address: text('address').notNull(),
  seconds: integer('seconds'),
  /** Why there is no duration (address not found, no route, map unavailable). */
  problem: text('problem'),
  fetchedAt: at('fetched_at').notNull(),
});

/**
 * One row per SMS we try to send, written before the provider is called: an SMS whose first attempt
 * was cut off (a crash, a timeout) is never sent a second time, since it may have gone out.
 */
export const smsMessages = pgTable('sms_messages', {
  outboxKey: text('outbox_key').primaryKey(),
  orderId: bigint('order_id', { mode: 'number' }),
  phoneMasked: text('phone_masked').notNull(),
  text: text('text').notNull(),
  status: text('status').$type<'sending' | 'sent' | 'rejected' | 'unknown' | 'retry'>().notNull(),
  providerId: text('provider_id'),
  error: text('error'),
  createdAt: at('created_at').notNull(),
  updatedAt: at('updated_at').notNull(),
});

/** Signed-in ops board users: only a hash of the session token is stored. */
export const boardSessions = pgTable(
  'board_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    username: text('username').notNull(),
    createdAt: at('created_at').notNull(),
    expiresAt: at('expires_at').notNull(),
  },
  (t) => [index('board_sessions_expires_idx').on(t.expiresAt)],
);

/**
 * KPI figures of weeks that have ended (what happened in a past week no longer changes), so the board's
 * 12-week charts read eleven rows and compute only the current week.
 */
export const kpiWeeks = pgTable(
  'kpi_weeks',
  {
    weekStart: at('week_start').notNull(),
    /** The promise window the accuracy figure was computed with (a config change recomputes). */
    promiseWindowMs: bigint('promise_window_ms', { mode: 'number' }).notNull(),
    figures: jsonb('figures').notNull(),
    computedAt: at('computed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.weekStart, t.promiseWindowMs] })],
);

/** Rows as the code reads them. */
export type Order = typeof orders.$inferSelect;
export type ApprovalTask = typeof approvalTasks.$inferSelect;
export type CardRow = typeof cards.$inferSelect;
export type Draft = typeof drafts.$inferSelect;

/**
 * The business config as versions: each save (the admin console, `config import`, a changed config file
 * at start, a rollback) is a new row; the running processes use the latest. `config` is the input form
 * (durations as written, "2h"), validated by the business config schema on every save and load.
 */
export const configVersions = pgTable('config_versions', {
  version: integer('version').primaryKey(),
  // json, not jsonb: the console shows the settings in the order they were written.
  config: json('config').notNull(),
  /** Where it came from: the config file at first start or changed since ('file'), the console, an import, a rollback. */
  source: text('source').$type<'file' | 'console' | 'import' | 'rollback'>().notNull(),
  /** For 'file': the hash of the file's content, so an unchanged file is not imported again at the next start. */
  fileHash: text('file_hash'),
  /** Who saved it: a console username, or "config file" / "cli". */
  savedBy: text('saved_by').notNull(),
  savedAt: at('saved_at').notNull(),
  /** What changed against the version before, one readable line per changed field. */
  changes: jsonb('changes').$type<ConfigChange[]>().notNull(),
  /** For a rollback: the version it went back to. */
  restores: integer('restores'),
});

/**
 * Groups the bot heard from that the business config does not know yet (ids like `wecom:<chatid>`):
 * the admin console lists them as new groups to be named and taken on as sales groups.
 */
export const seenGroups = pgTable('seen_groups', {
  /** The id handlers see: `wecom:<chatid>` or `dingtalk:<openConversationId>`. */
  conversationId: text('conversation_id').primaryKey(),
  platform: text('platform').notNull(),
  firstSeenAt: at('first_seen_at').notNull(),
  lastSeenAt: at('last_seen_at').notNull(),
  messages: integer('messages').notNull().default(1),
  /** Who wrote last, as the platform names them, to help the admin tell the group. */
  lastSender: text('last_sender'),
});

/** What was done in the admin console besides saving settings (those are config versions): imports. */
export const adminAudit = pgTable('admin_audit', {
  id: serial('id').primaryKey(),
  at: at('at').notNull(),
  /** The console user. */
  actor: text('actor').notNull(),
  action: text('action').$type<'import' | 'directory-sync' | 'directory-person' | 'channel-rule-status'>().notNull(),
  /** For an import: the file, its kind and the counts. */
  detail: jsonb('detail').notNull(),
});

/** The company directory as last synced from WeCom or DingTalk: departments with their platform ids. */
export const directoryDepartments = pgTable(
  'directory_departments',
  {
    platform: text('platform').$type<DirectoryPlatform>().notNull(),
    deptId: text('dept_id').notNull(),
    /** Null when the platform gave ids only. */
    name: text('name'),
    parentId: text('parent_id'),
    syncedAt: at('synced_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.deptId] })],
);

/**
 * People of the company directory. `name`, `title`, `mobile` are what the platform last gave;
 * the `admin_*` columns are what the admin filled in, which a sync never overwrites.
 */
export const directoryPeople = pgTable(
  'directory_people',
  {
    platform: text('platform').$type<DirectoryPlatform>().notNull(),
    userId: text('user_id').notNull(),
    name: text('name'),
    title: text('title'),
    mobile: text('mobile'),
    departmentIds: jsonb('department_ids').$type<string[]>().notNull(),
    /** False once the platform lists the person as disabled or left, or no longer lists them. */
    active: boolean('active').notNull(),
    adminName: text('admin_name'),
    adminMobile: text('admin_mobile'),
    firstSeenAt: at('first_seen_at').notNull(),
    syncedAt: at('synced_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.userId] })],
);

/**
 * A role only one process may play at a time (the DingTalk Stream connection of an app): its holder
 * renews the lease; another process takes it once it has expired, with a larger fence, and a holder
 * that finds a different fence (it was paused past its lease) stops acting.
 */
export const leases = pgTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  fence: bigint('fence', { mode: 'number' }).notNull(),
  expiresAt: at('expires_at').notNull(),
});

/**
 * A person away and who decides in their place: new cards, reminders and escalations of `personId` go to
 * `standInId` on the days from `startsOn` to `endsOn` (China dates, both included). Set from the chat
 * ("12月5日到12月9日休假，刘工代"); the config's approvals.standIns are read beside these.
 */
export const standIns = pgTable(
  'stand_ins',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    personId: text('person_id').notNull(),
    standInId: text('stand_in_id').notNull(),
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    endsOn: date('ends_on', { mode: 'string' }).notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: at('created_at').notNull(),
    cancelledAt: at('cancelled_at'),
  },
  (t) => [index('stand_ins_person_idx').on(t.personId, t.endsOn).where(sql`${t.cancelledAt} is null`)],
);

/** A platform's API calls per API and month (China time), counted for its monthly quota. */
export const apiCallCounts = pgTable(
  'api_call_counts',
  {
    platform: text('platform').notNull(),
    api: text('api').notNull(),
    /** 'YYYY-MM', China time. */
    month: text('month').notNull(),
    calls: integer('calls').notNull().default(0),
    /** Calls not made because the quota was used up (or the platform said so). */
    withheld: integer('withheld').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.platform, t.api, t.month] })],
);

/** Quota notices already given (one of each kind per platform and month): `warning` at 80%, `exhausted`. */
export const quotaNotices = pgTable(
  'quota_notices',
  {
    platform: text('platform').notNull(),
    month: text('month').notNull(),
    kind: text('kind').$type<'warning' | 'exhausted'>().notNull(),
    at: at('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.month, t.kind] })],
);

/**
 * E-commerce channel orders (Douyin, Taobao/Tmall, JD), one row per platform order: the canonical form as
 * received (domain/channels/order.ts), the platform's status, and the rule pool's evaluation of it.
 */
export const channelOrders = pgTable(
  'channel_orders',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    channel: text('channel').$type<Channel>().notNull(),
    shop: text('shop').notNull(),
    orderId: text('order_id').notNull(),
    status: text('status').$type<ChannelOrderStatus>().notNull(),
    buyerKey: text('buyer_key').notNull(),
    buyerPhoneHash: text('buyer_phone_hash'),
    /** Set from channel_customer_links (the cross-channel identity); null while nobody has mapped the buyer. */
    customerId: integer('customer_id').references(() => customers.id),
    createdAt: at('created_at').notNull(),
    paidAt: at('paid_at'),
    /** The platform's last-modified instant of the copy stored: an older copy arriving later is ignored. */
    platformUpdatedAt: at('platform_updated_at').notNull(),
    body: jsonb('body').$type<ChannelOrder>().notNull(),
    goodsFen: bigint('goods_fen', { mode: 'number' }).notNull(),
    paidFen: bigint('paid_fen', { mode: 'number' }).notNull(),
    /** The rule pool's result for this copy (applied and skipped rules); null until evaluated (unpaid). */
    evaluation: jsonb('evaluation').$type<RuleEvaluation>(),
    expectedInvoiceFen: bigint('expected_invoice_fen', { mode: 'number' }),
    /** How it arrived first: a push/message, a poll, or an import. */
    source: text('source').$type<'push' | 'poll' | 'import'>().notNull(),
    receivedAt: at('received_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('channel_orders_key_idx').on(t.channel, t.orderId),
    index('channel_orders_customer_idx').on(t.customerId, t.paidAt),
    index('channel_orders_buyer_idx').on(t.channel, t.buyerKey),
    index('channel_orders_paid_idx').on(t.paidAt),
  ],
);

/** Messages a platform pushed (Douyin) or queued for us (Taobao TMC), kept until the order they name is re-read. */
export const channelMessages = pgTable(
  'channel_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    channel: text('channel').$type<Channel>().notNull(),
    shop: text('shop').notNull(),
    messageId: text('message_id').notNull(),
    orderId: text('order_id').notNull(),
    topic: text('topic').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status').$type<'received' | 'processed' | 'failed'>().notNull().default('received'),
    attempts: integer('attempts').notNull().default(0),
    receivedAt: at('received_at').notNull(),
    processedAt: at('processed_at'),
    error: text('error'),
  },
  (t) => [
    uniqueIndex('channel_messages_dedupe_idx').on(t.channel, t.messageId),
    index('channel_messages_pending_idx').on(t.channel, t.shop, t.id).where(sql`${t.status} = 'received'`),
  ],
);

/** Where polling of a shop's orders, settlements or messages has got to (an adapter-owned cursor). */
export const channelCursors = pgTable(
  'channel_cursors',
  {
    channel: text('channel').$type<Channel>().notNull(),
    shop: text('shop').notNull(),
    kind: text('kind').$type<'orders' | 'settlements'>().notNull(),
    cursor: jsonb('cursor').$type<Cursor>().notNull(),
    /** When the last poll ended caught up: the next one waits for the shop's pollEvery from here. */
    caughtUpAt: at('caught_up_at'),
    updatedAt: at('updated_at').notNull(),
    /** The last failure (rate limit, credentials), shown on the board; null after a success. */
    lastError: text('last_error'),
  },
  (t) => [primaryKey({ columns: [t.channel, t.shop, t.kind] })],
);

/**
 * The promotion rule pool, one row per immutable version of a rule (domain/channels/rules.ts ChannelRule in
 * `rule`). A change is a new version; the older one is archived. Orders record code + version.
 */
export const channelRules = pgTable(
  'channel_rules',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull(),
    version: integer('version').notNull(),
    status: text('status').$type<'draft' | 'active' | 'paused' | 'archived'>().notNull(),
    rule: jsonb('rule').$type<ChannelRule>().notNull(),
    /** { limit, type: 'usage' | 'spend' } or null; usage is counted from the orders' evaluations. */
    budget: jsonb('budget').$type<{ type: 'usage' | 'spend'; limit: number } | null>(),
    /** Where the version came from, e.g. "import:rules.xlsx" or "admin:zhangsan". */
    source: text('source').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('channel_rules_version_idx').on(t.code, t.version),
    index('channel_rules_status_idx').on(t.status),
  ],
);

/** Settlement statement lines per channel (from the platform's API or an uploaded export). */
export const channelSettlements = pgTable(
  'channel_settlements',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    channel: text('channel').$type<Channel>().notNull(),
    shop: text('shop').notNull(),
    lineKey: text('line_key').notNull(),
    orderId: text('order_id').notNull(),
    kind: text('kind').$type<SettlementKind>().notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    settledAt: at('settled_at').notNull(),
    /** 'api' or 'upload:<file name>'. */
    source: text('source').notNull(),
    receivedAt: at('received_at').notNull(),
  },
  (t) => [
    uniqueIndex('channel_settlements_line_idx').on(t.channel, t.lineKey),
    index('channel_settlements_order_idx').on(t.channel, t.orderId),
    index('channel_settlements_at_idx').on(t.settledAt),
  ],
);

/**
 * Who a platform buyer is among our customers. Buyer ids are per platform and encrypted, so the same customer
 * on two channels is known only through this mapping: by the phone hash when a platform gives the number, or
 * linked by hand by sales / ops.
 */
export const channelCustomerLinks = pgTable(
  'channel_customer_links',
  {
    channel: text('channel').$type<Channel>().notNull(),
    buyerKey: text('buyer_key').notNull(),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id),
    method: text('method').$type<'phone-hash' | 'manual'>().notNull(),
    linkedBy: text('linked_by'),
    linkedAt: at('linked_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.channel, t.buyerKey] }),
    index('channel_customer_links_customer_idx').on(t.customerId),
  ],
);

/** A suspected rule stacking across channels: one per set of orders, reviewed by the ops supervisor. */
export const stackingReviews = pgTable(
  'stacking_reviews',
  {
    id: serial('id').primaryKey(),
    /** The channel_orders ids, sorted and joined: the idempotency key. */
    orderSet: text('order_set').notNull().unique(),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id),
    orderIds: jsonb('order_ids').$type<number[]>().notNull(),
    ruleCodes: jsonb('rule_codes').$type<string[]>().notNull(),
    overlapSkus: jsonb('overlap_skus').$type<string[]>().notNull(),
    status: text('status').$type<'open' | 'confirmed' | 'dismissed'>().notNull().default('open'),
    reason: text('reason'),
    reviewer: text('reviewer'),
    decidedAt: at('decided_at'),
    createdAt: at('created_at').notNull(),
  },
  (t) => [index('stacking_reviews_open_idx').on(t.createdAt).where(sql`${t.status} = 'open'`)],
);

export type ComplaintKind = 'packaging' | 'dimension' | 'surface' | 'late' | 'other';

/** A customer complaint or return about an order, reported in chat by sales or quality: the complaint model's label. */
export const orderComplaints = pgTable(
  'order_complaints',
  {
    id: serial('id').primaryKey(),
    orderId: bigint('order_id', { mode: 'number' })
      .notNull()
      .references(() => orders.id),
    kind: text('kind').$type<ComplaintKind>().notNull(),
    /** Goods came back (a return), whatever the complaint's kind. */
    isReturn: boolean('is_return').notNull().default(false),
    /** A return: how many pieces came back, when said. */
    returnedQuantity: integer('returned_quantity'),
    note: text('note'),
    reportedBy: text('reported_by'),
    /** The chat event that reported it: a platform's retry records nothing twice. */
    eventKey: text('event_key').notNull().unique(),
    at: at('at').notNull(),
  },
  (t) => [index('order_complaints_order_idx').on(t.orderId, t.at), index('order_complaints_at_idx').on(t.at)],
);

/** Trained risk models (delivery lateness, complaints), one row per version; one active per target. */
export const riskModels = pgTable(
  'risk_models',
  {
    id: serial('id').primaryKey(),
    target: text('target').$type<'late' | 'complaint'>().notNull(),
    kind: text('kind').$type<'logistic'>().notNull(),
    version: integer('version').notNull(),
    status: text('status').$type<'candidate' | 'active' | 'retired'>().notNull(),
    trainedAt: at('trained_at').notNull(),
    trainFrom: at('train_from').notNull(),
    trainTo: at('train_to').notNull(),
    featureSpec: jsonb('feature_spec').notNull(),
    params: jsonb('params').notNull(),
    /** The backtest on the time split, with the baselines (base rate, customer history). */
    metrics: jsonb('metrics').notNull(),
  },
  (t) => [
    uniqueIndex('risk_models_version_idx').on(t.target, t.version),
    uniqueIndex('risk_models_active_idx').on(t.target).where(sql`${t.status} = 'active'`),
  ],
);

/**
 * What the plant looked like for an order when it was created (line load over the promised window, mould status,
 * purchase lead, the material's usual lead): the plant-side risk features as of that moment, which cannot be
 * read back later. Orders from before this table have none (the model treats them as unknown).
 */
export const orderRiskInputs = pgTable('order_risk_inputs', {
  orderId: bigint('order_id', { mode: 'number' })
    .primaryKey()
    .references(() => orders.id),
  inputs: jsonb('inputs').notNull(),
  recordedAt: at('recorded_at').notNull(),
});

/** What a model said about an order when it was made: the probability and each feature's contribution. */
export const orderRiskPredictions = pgTable(
  'order_risk_predictions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orderId: bigint('order_id', { mode: 'number' })
      .notNull()
      .references(() => orders.id),
    modelId: integer('model_id')
      .notNull()
      .references(() => riskModels.id),
    target: text('target').$type<'late' | 'complaint'>().notNull(),
    probability: doublePrecision('probability').notNull(),
    contributions: jsonb('contributions').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [uniqueIndex('order_risk_predictions_order_idx').on(t.orderId, t.modelId)],
);
