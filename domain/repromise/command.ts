/** What a sales chat can answer to a re-promise. */
export type RepromiseChoice = 'move' | 'expedite' | 'split';

/** "SO-20260224-0001 改期" typed in a chat whose cards cannot be tapped (a WeCom group). */
export function repromiseCommandOf(text: string): { number: string; choice: RepromiseChoice } | null {
  const t = text.replace(/@\S+/g, '').trim();
  const m = /^(SO-\d{8}-\d{4,}(?:-\d+)?)\s*(改期|改到最早日期|加急|申请加急|拆分|拆分交付|move|expedite|split)$/i.exec(
    t,
  );
  if (!m) return null;
  const word = m[2]!.toLowerCase();
  const choice: RepromiseChoice =
    word.startsWith('改') || word === 'move'
      ? 'move'
      : word.includes('加急') || word === 'expedite'
        ? 'expedite'
        : 'split';
  return { number: m[1]!.toUpperCase(), choice };
}
