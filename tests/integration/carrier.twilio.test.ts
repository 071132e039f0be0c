import twilio from 'twilio';
import { startFakeCarrierApi, type Answer, type RecordedRequest } from '../fixtures/fakeCarrierApi';
import { startTestHost, type Api, type TestHost } from '../fixtures/testHost';

/**
 * The twilio carrier end to end: the real `twilio` SDK sends to a local server answering as
 * Twilio's Messages API does, and status callbacks and inbound messages come back signed with the
 * SDK's own signing helper, exactly as Twilio signs them.
 */
const SID = `AC${'a1'.repeat(16)}`;
const TOKEN = 'twilio-auth-token-for-tests';
const NUMBER = '+14255550123';

function twilioApi() {
  const script: ((req: RecordedRequest) => Answer | undefined)[] = [];
  let counter = 0;
  const answer = (req: RecordedRequest): Answer => {
    const scripted = script.shift()?.(req);
    if (scripted) return scripted;
    if (req.headers.authorization !== `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`) {
      return { status: 401, body: JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }) };
    }
    if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${SID}/Messages.json`)
      return { status: 404, body: JSON.stringify({ code: 20404, message: 'not found', status: 404 }) };
    const form = Object.fromEntries(new URLSearchParams(req.body));
    const sid = `SM${String(++counter).padStart(32, '0')}`;
    return {
      status: 201,
      body: JSON.stringify({
        sid,
        account_sid: SID,
        to: form.To,
        from: form.From,
        body: form.Body,
        status: 'queued',
        num_segments: '1',
        error_code: null,
      }),
    };
  };
  return { script, answer };
}

let t: TestHost;
let fake: Awaited<ReturnType<typeof startFakeCarrierApi>>;
let api: ReturnType<typeof twilioApi>;
let account: { id: string; api: Api };

beforeAll(async () => {
  api = twilioApi();
  fake = await startFakeCarrierApi((req) => api.answer(req));
  t = await startTestHost({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.url });
  // These tests send many messages at one fake instant; pacing has its own suite (pacing.test.ts).
  await t.admin.raw('PUT', '/operator/carriers/twilio/limits', { messagesPerSecond: 100_000 });
  account = await t.newAccount({ carrier: 'twilio' });
  expect((await t.admin.post('/operator/virtual-numbers', { accountId: account.id, number: NUMBER })).status).toBe(201);
});

afterAll(async () => {
  await t?.close();
  await fake?.close();
});

async function sendOne(to = '+14155550123', text = 'Hello from Twilio', who = account.api) {
  const res = await who.post('/messages', { to, text });
  expect(res.status).toBe(202);
  await t.host.drain();
  return (await who.get(`/messages/${res.body.id}`)).body;
}

/** Posts form fields to a callback route the way Twilio does, signed unless told otherwise. */
async function twilioCallback(
  kind: 'status' | 'inbound',
  params: Record<string, string>,
  { sign = true, token = TOKEN, signedParams = params, query = '' } = {},
) {
  const url = `${t.url}/api/carriers/twilio/${kind}${query}`;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (sign) headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(token, url, signedParams);
  return fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
}

const statusParams = (sid: string, status: string, extra: Record<string, string> = {}) => ({
  AccountSid: SID,
  ApiVersion: '2010-04-01',
  From: 'Other',
  To: '+14155550123',
  MessageSid: sid,
  MessageStatus: status,
  SmsSid: sid,
  SmsStatus: status,
  ...extra,
});

describe('sending through Twilio', () => {
  test('the SDK creates the message with our status route as StatusCallback', async () => {
    const before = fake.requests.length;
    const m = await sendOne('+14155550123', 'Hello from Twilio');
    const req = fake.requests[before]!;
    expect(req.url).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      To: '+14155550123',
      From: 'Other',
      Body: 'Hello from Twilio',
      StatusCallback: `${t.url}/api/carriers/twilio/status`,
    });
    expect(m).toMatchObject({ status: 'sent', carrier: 'twilio', carrierMessageId: expect.stringMatching(/^SM/) });
  });

  test.each([
    [21211, 'failed', 1400],
    [21610, 'failed', 1413],
    [21408, 'failed', 1410],
  ])('API error %d refuses the message for good (%s, reason %d) and refunds it', async (code, status, reason) => {
    const before = (await account.api.get('/balance')).body.credits;
    api.script.push(() => ({
      status: 400,
      body: JSON.stringify({ code, message: `error ${code}`, more_info: `https://www.twilio.com/docs/errors/${code}`, status: 400 }),
    }));
    const m = await sendOne('+14155550199', `Refused ${code}`);
    expect(m).toMatchObject({ status, statusReason: { code: reason } });
    expect((await account.api.get('/balance')).body.credits).toBe(before);
  });

  test('429 and 5xx are retried later, not failed; the 429 (20429) slows the sender down without spending an attempt', async () => {
    api.script.push(() => ({ status: 429, body: JSON.stringify({ code: 20429, message: 'Too Many Requests', status: 429 }) }));
    api.script.push(() => ({ status: 503, body: 'upstream unavailable' }));
    const throttledAt = new Date(t.clock.now()).toISOString();
    const m = await sendOne('+14155550198', 'Try again');
    expect(m).toMatchObject({ status: 'queued', attempts: 0, statusReason: { code: 1412 } });
    // The sender's rate is halved for a while, and nothing goes before Retry-After (1 s without one).
    const limits = (await t.admin.get('/operator/senders/Other/limits')).body.carriers.find(
      (c: { carrier: string }) => c.carrier === 'twilio',
    );
    expect(limits).toMatchObject({
      messagesPerSecond: 100_000,
      currentRate: 50_000,
      lastThrottledAt: throttledAt,
      throttledUntil: new Date(t.clock.now() + 1_000).toISOString(),
    });
    await t.advance(10_000); // the 503
    expect((await account.api.get(`/messages/${m.id}`)).body).toMatchObject({ status: 'queued', attempts: 1 });
    await t.advance(10_000);
    expect((await account.api.get(`/messages/${m.id}`)).body).toMatchObject({ status: 'sent', attempts: 2 });
    // The rate climbs back a tenth per 10 s the carrier accepts.
    const later = (await t.admin.get('/operator/senders/Other/limits')).body.carriers.find(
      (c: { carrier: string }) => c.carrier === 'twilio',
    );
    expect(later).toMatchObject({ currentRate: 60_000, throttledUntil: null });
  });
});

