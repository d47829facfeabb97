import { and, eq, inArray } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database, Tx } from '../../db/client';
import { smsMessages } from '../../db/schema';
import { SMS_PLATFORM } from '../../core/effects';
import type { Effect } from '../../core/effects';
import type { SmsOutcomeEvent } from '../../core/events';
import { maskPhone, SmsError, type SmsProvider } from '../../integrations/sms/port';
import type { PlatformAdapter } from '../adapter';
import { DeliveryError } from '../../core/errors';

type SmsEffect = Extract<Effect, { kind: 'sms' }>;
type Outcome = { status: 'rejected' | 'unknown'; reason: string };

/**
 * Sends the customers' SMS through the configured provider, at most once each: a row is written before
 * the provider is called, so an attempt cut off by a crash or a timeout (the SMS may have gone out) is
 * never repeated. Provider refusals (bad number, frequency limit) are not retried: the sales chat is told.
 */
export class SmsAdapter implements PlatformAdapter {
  readonly platform = SMS_PLATFORM;

  constructor(
    private readonly deps: {
      db: Database;
      provider: SmsProvider;
      clock: () => Date;
      log: Logger;
      /** Hands an event to the bot, storing it with `alsoInTx` in one transaction (Bot.ingest). */
      ingest(event: SmsOutcomeEvent, externalId: string, alsoInTx: (tx: Tx) => Promise<void>): Promise<unknown>;
    },
  ) {}

  async deliver(effect: Effect, delivery: { idempotencyKey: string }): Promise<void> {
    if (effect.kind !== 'sms') throw DeliveryError.permanent(`the SMS adapter only sends SMS, not ${effect.kind}`);
    const key = delivery.idempotencyKey;
    if (!(await this.claim(effect, key))) {
      return this.settle(effect, key, {
        status: 'unknown',
        reason: 'an earlier attempt was cut off; it may have been sent',
      });
    }
    try {
      const result = await this.deps.provider.send({
        phone: effect.phone,
        template: effect.template ?? 'delay',
        params: effect.params ?? {},
        text: effect.text,
        outId: key,
      });
      if (result.ok) return this.mark(key, { status: 'sent', providerId: result.providerId });
      return this.settle(effect, key, { status: 'rejected', reason: `${result.code}: ${result.message}` });
    } catch (err) {
      if (!(err instanceof SmsError)) throw err;
      if (err.code === 'TIMEOUT') return this.settle(effect, key, { status: 'unknown', reason: err.message });
      if (err.retryable) {
        await this.mark(key, { status: 'retry', error: err.message });
        throw DeliveryError.retry(err.message);
      }
      return this.settle(effect, key, { status: 'rejected', reason: `${err.code}: ${err.message}` });
    }
  }

  /** True when this attempt may call the provider: no earlier attempt, or one the provider surely refused. */
  private async claim(effect: SmsEffect, key: string): Promise<boolean> {
    const now = this.deps.clock();
    const row = {
      outboxKey: key,
      orderId: effect.notify?.orderId ?? null,
      phoneMasked: maskPhone(effect.phone),
      text: effect.text,
      status: 'sending' as const,
      createdAt: now,
      updatedAt: now,
    };
    const inserted = await this.deps.db
      .insert(smsMessages)
      .values(row)
      .onConflictDoNothing()
      .returning({ key: smsMessages.outboxKey });
    if (inserted.length > 0) return true;
    const retried = await this.deps.db
      .update(smsMessages)
      .set({ status: 'sending', updatedAt: now })
      .where(and(eq(smsMessages.outboxKey, key), eq(smsMessages.status, 'retry')))
      .returning({ key: smsMessages.outboxKey });
    if (retried.length > 0) return true;
    const [existing] = await this.deps.db
      .select({ status: smsMessages.status })
      .from(smsMessages)
      .where(eq(smsMessages.outboxKey, key));
    if (existing && existing.status !== 'sending')
      throw DeliveryError.permanent(`SMS ${key} was already settled (${existing.status})`);
    return false;
  }

  private async mark(key: string, values: { status: 'sent' | 'retry'; providerId?: string; error?: string }) {
    await this.deps.db
      .update(smsMessages)
      .set({ ...values, updatedAt: this.deps.clock() })
      .where(and(eq(smsMessages.outboxKey, key), inArray(smsMessages.status, ['sending', 'retry'])));
  }

  /**
   * A refused or uncertain SMS is recorded, and handed on as an `sms-outcome` event (stored in the same
   * transaction, once per SMS) for the handler that tells the sales chat to call the customer.
   */
  private async settle(effect: SmsEffect, key: string, outcome: Outcome): Promise<never> {
    const now = this.deps.clock();
    const record = async (tx: Tx) => {
      await tx
        .update(smsMessages)
        .set({ status: outcome.status, error: outcome.reason.slice(0, 500), updatedAt: now })
        .where(and(eq(smsMessages.outboxKey, key), eq(smsMessages.status, 'sending')));
    };
    const { notify } = effect;
    if (notify) {
      const event: SmsOutcomeEvent = {
        kind: 'sms-outcome',
        platform: SMS_PLATFORM,
        status: outcome.status,
        reason: outcome.reason,
        phoneMasked: maskPhone(effect.phone),
        notify,
        receivedAt: now.toISOString(),
      };
      await this.deps.ingest(event, `outcome:${key}`, record);
    } else {
      await this.deps.db.transaction(record);
    }
    this.deps.log.warn({ outboxKey: key, status: outcome.status }, 'SMS not delivered');
    throw DeliveryError.permanent(`SMS ${outcome.status}: ${outcome.reason}`);
  }
}
