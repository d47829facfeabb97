import { loadBusinessConfig } from '../../../config/business-config';
import { userOfPerson } from '../../../bot/wecom/identities';
import { EAST } from '../../wecom/harness';
import { cardsToApprove } from './approvals';
import { groupIdOf, staffIdOf, type DingtalkDrillWorld } from './dingtalk-world';
import { drain, type DrainResult } from './drain';
import { inParallel } from './order-texts';
import type { WecomDrillWorld } from './wecom-world';

const config = loadBusinessConfig();
const SALES = ['zhangsan', 'lisi'] as const;

/**
 * The sales people write the requests at once (16 in flight): mostly @-mentions in the sales groups,
 * every fifth one in their 1:1 chat with the bot. WeCom groups: only the east group (it has a webhook
 * robot; a group without one can only be answered inside an open reply window).
 */
export async function wecomOrders(w: WecomDrillWorld, texts: string[]): Promise<void> {
  await inParallel(texts, 16, async (text, i) => {
    const sales = userOfPerson(config, SALES[i % 2]!);
    if (i % 5 === 4) await w.fake.sendAppText(sales, text);
    else await w.fake.mentionAibot({ chatId: EAST.chatId, fromUser: sales, text: `@订单助手 ${text}` });
  });
}

export function dingtalkOrders(w: DingtalkDrillWorld, texts: string[]): string[] {
  return texts.map((text, i) => {
    const staffId = staffIdOf(SALES[i % 2]!);
    const group = i % 5 === 4 ? undefined : groupIdOf(i % 3 === 0 ? 'sales-south' : 'sales-east');
    return w.fake.say({ staffId, text, ...(group ? { group } : {}) }).messageId;
  });
}

export interface ApprovalRounds {
  taps: number;
  refused: number;
  drains: DrainResult[];
}

/** Leads approve every pending task (the first lead of each department taps), until none is left. */
export async function approveEverything(
  tap: (card: Awaited<ReturnType<typeof cardsToApprove>>[number]) => Promise<void>,
  settle: () => Promise<DrainResult>,
  db: Parameters<typeof cardsToApprove>[0],
): Promise<ApprovalRounds> {
  const result: ApprovalRounds = { taps: 0, refused: 0, drains: [] };
  for (let round = 0; round < 4; round++) {
    const cards = await cardsToApprove(db);
    if (cards.length === 0) break;
    await inParallel(cards, 16, async (card) => {
      try {
        await tap(card);
        result.taps += 1;
      } catch {
        result.refused += 1; // greyed out or gone: the client would not let the lead tap it
      }
    });
    result.drains.push(await settle());
  }
  return result;
}

export function wecomTap(w: WecomDrillWorld) {
  return async (card: Awaited<ReturnType<typeof cardsToApprove>>[number]) => {
    await w.fake.tap(userOfPerson(config, card.recipientId), String(card.platformData.taskId), 'approve');
  };
}

export function dingtalkTap(w: DingtalkDrillWorld) {
  return async (card: Awaited<ReturnType<typeof cardsToApprove>>[number]) => {
    w.fake.tap({ staffId: staffIdOf(card.recipientId), outTrackId: card.cardId, action: 'approve' });
  };
}

export { drain };