describe('status callbacks', () => {
  test('signed callbacks move the message through sent to delivered; a late "sent" and a duplicate change nothing', async () => {
    const m = await sendOne('+14155550123', 'Track me');
    const sid = m.carrierMessageId;
    const delivered = await twilioCallback('status', statusParams(sid, 'delivered'));
    expect(delivered.status).toBe(200);
    expect(await delivered.text()).toBe('');
    expect((await twilioCallback('status', statusParams(sid, 'sent'))).status).toBe(200);
    expect((await twilioCallback('status', statusParams(sid, 'delivered'))).status).toBe(200);
    const after = (await account.api.get(`/messages/${m.id}`)).body;
    expect(after.status).toBe('delivered');
    expect(after.history.map((h: { status: string }) => h.status)).toEqual(['queued', 'sent', 'delivered']);
  });

  test.each([
    ['undelivered', '30003', 'undelivered', 1404],
    ['undelivered', '30005', 'undelivered', 1400],
    ['undelivered', '30006', 'undelivered', 1400],
    ['undelivered', '30007', 'undelivered', 1408],
    ['undelivered', '30008', 'undelivered', 1409],
    ['failed', '21610', 'failed', 1413],
    ['failed', '30010', 'failed', 1410],
  ])('%s with ErrorCode %s ends %s with reason %d', async (twilioStatus, errorCode, status, reason) => {
    const m = await sendOne('+14155550123', `Error ${errorCode}`);
    const res = await twilioCallback('status', statusParams(m.carrierMessageId, twilioStatus, { ErrorCode: errorCode }));
    expect(res.status).toBe(200);
    expect((await account.api.get(`/messages/${m.id}`)).body).toMatchObject({ status, statusReason: { code: reason } });
  });

  test('unsigned, wrongly signed and tampered callbacks are refused with 403 and change nothing', async () => {
    const m = await sendOne('+14155550123', 'Do not touch');
    const params = statusParams(m.carrierMessageId, 'undelivered', { ErrorCode: '30005' });
    expect((await twilioCallback('status', params, { sign: false })).status).toBe(403);
    expect((await twilioCallback('status', params, { token: 'another-accounts-token' })).status).toBe(403);
    // Signed for "delivered", sent as "undelivered".
    expect(
      (await twilioCallback('status', params, { signedParams: { ...params, MessageStatus: 'delivered', SmsStatus: 'delivered' } })).status,
    ).toBe(403);
    // Signed for another URL.
    const res = await fetch(`${t.url}/api/carriers/twilio/status`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN, `${t.url}/api/carriers/twilio/inbound`, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(403);
    expect((await account.api.get(`/messages/${m.id}`)).body.status).toBe('sent');
  });

  test('an unknown message id is answered 200 and changes nothing; a callback without MessageStatus is 400', async () => {
    const res = await twilioCallback('status', statusParams(`SM${'f'.repeat(32)}`, 'delivered'));
    expect(res.status).toBe(200);
    const bad = await twilioCallback('status', { AccountSid: SID, MessageSid: `SM${'e'.repeat(32)}` });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await twilioCallback('status', statusParams('SMx', 'delivered', { ErrorCode: 'abc' }))).status).toBe(400);
  });

  test("another account's message is changed only by its own report", async () => {
    const other = await t.newAccount({ carrier: 'twilio', senderId: 'Second' });
    const mine = await sendOne('+14155550123', 'Mine');
    const theirs = await sendOne('+14155550123', 'Theirs', other.api);
    expect((await twilioCallback('status', statusParams(theirs.carrierMessageId, 'delivered'))).status).toBe(200);
    expect((await other.api.get(`/messages/${theirs.id}`)).body.status).toBe('delivered');
    expect((await account.api.get(`/messages/${mine.id}`)).body.status).toBe('sent');
  });
});

