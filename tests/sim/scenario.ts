/**
 * What the simulated people say and when: a seeded PRNG, China wall-clock helpers and the phrases of the
 * demo company's sales people and plant leads (material codes and customers from db/demo-data.ts).
 * Pure: no I/O, no Math.random, no Date.now.
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
const CHINA_OFFSET = 8 * HOUR;

// ---- randomness ------------------------------------------------------------------------------------

export type Rng = () => number;

/** mulberry32: a tiny 32-bit PRNG, good enough for traffic and fully deterministic. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * FNV-1a of a string, finished with murmur3's avalanche step: names that differ in one character
 * ("request|20787|0", "…|1") must give unrelated seeds, or mulberry32's streams come out correlated.
 */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A generator for one named thing. Deriving it from the seed and the thing's name (not from one shared
 * stream) keeps each decision the same however the bot's replies interleave between runs.
 */
export function rngFor(seed: number, name: string): Rng {
  return mulberry32(hash(`${seed}|${name}`));
}

export const between = (rng: Rng, low: number, high: number): number => low + (high - low) * rng();
export const intBetween = (rng: Rng, low: number, high: number): number => Math.floor(between(rng, low, high + 1));
export const chance = (rng: Rng, p: number): boolean => rng() < p;
export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.min(items.length - 1, Math.floor(rng() * items.length))]!;
}
export function weighted<T>(rng: Rng, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let r = rng() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1]![0];
}

// ---- China wall-clock time ------------------------------------------------------------------------

export interface ChinaTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday. */
  weekday: number;
  /** Minutes since China midnight. */
  minuteOfDay: number;
  /** Days since 1970-01-01 (China calendar). */
  dayIndex: number;
}

export function chinaTime(ms: number): ChinaTime {
  const d = new Date(ms + CHINA_OFFSET);
  const hour = d.getUTCHours();
  const minute = d.getUTCMinutes();
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour,
    minute,
    weekday: d.getUTCDay(),
    minuteOfDay: hour * 60 + minute,
    dayIndex: Math.floor((ms + CHINA_OFFSET) / DAY),
  };
}

/** The instant of a China day (dayIndex) at a minute of that day. */
export const chinaInstant = (dayIndex: number, minuteOfDay: number): number =>
  dayIndex * DAY - CHINA_OFFSET + minuteOfDay * MINUTE;

/** 1970-01-01 was a Thursday. The demo calendar's 2026 holidays fall outside the weeks this is run in. */
export const isWorkday = (dayIndex: number): boolean => {
  const weekday = (dayIndex + 4) % 7;
  return weekday !== 0 && weekday !== 6;
};

export interface Window {
  from: number;
  to: number;
  /** Open at weekends too (couriers deliver and customers sign then). */
  weekends?: boolean;
}
/** Plant and sales office hours. */
export const WORK: Window = { from: 8 * 60 + 30, to: 18 * 60 };
/** When people still look at their phone and answer a card. */
export const AWAKE: Window = { from: 8 * 60, to: 20 * 60 };
/** When a customer signs for a delivery (and the sales person reports it): couriers work weekends. */
export const DELIVERY: Window = { from: 9 * 60, to: 18 * 60, weekends: true };

const isOpen = (dayIndex: number, w: Window): boolean => w.weekends === true || isWorkday(dayIndex);

export function inWindow(ms: number, w: Window): boolean {
  const t = chinaTime(ms);
  return isOpen(t.dayIndex, w) && t.minuteOfDay >= w.from && t.minuteOfDay < w.to;
}

/** The first instant at or after `ms` inside the window on a workday. */
export function windowForward(ms: number, w: Window): number {
  if (inWindow(ms, w)) return ms;
  const t = chinaTime(ms);
  let day = isOpen(t.dayIndex, w) && t.minuteOfDay < w.from ? t.dayIndex : t.dayIndex + 1;
  while (!isOpen(day, w)) day++;
  return chinaInstant(day, w.from);
}

/** The last instant at or before `ms` inside the window on a workday. */
export function windowBack(ms: number, w: Window): number {
  if (inWindow(ms, w)) return ms;
  const t = chinaTime(ms);
  let day = isOpen(t.dayIndex, w) && t.minuteOfDay >= w.to ? t.dayIndex : t.dayIndex - 1;
  while (!isOpen(day, w)) day--;
  return chinaInstant(day, w.to) - MINUTE;
}

