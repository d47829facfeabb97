import { ConfigError } from '../core/errors';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ms from 'ms';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** A duration as written ("2h", "30m", "90s"), or in milliseconds (how a stored, already parsed config has it). */
const duration = z.union([z.number().int().positive(), z.string()]).transform((text, ctx) => {
  if (typeof text === 'number') return text;
  const value = ms(text as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    ctx.addIssue({ code: 'custom', message: `not a duration: "${text}" (write e.g. 2h, 30m, 90s)` });
    return z.NEVER;
  }
  return value;
});

const isoDate = z.union([z.string(), z.date()]).transform((value, ctx) => {
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(text))) {
    ctx.addIssue({ code: 'custom', message: `not a date: "${text}" (write 2026-10-01)` });
    return z.NEVER;
  }
  return text;
});

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'write a time of day as HH:mm, e.g. 08:30');

const stageSchema = z.object({
  /** Whose leads get the stage's "done" card; without one, the stage is reported in the chat only. */
  department: z.string().min(1).optional(),
  /** Working time the stage takes once the stage before it is done. */
  takes: duration,
});

const lifecycleSchema = z
  .object({
    /** Working hours on working days: plant stages only progress inside them. */
    workday: z.object({ start: clockTime.default('08:30'), end: clockTime.default('17:30') }).prefault({}),
    /** A promised date means signed for by this time of that day. */
    deliverBy: clockTime.default('18:00'),
    stages: z
      .object({
        in_production: stageSchema.prefault({ takes: '4h' }),
        qc_passed: stageSchema.prefault({ takes: '8h' }),
        packed: stageSchema.prefault({ takes: '4h' }),
        shipped: stageSchema.prefault({ takes: '2h' }),
      })
      .prefault({}),
    /** Where the goods leave from: the map gives the driving time to each customer's address. */
    plantAddress: z.string().min(1).optional(),
    transit: z
      .object({
        /** Used when the map is not configured or cannot route to the customer. */
        default: duration.default(48 * 3600_000),
        /** Added to the driving time: the courier's sorting and handover. */
        handling: duration.default(8 * 3600_000),
      })
      .prefault({}),
    /** No SMS to customers inside these hours (China time); they wait for the morning. from = to: none. */
    quietHours: z.object({ from: clockTime.default('21:00'), to: clockTime.default('08:00') }).prefault({}),
    /** How often open orders' ETDs are recomputed (a stage running late moves the ETD). */
    etdRefreshEvery: duration.default(30 * 60_000),
    /** How often a shipped order's waybill is tracked; the courier API locks waybills asked more often than every 30 min. */
    trackEvery: duration
      .default(30 * 60_000)
      .refine((v) => v >= 30 * 60_000, 'must be at least 30m (快递100 locks waybills queried more often)'),
  })
  .prefault({});

/** A share of a line's capacity: 0.85, or as people write it, "85%" (a number from the console's text field too). */
const loadShare = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const written = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([%％]?)\s*$/.exec(value) : null;
  const share = typeof value === 'number' ? value : written ? Number(written[1]) / (written[2] ? 100 : 1) : Number.NaN;
  if (!Number.isFinite(share) || share <= 0) {
    ctx.addIssue({ code: 'custom', message: `not a load: "${value}" (write e.g. 85% or 0.85)` });
    return z.NEVER;
  }
  if (share > 10) {
    ctx.addIssue({ code: 'custom', message: `${value} would be ${percentText(share)} of capacity: write 85% or 0.85` });
    return z.NEVER;
  }
  return share;
});

/** How far past the promise: a duration as `duration` reads it, or 0 (any lateness at all). */
const lateBy = z.union([z.number(), z.string()]).transform((value, ctx) => {
  if (value === 0 || value === '0') return 0;
  const parsed = duration.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
  return z.NEVER;
});

