import type { Logger } from 'pino';
import { type BusinessConfig, personName } from '../../config/business-config';
import { type Destination, type Effect, isEssential } from '../../core/effects';
import { DeliveryError } from '../../core/errors';
import { enqueueEffects } from '../../core/outbox';
import {
  claimQuotaNotice,
  countApiCalls,
  countWithheld,
  daysLeftInMonth,
  monthUsage,
  nextMonthStart,
  quotaMonth,
} from '../../db/api-quota';
import type DataLoader from 'dataloader';
import type { Database } from '../../db/client';
import { writeBatcher } from '../write-batcher';
import { texts } from '../../texts';
import type { NotSent } from '../../texts/zh/quota';
import { QUOTA_EXHAUSTED } from './api-errors';
import { PLATFORM } from './inbound';
import type { CallCounter } from './openapi';

/** The share of the monthly quota at which the ops conversation is warned. */
const WARN_AT = 0.8;
/** How often an essential effect refused for the quota is tried again (the organisation may buy more). */
const ESSENTIAL_RETRY_MS = 3600_000;
/** How long an idle counter waits for calls to count with the first. */
const COUNT_WINDOW_MS = 5;
/** Ops notices are in Chinese, as the plant's other ops notices. */
const OPS_LANG = 'zh';

export interface QuotaDeps {
  db: Database;
  clock: () => Date;
  log: Logger;
  /** Calls a month; 0 = unlimited (only DingTalk's ApiCountLimitForOrg stops non-essential effects). */
  monthlyQuota: number;
  config: () => BusinessConfig;
  /** Delivers the notice just enqueued. */
  wake: () => void;
}

/**
 * DingTalk's monthly OpenAPI quota (dingtalk.md §4): every call is counted per API and month in the
 * database; at 80% the ops conversation is told once a month; once the month's count reaches the quota,
 * or DingTalk answers ApiCountLimitForOrg, non-essential effects (isEssential in core/effects.ts) are
 * withheld while essential ones are still tried. A new month starts from zero.
 */
export class DingtalkQuota implements CallCounter {
  /** The month this process has seen the warning claimed (by itself or another process). */
  private warnedMonth: string | undefined;

  /**
   * Calls made at the same time are counted by one statement (group commit, as the outbox's sent marks); an idle
   * counter waits a few milliseconds for the calls starting with the first (an order's cards).
   */
  private readonly counter: DataLoader<{ api: string; at: Date }, number>;

  constructor(private readonly deps: QuotaDeps) {
    this.counter = writeBatcher(
      (calls: ReadonlyArray<{ api: string; at: Date }>) => countApiCalls(deps.db, PLATFORM, calls),
      { windowMs: COUNT_WINDOW_MS },
    );
  }

  async count(api: string): Promise<void> {
    const now = this.deps.clock();
    const used = await this.counter.load({ api, at: now });
    const { monthlyQuota } = this.deps;
    if (monthlyQuota <= 0 || used < Math.ceil(monthlyQuota * WARN_AT) || this.warnedMonth === quotaMonth(now)) return;
    try {
      const text = texts(OPS_LANG).quota.warning({ used, quota: monthlyQuota, daysLeft: daysLeftInMonth(now) });
      await this.notify('warning', now, text);
      this.warnedMonth = quotaMonth(now);
    } catch (err) {
      // The call itself goes on; the next one tries the notice again.
      this.deps.log.error({ err }, 'could not record the DingTalk quota warning');
    }
  }

  /** Sends an effect through `send`, unless it is non-essential and the month's quota is used up. */
  async deliver<T>(effect: Effect, send: () => Promise<T>): Promise<T> {
    const { db, clock, monthlyQuota } = this.deps;
    const essential = isEssential(effect);
    if (!essential) {
      const usage = await monthUsage(db, PLATFORM, clock());
      if (usage.exhausted || (monthlyQuota > 0 && usage.calls >= monthlyQuota)) {
        throw await this.withhold(
          effect,
          usage.exhausted
            ? `DingTalk answered ApiCountLimitForOrg this month (${usage.month})`
            : `${usage.calls} of ${monthlyQuota} calls made in ${usage.month}`,
        );
      }
    }
    try {
      return await send();
    } catch (err) {
      if (!(err instanceof DeliveryError) || err.code !== QUOTA_EXHAUSTED) throw err;
      await this.exhausted(effect);
      if (!essential) throw await this.withhold(effect, err.message);
      const now = clock();
      const afterMs = Math.max(1000, Math.min(ESSENTIAL_RETRY_MS, nextMonthStart(now).getTime() - now.getTime()));
      // Essential: waited out without counting attempts, at the latest until the month turns.
      throw DeliveryError.throttled(`${err.message} (essential: tried again later)`, {
        afterMs,
        code: QUOTA_EXHAUSTED,
      });
    }
  }

