import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startTestHost, type Api, type TestHost } from '../fixtures/testHost';
import { startReceiver, type Receiver } from '../fixtures/webhookReceiver';
import { assignNumber, inbound, SIMULATOR_SECRET, slugOf } from '../fixtures/webhookScenarios';

/**
 * Erasure and export over HTTP on the embedded host (SQLite), checked against the database file
 * itself: after an erasure no table holds the number (E.164, international or national digits) nor
 * any of the person's texts, except as another account's data. tests/integration/privacy.stores.test.ts
 * runs the same erasure on both stores and reads every Cosmos DB document.
 */

const CUSTOMER = '+14155551234';
const FORMS = [CUSTOMER, '14155551234', '4155551234'];
const SENT = 'Your secret code is 4821, Janet';
const RECEIVED = 'Hello this is Janet, please call me back';
const OTHER_TEXT = 'Another tenant keeps this text';

/** Every row of every table of the database file, one JSON line per row. */
function dumpRows(t: TestHost): string[] {
  const db = new Database(join(t.host.runtime.config.dataDir, 'dataflows-sms.db'), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    return tables.flatMap(({ name }) =>
      (db.prepare(`SELECT * FROM "${name}"`).all() as unknown[]).map((row) => `${name} ${JSON.stringify(row)}`),
    );
  } finally {
    db.close();
  }
}

