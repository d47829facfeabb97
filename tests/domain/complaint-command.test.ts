import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseComplaintCommand } from '../../domain/complaints/command';
import { parseStageCommand } from '../../handlers/stage-actions';
import { repromiseCommandOf } from '../../domain/repromise/command';

const N = 'SO-20260224-0001';

describe('complaint and return commands', () => {
  it.each([
    [`${N} 客户投诉包装破损`, { kind: 'packaging', isReturn: false, returnedQuantity: null }],
    [`${N} 投诉：表面有划伤`, { kind: 'surface', isReturn: false, returnedQuantity: null }],
    [`${N} 退货 3件 尺寸超差`, { kind: 'dimension', isReturn: true, returnedQuantity: 3 }],
    [`${N.toLowerCase()} 退货 孔径偏大`, { kind: 'dimension', isReturn: true, returnedQuantity: null }],
    [`${N} 客户投诉 到货晚了两天，交期延误`, { kind: 'late', isReturn: false, returnedQuantity: null }],
    [`${N} 客户投诉 颜色不对`, { kind: 'other', isReturn: false, returnedQuantity: null }],
    [
      `@订单助手 ${N} complaint: packaging damaged in transit`,
      { kind: 'packaging', isReturn: false, returnedQuantity: null },
    ],
    [`${N} return 12 pcs dimension out of tolerance`, { kind: 'dimension', isReturn: true, returnedQuantity: 12 }],
    [`${N} returned 2 units, rust on the surface`, { kind: 'surface', isReturn: true, returnedQuantity: 2 }],
  ])('%s', (text, expected) => {
    expect(parseComplaintCommand(text)).toMatchObject({ number: N, ...expected });
  });

  it('takes nothing that is not a complaint or return on an order number', () => {
    for (const text of ['客户投诉包装破损', `${N} 质检通过`, `${N} 到哪了`, `${N} 改期`, 'BRK-2026-01 ×5 退货']) {
      expect(parseComplaintCommand(text)).toBeNull();
    }
  });

  it('is taken by no command tried before it, and takes none of theirs', () => {
    for (const text of [`${N} 客户投诉包装破损`, `${N} 退货 3件 尺寸超差`, `${N} return 2 pcs`]) {
      expect(parseStageCommand(text) ?? null).toBeNull();
      expect(repromiseCommandOf(text)).toBeNull();
    }
    expect(parseComplaintCommand(`${N} 已发货 顺丰 SF1234567890`)).toBeNull();
  });

  it('never throws, and keeps the note as written', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^[\s:：,，]/.test(s) && !s.includes('@')),
        (tail) => {
          const parsed = parseComplaintCommand(`${N} 客户投诉 ${tail}`);
          expect(parsed?.note).toBe(tail.trim());
          expect(parsed?.isReturn).toBe(false);
        },
      ),
    );
  });
});
