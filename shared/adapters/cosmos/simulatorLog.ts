import type { Container, CosmosClient, PatchOperation } from '@azure/cosmos';
import type { SimulatorLog } from '../carriers/simulator/simulator';
import { cosmosContainers } from './containers';
import { hashKey, readDoc, statusOf, type Doc } from './internal';

/**
 * The carrier simulator's memory of submissions on Cosmos DB, so the simulator also works when the
 * service runs on Azure (a submit retried by another Functions instance must not "send" twice).
 *
 * One small document per message in the `lookups` container (partition key /id, nothing indexed):
 * every access is a point operation on its own logical partition, and counting uses the server-side
 * `incr` patch, so concurrent submits of one message never lose a count. Documents expire after
 * `ttlSeconds` (delivery reports come back within minutes; the default keeps them 7 days).
 */
export interface CosmosSimulatorLogOptions {
  client: CosmosClient;
  databaseId: string;
  ttlSeconds?: number;
}

export const simulatorLogId = (messageId: string): string => `simulator:${hashKey(messageId)}`;

interface SimulatorDoc extends Doc {
  id: string;
  messageId: string;
  attempts: number;
  carrierMessageId: string | null;
  acceptedCount: number;
}

const CREATE_RACE_RETRIES = 5;

export function openCosmosSimulatorLog(options: CosmosSimulatorLogOptions): SimulatorLog {
  const container = options.client.database(options.databaseId).container(cosmosContainers.lookups.id);
  const ttl = options.ttlSeconds ?? 7 * 24 * 60 * 60;
  return createCosmosSimulatorLog(container, ttl);
}

export function createCosmosSimulatorLog(container: Container, ttlSeconds: number): SimulatorLog {
  async function patch(messageId: string, operations: PatchOperation[]): Promise<SimulatorDoc | null> {
    const id = simulatorLogId(messageId);
    try {
      const { resource } = await container.item(id, id).patch<SimulatorDoc>(operations);
      return resource ?? null;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  return {
    async recordAttempt(messageId) {
      const id = simulatorLogId(messageId);
      for (let i = 0; i < CREATE_RACE_RETRIES; i += 1) {
        // Most submits are first attempts: try the create, count on the stored one when it exists.
        const first: SimulatorDoc = { id, messageId, attempts: 1, carrierMessageId: null, acceptedCount: 0, ttl: ttlSeconds };
        try {
          await container.items.create(first);
          return { attempt: 1, carrierMessageId: null };
        } catch (err) {
          if (statusOf(err) !== 409) throw err;
        }
        const counted = await patch(messageId, [{ op: 'incr', path: '/attempts', value: 1 }]);
        if (counted) return { attempt: counted.attempts, carrierMessageId: counted.carrierMessageId ?? null };
        // Expired (TTL) between the create and the patch: start over.
      }
      throw new Error(`simulator log for ${messageId} kept changing under concurrent submits`);
    },
    async markAccepted(messageId, carrierMessageId) {
      const done = await patch(messageId, [
        { op: 'set', path: '/carrierMessageId', value: carrierMessageId },
        { op: 'incr', path: '/acceptedCount', value: 1 },
      ]);
      if (!done) throw new Error(`simulator log has no record of ${messageId} (recordAttempt first)`);
    },
    async get(messageId) {
      const id = simulatorLogId(messageId);
      const doc = (await readDoc(container, id, id)) as SimulatorDoc | null;
      if (!doc) return null;
      return { attempts: doc.attempts, accepted: doc.carrierMessageId !== null, acceptedCount: doc.acceptedCount };
    },
  };
}
