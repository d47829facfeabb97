import { ErpError } from './errors';
import type { ErpPort, ErpSaleOrder, ErpSaleOrderResult } from './port';

export interface WriteBackOutcome {
  result: ErpSaleOrderResult;
  /** True when the ERP already had the order (an earlier write whose answer was lost). */
  found: boolean;
}

/**
 * Writes a sale order at most once: looks it up by our order number first and writes only when the ERP
 * has none. A refused write is looked up once more, since a refusal can be the ERP turning down a
 * second copy of an order whose first write did get through.
 */
export async function writeSaleOrderOnce(erp: ErpPort, order: ErpSaleOrder): Promise<WriteBackOutcome> {
  if (!erp.writeBackSaleOrder || !erp.findSaleOrder)
    throw new ErpError(erp.kind, 'this ERP client cannot write sale orders', { code: 'protocol', retryable: false });
  const existing = await erp.findSaleOrder(order.reference);
  if (existing) return { result: existing, found: true };
  try {
    return { result: await erp.writeBackSaleOrder(order), found: false };
  } catch (e) {
    if (e instanceof ErpError && e.code === 'api') {
      const after = await erp.findSaleOrder(order.reference).catch(() => null);
      if (after) return { result: after, found: true };
    }
    throw e;
  }
}
