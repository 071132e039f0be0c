import { ADMIN_KEY, apiClient, DEV_KEY, startTestHost, type TestHost } from '../fixtures/testHost';

describe('operator routes', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startTestHost();
  });
  afterAll(() => t.close());

  describe('under /api/operator, with the old /api/admin paths as deprecated aliases on the embedded host', () => {
    test('the new path answers, without deprecation', async () => {
      const res = await t.admin.post(`/operator/accounts/${t.host.seed.accountId}/credits`, { amount: '1.00' });
      expect(res.status).toBe(200);
      expect(res.headers.get('deprecation')).toBeNull();
    });

    test('an old path answers the same, marked deprecated with a link to its successor', async () => {
      const res = await t.admin.post(`/admin/accounts/${t.host.seed.accountId}/credits`, { amount: '1.00' });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(t.host.seed.accountId);
      expect(res.headers.get('deprecation')).toMatch(/^@\d+$/);
      expect(res.headers.get('link')).toBe(`</api/operator/accounts/${t.host.seed.accountId}/credits>; rel="successor-version"`);
      const listed = await t.admin.get('/admin/queues/sms-send/dead-letters?limit=5');
      expect(listed).toMatchObject({ status: 200, body: { items: [] } });
      expect(listed.headers.get('link')).toBe('</api/operator/queues/sms-send/dead-letters>; rel="successor-version"');
      // The alias keeps the operator key check.
      expect((await t.api.get('/admin/queues/sms-send/dead-letters')).status).toBe(401);
    });
  });

  describe('POST /operator/accounts/{id}/keys', () => {
    test('issues a new key shown once and revokes the previous one', async () => {
      const other = await t.newAccount({ name: 'Lost key' });
      expect((await other.api.get('/me')).status).toBe(200);
      const res = await t.admin.post(`/operator/accounts/${other.id}/keys`);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        accountId: other.id,
        apiKey: expect.stringMatching(/^dfs_[A-Za-z0-9_-]{32}$/),
        keyId: expect.stringMatching(/^key_/),
      });
      expect((await other.api.get('/me')).status).toBe(401);
      const renewed = await apiClient(t.url, { 'x-api-key': res.body.apiKey }).get('/me');
      expect(renewed).toMatchObject({ status: 200, body: { id: other.id, name: 'Lost key' } });
      // Other accounts keep their keys.
      expect((await t.api.get('/me')).status).toBe(200);
    });

    test('needs the operator key, and an unknown account is a 404', async () => {
      expect((await t.api.post(`/operator/accounts/${t.host.seed.accountId}/keys`)).status).toBe(401);
      expect(
        (
          await apiClient(t.url, { 'x-api-key': DEV_KEY, 'x-admin-key': `${ADMIN_KEY}x` }).post(
            `/operator/accounts/${t.host.seed.accountId}/keys`,
          )
        ).status,
      ).toBe(401);
      expect((await t.admin.post('/operator/accounts/acc_nobody/keys')).status).toBe(404);
      expect((await t.api.get('/me')).status).toBe(200);
    });
  });
});
