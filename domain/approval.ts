/** Where an order stands: waiting for its approvals, then confirmed or rejected, finally delivered. */
export type OrderStatus = 'pending_approval' | 'confirmed' | 'rejected' | 'delivered';

/** One department's approval of an order. */
export type TaskStatus = 'pending' | 'approved' | 'rejected' | 'cancelled';

export type Decision = 'approve' | 'reject';

/** What the order becomes once its tasks stand as given: any rejection rejects it, all approvals confirm it. */
export function orderOutcome(taskStatuses: readonly TaskStatus[]): OrderStatus {
  if (taskStatuses.some((s) => s === 'rejected')) return 'rejected';
  if (taskStatuses.length > 0 && taskStatuses.every((s) => s === 'approved')) return 'confirmed';
  return 'pending_approval';
}

export type ActionCheck =
  | { ok: true; status: 'approved' | 'rejected' }
  | { ok: false; reason: 'not-assignee' | 'already-decided' | 'needs-reason' | 'unknown-action' };

/** Whether an actor's tap may change a task; the database update is still conditional on the version. */
export function checkAction(
  task: { status: TaskStatus; assignees: readonly string[]; escalatedTo: string | null },
  actorId: string,
  key: string,
  note: string | undefined,
): ActionCheck {
  if (key !== 'approve' && key !== 'reject') return { ok: false, reason: 'unknown-action' };
  if (!task.assignees.includes(actorId) && task.escalatedTo !== actorId) return { ok: false, reason: 'not-assignee' };
  if (task.status !== 'pending') return { ok: false, reason: 'already-decided' };
  if (key === 'reject' && !note?.trim()) return { ok: false, reason: 'needs-reason' };
  return { ok: true, status: key === 'approve' ? 'approved' : 'rejected' };
}