const kpiSchema = z
  .object({
    /** Delivered more than this before the promised time counts against promise accuracy (not against on-time). */
    promiseWindow: duration.default(2 * 86_400_000),
    /** On the ops board an approval due within this is yellow. */
    dueSoon: duration.default(30 * 60_000),
    /** The earlier name of lineLoad.yellow (configs written before lineLoad have it): give one or the other. */
    busyLineLoad: z.number().positive().optional(),
    /**
     * Ops board: a line loaded at least this share of its capacity over the next five working days is yellow (and
     * so are its pending orders) or red; 0.85 or "85%". Unset: yellow busyLineLoad or 90%, red 100%.
     */
    lineLoad: z.object({ yellow: loadShare.optional(), red: loadShare.optional() }).prefault({}),
    /**
     * Ops board: an order expected later than its promise by more than this is yellow or red; yellow 0 is any
     * lateness. Unset: yellow 0, red thresholds.delayAlertAfter (when the sales chat is alerted).
     */
    lateness: z.object({ yellow: lateBy.default(0), red: duration.optional() }).prefault({}),
    /** When the weekly digest goes to the ops conversation: weekday 0 = Sunday … 6, time China time. */
    digest: z
      .object({ weekday: z.number().int().min(0).max(6).default(1), at: clockTime.default('09:00') })
      .prefault({}),
  })
  .prefault({});

/** The ops board's colour thresholds in force: durations in milliseconds, loads as shares of capacity. */
export interface BoardThresholds {
  /** An approval due within this is yellow. */
  dueSoon: number;
  /** A line loaded at least `yellow` is yellow (its pending orders too), at least `red` red. */
  lineLoad: { yellow: number; red: number };
  /** An order expected later than its promise by more than `yellow` is yellow (0: any lateness), by more than `red` red. */
  lateness: { yellow: number; red: number };
}

type ThresholdSettings = { kpi: z.output<typeof kpiSchema>; thresholds: { delayAlertAfter: number } };

/** The board's thresholds as configured, each unset one as the kpi settings' comments say. */
export function boardThresholds(config: ThresholdSettings): BoardThresholds {
  const { kpi } = config;
  return {
    dueSoon: kpi.dueSoon,
    lineLoad: { yellow: kpi.lineLoad.yellow ?? kpi.busyLineLoad ?? 0.9, red: kpi.lineLoad.red ?? 1 },
    lateness: { yellow: kpi.lateness.yellow, red: kpi.lateness.red ?? config.thresholds.delayAlertAfter },
  };
}

/**
 * Red must not come before yellow, and busyLineLoad and lineLoad.yellow (one setting under two names) must agree.
 * A config written before lineLoad with busyLineLoad above 100% loads as it always did (lines red from 100%).
 */
function checkBoardThresholds(config: ThresholdSettings, ctx: z.RefinementCtx): void {
  const { kpi } = config;
  const { lineLoad, lateness } = boardThresholds(config);
  const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path: ['kpi', ...path], message });
  if (kpi.busyLineLoad !== undefined && kpi.lineLoad.yellow !== undefined && kpi.busyLineLoad !== kpi.lineLoad.yellow)
    issue(
      ['busyLineLoad'],
      `${percentText(kpi.busyLineLoad)} disagrees with kpi.lineLoad.yellow (${percentText(kpi.lineLoad.yellow)}): ` +
        'they are one setting, keep kpi.lineLoad.yellow only',
    );
  if (kpi.lineLoad.red !== undefined && lineLoad.red < lineLoad.yellow)
    issue(
      ['lineLoad', 'red'],
      `red (${percentText(lineLoad.red)}) must not be below yellow ` +
        `(${kpi.lineLoad.yellow === undefined && kpi.busyLineLoad !== undefined ? 'kpi.busyLineLoad' : 'kpi.lineLoad.yellow'}: ${percentText(lineLoad.yellow)})`,
    );
  else if (kpi.lineLoad.yellow !== undefined && lineLoad.red < lineLoad.yellow)
    issue(
      ['lineLoad', 'yellow'],
      `yellow (${percentText(lineLoad.yellow)}) is above red (${percentText(lineLoad.red)} while kpi.lineLoad.red is not set): set kpi.lineLoad.red too`,
    );
  if (kpi.lateness.red !== undefined && lateness.red < lateness.yellow)
    issue(
      ['lateness', 'red'],
      `red (${durationText(lateness.red)}) must not be below yellow (kpi.lateness.yellow: ${durationText(lateness.yellow)})`,
    );
  else if (lateness.red < lateness.yellow)
    issue(
      ['lateness', 'yellow'],
      `yellow (${durationText(lateness.yellow)}) is later than red (thresholds.delayAlertAfter, ${durationText(lateness.red)}, ` +
        'while kpi.lateness.red is not set): set kpi.lateness.red too',
    );
}