/** Like windowForward, but a time pushed to the next morning gets a little spread (nobody taps at 08:30:00 sharp). */
export function nextAvailable(rng: Rng, ms: number, w: Window, spreadMinutes = 60): number {
  const moved = windowForward(ms, w);
  return moved === ms ? ms : moved + Math.round(between(rng, 0, spreadMinutes)) * MINUTE;
}

const WEEKDAYS_ZH = ['日', '一', '二', '三', '四', '五', '六'];
const WEEKDAYS_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** "2026-11-26 Thu 09:30" (China time), for the log. */
export function formatChina(ms: number): string {
  const t = chinaTime(ms);
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${WEEKDAYS_EN[t.weekday]} ${pad(t.hour)}:${pad(t.minute)}`;
}
export function formatChinaDay(ms: number): string {
  const t = chinaTime(ms);
  return `${t.year}-${pad(t.month)}-${pad(t.day)} 周${WEEKDAYS_ZH[t.weekday]}`;
}

/**
 * The China days (dayIndex) of the dates in a card field ("12月3日", "12月28日–2027年1月3日"); the bot
 * writes the year only when it is not the card's own year.
 */
export function chinaDaysIn(text: string, cardAt: number): number[] {
  return [...text.matchAll(/(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日/g)].map((m) => {
    const year = m[1] ? Number(m[1]) : chinaTime(cardAt).year;
    return Math.floor(Date.UTC(year, Number(m[2]) - 1, Number(m[3])) / DAY);
  });
}

// ---- the company ----------------------------------------------------------------------------------

export const SALES = ['zhangsan', 'lisi'] as const;
export type SalesId = (typeof SALES)[number];
export const HOME_CONVERSATION: Record<SalesId, string> = { zhangsan: 'sales-east', lisi: 'sales-south' };

const CUSTOMERS = [
  { zh: '大陆集团', en: 'Continental' },
  { zh: '博世', en: 'Bosch' },
  { zh: '采埃孚', en: 'ZF' },
  { zh: '比亚迪', en: 'BYD' },
] as const;

interface Material {
  code: string;
  unitZh: string;
  unitEn: string;
  weight: number;
  /** Purchasing lead time (days): sales people know not to ask for these next week. */
  leadDays: number;
  sample: readonly [number, number] | null;
  /** Batch sizes: [low, high, rounded to, weight]; mostly small repeat batches, now and then a big one. */
  batch: ReadonlyArray<readonly [number, number, number, number]>;
}
/** Weights and quantities follow the demo master data: brake brackets are the bread and butter. */
const MATERIALS: readonly Material[] = [
  ...Array.from(
    { length: 10 },
    (_, i): Material => ({
      code: `BRK-2026-${pad(i + 1)}`,
      unitZh: '件',
      unitEn: 'pcs',
      weight: [9, 7, 8, 7, 4, 5, 6, 2, 5, 4][i]!,
      leadDays: i === 7 ? 10 : 0,
      sample: [2, 30],
      batch: [
        [20, 200, 10, 3],
        [300, 600, 50, 1],
      ],
    }),
  ),
  {
    code: 'PAD-7781',
    unitZh: '套',
    unitEn: 'sets',
    weight: 8,
    leadDays: 5,
    sample: [2, 10],
    batch: [[100, 1500, 100, 1]],
  },
  {
    code: 'CAL-3310-A',
    unitZh: '套',
    unitEn: 'sets',
    weight: 3,
    leadDays: 14,
    sample: [3, 10],
    batch: [[10, 40, 5, 1]],
  },
  { code: 'DSC-4420', unitZh: '件', unitEn: 'pcs', weight: 3, leadDays: 10, sample: null, batch: [[20, 150, 10, 1]] },
];

export interface Request {
  sender: SalesId;
  conversationId: string;
  language: 'zh' | 'en';
  text: string;
  /** The customer asked before the sales person wrote ("客户 9:30 提的"). */
  statedAt: number | null;
  /** The sales person will say "SO-… 等客户图纸" once the order exists. */
  pause: boolean;
}

function dateZh(rng: Rng, dueMs: number, now: number): string {
  const due = chinaTime(dueMs);
  const today = chinaTime(now);
  const days = due.dayIndex - today.dayIndex;
  if (days === 1 && chance(rng, 0.5)) return pick(rng, ['明天要', '明天到']);
  if (days === 2 && chance(rng, 0.5)) return '后天到';
  const md = due.year === today.year ? `${due.month}月${due.day}` : `${due.year}年${due.month}月${due.day}`;
  return pick(rng, [`${md}日前到`, `${md}号前`, `${md}日前交货`, `${md}日前`]);
}

function dateEn(rng: Rng, dueMs: number): string {
  const due = chinaTime(dueMs);
  return pick(rng, [
    `by ${MONTHS_EN[due.month - 1]} ${due.day}`,
    `by ${due.month}/${due.day}`,
    `before ${MONTHS_EN[due.month - 1]} ${due.day}`,
  ]);
}

function clockZh(ms: number): string {
  const t = chinaTime(ms);
  return `${t.hour}:${pad(t.minute)}`;
}
function clockEn(ms: number): string {
  const t = chinaTime(ms);
  const h12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  return `${h12}:${pad(t.minute)} ${t.hour < 12 ? 'am' : 'pm'}`;
}

/** When the customer asked, for a request written at `now`: earlier today, or yesterday afternoon/evening. */
function statedTime(rng: Rng, now: number): { at: number; yesterday: boolean } {
  const today = chinaTime(now);
  const earliestToday = chinaInstant(today.dayIndex, 7 * 60 + 30);
  const back = Math.round(between(rng, 20, 240)) * MINUTE;
  if (now - back >= earliestToday && chance(rng, 0.85))
    return { at: Math.floor((now - back) / MINUTE) * MINUTE, yesterday: false };
  const minute = intBetween(rng, 14 * 4, 21 * 4) * 15; // 14:00–21:00 on the quarter hour
  return { at: chinaInstant(today.dayIndex - 1, minute), yesterday: true };
}

/**
 * One customer request as a sales person types it: a customer, one material (sometimes two), a realistic
 * quantity and due date; some too early for the plant, some with the customer's own request time.
 */
export function makeRequest(rng: Rng, now: number): Request {
  const sender = pick(rng, SALES);
  const other = sender === 'zhangsan' ? HOME_CONVERSATION.lisi : HOME_CONVERSATION.zhangsan;
  const conversationId = chance(rng, 0.85) ? HOME_CONVERSATION[sender] : other;
  const language = chance(rng, 0.2) ? 'en' : 'zh';
  const customer = pick(rng, CUSTOMERS);

  const items: Array<{ material: Material; quantity: number; sample: boolean }> = [];
  const count = chance(rng, 0.1) ? 2 : 1;
  while (items.length < count) {
    const material = weighted(
      rng,
      MATERIALS.map((m) => [m, m.weight] as const),
    );
    if (items.some((i) => i.material.code === material.code)) continue;
    const sample = material.sample !== null && count === 1 && chance(rng, 0.45);
    const [low, high, step] = sample
      ? [material.sample![0], material.sample![1], 1]
      : weighted(
          rng,
          material.batch.map((b) => [b, b[3]] as const),
        );
    items.push({ material, quantity: Math.max(low, Math.round(between(rng, low, high) / step) * step), sample });
  }

  // Due date: some too early for any plant, most within two weeks, a few further out; parts with a long
  // purchasing lead time are asked for later (and now and then too early all the same).
  const longLead = items.some((i) => i.material.leadDays >= 10);
  const daysAhead = longLead
    ? weighted(rng, [
        [intBetween(rng, 3, 9), 15],
        [intBetween(rng, 10, 14), 25],
        [intBetween(rng, 15, 30), 60],
      ] as const)
    : weighted(rng, [
        [intBetween(rng, 1, 2), 10],
        [intBetween(rng, 3, 5), 50],
        [intBetween(rng, 6, 12), 25],
        [intBetween(rng, 13, 30), 15],
      ] as const);
  const dueMs = now + daysAhead * DAY;

  let text: string;
  const first = items[0]!;
  if (language === 'zh') {
    const due = dateZh(rng, dueMs, now);
    const line = (i: (typeof items)[number]) =>
      i.sample
        ? `${i.material.code}样品${i.quantity}${i.material.unitZh}`
        : `${i.material.code} ${chance(rng, 0.3) ? '批量' : ''}${i.quantity}${i.material.unitZh}`;
    if (items.length === 2) {
      text = `客户：${customer.zh} ${items.map((i) => `${i.material.code} ${i.quantity}${i.material.unitZh}`).join('，')}，${due}`;
    } else {
      text = pick(rng, [
        () => `客户：${customer.zh} 需要${line(first)}，${due}`,
        () => `给${customer.zh}做${line(first)} ${due}`,
        () =>
          `${customer.zh}的${first.material.code} ${first.sample ? '样品' : ''}${first.quantity}${first.material.unitZh} ${due}`,
        () => `客户 ${customer.zh} ${line(first)} ${due}`,
      ])();
    }
  } else {
    const due = dateEn(rng, dueMs);
    const unit = (i: (typeof items)[number]) => (i.sample ? 'samples' : i.material.unitEn);
    if (items.length === 2) {
      text = `customer: ${customer.en}, ${items.map((i) => `${i.material.code} x${i.quantity}`).join(', ')} ${due}`;
    } else {
      text = pick(rng, [
        () =>
          `customer: ${customer.en}, ${first.material.code} ${first.sample ? 'samples ' : ''}x${first.quantity} ${due}`,
        () => `for ${customer.en}: ${first.material.code} ${first.sample ? 'samples ' : ''}x${first.quantity} ${due}`,
        () => `Customer ${customer.en} wants ${first.material.code} x${first.quantity} ${due}`,
        () => `need ${first.material.code} ${first.quantity} ${unit(first)} ${due} for ${customer.en}`,
      ])();
    }
  }

  let statedAt: number | null = null;
  if (chance(rng, 0.25)) {
    const stated = statedTime(rng, now);
    statedAt = stated.at;
    if (language === 'zh')
      text += stated.yesterday ? `，客户昨天${clockZh(stated.at)}提的` : `，客户 ${clockZh(stated.at)} 提的`;
    else
      text += stated.yesterday
        ? ` (the customer asked yesterday at ${clockEn(stated.at)})`
        : `, customer asked at ${clockEn(stated.at)}`;
  }
  return { sender, conversationId, language, text, statedAt, pause: chance(rng, 0.25) };
}

// ---- what people write about an order -------------------------------------------------------------

export type WorkStage = 'in_production' | 'qc_passed' | 'packed' | 'shipped' | 'delivered';
export const STAGE_OWNER: Record<Exclude<WorkStage, 'delivered'>, string> = {
  in_production: 'zhoushifu',
  qc_passed: 'zhenggong',
  packed: 'wushifu',
  shipped: 'wushifu',
};

export function pausePhrase(rng: Rng, number: string, language: 'zh' | 'en'): string {
  if (language === 'en')
    return pick(rng, [`${number} waiting on customer`, `${number} waiting for the customer's drawings`]);
  return `${number} ${pick(rng, ['等客户图纸', '等客户确认', '在等客户技术参数', '等客户图纸', '等待客户图纸确认'])}`;
}

