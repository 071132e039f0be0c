import { Webhook } from 'standardwebhooks';
import { addressRefusal, createUrlPolicy, type Resolver } from '../../shared/adapters/runtime/urlPolicy';
import { createNodeHttpClient } from '../../shared/adapters/runtime/httpClient';
import { EVENT_TYPES } from '../../shared/domain/events';
import {
  applyAttempts,
  failingTooLong,
  healthyEndpoint,
  matchesFilters,
  MAX_DELIVERY_ATTEMPTS,
  nextRetryDelayMs,
  parseRetryAfter,
  RETRY_SCHEDULE_MS,
} from '../../shared/domain/webhooks';
import { RateLimiter } from '../../shared/http/rateLimit';
import type { JsonSchema } from '../../shared/schema/builders';
import { eventCatalog, eventDefinitionBySlug, eventPayloadSchema } from '../../shared/webhooks/catalog';
import { newSigningSecret } from '../../shared/app/signingSecret';
import { activeSigningSecrets, rotateSigningSecret } from '../../shared/domain/signingSecrets';
import { signatureHeaders } from '../../shared/webhooks/signing';
import { FakeClock } from '../fixtures/fakeClock';
import { startReceiver } from '../fixtures/webhookReceiver';

describe('event catalog', () => {
  test('17 triggers, one per event type, with unique slugs and operationIds', () => {
    expect(eventCatalog).toHaveLength(17);
    expect(eventCatalog.map((d) => d.type).sort()).toEqual(Object.values(EVENT_TYPES).sort());
    expect(new Set(eventCatalog.map((d) => d.slug)).size).toBe(17);
    expect(new Set(eventCatalog.map((d) => d.operationId)).size).toBe(17);
    for (const d of eventCatalog) {
      expect(d.slug).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(d.operationId).toMatch(/^On[A-Z][A-Za-z]+$/);
      expect(d.title).toMatch(/^When /);
      expect(d.description).toMatch(/^This operation triggers when /);
      expect(eventDefinitionBySlug(d.slug)).toBe(d);
    }
  });

  test('the catalog holds every event the product emits', () => {
    expect(eventCatalog.map((d) => d.type).sort()).toEqual(
      [
        'balance.low',
        'bounce_rate.high',
        'campaign.completed',
        'campaign.failed',
        'campaign.started',
        'contact.added',
        'contact.deleted',
        'contact.updated',
        'keyword.matched',
        'auto_reply.sent',
        'delivery_rate.low',
        'message.cancelled',
        'message.scheduled',
        'sender_id.approved',
        'sender_id.rejected',
        'sms.received',
        'sms.status_changed',
      ].sort(),
    );
  });

  // Every field Power Automate shows needs a title (x-ms-summary) and a description.
  const untitled = (s: JsonSchema, path: string): string[] => [
    ...(s.title && s.description ? [] : [path]),
    ...Object.entries(s.properties ?? {}).flatMap(([k, v]) => untitled(v, `${path}.${k}`)),
    ...(s.items && s.items.type === 'object' ? untitled(s.items, `${path}[]`) : []),
  ];
  test.each(eventCatalog.map((d) => [d.type, d] as const))('%s: every payload field has a title and a description', (_t, d) => {
    expect(untitled(eventPayloadSchema(d), d.type)).toEqual([]);
    for (const f of d.filters) expect([f.schema.title, f.schema.description].every(Boolean)).toBe(true);
  });

  const hasPath = (s: JsonSchema, path: string): boolean => {
    let cur: JsonSchema | undefined = s;
    for (const key of path.split('.')) {
      if (cur?.type === 'array') cur = cur.items;
      cur = cur?.properties?.[key];
    }
    return cur !== undefined;
  };
  test.each(eventCatalog.map((d) => [d.type, d] as const))('%s: every filter compares with a field of the payload', (_t, d) => {
    for (const f of d.filters) expect({ filter: f.name, found: hasPath(d.dataSchema, f.matches) }).toEqual({ filter: f.name, found: true });
  });

  test('the seed\'s "Data Available" fields are there', () => {
    const props = (type: string) => Object.keys(eventCatalog.find((d) => d.type === type)!.dataSchema.properties!);
    expect(props('sms.received')).toEqual(expect.arrayContaining(['from', 'text', 'timestamp', 'virtualNumber']));
    expect(props('sms.status_changed')).toEqual(expect.arrayContaining(['messageId', 'status', 'recipient', 'timestamp']));
    expect(props('balance.low')).toEqual(expect.arrayContaining(['balance', 'threshold', 'accountId', 'accountName']));
    expect(props('campaign.completed')).toEqual(expect.arrayContaining(['campaignId', 'totalSent', 'deliveryRate', 'completedAt']));
    expect(props('campaign.failed')).toEqual(expect.arrayContaining(['campaignId', 'error', 'affectedRecipients']));
    expect(props('campaign.started')).toEqual(expect.arrayContaining(['campaignId', 'name', 'scheduledFor', 'recipientCount']));
    expect(props('contact.added')).toEqual(expect.arrayContaining(['contact', 'groups', 'customFields']));
    expect(props('contact.updated')).toEqual(expect.arrayContaining(['contactId', 'changedFields', 'previousValues', 'newValues']));
    expect(props('contact.deleted')).toEqual(expect.arrayContaining(['contact', 'reason', 'timestamp']));
    expect(props('message.scheduled')).toEqual(expect.arrayContaining(['scheduledFor', 'recipient', 'text']));
    expect(props('message.cancelled')).toEqual(expect.arrayContaining(['messageId', 'reason', 'originalSchedule']));
    expect(props('keyword.matched')).toEqual(expect.arrayContaining(['keyword', 'from', 'text', 'matchType']));
    expect(props('auto_reply.sent')).toEqual(expect.arrayContaining(['originalMessage', 'reply', 'sender']));
    expect(props('delivery_rate.low')).toEqual(expect.arrayContaining(['currentRate', 'threshold', 'affectedCampaigns']));
    expect(props('bounce_rate.high')).toEqual(expect.arrayContaining(['bounceRate', 'affectedNumbers', 'bounceReasons']));
    expect(props('sender_id.approved')).toEqual(expect.arrayContaining(['value', 'decidedAt', 'restrictions']));
    expect(props('sender_id.rejected')).toEqual(expect.arrayContaining(['value', 'reason', 'resubmission']));
  });
});