/** 0.855 → "85.5%". */
function percentText(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

/** Milliseconds as a config would write them: 14_400_000 → "4h", 5_400_000 → "90m". */
function durationText(msValue: number): string {
  if (msValue === 0) return '0';
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) if (msValue % size === 0) return `${msValue / size}${unit}`;
  return `${msValue}ms`;
}

/** scrypt$N$r$p$salt$hash (base64): made by `npm run -s orderbot -- hash-password`. */
const passwordHash = z
  .string()
  .regex(
    /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/,
    'not a password hash: make one with `npm run -s orderbot -- hash-password`',
  );

const boardSchema = z
  .object({
    /**
     * Who may sign in to the ops board and the admin console; `person` (a people id) gives the name shown.
     * `role`: admin (may change settings) or viewer (the board only); see boardRole for users without one.
     */
    users: z
      .array(
        z.object({
          username: z.string().min(1),
          person: z.string().min(1).optional(),
          role: z.enum(['admin', 'viewer']).optional(),
          passwordHash,
        }),
      )
      .default([]),
    sessionTtl: duration.default(12 * 3600_000),
  })
  .prefault({});

const personSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  role: z.string().optional(),
  phone: z.string().optional(),
  /** WeCom userid (通讯录 账号). */
  wecom: z.string().min(1).optional(),
  /** DingTalk staffId / userId. */
  dingtalk: z.string().min(1).optional(),
});

const conversationSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  wecom: z
    .object({
      /** The group's chatid as the WeCom AI bot reports it. */
      chatId: z.string().min(1),
      /** Key of the group's webhook robot (群机器人), for pushes when no AI-bot reply window is open. */
      webhookKey: z.string().min(1).optional(),
    })
    .optional(),
  dingtalk: z.object({ openConversationId: z.string().min(1) }).optional(),
});

/** A reason an approver may pick when rejecting; `id` travels in the card tap, `text` is what people read. */
const reasonSchema = z.object({
  id: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'write an id of 1-32 lower-case letters, digits, "_" or "-"'),
  text: z.string().min(1).max(40),
  /** Shown to people who write in English (the rejection notice in an English sales chat). */
  textEn: z.string().min(1).max(80).optional(),
});
const reasonList = z
  .array(reasonSchema)
  .min(1)
  .max(10, 'at most 10 reasons (a WeCom card lists at most 10)')
  .superRefine((reasons, ctx) => {
    const seen = new Set<string>();
    reasons.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `"${r.id}" is listed twice` });
      seen.add(r.id);
    });
  });

/** The reasons every department's approvers may reject with, unless the department lists its own. */
const DEFAULT_REJECT_REASONS = [
  { id: 'date', text: '交期无法满足', textEn: 'The date cannot be met' },
  { id: 'material', text: '原材料短缺', textEn: 'Raw material is short' },
  { id: 'capacity', text: '产能不足', textEn: 'Not enough capacity' },
  { id: 'spec', text: '技术要求无法满足', textEn: 'The specs cannot be met' },
  { id: 'other', text: '其他原因（请在群内说明）', textEn: 'Other (explained in the group)' },
];

const departmentSchema = z.object({
  key: z.string().min(1),
  name: z.string().min(1),
  /** Shown to people who write in English. */
  nameEn: z.string().min(1).optional(),
  leads: z.array(z.string().min(1)).min(1),
  director: z.string().min(1),
  /** A `conversations` id: the department's approval card goes to that group instead of each lead's 1:1 chat. */
  approvalGroup: z.string().min(1).optional(),
  /** This department's own reasons to reject with; without them, the config's `rejectReasons`. */
  rejectReasons: reasonList.optional(),
  /**
   * How its approval deadlines, reminders and escalations count time: `working` (the plant's working hours on
   * its working days) or `wall` (every hour, e.g. a production line running round the clock).
   */
  clock: z.enum(['working', 'wall']).default('working'),
  /** Who else may take a step over (a transfer, a stand-in) besides the leads and the director. */
  members: z.array(z.string().min(1)).default([]),
});

/** A reminder point as written: "50%" of the step's time, or "15m" before its end; null when it is neither. */
export function parseReminderPoint(value: string | number): { share: number } | { before: number } | null {
  const share = typeof value === 'string' ? /^\s*(\d{1,2}(?:\.\d+)?)\s*[%％]\s*$/.exec(value) : null;
  if (share) {
    const n = Number(share[1]) / 100;
    return n > 0 && n < 1 ? { share: n } : null;
  }
  const before = duration.safeParse(value);
  return before.success ? { before: before.data } : null;
}

