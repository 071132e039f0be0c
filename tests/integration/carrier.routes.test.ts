import fc from 'fast-check';
import twilio from 'twilio';
import { hmacBase64Url } from '../../shared/adapters/carriers/callbackParsing';
import { startTestHost, type TestHost } from '../fixtures/testHost';

/**
 * Carrier choice per account, and the callback routes under arbitrary input: whatever a caller
 * sends (with a valid signature, so it reaches the parsers), the answer is a 2xx, a 4xx or the 503
 * that asks a carrier to retry, never a 500, and no message changes.
 */
const SID = `AC${'0f'.repeat(16)}`;
const TOKEN = 'route-test-token';
const EG_KEY = 'route-test-eventgrid-key';
const KANNEL_SECRET = 'route-test-kannel-secret';

let t: TestHost;

beforeAll(async () => {
  // Nothing listens on port 9: no test here submits to the carriers.
  t = await startTestHost({
    ACS_CONNECTION_STRING: `endpoint=http://127.0.0.1:9/;accesskey=${Buffer.from('k').toString('base64')}`,
    ACS_EVENTGRID_KEY: EG_KEY,
    TWILIO_ACCOUNT_SID: SID,
    TWILIO_AUTH_TOKEN: TOKEN,
    TWILIO_API_BASE_URL: 'http://127.0.0.1:9',
    KANNEL_SENDSMS_URL: 'http://127.0.0.1:9/cgi-bin/sendsms',
    KANNEL_USERNAME: 'u',
    KANNEL_PASSWORD: 'p',
    KANNEL_CALLBACK_SECRET: KANNEL_SECRET,
  });
});

afterAll(async () => {
  await t?.close();
});

