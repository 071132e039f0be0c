import type { SimulatorLog } from '../carriers/simulator/simulator';
import { groupCommitFor, migrate, type Db } from './database';

/** The simulator's memory of submissions, durable so a restart cannot make it "send" twice. */
export function createSqliteSimulatorLog(db: Db): SimulatorLog {
  migrate(
    db,
    [
      `CREATE TABLE simulator_submissions (
         message_id TEXT PRIMARY KEY,
         attempts INTEGER NOT NULL,
         carrier_message_id TEXT,
         accepted_count INTEGER NOT NULL DEFAULT 0
       ) WITHOUT ROWID;`,
    ],
    'simulator',
  );
  const gc = groupCommitFor(db);
  const upsert = db.prepare(
    'INSERT INTO simulator_submissions (message_id, attempts) VALUES (?, 1) ON CONFLICT(message_id) DO UPDATE SET attempts = attempts + 1 RETURNING attempts, carrier_message_id',
  );
  const accept = db.prepare(
    'UPDATE simulator_submissions SET carrier_message_id = ?, accepted_count = accepted_count + 1 WHERE message_id = ?',
  );
  const get = db.prepare<[string]>('SELECT attempts, carrier_message_id, accepted_count FROM simulator_submissions WHERE message_id = ?');
  return {
    async recordAttempt(messageId) {
      const row = await gc.run(() => upsert.get(messageId) as { attempts: number; carrier_message_id: string | null });
      return { attempt: row.attempts, carrierMessageId: row.carrier_message_id };
    },
    async markAccepted(messageId, carrierMessageId) {
      await gc.run(() => accept.run(carrierMessageId, messageId));
    },
    async get(messageId) {
      const row = get.get(messageId) as { attempts: number; carrier_message_id: string | null; accepted_count: number } | undefined;
      return row ? { attempts: row.attempts, accepted: row.carrier_message_id !== null, acceptedCount: row.accepted_count } : null;
    },
  };
}
