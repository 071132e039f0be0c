import { createHash, createHmac } from 'node:crypto';
import { startFakeCarrierApi, type Answer, type RecordedRequest } from '../fixtures/fakeCarrierApi';
import { startTestHost, type Api, type TestHost } from '../fixtures/testHost';

/**
 * The acs carrier end to end: the real @azure/communication-sms SDK sends to a local server that
 * checks its HMAC signature and answers as ACS does (including repeatable requests), and delivery
 * reports and inbound SMS come back as Event Grid would post them, in both schemas.
 */
const ACCESS_KEY = Buffer.from('a-test-access-key-of-some-length').toString('base64');
const EG_KEY = 'eg-secret-0123456789';
const ACS_NUMBER = '+14255550100';

interface Sent {
  requestId: string;
  firstSent: string;
  messageId: string;
  to: string;
}

/** The ACS SMS API as far as we use it: POST /sms, HMAC-signed, repeatable by request id for five minutes. */
function acsApi() {
  const sent = new Map<string, Sent>();
  const script: ((req: RecordedRequest) => Answer | undefined)[] = [];
  let counter = 0;
  const answer = (req: RecordedRequest): Answer => {
    const scripted = script.shift()?.(req);
    if (scripted) return scripted;
    if (!signatureIsValid(req)) return { status: 401, body: JSON.stringify({ error: { code: 'Denied', message: 'bad signature' } }) };
    const body = JSON.parse(req.body) as {
      smsRecipients: { to: string; repeatabilityRequestId: string; repeatabilityFirstSent: string }[];
    };
    const value = body.smsRecipients.map((r) => {
      const earlier = sent.get(r.repeatabilityRequestId);
      if (earlier && earlier.firstSent !== r.repeatabilityFirstSent) {
        return {
          to: r.to,
          httpStatusCode: 400,
          successful: false,
          repeatabilityResult: 'rejected',
          errorMessage: 'Repeatability-First-Sent does not match',
        };
      }
      const record = earlier ?? {
        requestId: r.repeatabilityRequestId,
        firstSent: r.repeatabilityFirstSent,
        messageId: `Outgoing_2026030112000${++counter}_${r.repeatabilityRequestId.slice(0, 8)}`,
        to: r.to,
      };
      sent.set(r.repeatabilityRequestId, record);
      return { to: r.to, messageId: record.messageId, httpStatusCode: 202, successful: true, repeatabilityResult: 'accepted' };
    });
    return { status: 202, body: JSON.stringify({ value }) };
  };
  return { sent, script, answer };
}

/** ACS's HMAC scheme: the SDK must sign the final body (after our repeatability rewrite). */
function signatureIsValid(req: RecordedRequest): boolean {
  const contentHash = createHash('sha256').update(req.body).digest('base64');
  if (req.headers['x-ms-content-sha256'] !== contentHash) return false;
  const toSign = `${req.method}\n${req.url}\n${req.headers['x-ms-date']};${req.headers.host};${contentHash}`;
  const signature = createHmac('sha256', Buffer.from(ACCESS_KEY, 'base64')).update(toSign).digest('base64');
  return req.headers.authorization === `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`;
}

let t: TestHost;
let fake: Awaited<ReturnType<typeof startFakeCarrierApi>>;
let acs: ReturnType<typeof acsApi>;
let account: { id: string; api: Api };

beforeAll(async () => {
  acs = acsApi();
  fake = await startFakeCarrierApi((req) => acs.answer(req));
  t = await startTestHost({ ACS_CONNECTION_STRING: `endpoint=${fake.url}/;accesskey=${ACCESS_KEY}`, ACS_EVENTGRID_KEY: EG_KEY });
  // These tests send many messages at one fake instant; pacing has its own suite (pacing.test.ts).
  await t.admin.raw('PUT', '/operator/carriers/acs/limits', { messagesPerSecond: 100_000 });
  account = await t.newAccount({ carrier: 'acs', credits: '100.00' });
  const vn = await t.admin.post('/operator/virtual-numbers', { accountId: account.id, number: ACS_NUMBER });
  expect(vn.status).toBe(201);
});

