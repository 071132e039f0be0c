import { signSimulatorPayload, SIGNATURE_HEADER } from '../../shared/adapters/carriers/simulator/simulator';
import { eventCatalog } from '../../shared/webhooks/catalog';
import { DEV_KEY, startTestHost, type TestHost } from '../fixtures/testHost';
import { committedDefinition } from './committed';
import { PowerAutomate, startReceiver } from './powerAutomate';
import { responseValidator } from './responseSchemas';

/**
 * Flow simulation: for every trigger of the committed connector definition, Power Automate's side
 * of the webhook contract (powerAutomate.ts reads only the definition), against the embedded host:
 * subscribe with a callback URL on a local receiver, cause the event where the feature exists,
 * check the delivered payload against the trigger's x-ms-notification-content, turn the flow off
 * (DELETE on the Location) and see that causing the event again calls nobody.
 */

const SIMULATOR_SECRET = 'flow-test-simulator-secret';
const SUPPORT_LINE = '+14155550100';
const SALES_LINE = '+14155550199';

const definition = committedDefinition();
const triggerIds = new PowerAutomate(definition, 'http://unused', DEV_KEY).triggers().map((o) => o.id);

describe('Power Automate flows on every trigger', () => {
  let t: TestHost;
  let pa: PowerAutomate;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const validate = responseValidator(definition);
  let senderCounter = 0;

  beforeAll(async () => {
    t = await startTestHost({ SIMULATOR_SECRET });
    pa = new PowerAutomate(definition, t.url, DEV_KEY);
    receiver = await startReceiver();
    const me = await t.api.get('/me');
    for (const [number, label] of [[SUPPORT_LINE, 'Support line'], [SALES_LINE, 'Sales']] as const) {
      expect((await t.admin.post('/admin/virtual-numbers', { accountId: me.body.id, number, label })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  // ---- how each event is caused on the embedded host ------------------------------------------

  async function inbound(to: string, text: string): Promise<void> {
    const body = JSON.stringify({ messages: [{ id: `in-${to}-${t.clock.now()}-${text.length}`, from: '+14155550123', to, text, at: new Date(t.clock.now()).toISOString() }] });
    const res = await fetch(`${t.url}/api/carriers/simulator/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signSimulatorPayload(SIMULATOR_SECRET, body, t.clock.now()) },
      body,
    });
    expect(res.status).toBe(200);
  }

  async function sendAndDeliver(to = '+14155550123'): Promise<string> {
    const res = await t.api.post('/messages', { to, text: 'Flow test' });
    expect(res.status).toBe(202);
    await t.host.drain();
    await t.advance(1_000); // the simulator's delivery report
    return res.body.id;
  }

  async function schedule(): Promise<string> {
    const res = await t.api.post('/messages', { to: '+14155550125', text: 'Later', sendAt: new Date(t.clock.now() + 3_600_000).toISOString() });
    expect(res.status).toBe(202);
    return res.body.id;
  }

  async function senderIdDecision(decision: 'approve' | 'reject'): Promise<void> {
    const requested = await t.api.post('/sender-ids', { value: `FLOW${++senderCounter}` });
    expect(requested.status).toBe(201);
    expect((await t.admin.post(`/admin/sender-ids/${requested.body.id}/${decision}`, { reason: 'Checked' })).status).toBe(200);
  }

  /** Sets the low-balance threshold just under the balance, then one message crosses it. */
  async function crossLowBalance(): Promise<void> {
    const credits = (await t.api.get('/balance')).body.credits as string;
    const units = Math.round(Number(credits) * 10_000) - 50; // 0.0050 under; one US segment costs 0.0079
    expect((await t.api.patch('/account', { lowBalanceThreshold: (units / 10_000).toFixed(4) })).status).toBe(200);
    await sendAndDeliver();
  }

  interface Case {
    /** What the maker picks in the trigger's parameters (dropdowns are filled from their list operations). */
    inputs?: () => Promise<Record<string, unknown>>;
    cause: () => Promise<void>;
    /** How many events the cause must deliver through this subscription, and what they say. */
    expect: { count: number; data: Record<string, unknown> };
  }

  const cases: Record<string, Case> = {
    OnSmsReceived: {
      inputs: async () => {
        const choices = await pa.dropdown('OnSmsReceived', 'virtualNumber');
        expect(choices).toEqual(expect.arrayContaining([{ value: SUPPORT_LINE, title: `${SUPPORT_LINE} (Support line)` }]));
        return { virtualNumber: choices.find((c) => c.title === `${SUPPORT_LINE} (Support line)`)!.value };
      },
      // The message to the other number must not reach this flow: the filter works.
      cause: async () => {
        await inbound(SUPPORT_LINE, 'Where is my order?');
        await inbound(SALES_LINE, 'Price list please');
      },
      expect: { count: 1, data: { virtualNumber: SUPPORT_LINE, text: 'Where is my order?', from: '+14155550123' } },
    },
    OnSmsStatusChanged: {
      inputs: async () => ({ statuses: ['delivered'], senderId: (await pa.dropdown('OnSmsStatusChanged', 'senderId'))[0]!.value }),
      cause: async () => {
        await sendAndDeliver();
      },
      expect: { count: 1, data: { status: 'delivered', previousStatus: 'sent', recipient: '+14155550123' } },
    },
    OnBalanceLow: { cause: crossLowBalance, expect: { count: 1, data: { currency: 'USD' } } },
    OnMessageScheduled: {
      cause: async () => {
        await schedule();
      },
      expect: { count: 1, data: { recipient: '+14155550125', text: 'Later' } },
    },
    OnMessageCancelled: {
      cause: async () => {
        const id = await schedule();
        expect((await t.api.post(`/messages/${id}/cancel`, { reason: 'Plans changed' })).status).toBe(200);
      },
      expect: { count: 1, data: { reason: 'Plans changed', recipient: '+14155550125' } },
    },
    OnSenderIdApproved: { cause: () => senderIdDecision('approve'), expect: { count: 1, data: { status: 'approved' } } },
    OnSenderIdRejected: { cause: () => senderIdDecision('reject'), expect: { count: 1, data: { status: 'rejected', reason: 'Checked' } } },
  };

  test('the definition has the 17 triggers, and every event the product emits today has a case here', () => {
    expect(triggerIds).toHaveLength(17);
    const emitted = eventCatalog.filter((d) => d.emitted).map((d) => d.operationId).sort();
    expect(Object.keys(cases).sort()).toEqual(emitted);
  });

  const caused = triggerIds.filter((id) => cases[id]);
  const notYet = triggerIds.filter((id) => !cases[id]);

  test.each(caused)('%s: subscribe, cause the event, receive a payload matching x-ms-notification-content, turn off, silence', async (id) => {
    const c = cases[id]!;
    const path = `/flow/${id}`;
    const sub = await pa.subscribe(id, `${receiver.url}${path}`, c.inputs ? await c.inputs() : {});
    expect(sub.status).toBe(201);
    expect(sub.location).toMatch(new RegExp(`^${t.url}/api/hooks/sub_`));

    await c.cause();
    await t.host.drain();
    const calls = receiver.callsTo(path);
    expect(calls).toHaveLength(c.expect.count);
    const schema = pa.notificationSchema(id);
    for (const call of calls) {
      expect({ id, errors: validate(schema, call.body) }).toEqual({ id, errors: [] });
      const payload = call.body as { id: string; data: Record<string, unknown> };
      expect(payload.data).toMatchObject(c.expect.data);
      expect(call.headers['webhook-id']).toBe(payload.id); // Standard Webhooks: the id Power Automate can dedupe on
    }

    // Turning the flow off: Power Automate DELETEs the Location; it retries DELETEs, so a repeat succeeds too.
    expect(await pa.unsubscribe(sub.location!)).toBe(204);
    expect(await pa.unsubscribe(sub.location!)).toBe(204);
    await c.cause();
    await t.host.drain();
    expect(receiver.callsTo(path)).toHaveLength(c.expect.count);
  });

  test.each(notYet)('%s: subscribe and unsubscribe (the feature that emits it does not exist yet)', async (id) => {
    const path = `/flow/${id}`;
    const sub = await pa.subscribe(id, `${receiver.url}${path}`);
    expect(sub.status).toBe(201);
    expect(sub.location).toMatch(new RegExp(`^${t.url}/api/hooks/sub_`));
    // Subscribing again with the same callback URL (Power Automate re-saves flows) is an upsert, not a second subscription.
    const again = await pa.subscribe(id, `${receiver.url}${path}`);
    expect(again.location).toBe(sub.location);
    expect(await pa.unsubscribe(sub.location!)).toBe(204);
    expect(await pa.unsubscribe(sub.location!)).toBe(204);
    expect(receiver.callsTo(path)).toEqual([]);
  });
});
