import type { HandlerContext } from '../core/context';

/** A point in an order's life the customer hears about (if their settings say so). */
export type CustomerMilestone = { kind: 'confirmed' } | { kind: 'shipped' } | { kind: 'promise-changed'; from: string };

/** Tells the order's customer about a milestone by SMS (UNFINISHED: being built for issue 19). */
export async function noticeCustomer(_ctx: HandlerContext, _orderId: number, _milestone: CustomerMilestone) {}
