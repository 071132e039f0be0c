import { startTestHost, type TestHost } from '../fixtures/testHost';
import { assignNumber, inbound, SIMULATOR_SECRET } from '../fixtures/webhookScenarios';

describe('inbound SMS', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_SECRET });
    await assignNumber(t, '+14155550999');
  });
  afterEach(() => t.close());

  const received = () => t.host.runtime.deps.store.outbox.listForAccount(t.host.seed.accountId, { type: 'sms.received' }, 100);

  test('a carrier delivering the same SMS again is acknowledged but recorded once', async () => {
    await inbound(t, '+14155550999', 'HELP', '+14155551234', 'carrier-msg-1');
    await inbound(t, '+14155550999', 'HELP', '+14155551234', 'carrier-msg-1'); // the carrier's retry
    await inbound(t, '+14155550999', 'HELP', '+14155551234', 'carrier-msg-2'); // a new SMS, same text
    const events = await received();
    expect(events.map((e) => e.data.carrierMessageId)).toEqual(['carrier-msg-1', 'carrier-msg-2']);
    expect(events[0]!.data).toMatchObject({ from: '+14155551234', text: 'HELP', virtualNumber: '+14155550999' });
  });

  test('an SMS to a number no account has is reported, not recorded', async () => {
    await inbound(t, '+14155550998', 'hello', '+14155551234', 'carrier-msg-3');
    expect(await received()).toEqual([]);
  });
});
