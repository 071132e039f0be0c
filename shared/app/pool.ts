/**
 * Maps with at most `n` calls in flight, results in input order: bulk contact changes are one store
 * round trip after another, and a Cosmos DB round trip is milliseconds, so one at a time would make
 * a 1,000-contact call take tens of seconds.
 */
export async function mapPooled<T, R>(items: readonly T[], n: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}