describe('inbound messages', () => {
  test("a signed inbound message becomes sms.received for the number's account, answered with empty TwiML", async () => {
    const params = {
      AccountSid: SID,
      MessageSid: `SM${'1'.repeat(32)}`,
      SmsMessageSid: `SM${'1'.repeat(32)}`,
      From: '+14155550100',
      To: NUMBER,
      Body: 'Hi there 👋',
      NumMedia: '0',
      NumSegments: '1',
      ApiVersion: '2010-04-01',
    };
    const res = await twilioCallback('inbound', params);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/xml');
    expect(await res.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const events = await t.host.runtime.deps.store.outbox.listForAccount(account.id, { type: 'sms.received' }, 10);
    expect(events.at(-1)!.data).toMatchObject({
      from: '+14155550100',
      text: 'Hi there 👋',
      virtualNumber: NUMBER,
      carrierMessageId: params.MessageSid,
    });
  });

  test('a GET webhook is verified over its URL with the query string', async () => {
    const query = `?MessageSid=SM${'2'.repeat(32)}&From=%2B14155550100&To=${encodeURIComponent(NUMBER)}&Body=Via+GET`;
    const url = `${t.url}/api/carriers/twilio/inbound${query}`;
    const good = await fetch(url, { headers: { 'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN, url, {}) } });
    expect(good.status).toBe(200);
    const forged = await fetch(url.replace('Via+GET', 'Forged'), {
      headers: { 'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN, url, {}) },
    });
    expect(forged.status).toBe(403);
    const events = await t.host.runtime.deps.store.outbox.listForAccount(account.id, { type: 'sms.received' }, 10);
    expect(events.at(-1)!.data).toMatchObject({ text: 'Via GET' });
  });

  test('unsigned inbound is 403; inbound without From is 400', async () => {
    const params = { MessageSid: `SM${'3'.repeat(32)}`, From: '+14155550100', To: NUMBER, Body: 'x' };
    expect((await twilioCallback('inbound', params, { sign: false })).status).toBe(403);
    const { From: _from, ...noFrom } = params;
    expect((await twilioCallback('inbound', noFrom)).status).toBe(400);
  });
});
