import { signSimulatorPayload, SIGNATURE_HEADER } from '../../shared/adapters/carriers/simulator/simulator';
import { advanceCampaigns } from '../../shared/app/campaignSending';
import { eventCatalog } from '../../shared/webhooks/catalog';
import { DEV_KEY, startTestHost, type TestHost } from '../fixtures/testHost';
import { connectorKey } from '../fixtures/connectorKey';
import { crossMonitorThresholds } from '../fixtures/webhookScenarios';
import { committedDefinition } from './committed';
import { PowerAutomate, startReceiver } from './powerAutomate';
import { responseValidator } from './responseSchemas';

/**
 * Flow simulation: for every trigger of the committed connector definition, Power Automate's side
 * of the webhook contract (powerAutomate.ts reads only the definition), against the embedded host:
 * subscribe with a callback URL on a local receiver, subscribe again (a re-saved flow), cause the
 * event, check the delivered payload against the trigger's x-ms-notification-content, turn the flow
 * off (DELETE on the Location) and see that causing the event again calls nobody.
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
    // The connection's key holds only the connector's scopes (README), not the account's full key.
    pa = new PowerAutomate(definition, t.url, await connectorKey(t));
    receiver = await startReceiver();
    const me = await t.api.get('/me');
    for (const [number, label] of [
      [SUPPORT_LINE, 'Support line'],
      [SALES_LINE, 'Sales'],
    ] as const) {
      expect((await t.admin.post('/operator/virtual-numbers', { accountId: me.body.id, number, label })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  // ---- how each event is caused on the embedded host ------------------------------------------

  async function inbound(to: string, text: string): Promise<void> {
    const body = JSON.stringify({
      messages: [
        { id: `in-${to}-${t.clock.now()}-${text.length}`, from: '+14155550123', to, text, at: new Date(t.clock.now()).toISOString() },
      ],
    });
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
    const res = await t.api.post('/messages', {
      to: '+14155550125',
      text: 'Later',
      sendAt: new Date(t.clock.now() + 3_600_000).toISOString(),
    });
    expect(res.status).toBe(202);
    return res.body.id;
  }

  async function senderIdDecision(decision: 'approve' | 'reject'): Promise<void> {
    const requested = await t.api.post('/sender-ids', { value: `FLOW${++senderCounter}` });
    expect(requested.status).toBe(201);
    expect((await t.admin.post(`/operator/sender-ids/${requested.body.id}/${decision}`, { reason: 'Checked' })).status).toBe(200);
  }

  /** Sets the low-balance threshold just under the balance, then one message crosses it. */
  async function crossLowBalance(): Promise<void> {
    const credits = (await t.api.get('/balance')).body.credits as string;
    const units = Math.round(Number(credits) * 10_000) - 50; // 0.0050 under; one US segment costs 0.0079
    expect((await t.api.patch('/account', { lowBalanceThreshold: (units / 10_000).toFixed(4) })).status).toBe(200);
    await sendAndDeliver();
  }

  let contactCounter = 0;
  async function addContact(groupIds: string[]): Promise<string> {
    const res = await t.api.post('/contacts', { phone: `+1415555${String(3_000 + (contactCounter += 1))}`, groupIds });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  /** Creates a contact group and picks it in the trigger's Group dropdown, as a maker would. */
  async function pickGroup(operationId: string, name: string): Promise<string> {
    const created = await t.api.post('/groups', { name });
    expect(created.status).toBe(201);
    const choice = (await pa.dropdown(operationId, 'groupId')).find((c) => String(c.title).startsWith(`${name} (`));
    expect(choice?.value).toBe(created.body.id);
    return created.body.id;
  }

  const flowGroups: Record<string, string> = {};

  /** A draft bulk campaign to a new group of one contact; `pick` chooses it in the trigger's Campaign dropdown. */
  let campaignCounter = 0;
  async function draftCampaign(): Promise<string> {
    const n = (campaignCounter += 1);
    const group = await t.api.post('/groups', { name: `Flow campaign group ${n}` });
    await addContact([group.body.id]);
    const created = await t.api.post('/campaigns', {
      name: `Flow campaign ${n}`,
      kind: 'bulk',
      text: 'Flow campaign message',
      groupIds: [group.body.id],
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }
  async function pickCampaign(operationId: string): Promise<string> {
    const id = await draftCampaign();
    const choice = (await pa.dropdown(operationId, 'campaignId')).find((c) => c.value === id);
    expect(choice?.title).toMatch(/^Flow campaign \d+ \(bulk, draft\)$/);
    return id;
  }
  /** Starts the picked campaign (once) and, every time, another one the flow's filter must keep out. */
  async function startCampaigns(picked: string): Promise<void> {
    const ids = [picked, await draftCampaign()];
    for (const id of ids) {
      const res = await t.api.post(`/campaigns/${id}/start`);
      expect([200, 409]).toContain(res.status);
    }
    await t.host.drain();
  }
  const flowCampaigns: Record<string, string> = {};
  const updatedContacts: string[] = [];

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
    // Both monitors fire on each cause; each flow receives only its own trigger.
    OnDeliveryRateLow: {
      cause: () => crossMonitorThresholds(t),
      expect: { count: 1, data: { threshold: 1, currentRate: expect.any(Number), affectedCampaigns: expect.any(Array) } },
    },
    OnHighBounceRate: {
      cause: () => crossMonitorThresholds(t),
      expect: {
        count: 1,
        data: {
          threshold: 0,
          affectedNumbers: expect.arrayContaining(['+14155551400']),
          bounceReasons: expect.arrayContaining([expect.objectContaining({ code: 1400 })]),
        },
      },
    },
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
    OnContactAdded: {
      inputs: async () => ({ groupId: (flowGroups.added = await pickGroup('OnContactAdded', 'Flow added')) }),
      // The contact outside the group must not reach this flow: the filter works.
      cause: async () => {
        await addContact([flowGroups.added!]);
        await addContact([]);
      },
      expect: {
        count: 1,
        data: { groups: [{ groupId: expect.any(String), name: 'Flow added' }], contact: expect.objectContaining({ optedOut: false }) },
      },
    },
    OnContactUpdated: {
      inputs: async () => {
        flowGroups.updated = await pickGroup('OnContactUpdated', 'Flow updated');
        updatedContacts.push(await addContact([flowGroups.updated]), await addContact([]));
        return { groupId: flowGroups.updated };
      },
      cause: async () => {
        for (const id of updatedContacts)
          expect((await t.api.patch(`/contacts/${id}`, { firstName: `Flow ${(contactCounter += 1)}` })).status).toBe(200);
      },
      expect: { count: 1, data: { changedFields: ['firstName'], groups: [{ groupId: expect.any(String), name: 'Flow updated' }] } },
    },
    OnContactDeleted: {
      inputs: async () => ({ groupId: (flowGroups.deleted = await pickGroup('OnContactDeleted', 'Flow deleted')) }),
      cause: async () => {
        for (const id of [await addContact([flowGroups.deleted!]), await addContact([])])
          expect((await t.api.delete(`/contacts/${id}`)).status).toBe(200);
      },
      expect: { count: 1, data: { reason: 'api', groups: [{ groupId: expect.any(String), name: 'Flow deleted' }] } },
    },
    OnCampaignStarted: {
      inputs: async () => ({ campaignId: (flowCampaigns.started = await pickCampaign('OnCampaignStarted')) }),
      cause: () => startCampaigns(flowCampaigns.started!),
      expect: { count: 1, data: { campaignId: expect.stringMatching(/^cmp_/), recipientCount: 1, scheduledFor: null } },
    },
    OnCampaignCompleted: {
      inputs: async () => ({ campaignId: (flowCampaigns.completed = await pickCampaign('OnCampaignCompleted')) }),
      cause: async () => {
        await startCampaigns(flowCampaigns.completed!);
        await t.advance(1_000); // the simulator's delivery reports
        await advanceCampaigns(t.host.runtime.deps); // the campaign job's round
      },
      expect: { count: 1, data: { totalSent: 1, delivered: 1, undelivered: 0, deliveryRate: 1, totalCost: '0.0079' } },
    },
    OnCampaignFailed: {
      inputs: async () => ({ campaignId: (flowCampaigns.failed = await pickCampaign('OnCampaignFailed')) }),
      // Both campaigns run out of credits; only the picked one reaches this flow.
      cause: async () => {
        const credits = (await t.api.get('/balance')).body.credits as string;
        const me = (await t.api.get('/me')).body.id as string;
        expect((await t.admin.post(`/operator/accounts/${me}/credits`, { amount: `-${credits}` })).status).toBe(200);
        await startCampaigns(flowCampaigns.failed!);
        expect((await t.admin.post(`/operator/accounts/${me}/credits`, { amount: credits })).status).toBe(200);
      },
      expect: {
        count: 1,
        data: { error: { code: 'insufficient_credits', message: expect.any(String) }, affectedRecipients: 1, sentBeforeFailure: 0 },
      },
    },
    OnKeywordMatched: {
      inputs: async () => {
        expect((await t.api.post('/keywords', { keyword: 'Hours', matchType: 'starts_with', virtualNumber: SUPPORT_LINE })).status).toBe(
          201,
        );
        expect((await t.api.post('/keywords', { keyword: 'Price', matchType: 'contains' })).status).toBe(201);
        const choices = await pa.dropdown('OnKeywordMatched', 'keyword');
        expect(choices).toEqual(
          expect.arrayContaining([
            { value: 'Hours', title: 'Hours (starts_with)' },
            { value: 'Price', title: 'Price (contains)' },
          ]),
        );
        return { keyword: choices.find((c) => c.value === 'Hours')!.value };
      },
      // The other rule's match must not reach this flow: the filter works.
      cause: async () => {
        await inbound(SUPPORT_LINE, 'Hours on Sunday?');
        await inbound(SALES_LINE, 'your price list');
      },
      expect: {
        count: 1,
        data: {
          keyword: 'Hours',
          matchType: 'starts_with',
          text: 'Hours on Sunday?',
          virtualNumber: SUPPORT_LINE,
          from: '+14155550123',
          contactId: null,
        },
      },
    },
    OnAutoReplySent: {
      inputs: async () => {
        expect((await t.api.post('/keywords', { keyword: 'Menu', reply: 'Today: {{dish|soup}}' })).status).toBe(201);
        return { virtualNumber: (await pa.dropdown('OnAutoReplySent', 'virtualNumber')).find((c) => c.value === SALES_LINE)!.value };
      },
      // Both numbers answer; only the reply from the chosen one reaches this flow.
      cause: async () => {
        await inbound(SALES_LINE, 'menu');
        await inbound(SUPPORT_LINE, 'MENU!');
      },
      expect: {
        count: 1,
        data: {
          virtualNumber: SALES_LINE,
          keyword: 'Menu',
          originalMessage: expect.objectContaining({ text: 'menu' }),
          reply: expect.objectContaining({ text: 'Today: soup' }),
          sender: { phone: '+14155550123', contactId: null },
        },
      },
    },
    OnSenderIdApproved: { cause: () => senderIdDecision('approve'), expect: { count: 1, data: { status: 'approved' } } },
    OnSenderIdRejected: { cause: () => senderIdDecision('reject'), expect: { count: 1, data: { status: 'rejected', reason: 'Checked' } } },
  };

  test('the definition has the 17 triggers, and every event of the catalog has a case here', () => {
    expect(triggerIds).toHaveLength(17);
    expect(Object.keys(cases).sort()).toEqual(eventCatalog.map((d) => d.operationId).sort());
  });

  // Every trigger has a case (the test above).
  test.each(triggerIds)(
    '%s: subscribe, re-save, cause the event, receive a payload matching x-ms-notification-content, turn off, silence',
    async (id) => {
      const c = cases[id]!;
      const path = `/flow/${id}`;
      const inputs = c.inputs ? await c.inputs() : {};
      const sub = await pa.subscribe(id, `${receiver.url}${path}`, inputs);
      expect(sub.status).toBe(201);
      expect(sub.location).toMatch(new RegExp(`^${t.url}/api/hooks/sub_`));
      // Power Automate re-saves flows: subscribing again with the same callback URL is an upsert, not a second subscription.
      expect((await pa.subscribe(id, `${receiver.url}${path}`, inputs)).location).toBe(sub.location);

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
    },
  );
});