/** Kept as written (the console and an export show "50%", "15m"); read with reminderPointsOf. */
const reminderPoint = z.union([z.string(), z.number()]).refine((value) => parseReminderPoint(value) !== null, {
  message: 'not a reminder point (write 50% of the step, or 15m before its end)',
});

const approvalsSchema = z
  .object({
    /** When the holder of an approval step gets a reminder card before it escalates. */
    reminders: z.array(reminderPoint).max(5).default(['50%', '15m']),
    /** At most one 催办 per step in this time; a second one is answered with when the last went. */
    nudgeInterval: duration.default(30 * 60_000),
    /** People away and who decides in their place (set from the chat too: "12月5日到12月9日休假，刘工代"). */
    standIns: z
      .array(z.object({ person: z.string().min(1), standIn: z.string().min(1), from: isoDate, until: isoDate }))
      .default([]),
  })
  .prefault({});

/** The points in an order's life a customer may hear about by SMS. */
export const NOTICE_MILESTONES = ['confirmed', 'shipped', 'promise-changed'] as const;
export type NoticeMilestone = (typeof NOTICE_MILESTONES)[number];
const noticeMilestones = z.array(z.enum(NOTICE_MILESTONES));

/**
 * Which customers hear by SMS at which milestones. Off unless the config says so: without this section
 * (every config written before it) no customer gets an SMS a plant did not send before.
 */
const customerNoticesSchema = z
  .object({
    /** What every customer hears about unless listed under `customers`; none by default. */
    milestones: noticeMilestones.default([]),
    /**
     * By customer name (as in the customer list): `false` for none, `true` for every milestone, or their own
     * `milestones`.
     */
    customers: z
      .record(z.string().min(1), z.union([z.boolean(), z.object({ milestones: noticeMilestones })]))
      .default({}),
    /** How long the status-page link in a notice works, in days; 0: no link. */
    linkDays: z.number().int().min(0).max(365).default(30),
  })
  .prefault({});

export const CHANNELS = ['douyin', 'taobao', 'jd'] as const;
const envName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'the name of an environment variable, e.g. DOUYIN_APP_SECRET');

/**
 * One shop on one e-commerce channel. Secrets never go in the config (its versions are shown in the admin
 * console): `secretEnv` / `tokenEnv` name the environment variables (.env) that hold them.
 */
const channelShopSchema = z.object({
  channel: z.enum(CHANNELS),
  /** The platform's shop id (Douyin shop_id, Taobao seller nick or user id, JD venderId). */
  shop: z.string().min(1),
  name: z.string().min(1),
  appKey: z.string().min(1),
  secretEnv: envName,
  /** The access token / session key of the shop's authorisation. */
  tokenEnv: envName.optional(),
  /** The API gateway; unset: the platform's production gateway (a sandbox or a test fake otherwise). */
  baseUrl: z.url().optional(),
  /** How often orders (and settlements) are polled; pushes arrive between polls. */
  pollEvery: duration.default(5 * 60_000),
  /** How far back the first poll of a new shop reads. */
  firstLookback: duration.default(3 * 86_400_000),
  /** Douyin: sign method of API calls (the message push is always md5). Taobao: md5, hmac or hmac-sha256. */
  signMethod: z.enum(['md5', 'hmac', 'hmac-sha256']).optional(),
  /** Taobao: promotion_id prefixes of promotions the platform pays for (default: every promotion is the shop's). */
  platformPromotionPrefixes: z.array(z.string().min(1)).optional(),
  /** Taobao: the unit of a bill line's amount, unconfirmed in the platform's docs (default fen). */
  billAmountUnit: z.enum(['fen', 'yuan']).optional(),
  /** Taobao: bill account ids (科目) whose lines are fees (commission, service charges). */
  feeAccountIds: z.array(z.string().min(1)).optional(),
});
export type ChannelShopConfig = z.output<typeof channelShopSchema>;

