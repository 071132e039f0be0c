/**
 * The Azure Functions handlers over the Azure parts, called as the Functions host calls them
 * (HttpRequest, InvocationContext, Service Bus trigger metadata): the real @azure/cosmos client
 * against the in-process Cosmos server and the Service Bus adapter over the broker-faithful fake, a
 * message's whole life going through the HTTP, queue and timer handlers (the simulator's reports
 * come back through HTTP). The tests run in order on one set of parts (tests/fixtures/functionsOverAzure.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvocationContext } from '@azure/functions';
import { createOutboxChangeFeedHandler } from '../../functions/changeFeed';
import { RedeliverError } from '../../functions/queues';
import { createTimerHandler } from '../../functions/timers';
import { periodicJobs, RELAY_JOB } from '../../shared/config/periodicJobs';
import type { Runtime } from '../../shared/config/runtime';
import { QUEUE_OF } from '../../shared/ports/taskQueue';
import type { FakeClock } from '../fixtures/fakeClock';
import type { FakeServiceBus } from '../fixtures/fakeServiceBus';
import { runTrigger } from '../fixtures/functionsHost';
import { ADMIN_KEY, summarise, useFunctionsOverAzure, type AzureParts } from '../fixtures/functionsOverAzure';
import type { InProcessCosmos } from '../fixtures/inProcessCosmos';

const SMS = QUEUE_OF['sms.send.v1'];
const DLR = QUEUE_OF['simulator.dlr.v1'];

describe('Functions handlers over the Azure parts (in-process Cosmos DB, fake Service Bus)', () => {
  const MAX_ATTEMPTS = 3;
  const azure = useFunctionsOverAzure({ maxAttempts: MAX_ATTEMPTS });
  const { provider, queueHandler, api, admin, drain } = azure;
  let cosmos: InProcessCosmos;
  let bus: FakeServiceBus;
  let clock: FakeClock;
  let runtime: Runtime;
  let web: AzureParts['web'];
  let logger: AzureParts['logger'];
  let devKey: string;
  beforeAll(() => {
    ({ cosmos, bus, clock, runtime, web, logger, devKey } = azure.current());
  });

  test('a message goes queued → sent → delivered through the HTTP, queue and timer handlers', async () => {
    cosmos.take();
    const sent = await api('POST', '/messages', { to: '+14155550123', text: 'Hello from Azure' });
    expect(sent.status).toBe(202);
    const accept = cosmos.take();
    expect(bus.counts(SMS).active).toBe(1);

    const first = await runTrigger(bus, SMS, queueHandler(SMS));
    expect(first).toMatchObject({ completed: 1, abandoned: 0 });
    const send = cosmos.take();
    expect((await api('GET', `/messages/${sent.body.id}`)).body.status).toBe('sent');
    expect(bus.counts(DLR).scheduled).toBe(1); // the simulator's report, 500 ms later

    clock.advance(500);
    cosmos.take();
    expect(await runTrigger(bus, DLR, queueHandler(DLR))).toMatchObject({ completed: 1, abandoned: 0 });
    const deliver = cosmos.take();
    const message = (await api('GET', `/messages/${sent.body.id}`)).body;
    expect(message).toMatchObject({ status: 'delivered' });
    expect(message.history.map((h: { status: string }) => h.status)).toEqual(['queued', 'sent', 'delivered']);
    // The simulator remembered the submission in Cosmos DB (one accepted send).
    expect(await runtime.simulatorLog.get(sent.body.id)).toMatchObject({ attempts: 1, accepted: true, acceptedCount: 1 });

    // The next send with the same key: its record comes from the instance's cache (apiKeyAuth.ts).
    cosmos.take();
    expect((await api('POST', '/messages', { to: '+14155550124', text: 'Hello again' })).status).toBe(202);
    const acceptWarm = cosmos.take();

    // Each step stays inside one logical partition: no cross-partition query on the hot path.
    // The request-unit table of docs/azure.md comes from these figures; the budgets catch a regression
    // (an extra write or a query sneaking onto the hot path). The first request of a key on an
    // instance reads its record and writes lastUsedAt (at most once a minute per key): accept; the
    // requests after it do neither: acceptWarm. An opt-out lookup that misses also reads the entry of
    // the number's keyed hash (an erased person's opt-out stays enforced under it): one more point read. Both include the audit record of POST /messages:
    // created before the handler, patched after (≈ 10 RU).
    const budget = { accept: 32, acceptWarm: 25, send: 30, deliver: 20 };
    for (const [phase, ops] of Object.entries({ accept, acceptWarm, send, deliver })) {
      const summary = summarise(ops);
      // eslint-disable-next-line no-console
      console.info(
        `Cosmos DB operations, ${phase}: ${JSON.stringify(summary)}${process.env.DEBUG_COSMOS_OPS ? `\n${ops.map((o) => `${o.kind} ${o.path} ${o.bytes}`).join('\n')}` : ''}`,
      );
      expect({ phase, queries: summary.query ?? 0 }).toEqual({ phase, queries: 0 });
      expect(summary.estimatedRu).toBeLessThanOrEqual(budget[phase as keyof typeof budget]);
    }
  });

  test('cancelling a scheduled SMS cancels its scheduled Service Bus message and refunds it', async () => {
    const before = (await api('GET', '/balance')).body.credits;
    const queuedBefore = bus.counts(SMS);
    const sendAt = new Date(clock.now() + 3_600_000).toISOString();
    const sent = await api('POST', '/messages', { to: '+14155550123', text: 'Later', sendAt });
    expect(sent.body).toMatchObject({ status: 'scheduled', scheduledFor: sendAt });
    expect(bus.counts(SMS).scheduled).toBe(queuedBefore.scheduled + 1);

    const cancelled = await api('POST', `/messages/${sent.body.id}/cancel`, { reason: 'No longer needed' });
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    // The broker no longer holds it: nothing fires at the scheduled time.
    expect(bus.counts(SMS).scheduled).toBe(queuedBefore.scheduled);
    clock.advance(3_600_000);
    await drain();
    expect((await api('GET', `/messages/${sent.body.id}`)).body.status).toBe('cancelled');
    expect(await runtime.simulatorLog.get(sent.body.id)).toBeNull();
    expect((await api('GET', '/balance')).body.credits).toBe(before);
  });

  test('continuation tokens over Cosmos DB are signed: the next page follows, an edited token is 400', async () => {
    for (const phone of ['+14155550161', '+14155550162']) {
      expect((await api('POST', '/contacts', { phone })).status).toBe(201);
      expect((await api('POST', '/messages', { to: phone, text: 'Page me' })).status).toBe(202);
    }
    for (const path of ['/messages', '/contacts']) {
      const first = await api('GET', `${path}?limit=1`);
      const token: string = first.body.continuationToken;
      const next = await api('GET', `${path}?limit=1&continuationToken=${encodeURIComponent(token)}`);
      expect(next.status).toBe(200);
      expect(next.body.items[0].id).not.toBe(first.body.items[0].id);
      // The Cosmos store's own token (base64url JSON a caller could edit) is not accepted without its signature.
      const dot = token.lastIndexOf('.');
      const [inner, signature] = dot < 0 ? [token, ''] : [token.slice(0, dot), token.slice(dot)];
      const edited = Buffer.from(
        Buffer.from(inner, 'base64url')
          .toString('utf8')
          .replace(/\d(?=\D*$)/, (d) => String((Number(d) + 1) % 10)),
      ).toString('base64url');
      for (const bad of [inner, `${edited}${signature}`]) {
        const res = await api('GET', `${path}?limit=1&continuationToken=${encodeURIComponent(bad)}`);
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual([{ path: 'query/continuationToken', message: 'continuationToken is not one this API issued' }]);
      }
    }
    // Leave no tasks behind for the tests that count the queues.
    await drain();
    clock.advance(1_000);
    await drain();
  });

  test('a failing task is retried with backoff by the trigger, then dead-lettered, listed and re-queued', async () => {
    const hits: number[] = [];
    const down = http.createServer((_req, res) => {
      hits.push(clock.now());
      res.writeHead(503).end();
    });
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', () => resolve()));
    runtime.setPublicBaseUrl(`http://127.0.0.1:${(down.address() as AddressInfo).port}`);
    try {
      const sent = await api('POST', '/messages', { to: '+14155550199', text: 'Reports will fail' });
      await runTrigger(bus, SMS, queueHandler(SMS));
      clock.advance(500);
      const firstTry = await runTrigger(bus, DLR, queueHandler(DLR));
      expect(firstTry).toMatchObject({ completed: 1, abandoned: 0 }); // a retry copy was scheduled instead
      expect(bus.counts(DLR)).toMatchObject({ scheduled: 1, active: 0 });
      clock.advance(1_000);
      expect(await runTrigger(bus, DLR, queueHandler(DLR))).toMatchObject({ completed: 1, abandoned: 0 });
      clock.advance(1_000);
      // Attempt 3 of 3 fails: the trigger throws; the broker redelivers and the deliveries past the
      // last attempt throw without calling the carrier, until maxDeliveryCount moves it aside.
      const last = await runTrigger(bus, DLR, queueHandler(DLR));
      expect(last.completed).toBe(0);
      expect(last.abandoned).toBe(MAX_ATTEMPTS);
      expect(hits).toHaveLength(MAX_ATTEMPTS);
      expect(bus.counts(DLR)).toMatchObject({ scheduled: 0, active: 0, deadLettered: 1 });

      const listed = await admin('GET', `/operator/queues/${DLR}/dead-letters`);
      expect(listed.status).toBe(200);
      expect(listed.body.items).toHaveLength(1);
      const [entry] = listed.body.items;
      expect(entry).toMatchObject({
        queue: DLR,
        attempts: MAX_ATTEMPTS,
        task: { type: 'simulator.dlr.v1', carrierMessageId: `sim-${sent.body.id}` },
      });
      expect(entry.reason).toMatch(/MaxDeliveryCount/);

      runtime.setPublicBaseUrl(web.url);
      expect((await admin('POST', `/operator/queues/${DLR}/dead-letters/${entry.id}/requeue`)).status).toBe(202);
      expect((await admin('POST', `/operator/queues/${DLR}/dead-letters/${entry.id}/requeue`)).status).toBe(404);
      expect((await admin('GET', `/operator/queues/${DLR}/dead-letters`)).body.items).toEqual([]);
      await drain();
      expect((await api('GET', `/messages/${sent.body.id}`)).body.status).toBe('delivered');
    } finally {
      runtime.setPublicBaseUrl(web.url);
      await new Promise<void>((resolve) => down.close(() => resolve()));
    }
  });

  test('a message that is not a task is refused by the trigger and ends in the dead-letter queue', async () => {
    await bus
      .createSender(SMS)
      .scheduleMessages({ body: { type: 'sms.send.v0', hello: 'world' }, messageId: 'bogus-1' }, new Date(clock.now()));
    const run = await runTrigger(bus, SMS, queueHandler(SMS));
    expect(run.abandoned).toBe(MAX_ATTEMPTS);
    expect(run.errors[0]).toMatch(/unknown task type/);
    expect(bus.counts(SMS).deadLettered).toBe(1);
    // Not a task, so nothing an operator could re-queue: the admin list leaves it out.
    expect((await admin('GET', `/operator/queues/${SMS}/dead-letters`)).body.items).toEqual([]);
    const error = logger.entries.find((e) => e.level === 'error' && /not a task/.test(e.msg));
    expect(error?.fields).toMatchObject({ queue: SMS, serviceBusMessageId: 'bogus-1' });
  });

  test('the trigger rejects a task that belongs to another queue', async () => {
    const context = new InvocationContext({ triggerMetadata: { deliveryCount: 1 } });
    await expect(
      queueHandler(SMS)({ type: 'simulator.dlr.v1', carrierMessageId: 'x', outcome: 'DELIVRD' }, context),
    ).rejects.toBeInstanceOf(RedeliverError);
  });

  test('the reconciler timer re-enqueues a queued message a crash left without its task', async () => {
    const sent = await api('POST', '/messages', { to: '+14155550124', text: 'Lost task' });
    // As if the process died after storing the message and before the task was sent: drop the task.
    const receiver = bus.createReceiver(SMS);
    const [lost] = await receiver.receiveMessages(1);
    await receiver.completeMessage(lost!);
    clock.advance(11 * 60_000); // past STALE_AFTER_MS and the broker's duplicate-detection window
    const job = periodicJobs.find((j) => j.name === 'reconcile-stale-messages')!;
    await createTimerHandler(job, provider)(
      { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } },
      new InvocationContext(),
    );
    expect(logger.entries.some((e) => e.msg === 'periodic job ran' && e.fields?.count === 1)).toBe(true);
    await drain();
    expect((await api('GET', `/messages/${sent.body.id}`)).body.status).not.toBe('queued');
  });

  test('a bulk campaign runs through the HTTP, campaign-batch queue and timer handlers, and completes', async () => {
    const CAMPAIGN = QUEUE_OF['campaign.batch.v1'];
    const group = await api('POST', '/groups', { name: 'Azure customers' });
    expect(group.status).toBe(201);
    for (const [phone, firstName] of [
      ['+14155550171', 'Ann'],
      ['+14155550172', 'Bob'],
      ['+14155550173', null],
    ]) {
      expect((await api('POST', '/contacts', { phone, firstName, groupIds: [group.body.id] })).status).toBe(201);
    }
    const created = await api('POST', '/campaigns', {
      name: 'Azure campaign',
      kind: 'bulk',
      text: 'Hi {{firstName|friend}}',
      groupIds: [group.body.id],
    });
    expect((await api('POST', `/campaigns/${created.body.id}/start`)).body.status).toBe('sending');
    expect(bus.counts(CAMPAIGN).active).toBe(1);

    cosmos.take();
    expect(await runTrigger(bus, CAMPAIGN, queueHandler(CAMPAIGN))).toMatchObject({ completed: 1, abandoned: 0 });
    const batchOps = cosmos.take();
    if (process.env.DEBUG_COSMOS_OPS)
      console.info(batchOps.map((o) => `${o.kind} ${o.batch ? 'batch ' : ''}${o.path} ${o.bytes}`).join('\n'));
    const batch = summarise(batchOps);
    // eslint-disable-next-line no-console
    console.info(`Cosmos DB operations, one campaign batch of 3 recipients: ${JSON.stringify(batch)}`);
    // The batch's messages are accepted together (messages.acceptMany): one account read, one marker
    // query and one transactional batch with a single account replace. So a recipient costs its
    // opt-out read and two creates (message, idempotency marker), about 11 RU; the batch adds about
    // 27: the campaign, account and sender reads, the contact page and marker queries, the account
    // replace, and the campaign's re-read and write. (Accepted one at a time, as before acceptMany,
    // these 3 cost 71 RU; in parallel they collided on the balance document's etag: 122 RU.)
    expect(batch.estimatedRu).toBeLessThanOrEqual(3 * 11 + 30);
    expect(batchOps.filter((o) => o.batch && o.kind === 'replace' && o.docType === 'account')).toHaveLength(1);
    expect(bus.counts(SMS).active).toBe(3);
    await drain();
    clock.advance(500);
    await drain();
    const sent = (await api('GET', `/campaigns/${created.body.id}`)).body;
    expect(sent).toMatchObject({ status: 'sent', progress: { recipients: 3, accepted: 3, skipped: 0 }, results: { delivered: 3 } });

    const job = periodicJobs.find((j) => j.name === 'advance-campaigns')!;
    await createTimerHandler(job, provider)(
      { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } },
      new InvocationContext(),
    );
    const done = (await api('GET', `/campaigns/${created.body.id}`)).body;
    expect(done).toMatchObject({ status: 'completed', results: { sent: 0, delivered: 3, undelivered: 0, failed: 0, cancelled: 0 } });
    const texts = (await api('GET', `/messages?campaignId=${created.body.id}`)).body.items.map((m: { text: string }) => m.text).sort();
    expect(texts).toEqual(['Hi Ann', 'Hi Bob', 'Hi friend']);
  });

  test('the outbox change-feed trigger relays the events among the changed documents into webhook delivery tasks, once', async () => {
    const WEBHOOK = QUEUE_OF['webhook.deliver.v1'];
    const tenants = cosmos.client.database(runtime.config.cosmos.database).container('tenants');
    /** What the trigger receives: every document changed since its checkpoint, events or not. */
    const changedDocuments = async () => (await tenants.items.query<Record<string, unknown>>('SELECT * FROM c').fetchAll()).resources;
    const undispatched = async () => (await changedDocuments()).filter((d) => d.docType === 'event' && d.dispatched === false);
    const timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
    await createTimerHandler(periodicJobs.find((j) => j.name === RELAY_JOB)!, provider)(timer, new InvocationContext()); // earlier tests' events

    const sent = await api('POST', '/messages', {
      to: '+14155550125',
      text: 'Tell my callback',
      callback: { url: 'https://hooks.example.invalid/cb' },
    });
    expect(sent.status).toBe(202);
    await runTrigger(bus, SMS, queueHandler(SMS)); // queued → sent: a status event in the outbox
    const pending = await undispatched();
    expect(pending.length).toBeGreaterThan(0);
    const before = bus.counts(WEBHOOK).active;

    const handler = createOutboxChangeFeedHandler(provider);
    const documents = await changedDocuments(); // accounts, messages, markers ... and the events
    expect(documents.some((d) => d.docType !== 'event')).toBe(true);
    await handler(documents, new InvocationContext({ functionName: 'changefeed-outbox' }));
    const receiver = bus.createReceiver(WEBHOOK);
    const tasks = (await receiver.peekMessages(100)).map((m) => m.body as { eventId: string; target: { kind: string; url: string } });
    expect(bus.counts(WEBHOOK).active).toBeGreaterThan(before);
    expect(tasks.filter((t) => pending.some((e) => e.id === t.eventId)).map((t) => t.target)).toContainEqual(
      expect.objectContaining({ kind: 'message_callback', url: 'https://hooks.example.invalid/cb' }),
    );
    expect(await undispatched()).toEqual([]); // marked dispatched: the safety-net timer has nothing left

    // The feed delivers the same documents again (a replay after a restart, or the dispatched
    // copies of the events): no new task.
    const after = bus.counts(WEBHOOK).active;
    await handler(documents, new InvocationContext());
    await handler(await changedDocuments(), new InvocationContext());
    expect(bus.counts(WEBHOOK).active).toBe(after);
  });

  test('an event the change feed missed is relayed by the safety-net timer', async () => {
    const WEBHOOK = QUEUE_OF['webhook.deliver.v1'];
    await api('POST', '/messages', {
      to: '+14155550126',
      text: 'Missed by the feed',
      callback: { url: 'https://hooks.example.invalid/missed' },
    });
    await runTrigger(bus, SMS, queueHandler(SMS));
    const before = bus.counts(WEBHOOK).active;
    const job = periodicJobs.find((j) => j.name === RELAY_JOB)!;
    await createTimerHandler(job, provider)(
      { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } },
      new InvocationContext(),
    );
    expect(bus.counts(WEBHOOK).active).toBeGreaterThan(before);
  });

  test('an operator issues a new key on Cosmos DB: the old key stops working at once, the new one works', async () => {
    const other = await admin('POST', '/operator/accounts', { name: 'Lost key' });
    const me = (key: string) => api('GET', '/me', undefined, { 'x-api-key': key });
    expect((await me(other.body.apiKey)).status).toBe(200);
    const issued = await admin('POST', `/operator/accounts/${other.body.account.id}/keys`);
    expect(issued).toMatchObject({ status: 201, body: { accountId: other.body.account.id } });
    expect((await me(other.body.apiKey)).status).toBe(401);
    expect((await me(issued.body.apiKey)).body.id).toBe(other.body.account.id);
  });

  test('nothing logged carries the admin key, the simulator secret or an API key', () => {
    const text = JSON.stringify(logger.entries);
    for (const secret of [ADMIN_KEY, 'simulator-secret-for-tests', devKey]) expect(text).not.toContain(secret);
  });
});
