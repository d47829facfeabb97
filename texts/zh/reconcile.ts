/** Reconciliation of channel orders with the platforms' settlements: the report, the board page, the digest line. */
export const reconcile = {};
