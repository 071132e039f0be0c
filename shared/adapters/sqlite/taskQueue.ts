import { randomUUID } from 'node:crypto';
import type { Clock } from '../../ports/clock';
import {
  QUEUE_OF,
  type DeadLetteredTask,
  type LeasedTask,
  type SendOptions,
  type Task,
  type TaskHandle,
  type TaskQueue,
  type TaskReceiver,
} from '../../ports/taskQueue';
import { groupCommitFor, migrate, type Db } from './database';

const MIGRATIONS = [
  `
  CREATE TABLE tasks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    payload TEXT NOT NULL,
    visible_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lock_token TEXT,
    dedupe_id TEXT,
    state TEXT NOT NULL DEFAULT 'ready',
    reason TEXT,
    dead_at INTEGER
  );
  CREATE INDEX tasks_due ON tasks (queue, visible_at) WHERE state = 'ready';
  CREATE UNIQUE INDEX tasks_dedupe ON tasks (queue, dedupe_id) WHERE dedupe_id IS NOT NULL AND state = 'ready';
  CREATE INDEX tasks_dead ON tasks (queue, seq) WHERE state = 'dead';
  `,
];

export interface SqliteQueueOptions {
  clock: Clock;
  /** How long a received task stays invisible before another worker may take it (crash recovery). */
  leaseMs: number;
  /** Deliveries before a task is dead-lettered. */
  maxAttempts: number;
}

/**
 * Durable task queue in the embedded database. A received task is leased (invisible until
 * visible_at) rather than removed, so a worker killed mid-task leaves it to be taken again when the
 * lease runs out; that redelivery is why handlers must be idempotent.
 */
