import { chinaDate, chinaTime } from '../../domain/china-time';
import type { Stage, WorkStage } from '../../domain/lifecycle';
import { format } from './format';
import { stages } from './stages';

/** A stage report that did not move the order. */
export type StageRefusal =
  | { reason: 'not-confirmed' }
  | { reason: 'skipped' }
  | { reason: 'already'; current: Stage; who: string | null; when: string };

/** What a confirmed order's stage is waiting on, for the status answer. */
export type NextStep =
  | { kind: 'none' }
  | { kind: 'customer' }
  /** A stage; `department` is "生产部（周师傅）" or null when no department marks it. */
  | { kind: 'stage'; stage: WorkStage; department: string | null };

/** What happens with the customer's SMS about a delay; `contact` is the customer's contact, if known by name. */
export type DelaySms =
  | { kind: 'none'; sales: string; contact: string | null }
  | { kind: 'sent'; contact: string | null; phone: string }
  /** Held until quiet hours end at `at`. */
  | { kind: 'later'; contact: string | null; phone: string; at: Date; today: string };

const COURIER_STATES: Record<string, string> = { problem: '疑难件', refused: '拒收', returned: '退回' };

/** After confirmation: the order's card in the sales chat, stage cards, stage reports, status, delays. */
export const lifecycle = {
  /** The one card per order in the sales chat ("交期跟踪"). */
  orderCard: {
    title: (number: string): string => `交期跟踪 · ${number}`,
    stage: '当前阶段',
    awaitingApproval: '待审批',
    stageSince: (stage: Stage, since: string): string => `${stages.label(stage)}（${since}）`,
    requested: '要求交期',
    clock: '客户时延',
    clockPaused: (reason: string | null, since: string): string =>
      `已暂停：等客户${reason ? `（${reason}）` : ''}，${since}起`,
    clockRunning: (since: string): string => `计时中，${since}起`,
    pausedNote: (number: string): string => `客户回复后点“客户已回复”，或在群里说“${number} 客户已回复”。`,
    runningNote: '等客户图纸或确认时点“等客户回复”，时延暂停计时。',
    resume: '客户已回复',
    pause: '等客户回复',
    /** 催办: every pending step's holder is reminded. */
    nudge: '催办',
    nudgeCommand: (number: string): string => `${number} 催办`,
    rejected: '已驳回',
    latency: '客户时延',
    latencyValue: (latency: string, pausedMs: number): string =>
      `${latency}${pausedMs > 0 ? `（不含等客户${format.latency(pausedMs)}）` : ''}`,
    delivered: '签收时间',
    etd: '预计签收',
    promised: '承诺交期',
    promisedValue: (date: string, time: string): string => `${date} ${time}前`,
    /** A line promised another date than the order's (the order's promise is its latest line's). */
    line: (materialCode: string): string => `└ ${materialCode}`,
    lineValue: (quantity: number, unit: string, date: string): string => `${quantity}${unit} ${date}`,
    shipment: '物流',
    /** How long the shipment line may be before it is cut. */
    shipmentMaxChars: 80,
    step: (stage: WorkStage, department: string | null, when: string): string =>
      `${stages.action(stage)}${department ? `（${department}）` : ''} 预计${when}`,
    closed: '已签收，订单完成',
  },

  /** The card a stage's owners get, with its "done" button. */
  stageCard: {
    title: (stage: WorkStage, number: string): string => `${stages.action(stage)} · ${number}`,
    subtitle: (sales: string): string => `销售：${sales}`,
    order: '订单号',
    customer: '客户',
    promised: '承诺交期',
    plan: '生产计划',
    planValue: (start: string, finish: string): string => `${start}–${finish}`,
    note: (stage: WorkStage, number: string): string =>
      `完成后请点“${stages.action(stage)}”，或在群里说“${number} ${stages.action(stage)}”。`,
    done: (stage: Stage, who: string, time: string): string => `${stages.label(stage)} · ${who} ${time}`,
  },

  /** Who completed a stage when nobody in the chat did. */
  byCourier: '快递',
  byMes: 'MES',
  bySystem: '系统',

  delivered: (number: string, who: string, time: string): string => `✅ ${number} 已签收（${who} ${time}），订单完成。`,

  /** Answers to "SO-… 质检通过" in a chat. */
  noOrder: (number: string): string => `没有找到订单 ${number}。`,
  recorded: (number: string, stage: WorkStage): string => `已记录：${number} ${stages.action(stage)}，交期卡片已更新。`,
  recordedShipped: (number: string, waybill: string | null): string =>
    waybill
      ? `已记录：${number} 已发货（${waybill}），交期卡片已更新。`
      : `已记录：${number} ${stages.action('shipped')}，交期卡片已更新。补充运单号（如“已发货 顺丰 SF1234567890”）即可自动跟踪物流。`,
  waybillRecorded: (number: string, waybill: string): string =>
    `已记录 ${number} 的运单号 ${waybill}，将自动跟踪物流。`,
  refused(number: string, stage: WorkStage, r: StageRefusal): string {
    const label = stages.label(stage);
    switch (r.reason) {
      case 'not-confirmed':
        return `${number} 还没有确认，不能标记“${label}”。`;
      case 'skipped':
        return `${number} 从库存发货，没有“${label}”这一步。`;
      case 'already':
        return `${number} 已经是“${stages.label(r.current)}”${r.who ? `（${r.who} ${r.when}）` : ''}，无需再标记“${label}”。`;
    }
  },
  notOwner: (number: string, stage: WorkStage, department: string, owners: string): string =>
    `“${stages.label(stage)}”由${department}（${owners}）标记，${number} 未改动。`,

  /** Answers to "SO-… 到哪了", "BRK-2026-06 进度". */
  status: {
    notFound: (refs: string[]): string => `没有找到${refs.length ? ` ${refs.join('、')} 的` : '相关'}订单。`,
    rejected: (number: string): string => `${number}：已驳回。`,
    waitingTask: (department: string, who: string, waited: string): string => `${department}（${who}，已等 ${waited}）`,
    pending: (number: string, requested: string, waiting: string[]): string =>
      `${number}：待审批，要求交期 ${requested}。\n等待：${waiting.join('、')}`,
    delivered: (number: string, at: string): string => `${number}：已签收（${at}），订单完成。`,
    /** "生产部（周师傅）". */
    department: (name: string, owners: string): string => `${name}${owners ? `（${owners}）` : ''}`,
    shipment: (waybill: string, tracking: string | null): string =>
      `，运单 ${waybill}${tracking ? `：${tracking}` : ''}`,
    progress(a: {
      number: string;
      stage: Stage;
      shipment: string;
      etd: string | null;
      promised: string | null;
      next: NextStep;
      since: string;
    }): string {
      const step =
        a.next.kind === 'customer'
          ? '客户签收'
          : a.next.kind === 'stage'
            ? `${a.next.department ?? ''}${stages.action(a.next.stage)}`
            : '';
      const waiting = a.next.kind === 'none' ? '' : `\n等待：${step}，已等 ${a.since}`;
      const etd = a.etd ? `预计${a.etd}` : '交期计算中';
      return `${a.number}：${stages.label(a.stage)}${a.shipment}，${etd}${a.promised ? `（承诺 ${a.promised}）` : ''}。${waiting}`;
    },
  },

  /** Why the ETD moved, for the chat and the customer's SMS. */
  delayReason: {
    stageLate: (stage: WorkStage): string => `${stages.action(stage)}晚于计划`,
    late: '交付延误',
    route: '运输时间比预计长',
    plan: '生产计划调整',
  },

  delay(a: { number: string; etd: string; promised: string; late: string; why: string; sms: DelaySms }): string {
    const sms =
      a.sms.kind === 'none'
        ? `客户没有登记手机号，未发短信，请${a.sms.sales}直接联系${a.sms.contact ?? '客户'}。`
        : a.sms.kind === 'later'
          ? `短信将于${format.date(chinaDate(a.sms.at), a.sms.today)}${chinaTime(a.sms.at)}发给${a.sms.contact ?? '客户'}（${a.sms.phone}）（夜间不发短信）。`
          : `已短信通知${a.sms.contact ?? '客户'}（${a.sms.phone}）。`;
    return `⚠️ ${a.number} 交期延误：预计${a.etd}，承诺${a.promised}前，晚${a.late}。原因：${a.why}。\n${sms}`;
  },
  courierProblem: (number: string, state: string, detail: string | null): string =>
    `🚚 ${number} 物流异常：${COURIER_STATES[state] ?? state}${detail ? `（${detail}）` : ''}，请跟进。`,
};