const channelsSchema = z
  .object({
    shops: z.array(channelShopSchema).default([]),
    /** The ops supervisor who gets suspected rule-stacking reviews as a card (a person id); unset: no cards, the board only. */
    reviewer: z.string().min(1).optional(),
    /** Orders of one customer on two channels within this are checked for promotions that must not combine. */
    stackingWindow: duration.default(24 * 3600_000),
    /** Outer SKU codes that are not our material code as written: { "BRK01-A": "BRK-2026-01" }. */
    skuAliases: z.record(z.string().min(1), z.string().min(1)).default({}),
  })
  .prefault({});

/** A sum of money in yuan as written (8.2, 300): kept in yuan so a stored config parses to the same value again. */
const yuan = z
  .number()
  .nonnegative()
  .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, 'write yuan with at most two decimals, e.g. 8.20');

/** Order risk (domain/risk) and pre-stocking suggestions (domain/demand). */
const riskSchema = z
  .object({
    /** Risk lines on approval cards and "SO-… 风险"; off: no model is trained and nothing is predicted. */
    enabled: z.boolean().default(true),
    /** When the models are retrained each day, China time (a job claimed by one process). */
    retrainAt: clockTime.default('03:00'),
    /** Below this many delivered orders, or this many late (complained) ones, a target gets no model: no risk lines. */
    minOrders: z.number().int().min(50).default(300),
    minPositives: z.number().int().min(5).default(20),
    /** Reinforced (shock-proof) packaging: what it adds per box, how many pieces a box holds, what a complaint costs. */
    packaging: z
      .object({
        extraPerBox: yuan.default(8.2),
        piecesPerBox: z.number().int().positive().default(50),
        complaintCost: yuan.default(300),
      })
      .prefault({}),
    /** Weekly pre-stocking suggestions to the purchasing and production leads. */
    prestock: z
      .object({
        enabled: z.boolean().default(true),
        /** 1 = Monday … 7 = Sunday, and the time of day (China time). */
        weekday: z.number().int().min(1).max(7).default(1),
        at: clockTime.default('08:30'),
        /** Weeks ahead the forecast looks, and how far it must exceed stock plus open supply (0.2 = 20%). */
        horizonWeeks: z.number().int().min(1).max(26).default(4),
        margin: z.number().min(0).max(5).default(0.2),
        /** Whose leads get the suggestion (department keys); unset: the departments keyed purchasing and production. */
        departments: z.array(z.string().min(1)).min(1).optional(),
      })
      .prefault({}),
  })
  .prefault({});