export function createSqliteTaskQueue(db: Db, options: SqliteQueueOptions): TaskQueue & TaskReceiver {
  migrate(db, MIGRATIONS, 'taskqueue');
  const { clock, leaseMs, maxAttempts } = options;
  const gc = groupCommitFor(db);
  const st = {
    insert: db.prepare('INSERT INTO tasks (queue, payload, visible_at, dedupe_id) VALUES (?, ?, ?, ?)'),
    byDedupe: db.prepare<[string, string]>("SELECT seq FROM tasks WHERE queue = ? AND dedupe_id = ? AND state = 'ready'"),
    cancel: db.prepare<[number, string]>("DELETE FROM tasks WHERE seq = ? AND queue = ? AND state = 'ready' AND lock_token IS NULL"),
    due: db.prepare<[string, number, number]>(
      "SELECT seq, payload, attempts FROM tasks WHERE queue = ? AND state = 'ready' AND visible_at <= ? ORDER BY visible_at, seq LIMIT ?",
    ),
    // One statement leases a whole batch (the seqs as a JSON array).
    lease: db.prepare(
      'UPDATE tasks SET visible_at = ?, attempts = attempts + 1, lock_token = ? WHERE seq IN (SELECT value FROM json_each(?))',
    ),
    complete: db.prepare<[number, string]>('DELETE FROM tasks WHERE seq = ? AND lock_token = ?'),
    retry: db.prepare(
      "UPDATE tasks SET visible_at = ?, lock_token = NULL, reason = ? WHERE seq = ? AND lock_token = ? AND state = 'ready'",
    ),
    dead: db.prepare("UPDATE tasks SET state = 'dead', reason = ?, dead_at = ?, lock_token = NULL, dedupe_id = NULL WHERE seq = ?"),
    deadIfLocked: db.prepare(
      "UPDATE tasks SET state = 'dead', reason = ?, dead_at = ?, lock_token = NULL, dedupe_id = NULL WHERE seq = ? AND lock_token = ?",
    ),
    nextDue: db.prepare<[string]>("SELECT MIN(visible_at) AS at FROM tasks WHERE queue = ? AND state = 'ready'"),
    deadList: db.prepare<[string, number]>(
      "SELECT seq, payload, attempts, reason, dead_at FROM tasks WHERE queue = ? AND state = 'dead' ORDER BY seq LIMIT ?",
    ),
    revive: db.prepare<[number, number, string]>(
      "UPDATE tasks SET state = 'ready', attempts = 0, visible_at = ?, reason = NULL, dead_at = NULL WHERE seq = ? AND queue = ? AND state = 'dead'",
    ),
  };

  const sendTx = (queue: string, payload: string, visibleAt: number, dedupeId: string | null): number => {
    if (dedupeId) {
      const existing = st.byDedupe.get(queue, dedupeId) as { seq: number } | undefined;
      if (existing) return existing.seq;
    }
    return Number(st.insert.run(queue, payload, visibleAt, dedupeId).lastInsertRowid);
  };

  const receiveTx = (queue: string, max: number): LeasedTask[] => {
    const now = clock.now();
    const rows = st.due.all(queue, now, max) as { seq: number; payload: string; attempts: number }[];
    const out: LeasedTask[] = [];
    // One token for the tasks leased together: completing checks the task's seq and the token, and
    // a later lease of the same task (this one having run out) gets another token.
    const lockToken = randomUUID();
    const leased: number[] = [];
    for (const row of rows) {
      // A lease that ran out this many times means the task keeps crashing its worker.
      if (row.attempts >= maxAttempts) {
        st.dead.run(`lease expired after ${row.attempts} deliveries`, now, row.seq);
        continue;
      }
      leased.push(row.seq);
      out.push({ task: JSON.parse(row.payload) as Task, attempt: row.attempts + 1, handle: { queue, id: String(row.seq) }, lockToken });
    }
    if (leased.length > 0) st.lease.run(now + leaseMs, lockToken, JSON.stringify(leased));
    return out;
  };

  return {
    async send(task: Task, opts: SendOptions = {}): Promise<TaskHandle> {
      const queue = QUEUE_OF[task.type];
      const seq = await gc.run(() => sendTx(queue, JSON.stringify(task), clock.now() + (opts.delayMs ?? 0), opts.dedupeId ?? null));
      return { queue, id: String(seq) };
    },
    async cancel(handle) {
      return gc.run(() => st.cancel.run(Number(handle.id), handle.queue).changes > 0);
    },
    async receive(queue, max) {
      return gc.run(() => receiveTx(queue, max));
    },
    async complete(leased) {
      await gc.run(() => st.complete.run(Number(leased.handle.id), leased.lockToken));
    },
    async retry(leased, delayMs, reason) {
      if (leased.attempt >= maxAttempts) {
        await gc.run(() => st.deadIfLocked.run(reason, clock.now(), Number(leased.handle.id), leased.lockToken));
        return;
      }
      await gc.run(() => st.retry.run(clock.now() + delayMs, reason, Number(leased.handle.id), leased.lockToken));
    },
    async deadLetter(leased, reason) {
      await gc.run(() => st.deadIfLocked.run(reason, clock.now(), Number(leased.handle.id), leased.lockToken));
    },
    async nextDueInMs(queue) {
      const row = st.nextDue.get(queue) as { at: number | null };
      return row.at === null ? null : Math.max(0, row.at - clock.now());
    },
    async deadLettered(queue, limit): Promise<DeadLetteredTask[]> {
      const rows = st.deadList.all(queue, limit) as {
        seq: number;
        payload: string;
        attempts: number;
        reason: string | null;
        dead_at: number;
      }[];
      return rows.map((r) => ({
        id: String(r.seq),
        queue,
        task: JSON.parse(r.payload) as Task,
        attempts: r.attempts,
        reason: r.reason ?? '',
        deadLetteredAt: new Date(r.dead_at).toISOString(),
      }));
    },
    async requeueDeadLettered(queue, id) {
      return gc.run(() => st.revive.run(clock.now(), Number(id), queue).changes > 0);
    },
  };
}
