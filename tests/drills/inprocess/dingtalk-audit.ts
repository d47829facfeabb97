import { fixedConfig, loadBusinessConfig } from '../../../config/business-config';
import type { Card } from '../../../cards/model';
import { renderDingtalkCardParams } from '../../../cards/dingtalk';
import { DingtalkDirectory } from '../../../bot/dingtalk/directory';
import { markdownMessage } from '../../../bot/dingtalk/messages';
import type { FakeDingtalk } from '../../fakes/dingtalk/fake-dingtalk';
import type { OutboxRow } from './outbox-audit';
import { stableJson, tally } from './outbox-audit';

const directory = new DingtalkDirectory(fixedConfig(loadBusinessConfig()));

export interface DingtalkAudit {
  effects: number;
  lost: string[];
  duplicates: string[];
  /** Robot messages seen twice: the robot message APIs take no idempotency key, DingTalk cannot drop a repeat. */
  undedupable: string[];
  /** Repeats DingTalk dropped or that change nothing: createAndDeliver of an outTrackId it has, a card update with the same data. */
  absorbed: { cards: number; updates: number };
  stale: string[];
}

function chatOf(to: { userId: string } | { conversationId: string }): string {
  const target = directory.resolve(to);
  if (target.kind === 'group') return `group:${target.openConversationId}`;
  if (target.kind === 'user') return `user:${target.staffId}`;
  return `unknown:${JSON.stringify(to)}`;
}

const contains = (version: Record<string, string>, params: Record<string, string>) =>
  Object.entries(params).every(([k, v]) => version[k] === v);

/** Matches every sent outbox row to what reached the people in the fake DingTalk. */
export function auditDingtalk(rows: OutboxRow[], fake: FakeDingtalk): DingtalkAudit {
  const sent = rows.filter((r) => r.status === 'sent' && r.platform === 'dingtalk');
  const audit: DingtalkAudit = {
    effects: sent.length,
    lost: [],
    duplicates: [],
    undedupable: [],
    absorbed: { cards: 0, updates: 0 },
    stale: [],
  };
  const requests = fake.api.requests;
  audit.absorbed.cards = requests.filter(
    (r) => r.path === '/v1.0/card/instances/createAndDeliver' && r.status === 400,
  ).length;

  const wantTexts = new Map<string, number>();
  const wantUpdates = new Map<string, number>();
  const lastUpdate = new Map<string, Record<string, string>>();
  for (const row of sent) {
    const effect = row.payload;
    if (effect.kind === 'post') {
      const key = `${chatOf(effect.to)}\n${markdownMessage(effect.text, '').msgParam.text}`;
      wantTexts.set(key, (wantTexts.get(key) ?? 0) + 1);
    } else if (effect.kind === 'send-card') {
      if (!fake.api.cards.has(effect.card.id)) audit.lost.push(`card ${effect.card.id}`);
    } else if (effect.kind === 'update-card') {
      const params = renderDingtalkCardParams(effect.card as Card);
      lastUpdate.set(effect.cardId, params);
      const key = `${effect.cardId}\n${stableJson(params)}`;
      wantUpdates.set(key, (wantUpdates.get(key) ?? 0) + 1);
    }
  }
  const seenTexts = tally(fake.api.messages, (m) => `${m.chat}\n${m.text}`);
  for (const [key, n] of wantTexts) {
    const seen = seenTexts.get(key) ?? 0;
    const label = `message to ${key.split('\n')[0]} "${key.split('\n').slice(1).join(' ').slice(0, 40)}"`;
    if (seen < n) audit.lost.push(`${label}: ${seen} of ${n}`);
    if (seen > n) audit.undedupable.push(`${label}: ${seen}× (wanted ${n})`);
  }
  // A card update reaches DingTalk as a PUT, or in the answer to the tap's callback (applied within its 2 s).
  const updates = [
    ...requests
      .filter((r) => r.method === 'PUT' && r.status === 200)
      .map((r) => r.body as { outTrackId?: string; cardData?: { cardParamMap?: unknown } }),
    ...fake.gateway.cardAnswers
      .filter((a) => a.applied)
      .map((a) => ({ outTrackId: a.outTrackId, ...(a.response as { cardData?: { cardParamMap?: unknown } }) })),
  ];
  for (const [key, n] of wantUpdates) {
    const [cardId, json] = key.split('\n') as [string, string];
    const applied = updates.filter(
      (body) => body.outTrackId === cardId && stableJson(body.cardData?.cardParamMap) === json,
    ).length;
    if (applied < n) audit.lost.push(`update of card ${cardId}: ${applied} of ${n}`);
    if (applied > n) audit.absorbed.updates += applied - n;
  }
  for (const [cardId, params] of lastUpdate) {
    const card = fake.api.cards.get(cardId);
    if (!card || !contains(card.params, params)) audit.stale.push(`card ${cardId} does not show its last update`);
  }
  // A card that showed a state, then an older one: a late repeat of an update overwrote a newer one.
  for (const card of fake.api.cards.values()) {
    const shown = card.versions.map((v) => stableJson(v));
    const back = shown.findIndex((v, i) => i > 0 && shown.slice(0, i - 1).includes(v) && shown[i - 1] !== v);
    if (back > 0)
      audit.duplicates.push(
        `card ${card.outTrackId} went back to an earlier state (version ${back + 1} of ${shown.length})`,
      );
  }
  return audit;
}
