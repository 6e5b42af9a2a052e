/** Keeps a list within a serialized-size budget, best entries first (pure): the faces branch's people and celebrities. */

/**
 * The faces branch shares the 256 KB state with the other branches: 100 faces with FaceIds take up to
 * ~59 KB (compact-faces.ts), so people and celebrities get small budgets of their own. With UUID user
 * ids and names of ordinary length 8 KB holds about 55 people, 5 KB about 25 celebrities.
 */
export const PEOPLE_BUDGET_BYTES = 8_000;
export const CELEBRITIES_BUDGET_BYTES = 5_000;
/** A name is stored on the item up to this length (the full name stays in its `#person/` entry). */
export const MAX_NAME_CHARS = 64;

/** The entries that fit, best first by `score`, returned in their original order. */
export function withinBudget<T>(entries: readonly T[], budgetBytes: number, score: (entry: T) => number): T[] {
  if (JSON.stringify(entries).length <= budgetBytes) return [...entries];
  const ranked = entries.map((entry, index) => ({ entry, index })).sort((a, b) => score(b.entry) - score(a.entry));
  const kept: typeof ranked = [];
  let bytes = 2; // the brackets
  for (const candidate of ranked) {
    const size = JSON.stringify(candidate.entry).length + (kept.length > 0 ? 1 : 0);
    if (bytes + size > budgetBytes) break;
    kept.push(candidate);
    bytes += size;
  }
  return kept.sort((a, b) => a.index - b.index).map((k) => k.entry);
}
