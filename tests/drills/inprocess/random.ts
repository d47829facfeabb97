/** A small seeded PRNG (the simulation's mulberry32): the same seed gives the same fault mix and load. */
export { mulberry32 as seededRandom } from '../../sim/scenario';

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** Picks by weight: `[['a', 2], ['b', 1]]` gives 'a' two times in three. */
export function weighted<T>(random: () => number, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1]![0];
}