export const businessConfigSchema = z
  .object({
    company: z.string().min(1),
    timeZone: z.literal('Asia/Shanghai').default('Asia/Shanghai'),
    botName: z.string().min(1).default('订单助手'),
    people: z.array(personSchema).min(1),
    departments: z.array(departmentSchema).min(1),
    routing: z.object({
      sample: z.array(z.string()).min(1),
      batch: z.array(z.string()).min(1),
    }),
    thresholds: z
      .object({
        escalateAfter: duration.default(2 * 3600_000),
        delayAlertAfter: duration.default(4 * 3600_000),
        draftExpiresAfter: duration.default(30 * 60_000),
        /** A request for a customer and material another sales person has open within this is the same need. */
        duplicateWindow: duration.default(14 * 86_400_000),
      })
      .prefault({}),
    /** The plant's work calendar: production runs on working days only. */
    calendar: z
      .object({
        /** 0 = Sunday … 6 = Saturday. */
        weekendDays: z.array(z.number().int().min(0).max(6)).default([0, 6]),
        holidays: z.array(isoDate).default([]),
        /** Weekend days worked to make up for a holiday (调休上班). */
        makeUpWorkdays: z.array(isoDate).default([]),
      })
      .prefault({}),
    /** How a delivery date is computed once the goods exist. */
    promise: z
      .object({
        /** Working days to pick and pack before the truck leaves. */
        pickPackDays: z.number().int().min(0).default(1),
        /** Calendar days on the road to the customer (until the map integration gives real times). */
        transitDays: z.number().int().min(0).default(2),
        /** How far ahead the plant is searched for capacity before a request is called impossible. */
        horizonDays: z.number().int().min(1).default(180),
      })
      .prefault({}),
    /** The sales people (they keep their customers' contacts from the chat); unset: people whose role is 销售 / sales. */
    sales: z.array(z.string().min(1)).optional(),
    /** People who may change master data from the chat besides the sales people. */
    admins: z.array(z.string().min(1)).default([]),
    /** What an approver may pick when rejecting (a department may list its own). */
    rejectReasons: reasonList.default(DEFAULT_REJECT_REASONS),
    /** The department that reviews specs outside their qualified range and decides expedites. */
    techDepartment: z.string().min(1).default('tech'),
    /** Reminders, 催办 and stand-ins of approval steps. */
    approvals: approvalsSchema,
    /** Further escalation after the director, e.g. to the general manager after 4h (counted from the card). */
    escalationLadder: z.array(z.object({ after: duration, to: z.string().min(1) })).default([]),
    /** Where the bot reports plant-data problems (a broken Excel export, a failing ERP): a `conversations` id. */
    opsConversation: z.string().min(1).optional(),
    /** How often plant data is pulled from the ERP and the Excel bridge folder is scanned. */
    sync: z
      .object({
        erpEvery: duration.default(15 * 60_000),
        excelEvery: duration.default(15 * 60_000),
        /** When the company directory (WeCom/DingTalk 通讯录) is read each day, China time; the console can sync any time. */
        directoryAt: clockTime.default('02:00'),
      })
      .prefault({}),
    lifecycle: lifecycleSchema,
    /** SMS to customers at an order's milestones (confirmed, shipped, a changed promise), with a status link. */
    customerNotices: customerNoticesSchema,
    /** E-commerce channel shops (Douyin, Taobao/Tmall, JD), the rule-stacking reviewer and SKU aliases. */
    channels: channelsSchema,
    /** Order risk on approval cards, the models' retraining, pre-stocking suggestions. */
    risk: riskSchema,
    kpi: kpiSchema,
    board: boardSchema,
    lines: z
      .array(z.object({ id: z.string().min(1), name: z.string().min(1), capacityPerDay: z.number().int().positive() }))
      .default([]),
    /** Sales group chats: the playground shows them, platform adapters map their own ids to these. */
    conversations: z
      .array(conversationSchema)
      .min(1)
      .default([{ id: 'sales', name: '销售群' }]),
  })
  .superRefine((config, ctx) => {
    const people = new Set(config.people.map((p) => p.id));
    const departments = new Set(config.departments.map((d) => d.key));
    for (const platform of ['wecom', 'dingtalk'] as const) {
      const seen = new Map<string, number>();
      config.people.forEach((person, i) => {
        const id = person[platform];
        if (id === undefined) return;
        if (seen.has(id))
          ctx.addIssue({
            code: 'custom',
            path: ['people', i, platform],
            message: `"${id}" is used by another person too`,
          });
        seen.set(id, i);
      });
    }
    for (const list of ['sales', 'admins'] as const) {
      (config[list] ?? []).forEach((id, i) => {
        if (!people.has(id)) ctx.addIssue({ code: 'custom', path: [list, i], message: `unknown person "${id}"` });
      });
    }
    if (config.channels.reviewer !== undefined && !people.has(config.channels.reviewer)) {
      ctx.addIssue({
        code: 'custom',
        path: ['channels', 'reviewer'],
        message: `unknown person "${config.channels.reviewer}"`,
      });
    }
    const shopKeys = new Set<string>();
    config.channels.shops.forEach((shop, i) => {
      const key = `${shop.channel}:${shop.shop}`;
      if (shopKeys.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['channels', 'shops', i, 'shop'],
          message: `shop ${key} is listed twice`,
        });
      shopKeys.add(key);
    });
    (config.risk.prestock.departments ?? []).forEach((key, i) => {
      if (!departments.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['risk', 'prestock', 'departments', i],
          message: `unknown department "${key}"`,
        });
    });
    if (!departments.has(config.techDepartment)) {
      ctx.addIssue({
        code: 'custom',
        path: ['techDepartment'],
        message: `unknown department "${config.techDepartment}"`,
      });
    }
    config.escalationLadder.forEach((step, i) => {
      if (!people.has(step.to))
        ctx.addIssue({ code: 'custom', path: ['escalationLadder', i, 'to'], message: `unknown person "${step.to}"` });
      const before = i === 0 ? config.thresholds.escalateAfter : config.escalationLadder[i - 1]!.after;
      if (step.after <= before)
        ctx.addIssue({
          code: 'custom',
          path: ['escalationLadder', i, 'after'],
          message: 'must be later than the step before',
        });
    });
    if (config.opsConversation && !config.conversations.some((c) => c.id === config.opsConversation)) {
      ctx.addIssue({
        code: 'custom',
        path: ['opsConversation'],
        message: `unknown conversation "${config.opsConversation}"`,
      });
    }
    config.departments.forEach((dept, i) => {
      dept.leads.forEach((lead, j) => {
        if (!people.has(lead)) {
          ctx.addIssue({ code: 'custom', path: ['departments', i, 'leads', j], message: `unknown person "${lead}"` });
        }
      });
      if (dept.approvalGroup && !config.conversations.some((c) => c.id === dept.approvalGroup)) {
        ctx.addIssue({
          code: 'custom',
          path: ['departments', i, 'approvalGroup'],
          message: `unknown conversation "${dept.approvalGroup}"`,
        });
      }
      dept.members.forEach((member, j) => {
        if (!people.has(member)) {
          ctx.addIssue({
            code: 'custom',
            path: ['departments', i, 'members', j],
            message: `unknown person "${member}"`,
          });
        }
      });
      if (!people.has(dept.director)) {
        ctx.addIssue({
          code: 'custom',
          path: ['departments', i, 'director'],
          message: `unknown person "${dept.director}"`,
        });
      }
    });
    for (const [stage, spec] of Object.entries(config.lifecycle.stages)) {
      if (spec.department && !departments.has(spec.department)) {
        ctx.addIssue({
          code: 'custom',
          path: ['lifecycle', 'stages', stage, 'department'],
          message: `unknown department "${spec.department}"`,
        });
      }
    }
    const usernames = new Set<string>();
    config.board.users.forEach((user, i) => {
      if (usernames.has(user.username))
        ctx.addIssue({
          code: 'custom',
          path: ['board', 'users', i, 'username'],
          message: `"${user.username}" is listed twice`,
        });
      usernames.add(user.username);
      if (user.person && !people.has(user.person))
        ctx.addIssue({
          code: 'custom',
          path: ['board', 'users', i, 'person'],
          message: `unknown person "${user.person}"`,
        });
    });
    for (const kind of ['sample', 'batch'] as const) {
      config.routing[kind].forEach((key, i) => {
        if (!departments.has(key)) {
          ctx.addIssue({ code: 'custom', path: ['routing', kind, i], message: `unknown department "${key}"` });
        }
      });
    }
    config.approvals.standIns.forEach((entry, i) => {
      for (const key of ['person', 'standIn'] as const) {
        if (!people.has(entry[key]))
          ctx.addIssue({
            code: 'custom',
            path: ['approvals', 'standIns', i, key],
            message: `unknown person "${entry[key]}"`,
          });
      }
      if (entry.person === entry.standIn)
        ctx.addIssue({
          code: 'custom',
          path: ['approvals', 'standIns', i, 'standIn'],
          message: 'cannot stand in for oneself',
        });
      if (entry.until < entry.from)
        ctx.addIssue({ code: 'custom', path: ['approvals', 'standIns', i, 'until'], message: 'ends before it starts' });
    });
    checkBoardThresholds(config, ctx);
  });

