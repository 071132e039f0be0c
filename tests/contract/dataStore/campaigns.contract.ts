/** The DataStore contract, CampaignStore, and the messages of a campaign in MessageStore (run by describeDataStoreContract). */
import type { Message } from '../../../shared/domain/types';
import type { Campaign, CampaignStatus } from '../../../shared/domain/campaign';
import {
  ConcurrencyError,
  DuplicateError,
  InvalidContinuationTokenError,
  type CampaignFilter,
  type MessageFilter,
  type DataStore,
} from '../../../shared/ports/stores';
import { at, makeCampaign, makeEvent, uniqueId } from '../../fixtures/records';
import { newestFirst, ids, collectPages, type StoreHarness } from './harness';

export function describeCampaignStoreContract(t: StoreHarness): void {
  let store: DataStore;
  beforeAll(() => {
    store = t.store;
  });
  const { newAccount, seedMessage } = t;

  describe('campaigns', () => {
    /** Newest first: createdAt descending, then id descending. */
    const newestCampaignsFirst = (a: Campaign, b: Campaign): number =>
      a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

    it('create returns the record with an etag; get reads it back, scoped to the account', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const campaign = makeCampaign({
        accountId: a.id,
        kind: 'trigger',
        status: 'paused',
        groupIds: [],
        trigger: { phoneField: 'customer.phone', attributes: [{ name: 'order', field: 'order.id', type: 'string', required: true }] },
        taskRef: { queue: 'campaign', id: 'task_1' },
      });
      const created = await store.campaigns.create(campaign);
      expect(created).toEqual({ ...campaign, etag: expect.any(String) });
      expect(await store.campaigns.get(a.id, campaign.id)).toEqual(created);
      expect(await store.campaigns.get(b.id, campaign.id)).toBeNull();
      expect(await store.campaigns.get(a.id, uniqueId('cmp'))).toBeNull();
      await expect(store.campaigns.create(makeCampaign({ id: campaign.id, accountId: a.id }))).rejects.toBeInstanceOf(DuplicateError);
      expect(await store.campaigns.get(a.id, campaign.id)).toEqual(created);
    });

    it('list is newest first (createdAt, then id), filters by kind and status, and sees only the account', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const stored: Campaign[] = [];
      const specs: Partial<Campaign>[] = [
        { createdAt: at(3_000), kind: 'bulk', status: 'draft' },
        { createdAt: at(1_000), kind: 'bulk', status: 'sending' },
        { createdAt: at(2_000), kind: 'trigger', status: 'active' },
        { createdAt: at(2_000), kind: 'bulk', status: 'draft' },
        { createdAt: at(5_000), kind: 'trigger', status: 'paused' },
        { createdAt: at(2_000), kind: 'bulk', status: 'sending' },
      ];
      for (const spec of specs) stored.push(await store.campaigns.create(makeCampaign({ accountId: a.id, ...spec })));
      await store.campaigns.create(makeCampaign({ accountId: b.id, createdAt: at(4_000) }));
      const list = async (filter: CampaignFilter) => (await store.campaigns.list(a.id, filter, { limit: 50 })).items;
      const expected = (keep: (c: Campaign) => boolean) => stored.filter(keep).sort(newestCampaignsFirst);

      const all = await list({});
      expect(all).toEqual(expected(() => true));
      expect(ids(await list({ kind: 'bulk' }))).toEqual(ids(expected((c) => c.kind === 'bulk')));
      expect(ids(await list({ kind: 'trigger' }))).toEqual(ids(expected((c) => c.kind === 'trigger')));
      expect(ids(await list({ status: 'sending' }))).toEqual(ids(expected((c) => c.status === 'sending')));
      expect(ids(await list({ kind: 'bulk', status: 'draft' }))).toEqual(ids(expected((c) => c.kind === 'bulk' && c.status === 'draft')));
      expect(await list({ kind: 'trigger', status: 'draft' })).toEqual([]);
      expect(await list({ status: 'completed' })).toEqual([]);
      expect((await store.campaigns.list(b.id, {}, { limit: 50 })).items).toHaveLength(1);
      expect((await store.campaigns.list((await newAccount()).id, {}, { limit: 50 })).items).toEqual([]);
    });

    it('pages with opaque tokens, each campaign once, in order, within a filter too', async () => {
      const a = await newAccount();
      const stored: Campaign[] = [];
      for (const offset of [1, 2, 2, 2, 3, 4, 4]) {
        stored.push(
          await store.campaigns.create(
            makeCampaign({ accountId: a.id, createdAt: at(offset * 1_000), status: offset % 2 === 0 ? 'sent' : 'draft' }),
          ),
        );
      }
      const pages = await collectPages((token) =>
        store.campaigns.list(a.id, {}, { limit: 3, ...(token ? { continuationToken: token } : {}) }),
      );
      expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
      expect(pages.flatMap((p) => ids(p.items))).toEqual(ids([...stored].sort(newestCampaignsFirst)));

      const sent = stored.filter((c) => c.status === 'sent').sort(newestCampaignsFirst);
      expect(sent).toHaveLength(5);
      const first = await store.campaigns.list(a.id, { status: 'sent' }, { limit: 2 });
      // Created after the first page and newer than all of it: later pages must not shift.
      await store.campaigns.create(makeCampaign({ accountId: a.id, createdAt: at(60_000), status: 'sent' }));
      const rest = await collectPages((token) =>
        store.campaigns.list(a.id, { status: 'sent' }, { limit: 2, continuationToken: token ?? first.continuationToken ?? '' }),
      );
      expect([...ids(first.items), ...rest.flatMap((p) => ids(p.items))]).toEqual(ids(sent));
    });

    it('returns a null token on a last page that is exactly full', async () => {
      const a = await newAccount();
      for (let i = 0; i < 4; i += 1) await store.campaigns.create(makeCampaign({ accountId: a.id, createdAt: at(i * 1_000) }));
      const first = await store.campaigns.list(a.id, {}, { limit: 2 });
      expect(first.continuationToken).toEqual(expect.any(String));
      const second = await store.campaigns.list(a.id, {}, { limit: 2, continuationToken: first.continuationToken ?? '' });
      expect(second.items).toHaveLength(2);
      expect(second.continuationToken).toBeNull();
    });

    it('rejects a continuation token it did not issue', async () => {
      const a = await newAccount();
      await store.campaigns.create(makeCampaign({ accountId: a.id }));
      for (const token of ['not-a-token', Buffer.from('["only-one"]').toString('base64url'), Buffer.from('{}').toString('base64url')]) {
        await expect(store.campaigns.list(a.id, {}, { limit: 1, continuationToken: token })).rejects.toBeInstanceOf(
          InvalidContinuationTokenError,
        );
      }
    });

    it('update replaces when the etag matches and appends the events; a stale etag writes neither', async () => {
      const a = await newAccount();
      const created = await store.campaigns.create(makeCampaign({ accountId: a.id }));
      const started = makeEvent({ accountId: a.id, type: 'campaign.started', data: { campaignId: created.id } });
      const next: Campaign = {
        ...created,
        status: 'sending',
        startedAt: at(10),
        updatedAt: at(10),
        progress: { recipients: 3, accepted: 0, skipped: 0, costMinor: 0n },
      };
      const sending = await store.campaigns.update(next, [started]);
      expect(sending).toEqual({ ...next, etag: expect.any(String) });
      expect(sending.etag).not.toBe(created.etag);
      expect(await store.campaigns.get(a.id, created.id)).toEqual(sending);
      expect(await store.outbox.get(a.id, started.id)).toEqual(started);

      const late = makeEvent({ accountId: a.id, type: 'campaign.cancelled' });
      await expect(store.campaigns.update({ ...created, status: 'cancelled', updatedAt: at(20) }, [late])).rejects.toBeInstanceOf(
        ConcurrencyError,
      );
      expect(await store.campaigns.get(a.id, created.id)).toEqual(sending);
      expect(await store.outbox.get(a.id, late.id)).toBeNull();

      // The etag an update returns is the current one: the next update goes through with it.
      const sent = await store.campaigns.update({ ...sending, status: 'sent', sendingFinishedAt: at(30), updatedAt: at(30) }, []);
      expect(await store.campaigns.get(a.id, created.id)).toEqual(sent);
      await expect(store.campaigns.update({ ...sending, status: 'failed' }, [])).rejects.toBeInstanceOf(ConcurrencyError);
    });

    it('update writes nothing when an event cannot be appended (one unit of work)', async () => {
      const a = await newAccount();
      const created = await store.campaigns.create(makeCampaign({ accountId: a.id }));
      const existing = makeEvent({ accountId: a.id, type: 'contact.created' });
      await store.outbox.append([existing]);
      const fresh = makeEvent({ accountId: a.id, type: 'campaign.started' });
      const attempt = store.campaigns.update({ ...created, status: 'sending', updatedAt: at(10) }, [
        fresh,
        { ...existing, data: { changed: true } },
      ]);
      await expect(attempt).rejects.toBeInstanceOf(DuplicateError);
      expect(await store.campaigns.get(a.id, created.id)).toEqual(created);
      expect(await store.outbox.get(a.id, fresh.id)).toBeNull();
      expect(await store.outbox.get(a.id, existing.id)).toEqual(existing);
      // Nothing was consumed: the same etag still updates.
      await expect(store.campaigns.update({ ...created, status: 'sending', updatedAt: at(11) }, [fresh])).resolves.toMatchObject({
        status: 'sending',
      });
    });

    it('cannot be updated or listed through another account', async () => {
      const owner = await newAccount();
      const intruder = await newAccount();
      const created = await store.campaigns.create(makeCampaign({ accountId: owner.id }));
      const event = makeEvent({ accountId: intruder.id, type: 'campaign.cancelled' });
      await expect(store.campaigns.update({ ...created, accountId: intruder.id, status: 'cancelled' }, [event])).rejects.toBeInstanceOf(
        ConcurrencyError,
      );
      expect(await store.campaigns.get(owner.id, created.id)).toEqual(created);
      expect(await store.campaigns.get(intruder.id, created.id)).toBeNull();
      expect(await store.outbox.get(intruder.id, event.id)).toBeNull();
      expect((await store.campaigns.list(intruder.id, {}, { limit: 10 })).items).toEqual([]);
    });

    describe('listInStatus', () => {
      // Times in 2002 so that no campaign of another test (2026) qualifies.
      const bound = '2002-02-01T00:00:00.000Z';
      const in2002 = (s: number) => new Date(Date.UTC(2002, 0, 1, 0, 0, s)).toISOString();
      const byUpdate = (xs: readonly Campaign[]) =>
        [...xs].sort((x, y) => (x.updatedAt < y.updatedAt ? -1 : x.updatedAt > y.updatedAt ? 1 : 0));

      it('finds campaigns in the status last updated before the bound, across accounts, least recently updated first', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const create = (accountId: string, status: CampaignStatus, updatedAt: string) =>
          store.campaigns.create(makeCampaign({ accountId, status, createdAt: in2002(0), updatedAt }));
        const stale = [
          await create(b.id, 'sending', in2002(30)),
          await create(a.id, 'sending', in2002(10)),
          await create(a.id, 'sending', in2002(20)),
        ];
        const others = [
          await create(a.id, 'sending', bound), // not strictly older
          await create(b.id, 'sending', '2002-03-01T00:00:00.000Z'),
          await create(a.id, 'sent', in2002(5)),
        ];

        const found = await store.campaigns.listInStatus('sending', bound, 1_000);
        for (const c of found) {
          expect(c.status).toBe('sending');
          expect(c.updatedAt < bound).toBe(true);
        }
        expect(found.map((c) => c.updatedAt)).toEqual([...found.map((c) => c.updatedAt)].sort());
        const mine = new Set(ids(stale));
        expect(found.filter((c) => mine.has(c.id))).toEqual(byUpdate(stale));
        for (const c of others) expect(ids(found)).not.toContain(c.id);

        const limited = await store.campaigns.listInStatus('sending', bound, 2);
        expect(limited).toHaveLength(2);
        expect(limited).toEqual(found.slice(0, 2));

        // An update moves a campaign past the bound (or out of the status): it drops out.
        const [oldest] = byUpdate(stale);
        await store.campaigns.update({ ...oldest!, updatedAt: at(1) }, []);
        expect(ids(await store.campaigns.listInStatus('sending', bound, 1_000))).not.toContain(oldest!.id);
        expect(ids(await store.campaigns.listInStatus('sent', bound, 1_000))).toContain(others[2]!.id);
      });

      it('pages on from an update time, inclusive', async () => {
        const a = await newAccount();
        const made: Campaign[] = [];
        for (const s of [40, 41, 41, 42])
          made.push(
            await store.campaigns.create(
              makeCampaign({ accountId: a.id, status: 'scheduled', createdAt: in2002(0), updatedAt: in2002(s) }),
            ),
          );
        const mine = (xs: readonly Campaign[]) => xs.filter((c) => ids(made).includes(c.id));
        const from41 = mine(await store.campaigns.listInStatus('scheduled', bound, 1_000, in2002(41)));
        expect(from41.map((c) => c.updatedAt)).toEqual([in2002(41), in2002(41), in2002(42)]);
        expect(mine(await store.campaigns.listInStatus('scheduled', bound, 1_000, in2002(43)))).toEqual([]);
        expect(mine(await store.campaigns.listInStatus('scheduled', bound, 1_000))).toHaveLength(4);
      });
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('messages of campaigns', () => {
    it('store the campaign id: round trip through accept, transition and get', async () => {
      const a = await newAccount();
      const campaignId = uniqueId('cmp');
      const message = await seedMessage(a.id, { campaignId });
      expect(message.campaignId).toBe(campaignId);
      expect(await store.messages.get(a.id, message.id)).toEqual(message);
      const { message: sent } = await store.messages.transition({ ...message, status: 'sent', updatedAt: at(1) }, 0n, () => []);
      expect(await store.messages.get(a.id, message.id)).toEqual(sent);
      expect(sent.campaignId).toBe(campaignId);

      const alone = await seedMessage(a.id, { campaignId: null });
      expect((await store.messages.get(a.id, alone.id))?.campaignId).toBeNull();
      const plain = await seedMessage(a.id);
      expect(await store.messages.get(a.id, plain.id)).not.toHaveProperty('campaignId');
    });

    it('list filters by campaign, newest first, combined with other filters, paged, within the account', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const [c1, c2] = [uniqueId('cmp'), uniqueId('cmp')];
      const ofC1: Message[] = [];
      for (const [offset, status] of [
        [3, 'sent'],
        [1, 'queued'],
        [2, 'sent'],
        [2, 'delivered'],
        [5, 'sent'],
      ] as const) {
        ofC1.push(await seedMessage(a.id, { campaignId: c1, createdAt: at(offset * 1_000), status }));
      }
      await seedMessage(a.id, { campaignId: c2, createdAt: at(4_000) });
      await seedMessage(a.id, { createdAt: at(4_000) });
      await seedMessage(b.id, { campaignId: c1, createdAt: at(4_000) });
      const list = async (filter: MessageFilter) => ids((await store.messages.list(a.id, filter, { limit: 50 })).items);

      expect(await list({ campaignId: c1 })).toEqual(ids([...ofC1].sort(newestFirst)));
      expect(await list({ campaignId: c1, status: 'sent' })).toEqual(ids(ofC1.filter((m) => m.status === 'sent').sort(newestFirst)));
      expect(await list({ campaignId: c1, since: at(2_000), until: at(5_000) })).toEqual(
        ids(ofC1.filter((m) => m.createdAt >= at(2_000) && m.createdAt < at(5_000)).sort(newestFirst)),
      );
      expect(await list({ campaignId: c2 })).toHaveLength(1);
      expect(await list({ campaignId: uniqueId('cmp') })).toEqual([]);
      expect(await list({})).toHaveLength(7);

      const pages = await collectPages((token) =>
        store.messages.list(a.id, { campaignId: c1 }, { limit: 2, ...(token ? { continuationToken: token } : {}) }),
      );
      expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
      expect(pages.flatMap((p) => ids(p.items))).toEqual(ids([...ofC1].sort(newestFirst)));
    });

    it('countByStatus counts the matching messages by status, every status present', async () => {
      const a = await newAccount();
      const b = await newAccount();
      const [c1, c2] = [uniqueId('cmp'), uniqueId('cmp')];
      const statuses = ['queued', 'sent', 'sent', 'delivered', 'delivered', 'delivered', 'failed'] as const;
      const seeded: Message[] = [];
      for (const [i, status] of statuses.entries())
        seeded.push(await seedMessage(a.id, { campaignId: c1, status, createdAt: at(i * 1_000) }));
      // A status change is counted where the message is now.
      await store.messages.transition({ ...seeded[0]!, status: 'undelivered', updatedAt: at(60_000) }, 0n, () => []);
      await seedMessage(a.id, { campaignId: c2, status: 'sent' });
      await seedMessage(a.id, { status: 'cancelled' });
      await seedMessage(b.id, { campaignId: c1, status: 'failed' });
      const zero = { queued: 0, scheduled: 0, sent: 0, delivered: 0, undelivered: 0, failed: 0, cancelled: 0 };

      expect(await store.messages.countByStatus(a.id, { campaignId: c1 })).toStrictEqual({
        ...zero,
        sent: 2,
        delivered: 3,
        undelivered: 1,
        failed: 1,
      });
      expect(await store.messages.countByStatus(a.id, { campaignId: c2 })).toStrictEqual({ ...zero, sent: 1 });
      expect(await store.messages.countByStatus(a.id, {})).toStrictEqual({
        ...zero,
        sent: 3,
        delivered: 3,
        undelivered: 1,
        failed: 1,
        cancelled: 1,
      });
      expect(await store.messages.countByStatus(a.id, { campaignId: c1, status: 'delivered' })).toStrictEqual({ ...zero, delivered: 3 });
      expect(await store.messages.countByStatus(a.id, { campaignId: c1, since: at(3_000) })).toStrictEqual({
        ...zero,
        delivered: 3,
        failed: 1,
      });
      expect(await store.messages.countByStatus(b.id, { campaignId: c1 })).toStrictEqual({ ...zero, failed: 1 });
      expect(await store.messages.countByStatus(a.id, { campaignId: uniqueId('cmp') })).toStrictEqual(zero);
      expect(await store.messages.countByStatus((await newAccount()).id, {})).toStrictEqual(zero);
    });
  });

  // -------------------------------------------------------------------------------------------
}