export function resumePhrase(rng: Rng, number: string, language: 'zh' | 'en'): string {
  if (language === 'en') return pick(rng, [`${number} customer replied`, `${number} the customer's drawings arrived`]);
  return `${number} ${pick(rng, ['客户已回复', '客户已回复', '客户已确认', '收到客户图纸了'])}`;
}

export const waybill = (rng: Rng): string =>
  `SF${String(intBetween(rng, 1, 9))}${Array.from({ length: 9 }, () => String(intBetween(rng, 0, 9))).join('')}`;

export function stagePhrase(rng: Rng, number: string, stage: WorkStage, language: 'zh' | 'en'): string {
  switch (stage) {
    case 'in_production':
      return `${number} ${pick(rng, ['开始生产', '已投产'])}`;
    case 'qc_passed':
      return `${number} ${pick(rng, ['质检通过', '检验合格'])}`;
    case 'packed':
      return `${number} ${pick(rng, ['包装完成', '已包装'])}`;
    case 'shipped':
      return `${number} 已发货 顺丰 ${waybill(rng)}`;
    case 'delivered':
      // Not "客户已签收": the bot does not take that as a delivery report.
      return language === 'en' ? `${number} delivered` : `${number} ${pick(rng, ['已签收', '已签收', '签收了'])}`;
  }
}

export const REJECT_REASONS = [
  '原材料缺货，最早下月中旬到料',
  '图纸版本不对，请客户确认最新版',
  '该规格超出现有工艺能力',
  '产能已排满，此交期不接受',
  '客户信用额度超限，需先回款',
] as const;
export const EXPEDITE_REFUSALS = ['模具排不开', '线体已满负荷，无法插单', '原材料赶不上'] as const;
