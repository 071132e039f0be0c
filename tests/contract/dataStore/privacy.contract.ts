/** The DataStore contract, PrivacyStore (run by describeDataStoreContract). */
import { ERASED, phoneFormsOf, type ErasureTarget } from '../../../shared/domain/erasure';
import { ERASURE_PAGE, MAX_ACCEPT_MANY, type DataStore } from '../../../shared/ports/stores';
import { at, makeCampaign, makeEvent, makeMessage, uniqueId } from '../../fixtures/records';
import type { StoreHarness } from './harness';

export function describePrivacyStoreContract(t: StoreHarness): void {
  let store: DataStore;
  beforeAll(() => {
    store = t.store;
  });
  const { newAccount, seedMessage } = t;
  const PHONE = '+14155550142';
  const target = (): ErasureTarget => ({ phoneForms: phoneFormsOf(PHONE), texts: new Set() });

  describe('privacy', () => {
    it('erase redacts the number and texts in the account only, moves the opt-out to its key, and counts zeros the second time', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const mine = await seedMessage(a.id, { to: PHONE, text: 'Secret for the person', uniqueArgs: { customerRef: 'C-981' } });
      // A short text others send too: erased in the person's records only.
      const short = await seedMessage(a.id, { to: PHONE, text: 'Yes' });
      const others = await seedMessage(a.id, { to: '+14155550143', text: 'Not theirs' });
      const theirs = await seedMessage(b.id, { to: PHONE, text: 'Other tenant' });
      const inbound = makeEvent({
        accountId: a.id,
        type: 'sms.received',
        occurredAt: at(5_000),
        data: { messageId: uniqueId('in'), from: '4155550142', text: 'Reply of the person' },
      });
      const unrelated = makeEvent({
        accountId: a.id,
        type: 'sms.received',
        occurredAt: at(5_001),
        data: { messageId: uniqueId('in'), from: '+14155550143', text: 'Yes' },
      });
      const byMessageId = makeEvent({ accountId: a.id, type: 'message.scheduled', occurredAt: at(5_002), data: { messageId: mine.id } });
      await store.outbox.append([inbound, unrelated, byMessageId]);
      const attempt = {
        id: uniqueId('att'),
        accountId: a.id,
        targetId: uniqueId('sub'),
        targetKind: 'subscription' as const,
        eventId: inbound.id,
        eventType: 'sms.received',
        webhookId: inbound.id,
        attempt: 1,
        at: at(6_000),
        url: 'https://example.com/h',
        statusCode: 500,
        latencyMs: 3,
        error: 'HTTP 500',
        responseExcerpt: 'echo Reply of the person',
        outcome: 'failed' as const,
        nextAttemptAt: null,
      };
      await store.deliveries.record([attempt]);
      await store.optOuts.add({ accountId: a.id, phone: PHONE, source: 'api', keyword: null, createdAt: at(1_000) });
      await store.optOuts.add({ accountId: b.id, phone: PHONE, source: 'api', keyword: null, createdAt: at(1_000) });
      const campaign = await store.campaigns.create(
        makeCampaign({
          accountId: a.id,
          skips: [
            { contactId: 'c1', phone: PHONE, code: 'recipient_opted_out', reason: 'opted out' },
            { contactId: 'c2', phone: '+14155550143', code: 'x', reason: 'y' },
          ],
        }),
      );

      const found = await store.privacy.find(a.id, target());
      expect(found.messages.map((m) => m.id).sort()).toEqual([mine.id, short.id].sort());
      expect(found.events.map((e) => e.id).sort()).toEqual([inbound.id, byMessageId.id].sort());
      expect(found.deliveryAttempts.map((x) => x.id)).toEqual([attempt.id]);
      expect(found.campaigns.map((c) => c.id)).toEqual([campaign.id]);

      expect(await store.privacy.erase(a.id, PHONE, target(), 'erased:key')).toEqual({
        messages: 2,
        events: 2,
        deliveryAttempts: 1,
        optOuts: 1,
        campaigns: 1,
      });
      const erasedMessage = await store.messages.get(a.id, mine.id);
      expect(erasedMessage).toMatchObject({ to: ERASED, text: ERASED, status: mine.status, cost: mine.cost, createdAt: mine.createdAt });
      expect(erasedMessage?.uniqueArgs).toEqual({});
      expect(await store.messages.get(a.id, others.id)).toMatchObject({ to: '+14155550143', text: 'Not theirs' });
      expect((await store.outbox.get(a.id, inbound.id))?.data).toEqual({ messageId: inbound.data.messageId, from: ERASED, text: ERASED });
      expect((await store.outbox.get(a.id, unrelated.id))?.data).toEqual(unrelated.data);
      expect((await store.deliveries.list(a.id, attempt.targetId, {}, 10))[0]).toMatchObject({
        id: attempt.id,
        statusCode: 500,
        responseExcerpt: ERASED,
        error: ERASED,
      });
      expect((await store.campaigns.get(a.id, campaign.id))?.skips).toEqual([
        { contactId: 'c1', phone: ERASED, code: 'recipient_opted_out', reason: 'opted out' },
        { contactId: 'c2', phone: '+14155550143', code: 'x', reason: 'y' },
      ]);
      expect(await store.optOuts.get(a.id, PHONE)).toBeNull();
      expect(await store.optOuts.get(a.id, 'erased:key')).toMatchObject({ phone: 'erased:key', source: 'api' });
      // The other account keeps everything.
      expect(await store.messages.get(b.id, theirs.id)).toMatchObject({ to: PHONE, text: 'Other tenant' });
      expect(await store.optOuts.get(b.id, PHONE)).not.toBeNull();

      expect(await store.privacy.erase(a.id, PHONE, target(), 'erased:key')).toEqual({
        messages: 0,
        events: 0,
        deliveryAttempts: 0,
        optOuts: 0,
        campaigns: 0,
      });
      expect(await store.privacy.find(a.id, target())).toEqual({ messages: [], events: [], deliveryAttempts: [], campaigns: [] });
    });

    it('erase and find go on past one page of records (ERASURE_PAGE)', async () => {
      const a = await newAccount();
      const n = ERASURE_PAGE + 3;
      const all = Array.from({ length: n }, (_, i) =>
        makeMessage({
          accountId: a.id,
          to: i % 2 === 0 ? PHONE : '+14155550143',
          text: `text ${i}`,
          idempotencyKey: `k${i}`,
          createdAt: at(i * 1_000),
          updatedAt: at(i * 1_000),
        }),
      );
      // In chunks (one unit of work each): 13 writes instead of 503.
      for (let i = 0; i < n; i += MAX_ACCEPT_MANY) await store.messages.acceptMany(all.slice(i, i + MAX_ACCEPT_MANY), () => []);
      const theirs = Math.ceil(n / 2);
      expect((await store.privacy.find(a.id, target())).messages).toHaveLength(theirs);
      expect((await store.privacy.erase(a.id, PHONE, target(), 'erased:key')).messages).toBe(theirs);
      expect((await store.privacy.find(a.id, target())).messages).toEqual([]);
      expect(await store.messages.countByStatus(a.id, { to: '+14155550143' })).toMatchObject({ queued: n - theirs });
    }, 60_000);
  });
}
