import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildApprovalCard, type ApprovalCardInput } from '../../cards/approval-card';
import { assessRisk, type RiskHistoryEntry, riskFactsAsOf } from '../../domain/risk';
import { damagedHistory, riskOrders } from '../support/risk-orders';

const order = riskOrders();
const history: RiskHistoryEntry[] = damagedHistory(order);
const facts = riskFactsAsOf(order(), history);

const score = (probability: number, values: Record<string, number>) => ({
  probability,
  contributions: Object.entries(values).map(([feature, value]) => ({ feature, value })),
});
/** 8.20 元 a box, 50 pieces a box, a complaint costs 300 元. */
const packaging = { extraPerBoxFen: 820, piecesPerBox: 50, complaintCostFen: 30_000 };
const lateReasons = { mould_repair: 1.2, lead_short_days: 0.6, cust_damage_rate: 0.9, month_sin: -0.4 };
const complaintReasons = { cust_damage_recent: 1.4, lead_short_days: 0.5, mould_repair: 0.2 };

function card(risk: ReturnType<typeof assessRisk>, lang: 'zh' | 'en' = 'zh') {
  const input: ApprovalCardInput = {
    cardId: 'c1',
    lang,
    orderNumber: 'SO-20260511-0001',
    departmentName: '生产部',
    requesterName: '张三',
    customerName: '博世',
    items: [{ materialCode: 'PP-01', materialName: '支架', quantity: 100, unit: '件', kind: 'batch' }],
    requestedDate: '2026-05-23',
    urgent: false,
    verdicts: [],
    reports: [],
    rejectReasons: [],
    sourceText: 'x',
    today: '2026-05-11',
    risk,
  };
  return buildApprovalCard(input);
}

describe('what the card says about an order’s risk', () => {
  it('says nothing while every risk is near the usual rate and no action pays', () => {
    const risk = assessRisk({
      facts,
      late: { score: score(0.14, lateReasons), usualRate: 0.1 },
      complaint: { score: score(0.01, complaintReasons), usualRate: 0.05 },
      packaging,
    });
    expect(risk).toMatchObject({ matters: false, actions: [] });
    expect(risk.late).toMatchObject({ elevated: false });
    const rendered = card(risk);
    expect(rendered.fields.filter((f) => f.key.startsWith('risk-'))).toEqual([]);
    expect(rendered.notes).toEqual(['原文：x']);
  });

  it('shows a lateness risk well above usual with the reasons a person would see, and asks production to confirm', () => {
    const risk = assessRisk({ facts, late: { score: score(0.31, lateReasons), usualRate: 0.1 }, packaging });
    // The damage history pushes the model's number, but it is not offered as a cause of lateness.
    expect(risk.late!.reasons.map((r) => r.kind)).toEqual(['mould-repair', 'tight-lead']);
    expect(risk.complaint).toBeNull();
    const rendered = card(risk);
    expect(rendered.fields.find((f) => f.key === 'risk-late')).toEqual({
      key: 'risk-late',
      label: '延期风险',
      value: '31%（平时约10%）：#3模具维修中；要求交期比常规短6天（12天，常规18天）',
      tone: 'yellow',
    });
    expect(rendered.notes?.[0]).toBe('建议请生产确认能否按期交付');
    const likely = card(assessRisk({ facts, late: { score: score(0.62, lateReasons), usualRate: 0.1 }, packaging }));
    expect(likely.fields.find((f) => f.key === 'risk-late')?.tone).toBe('red');
    expect(likely.notes?.[0]).toBe('建议请生产确认交期；延期可能性过半，按生产确认的最早可交付日期答复客户');
    const english = card(risk, 'en');
    expect(english.fields.find((f) => f.key === 'risk-late')?.value).toBe(
      '31% (usually about 10%): mould #3 under repair; asked 6 days shorter than usual (12 days, usually 18)',
    );
  });

  it('suggests reinforced packaging when the expected complaint cost exceeds its cost, with the damage behind it', () => {
    const risk = assessRisk({
      facts,
      late: { score: score(0.1, lateReasons), usualRate: 0.1 },
      complaint: { score: score(0.3, complaintReasons), usualRate: 0.05 },
      packaging,
    });
    expect(risk.boxes).toBe(2);
    expect(risk.actions).toEqual([
      { kind: 'reinforced-packaging', expectedComplaintCostFen: 9000, packagingCostFen: 1640 },
    ]);
    // The short lead is no cause of a complaint; the damage history is.
    expect(risk.complaint!.reasons.map((r) => r.kind)).toEqual(['damage-history', 'mould-repair']);
    const rendered = card(risk);
    expect(rendered.fields.filter((f) => f.key.startsWith('risk-')).map((f) => [f.label, f.value])).toEqual([
      ['投诉风险', '30%（平时约5%）：该客户近3次订单中2次发生包装破损投诉；#3模具维修中'],
    ]);
    expect(rendered.notes?.[0]).toBe(
      '建议启用加强版防震包装（成本+8.2元/箱，共2箱 +16.4元；按投诉风险估算可少损失约90元）',
    );
  });

  it('shows risk only when it matters, never more than three reasons a target, never a reason that lowers it', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        (pLate, usualLate, pComplaint, usualComplaint) => {
          const risk = assessRisk({
            facts,
            late: { score: score(pLate, lateReasons), usualRate: usualLate },
            complaint: { score: score(pComplaint, complaintReasons), usualRate: usualComplaint },
            packaging,
          });
          const fields = card(risk).fields.filter((f) => f.key.startsWith('risk-'));
          expect(risk.matters).toBe(risk.late!.elevated || risk.complaint!.elevated || risk.actions.length > 0);
          if (!risk.matters) expect(fields).toEqual([]);
          expect(risk.late!.elevated).toBe(pLate >= 2 * usualLate && pLate >= usualLate + 0.1);
          for (const r of [risk.late!, risk.complaint!]) {
            expect(r.reasons.length).toBeLessThanOrEqual(3);
            for (const reason of r.reasons) expect(reason.contribution).toBeGreaterThan(0);
          }
        },
      ),
    );
  });
});
