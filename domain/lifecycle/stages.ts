/** The stages a confirmed order goes through, in order. */
export const STAGES = ['confirmed', 'in_production', 'qc_passed', 'packed', 'shipped', 'delivered'] as const;
export type Stage = (typeof STAGES)[number];
/** Stages that get completed (every stage but the starting one). */
export type WorkStage = Exclude<Stage, 'confirmed'>;

/** Words people write in chat for each stage (matched after normalizing, see `normalizeWord`). */
const STAGE_WORDS: Record<WorkStage, readonly string[]> = {
  in_production: ['开始生产', '生产中', '已投产', '在生产', 'in production', 'start production'],
  qc_passed: ['质检通过', '检验合格', 'QC通过', 'QC passed'],
  packed: ['已包装', '包装完成', '打包好了', 'packed'],
  shipped: ['已发货', '发货了', '已发出', 'shipped'],
  delivered: ['已签收', '已送达', '签收了', '客户已签收', '客户签收了', '客户已收货', 'delivered'],
};

const isWorkStage = (stage: Stage): stage is WorkStage => stage !== 'confirmed';
const indexOf = (stage: Stage): number => STAGES.indexOf(stage);

/** Stock orders skip production and QC. */
export function skippedStages(source: 'stock' | 'production'): WorkStage[] {
  return source === 'stock' ? ['in_production', 'qc_passed'] : [];
}

/** The stages a jump from `from` to `to` completes, in order, excluding skipped ones (e.g. packed→delivered gives ['shipped','delivered']). */
export function stagesCompleted(from: Stage, to: Stage, skipped: readonly Stage[]): WorkStage[] {
  return STAGES.slice(indexOf(from) + 1, indexOf(to) + 1).filter(
    (stage): stage is WorkStage => isWorkStage(stage) && !skipped.includes(stage),
  );
}

/** The stage after `from`, skipping `skipped`; null after delivered. */
export function nextStage(from: Stage, skipped: readonly Stage[]): WorkStage | null {
  return stagesCompleted(from, 'delivered', skipped)[0] ?? null;
}

/** Whether an order at `from` may be marked `to`: strictly later, `to` not skipped. Jumps forward are allowed (marking 'shipped' completes the stages before it). */
export function canAdvance(from: Stage, to: Stage, skipped: readonly Stage[]): boolean {
  return indexOf(to) > indexOf(from) && !skipped.includes(to);
}

/** Full-width to half-width, lower case, no spaces, no punctuation around the word. */
function normalizeWord(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '');
}

const WORD_TO_STAGE = new Map<string, WorkStage>(
  (Object.entries(STAGE_WORDS) as Array<[WorkStage, readonly string[]]>).flatMap(([stage, words]) =>
    words.map((word): [string, WorkStage] => [normalizeWord(word), stage]),
  ),
);

/**
 * Parses a stage word a person writes in chat (the whole message is the word; spaces, case and
 * surrounding punctuation are ignored). Returns undefined otherwise.
 */
export function parseStageWord(text: string): WorkStage | undefined {
  return WORD_TO_STAGE.get(normalizeWord(text));
}
