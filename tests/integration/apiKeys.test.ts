import { hashApiKey } from '../../shared/app/apiKeys';
import { KEY_CACHE_TTL_MS, LAST_USED_INTERVAL_MS } from '../../shared/app/apiKeyAuth';
import { SCOPES } from '../../shared/domain/scopes';
import { seedDevAccount } from '../../shared/config/runtime';
import { ADMIN_KEY, apiClient, startTestHost, type Api, type TestHost } from '../fixtures/testHost';

describe('API keys', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startTestHost();
  });
  afterAll(async () => {
    await t.close();
  });
  const store = () => t.host.runtime.deps.store;
  const keyApi = (secret: string): Api => apiClient(t.url, { 'x-api-key': secret });

  async function newKey(api: Api, body: Record<string, unknown>) {
    const res = await api.post('/keys', body);
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string; prefix: string; scopes: string[] };
  }

  it('creates a key shown once, lists it by prefix only, and the key works within its scopes', async () => {
    const created = await newKey(t.api, { name: 'Reports', scopes: ['messages:read', 'account:read'] });
    expect(created).toMatchObject({
      name: 'Reports',
      scopes: ['messages:read', 'account:read'],
      lastUsedAt: null,
      expiresAt: null,
      key: expect.stringMatching(/^dfs_/),
    });
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect(created.prefix.length).toBeLessThan(created.key.length / 2);

    const list = await t.api.get('/keys');
    expect(list.status).toBe(200);
    const listed = list.body.items.find((k: { id: string }) => k.id === created.id);
    expect(listed).toEqual({
      id: created.id,
      name: 'Reports',
      prefix: created.prefix,
      scopes: ['messages:read', 'account:read'],
      createdAt: expect.any(String),
      lastUsedAt: null,
      expiresAt: null,
    });
    expect(JSON.stringify(list.body)).not.toContain(created.key);

    const reports = keyApi(created.key);
    expect((await reports.get('/messages')).status).toBe(200);
    expect((await reports.get('/me')).body.scopes).toEqual(['messages:read', 'account:read']);
    const denied = await reports.post('/messages', { to: '+14155550100', text: 'hi' });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({
      code: 'insufficient_scope',
      requiredScope: 'messages:send',
      detail: expect.stringContaining('messages:send'),
    });
  });

  it('a key cannot hand out a scope it does not hold (403 naming /scopes)', async () => {
    const limited = await newKey(t.api, { name: 'Key admin', scopes: ['keys:manage', 'messages:read'] });
    const res = await keyApi(limited.key).post('/keys', { name: 'Escalate', scopes: ['messages:read', 'messages:send'] });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      code: 'scope_not_held',
      errors: [{ path: '/scopes', message: expect.stringContaining('messages:send') }],
    });
    expect((await keyApi(limited.key).post('/keys', { name: 'Narrower', scopes: ['messages:read'] })).status).toBe(201);
  });

  it('refuses bad key input naming the field', async () => {
    expect((await t.api.post('/keys', { name: 'x', scopes: ['messages:fly'] })).body.errors[0].path).toMatch(/scopes/);
    expect((await t.api.post('/keys', { scopes: ['messages:read'] })).status).toBe(400);
    const past = await t.api.post('/keys', { name: 'old', scopes: ['messages:read'], expiresAt: '2020-01-01T00:00:00Z' });
    expect(past).toMatchObject({ status: 422, body: { errors: [{ path: '/expiresAt' }] } });
    expect((await t.api.post('/keys/key_x/rotate', { graceSeconds: 8 * 24 * 3600 })).body.errors[0].path).toMatch(/graceSeconds/);
  });

  it('an expired key is 401 saying it expired', async () => {
    const expiresAt = new Date(t.clock.now() + 60_000).toISOString();
    const k = await newKey(t.api, { name: 'Short', scopes: ['account:read'], expiresAt });
    expect((await keyApi(k.key).get('/me')).status).toBe(200);
    t.clock.advance(60_000);
    const res = await keyApi(k.key).get('/me');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'api_key_expired', detail: expect.stringMatching(/expired/) });
  });

  it('rotation: the new secret works, the old one for the grace period only (default 24 h, or as asked)', async () => {
    const k = await newKey(t.api, { name: 'Rotating', scopes: ['account:read'] });
    const rotated = await t.api.post(`/keys/${k.id}/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({
      id: k.id,
      key: expect.stringMatching(/^dfs_/),
      previousKeyValidUntil: new Date(t.clock.now() + 24 * 3600_000).toISOString(),
    });
    expect(rotated.body.key).not.toBe(k.key);
    expect((await keyApi(k.key).get('/me')).status).toBe(200);
    expect((await keyApi(rotated.body.key).get('/me')).status).toBe(200);
    t.clock.advance(24 * 3600_000 - 1);
    expect((await keyApi(k.key).get('/me')).status).toBe(200);
    t.clock.advance(1);
    expect((await keyApi(k.key).get('/me')).status).toBe(401);
    expect((await keyApi(rotated.body.key).get('/me')).status).toBe(200);

    const quick = await t.api.post(`/keys/${k.id}/rotate`, { graceSeconds: 0 });
    expect((await keyApi(rotated.body.key).get('/me')).status).toBe(401);
    expect((await keyApi(quick.body.key).get('/me')).status).toBe(200);
  });

  it('revocation is immediate on this instance: the next request is 401', async () => {
    const k = await newKey(t.api, { name: 'Doomed', scopes: ['account:read'] });
    expect((await keyApi(k.key).get('/me')).status).toBe(200);
    expect((await t.api.delete(`/keys/${k.id}`)).status).toBe(204);
    expect(await keyApi(k.key).get('/me')).toMatchObject({ status: 401, body: { code: 'api_key_revoked' } });
    expect((await t.api.get('/keys')).body.items.map((x: { id: string }) => x.id)).not.toContain(k.id);
    expect((await t.api.delete(`/keys/${k.id}`)).status).toBe(404);
  });

  it('a key revoked elsewhere (another instance) lives here at most KEY_CACHE_TTL_MS', async () => {
    const k = await newKey(t.api, { name: 'Elsewhere', scopes: ['account:read'] });
    expect((await keyApi(k.key).get('/me')).status).toBe(200);
    // Another instance revokes it: the store changes, this process's cache is not told.
    const rec = (await store().apiKeys.get((await t.api.get('/me')).body.id, k.id))!;
    await store().apiKeys.update({ ...rec, revokedAt: new Date(t.clock.now()).toISOString() });
    t.clock.advance(KEY_CACHE_TTL_MS - 1);
    expect((await keyApi(k.key).get('/me')).status).toBe(200);
    t.clock.advance(1);
    expect((await keyApi(k.key).get('/me')).status).toBe(401);
  });

  it('lastUsedAt is written at most once a minute per key', async () => {
    const k = await newKey(t.api, { name: 'Busy', scopes: ['account:read', 'keys:manage'] });
    const api = keyApi(k.key);
    const first = t.clock.now();
    await api.get('/me');
    const lastUsed = async () => (await t.api.get('/keys')).body.items.find((x: { id: string }) => x.id === k.id).lastUsedAt;
    expect(await lastUsed()).toBe(new Date(first).toISOString());
    t.clock.advance(LAST_USED_INTERVAL_MS - 1);
    await api.get('/me');
    expect(await lastUsed()).toBe(new Date(first).toISOString());
    t.clock.advance(1);
    await api.get('/me');
    expect(await lastUsed()).toBe(new Date(t.clock.now()).toISOString());
  });

  it('a key stored on an account before key records keeps working with the scopes covering what it could do', async () => {
    const legacyKey = 'dfs_legacy_key_from_before_records';
    const me = (await t.api.get('/me')).body;
    const account = (await store().accounts.get(me.id))!;
    const legacy = await store().accounts.create({
      ...account,
      id: 'acc_legacy1',
      etag: undefined,
      apiKeyHash: hashApiKey(legacyKey),
      scopes: ['messages:send', 'messages:read', 'account:manage'],
    });
    const api = keyApi(legacyKey);
    expect((await api.get('/me')).body).toMatchObject({
      id: legacy.id,
      scopes: [
        'messages:send',
        'messages:read',
        'contacts:read',
        'contacts:write',
        'campaigns:read',
        'campaigns:write',
        'keywords:read',
        'keywords:write',
        'account:read',
        'account:write',
      ],
    });
    expect((await api.get('/contacts')).status).toBe(200);
    expect((await api.get('/hooks')).status).toBe(403);
    // Created once: the second request finds the record, and the record is revocable like any key.
    const records = await store().apiKeys.list(legacy.id);
    expect(records).toHaveLength(1);
    const full = await store().accounts.create({
      ...account,
      id: 'acc_legacy2',
      etag: undefined,
      apiKeyHash: hashApiKey(`${legacyKey}2`),
      scopes: ['messages:send', 'messages:read', 'sender-ids:manage', 'account:manage', 'webhooks:manage'],
    });
    const fullApi = keyApi(`${legacyKey}2`);
    expect((await fullApi.get('/keys')).body.items).toEqual([expect.objectContaining({ id: `key_${full.id}`, scopes: [...SCOPES] })]);
    expect((await fullApi.delete(`/keys/key_${full.id}`)).status).toBe(204);
    expect((await fullApi.get('/me')).status).toBe(401);
  });

  it('a key rotated away stays dead: the hash left on the account record never opens a key again', async () => {
    const other = await t.newAccount({ name: 'Rotates twice' });
    const [first] = (await other.api.get('/keys')).body.items;
    const once = await other.api.post(`/keys/${first.id}/rotate`, { graceSeconds: 60 });
    const twice = await keyApi(once.body.key).post(`/keys/${first.id}/rotate`, { graceSeconds: 60 });
    expect(twice.status).toBe(200);
    t.clock.advance(KEY_CACHE_TTL_MS);
    // The account's original key: past both rotations, not even its grace period holds it now.
    expect(await other.api.get('/me')).toMatchObject({ status: 401, body: { code: 'invalid_api_key' } });
    expect((await keyApi(twice.body.key).get('/keys')).body.items.map((k: { id: string }) => k.id)).toEqual([first.id]);
    expect((await other.api.get('/me')).status).toBe(401);
  });

  it('the operator re-issue revokes every other key of the account, the legacy one included', async () => {
    const other = await t.newAccount({ name: 'Reissue' });
    const extra = await newKey(other.api, { name: 'Second', scopes: ['account:read'] });
    const res = await t.admin.post(`/operator/accounts/${other.id}/keys`);
    expect(res.status).toBe(201);
    expect((await other.api.get('/me')).status).toBe(401);
    expect((await keyApi(extra.key).get('/me')).status).toBe(401);
    const renewed = keyApi(res.body.apiKey);
    expect((await renewed.get('/me')).body.scopes).toEqual([...SCOPES]);
    expect((await renewed.get('/keys')).body.items.map((k: { id: string }) => k.id)).toEqual([res.body.keyId]);
  });

  it("another account's key is 404 on every key route", async () => {
    const other = await t.newAccount({ name: 'Tenant B' });
    const theirs = await newKey(other.api, { name: 'Theirs', scopes: ['account:read'] });
    expect((await t.api.post(`/keys/${theirs.id}/rotate`)).status).toBe(404);
    expect((await t.api.delete(`/keys/${theirs.id}`)).status).toBe(404);
    expect((await t.api.get('/keys')).body.items.map((k: { id: string }) => k.id)).not.toContain(theirs.id);
    expect((await keyApi(theirs.key).get('/me')).status).toBe(200);
  });

  it('operators: named keys are created, listed, used in X-Admin-Key and revoked; ADMIN_API_KEY stays the bootstrap key', async () => {
    const created = await t.admin.post('/operator/keys', { name: 'On-call' });
    expect(created).toMatchObject({ status: 201, body: { name: 'On-call', key: expect.stringMatching(/^dfsop_/) } });
    const op = apiClient(t.url, { 'x-admin-key': created.body.key });
    expect((await op.get('/operator/keys')).body.items).toEqual([
      expect.objectContaining({ id: created.body.id, name: 'On-call', prefix: created.body.prefix }),
    ]);
    expect((await op.post('/operator/accounts', { name: 'By on-call' })).status).toBe(201);
    // An operator key is no account key, and an account key is no operator key.
    expect((await keyApi(created.body.key).get('/me')).status).toBe(401);
    expect(
      (
        await apiClient(t.url, { 'x-admin-key': (await newKey(t.api, { name: 'acct', scopes: ['account:read'] })).key }).get(
          '/operator/keys',
        )
      ).status,
    ).toBe(401);
    expect((await t.admin.delete(`/operator/keys/${created.body.id}`)).status).toBe(204);
    expect((await op.get('/operator/keys')).status).toBe(401);
    expect((await apiClient(t.url, { 'x-admin-key': ADMIN_KEY }).get('/operator/keys')).status).toBe(200);
    // An account cannot revoke an operator key through its own route.
    const again = await t.admin.post('/operator/keys', { name: 'Second' });
    expect((await t.api.delete(`/keys/${again.body.id}`)).status).toBe(404);
  });
});

describe('DEV_API_KEY after its key was revoked', () => {
  it('a restart gives the development account that key back, with every scope', async () => {
    const t = await startTestHost();
    try {
      const me = (await t.api.get('/me')).body;
      const [devKey] = (await t.api.get('/keys')).body.items;
      expect((await t.api.delete(`/keys/${devKey.id}`)).status).toBe(204);
      expect((await t.api.get('/me')).status).toBe(401);
      const seed = await seedDevAccount(t.host.runtime.deps, t.host.runtime.config);
      expect(seed).toMatchObject({ accountId: me.id, keyReplaced: true });
      expect((await t.api.get('/me')).body).toMatchObject({ id: me.id, scopes: [...SCOPES] });
    } finally {
      await t.close();
    }
  });
});