  /** A non-essential effect not sent this month: counted as withheld, and its outbox row fails for good. */
  private async withhold(effect: Effect, why: string): Promise<DeliveryError> {
    await countWithheld(this.deps.db, PLATFORM, apiOf(effect), this.deps.clock());
    return DeliveryError.permanent(
      `withheld: DingTalk's monthly API quota is used up (${why}); tracking-card refreshes, status posts and digests are not sent until next month`,
      { code: 'quota-withheld' },
    );
  }

  /** DingTalk said the quota is used up: recorded once a month, and the ops conversation told what was not sent. */
  private async exhausted(effect: Effect): Promise<void> {
    const now = this.deps.clock();
    const usage = await monthUsage(this.deps.db, PLATFORM, now);
    const text = texts(OPS_LANG).quota.exhausted({
      used: usage.calls,
      quota: this.deps.monthlyQuota,
      daysLeft: daysLeftInMonth(now),
      notSent: this.notSent(effect),
    });
    await this.notify('exhausted', now, text);
  }

  /**
   * Records the month's notice of `kind` and enqueues its post to the ops conversation in one
   * transaction; only the first process to record it posts it.
   */
  private async notify(kind: 'warning' | 'exhausted', now: Date, text: string): Promise<void> {
    const { db, log } = this.deps;
    const config = this.deps.config();
    const conversationId = config.opsConversation;
    const ops = config.conversations.find((c) => c.id === conversationId);
    // The notice goes where the ops conversation is: on WeCom it costs no DingTalk call.
    const platform = ops && !ops.dingtalk && ops.wecom ? 'wecom' : PLATFORM;
    const claimed = await db.transaction(async (tx) => {
      if (!(await claimQuotaNotice(tx, PLATFORM, kind, now))) return false;
      if (conversationId) {
        const effect: Effect = { kind: 'post', to: { conversationId }, text };
        const key = `quota:${PLATFORM}:${quotaMonth(now)}:${kind}`;
        await enqueueEffects(tx, [{ effect, key, platform }], { platform, now });
      }
      return true;
    });
    if (!claimed) return;
    log.warn({ kind, month: quotaMonth(now), told: Boolean(conversationId) }, 'DingTalk API quota notice');
    if (conversationId) this.deps.wake();
  }

  private notSent(effect: Effect): NotSent {
    switch (effect.kind) {
      case 'post':
        return { kind: 'post', what: excerpt(effect.text), to: this.nameOf(effect.to) };
      case 'send-card':
        return { kind: 'card', what: effect.card.title, to: this.nameOf(effect.to) };
      case 'update-card':
        return { kind: 'card-update', what: effect.card.title, to: '' };
      case 'sms':
        return { kind: 'post', what: excerpt(effect.text), to: effect.phone };
      case 'erp-sale-order':
        return { kind: 'post', what: `erp ${effect.orderId}`, to: 'erp' };
    }
  }

  private nameOf(to: Destination): string {
    const config = this.deps.config();
    if ('userId' in to) return personName(config, to.userId);
    const id = to.conversationId;
    if (id.startsWith('dm:')) return personName(config, id.slice(3));
    return config.conversations.find((c) => c.id === id)?.name ?? id;
  }
}

/** The OpenAPI an effect would call (a post may go through a session webhook instead, which is not counted). */
function apiOf(effect: Effect): string {
  switch (effect.kind) {
    case 'update-card':
      return 'PUT /v1.0/card/instances';
    case 'send-card':
      return 'POST /v1.0/card/instances/createAndDeliver';
    case 'sms':
      return 'sms';
    case 'erp-sale-order':
      return 'erp';
    case 'post':
      return 'userId' in effect.to || effect.to.conversationId.startsWith('dm:')
        ? 'POST /v1.0/robot/oToMessages/batchSend'
        : 'POST /v1.0/robot/groupMessages/send';
  }
}

function excerpt(text: string): string {
  const first = (text.split('\n').find((l) => l.trim()) ?? text).replace(/[*#>`]/g, '').trim();
  return first.length > 30 ? `${first.slice(0, 30)}…` : first;
}
