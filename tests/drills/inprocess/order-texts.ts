import { pick } from './random';

const MATERIALS = Array.from({ length: 10 }, (_, i) => `BRK-2026-${String(i + 1).padStart(2, '0')}`);
const SHAPES = [
  (m: string, q: number, date: string) => `需要${m}样品${q}件,${date}前到`,
  (m: string, q: number, date: string) => `${m} 样品${q}件 ${date}前到`,
  (m: string, q: number, date: string) => `帮忙下个单：${m} 样品 ${q} 件，${date}之前要`,
];

/**
 * `count` different sample requests over the demo materials (db/demo-data.ts), with dates far enough
 * out that each becomes an order waiting for approval. The index makes each text unique.
 */
export function orderTexts(random: () => number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const material = MATERIALS[i % MATERIALS.length]!;
    // Material, quantity and month together are unique for the first 900 requests.
    const quantity = 1 + (Math.floor(i / MATERIALS.length) % 30);
    const month = 4 + (Math.floor(i / 300) % 3);
    const day = 1 + Math.floor(random() * 28);
    return pick(random, SHAPES)(material, quantity, `${month}月${day}日`);
  });
}

/** Runs `work` over the items with at most `limit` running at once. */
export async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
