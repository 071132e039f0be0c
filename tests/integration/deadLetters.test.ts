/**
 * The operator routes over dead-lettered tasks, on the embedded host (SQLite queue). The simulator's
 * delivery reports are sent to a local receiver that answers 503, so the report task exhausts its
 * attempts; once the receiver is fixed, re-queueing it delivers the message.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestHost, type TestHost } from '../fixtures/testHost';

const MAX_ATTEMPTS = 2;

describe('dead-letter admin routes (embedded host)', () => {
  let t: TestHost;
  let down: http.Server;
  let hits = 0;

  beforeAll(async () => {
    down = http.createServer((_req, res) => {
      hits += 1;
      res.writeHead(503).end();
    });
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', () => resolve()));
    t = await startTestHost({ QUEUE_MAX_ATTEMPTS: String(MAX_ATTEMPTS) });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => down.close(() => resolve()));
  });

  test('lists a task that exhausted its attempts and re-queues it as a fresh task', async () => {
    t.host.runtime.setPublicBaseUrl(`http://127.0.0.1:${(down.address() as AddressInfo).port}`);
    const sent = await t.api.post('/messages', { to: '+14155550123', text: 'Reports fail for now' });
    expect(sent.status).toBe(202);
    await t.advance(0); // submitted: a report is due in 500 ms
    await t.advance(500); // attempt 1 fails
    await t.advance(60_000); // attempt 2 fails: dead-lettered
    expect(hits).toBe(MAX_ATTEMPTS);

    const listed = await t.admin.get('/operator/queues/simulator-dlr/dead-letters');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    const [entry] = listed.body.items;
    expect(entry).toMatchObject({
      queue: 'simulator-dlr',
      attempts: MAX_ATTEMPTS,
      task: { type: 'simulator.dlr.v1', carrierMessageId: `sim-${sent.body.id}`, outcome: 'DELIVRD' },
    });
    expect(typeof entry.reason).toBe('string');
    expect(Number.isNaN(Date.parse(entry.deadLetteredAt))).toBe(false);
    expect((await t.api.get(`/messages/${sent.body.id}`)).body.status).toBe('sent');

    t.host.runtime.setPublicBaseUrl(t.url);
    const requeued = await t.admin.post(`/operator/queues/simulator-dlr/dead-letters/${entry.id}/requeue`);
    expect(requeued.status).toBe(202);
    expect(requeued.body).toEqual({ queue: 'simulator-dlr', id: entry.id, requeued: true });
    expect((await t.admin.get('/operator/queues/simulator-dlr/dead-letters')).body.items).toEqual([]);
    await t.advance(0);
    expect((await t.api.get(`/messages/${sent.body.id}`)).body.status).toBe('delivered');
  });

  test('unknown queue or entry is 404; limit is validated; the routes need the admin key', async () => {
    expect((await t.admin.get('/operator/queues/no-such-queue/dead-letters')).status).toBe(404);
    expect((await t.admin.post('/operator/queues/sms-send/dead-letters/999999/requeue')).status).toBe(404);
    const bad = await t.admin.get('/operator/queues/sms-send/dead-letters?limit=0');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain('limit');
    expect((await t.api.get('/operator/queues/sms-send/dead-letters')).status).toBe(401);
    expect((await t.admin.get('/operator/queues/sms-send/dead-letters?limit=5')).body).toEqual({ items: [] });
  });
});
