import { ConcurrencyError } from '../ports';

/**
 * Runs a read-decide-write step again when its write lost an etag race, up to `tries` times; the
 * step re-reads, so each try decides on fresh state. Other errors, and the last conflict, propagate.
 */
export async function retryOnConflict<T>(step: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await step();
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || i >= tries) throw err;
    }
  }
}