describe('retry schedule', () => {
  test('immediate, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, within ±20 %', () => {
    expect(MAX_DELIVERY_ATTEMPTS).toBe(8);
    expect(RETRY_SCHEDULE_MS).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    for (let attempt = 1; attempt < 8; attempt++) {
      const base = RETRY_SCHEDULE_MS[attempt - 1]!;
      expect(nextRetryDelayMs(attempt, 0)).toBe(Math.round(base * 0.8));
      expect(nextRetryDelayMs(attempt, 0.5)).toBe(base);
      expect(nextRetryDelayMs(attempt, 0.999999)).toBeLessThanOrEqual(Math.round(base * 1.2));
    }
    expect(nextRetryDelayMs(8, 0.5)).toBeNull();
  });

  test('Retry-After delays a retry, never hastens it, and is capped at 10 h', () => {
    expect(nextRetryDelayMs(1, 0.5, 60_000)).toBe(60_000);
    expect(nextRetryDelayMs(2, 0.5, 1_000)).toBe(300_000);
    expect(nextRetryDelayMs(1, 0.5, 7 * 86_400_000)).toBe(36_000_000);
  });

  test('Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});

describe('endpoint health', () => {
  test('failures count up from the first, a success resets; 5 days of failure disables', () => {
    let h = applyAttempts(healthyEndpoint(), [{ at: '2026-03-01T00:00:00.000Z', ok: false, statusCode: 500, error: 'HTTP 500' }]);
    h = applyAttempts(h, [{ at: '2026-03-03T00:00:00.000Z', ok: false, statusCode: null, error: 'ECONNREFUSED' }]);
    expect(h).toMatchObject({
      consecutiveFailures: 2,
      failingSince: '2026-03-01T00:00:00.000Z',
      lastStatusCode: null,
      lastError: 'ECONNREFUSED',
    });
    expect(failingTooLong(h, Date.parse('2026-03-05T23:59:59.999Z'))).toBe(false);
    expect(failingTooLong(h, Date.parse('2026-03-06T00:00:00.000Z'))).toBe(true);
    h = applyAttempts(h, [{ at: '2026-03-04T00:00:00.000Z', ok: true, statusCode: 200, error: null }]);
    expect(h).toMatchObject({ consecutiveFailures: 0, failingSince: null, lastSuccessAt: '2026-03-04T00:00:00.000Z' });
    expect(failingTooLong(h, Date.parse('2026-04-01T00:00:00.000Z'))).toBe(false);
  });
});

describe('filters', () => {
  const paths = { virtualNumber: 'virtualNumber', statuses: 'status', groupId: 'groups.groupId' };
  test('every filter must match; a list matches any of its values; case is ignored', () => {
    const data = { virtualNumber: '+14155550100', status: 'delivered', groups: [{ groupId: 'grp_A' }, { groupId: 'grp_B' }] };
    expect(matchesFilters(data, {}, paths)).toBe(true);
    expect(matchesFilters(data, { virtualNumber: '+14155550100' }, paths)).toBe(true);
    expect(matchesFilters(data, { virtualNumber: '+14155550101' }, paths)).toBe(false);
    expect(matchesFilters(data, { statuses: ['failed', 'DELIVERED'] }, paths)).toBe(true);
    expect(matchesFilters(data, { statuses: ['failed'] }, paths)).toBe(false);
    expect(matchesFilters(data, { groupId: 'grp_b' }, paths)).toBe(true);
    expect(matchesFilters(data, { groupId: 'grp_C' }, paths)).toBe(false);
    expect(matchesFilters(data, { virtualNumber: '+14155550100', statuses: ['failed'] }, paths)).toBe(false);
    expect(matchesFilters({ status: 'sent' }, { virtualNumber: '+1' }, paths)).toBe(false);
  });
});

describe('signing', () => {
  test('headers verify with the standardwebhooks package, and a changed body does not', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const now = Date.now();
    const body = JSON.stringify({ id: 'evt_1', type: 'sms.received', data: { text: 'hi' } });
    const headers = signatureHeaders(secret, 'evt_1', now, body);
    expect(headers['webhook-id']).toBe('evt_1');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('hi', 'ho'), headers)).toThrow();
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow();
  });

  test('with several secrets the header carries one signature each, space separated, and each secret verifies alone', () => {
    const [current, previous, stranger] = [newSigningSecret(), newSigningSecret(), newSigningSecret()];
    const now = Date.now();
    const body = '{"id":"evt_2"}';
    const headers = signatureHeaders([current, previous], 'evt_2', now, body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
    expect(headers['webhook-signature']!.split(' ')[0]).toBe(signatureHeaders(current, 'evt_2', now, body)['webhook-signature']);
    expect(new Webhook(current).verify(body, headers)).toEqual({ id: 'evt_2' });
    expect(new Webhook(previous).verify(body, headers)).toEqual({ id: 'evt_2' });
    expect(() => new Webhook(stranger).verify(body, headers)).toThrow();
  });
});

describe('secret rotation rules', () => {
  const T = Date.parse('2026-05-01T12:00:00.000Z');
  test('the replaced secret signs beside the new one until its expiry, then only the new one signs', () => {
    const { secret, previous } = rotateSigningSecret('whsec_old', 'whsec_new', T, 24);
    expect(secret).toBe('whsec_new');
    expect(previous).toEqual({ secret: 'whsec_old', expiresAt: '2026-05-02T12:00:00.000Z' });
    expect(activeSigningSecrets(secret, previous, T)).toEqual(['whsec_new', 'whsec_old']);
    expect(activeSigningSecrets(secret, previous, T + 24 * 3_600_000 - 1)).toEqual(['whsec_new', 'whsec_old']);
    expect(activeSigningSecrets(secret, previous, T + 24 * 3_600_000)).toEqual(['whsec_new']);
  });

  test('no overlap keeps no previous secret; records without one sign with their secret only', () => {
    expect(rotateSigningSecret('whsec_old', 'whsec_new', T, 0)).toEqual({ secret: 'whsec_new', previous: null });
    expect(activeSigningSecrets('whsec_s', undefined, T)).toEqual(['whsec_s']);
    expect(activeSigningSecrets('whsec_s', null, T)).toEqual(['whsec_s']);
  });
});

describe('outbound URL policy (SSRF)', () => {
  const resolver =
    (table: Record<string, string[]>): Resolver =>
    async (host) => {
      const addrs = table[host];
      if (!addrs) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
      return addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
  const table = {
    'hooks.example.com': ['93.184.215.14'],
    'internal.example.com': ['10.1.2.3'],
    'mixed.example.com': ['93.184.215.14', '172.16.0.9'],
    'metadata.example.com': ['169.254.169.254'],
    'azure-wire.example.com': ['168.63.129.16'],
    'v6.example.com': ['fd00::1'],
    localhost: ['127.0.0.1', '::1'],
  };
  const prod = createUrlPolicy({ allowLoopback: false, resolve: resolver(table) });
  const dev = createUrlPolicy({ allowLoopback: true, resolve: resolver(table) });

  test.each([
    ['https://hooks.example.com/x', null, null],
    ['http://hooks.example.com/x', /https/, /https/],
    ['https://internal.example.com/x', /private/, /private/],
    ['https://mixed.example.com/x', /private/, /private/],
    ['https://metadata.example.com/x', /linkLocal/, /linkLocal/],
    ['https://azure-wire.example.com/x', /metadata/, /metadata/],
    ['https://v6.example.com/x', /uniqueLocal/, /uniqueLocal/],
    ['http://localhost:8080/x', /loopback/, null],
    ['http://127.0.0.1:8080/x', /loopback/, null],
    ['http://[::1]:8080/x', /loopback/, null],
    ['https://nowhere.example.com/x', /does not resolve/, /does not resolve/],
    ['https://0.0.0.0/x', /unspecified/, /unspecified/],
    ['file:///etc/passwd', /https/, /https/],
  ])('%s → production %p, dev %p', async (url, inProd, inDev) => {
    const p = await prod.check(url);
    const d = await dev.check(url);
    if (inProd === null) expect(p).toBeNull();
    else expect(p).toMatch(inProd);
    if (inDev === null) expect(d).toBeNull();
    else expect(d).toMatch(inDev);
  });

  test.each([
    ['https://hooks.example.com/x', null, null],
    ['https://internal.example.com/x', null, null], // a name: its addresses are checked when called
    ['http://hooks.example.com/x', /https/, /https/],
    ['https://10.0.0.5/x', /private/, /private/],
    ['http://169.254.169.254/latest', /linkLocal/, /linkLocal/],
    ['http://localhost:8080/x', /https/, null],
    ['http://127.0.0.1:8080/x', /loopback/, null],
    ['https://user:pw@hooks.example.com/x', /credentials/, /credentials/],
    ['not a url', /absolute/, /absolute/],
  ])('without lookup: %s → production %p, dev %p', (url, inProd, inDev) => {
    const p = prod.checkWithoutLookup(url);
    const d = dev.checkWithoutLookup(url);
    if (inProd === null) expect(p).toBeNull();
    else expect(p).toMatch(inProd);
    if (inDev === null) expect(d).toBeNull();
    else expect(d).toMatch(inDev);
  });

  test('the HTTP client refuses private addresses when it connects, by literal or by DNS answer', async () => {
    const receiver = await startReceiver();
    const client = createNodeHttpClient({ refuseAddress: (ip) => addressRefusal(ip, false) });
    try {
      const url = receiver.url();
      await expect(client.request({ url, method: 'POST', body: '{}', timeoutMs: 1_000 })).rejects.toThrow(/loopback/);
      await expect(
        client.request({ url: url.replace('127.0.0.1', 'localhost'), method: 'POST', body: '{}', timeoutMs: 1_000 }),
      ).rejects.toThrow(/loopback/);
      expect(receiver.received).toHaveLength(0);
      const allowed = createNodeHttpClient({ refuseAddress: (ip) => addressRefusal(ip, true) });
      await expect(
        allowed.request({ url: url.replace('127.0.0.1', 'localhost'), method: 'POST', body: '{}', timeoutMs: 1_000 }),
      ).resolves.toMatchObject({ status: 200 });
      allowed.close();
      expect(receiver.received).toHaveLength(1);
    } finally {
      client.close();
      await receiver.close();
    }
  });
});

describe('rate limiter', () => {
  test('a burst of perMinute, then one every 60/perMinute seconds, per key', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(6, clock);
    for (let i = 0; i < 6; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(10_000);
    expect(limiter.take('b')).toBe(0);
    clock.advance(9_999);
    expect(limiter.take('a')).toBeGreaterThan(0);
    clock.advance(1);
    expect(limiter.take('a')).toBe(0);
    expect(new RateLimiter(0, clock).take('a')).toBe(0);
  });
});
