import type { Campaign } from '../../domain/campaign';
import {
  ERASED,
  mentions,
  mentionsString,
  redactDeep,
  redactWhereMentioned,
  type ErasureTarget,
  type PersonalRecords,
} from '../../domain/erasure';
import type { DomainEvent } from '../../domain/types';
import type { DeliveryAttempt } from '../../domain/webhooks';
import { ERASURE_PAGE, type PrivacyStore } from '../../ports/stores';
import { campaignFromStored } from '../../ports/storedMoney';
import { groupCommitFor, type Db } from './database';
import { messageOf, type MessageRow } from './messageRow';
import { dataIn, dataOut } from './outbox';
import { newEtag } from './rows';

type EventRow = { seq: number; id: string; type: string; occurred_at: string; doc: string };
type AttemptRow = { target_id: string; at: string; id: string; event_id: string; doc: string };
type CampaignRow = { id: string; created_at: string; doc: string };

const MESSAGE_COLUMNS =
  'rowid, account_id, id, status, to_number, from_sender, text, created_at, updated_at, scheduled_for, carrier, carrier_message_id, idempotency_key, campaign_id, rev, fixed, state';

/**
 * Erasure, export and text retention over the embedded database's tables. Opt-outs and contacts are
 * found by their (account, phone) index. Messages have no recipient index (README: it would cost
 * ~110 bytes per message), and events and attempts hold the number inside documents, so those are
 * read by account in pages of ERASURE_PAGE through their account-first indexes (a scan of the
 * account, never of other accounts). Each page's changes commit as one write.
 */
