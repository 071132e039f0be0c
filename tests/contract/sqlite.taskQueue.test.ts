import { openDatabase } from '../../shared/adapters/sqlite/database';
import { createSqliteTaskQueue } from '../../shared/adapters/sqlite/taskQueue';
import { describeTaskQueueContract } from './taskQueue.contract';

describeTaskQueueContract('SQLite task queue', async (clock) => {
  const db = openDatabase(':memory:');
  const leaseMs = 30_000;
  const maxAttempts = 3;
  const queue = createSqliteTaskQueue(db, { clock, leaseMs, maxAttempts });
  return { queue, receiver: queue, leaseMs, maxAttempts, cleanup: async () => void db.close() };
});
