/**
 * The carrier simulator's memory on Cosmos DB behaves like the embedded one: the same calls give
 * the same answers on both (the simulator's at-most-once "send" depends on it).
 */
import { randomUUID } from 'node:crypto';
import { openCosmosDataStore, openCosmosSimulatorLog } from '../../shared/adapters/cosmos';
import { openDatabase } from '../../shared/adapters/sqlite/database';
import { createSqliteSimulatorLog } from '../../shared/adapters/sqlite/simulatorLog';
import type { SimulatorLog } from '../../shared/adapters/carriers/simulator/simulator';
import { startInProcessCosmos, type InProcessCosmos } from '../fixtures/inProcessCosmos';

describe('simulator log: Cosmos DB and SQLite agree', () => {
  let cosmos: InProcessCosmos;
  let onCosmos: SimulatorLog;
  let onSqlite: SimulatorLog;

  beforeAll(async () => {
    cosmos = await startInProcessCosmos();
    const databaseId = `sim-${randomUUID()}`;
    await openCosmosDataStore({ client: cosmos.client, databaseId, createIfMissing: true });
    onCosmos = openCosmosSimulatorLog({ client: cosmos.client, databaseId });
    onSqlite = createSqliteSimulatorLog(openDatabase(':memory:'));
  });
  afterAll(() => cosmos?.stop());

  async function script(log: SimulatorLog): Promise<unknown[]> {
    return [
      await log.get('msg_a'),
      await log.recordAttempt('msg_a'),
      await log.recordAttempt('msg_a'),
      await log.get('msg_a'),
      await log.markAccepted('msg_a', 'sim-msg_a'),
      await log.recordAttempt('msg_a'),
      await log.get('msg_a'),
      await log.recordAttempt('msg_b'),
      await log.get('msg_b'),
    ];
  }

  test('same answers for the same calls', async () => {
    const expected = await script(onSqlite);
    expect(expected[6]).toEqual({ attempts: 3, accepted: true, acceptedCount: 1 });
    expect(await script(onCosmos)).toEqual(expected);
  });

  test('concurrent first submits of one message are all counted', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => onCosmos.recordAttempt('msg_race')));
    expect(results.map((r) => r.attempt).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await onCosmos.get('msg_race')).toMatchObject({ attempts: 8, accepted: false });
  });
});
