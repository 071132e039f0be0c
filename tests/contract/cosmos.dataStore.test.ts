/**
 * The DataStore contract against the Cosmos DB adapter:
 *  1. always, against @vercel/cosmosdb-server started in-process (HTTPS, self-signed certificate,
 *     random port, fresh database);
 *  2. against a real Cosmos DB account when COSMOS_ENDPOINT is set. With COSMOS_KEY the suite creates
 *     a scratch database and deletes it afterwards. Without a key it signs in with
 *     DefaultAzureCredential; data-plane RBAC cannot create databases or containers, so it then needs
 *     COSMOS_DATABASE naming an existing scratch database whose containers match cosmosContainers
 *     (the suite marks every pending outbox event in it dispatched, so never point it at real data).
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { CosmosClient, type Container, type CosmosClientOptions, type Database } from '@azure/cosmos';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { cosmosContainers, openCosmosDataStore } from '../../shared/adapters/cosmos';
import { apiKeyLookupId, carrierLookupId, numberLookupId } from '../../shared/adapters/cosmos/lookups';
import type { Message } from '../../shared/domain/types';
import { DuplicateError, type DataStore } from '../../shared/ports/stores';
import { makeAccount, makeCampaign, makeMessage, makeVirtualNumber } from '../fixtures/records';
import { describeDataStoreContract, type DataStoreUnderTest } from './dataStore.contract';
import { describeWebhookStoreContract } from './webhookStores.contract';

/** Any base64 string is accepted by cosmosdb-server; this is the public Cosmos DB emulator key. */
const EMULATOR_KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

interface InProcessCosmos {
  client: CosmosClient;
  stop: () => Promise<void>;
}