export function createSqlitePrivacyStore(db: Db): PrivacyStore {
  const gc = groupCommitFor(db);
  const st = {
    messages: db.prepare<[string, string, string, number]>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE account_id = ? AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?`,
    ),
    messageRedact: db.prepare('UPDATE messages SET to_number = ?, from_sender = ?, text = ?, fixed = ?, state = ? WHERE rowid = ?'),
    events: db.prepare<[string, number, number]>(
      'SELECT seq, id, type, occurred_at, doc FROM outbox WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    eventRedact: db.prepare('UPDATE outbox SET doc = ? WHERE seq = ?'),
    attempts: db.prepare<[string, string, string, string, number]>(
      'SELECT target_id, at, id, event_id, doc FROM webhook_attempts WHERE account_id = ? AND (target_id, at, id) > (?, ?, ?) ORDER BY target_id, at, id LIMIT ?',
    ),
    attemptRedact: db.prepare('UPDATE webhook_attempts SET doc = ? WHERE id = ?'),
    campaigns: db.prepare<[string, string, string, number]>(
      'SELECT id, created_at, doc FROM campaigns WHERE account_id = ? AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?',
    ),
    campaignRedact: db.prepare('UPDATE campaigns SET doc = ?, etag = ? WHERE account_id = ? AND id = ?'),
    optOut: db.prepare<[string, string]>('SELECT doc FROM opt_outs WHERE account_id = ? AND phone = ?'),
    optOutDelete: db.prepare('DELETE FROM opt_outs WHERE account_id = ? AND phone = ?'),
    optOutUpsert: db.prepare(
      'INSERT INTO opt_outs (account_id, phone, doc) VALUES (?, ?, ?) ON CONFLICT (account_id, phone) DO UPDATE SET doc = excluded.doc',
    ),
    textRange: db.prepare<[string, string, string, number]>(
      'SELECT rowid, created_at, text FROM messages WHERE account_id = ? AND created_at >= ? AND created_at < ? ORDER BY created_at, id LIMIT ?',
    ),
    textRedact: db.prepare('UPDATE messages SET text = ? WHERE rowid = ?'),
  };

  /** Calls `page` with each page of rows until one is short; `next` gives the position after a row. */
  function* pages<R, P extends unknown[]>(read: (after: P) => R[], start: P, next: (row: R) => P): Generator<R[]> {
    let after = start;
    for (;;) {
      const rows = read(after);
      if (rows.length > 0) yield rows;
      if (rows.length < ERASURE_PAGE) return;
      after = next(rows[rows.length - 1]!);
    }
  }
  const messagePages = (accountId: string) =>
    pages<MessageRow & { rowid: number }, [string, string]>(
      (a) => st.messages.all(accountId, ...a, ERASURE_PAGE) as (MessageRow & { rowid: number })[],
      ['', ''],
      (r) => [r.created_at, r.id],
    );
  const eventPages = (accountId: string) =>
    pages<EventRow, [number]>(
      (a) => st.events.all(accountId, a[0], ERASURE_PAGE) as EventRow[],
      [0],
      (r) => [r.seq],
    );
  const attemptPages = (accountId: string) =>
    pages<AttemptRow, [string, string, string]>(
      ([t, at, id]) => st.attempts.all(accountId, t, at, id, ERASURE_PAGE) as AttemptRow[],
      ['', '', ''],
      (r) => [r.target_id, r.at, r.id],
    );
  const campaignPages = (accountId: string) =>
    pages<CampaignRow, [string, string]>(
      (a) => st.campaigns.all(accountId, ...a, ERASURE_PAGE) as CampaignRow[],
      ['', ''],
      (r) => [r.created_at, r.id],
    );

  const isPersons = (m: MessageRow, t: ErasureTarget) => t.phoneForms.includes(m.to_number) || t.phoneForms.includes(m.from_sender);

  return {
    async erase(accountId, e164, target, optOutKey) {
      const counts = { messages: 0, events: 0, deliveryAttempts: 0, optOuts: 0, campaigns: 0 };
      // Messages first: their texts and ids mark the events that carry them.
      const messageIds = new Set<string>();
      for (const rows of messagePages(accountId)) {
        const hits = rows.filter((r) => isPersons(r, target));
        for (const r of hits) target.texts.add(r.text), messageIds.add(r.id);
        await gc.run(() => {
          for (const r of hits) {
            const from = mentionsString(r.from_sender, target) ? ERASED : r.from_sender;
            // Unique arguments are the sender's data about the person: erased whole, as on Cosmos DB (`q` in messageRow).
            const fixedDoc = JSON.parse(r.fixed) as { q?: Record<string, string> };
            if (fixedDoc.q) fixedDoc.q = {};
            const fixed = JSON.stringify(redactWhereMentioned(fixedDoc, target));
            const state = JSON.stringify(redactWhereMentioned(JSON.parse(r.state), target));
            st.messageRedact.run(ERASED, from, ERASED, fixed, state, r.rowid);
          }
        });
        counts.messages += hits.length;
      }
      target.texts.delete(ERASED);
      const eventIds = new Set<string>();
      for (const rows of eventPages(accountId)) {
        const hits = rows
          .map((r) => ({ r, data: dataIn(r.doc) }))
          .filter(({ data }) => mentions(data, target) || messageIds.has(String(data.messageId)));
        for (const { r, data } of hits) {
          eventIds.add(r.id);
          // A received message's text marks the same text stored elsewhere (a keyword match, an attempt).
          if (typeof data.text === 'string' && data.text !== ERASED) target.texts.add(data.text);
        }
        await gc.run(() => {
          for (const { r, data } of hits) st.eventRedact.run(dataOut(redactDeep(data, target) as Record<string, unknown>), r.seq);
        });
        counts.events += hits.length;
      }
      for (const rows of attemptPages(accountId)) {
        const hits = rows
          .map((r) => ({ r, doc: JSON.parse(r.doc) as Record<string, unknown> }))
          .filter(({ r, doc }) => eventIds.has(r.event_id) || mentions(doc, target));
        await gc.run(() => {
          for (const { r, doc } of hits) st.attemptRedact.run(JSON.stringify(redactDeep(doc, target)), r.id);
        });
        counts.deliveryAttempts += hits.length;
      }
      for (const rows of campaignPages(accountId)) {
        const hits = rows.map((r) => ({ r, doc: JSON.parse(r.doc) as unknown })).filter(({ doc }) => mentions(doc, target));
        await gc.run(() => {
          for (const { r, doc } of hits)
            st.campaignRedact.run(JSON.stringify(redactWhereMentioned(doc, target)), newEtag(), accountId, r.id);
        });
        counts.campaigns += hits.length;
      }
      counts.optOuts = await gc.run(() => {
        const row = st.optOut.get(accountId, e164) as { doc: string } | undefined;
        if (!row) return 0;
        const optOut = JSON.parse(row.doc) as Record<string, unknown>;
        st.optOutDelete.run(accountId, e164);
        st.optOutUpsert.run(accountId, optOutKey, JSON.stringify({ ...optOut, phone: optOutKey }));
        return 1;
      });
      return counts;
    },

    async find(accountId, target) {
      const found: PersonalRecords = { messages: [], events: [], deliveryAttempts: [], campaigns: [] };
      const messageIds = new Set<string>();
      for (const rows of messagePages(accountId)) {
        for (const r of rows.filter((m) => isPersons(m, target))) found.messages.push(messageOf(r)), messageIds.add(r.id);
      }
      const eventIds = new Set<string>();
      for (const rows of eventPages(accountId)) {
        for (const r of rows) {
          const data = dataIn(r.doc);
          if (!mentions(data, target) && !messageIds.has(String(data.messageId))) continue;
          const event: DomainEvent = { id: r.id, type: r.type, occurredAt: r.occurred_at, accountId, data };
          found.events.push(event);
          eventIds.add(r.id);
        }
      }
      for (const rows of attemptPages(accountId)) {
        for (const r of rows) if (eventIds.has(r.event_id)) found.deliveryAttempts.push(JSON.parse(r.doc) as DeliveryAttempt);
      }
      for (const rows of campaignPages(accountId)) {
        for (const r of rows) {
          const doc = JSON.parse(r.doc) as Record<string, unknown>;
          if (mentions(doc, target)) found.campaigns.push(campaignFromStored(doc) as Campaign);
        }
      }
      return found;
    },

    async redactTexts(accountId, from, before, limit) {
      // messages_by_created (account_id, created_at, id): one range of the account's messages.
      return gc.run(() => {
        const rows = st.textRange.all(accountId, from, before, limit) as { rowid: number; created_at: string; text: string }[];
        const changed = rows.filter((r) => r.text !== ERASED);
        for (const r of changed) st.textRedact.run(ERASED, r.rowid);
        return { redacted: changed.length, resumeFrom: rows.length < limit ? null : rows[rows.length - 1]!.created_at };
      });
    },
  };
}
