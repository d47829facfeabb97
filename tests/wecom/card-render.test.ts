import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildApprovalCard } from '../../cards/approval-card';
import { chosenReason, resolveCard, type Card } from '../../cards/model';
import { clip, decidedUpdate, reasonFromSelection, renderWecomCard, WECOM_CARD_LIMITS } from '../../cards/wecom';
import { loadBusinessConfig } from '../../config/business-config';

const REJECT_REASONS = loadBusinessConfig().rejectReasons;
import { checkTemplateCard } from '../fakes/wecom/template-card-rules';

const approval = () =>
  buildApprovalCard({
    cardId: 'c_0123456789abcdef0123',
    lang: 'zh',
    orderNumber: 'SO-20260224-0001',
    departmentName: '技术部',
    requesterName: '张三',
    customerName: '华南汽配',
    items: [{ materialCode: 'BRK-2026-01', materialName: '刹车片', quantity: 5, unit: '件', kind: 'sample' }],
    requestedDate: '2026-03-05',
    urgent: true,
    verdicts: [],
    reports: [],
    rejectReasons: REJECT_REASONS,
    sourceText: '需要BRK-2026-01样品5件,3月5日前到',
    today: '2026-02-24',
  });

describe('WeCom card renderer', () => {
  it('renders an approval card as a button_interaction card WeCom accepts, with a reason dropdown for reject', () => {
    const card = renderWecomCard(approval(), 'c_0123456789abcdef0123');
    expect(checkTemplateCard(card, 'send')).toBeUndefined();
    expect(card).toMatchObject({
      card_type: 'button_interaction',
      task_id: 'c_0123456789abcdef0123',
      main_title: { title: '需求单审批 · 技术部', desc: 'SO-20260224-0001' },
      quote_area: { type: 0, quote_text: '原文：需要BRK-2026-01样品5件,3月5日前到' },
      button_list: [
        { text: '同意', style: 1, key: 'approve' },
        { text: '驳回', style: 2, key: 'reject' },
        { text: '转交', style: 3, key: 'transfer' },
      ],
      button_selection: { question_key: 'reject_reason', title: '驳回原因' },
    });
    expect(card.horizontal_content_list).toContainEqual({ keyname: '要求交期', value: '⚠️3月5日（加急）' });
    expect(card.button_selection!.option_list.map((o) => o.id)).toEqual(REJECT_REASONS.map((r) => r.id));
  });

  it('decides a card with the documented button update, and sends a decided copy with one button to grey', () => {
    const resolved = resolveCard(approval(), { status: 'approved', text: '已同意 · 王工 10:42' });
    expect(decidedUpdate(resolved)).toEqual({ button: { replace_name: '已同意 · 王工 10:42' } });
    expect(decidedUpdate(approval())).toBeUndefined();
    const copy = renderWecomCard(resolved, 'c_x-r1');
    expect(checkTemplateCard(copy, 'send')).toBeUndefined();
    expect(copy).toMatchObject({
      button_list: [{ text: '已同意 · 王工 …', style: 3, key: 'decided' }],
      sub_title_text: '已同意 · 王工 10:42',
    });
    expect(copy.button_selection).toBeUndefined();
    expect(copy).not.toHaveProperty('replace_text');
  });

  it('refuses a button card without buttons (40058 unless the fake is told WeCom takes it)', () => {
    const buttonless = { ...renderWecomCard(approval(), 'c_y'), button_list: [] };
    expect(checkTemplateCard(buttonless, 'update')).toMatchObject({ errcode: 40058 });
    expect(checkTemplateCard({ ...buttonless, button_list: undefined }, 'send')).toMatchObject({ errcode: 40058 });
    expect(checkTemplateCard(buttonless, 'update', { buttonlessErrcode: null })).toBeUndefined();
  });

  it("keeps any neutral card within WeCom's limits: ≤6 items, ≤6 unique buttons with keys ≤1 KB, and accepted as sent or updated", () => {
    const text = fc.string({ minLength: 1, maxLength: 80 });
    const cardArb = fc.record({
      title: text,
      subtitle: fc.option(text, { nil: undefined }),
      fields: fc.array(
        fc.record({ label: text, value: text, tone: fc.constantFrom(undefined, 'red', 'yellow', 'blue') }),
        { maxLength: 12 },
      ),
      notes: fc.array(fc.string({ maxLength: 400 }), { maxLength: 4 }),
      buttons: fc.array(
        fc.record({
          key: fc.oneof(fc.constantFrom('approve', 'reject', 'later'), fc.string({ minLength: 1, maxLength: 1100 })),
          label: text,
          style: fc.constantFrom(undefined, 'primary', 'danger', 'default'),
          needsReason: fc.option(fc.boolean(), { nil: undefined }),
        }),
        { maxLength: 10 },
      ),
      reasons: fc.option(
        fc.record({
          title: text,
          options: fc.array(fc.record({ id: fc.stringMatching(/^[a-z0-9_-]{1,32}$/), text }), {
            minLength: 1,
            maxLength: 12,
          }),
        }),
        { nil: undefined },
      ),
      resolved: fc.option(fc.record({ status: fc.constantFrom('approved', 'rejected', 'cancelled', 'info'), text }), {
        nil: undefined,
      }),
    });
    fc.assert(
      fc.property(cardArb, (raw) => {
        const card = JSON.parse(JSON.stringify({ id: 'c_1', ...raw })) as Card;
        const rendered = renderWecomCard(card, 'c_1');
        expect(rendered.horizontal_content_list.length).toBeLessThanOrEqual(WECOM_CARD_LIMITS.horizontalItems);
        expect(rendered.button_list.length).toBeLessThanOrEqual(WECOM_CARD_LIMITS.buttons);
        const keys = rendered.button_list.map((b) => b.key);
        expect(new Set(keys).size).toBe(keys.length);
        for (const key of keys) expect(Buffer.byteLength(key)).toBeLessThanOrEqual(WECOM_CARD_LIMITS.keyBytes);
        if (rendered.button_list.length > 0) {
          expect(checkTemplateCard(rendered, 'send')).toBeUndefined();
          expect(checkTemplateCard(rendered, 'update')).toBeUndefined();
        }
        const overflow = card.fields.length > WECOM_CARD_LIMITS.horizontalItems;
        expect(rendered.horizontal_content_list).toHaveLength(
          overflow ? WECOM_CARD_LIMITS.horizontalItems - 1 : card.fields.length,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('reads the reject reason from the dropdown only for the reject button', () => {
    const chosen = [{ questionKey: 'reject_reason', optionIds: ['material'] }];
    const card = approval();
    expect(chosenReason(card, 'reject', reasonFromSelection(chosen))).toBe('原材料短缺');
    expect(chosenReason(card, 'approve', reasonFromSelection(chosen))).toBeUndefined();
    expect(chosenReason(card, 'reject', reasonFromSelection([]))).toBeUndefined();
    const nonsense = reasonFromSelection([{ questionKey: 'reject_reason', optionIds: ['nonsense'] }]);
    expect(chosenReason(card, 'reject', nonsense)).toBeUndefined();
  });

  it('clips on whole characters', () => {
    expect(clip('已同意 · 王工 10:42', 44)).toBe('已同意 · 王工 10:42');
    expect(clip('⚠️⚠️⚠️', 3)).toBe('⚠️…');
    expect([...clip('刹'.repeat(50), 10)]).toHaveLength(10);
  });
});
