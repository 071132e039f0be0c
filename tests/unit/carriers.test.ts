import { mapAcsDelivery } from '../../shared/adapters/carriers/acs/acsStatus';
import { eventGridHandshake, parseGridEvents } from '../../shared/adapters/carriers/acs/eventGrid';
import { createRepeatability, requestIdFor } from '../../shared/adapters/carriers/acs/repeatability';
import { rawQueryBytes, toE164 } from '../../shared/adapters/carriers/callbackParsing';
import { decodeText } from '../../shared/adapters/carriers/kannel/kannelCarrier';
import { mapKannelDlr, parseReceipt } from '../../shared/adapters/carriers/kannel/kannelDlr';
import { classifyTwilioError, mapTwilioStatus } from '../../shared/adapters/carriers/twilio/twilioStatus';
import { CarrierPayloadError } from '../../shared/ports';
import { FakeClock } from '../fixtures/fakeClock';

describe('ACS delivery reports', () => {
  test.each([
    ['Delivered', 'No error.', { status: 'delivered' }],
    [
      'Failed',
      'ErrorCode: 4006. ErrorMessage: The Destination/To number is not reachable.',
      { status: 'undelivered', reason: { code: 1404, message: 'Soft Bounce' } },
    ],
    [
      'Failed',
      'ErrorCode: 4004. ErrorMessage: The Destination/To number does not exist.',
      { status: 'undelivered', reason: { code: 1400, message: 'Hard Bounce' } },
    ],
    [
      'Failed',
      'ErrorCode: 4000. ErrorMessage: Message is rejected by fraud detection.',
      { status: 'undelivered', reason: { code: 1408, message: 'Carrier Violation' } },
    ],
    ['Failed', '4007', { status: 'undelivered', reason: { code: 1413, message: 'Recipient opted out' } }],
    ['Failed', 'ErrorCode: 7777. ErrorMessage: new to us', { status: 'undelivered', reason: { code: 1409, message: 'Unknown' } }],
    ['Failed', undefined, { status: 'undelivered', reason: { code: 1409, message: 'Unknown' } }],
    ['failed', 'errorcode:5001', { status: 'undelivered', reason: { code: 1412, message: 'Carrier temporarily unavailable' } }],
  ])('%s / %s', (status, details, expected) => {
    expect(mapAcsDelivery(status, details)).toEqual(expected);
  });

  test('a status that is not final is not a report', () => {
    expect(mapAcsDelivery('Pending', undefined)).toBeNull();
  });
});

describe('Event Grid envelopes', () => {
  const req = (rawBody: string, extra: Record<string, string> = {}, method = 'POST') => ({
    method,
    headers: extra,
    rawBody,
    url: 'http://x/api/carriers/acs/status?key=k',
  });

  test('both schemas reduce to the same event', () => {
    const grid = parseGridEvents(JSON.stringify([{ id: '1', eventType: 'T', eventTime: '2026-03-01T12:00:00Z', data: { a: 1 } }]));
    const cloud = parseGridEvents(
      JSON.stringify({ id: '1', specversion: '1.0', type: 'T', time: '2026-03-01T12:00:00Z', source: '/x', data: { a: 1 } }),
    );
    expect(grid).toEqual(cloud);
  });

  test.each(['[', 'null', '[1]', '[{"id":"1"}]', '[{"id":1,"eventType":"T"}]', '[{"id":"1","eventType":"T","data":[1]}]'])(
    '%s is malformed',
    (body) => {
      expect(() => parseGridEvents(body)).toThrow(CarrierPayloadError);
    },
  );

  test('handshakes are recognised only when they are handshakes', () => {
    expect(eventGridHandshake(req('[]'))).toBeNull();
    expect(eventGridHandshake(req('', {}, 'OPTIONS'))).toBeNull();
    expect(eventGridHandshake(req('', { 'webhook-request-origin': 'eventgrid.azure.net' }, 'OPTIONS'))).toMatchObject({
      status: 200,
      headers: { 'webhook-allowed-origin': 'eventgrid.azure.net' },
    });
    const validation = JSON.stringify([
      { id: 'v', eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: 'abc' } },
    ]);
    expect(eventGridHandshake(req(validation, { 'aeg-event-type': 'SubscriptionValidation' }))).toMatchObject({
      status: 200,
      body: '{"validationResponse":"abc"}',
    });
  });
});

