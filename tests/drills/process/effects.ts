import type { Card } from '../../../cards/model';
import { renderCardMarkdown } from '../../../cards/wecom';
import { cardIdOfTask } from '../../../bot/wecom/card-delivery';
import type { Destination, Effect } from '../../../core/effects';
import type { FakeWecom } from '../../fakes/wecom/fake-wecom';
import type { OutboxRow } from './ledger';
import { chatIdOf, useridOf } from './wecom-side';

export interface EffectCount {
  /** Outbox rows whose effect a member can see exactly once. */
  once: number;
  /** Delivered effects nobody can see (sent rows with nothing at the fake). */
  missing: Array<{ outboxId: number; key: string }>;
  /** Effects a member sees more than once; `webhook` when every copy came through a group's webhook robot. */
  duplicated: Array<{ outboxId: number; key: string; times: number; webhook: boolean }>;
  /** Kinds this drill does not trace to the fake (SMS, updates of app cards). */
  unchecked: number;
  /** message/send texts the platform accepted but dropped as repeats (enable_duplicate_check). */
  platformDeduped: number;
  /** Cards sent again under a task_id WeCom already had (42014: the earlier attempt had got through). */
  repeatedTaskIds: number;
  /** Requests the fake got, by endpoint. */
  requests: Record<string, number>;
}

/** Every place a member sees messages of a destination: a group, or a person's 1:1 chats (app and AI bot). */
function visibleTexts(fake: FakeWecom, to: Destination, via?: 'webhook'): string[] {
  if ('userId' in to) return via ? [] : personTexts(fake, useridOf(to.userId));
  const chat = chatIdOf(to.conversationId);
  if (chat)
    return fake
      .chat(chat)
      .filter((m) => !via || m.via === via)
      .map((m) => m.content);
  if (via) return [];
  if (to.conversationId.startsWith('dm:')) return personTexts(fake, useridOf(to.conversationId.slice(3)));
  return [];
}

function personTexts(fake: FakeWecom, userid: string): string[] {
  return [...fake.textsOf(userid), ...fake.chat(userid).map((m) => m.content)];
}

function occurrences(haystacks: string[], needle: string): number {
  let n = 0;
  for (const text of haystacks) {
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) n += 1;
  }
  return n;
}

/**
 * What the member sees of an effect: a text (looked for inside merged robot posts too) or a card's copies.
 * With `via: 'webhook'`, only the copies a group's webhook robot posted.
 */
function seen(fake: FakeWecom, effect: Effect, via?: 'webhook'): number | undefined {
  switch (effect.kind) {
    case 'post':
      return occurrences(visibleTexts(fake, effect.to, via), needleOf(effect.text));
    case 'send-card': {
      if ('conversationId' in effect.to) {
        // A group card goes in as the AI bot's template card, or as markdown (its chat commands at the end).
        const conversation = effect.to.conversationId;
        const chat =
          chatIdOf(conversation) ?? (conversation.startsWith('dm:') ? useridOf(conversation.slice(3)) : undefined);
        const asCard = chat && !via ? fake.chat(chat).filter((m) => m.card?.task_id === effect.card.id).length : 0;
        return asCard + occurrences(visibleTexts(fake, effect.to, via), markdownNeedle(effect.card));
      }
      if (via) return 0;
      const userid = useridOf(effect.to.userId);
      return fake.cardsOf(userid).filter((view) => cardIdOfTask(view.taskId) === effect.card.id).length;
    }
    case 'update-card': {
      // A group's card is re-posted as markdown, or (answering a tap on the AI bot's card) updated in place,
      // which is not a new message; neither is an app card's update.
      if (!effect.conversationId) return undefined;
      const posted = occurrences(
        visibleTexts(fake, { conversationId: effect.conversationId }, via),
        markdownNeedle(effect.card),
      );
      return posted === 0 && fake.groupCard(effect.cardId) ? undefined : posted;
    }
    case 'sms':
      return undefined;
  }
}

/** A card's markdown up to its chat commands (they name the bot, which this drill does not know). */
function markdownNeedle(card: Card): string {
  return needleOf(renderCardMarkdown({ ...card, buttons: [] }));
}

/** Long texts may be clipped on the way; their start is what is looked for. */
function needleOf(text: string): string {
  return Buffer.byteLength(text) > 1800 ? text.slice(0, 400) : text;
}

/** Traces every outbox row to what members see at the fake WeCom. */
export function countEffects(fake: FakeWecom, rows: OutboxRow[]): EffectCount {
  const result: EffectCount = {
    once: 0,
    missing: [],
    duplicated: [],
    unchecked: 0,
    platformDeduped: platformDeduped(fake),
    repeatedTaskIds: 0,
    requests: {},
  };
  result.repeatedTaskIds = fake
    .calls('message/send')
    .filter((c) => (c.reply as { errcode?: number }).errcode === 42014).length;
  for (const r of fake.requests) result.requests[r.endpoint] = (result.requests[r.endpoint] ?? 0) + 1;
  for (const row of rows) {
    if (row.status !== 'sent') continue;
    const times = seen(fake, row.payload);
    if (times === undefined) result.unchecked += 1;
    else if (times === 0) result.missing.push({ outboxId: row.id, key: row.idempotencyKey });
    else if (times === 1) result.once += 1;
    else
      result.duplicated.push({
        outboxId: row.id,
        key: row.idempotencyKey,
        times,
        webhook: seen(fake, row.payload, 'webhook') === times,
      });
  }
  return result;
}

/** Accepted text/markdown sends minus the copies that reached the recipient's chat. */
function platformDeduped(fake: FakeWecom): number {
  const accepted = new Map<string, number>();
  for (const call of fake.calls('message/send')) {
    const body = call.body as
      | { touser?: string; msgtype?: string; markdown?: { content?: string }; text?: { content?: string } }
      | undefined;
    const reply = call.reply as { errcode?: number };
    if (!body || reply.errcode !== 0 || (body.msgtype !== 'markdown' && body.msgtype !== 'text')) continue;
    const content = body.msgtype === 'markdown' ? body.markdown?.content : body.text?.content;
    const key = `${fake.app.canonical(body.touser ?? '') ?? body.touser}\n${content}`;
    accepted.set(key, (accepted.get(key) ?? 0) + 1);
  }
  let dropped = 0;
  for (const [key, n] of accepted) {
    const [userid, ...rest] = key.split('\n');
    const content = rest.join('\n');
    const delivered = fake.textsOf(userid!).filter((t) => t === content).length;
    dropped += Math.max(0, n - delivered);
  }
  return dropped;
}
