import type { WecomTemplateCard } from '../../cards/wecom';

/** One tap's reply window: its result is the card's update, or undefined once closed without one. */
export interface TapWindow {
  readonly result: Promise<WecomTemplateCard | undefined>;
  /** Closes the window now (the tap was a repeat, or was handled without an update). */
  cancel(): void;
}

/**
 * The reply window of an AI-bot card tap (protocol notes §2.6): the HTTP answer to the tap's callback may
 * carry `{response_type: "update_template_card", template_card}`, which updates the tapped card in the
 * group. WeCom waits about 5 s for that answer (assumed like the app callback; unconfirmed for AI bots),
 * and the window lives in this process only: the callback waits here while the bot handles the tap, and
 * the card's update, delivered meanwhile by this process, is handed over instead of being posted. An
 * update that finds no open window (too late, another process, not answering a tap) is posted as markdown.
 */
export class PassiveReplies {
  private readonly open = new Map<string, (card: WecomTemplateCard | undefined) => void>();

  /** Opens the card's window for `ms` (before the tap is stored, so no update can slip past it). */
  openWindow(cardId: string, ms: number): TapWindow {
    if (this.open.has(cardId)) return { result: Promise.resolve(undefined), cancel: () => {} }; // another tap has it
    let close: (card: WecomTemplateCard | undefined) => void = () => {};
    const result = new Promise<WecomTemplateCard | undefined>((resolve) => {
      const timer = setTimeout(() => close(undefined), ms);
      close = (card) => {
        clearTimeout(timer);
        if (this.open.get(cardId) === close) this.open.delete(cardId);
        resolve(card);
      };
    });
    this.open.set(cardId, close);
    return { result, cancel: () => close(undefined) };
  }

  /** Hands the card's update to the tap waiting for it; false when no window is open for the card. */
  offer(cardId: string, card: WecomTemplateCard): boolean {
    const take = this.open.get(cardId);
    if (!take) return false;
    take(card);
    return true;
  }
}