afterAll(async () => {
  await t?.close();
  await fake?.close();
});

const at = (offsetMs: number) => new Date(t.clock.now() + offsetMs).toISOString();

async function sendOne(to = '+14155550123', text = 'Hello from ACS', api = account.api) {
  const res = await api.post('/messages', { to, text });
  expect(res.status).toBe(202);
  await t.host.drain();
  return (await api.get(`/messages/${res.body.id}`)).body;
}

function callback(
  kind: 'status' | 'inbound',
  body: unknown,
  { key = EG_KEY as string | null, headers = {} as Record<string, string>, method = 'POST' } = {},
) {
  return fetch(`${t.url}/api/carriers/acs/${kind}${key === null ? '' : `?key=${encodeURIComponent(key)}`}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: method === 'OPTIONS' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The documented Event Grid sample, with our ids and times. */
function deliveryReport(acsMessageId: string, tag: string | undefined, status: 'Delivered' | 'Failed', details = 'No error.') {
  return {
    id: acsMessageId,
    topic:
      '/subscriptions/{subscription-id}/resourceGroups/{group-name}/providers/microsoft.communication/communicationservices/{communication-services-resource-name}',
    subject: '/phonenumber/15555555555',
    data: {
      MessageId: acsMessageId,
      From: '15555555555',
      To: '+14155550123',
      DeliveryStatus: status,
      DeliveryStatusDetails: details,
      ReceivedTimestamp: at(5_000),
      DeliveryAttempts: [
        { Timestamp: at(4_000), SegmentsSucceeded: status === 'Delivered' ? 1 : 0, SegmentsFailed: status === 'Delivered' ? 0 : 1 },
      ],
      ...(tag === undefined ? {} : { Tag: tag }),
    },
    eventType: 'Microsoft.Communication.SMSDeliveryReportReceived',
    dataVersion: '1.0',
    metadataVersion: '1',
    eventTime: at(5_000),
  };
}

/** The same event in the CloudEvents 1.0 schema. */
function asCloudEvent(e: ReturnType<typeof deliveryReport>) {
  return { id: e.id, source: e.topic, specversion: '1.0', type: e.eventType, subject: e.subject, time: e.eventTime, data: e.data };
}

function smsReceived(from: string, to: string, text: string, id = `Incoming_${Math.random().toString(16).slice(2)}`) {
  return {
    id,
    topic:
      '/subscriptions/{subscription-id}/resourceGroups/{group-name}/providers/microsoft.communication/communicationservices/{communication-services-resource-name}',
    subject: `/phonenumber/${to}`,
    data: { MessageId: id, From: from, To: to, Message: text, ReceivedTimestamp: at(1_000) },
    eventType: 'Microsoft.Communication.SMSReceived',
    dataVersion: '1.0',
    metadataVersion: '1',
    eventTime: at(1_000),
  };
}

describe('sending through ACS', () => {
  test('the SDK sends a signed request with a delivery report requested and the message id as tag', async () => {
    const before = fake.requests.length;
    const m = await sendOne('+14155550123', 'Hello from ACS');
    const req = fake.requests[before]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/sms?api-version=2021-03-07');
    expect(signatureIsValid(req)).toBe(true);
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({
      from: 'Other',
      message: 'Hello from ACS',
      smsRecipients: [{ to: '+14155550123' }],
      smsSendOptions: { enableDeliveryReport: true, tag: m.id },
    });
    expect(m).toMatchObject({ status: 'sent', carrier: 'acs', attempts: 1 });
    expect(m.carrierMessageId).toMatch(/^Outgoing_/);
  });

  test('a retry after a lost answer reuses the repeatability id and first-sent time, so ACS sends once', async () => {
    acs.script.push((req) => {
      acs.answer(req); // ACS takes the message...
      return 'drop'; // ...but its answer never arrives
    });
    const res = await account.api.post('/messages', { to: '+14155550124', text: 'Exactly once' });
    await t.host.drain();
    let m = (await account.api.get(`/messages/${res.body.id}`)).body;
    expect(m).toMatchObject({ status: 'queued', attempts: 1, statusReason: { code: 1412 } });
    await t.advance(20_000); // the first retry is due within seconds (the account policy's backoff)
    m = (await account.api.get(`/messages/${res.body.id}`)).body;
    expect(m).toMatchObject({ status: 'sent', attempts: 2 });
    const attempts = fake.requests.filter((r) => r.body.includes(res.body.id)).map((r) => JSON.parse(r.body).smsRecipients[0]);
    expect(attempts).toHaveLength(2);
    expect(attempts[1].repeatabilityRequestId).toBe(attempts[0].repeatabilityRequestId);
    expect(attempts[1].repeatabilityFirstSent).toBe(attempts[0].repeatabilityFirstSent);
    expect([...acs.sent.values()].filter((s) => s.to === '+14155550124')).toHaveLength(1);
    expect(m.carrierMessageId).toBe([...acs.sent.values()].find((s) => s.to === '+14155550124')!.messageId);
  });

  test('throttling and server errors are retried; a refused recipient fails the message and refunds it', async () => {
    const balance0 = (await account.api.get('/balance')).body.credits;
    acs.script.push(() => ({
      status: 429,
      headers: { 'retry-after': '30' },
      body: JSON.stringify({ error: { code: 'TooManyRequests', message: 'slow down' } }),
    }));
    const throttledAt = t.clock.now();
    const throttled = await sendOne('+14155550125', 'Throttled first');
    expect(throttled).toMatchObject({ status: 'queued', attempts: 0, statusReason: { code: 1412 } });
    // The sender is slowed down (rate halved) and nothing of it goes before Retry-After.
    const limits = (await t.admin.get(`/operator/senders/${encodeURIComponent(throttled.from)}/limits`)).body.carriers.find(
      (c: { carrier: string }) => c.carrier === 'acs',
    );
    expect(limits).toMatchObject({
      currentRate: 50_000,
      lastThrottledAt: new Date(throttledAt).toISOString(),
      throttledUntil: new Date(throttledAt + 30_000).toISOString(),
    });
    await t.advance(20_000);
    expect((await account.api.get(`/messages/${throttled.id}`)).body.status).toBe('queued');
    await t.advance(10_000);
    expect((await account.api.get(`/messages/${throttled.id}`)).body.status).toBe('sent');

    acs.script.push((req) => ({
      status: 202,
      body: JSON.stringify({
        value: [
          {
            to: JSON.parse(req.body).smsRecipients[0].to,
            httpStatusCode: 400,
            successful: false,
            errorMessage: 'Invalid To phone number format.',
          },
        ],
      }),
    }));
    const refused = await sendOne('+14155550126', 'Refused');
    expect(refused).toMatchObject({ status: 'failed', statusReason: { code: 1410 } });
    // The refused message was refunded; only the throttled one (sent) is still charged.
    const balance1 = (await account.api.get('/balance')).body.credits;
    expect(Number(balance0) - Number(balance1)).toBeCloseTo(Number(throttled.cost.amount), 4);
  });
});

describe('Event Grid handshakes', () => {
  test('the subscription validation event is answered with its code (Event Grid schema)', async () => {
    const validation = [
      {
        id: '2d1781af-3a4c-4d7c-bd0c-e34b19da4e66',
        topic: '/subscriptions/xx/resourceGroups/xx/providers/microsoft.communication/communicationservices/xx',
        subject: '',
        data: {
          validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6',
          validationUrl: 'https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/sub/validate?id=512d38b6',
        },
        eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
        eventTime: '2026-03-01T12:00:00.000Z',
        metadataVersion: '1',
        dataVersion: '1',
      },
    ];
    for (const kind of ['status', 'inbound'] as const) {
      const res = await callback(kind, validation, { headers: { 'aeg-event-type': 'SubscriptionValidation' } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' });
    }
    const forged = await callback('status', validation, { key: 'wrong', headers: { 'aeg-event-type': 'SubscriptionValidation' } });
    expect(forged.status).toBe(403);
  });

  test('the CloudEvents OPTIONS probe is allowed for the requesting origin', async () => {
    const res = await callback('status', undefined, { method: 'OPTIONS', headers: { 'webhook-request-origin': 'eventgrid.azure.net' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
    expect(
      (await callback('inbound', undefined, { method: 'OPTIONS', key: null, headers: { 'webhook-request-origin': 'eventgrid.azure.net' } }))
        .status,
    ).toBe(403);
  });
});

describe('delivery reports through Event Grid', () => {
  test('Event Grid schema: delivered and failed reports in one batch, each mapped; a duplicate changes nothing', async () => {
    const a = await sendOne('+14155550131', 'Report A');
    const b = await sendOne('+14155550132', 'Report B');
    const batch = [
      deliveryReport(a.carrierMessageId, a.id, 'Delivered'),
      deliveryReport(b.carrierMessageId, b.id, 'Failed', 'ErrorCode: 4006. ErrorMessage: The Destination/To number is not reachable.'),
    ];
    const res = await callback('status', batch);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ applied: [a.carrierMessageId, b.carrierMessageId], ignored: [], unknown: [] });
    expect((await account.api.get(`/messages/${a.id}`)).body).toMatchObject({ status: 'delivered', deliveredAt: at(5_000) });
    expect((await account.api.get(`/messages/${b.id}`)).body).toMatchObject({
      status: 'undelivered',
      statusReason: { code: 1404, message: 'Soft Bounce' },
    });

    const again = await callback('status', batch);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ applied: [], ignored: [a.carrierMessageId, b.carrierMessageId], unknown: [] });
    expect(
      (await account.api.get(`/messages/${a.id}`)).body.history.filter((h: { status: string }) => h.status === 'delivered'),
    ).toHaveLength(1);
  });

  test.each([
    ['4004', 1400],
    ['4005', 1408],
    ['4007', 1413],
    ['5002', 1409],
  ])('ACS error %s maps to reason %d', async (code, reason) => {
    const m = await sendOne(`+1415555${code}`, `Error ${code}`);
    const res = await callback('status', [
      deliveryReport(m.carrierMessageId, m.id, 'Failed', `ErrorCode: ${code}. ErrorMessage: whatever ACS says`),
    ]);
    expect(res.status).toBe(200);
    expect((await account.api.get(`/messages/${m.id}`)).body.statusReason.code).toBe(reason);
  });

  test('CloudEvents schema: a single event and a batch are both read', async () => {
    const a = await sendOne('+14155550141', 'Cloud A');
    const b = await sendOne('+14155550142', 'Cloud B');
    const single = await callback('status', asCloudEvent(deliveryReport(a.carrierMessageId, a.id, 'Delivered')), {
      headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
    });
    expect(single.status).toBe(200);
    const batch = await callback(
      'status',
      [asCloudEvent(deliveryReport(b.carrierMessageId, b.id, 'Failed', 'ErrorCode: 4002. ErrorMessage: invalid To'))],
      { headers: { 'content-type': 'application/cloudevents-batch+json; charset=utf-8' } },
    );
    expect(batch.status).toBe(200);
    expect((await account.api.get(`/messages/${a.id}`)).body.status).toBe('delivered');
    expect((await account.api.get(`/messages/${b.id}`)).body).toMatchObject({ status: 'undelivered', statusReason: { code: 1400 } });
  });

  test('a report that overtakes its send gets 503 so Event Grid retries; reports of other senders on the resource are ignored with 200', async () => {
    const early = await callback('status', [deliveryReport('Outgoing_not_recorded_yet', 'msg_01JNOTRECORDEDYET00000000', 'Delivered')]);
    expect(early.status).toBe(503);
    expect(await early.json()).toEqual({ applied: [], ignored: [], unknown: ['Outgoing_not_recorded_yet'] });
    const foreign = await callback('status', [
      deliveryReport('Outgoing_someone_else', undefined, 'Delivered'),
      deliveryReport('Outgoing_other_tag', 'their-order-42', 'Delivered'),
    ]);
    expect(foreign.status).toBe(200);
    expect(await foreign.json()).toEqual({ applied: [], ignored: [], unknown: [] });
  });

  test("a report changes only the message it names, never another account's", async () => {
    const other = await t.newAccount({ carrier: 'acs', senderId: 'Second' });
    const mine = await sendOne('+14155550151', 'Mine');
    const theirs = await sendOne('+14155550151', 'Theirs', other.api);
    const res = await callback('status', [
      deliveryReport(theirs.carrierMessageId, theirs.id, 'Failed', 'ErrorCode: 4004. ErrorMessage: gone'),
    ]);
    expect(res.status).toBe(200);
    expect((await other.api.get(`/messages/${theirs.id}`)).body.status).toBe('undelivered');
    expect((await account.api.get(`/messages/${mine.id}`)).body.status).toBe('sent');
    expect((await account.api.get(`/messages/${theirs.id}`)).status).toBe(404);
  });

  test('bad input: no key, a wrong key, malformed JSON, events without the fields they need; never a 500', async () => {
    const m = await sendOne('+14155550161', 'Bad input');
    const report = [deliveryReport(m.carrierMessageId, m.id, 'Delivered')];
    expect((await callback('status', report, { key: null })).status).toBe(403);
    expect((await callback('status', report, { key: `${EG_KEY}x` })).status).toBe(403);
    const bodies: unknown[] = [
      '{"not json',
      '42',
      '"text"',
      [42],
      [{ id: 'x' }],
      [{ id: 'x', eventType: 'Microsoft.Communication.SMSDeliveryReportReceived', data: 'nope' }],
      [{ ...report[0], data: { ...report[0]!.data, MessageId: undefined } }],
      [{ ...report[0], data: { ...report[0]!.data, DeliveryStatus: 7 } }],
      [{ ...report[0], data: { ...report[0]!.data, ReceivedTimestamp: 'yesterday-ish' } }],
      [{ ...report[0], eventTime: 12 }],
      [{ id: 'v', eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: {} }],
    ];
    for (const body of bodies) {
      const res = await callback('status', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await account.api.get(`/messages/${m.id}`)).body.status).toBe('sent');
  });
});

describe('inbound SMS through Event Grid', () => {
  test('SMSReceived reaches the account owning the number, with E.164 numbers', async () => {
    const res = await callback('inbound', [
      smsReceived('14155550100', '14255550100', 'Great to connect with ACS events', 'Incoming_20260301120000_abc'),
    ]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: ['Incoming_20260301120000_abc'], unknownNumber: [] });
    const events = await t.host.runtime.deps.store.outbox.listForAccount(account.id, { type: 'sms.received' }, 10);
    expect(events.at(-1)!.data).toMatchObject({
      from: '+14155550100',
      virtualNumber: ACS_NUMBER,
      text: 'Great to connect with ACS events',
      carrierMessageId: 'Incoming_20260301120000_abc',
      timestamp: at(1_000),
    });
  });

  test('a number nobody has is reported, not an error; delivery reports on the inbound route are not inbound messages', async () => {
    const res = await callback('inbound', [
      smsReceived('14155550100', '19998887777', 'To nobody', 'Incoming_nobody'),
      deliveryReport('Outgoing_x', 'msg_X', 'Delivered'),
    ]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: [], unknownNumber: ['Incoming_nobody'] });
    expect((await callback('inbound', [{ ...smsReceived('1', '2', 'x'), data: { Message: 'no numbers' } }])).status).toBe(400);
  });
});
