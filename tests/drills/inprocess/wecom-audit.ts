import { sql } from 'drizzle-orm';
import { loadBusinessConfig } from '../../../config/business-config';
import { queryRows, type Database } from '../../../db/client';
import type { Card } from '../../../cards/model';
import { decidedUpdate, renderCardMarkdown, renderWecomCard } from '../../../cards/wecom';
import { cardIdOfTask } from '../../../bot/wecom/card-delivery';
import { targetOfConversation, userOfPerson } from '../../../bot/wecom/identities';
import { clipBytes } from '../../../bot/wecom/text-limits';
import type { OutboxRow } from './outbox-audit';
import { stableJson, tally } from './outbox-audit';
import type { WecomDelivery } from './wecom-world';

const config = loadBusinessConfig();

/** What a person should have seen, once, for one sent outbox row. */
type Expected =
  | { kind: 'text'; user: string; content: string }
  | { kind: 'group'; chat: string; text: string }
  | { kind: 'card'; user: string; cardId: string }
  | { kind: 'update'; cardId: string; card: string };

export interface WecomAudit {
  effects: number;
  lost: string[];
  /** Seen more than once where WeCom could have dropped the repeat. */
  duplicates: string[];
  /** Seen more than once through a channel WeCom offers no dedupe for (webhook robot). */
  undedupable: string[];
  /** A fresh copy of a card sent because its response code was lost with an answer. */
  freshCopies: string[];
  /** Repeats WeCom dropped: duplicate-checked texts, task_ids it had, response codes already spent. */
  absorbed: { texts: number; cards: number; updates: number };
  stale: string[];
}

function chatOf(conversationId: string): string {
  return config.conversations.find((c) => c.id === conversationId)?.wecom?.chatId ?? conversationId;
}

function cardJson(card: Record<string, unknown>): string {
  const { task_id: _, ...rest } = card;
  return stableJson(rest);
}

async function cardRecipients(db: Database): Promise<Map<string, string>> {
  const rows = await queryRows<{ id: string; recipient: string }>(
    db,
    sql`select id, recipient_id as recipient from cards`,
  );
  return new Map(rows.map((r) => [r.id, r.recipient]));
}

function expected(row: OutboxRow, recipients: Map<string, string>): Expected {
  const effect = row.payload;
  const toPost = (to: { userId: string } | { conversationId: string }, text: string): Expected => {
    if ('userId' in to) return { kind: 'text', user: userOfPerson(config, to.userId), content: clipBytes(text, 2048) };
    const target = targetOfConversation(config, to.conversationId);
    if (target.kind === 'direct') return { kind: 'text', user: target.userid, content: clipBytes(text, 2048) };
    return { kind: 'group', chat: chatOf(to.conversationId), text };
  };
  switch (effect.kind) {
    case 'post':
      return toPost(effect.to, effect.text);
    case 'send-card':
      if ('userId' in effect.to)
        return { kind: 'card', user: userOfPerson(config, effect.to.userId), cardId: effect.card.id };
      return toPost(effect.to, renderCardMarkdown(effect.card, config.botName));
    case 'update-card': {
      const recipient = recipients.get(effect.cardId) ?? '';
      if (!config.people.some((p) => p.id === recipient))
        return toPost({ conversationId: recipient }, renderCardMarkdown(effect.card, config.botName));
      return {
        kind: 'update',
        cardId: effect.cardId,
        card: cardJson(updateShown(effect.card as Card, effect.cardId)),
      };
    }
    case 'sms':
      throw new Error('no SMS on WeCom');
    case 'erp-sale-order':
      throw new Error('no ERP writes on WeCom');
  }
}

/** What an app card shows after an update: its greyed buttons' text (a decision), or the whole new card. */
function updateShown(card: Card, taskId: string): Record<string, unknown> {
  const decided = decidedUpdate(card);
  return decided
    ? { greyed: decided.button.replace_name }
    : (renderWecomCard(card, taskId) as unknown as Record<string, unknown>);
}

function occurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** Matches every sent outbox row to what reached the people in the fake WeCom. */
export async function auditWecom(
  db: Database,
  rows: OutboxRow[],
  deliveries: WecomDelivery[],
  views: (taskId: string) => Record<string, unknown> | undefined,
): Promise<WecomAudit> {
  const recipients = await cardRecipients(db);
  const sent = rows.filter((r) => r.status === 'sent' && r.platform === 'wecom');
  // A chat's card the AI bot posted as a template card is seen as that card; its updates answer taps in
  // place (not a new message) or are posted as markdown, and are not traced here.
  const aibotCards = new Set(deliveries.flatMap((d) => (d.kind === 'group' && d.shown && d.taskId ? [d.taskId] : [])));
  const wanted = sent
    .filter((r) => {
      const effect = r.payload;
      if (effect.kind === 'send-card' && 'conversationId' in effect.to) return !aibotCards.has(effect.card.id);
      return !(effect.kind === 'update-card' && aibotCards.has(effect.cardId));
    })
    .map((r) => ({ row: r, want: expected(r, recipients) }));
  const audit: WecomAudit = {
    effects: sent.length,
    lost: [],
    duplicates: [],
    undedupable: [],
    freshCopies: [],
    absorbed: { texts: 0, cards: 0, updates: 0 },
    stale: [],
  };
  const texts = deliveries.filter((d): d is Extract<WecomDelivery, { kind: 'text' }> => d.kind === 'text');
  const cards = deliveries.filter((d): d is Extract<WecomDelivery, { kind: 'card' }> => d.kind === 'card');
  const updates = deliveries.filter((d): d is Extract<WecomDelivery, { kind: 'update' }> => d.kind === 'update');
  const groups = deliveries.filter(
    (d): d is Extract<WecomDelivery, { kind: 'group' }> => d.kind === 'group' && d.shown,
  );
  audit.absorbed.texts = texts.filter((t) => !t.shown).length;
  audit.absorbed.cards = cards.filter((c) => c.errcode === 42014).length;
  audit.absorbed.updates = updates.filter((u) => !u.applied && u.errcode !== 0).length;

  const shownTexts = tally(
    texts.filter((t) => t.shown),
    (t) => `${t.user}\n${t.content}`,
  );
  const wantTexts = tally(
    wanted.filter((w) => w.want.kind === 'text'),
    (w) => `${(w.want as { user: string }).user}\n${(w.want as { content: string }).content}`,
  );
  for (const [key, n] of wantTexts) {
    const seen = shownTexts.get(key) ?? 0;
    const label = `text to ${key.split('\n')[0]} "${key.split('\n')[1]!.slice(0, 40)}"`;
    if (seen < n) audit.lost.push(`${label}: ${seen} of ${n}`);
    if (seen > n) audit.duplicates.push(`${label}: ${seen}× (wanted ${n})`);
  }

  const wantGroup = tally(
    wanted.filter((w) => w.want.kind === 'group'),
    (w) => `${(w.want as { chat: string }).chat}\n${(w.want as { text: string }).text}`,
  );
  for (const [key, n] of wantGroup) {
    const [chat, ...rest] = key.split('\n');
    const text = rest.join('\n');
    const copies = groups
      .filter((g) => g.chat === chat)
      .flatMap((g) => Array.from({ length: occurrences(g.content, text) }, () => g.via));
    const label = `group post "${text.replace(/\s+/g, ' ').slice(0, 40)}"`;
    if (copies.length < n) audit.lost.push(`${label}: ${copies.length} of ${n}`);
    if (copies.length > n) {
      const line = `${label}: ${copies.length}× via ${copies.join('+')}`;
      // Webhook robots take no idempotency key: a repeat after a lost answer cannot be dropped by WeCom.
      if (copies.filter((v) => v === 'webhook').length > 1 || copies.every((v) => v === 'webhook'))
        audit.undedupable.push(line);
      else audit.duplicates.push(line);
    }
  }

  for (const { want } of wanted) {
    if (want.kind !== 'card') continue;
    const copies = new Set(
      cards
        .filter((c) => c.shown && c.user === want.user && cardIdOfTask(c.taskId) === want.cardId)
        .map((c) => c.taskId),
    );
    if (copies.size === 0) audit.lost.push(`card ${want.cardId} to ${want.user}`);
    if (copies.size > 1) audit.freshCopies.push(`card ${want.cardId} to ${want.user}: ${[...copies].join(', ')}`);
  }

  const applied = new Map<string, string[]>();
  for (const u of updates)
    if (u.applied && u.card)
      applied.set(cardIdOfTask(u.taskId), [...(applied.get(cardIdOfTask(u.taskId)) ?? []), cardJson(u.card)]);
  for (const c of cards)
    if (c.shown && c.taskId !== cardIdOfTask(c.taskId))
      applied.set(cardIdOfTask(c.taskId), [...(applied.get(cardIdOfTask(c.taskId)) ?? []), cardJson(c.card)]);
  const lastUpdate = new Map<string, string>();
  const wantUpdates = new Map<string, number>();
  for (const { want } of wanted) {
    if (want.kind !== 'update') continue;
    lastUpdate.set(want.cardId, want.card);
    wantUpdates.set(`${want.cardId}\n${want.card}`, (wantUpdates.get(`${want.cardId}\n${want.card}`) ?? 0) + 1);
  }
  for (const [key, n] of wantUpdates) {
    const [cardId, card] = key.split('\n') as [string, string];
    const seen = (applied.get(cardId) ?? []).filter((c) => c === card).length;
    if (seen < n) audit.lost.push(`update of card ${cardId}: ${seen} of ${n}`);
    if (seen > n) audit.duplicates.push(`update of card ${cardId} applied ${seen}× (wanted ${n})`);
  }
  for (const [cardId, card] of lastUpdate) {
    const shown = views(cardId);
    if (!shown || cardJson(shown) !== card) audit.stale.push(`card ${cardId} does not show its last update`);
  }
  return audit;
}