describe("choosing an account's carrier", () => {
  test('an operator creates an account on a configured carrier, changes it, and returns it to the default', async () => {
    const created = await t.admin.post('/operator/accounts', { name: 'On Twilio', credits: '5.00', senderId: 'Twl', carrier: 'twilio' });
    expect(created.status).toBe(201);
    expect(created.body.account).toMatchObject({ carrier: 'twilio', effectiveCarrier: 'twilio' });
    const id = created.body.account.id;

    const toKannel = await t.admin.raw('PUT', `/operator/accounts/${id}/carrier`, { carrier: 'kannel' });
    expect(toKannel.status).toBe(200);
    expect(toKannel.body).toMatchObject({ id, carrier: 'kannel', effectiveCarrier: 'kannel' });
    expect((await t.host.runtime.deps.store.accounts.get(id))!.carrier).toBe('kannel');

    const toDefault = await t.admin.raw('PUT', `/operator/accounts/${id}/carrier`, { carrier: null });
    expect(toDefault.status).toBe(200);
    expect(toDefault.body).toMatchObject({ carrier: null, effectiveCarrier: 'simulator' });
  });

  test("new messages take the account's carrier; messages already accepted keep theirs", async () => {
    const created = await t.admin.post('/operator/accounts', { name: 'Switcher', credits: '5.00', senderId: 'Swt', carrier: 'simulator' });
    const api = (await import('../fixtures/testHost')).apiClient(t.url, { 'x-api-key': created.body.apiKey });
    const before = await api.post('/messages', {
      to: '+14155550123',
      text: 'Before',
      sendAt: new Date(t.clock.now() + 3_600_000).toISOString(),
    });
    expect(before.body.carrier).toBe('simulator');
    await t.admin.raw('PUT', `/operator/accounts/${created.body.account.id}/carrier`, { carrier: 'acs' });
    const after = await api.post('/messages', {
      to: '+14155550123',
      text: 'After',
      sendAt: new Date(t.clock.now() + 3_600_000).toISOString(),
    });
    expect(after.body.carrier).toBe('acs');
    expect((await api.get(`/messages/${before.body.id}`)).body.carrier).toBe('simulator');
  });

  test('a carrier that is not configured is refused with 422 naming the field; an unknown account is 404; the body is validated', async () => {
    const create = await t.admin.post('/operator/accounts', { name: 'Nope', carrier: 'sinch' });
    expect(create.status).toBe(422);
    expect(create.body).toMatchObject({ code: 'unknown_carrier', errors: [{ path: '/carrier' }] });
    expect(create.body.errors[0].message).toContain('simulator, acs, twilio, kannel');
    const { body: list } = await t.admin.post('/operator/accounts', { name: 'Fine' });
    expect((await t.admin.raw('PUT', `/operator/accounts/${list.account.id}/carrier`, { carrier: 'SIMULATOR' })).status).toBe(422);
    expect((await t.admin.raw('PUT', '/operator/accounts/acc_nobody/carrier', { carrier: 'acs' })).status).toBe(404);
    const noField = await t.admin.raw('PUT', `/operator/accounts/${list.account.id}/carrier`, {});
    expect(noField.status).toBe(400);
    expect(noField.body.errors[0].path).toContain('carrier');
    expect((await t.admin.raw('PUT', `/operator/accounts/${list.account.id}/carrier`, { carrier: 42 })).status).toBe(400);
    expect(
      (
        await fetch(`${t.url}/api/operator/accounts/${list.account.id}/carrier`, {
          method: 'PUT',
          body: '{"carrier":"acs"}',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(401);
  });
});

describe('carrier callback routes under arbitrary input', () => {
  const engine = () => t.host.runtime.engine;
  const call = (method: string, path: string, body: string, headers: Record<string, string> = {}) =>
    engine().handle({ method, url: path, headers, body: Buffer.from(body), origin: t.url, remoteAddress: '127.0.0.1' });

  const eventField = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.constant(null),
    fc.constantFrom('Delivered', 'Failed', 'ErrorCode: 4006.', 'msg_01J0000000000000000000000', '2026-03-01T12:00:00Z', 'not a time'),
  );
  const gridEvent = fc.record(
    {
      id: fc.oneof(fc.string(), fc.integer()),
      eventType: fc.constantFrom(
        'Microsoft.Communication.SMSDeliveryReportReceived',
        'Microsoft.Communication.SMSReceived',
        'Microsoft.EventGrid.SubscriptionValidationEvent',
        'Other',
      ),
      specversion: fc.constant('1.0'),
      type: fc.constantFrom('Microsoft.Communication.SMSDeliveryReportReceived', 'Microsoft.Communication.SMSReceived'),
      eventTime: eventField,
      time: eventField,
      data: fc.oneof(
        fc.dictionary(
          fc.constantFrom(
            'MessageId',
            'messageId',
            'Tag',
            'DeliveryStatus',
            'DeliveryStatusDetails',
            'ReceivedTimestamp',
            'From',
            'To',
            'Message',
            'validationCode',
          ),
          eventField,
        ),
        fc.anything(),
      ),
    },
    { requiredKeys: [] },
  );
  const jsonBody = fc.oneof(
    fc.json(),
    gridEvent.map((e) => JSON.stringify(e)),
    fc.array(gridEvent, { maxLength: 4 }).map((a) => JSON.stringify(a)),
    fc.string(),
  );

  let guard: { id: string; status: string };
  beforeAll(async () => {
    const res = await t.api.post('/messages', {
      to: '+14155550123',
      text: 'Must not change',
      sendAt: new Date(t.clock.now() + 3_600_000).toISOString(),
    });
    guard = { id: res.body.id, status: res.body.status };
  });

  afterAll(async () => {
    expect((await t.api.get(`/messages/${guard.id}`)).body.status).toBe(guard.status);
  });

  test('ACS (Event Grid): JSON of any shape', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('status', 'inbound'), jsonBody, fc.boolean(), async (kind, body, validation) => {
        const res = await call(
          'POST',
          `/api/carriers/acs/${kind}?key=${EG_KEY}`,
          body,
          validation ? { 'aeg-event-type': 'SubscriptionValidation' } : {},
        );
        expect([200, 400, 503]).toContain(res.status);
      }),
      { numRuns: 300 },
    );
  });

  test('Twilio: signed form bodies of any content', async () => {
    const form = fc.dictionary(
      fc.constantFrom('MessageSid', 'SmsSid', 'MessageStatus', 'ErrorCode', 'From', 'To', 'Body', 'AccountSid', 'x'),
      fc.oneof(fc.string(), fc.constantFrom('delivered', 'undelivered', 'failed', 'sent', '30003', 'SM1', '+14155550123')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('status', 'inbound'),
        fc.oneof(
          form.map((f) => new URLSearchParams(f).toString()),
          fc.string(),
        ),
        async (kind, raw) => {
          const params: Record<string, string | string[]> = {};
          for (const [k, v] of new URLSearchParams(raw)) params[k] = k in params ? ([] as string[]).concat(params[k]!, v) : v;
          const path = `/api/carriers/twilio/${kind}`;
          const res = await call('POST', path, raw, {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN, `${t.url}${path}`, params),
          });
          expect([200, 400]).toContain(res.status);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('Kannel: signed GET query strings of any content', async () => {
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom('1', '2', '8', '16', '4', '0', '-1', '1e3', 'id:1 stat:UNDELIV err:001', '%ZZ', '1772366400'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1 }),
        fc.dictionary(fc.constantFrom('type', 'answer', 'ts', 'from', 'to', 'text', 'coding', 'charset'), value),
        async (id, rest) => {
          const status = `/api/carriers/kannel/status?${new URLSearchParams({ id, sig: hmacBase64Url(KANNEL_SECRET, `dlr:${id}`), ...rest })}`;
          const inbound = `/api/carriers/kannel/inbound?${new URLSearchParams({ id, key: KANNEL_SECRET, ...rest })}`;
          expect([200, 400, 503]).toContain((await call('GET', status, '')).status);
          expect([200, 400]).toContain((await call('GET', inbound, '')).status);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('unsigned calls of every method to every carrier are refused before anything is parsed', async () => {
    for (const carrier of ['simulator', 'acs', 'twilio', 'kannel']) {
      for (const kind of ['status', 'inbound']) {
        for (const method of ['POST', 'GET', 'OPTIONS']) {
          const res = await call(method, `/api/carriers/${carrier}/${kind}`, '{"reports":[]}', { 'content-type': 'application/json' });
          expect({ carrier, kind, method, status: res.status }).toEqual({ carrier, kind, method, status: 403 });
        }
      }
    }
    expect((await call('POST', '/api/carriers/sinch/status', '{}')).status).toBe(404);
  });
});

test('a Host header no URL can be built from fails the signature check (403), it does not crash the route', async () => {
  const res = await t.host.runtime.engine.handle({
    method: 'POST',
    url: '/api/carriers/twilio/status',
    headers: { 'x-twilio-signature': 'abc', 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.from('MessageSid=SM1&MessageStatus=delivered'),
    origin: 'http://bad host:x',
    remoteAddress: '127.0.0.1',
  });
  expect(res.status).toBe(403);
});
