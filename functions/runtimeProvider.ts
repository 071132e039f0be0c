import type { Runtime } from '../shared/config/runtime';

/** Resolves the worker's runtime; every handler calls it, only the first call builds it. */
export type RuntimeProvider = () => Promise<Runtime>;

/**
 * Builds the runtime once per worker process, on the first invocation rather than at load time, so
 * indexing the functions never waits on Cosmos DB or Service Bus. A failed build is forgotten and
 * tried again by the next invocation (a transient outage at start must not wedge the instance).
 */
export function lazyRuntime(create: () => Promise<Runtime>): RuntimeProvider {
  let pending: Promise<Runtime> | null = null;
  return () => {
    pending ??= create().catch((err: unknown) => {
      pending = null;
      throw err;
    });
    return pending;
  };
}
