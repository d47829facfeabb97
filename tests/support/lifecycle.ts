import type { PlaygroundCard, PlaygroundState, TestApp } from './app';

const NUMBER = 'SO-20260224-0001';
const ETD_CARD = `etd-${NUMBER}`;

/** The first order's delivery-tracking card in the sales chat. */
export function etdCard(state: PlaygroundState): PlaygroundCard | undefined {
  return state.conversations['sales-east']?.find((m) => m.card?.id === ETD_CARD)?.card;
}

/** A request for 20 pieces the plant makes on line B (earliest Feb 28), promised for Mar 3, approved by all three. */
export async function confirmedOrder(t: TestApp, text = '客户：大陆集团 需要BRK-2026-06样品20件，3月3日前到') {
  await t.say(text);
  const approvers = ['wanggong', 'chenjie', 'zhoushifu'];
  const s = await t.waitFor(
    (s) => (approvers.every((who) => s.inbox[who]?.length) ? s : undefined),
    'the approval cards',
  );
  for (const who of approvers) await t.tap(s.inbox[who]![0]!.id, who, 'approve');
  // The order's card is in the chat from the start; once confirmed it shows the ETD.
  const confirmed = (s: PlaygroundState) => etdCard(s)?.fields.some((f) => f.label === '预计签收' || f.label === 'ETD');
  return t.waitFor(
    (s) => confirmed(s) && s.inbox.zhoushifu?.find((c) => c.id.startsWith('st-in_production')),
    'the ETD card and the production card',
  );
}

/** A China wall-clock time ("2026-03-02T09:00:00") as epoch milliseconds. */
export const china = (iso: string): number => Date.parse(`${iso}+08:00`);

/** Moves the clock to a China time, runs what became due and waits for it to be delivered. */
export async function travelTo(t: TestApp, chinaIso: string): Promise<void> {
  t.clock.advance(china(chinaIso) - t.clock.now().getTime());
  await t.app.scheduler.tick();
  await t.settle();
}
