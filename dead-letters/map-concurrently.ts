/** Maps items through an async function with at most `limit` calls running at once, results in input order. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!(limit >= 1)) throw new Error(`concurrency must be at least 1, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  // Each worker takes the next item when it is done with one; a rejection stops every worker's loop.
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
