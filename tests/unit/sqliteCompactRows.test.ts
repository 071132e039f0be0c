import { openDatabase } from '../../shared/adapters/sqlite/database';
import { createSqliteDataStore } from '../../shared/adapters/sqlite/dataStore';
import { createSqliteMeta } from '../../shared/adapters/sqlite/meta';
import { fixedOf, messageOf, stateOf, type MessageRow } from '../../shared/adapters/sqlite/messageRow';
import type { Message } from '../../shared/domain/types';
import { makeMessage } from '../fixtures/records';

/** The compact SQLite rows read back exactly what was written, whatever form a value takes. */
const rowOf = (m: Message): MessageRow => ({
  account_id: m.accountId,
  id: m.id,
  status: m.status,
  to_number: m.to,
  from_sender: m.from,
  text: m.text,
  created_at: m.createdAt,
  updated_at: m.updatedAt,
  scheduled_for: m.scheduledFor,
  carrier: m.carrier,
  carrier_message_id: m.carrierMessageId,
  idempotency_key: m.idempotencyKey,
  campaign_id: m.campaignId ?? null,
  rev: 4,
  fixed: fixedOf(m),
  state: stateOf(m),
});

describe('compact SQLite message row', () => {
  it('keeps times that are not canonical ISO strings, reasons, unknown fields and an absent campaignId as they were', () => {
    const m = makeMessage({
      createdAt: '2026-01-01T00:00:00.000Z',
      sentAt: '2026-01-01T00:00:01.500Z',
      deliveredAt: '2026-01-01T01:00:00+01:00',
      encoding: 'UCS-2',
      nonEnglishChars: true,
      callbackUrl: 'https://example.com/cb',
      uniqueArgs: { a: '1' },
      history: [
        { status: 'queued', at: '2026-01-01T00:00:00.000Z' },
        { status: 'undelivered', at: '2026-01-01T00:00:02Z', reason: { code: 1400, message: 'Hard Bounce' } },
      ],
      taskRef: { queue: 'sms-send', id: '9' },
      notifyOnDelivery: [
        {
          stage: 'sent',
          at: '2026-01-01T00:00:01.500Z',
          attempt: 1,
          url: 'https://example.com/n',
          statusCode: null,
          response: null,
          succeeded: false,
        },
      ],
    });
    delete m.campaignId;
    const extra = { ...m, futureField: { x: 1 } } as Message;
    expect(messageOf(rowOf(extra))).toEqual({ ...extra, etag: '4' });
    expect('campaignId' in messageOf(rowOf(m))).toBe(false);
    expect(messageOf(rowOf({ ...m, campaignId: null })).campaignId).toBeNull();
    // Canonical times are stored as offsets from createdAt, not as 24-character strings.
    expect(stateOf(m)).toContain('"s":1500');
  });

  it('reads back times of every hour and millisecond of the day, and of another day, exactly', () => {
    const createdAt = '2026-03-01T07:08:09.010Z';
    for (const at of [
      '2026-03-01T00:00:00.000Z',
      '2026-03-01T07:08:09.009Z',
      '2026-03-01T23:59:59.999Z',
      '2026-03-01T12:34:56.789Z',
      '2026-03-02T00:00:00.000Z',
      '2026-03-01T24:00:00.000Z',
    ]) {
      const m = makeMessage({ createdAt, sentAt: at, history: [{ status: 'sent', at }] });
      expect(messageOf(rowOf(m))).toMatchObject({ sentAt: at, history: [{ status: 'sent', at }] });
    }
  });
});

describe('compact SQLite outbox row', () => {
  it('reads back status-change data stored without its keys, and any other data as it was; marks a batch in one write', async () => {
    const db = openDatabase(':memory:');
    createSqliteMeta(db);
    const store = createSqliteDataStore(db);
    const status = {
      messageId: 'msg_1',
      status: 'sent',
      previousStatus: 'queued',
      recipient: '+1',
      from: 'X',
      timestamp: 't',
      reason: null,
      segments: 1,
      carrierMessageId: 'c',
      uniqueArgs: { k: 'v' },
    };
    const withUndefined = { ...status, reason: undefined };
    const events = [
      { id: 'evt_1', type: 'sms.status_changed', occurredAt: '2026-01-01T00:00:00.000Z', accountId: 'acc_1', data: status },
      { id: 'evt_2', type: 'sms.status_changed', occurredAt: '2026-01-01T00:00:00.000Z', accountId: 'acc_1', data: withUndefined },
      { id: 'evt_3', type: 'other', occurredAt: '2026-01-01T00:00:00.000Z', accountId: 'acc_1', data: { messageId: 'm', nested: [1] } },
    ];
    await store.outbox.append(events);
    expect(await store.outbox.pending(10)).toEqual(events);
    expect('reason' in (await store.outbox.get('acc_1', 'evt_2'))!.data).toBe(false);
    const doc = (db.prepare("SELECT doc FROM outbox WHERE id = 'evt_1'").get() as { doc: string }).doc;
    expect(doc).not.toContain('previousStatus');
    // A relayed batch is marked with one write.
    let writes = 0;
    const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as { run: (...a: unknown[]) => { changes: number } };
    const run = proto.run;
    proto.run = function (this: { source: string }, ...args: unknown[]) {
      const result = run.apply(this, args);
      if (/^\s*UPDATE/i.test(this.source) && result.changes > 0) writes++;
      return result;
    };
    try {
      await store.outbox.markDispatched(events.map((e) => e.id));
    } finally {
      proto.run = run;
    }
    expect(writes).toBe(1);
    expect(await store.outbox.pending(10)).toEqual([]);
    await store.close();
    db.close();
  });
});

describe('SQLite message lists', () => {
  it('a list by a status other than delivered searches the status index instead of scanning the account', async () => {
    const db = openDatabase(':memory:');
    createSqliteMeta(db);
    const store = createSqliteDataStore(db);
    const sources: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => (sources.push(sql), prepare(sql))) as typeof db.prepare;
    await store.messages.list('acc_1', { status: 'failed' }, { limit: 50 });
    db.prepare = prepare as typeof db.prepare;
    const sql = sources.find((s) => s.includes('FROM messages'))!;
    const plan = (prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ accountId: 'acc_1', status: 'failed', limit: 51 }) as { detail: string }[])
      .map((r) => r.detail)
      .join(' ');
    expect(plan).toContain('messages_by_status');
    await store.close();
    db.close();
  });
});
