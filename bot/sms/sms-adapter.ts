import { and, eq, inArray } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import { recordOrderEvent } from '../../db/orders';
import { smsMessages } from '../../db/schema';
import { SMS_PLATFORM } from '../../core/effects';
import type { Effect } from '../../core/effects';
import { enqueueEffects } from '../../core/outbox';
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

  constructor(private readonly deps: { db: Database; provider: SmsProvider; clock: () => Date; log: Logger }) {}

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

  /** A refused or uncertain SMS: recorded, and the sales person told, once (both in one transaction). */
  private async settle(effect: SmsEffect, key: string, outcome: Outcome): Promise<never> {
    const now = this.deps.clock();
    await this.deps.db.transaction(async (tx) => {
      const updated = await tx
        .update(smsMessages)
        .set({ status: outcome.status, error: outcome.reason.slice(0, 500), updatedAt: now })
        .where(and(eq(smsMessages.outboxKey, key), eq(smsMessages.status, 'sending')))
        .returning({ key: smsMessages.outboxKey });
      const notify = effect.notify;
      if (updated.length === 0 || !notify) return;
      await recordOrderEvent(tx, {
        orderId: notify.orderId,
        at: now,
        type: outcome.status === 'rejected' ? 'sms-rejected' : 'sms-uncertain',
        data: { phone: maskPhone(effect.phone), reason: outcome.reason },
      });
      const text = failureText(notify, maskPhone(effect.phone), outcome);
      await enqueueEffects(
        tx,
        [
          {
            effect: { kind: 'post', to: { conversationId: notify.conversationId }, text },
            key: `${key}:failed`,
            orderId: notify.orderId,
          },
        ],
        { platform: notify.platform, now },
      );
    });
    this.deps.log.warn({ outboxKey: key, status: outcome.status }, 'SMS not delivered');
    throw DeliveryError.permanent(`SMS ${outcome.status}: ${outcome.reason}`);
  }
}

function failureText(notify: NonNullable<SmsEffect['notify']>, phone: string, outcome: Outcome): string {
  const reason = outcome.reason.replace(/^\[sms:\w+\]\s*/, '');
  if (notify.language === 'en') {
    return outcome.status === 'rejected'
      ? `❗ The delay SMS for ${notify.orderNumber} to ${phone} was refused by the SMS provider (${reason}). Please call the customer.`
      : `❗ The delay SMS for ${notify.orderNumber} to ${phone} may not have arrived (the provider did not answer). Please call the customer to make sure.`;
  }
  return outcome.status === 'rejected'
    ? `❗ ${notify.orderNumber} 的延误短信发给 ${phone} 被短信服务商拒绝（${reason}），请电话联系客户。`
    : `❗ ${notify.orderNumber} 的延误短信发给 ${phone} 可能未送达（服务商无应答），请电话联系客户确认。`;
}
