import type { HandlerContext } from '../core/context';

/** Queues a confirmed order's write-back to the ERP as a sale order (UNFINISHED: being built for issue 19). */
export async function queueErpWriteBack(_ctx: HandlerContext, _orderId: number) {}
