import { randomUUID } from 'node:crypto';
import { openCosmosDataStore } from '../../shared/adapters/cosmos';
import { openDatabase, type Db } from '../../shared/adapters/sqlite/database';
import { createSqliteDataStore } from '../../shared/adapters/sqlite/dataStore';
import { createIdGenerator } from '../../shared/adapters/runtime/ids';
import { createJsonLogger } from '../../shared/adapters/runtime/logger';
import type { AppDeps } from '../../shared/app/deps';
import { erasePerson, exportPerson, redactExpiredMessageTexts } from '../../shared/app/privacy';
import { findOptOut } from '../../shared/app/optOuts';
import type { Account } from '../../shared/domain/types';
import type { DataStore } from '../../shared/ports/stores';
import { FakeClock } from '../fixtures/fakeClock';
import { startInProcessCosmos } from '../fixtures/inProcessCosmos';
import { makeAccount, makeCampaign, makeEvent, makeMessage, uniqueId } from '../fixtures/records';

/**
 * Erasure on both stores through the use case, checked against what each store holds: every row of
 * every SQLite table, every document of every Cosmos DB container. Neither the number (E.164,
 * international or national digits) nor the person's texts are left in the erased account; the
 * other account holding the same number keeps everything.
 */

const PHONE = '+14155551234';
const FORMS = [PHONE, '14155551234', '4155551234'];
const SENT = 'Your one-time code is 739201';
const RECEIVED = 'This is Marguerite, stop calling';
const DAY = 86_400_000;

interface Opened {
  store: DataStore;
  /** Every stored record as one JSON line each. */
  dump(): Promise<string[]>;
  close(): Promise<void>;
}

async function openSqlite(): Promise<Opened> {
  const db: Db = openDatabase(':memory:');
  const store = createSqliteDataStore(db);
  return {
    store,
    async dump() {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      return tables.flatMap(({ name }) =>
        (db.prepare(`SELECT * FROM "${name}"`).all() as unknown[]).map((row) => `${name} ${JSON.stringify(row)}`),
      );
    },
    async close() {
      await store.close();
      db.close();
    },
  };
}

async function openCosmos(): Promise<Opened> {
  const cosmos = await startInProcessCosmos();
  const databaseId = `privacy-${randomUUID()}`;
  const store = await openCosmosDataStore({ client: cosmos.client, databaseId, createIfMissing: true });
  return {
    store,
    async dump() {
      const database = cosmos.client.database(databaseId);
      const { resources: containers } = await database.containers.readAll().fetchAll();
      const lines: string[] = [];
      for (const c of containers) {
        const { resources } = await database.container(c.id).items.query('SELECT * FROM c').fetchAll();
        for (const doc of resources) lines.push(`${c.id} ${JSON.stringify(doc)}`);
      }
      return lines;
    },
    async close() {
      await store.close();
      await cosmos.stop();
    },
  };
}

