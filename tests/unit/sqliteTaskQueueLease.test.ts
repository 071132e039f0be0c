import { openDatabase } from '../../shared/adapters/sqlite/database';
import { createSqliteTaskQueue } from '../../shared/adapters/sqlite/taskQueue';
import { FakeClock } from '../fixtures/fakeClock';

describe('SQLite task queue lease', () => {
  it('leases a batch of tasks with one write; they come back once the lease has run out', async () => {
    const db = openDatabase(':memory:');
    const clock = new FakeClock();
    const queue = createSqliteTaskQueue(db, { clock, leaseMs: 1_000, maxAttempts: 5 });
    for (let i = 0; i < 5; i++) await queue.send({ type: 'sms.send.v1', accountId: 'acc_1', messageId: `msg_${i}` });
    // Count the statements that change rows while receiving.
    let writes = 0;
    const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as { run: (...a: unknown[]) => { changes: number } };
    const run = proto.run;
    proto.run = function (this: { source: string }, ...args: unknown[]) {
      const result = run.apply(this, args);
      if (/^\s*UPDATE/i.test(this.source) && result.changes > 0) writes++;
      return result;
    };
    try {
      const leased = await queue.receive('sms-send', 10);
      expect(leased).toHaveLength(5);
      expect(writes).toBe(1);
    } finally {
      proto.run = run;
    }
    expect(await queue.receive('sms-send', 10)).toEqual([]);
    clock.advance(1_001);
    expect((await queue.receive('sms-send', 10)).map((l) => l.attempt)).toEqual([2, 2, 2, 2, 2]);
    db.close();
  });
});
