import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../../db/client';

export interface ApprovalCard {
  cardId: string;
  orderId: number;
  taskId: number;
  recipientId: string;
  platformData: Record<string, unknown>;
}

/** One delivered card per pending approval task (the first lead's), to be tapped "approve". */
export async function cardsToApprove(db: Database): Promise<ApprovalCard[]> {
  return queryRows<ApprovalCard>(
    db,
    sql`select distinct on (t.id) c.id as "cardId", t.order_id as "orderId", t.id as "taskId",
        c.recipient_id as "recipientId", c.platform_data as "platformData"
      from approval_tasks t join cards c on c.task_id = t.id
      where t.status = 'pending' and c.purpose = 'approval' and c.platform_data <> '{}'::jsonb
      order by t.id, c.created_at, c.id`,
  );
}

export async function countRows(db: Database, query: string): Promise<number> {
  const [row] = await queryRows<{ n: string | number }>(db, sql.raw(query));
  return Number(row?.n ?? 0);
}