describe.each([
  ['SQLite', openSqlite],
  ['Cosmos DB (in-process)', openCosmos],
] as const)('erasure on %s', (_name, open) => {
  let o: Opened;
  let deps: AppDeps;
  let clock: FakeClock;
  beforeAll(async () => {
    o = await open();
  });
  afterAll(() => o.close());
  beforeEach(() => {
    clock = new FakeClock(Date.parse('2026-04-01T12:00:00.000Z'));
    // What the privacy use cases read: stores, clock, ids, logger and the hash key.
    deps = {
      store: o.store,
      clock,
      ids: createIdGenerator(clock),
      logger: createJsonLogger('silent'),
      privacy: { hashSecret: 'test-privacy-secret' },
    } as unknown as AppDeps;
  });

  /** An account holding the person's data in every kind of record. */
  async function seed(account: Account, text: string): Promise<void> {
    const s = o.store;
    await s.accounts.create(account);
    const group = await s.groups.create({
      id: uniqueId('grp'),
      accountId: account.id,
      name: 'VIP',
      description: null,
      createdAt: account.createdAt,
      updatedAt: account.createdAt,
    });
    await s.contacts.create(
      {
        id: uniqueId('ctc'),
        accountId: account.id,
        phone: PHONE,
        firstName: 'Marguerite',
        lastName: null,
        email: 'm@example.com',
        customFields: { code: 'X1' },
        groupIds: [group.id],
        createdAt: account.createdAt,
        updatedAt: account.createdAt,
      },
      [
        makeEvent({
          accountId: account.id,
          type: 'contact.added',
          data: { contactId: 'c', contact: { phone: PHONE, firstName: 'Marguerite' }, customFields: { code: 'X1' } },
        }),
      ],
    );
    const message = makeMessage({
      accountId: account.id,
      to: PHONE,
      text,
      idempotencyKey: uniqueId('idem'),
      createdAt: '2026-03-01T10:00:00.000Z',
      updatedAt: '2026-03-01T10:00:00.000Z',
    });
    const other = makeMessage({
      accountId: account.id,
      to: '+14155550000',
      text: 'Someone else entirely',
      createdAt: '2026-03-01T10:00:01.000Z',
      updatedAt: '2026-03-01T10:00:01.000Z',
    });
    const status = makeEvent({
      accountId: account.id,
      type: 'sms.status_changed',
      data: {
        messageId: message.id,
        status: 'delivered',
        previousStatus: 'sent',
        recipient: PHONE,
        from: '+15557650001',
        timestamp: account.createdAt,
        reason: null,
        segments: 1,
        carrierMessageId: null,
        uniqueArgs: null,
      },
    });
    await s.messages.accept(message, 0n, () => [status]);
    await s.messages.accept(other, 0n, () => []);
    const received = makeEvent({
      accountId: account.id,
      type: 'sms.received',
      data: { messageId: uniqueId('in'), from: '14155551234', to: '+14155550999', text: RECEIVED },
    });
    const keyword = makeEvent({ accountId: account.id, type: 'keyword.matched', data: { from: PHONE, keyword: 'STOP', text: 'STOP' } });
    await s.outbox.append([received, keyword]);
    await s.deliveries.record([
      {
        id: uniqueId('att'),
        accountId: account.id,
        targetId: uniqueId('sub'),
        targetKind: 'subscription',
        eventId: received.id,
        eventType: 'sms.received',
        webhookId: received.id,
        attempt: 1,
        at: account.createdAt,
        url: 'https://example.com/hook',
        statusCode: 200,
        latencyMs: 5,
        error: null,
        responseExcerpt: `thanks ${RECEIVED}`,
        outcome: 'succeeded',
        nextAttemptAt: null,
      },
    ]);
    await s.optOuts.add({ accountId: account.id, phone: PHONE, source: 'keyword', keyword: 'STOP', createdAt: account.createdAt });
    await s.campaigns.create(
      makeCampaign({
        accountId: account.id,
        skips: [
          { contactId: 'c1', phone: PHONE, code: 'recipient_opted_out', reason: `${PHONE} opted out` },
          { contactId: 'c2', phone: '+14155550000', code: 'validation_failed', reason: 'bad' },
        ],
      }),
    );
  }

  test('leaves neither the number nor the texts in the account, keeps the other account and the opt-out; a second erasure counts zeros', async () => {
    const account = makeAccount({ createdAt: '2026-03-01T09:00:00.000Z' });
    const bystander = makeAccount({ createdAt: '2026-03-01T09:00:00.000Z' });
    await seed(account, SENT);
    await seed(bystander, 'Bystander text stays');

    const exported = await exportPerson(deps, account, '4155551234');
    expect(exported.messagesSent.map((m) => m.text)).toEqual([SENT]);
    expect(exported.messagesReceived).toEqual([expect.objectContaining({ text: RECEIVED })]);
    expect(exported.keywordMatches).toEqual([expect.objectContaining({ keyword: 'STOP' })]);
    expect(exported.campaignSkips).toEqual([expect.objectContaining({ phone: PHONE, code: 'recipient_opted_out' })]);
    expect(exported.deliveryAttempts).toHaveLength(1);
    expect(exported.contact).toMatchObject({ firstName: 'Marguerite', optedOut: true });

    const { erased } = await erasePerson(deps, account, PHONE);
    expect(erased).toEqual({ contacts: 1, messages: 1, events: 4, deliveryAttempts: 1, optOuts: 1, campaigns: 1 });

    const rows = await o.dump();
    const mine = rows.filter((row) => row.includes(account.id));
    const leaks = mine.filter((row) => [...FORMS, SENT, RECEIVED, 'Marguerite', 'm@example.com'].some((s) => row.includes(s)));
    expect(leaks).toEqual([]);
    // Rows without an account id (queue, lookups, meta) hold none of it either.
    expect(
      rows.filter(
        (row) => !row.includes(account.id) && !row.includes(bystander.id) && [...FORMS, SENT, RECEIVED].some((s) => row.includes(s)),
      ),
    ).toEqual([]);
    // The rest stays: the other recipient's message and skip, ids, costs.
    expect(mine.some((row) => row.includes('Someone else entirely'))).toBe(true);
    expect(mine.some((row) => row.includes('+14155550000') && row.includes('validation_failed'))).toBe(true);
    // The bystander account still has all of it.
    const theirs = rows.filter((row) => row.includes(bystander.id));
    for (const s of [PHONE, 'Bystander text stays', RECEIVED, 'Marguerite']) expect(theirs.some((row) => row.includes(s))).toBe(true);
    expect((await exportPerson(deps, bystander, PHONE)).messagesSent).toHaveLength(1);

    expect(await findOptOut(deps, account.id, PHONE)).toMatchObject({ source: 'keyword', keyword: 'STOP' });
    expect(await o.store.optOuts.get(account.id, PHONE)).toBeNull();
    expect((await erasePerson(deps, account, PHONE)).erased).toEqual({
      contacts: 0,
      messages: 0,
      events: 0,
      deliveryAttempts: 0,
      optOuts: 0,
      campaigns: 0,
    });
  });

  test('retention erases the texts of messages older than the account setting, and only of accounts that set it', async () => {
    const account = makeAccount({ messageRetentionDays: 30, createdAt: '2026-01-01T00:00:00.000Z' });
    const keeper = makeAccount({ createdAt: '2026-01-01T00:00:00.000Z' });
    await o.store.accounts.create(account);
    await o.store.accounts.create(keeper);
    const old = makeMessage({ accountId: account.id, text: 'forty days old', createdAt: new Date(clock.now() - 40 * DAY).toISOString() });
    const recent = makeMessage({ accountId: account.id, text: 'ten days old', createdAt: new Date(clock.now() - 10 * DAY).toISOString() });
    const kept = makeMessage({ accountId: keeper.id, text: 'kept forever', createdAt: new Date(clock.now() - 400 * DAY).toISOString() });
    for (const m of [old, recent, kept]) await o.store.messages.accept({ ...m, updatedAt: m.createdAt }, 0n, () => []);
    expect(await redactExpiredMessageTexts(deps)).toBe(1);
    expect((await o.store.messages.get(account.id, old.id))?.text).toBe('[erased]');
    expect((await o.store.messages.get(account.id, old.id))?.cost).toEqual(old.cost);
    expect((await o.store.messages.get(account.id, recent.id))?.text).toBe('ten days old');
    expect((await o.store.messages.get(keeper.id, kept.id))?.text).toBe('kept forever');
    // How far it got is kept on the account: the next run reads only what aged out since.
    expect((await o.store.accounts.get(account.id))?.messageTextsErasedBefore).toBe(new Date(clock.now() - 30 * DAY).toISOString());
    expect((await o.store.accounts.get(keeper.id))?.messageTextsErasedBefore).toBeUndefined();
    clock.advance(25 * DAY);
    expect(await redactExpiredMessageTexts(deps)).toBe(1);
    expect(await redactExpiredMessageTexts(deps)).toBe(0);
    expect((await o.store.messages.get(account.id, recent.id))?.text).toBe('[erased]');
  });

  test('redactTexts reads at most the limit, oldest first, and says where to go on', async () => {
    const accountId = uniqueId('acc');
    await o.store.accounts.create(makeAccount({ id: accountId }));
    const times = [1, 2, 3, 4, 5].map((d) => new Date(Date.parse('2026-01-01T00:00:00.000Z') + d * DAY).toISOString());
    for (const [i, t] of times.entries())
      await o.store.messages.accept(makeMessage({ accountId, text: `text ${i}`, createdAt: t, updatedAt: t }), 0n, () => []);
    const first = await o.store.privacy.redactTexts(accountId, '', times[4]!, 2);
    expect(first).toEqual({ redacted: 2, resumeFrom: times[1] });
    const second = await o.store.privacy.redactTexts(accountId, first.resumeFrom!, times[4]!, 2);
    // The message at resumeFrom is read again (erased already, not counted).
    expect(second).toEqual({ redacted: 1, resumeFrom: times[2] });
    const third = await o.store.privacy.redactTexts(accountId, second.resumeFrom!, times[4]!, 2);
    expect(third).toEqual({ redacted: 1, resumeFrom: times[3] });
    expect(await o.store.privacy.redactTexts(accountId, third.resumeFrom!, times[4]!, 2)).toEqual({ redacted: 0, resumeFrom: null });
    const texts = (await o.store.messages.list(accountId, {}, { limit: 10 })).items.map((m) => m.text);
    expect(texts).toEqual(['text 4', '[erased]', '[erased]', '[erased]', '[erased]']);
  });
});
