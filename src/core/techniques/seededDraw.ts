// Seeded random draws for techniques whose paper samples at random: ICL's demonstrations (drawn per
// test item) and Constitutional's principle per critique round. A draw depends only on the seed and
// the key (e.g. the item's input), so a run, an evaluation item or a resumed evaluation draws the same.

/** FNV-1a over the text, then a final mix, as a number in [0, 1). */
export function seededUnit(seed: number, key: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** `k` of `items` in a random order fixed by seed and key (all of them, shuffled, when k >= length). */
export function seededSample<T>(items: readonly T[], k: number, seed: number, key: string): T[] {
  return items
    .map((item, i) => ({ item, rank: seededUnit(seed, `${key}\u0000${i}`) }))
    .sort((a, b) => a.rank - b.rank)
    .slice(0, Math.min(k, items.length))
    .map((x) => x.item);
}

/** One index in [0, count) drawn for `key`. */
export function seededIndex(count: number, seed: number, key: string): number {
  return Math.min(count - 1, Math.floor(seededUnit(seed, key) * count));
}
