import { describe, expect, it } from 'vitest';
import { loadBusinessConfig } from '../../config/business-config';
import type { ReviewDetail } from '../../db/stacking-reviews';
import { renderStackingPage } from '../../web/board/stacking-page';

const at = new Date('2026-02-24T02:00:00Z');
const detail = (id: number, status: 'open' | 'dismissed', reason: string | null, reviewer: string | null) =>
  ({
    review: {
      id,
      orderSet: '1,2',
      customerId: 1,
      orderIds: [1, 2],
      ruleCodes: ['DY-MJ50', 'JD-PLUS'],
      overlapSkus: ['BRK-2026-01'],
      status,
      reason,
      reviewer,
      decidedAt: status === 'open' ? null : at,
      createdAt: at,
    },
    customerName: '博世 <b>',
    orders: [
      {
        id: 1,
        channel: 'douyin',
        shop: 'dy-1',
        orderId: 'DY1',
        buyerKey: 'dy_abc',
        paidAt: at,
        status: 'paid',
        lines: [{ sku: 'BRK-2026-01', quantity: 2 }],
        applied: [{ code: 'DY-MJ50', label: '满299减50', amountFen: 5000 }],
        link: { method: 'manual', linkedBy: 'zhangsan', linkedAt: at, customerId: 1 },
      },
      {
        id: 2,
        channel: 'jd',
        shop: 'jd-1',
        orderId: 'JD1',
        buyerKey: 'jd_xyz',
        paidAt: at,
        status: 'paid',
        lines: [{ sku: 'BRK-2026-01', quantity: 1 }],
        applied: [],
        link: null,
      },
    ],
  }) satisfies ReviewDetail;

describe('the rule-stacking board page', () => {
  it('shows open, decided and superseded items with how buyers were linked, escaped, in either language', () => {
    const config = loadBusinessConfig();
    const data = {
      config,
      userName: '周总',
      now: at,
      open: [detail(3, 'open', null, null)],
      decided: [detail(2, 'dismissed', 'superseded:3', null), detail(1, 'dismissed', '正常复购', 'zhouzong')],
      buyers: [],
    };
    const zh = renderStackingPage({ ...data, lang: 'zh' });
    expect(zh).toContain('博世 &lt;b&gt;');
    expect(zh).not.toContain('博世 <b>');
    expect(zh).toContain('张三手动关联（2月24日）');
    expect(zh).toContain('已取消关联');
    expect(zh).toContain('满299减50（DY-MJ50）−50.00元');
    expect(zh).toMatch(/<tr class="review superseded" data-review="2">[\s\S]*已由复核 #3 取代/);
    expect(zh).toMatch(/<tr class="review dismissed" data-review="1">[\s\S]*周总 2026-02-24 10:00：正常复购/);
    expect(zh).toContain('id="no-reviewer"');
    const en = renderStackingPage({ ...data, lang: 'en' });
    expect(en).toContain('<html lang="en"');
    expect(en).toContain('linked by hand by 张三');
    expect(en).toContain('Replaced');
    config.channels.reviewer = 'zhouzong';
    expect(renderStackingPage({ ...data, lang: 'zh' })).not.toContain('id="no-reviewer"');
  });
});