describe('privacy: erasure and export', () => {
  let t: TestHost;
  let r: Receiver;
  let other: { id: string; api: Api };
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_SECRET, WEBHOOK_ALLOW_LOOPBACK: 'true' });
    r = await startReceiver();
    // The receiver echoes the number: the attempt's response excerpt holds it.
    r.always({ status: 200, body: `ok ${CUSTOMER} ${RECEIVED}` });
    await assignNumber(t, '+14155550999');
    other = await t.newAccount();
  });
  afterEach(async () => {
    await r.close();
    await t.close();
  });

  /** The person's data everywhere it can be: contact in a group, a sent and a received message, an opt-out, a campaign skip, webhook attempts. */
  async function seedPerson(): Promise<void> {
    for (const type of ['sms.received', 'sms.status_changed', 'contact.added'])
      expect((await t.api.post(`/hooks/${slugOf(type)}`, { callbackUrl: r.url() })).status).toBe(201);
    const vip = (await t.api.post('/groups', { name: 'VIP' })).body.id as string;
    expect(
      (
        await t.api.post('/contacts', {
          phone: CUSTOMER,
          firstName: 'Janet',
          lastName: 'Privacy',
          email: 'janet@example.com',
          groupIds: [vip],
        })
      ).status,
    ).toBe(201);
    expect((await t.api.post('/messages', { to: CUSTOMER, text: SENT })).status).toBe(202);
    await t.advance(60_000);
    await inbound(t, '+14155550999', RECEIVED, CUSTOMER);
    await inbound(t, '+14155550999', 'STOP', CUSTOMER);
    const campaign = (await t.api.post('/campaigns', { name: 'Spring', kind: 'bulk', text: 'Spring sale', groupIds: [vip] })).body
      .id as string;
    expect((await t.api.post(`/campaigns/${campaign}/start`)).status).toBe(200);
    await t.advance(60_000);
    // Another account knows the same number: none of this may change.
    expect((await other.api.post('/contacts', { phone: CUSTOMER, firstName: 'Kept' })).status).toBe(201);
    expect((await other.api.post('/messages', { to: CUSTOMER, text: OTHER_TEXT })).status).toBe(202);
    await t.advance(60_000);
  }

  test('export returns everything held about the number in the account', async () => {
    await seedPerson();
    const res = await t.api.get(`/privacy/export?phone=${encodeURIComponent('(415) 555-1234')}`);
    expect(res.status).toBe(200);
    const x = res.body;
    expect(x.phone).toBe(CUSTOMER);
    expect(x.contact).toMatchObject({ phone: CUSTOMER, firstName: 'Janet', optedOut: true });
    expect(x.optOut).toMatchObject({ phone: CUSTOMER, source: 'keyword', keyword: 'STOP' });
    expect(x.messagesSent.map((m: { text: string }) => m.text)).toEqual([SENT]);
    expect(x.messagesReceived.map((m: { text: string }) => m.text)).toEqual([RECEIVED, 'STOP']);
    expect(x.campaignSkips).toEqual([expect.objectContaining({ campaignName: 'Spring', phone: CUSTOMER, code: 'recipient_opted_out' })]);
    expect(x.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['contact.added', 'sms.status_changed', 'sms.received']),
    );
    expect(x.deliveryAttempts.length).toBeGreaterThan(0);
    // Nothing of the other account.
    expect(JSON.stringify(x)).not.toContain(OTHER_TEXT);
    expect(JSON.stringify(x)).not.toContain(other.id);
  });

  test('erasure leaves neither the number nor the texts in any table, keeps the opt-out, and a second call erases nothing', async () => {
    await seedPerson();
    const before = dumpRows(t);
    expect(before.some((row) => row.includes(SENT))).toBe(true);
    expect(before.some((row) => row.includes(RECEIVED))).toBe(true);

    const res = await t.api.post('/privacy/erase', { phone: CUSTOMER });
    expect(res.status).toBe(200);
    expect(res.body.phone).toBe(CUSTOMER);
    expect(res.body.erased).toMatchObject({ contacts: 1, messages: 1, optOuts: 1, campaigns: 1 });
    expect(res.body.erased.events).toBeGreaterThanOrEqual(5);
    expect(res.body.erased.deliveryAttempts).toBeGreaterThan(0);
    // Deliveries of the erasure's own Contact Deleted event and anything still queued run now.
    await t.advance(60_000);

    const rows = dumpRows(t);
    const leaks = rows.filter(
      (row) =>
        [...FORMS, SENT, RECEIVED, 'Janet', 'janet@example.com'].some((s) => row.includes(s)) &&
        !row.includes(other.id) &&
        !row.includes("'Kept'"),
    );
    expect(leaks).toEqual([]);
    // The other account's data is untouched.
    expect(rows.some((row) => row.includes(OTHER_TEXT) && row.includes(CUSTOMER))).toBe(true);
    const theirs = await other.api.get(`/privacy/export?phone=${encodeURIComponent(CUSTOMER)}`);
    expect(theirs.body.contact).toMatchObject({ firstName: 'Kept' });
    expect(theirs.body.messagesSent.map((m: { text: string }) => m.text)).toEqual([OTHER_TEXT]);
    // The opt-out holds through its keyed hash.
    expect(rows.filter((row) => row.startsWith('opt_outs ')).some((row) => /erased:[A-Za-z0-9_-]{43}/.test(row))).toBe(true);
    const refused = await t.api.post('/messages', { to: CUSTOMER, text: 'Still there?' });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('recipient_opted_out');
    // Contact Deleted says why, without the number.
    const deleted = await t.host.runtime.deps.store.outbox.listForAccount(t.host.seed.accountId, { type: 'contact.deleted' }, 10);
    expect(deleted.map((e) => e.data)).toEqual([
      expect.objectContaining({ reason: 'erasure', contact: expect.objectContaining({ phone: '[erased]', firstName: null }) }),
    ]);

    const again = await t.api.post('/privacy/erase', { phone: '4155551234' });
    expect(again.status).toBe(200);
    expect(again.body.erased).toEqual({ contacts: 0, messages: 0, events: 0, deliveryAttempts: 0, optOuts: 0, campaigns: 0 });
    const exported = (await t.api.get(`/privacy/export?phone=${encodeURIComponent(CUSTOMER)}`)).body;
    expect(exported).toMatchObject({
      contact: null,
      messagesSent: [],
      messagesReceived: [],
      campaignSkips: [],
      optOut: expect.objectContaining({ source: 'keyword' }),
    });
    // The person can still opt back in themselves.
    await inbound(t, '+14155550999', 'START', CUSTOMER);
    expect((await t.api.post('/messages', { to: CUSTOMER, text: 'Welcome back' })).status).toBe(202);
  });

  test('an opt-out the account added stays enforced after erasure and the account can still lift it by the number', async () => {
    expect((await t.api.post('/opt-outs', { phone: CUSTOMER })).status).toBe(201);
    expect((await t.api.post('/privacy/erase', { phone: CUSTOMER })).body.erased.optOuts).toBe(1);
    expect((await t.api.post('/messages', { to: CUSTOMER, text: 'Hi' })).status).toBe(422);
    expect((await t.api.post('/opt-outs', { phone: CUSTOMER })).body).toMatchObject({ phone: CUSTOMER, source: 'api' });
    const lifted = await t.api.delete(`/opt-outs/${encodeURIComponent(CUSTOMER)}`);
    expect(lifted.status).toBe(200);
    expect(lifted.body.phone).toBe(CUSTOMER);
    expect((await t.api.post('/messages', { to: CUSTOMER, text: 'Hi' })).status).toBe(202);
  });

  test('a bad phone is a 400 naming the field', async () => {
    const bad = await t.api.post('/privacy/erase', { phone: 'nobody' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('/phone');
    expect((await t.api.post('/privacy/erase', {})).body.errors[0].path).toBe('/phone');
    const badQuery = await t.api.get('/privacy/export?phone=nobody');
    expect(badQuery.status).toBe(400);
  });

  test('message texts past messageRetentionDays are erased by the periodic job, newer ones kept', async () => {
    expect((await t.api.post('/messages', { to: CUSTOMER, text: 'old text' })).status).toBe(202);
    const oldId = (await t.api.get('/messages')).body.items[0].id as string;
    await t.advance(3 * 86_400_000);
    expect((await t.api.post('/messages', { to: CUSTOMER, text: 'new text' })).status).toBe(202);
    const job = async () => {
      const { periodicJobs } = await import('../../shared/config/periodicJobs');
      return periodicJobs.find((j) => j.name === 'redact-expired-texts')!.run(t.host.runtime);
    };
    expect(await job()).toBe(0); // off by default
    const set = await t.api.patch('/account', { messageRetentionDays: 2 });
    expect(set.status).toBe(200);
    expect(set.body.messageRetentionDays).toBe(2);
    expect((await t.api.patch('/account', { messageRetentionDays: 0 })).body.errors[0].path).toBe('/messageRetentionDays');
    expect(await job()).toBe(1);
    expect(await job()).toBe(0);
    const texts = (await t.api.get('/messages')).body.items.map((m: { id: string; text: string }) => [m.id === oldId, m.text]);
    expect(texts).toEqual([
      [false, 'new text'],
      [true, '[erased]'],
    ]);
    expect(dumpRows(t).some((row) => row.includes('old text'))).toBe(false);
  });
});
