import type { orders } from '../../db/schema';

/** A new order's row as intake writes it (a sample pending approval), for tests that seed orders directly. */
export function orderRow(number: string, at: Date, over: Partial<typeof orders.$inferInsert> = {}) {
  return {
    number,
    platform: 'playground',
    conversationId: 'sales-east',
    requesterId: 'zhangsan',
    requesterName: '张三',
    kind: 'sample',
    language: 'zh',
    requestedDate: '2026-03-05',
    status: 'pending_approval',
    sourceText: 'BRK-2026-01 ×5',
    requestedAt: at,
    createdAt: at,
    ...over,
  } satisfies typeof orders.$inferInsert;
}