export type BusinessConfig = z.output<typeof businessConfigSchema>;

const zhMessages = z.locales.zhCN().localeError;

/** Where the running product reads its business config: the latest saved version, which can change while it runs. */
export interface ConfigSource {
  readonly current: BusinessConfig;
}

/** A config that never changes (a test's, a one-off command's). */
export function fixedConfig(config: BusinessConfig): ConfigSource {
  return { current: config };
}
export type Department = BusinessConfig['departments'][number];
export type Person = BusinessConfig['people'][number];
export type Lifecycle = BusinessConfig['lifecycle'];
export type Conversation = BusinessConfig['conversations'][number];
export type RejectReason = BusinessConfig['rejectReasons'][number];

/** The person a platform user id belongs to, e.g. personByPlatformId(config, 'wecom', 'WangGong'). */
export function personByPlatformId(
  config: BusinessConfig,
  platform: 'wecom' | 'dingtalk',
  platformId: string,
): Person | undefined {
  return config.people.find((p) => p[platform] === platformId);
}

export const DEMO_CONFIG_PATH = fileURLToPath(new URL('./demo.yaml', import.meta.url));

/** A field of the business config that does not validate: its path ("departments.0.director") and why. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** Validates a business config in its input form (as a YAML file or the admin console has it). */
export function validateBusinessConfig(
  input: unknown,
  options: { lang?: 'zh' | 'en' } = {},
): { ok: true; config: BusinessConfig } | { ok: false; issues: ConfigIssue[] } {
  // zod's own messages ("too small", "expected number") in the reader's language; this schema's own are
  // English and are translated where they are shown (texts/*/admin.ts configIssue).
  const result = businessConfigSchema.safeParse(input, options.lang === 'zh' ? { error: zhMessages } : undefined);
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  };
}

