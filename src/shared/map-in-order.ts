/**
 * `fn` over `items` with at most `limit` calls in flight; results in the items' order. For I/O
 * over many small files (a release's 3,000 files of `node_modules`), where one at a time leaves
 * the disk and the thread pool idle between each.
 */
export async function mapInOrder<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
