import { startTestHost, type TestHost } from '../fixtures/testHost';
import { startReceiver, verifyWebhook, type ReceivedWebhook, type Receiver } from '../fixtures/webhookReceiver';

/**
 * Secret rotation (issue 12, webhook secrets): after POST /hooks/{id}/rotate-secret or
 * POST /account/callback-secret/rotate, real deliveries to a local receiver verify with the old
 * secret and with the new one through the standardwebhooks package during the overlap, and only
 * with the new one after it (fake clock).
 */
describe('signing secret rotation', () => {
  let t: TestHost;
  let r: Receiver;
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_DLR_DELAY_MS: '500' });
    r = await startReceiver();
  });
  afterEach(async () => {
    await r.close();
    await t.close();
  });

  const HOUR = 3_600_000;
  const verifies = (secret: string, w: ReceivedWebhook): boolean => {
    try {
      verifyWebhook(secret, w, t.clock.now());
      return true;
    } catch {
      return false;
    }
  };
  const signatureCount = (w: ReceivedWebhook) => w.headers['webhook-signature']!.split(' ').length;

  let contacts = 0;
  async function addContact(): Promise<void> {
    const res = await t.api.post('/contacts', { phone: `+1415555${2000 + contacts++}` });
    expect(res.status).toBe(201);
    await t.host.drain();
  }

  describe('subscription secret', () => {
    async function subscribe(): Promise<{ id: string; secret: string }> {
      const res = await t.api.post('/hooks/contact-added', { callbackUrl: r.url() });
      expect(res.status).toBe(201);
      return { id: res.body.id, secret: res.body.secret };
    }

    test('rotation answers a new whsec_ secret and until when the old one still signs (default 24 h)', async () => {
      const sub = await subscribe();
      const res = await t.api.post(`/hooks/${sub.id}/rotate-secret`);
      expect(res.status).toBe(200);
      expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(res.body.secret).not.toBe(sub.secret);
      expect(res.body.previousSecretExpiresAt).toBe(new Date(t.clock.now() + 24 * HOUR).toISOString());
      // The secret is shown once: the subscription's views do not carry it.
      expect((await t.api.get(`/hooks/${sub.id}`)).body.secret).toBeUndefined();
    });

    test('during the overlap a delivery verifies with the old and the new secret; after it, with the new one only', async () => {
      const sub = await subscribe();
      const rotated = await t.api.post(`/hooks/${sub.id}/rotate-secret`, { overlapHours: 2 });
      expect(rotated.status).toBe(200);
      expect(rotated.body.previousSecretExpiresAt).toBe(new Date(t.clock.now() + 2 * HOUR).toISOString());

      await addContact();
      expect(r.received).toHaveLength(1);
      expect(signatureCount(r.received[0]!)).toBe(2);
      expect(verifies(sub.secret, r.received[0]!)).toBe(true);
      expect(verifies(rotated.body.secret, r.received[0]!)).toBe(true);

      // One millisecond before the end the old one still signs ...
      r.clear();
      await t.advance(2 * HOUR - 1);
      await addContact();
      expect(verifies(sub.secret, r.received[0]!)).toBe(true);

      // ... and from the end on, only the new one.
      r.clear();
      await t.advance(1);
      await addContact();
      expect(r.received).toHaveLength(1);
      expect(signatureCount(r.received[0]!)).toBe(1);
      expect(verifies(rotated.body.secret, r.received[0]!)).toBe(true);
      expect(verifies(sub.secret, r.received[0]!)).toBe(false);
    });

    test('overlapHours 0 stops the old secret at once; a second rotation keeps only the secret it replaced', async () => {
      const sub = await subscribe();
      const now = await t.api.post(`/hooks/${sub.id}/rotate-secret`, { overlapHours: 0 });
      expect(now.body.previousSecretExpiresAt).toBeNull();
      await addContact();
      expect(verifies(now.body.secret, r.received[0]!)).toBe(true);
      expect(verifies(sub.secret, r.received[0]!)).toBe(false);

      const again = await t.api.post(`/hooks/${sub.id}/rotate-secret`, {});
      r.clear();
      await addContact();
      expect(verifies(again.body.secret, r.received[0]!)).toBe(true);
      expect(verifies(now.body.secret, r.received[0]!)).toBe(true);
    });

    test("another account's subscription is a 404, and its secret is left as it was", async () => {
      const sub = await subscribe();
      const other = await t.newAccount();
      const res = await other.api.post(`/hooks/${sub.id}/rotate-secret`);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
      await addContact();
      expect(signatureCount(r.received[0]!)).toBe(1);
      expect(verifies(sub.secret, r.received[0]!)).toBe(true);
      // The owner can rotate it.
      expect((await t.api.post(`/hooks/${sub.id}/rotate-secret`)).status).toBe(200);
    });

    test('a deleted or unknown subscription is a 404', async () => {
      const sub = await subscribe();
      expect((await t.api.post(`/hooks/${sub.id}/rotate-secret`)).status).toBe(200);
      expect((await t.api.delete(`/hooks/${sub.id}`)).status).toBe(204);
      expect((await t.api.post(`/hooks/${sub.id}/rotate-secret`)).status).toBe(404);
      expect((await t.api.post('/hooks/sub_nope/rotate-secret')).status).toBe(404);
    });

    test.each([
      ['negative', { overlapHours: -1 }, '/overlapHours'],
      ['longer than 7 days', { overlapHours: 169 }, '/overlapHours'],
      ['not an integer', { overlapHours: 1.5 }, '/overlapHours'],
      ['a string', { overlapHours: '24' }, '/overlapHours'],
      ['an unknown field', { overlap: 24 }, '/overlap'],
    ])('overlap %s: 400 naming the field, and the secret is unchanged', async (_name, body, path) => {
      const sub = await subscribe();
      const res = await t.api.post(`/hooks/${sub.id}/rotate-secret`, body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
      await addContact();
      expect(signatureCount(r.received[0]!)).toBe(1);
      expect(verifies(sub.secret, r.received[0]!)).toBe(true);
    });
  });

  describe('account callback secret', () => {
    async function sendWithCallback(): Promise<void> {
      const m = await t.api.post('/messages', { to: '+14155550123', text: 'Hi', callback: { url: r.url('/cb') } });
      expect(m.status).toBe(202);
      await t.host.drain();
      await t.advance(500);
    }

    test('rotation answers the new secret, which GET /account/callback-secret then returns', async () => {
      const old = (await t.api.get('/account/callback-secret')).body.secret;
      const res = await t.api.post('/account/callback-secret/rotate', { overlapHours: 48 });
      expect(res.status).toBe(200);
      expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(res.body.secret).not.toBe(old);
      expect(res.body.previousSecretExpiresAt).toBe(new Date(t.clock.now() + 48 * HOUR).toISOString());
      expect((await t.api.get('/account/callback-secret')).body.secret).toBe(res.body.secret);
    });

    test('per-message callbacks verify with either secret during the overlap, with the new one only after it', async () => {
      const old = (await t.api.get('/account/callback-secret')).body.secret as string;
      const rotated = await t.api.post('/account/callback-secret/rotate');
      expect(rotated.status).toBe(200);
      expect(rotated.body.previousSecretExpiresAt).toBe(new Date(t.clock.now() + 24 * HOUR).toISOString());

      await sendWithCallback();
      expect(r.received.map((w) => w.body.event)).toEqual(['sent', 'delivered']);
      for (const w of r.received) {
        expect(signatureCount(w)).toBe(2);
        expect(verifies(old, w)).toBe(true);
        expect(verifies(rotated.body.secret, w)).toBe(true);
      }

      r.clear();
      await t.advance(24 * HOUR);
      await sendWithCallback();
      expect(r.received).toHaveLength(2);
      for (const w of r.received) {
        expect(signatureCount(w)).toBe(1);
        expect(verifies(rotated.body.secret, w)).toBe(true);
        expect(verifies(old, w)).toBe(false);
      }
    });

    test("rotating one account leaves the other account's callback secret alone", async () => {
      const other = await t.newAccount();
      const before = (await other.api.get('/account/callback-secret')).body.secret;
      const mine = await t.api.post('/account/callback-secret/rotate', { overlapHours: 0 });
      expect(mine.status).toBe(200);
      expect((await other.api.get('/account/callback-secret')).body.secret).toBe(before);
      expect((await t.api.get('/account/callback-secret')).body.secret).toBe(mine.body.secret);
    });

    test.each([
      [{ overlapHours: -1 }, '/overlapHours'],
      [{ overlapHours: 10_000 }, '/overlapHours'],
      [{ overlapHours: null }, '/overlapHours'],
    ])('bad body %j: 400 naming %s, and the secret is unchanged', async (body, path) => {
      const before = (await t.api.get('/account/callback-secret')).body.secret;
      const res = await t.api.post('/account/callback-secret/rotate', body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
      expect((await t.api.get('/account/callback-secret')).body.secret).toBe(before);
    });
  });
});