/** Parses and validates a business config; errors name the offending field, e.g. `departments.0.director`. */
export function parseBusinessConfig(yamlText: string, source = 'config'): BusinessConfig {
  return readBusinessConfig(yamlText, source).config;
}

/** The config's input form (as written) and the validated config. */
export function readBusinessConfig(yamlText: string, source = 'config'): { input: unknown; config: BusinessConfig } {
  let input: unknown;
  try {
    input = parseYaml(yamlText);
  } catch (err) {
    throw new ConfigError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  const result = validateBusinessConfig(input);
  if (!result.ok) {
    const lines = result.issues.map((issue) => `  ${issue.path || '(root)'}: ${issue.message}`);
    throw new ConfigError(`${source} is invalid:\n${lines.join('\n')}`);
  }
  return { input, config: result.config };
}

export function loadBusinessConfig(path = DEMO_CONFIG_PATH): BusinessConfig {
  return parseBusinessConfig(readFileSync(path, 'utf8'), path);
}

export function personName(config: BusinessConfig, id: string): string {
  return config.people.find((p) => p.id === id)?.name ?? id;
}

/** A department's name in a language (its `nameEn` for English, when it has one). */
export function departmentName(config: BusinessConfig, key: string, lang: 'zh' | 'en' = 'zh'): string {
  const department = config.departments.find((d) => d.key === key);
  return (lang === 'en' ? department?.nameEn : undefined) ?? department?.name ?? key;
}

/** Whether a person may keep customers' contacts from the chat: the sales people and the admins. */
export function mayEditCustomers(config: BusinessConfig, personId: string): boolean {
  return config.admins.includes(personId) || isSalesPerson(config, personId);
}

/** The role that makes a person a sales person when the config has no `sales` list. */
export const SALES_ROLE = '销售';

/** The `sales` list when set; otherwise people whose role is 销售 / sales. */
export function isSalesPerson(config: BusinessConfig, personId: string): boolean {
  if (config.sales) return config.sales.includes(personId);
  const role = config.people
    .find((p) => p.id === personId)
    ?.role?.trim()
    .toLowerCase();
  return role === SALES_ROLE || role === 'sales';
}

/**
 * A board user's role. Users without one are viewers, except that when nobody is an admin the first
 * user listed is (a config written before roles existed keeps one person who can open the console).
 */
export function boardRole(config: BusinessConfig, username: string): 'admin' | 'viewer' | null {
  const users = config.board.users;
  const user = users.find((u) => u.username === username);
  if (!user) return null;
  if (user.role) return user.role;
  return !users.some((u) => u.role === 'admin') && users[0] === user ? 'admin' : 'viewer';
}

/** The reasons a department's approvers may reject with. */
export function rejectReasonsOf(config: BusinessConfig, departmentKey: string): RejectReason[] {
  return config.departments.find((d) => d.key === departmentKey)?.rejectReasons ?? config.rejectReasons;
}

/** The milestones a customer (by name) hears about by SMS: their own setting, else everyone's. */
export function noticeMilestonesOf(config: BusinessConfig, customerName: string | null): readonly NoticeMilestone[] {
  const { customerNotices } = config;
  const own =
    customerName !== null && Object.hasOwn(customerNotices.customers, customerName)
      ? customerNotices.customers[customerName]
      : undefined;
  if (own === undefined) return customerNotices.milestones;
  if (typeof own === 'boolean') return own ? NOTICE_MILESTONES : [];
  return own.milestones;
}

/** The configured reminder points, parsed (each was checked when the config was read). */
export function reminderPointsOf(config: BusinessConfig): Array<{ share: number } | { before: number }> {
  return config.approvals.reminders.flatMap((value) => {
    const point = parseReminderPoint(value);
    return point ? [point] : [];
  });
}