/** cosmosdb-server on a random port, and a client that trusts its self-signed certificate. */
async function startServer(): Promise<InProcessCosmos> {
  const server = createHttpsServer({ keepAlive: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  // Trust the self-signed certificate for this client only, not process-wide.
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  const client = new CosmosClient({
    endpoint: `https://127.0.0.1:${port}`,
    key: EMULATOR_KEY,
    agent,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  return {
    client,
    stop: async () => {
      client.dispose();
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function openInProcess(): Promise<DataStoreUnderTest> {
  const cosmos = await startServer();
  const store = await openCosmosDataStore({ client: cosmos.client, databaseId: `contract-${randomUUID()}`, createIfMissing: true });
  return { store, cleanup: cosmos.stop };
}

describeDataStoreContract('cosmos (cosmosdb-server in-process)', openInProcess);
describeWebhookStoreContract('cosmos (cosmosdb-server in-process)', openInProcess);

describe('Cosmos DataStore adapter specifics (cosmosdb-server in-process)', () => {
  let cosmos: InProcessCosmos;
  let store: DataStore;
  let database: Database;
  const databaseId = `adapter-${randomUUID()}`;

  beforeAll(async () => {
    cosmos = await startServer();
    // Grace 0: a pointer to a record that does not exist counts as abandoned at once.
    store = await openCosmosDataStore({ client: cosmos.client, databaseId, createIfMissing: true, orphanGraceSeconds: 0 });
    database = cosmos.client.database(databaseId);
  });

  afterAll(async () => {
    await store?.close();
    await cosmos?.stop();
  });

  const lookups = (): Container => database.container(cosmosContainers.lookups.id);

  it('creates the containers exactly as cosmosContainers describes them', async () => {
    for (const description of Object.values(cosmosContainers)) {
      const { resource } = await database.container(description.id).read();
      expect(resource?.partitionKey?.paths).toEqual(description.partitionKey.paths);
      expect(resource?.defaultTtl).toBe(description.defaultTtl);
      expect(resource?.indexingPolicy?.compositeIndexes).toEqual(description.indexingPolicy.compositeIndexes);
      expect(resource?.indexingPolicy?.includedPaths).toEqual(description.indexingPolicy.includedPaths);
    }
  });

  it('without createIfMissing, refuses a database whose containers are missing', async () => {
    const empty = `missing-${randomUUID()}`;
    await cosmos.client.databases.createIfNotExists({ id: empty });
    await expect(openCosmosDataStore({ client: cosmos.client, databaseId: empty })).rejects.toThrow(/tenants|lookups/);
    await expect(openCosmosDataStore({ client: cosmos.client, databaseId })).resolves.toBeDefined();
  });

  it('pointers left behind by a crash resolve to nothing', async () => {
    const account = await store.accounts.create(makeAccount());
    const { message } = await store.messages.accept(makeMessage({ accountId: account.id }), 1n, () => []);
    // As if a key rotation or a transition crashed after writing the pointer, before the record.
    await lookups().items.create({ id: apiKeyLookupId('sha256_never_stored'), accountId: account.id });
    await lookups().items.create({ id: carrierLookupId('simulator', 'sim_never_stored'), accountId: account.id, recordId: message.id });
    await lookups().items.create({ id: numberLookupId('+15550001111'), accountId: account.id, recordId: 'vn_never_stored' });

    expect(await store.accounts.findByApiKeyHash('sha256_never_stored')).toBeNull();
    expect(await store.messages.findByCarrierMessageId('simulator', 'sim_never_stored')).toBeNull();
    expect(await store.virtualNumbers.findByNumber('+15550001111')).toBeNull();
  });

  it('acceptMany retries when a marker it did not see collides in its batch, and that message replays', async () => {
    const account = await store.accounts.create(makeAccount({ balance: 1_000n }));
    const earlier = await store.messages.accept(makeMessage({ accountId: account.id, idempotencyKey: 'late-marker' }), 100n, () => []);
    // As if the marker was written between the look-up and the batch: the first look finds nothing.
    // (Through the port this cannot be staged: a concurrent accept moves the account etag too.)
    const internals = store.messages as unknown as { priorMessages: (...args: unknown[]) => Promise<Map<string, Message>> };
    const real = internals.priorMessages.bind(internals);
    let looks = 0;
    const spy = jest.spyOn(internals, 'priorMessages').mockImplementation(async (...args) => (++looks === 1 ? new Map() : real(...args)));
    try {
      const chunk = [
        makeMessage({ accountId: account.id, idempotencyKey: 'late-marker' }),
        makeMessage({ accountId: account.id, idempotencyKey: 'new-one' }),
      ];
      const outcome = await store.messages.acceptMany(chunk, () => []);
      expect(looks).toBe(2);
      expect(outcome.results.map((r) => r.replayed)).toEqual([true, false]);
      expect(outcome.results[0]!.message).toEqual(earlier.message);
      expect(outcome.balance).toEqual({ before: 900n, after: 825n });
      expect((await store.accounts.get(account.id))!.balance).toBe(825n);
      expect((await store.messages.list(account.id, {}, { limit: 10 })).items.map((m) => m.id).sort()).toEqual(
        [earlier.message.id, chunk[1]!.id].sort(),
      );
    } finally {
      spy.mockRestore();
    }
  });

  const tenants = (): Container => database.container(cosmosContainers.tenants.id);

  it('stores amounts as integer strings of minor units (a JSON number is a double)', async () => {
    const account = await store.accounts.create(makeAccount({ balance: 9_999_999_999_999_999n, lowBalanceThreshold: 10_000n }));
    const { resource } = await tenants().item(account.id, account.id).read();
    expect(resource).toMatchObject({ balance: '9999999999999999', lowBalanceThreshold: '10000' });
    const campaign = await store.campaigns.create(
      makeCampaign({ accountId: account.id, progress: { recipients: 1, accepted: 1, skipped: 0, costMinor: 123n } }),
    );
    expect((await tenants().item(campaign.id, account.id).read()).resource).toMatchObject({ progress: { costMinor: '123' } });
  });

  it('reads documents written before amounts were strings (JSON numbers), and moves their balance exactly', async () => {
    // An account and a campaign as the release before wrote them: amounts as JSON numbers.
    const old = makeAccount({ balance: 0n, lowBalanceThreshold: 0n });
    await tenants().items.create({
      ...old,
      balance: 1_000_000,
      lowBalanceThreshold: 100_000,
      accountId: old.id,
      docType: 'account',
      version: 'v-old',
    });
    const oldCampaign = makeCampaign({ accountId: old.id });
    await tenants().items.create({ ...oldCampaign, progress: { ...oldCampaign.progress, costMinor: 4_500 }, docType: 'campaign' });

    expect(await store.accounts.get(old.id)).toEqual({ ...old, balance: 1_000_000n, lowBalanceThreshold: 100_000n, etag: 'v-old' });
    expect((await store.campaigns.get(old.id, oldCampaign.id))!.progress.costMinor).toBe(4_500n);
    // Every balance write reads the old number and writes the new format.
    const { message } = await store.messages.accept(makeMessage({ accountId: old.id }), 75n, () => []);
    expect((await tenants().item(old.id, old.id).read()).resource).toMatchObject({ balance: '999925' });
    await store.messages.transition({ ...message, status: 'failed' }, 75n, () => []);
    expect(await store.accounts.credit(old.id, 1n)).toEqual({ before: 1_000_000n, after: 1_000_001n });
    const renamed = await store.accounts.update({ ...(await store.accounts.get(old.id))!, name: 'Renamed' });
    expect(renamed).toMatchObject({ name: 'Renamed', balance: 1_000_001n, lowBalanceThreshold: 100_000n });
  });

  it('an account with a number balance (older release) still takes a chunk debit', async () => {
    const old = makeAccount();
    await tenants().items.create({
      ...old,
      balance: 10_000,
      lowBalanceThreshold: 0,
      accountId: old.id,
      docType: 'account',
      version: 'v-old',
    });
    const chunk = [
      makeMessage({ accountId: old.id, idempotencyKey: 'old-1' }),
      makeMessage({ accountId: old.id, idempotencyKey: 'old-2' }),
    ];
    expect((await store.messages.acceptMany(chunk, () => [])).balance).toEqual({ before: 10_000n, after: 9_850n });
  });

  it('reclaims an abandoned number pointer, but never a live one', async () => {
    const a = await store.accounts.create(makeAccount());
    const b = await store.accounts.create(makeAccount());
    await lookups().items.create({ id: numberLookupId('+15550002222'), accountId: a.id, recordId: 'vn_never_stored' });
    const vn = makeVirtualNumber({ accountId: b.id, number: '+15550002222' });
    await expect(store.virtualNumbers.create(vn)).resolves.toEqual(vn);
    expect(await store.virtualNumbers.findByNumber(vn.number)).toEqual(vn);
    await expect(store.virtualNumbers.create(makeVirtualNumber({ accountId: a.id, number: vn.number }))).rejects.toBeInstanceOf(
      DuplicateError,
    );
    expect(await store.virtualNumbers.findByNumber(vn.number)).toEqual(vn);
  });
});

const endpoint = process.env.COSMOS_ENDPOINT;
const key = process.env.COSMOS_KEY;
const sharedDatabase = process.env.COSMOS_DATABASE;
const skipReason = !endpoint
  ? 'COSMOS_ENDPOINT is not set'
  : !key && !sharedDatabase
    ? 'COSMOS_KEY is not set, and signing in with DefaultAzureCredential needs COSMOS_DATABASE (an existing scratch database)'
    : null;

async function openRealAccount(): Promise<DataStoreUnderTest> {
  const options: CosmosClientOptions = { endpoint: endpoint as string };
  if (key) {
    options.key = key;
  } else {
    const { DefaultAzureCredential } = await import('@azure/identity');
    options.aadCredentials = new DefaultAzureCredential();
  }
  const client = new CosmosClient(options);
  const scratch = key !== undefined && key !== '';
  const databaseId = scratch ? `dfsms-contract-${randomUUID()}` : (sharedDatabase as string);
  const store = await openCosmosDataStore({ client, databaseId, createIfMissing: scratch });
  return {
    store,
    cleanup: async () => {
      if (scratch) await client.database(databaseId).delete();
      client.dispose();
    },
  };
}

if (skipReason === null) {
  describeDataStoreContract('cosmos (real account)', openRealAccount);
  describeWebhookStoreContract('cosmos (real account)', openRealAccount);
} else {
  // eslint-disable-next-line no-console
  console.info(`DataStore contract against a real Cosmos DB account skipped: ${skipReason}.`);
  describe.skip(`cosmos (real account): skipped, ${skipReason}`, () => {
    describeDataStoreContract('cosmos (real account)', openRealAccount);
  });
}