describe('ACS repeatable requests', () => {
  test('the request id is a stable, valid GUID per message and recipient', () => {
    const id = requestIdFor('msg_01', '+14155550123');
    expect(id).toBe(requestIdFor('msg_01', '+14155550123'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestIdFor('msg_01', '+14155550124')).not.toBe(id);
    expect(requestIdFor('msg_02', '+14155550123')).not.toBe(id);
  });

  test('the first-sent time is kept while ACS still remembers the request, then renewed; forget drops it', async () => {
    const clock = new FakeClock(Date.parse('2026-03-01T12:00:00.000Z'));
    const r = createRepeatability(clock);
    const send = async (tag: string) => {
      const request = { method: 'POST', body: JSON.stringify({ smsRecipients: [{ to: '+1' }], smsSendOptions: { tag } }) };
      // The policy only needs method and body; the rest of the pipeline request is not used.
      await r.policy.sendRequest(request as never, async (req) => req as never);
      return JSON.parse(request.body).smsRecipients[0].repeatabilityFirstSent as string;
    };
    const first = await send('msg_A');
    expect(first).toBe('Sun, 01 Mar 2026 12:00:00 GMT');
    clock.advance(4 * 60_000);
    expect(await send('msg_A')).toBe(first);
    clock.advance(60_000);
    expect(await send('msg_A')).toBe('Sun, 01 Mar 2026 12:05:00 GMT');
    r.forget('msg_A');
    expect(r.firstSentOf('msg_A')).toBeUndefined();
  });
});

describe('Twilio vocabulary', () => {
  test.each([
    ['queued', undefined, { status: 'sent' }],
    ['sending', undefined, { status: 'sent' }],
    ['sent', undefined, { status: 'sent' }],
    ['delivered', undefined, { status: 'delivered' }],
    ['read', undefined, { status: 'delivered' }],
    ['undelivered', 30003, { status: 'undelivered', reason: { code: 1404, message: 'Soft Bounce' } }],
    ['undelivered', 30005, { status: 'undelivered', reason: { code: 1400, message: 'Hard Bounce' } }],
    ['undelivered', 30006, { status: 'undelivered', reason: { code: 1400, message: 'Hard Bounce' } }],
    ['undelivered', 30007, { status: 'undelivered', reason: { code: 1408, message: 'Carrier Violation' } }],
    ['undelivered', undefined, { status: 'undelivered', reason: { code: 1409, message: 'Unknown' } }],
    ['failed', 21610, { status: 'failed', reason: { code: 1413, message: 'Recipient opted out' } }],
    ['failed', undefined, { status: 'failed', reason: { code: 1410, message: 'Rejected by carrier' } }],
    ['received', undefined, null],
  ])('%s (%s)', (status, code, expected) => {
    expect(mapTwilioStatus(status, code)).toEqual(expected);
  });

  test('30003 and throttling are transient at submit; 30005, 30006, 30007 and 21610 are permanent', () => {
    expect([30003, 20429, 30001, 30022].map((c) => classifyTwilioError(c)?.transient)).toEqual([true, true, true, true]);
    expect([30005, 30006, 30007, 21610, 21211].map((c) => classifyTwilioError(c)?.transient)).toEqual([false, false, false, false, false]);
  });
});

describe('Kannel vocabulary', () => {
  const receipt = (stat: string, err: string) =>
    `id:4711 sub:001 dlvrd:000 submit date:2603011200 done date:2603011201 stat:${stat} err:${err} text:Hello`;
  test.each([
    [1, '', { status: 'delivered' }],
    [8, 'ACK/', { status: 'sent' }],
    [16, 'NACK/0x0000000b/Invalid Destination Address', { status: 'failed', reason: { code: 1410, message: 'Rejected by carrier' } }],
    [2, receipt('UNDELIV', '001'), { status: 'undelivered', reason: { code: 1400, message: 'Hard Bounce' } }],
    [2, receipt('UNDELIV', '027'), { status: 'undelivered', reason: { code: 1404, message: 'Soft Bounce' } }],
    [2, receipt('UNDELIV', '013'), { status: 'undelivered', reason: { code: 1408, message: 'Carrier Violation' } }],
    [2, receipt('EXPIRED', '001'), { status: 'undelivered', reason: { code: 1404, message: 'Soft Bounce' } }],
    [2, receipt('REJECTD', '999'), { status: 'undelivered', reason: { code: 1410, message: 'Rejected by carrier' } }],
    [2, receipt('UNDELIV', '999'), { status: 'undelivered', reason: { code: 1409, message: 'Unknown' } }],
    [2, '', { status: 'undelivered', reason: { code: 1409, message: 'Unknown' } }],
    [4, '', null],
    [3, '', null],
  ])('type %d with %s', (type, answer, expected) => {
    expect(mapKannelDlr(type, answer)).toEqual(expected);
  });

  test('receipts are read field by field', () => {
    expect(parseReceipt(receipt('delivrd', '000'))).toEqual({ stat: 'DELIVRD', err: '000' });
    expect(parseReceipt('garbage')).toEqual({});
  });

  test('MO text is decoded by the charset Kannel names', () => {
    expect(decodeText(Buffer.from('Hello é', 'utf8'), '0', 'UTF-8')).toBe('Hello é');
    expect(decodeText(Buffer.from([0x04, 0x1f, 0x04, 0x40, 0x04, 0x38]), '2', 'UTF-16BE')).toBe('При');
    expect(decodeText(Buffer.from([0x04, 0x1f]), '2', '')).toBe('П');
    expect(decodeText(Buffer.from([0x48, 0xe9]), '0', 'WINDOWS-1252')).toBe('Hé');
    expect(decodeText(Buffer.from([0x48, 0xe9]), '0', undefined)).toBe('Hé');
    expect(decodeText(null, '0', 'UTF-8')).toBe('');
  });

  test('raw query bytes are percent-decoded without reading them as UTF-8', () => {
    const req = { headers: {}, rawBody: '', url: 'http://x/api/carriers/kannel/inbound?key=k&text=%04%1F+%E9&x' };
    expect([...rawQueryBytes(req, 'text')!]).toEqual([0x04, 0x1f, 0x20, 0xe9]);
    expect(rawQueryBytes(req, 'missing')).toBeNull();
  });
});

test('carrier numbers become E.164 where they are international numbers', () => {
  expect(toE164('15555555555')).toBe('+15555555555');
  expect(toE164('+14155550100')).toBe('+14155550100');
  expect(toE164('004915112345678')).toBe('+4915112345678');
  expect(toE164('12345')).toBe('12345');
  expect(toE164('DataFlows')).toBe('DataFlows');
});
