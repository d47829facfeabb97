import type { Logger } from 'pino';
import type { HandlerContext } from '../core/context';
import { ERP_PLATFORM, type Effect } from '../core/effects';
import { DeliveryError } from '../core/errors';
import type { Database } from '../db/client';
import { type ErpRefusal, recordErpRefused, recordErpWritten, saleOrderToWrite } from '../handlers/erp-write-back';
import type { ErpWriteBackSettings } from '../integrations/erp/erp-config';
import { ErpError } from '../integrations/erp/errors';
import type { ErpPort } from '../integrations/erp/port';
import { writeSaleOrderOnce } from '../integrations/erp/write-back';
import type { PlatformAdapter } from './adapter';

export interface ErpWriterDeps {
  db: Database;
  /** The ERP of plant sync (ERP_KIND), or null when none is configured. */
  erp: ErpPort | null;
  settings: ErpWriteBackSettings;
  /** Runs handler work in one transaction with a handler context, then delivers its effects (Bot.runScheduled). */
  runInContext(name: string, work: (ctx: HandlerContext) => Promise<unknown>): Promise<void>;
  log: Logger;
}

/**
 * Delivers `erp-sale-order` effects: looks the order up in the ERP and writes it only when absent, then
 * keeps the ERP's number. Network trouble and lost answers are retried by the outbox; a refusal (the ERP
 * said no, or the customer has no ERP code) is recorded and told to ops once, and not retried.
 */
export class ErpWriter implements PlatformAdapter {
  readonly platform = ERP_PLATFORM;

  constructor(private readonly deps: ErpWriterDeps) {}

  async deliver(effect: Effect): Promise<void> {
    if (effect.kind !== 'erp-sale-order')
      throw DeliveryError.permanent(`the ERP writer only writes sale orders, not ${effect.kind}`);
    const { erp, settings, log } = this.deps;
    const { orderId } = effect;
    if (!erp || !settings.enabled) {
      log.info({ orderId }, 'ERP write-back is off: the order is not written to the ERP');
      return;
    }
    const found = await saleOrderToWrite(this.deps.db, orderId, settings);
    if (found.status === 'written' || found.status === 'not-confirmed') return;
    if (found.status === 'no-customer' || found.status === 'no-erp-code') {
      const refusal: ErpRefusal =
        found.status === 'no-customer' ? { kind: 'no-customer' } : { kind: 'no-erp-code', customer: found.customer };
      await this.refused(orderId, erp, refusal);
      throw DeliveryError.permanent(`order ${orderId}: ${found.status}, not written to the ERP`);
    }
    let outcome: Awaited<ReturnType<typeof writeSaleOrderOnce>>;
    try {
      outcome = await writeSaleOrderOnce(erp, found.order);
    } catch (e) {
      if (!(e instanceof ErpError)) throw e;
      if (e.outcomeUnknown)
        // Long enough for the ERP to have finished it (U8 writes asynchronously), so the next look-up finds it.
        throw DeliveryError.retry(e.message, { afterMs: settings.retryAfterMs ?? 60_000, code: 'uncertain' });
      if (e.retryable) throw DeliveryError.retry(e.message);
      await this.refused(orderId, erp, { kind: 'refused', reason: e.erpMessage ?? e.message });
      throw DeliveryError.permanent(e.message);
    }
    const { result } = outcome;
    await this.deps.runInContext('erp-written', (ctx) =>
      recordErpWritten(ctx, orderId, { erp: erp.kind, id: result.id, number: result.number, found: outcome.found }),
    );
    log.info({ orderId, erp: erp.kind, number: result.number, found: outcome.found }, 'sale order written to the ERP');
  }

  private refused(orderId: number, erp: ErpPort, refusal: ErpRefusal): Promise<void> {
    this.deps.log.warn({ orderId, erp: erp.kind, refusal }, 'sale order not written to the ERP');
    return this.deps.runInContext('erp-refused', (ctx) => recordErpRefused(ctx, orderId, erp.kind, refusal));
  }
}
