import type { RetentionStore } from '../../ports/stores';
import { groupCommitFor, type Db } from './database';

/** Deletes at most `limit` rows recorded before `before` (ISO) inside the caller's write; returns how many. */
export type PruneChunk = (before: string, limit: number) => number;

const PRUNE_CHUNK = 5_000;

/** Retention over the tables' own prune statements, each owned by the store of its table. */
export function createSqliteRetention(db: Db, prune: { deliveryAttempts: PruneChunk; dispatchedEvents: PruneChunk }): RetentionStore {
  const gc = groupCommitFor(db);
  return {
    async prune(before) {
      // In chunks, so a large backlog never holds one long write transaction.
      const total = async (chunk: PruneChunk) => {
        const deleteChunk = () => gc.run(() => chunk(before, PRUNE_CHUNK));
        let sum = 0;
        for (let n = await deleteChunk(); n > 0; n = await deleteChunk()) sum += n;
        return sum;
      };
      return { deliveryAttempts: await total(prune.deliveryAttempts), dispatchedEvents: await total(prune.dispatchedEvents) };
    },
  };
}
