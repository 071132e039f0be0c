import SwaggerClient, { type SwaggerClientInstance, type SwaggerResponse } from 'swagger-client';
import { startTestHost, type TestHost } from '../fixtures/testHost';
import { connectorKey } from '../fixtures/connectorKey';
import { decideSenderId } from '../fixtures/webhookScenarios';
import { startReceiver, type Receiver } from '../fixtures/webhookReceiver';
import { operations, type Json } from './certificationRules';
import { committedDefinition } from './committed';
import { declaredResponse, responseValidator } from './responseSchemas';

/**
 * Every action of the committed connector definition, driven by operationId through a generic
 * OpenAPI client (swagger-client builds each request from the definition alone: path, query,
 * headers, body, API-key header), against the embedded host. Each answer must be a status the
 * operation declares, with a body valid against the declared schema.
 */
describe('every connector action through swagger-client against the embedded host', () => {
  let t: TestHost;
  let spec: Json;
  let client: SwaggerClientInstance;
  let validate: ReturnType<typeof responseValidator>;
  let r: Receiver; // the endpoint of the webhook subscription the administration actions look at
  const driven = new Set<string>();
  const ctx: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestHost();
    // What a maker does when pointing the imported connector at a deployment: only host and scheme change.
    spec = { ...committedDefinition(), host: new URL(t.url).host, schemes: ['http'] };
    // A connection made with a key holding only the connector's scopes (README), not the account's full key.
    client = await SwaggerClient({ spec, authorizations: { api_key: await connectorKey(t) } });
    validate = responseValidator(spec);
    r = await startReceiver();
  });
  afterAll(async () => {
    await r.close();
    await t.close();
  });

  async function call(operationId: string, parameters: Record<string, unknown>, expectedStatus: number): Promise<SwaggerResponse> {
    let res: SwaggerResponse;
    try {
      res = await client.execute({ operationId, parameters });
    } catch (err) {
      // swagger-client rejects non-2xx answers; the response rides on the error.
      const response = (err as { response?: SwaggerResponse }).response;
      if (!response) throw err;
      res = response;
    }
    expect({ operationId, status: res.status, body: res.body }).toMatchObject({ operationId, status: expectedStatus });
    const declared = declaredResponse(spec, operationId, res.status);
    expect({ operationId, status: res.status, declared: declared.declared }).toEqual({ operationId, status: res.status, declared: true });
    if (declared.schema) expect({ operationId, errors: validate(declared.schema, res.body) }).toEqual({ operationId, errors: [] });
    driven.add(operationId);
    return res;
  }
  const body = (r: SwaggerResponse): Record<string, any> => r.body as Record<string, any>; // answers are checked against their schema above

  test('GetAccount (the connection test) and GetBalance', async () => {
    expect(body(await call('GetAccount', {}, 200)).scopes).toContain('messages:send');
    expect(body(await call('GetBalance', {}, 200)).currency).toBe('USD');
  });

  test('UpdateAccountSettings', async () => {
    expect(
      body(await call('UpdateAccountSettings', { body: { lowBalanceThreshold: '5.00', defaultCountry: 'US' } }, 200)).lowBalanceThreshold,
    ).toBe('5.00');
    const monitors = body(
      await call('UpdateAccountSettings', { body: { monitors: { deliveryRateThreshold: 0.8, minSample: 25 } } }, 200),
    ).monitors;
    expect(monitors).toEqual({ deliveryRateThreshold: 0.8, bounceRateThreshold: 0.05, windowMinutes: 60, minSample: 25 });
  });

  test('GetCallbackSigningSecret', async () => {
    expect(body(await call('GetCallbackSigningSecret', {}, 200)).secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  });

  test('RotateCallbackSigningSecret answers the new secret, which GetCallbackSigningSecret then returns', async () => {
    const rotated = body(await call('RotateCallbackSigningSecret', { body: { overlapHours: 1 } }, 200));
    expect(rotated).toEqual({
      secret: expect.stringMatching(/^whsec_/),
      previousSecretExpiresAt: new Date(t.clock.now() + 3_600_000).toISOString(),
    });
    expect(body(await call('GetCallbackSigningSecret', {}, 200)).secret).toBe(rotated.secret);
  });

  test("ListSenderIdValues feeds SendSms's from, as the designer's dropdown does", async () => {
    const values = body(await call('ListSenderIdValues', {}, 200));
    ctx.from = values.items[0].value;
    expect(ctx.from).toBeTruthy();
    const sent = await call(
      'SendSms',
      { 'Idempotency-Key': 'connector-test-1', body: { to: '+14155550123', text: 'Hello from a flow', from: ctx.from } },
      202,
    );
    ctx.messageId = body(sent).id;
    expect(body(sent)).toMatchObject({ status: 'queued', from: ctx.from, encoding: 'GSM-7', segments: 1 });
    await t.host.drain(); // the send task
    await t.advance(1_000); // the simulator's delivery report
  });

  test('GetMessage and ListMessages see it delivered', async () => {
    expect(body(await call('GetMessage', { messageId: ctx.messageId }, 200))).toMatchObject({ id: ctx.messageId, status: 'delivered' });
    const page = body(await call('ListMessages', { status: 'delivered', limit: 10 }, 200));
    expect(page.items.map((m: { id: string }) => m.id)).toContain(ctx.messageId);
  });

  test('SendSms with sendAt, then CancelScheduledMessage', async () => {
    const sendAt = new Date(t.clock.now() + 3_600_000).toISOString();
    const scheduled = body(await call('SendSms', { body: { to: '+14155550124', text: 'Later', sendAt } }, 202));
    expect(scheduled.status).toBe('scheduled');
    const cancelled = body(await call('CancelScheduledMessage', { messageId: scheduled.id, body: { reason: 'Plans changed' } }, 200));
    expect(cancelled.status).toBe('cancelled');
  });

  test('ExportPersonalData and ErasePersonalData: the number is exported, then erased, and a second erasure counts zeros', async () => {
    await call('SendSms', { body: { to: '+14155550188', text: 'A text to erase' } }, 202);
    const exported = body(await call('ExportPersonalData', { phone: '+14155550188' }, 200));
    expect(exported.messagesSent.map((m: { text: string }) => m.text)).toEqual(['A text to erase']);
    expect(body(await call('ErasePersonalData', { body: { phone: '+14155550188' } }, 200)).erased).toMatchObject({ messages: 1 });
    expect(body(await call('ErasePersonalData', { body: { phone: '+14155550188' } }, 200)).erased.messages).toBe(0);
    expect(body(await call('ExportPersonalData', { phone: '+14155550188' }, 200)).messagesSent).toEqual([]);
  });

  test('AddOptOut, ListOptOuts and RemoveOptOut; SendSms to an opted-out recipient is refused', async () => {
    const added = body(await call('AddOptOut', { body: { phone: '+14155550177' } }, 201));
    expect(added).toMatchObject({ phone: '+14155550177', source: 'api' });
    expect(body(await call('ListOptOuts', { limit: 10 }, 200)).items.map((o: { phone: string }) => o.phone)).toContain('+14155550177');
    expect(body(await call('SendSms', { body: { to: '+14155550177', text: 'Hi' } }, 422)).code).toBe('recipient_opted_out');
    expect(body(await call('RemoveOptOut', { phone: '+14155550177' }, 200)).phone).toBe('+14155550177');
    expect(body(await call('RemoveOptOut', { phone: '+14155550177' }, 404)).code).toBe('not_found');
  });

  test('RequestSenderId and ListSenderIds', async () => {
    const requested = body(await call('RequestSenderId', { body: { value: 'ACME', purpose: 'Order updates' } }, 201));
    expect(requested.status).toBe('pending');
    const pending = body(await call('ListSenderIds', { status: 'pending' }, 200));
    expect(pending.items.map((s: { value: string }) => s.value)).toContain('ACME');
  });

  test('ListVirtualNumbers and ListVirtualNumberValues', async () => {
    const me = await t.api.get('/me');
    expect(
      (await t.admin.post('/operator/virtual-numbers', { accountId: me.body.id, number: '+14155550100', label: 'Support line' })).status,
    ).toBe(201);
    expect(body(await call('ListVirtualNumbers', {}, 200)).items[0].number).toBe('+14155550100');
    expect(body(await call('ListVirtualNumberValues', {}, 200)).items).toEqual([
      { value: '+14155550100', title: '+14155550100 (Support line)' },
    ]);
  });

  test('keyword rules: every action, ListKeywordValues; SendSms from a virtual number', async () => {
    const rule = body(
      await call(
        'CreateKeywordRule',
        { body: { keyword: 'Hours', matchType: 'starts_with', virtualNumber: '+14155550100', reply: 'Open 9-17, {{firstName|friend}}' } },
        201,
      ),
    );
    expect(rule).toMatchObject({ keyword: 'Hours', matchType: 'starts_with', virtualNumber: '+14155550100', active: true });
    expect(
      body(await call('CreateKeywordRule', { body: { keyword: 'hours', matchType: 'starts_with', virtualNumber: '+14155550100' } }, 409))
        .code,
    ).toBe('keyword_rule_exists');
    expect(body(await call('CreateKeywordRule', { body: { keyword: 'STOP' } }, 422)).errors[0].path).toBe('/keyword');
    expect(body(await call('CreateKeywordRule', { body: { keyword: 'Menu', reply: 'Today {{dish' } }, 400)).errors[0].path).toBe('/reply');
    expect(body(await call('ListKeywordRules', {}, 200)).items.map((k: { id: string }) => k.id)).toEqual([rule.id]);
    expect(body(await call('GetKeywordRule', { keywordId: rule.id }, 200))).toEqual(rule);
    await call('GetKeywordRule', { keywordId: 'kw_missing' }, 404);
    expect(body(await call('UpdateKeywordRule', { keywordId: rule.id, body: { virtualNumber: null, active: false } }, 200))).toMatchObject({
      id: rule.id,
      virtualNumber: null,
      active: false,
    });
    expect(body(await call('ListKeywordValues', {}, 200)).items).toEqual([{ value: 'Hours', title: 'Hours (starts_with)' }]);
    expect(body(await call('DeleteKeywordRule', { keywordId: rule.id }, 200)).id).toBe(rule.id);
    await call('DeleteKeywordRule', { keywordId: rule.id }, 404);
    expect(
      body(await call('SendSms', { body: { to: '+14155550126', text: 'From the support line', from: '+14155550100' } }, 202)).from,
    ).toBe('+14155550100');
  });

  test('DeleteWebhookSubscription removes a trigger subscription, and again succeeds', async () => {
    const sub = await call('OnSmsReceived', { body: { callbackUrl: 'http://127.0.0.1:9/flow' } }, 201);
    ctx.subscriptionId = body(sub).id;
    await call('DeleteWebhookSubscription', { subscriptionId: ctx.subscriptionId }, 204);
    await call('DeleteWebhookSubscription', { subscriptionId: ctx.subscriptionId }, 204);
  });

  test('errors come back as the declared problem documents', async () => {
    const bad = body(await call('SendSms', { body: { to: '+14155550123', text: '' } }, 400));
    expect(bad.errors[0].path).toMatch(/text/);
    await call('GetMessage', { messageId: 'msg_doesnotexist' }, 404);
  });

  test('the response check is strict: an undeclared field, a wrong type or a missing required field fails it', async () => {
    const schema = declaredResponse(spec, 'GetMessage', 200).schema!;
    const message = body(await call('GetMessage', { messageId: ctx.messageId }, 200));
    expect(validate(schema, { ...message, surprise: true }).join()).toMatch(/additional properties/);
    expect(validate(schema, { ...message, segments: '1' }).join()).toMatch(/segments must be integer/);
    const { status: _status, ...withoutStatus } = message;
    expect(validate(schema, withoutStatus).join()).toMatch(/required property 'status'/);
  });

  test('ListWebhookSubscriptions and GetWebhookSubscription show a failing subscription', async () => {
    r.always({ status: 500, body: 'database down' });
    ctx.hooksSince = new Date(t.clock.now()).toISOString();
    const sub = await call('OnSenderIdApproved', { body: { callbackUrl: r.url('/flow') } }, 201);
    ctx.hookId = body(sub).id;
    await decideSenderId(t, 'Globex', 'approve');
    await t.host.drain();
    expect(r.received).toHaveLength(1);
    const list = body(await call('ListWebhookSubscriptions', {}, 200));
    expect(list.items.map((s: { id: string }) => s.id)).toEqual([ctx.hookId]);
    const one = body(await call('GetWebhookSubscription', { subscriptionId: ctx.hookId }, 200));
    expect(one).toMatchObject({
      id: ctx.hookId,
      eventType: 'sender_id.approved',
      status: 'active',
      health: { state: 'failing', consecutiveFailures: 1, lastStatusCode: 500 },
    });
    expect(one.secret).toBeUndefined();
    await call('GetWebhookSubscription', { subscriptionId: 'sub_doesnotexist' }, 404);
  });

  test('ListEvents finds the event and ListWebhookDeliveries its failed attempt', async () => {
    const events = body(await call('ListEvents', { type: 'sender_id.approved', since: ctx.hooksSince, limit: 10 }, 200));
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({ type: 'sender_id.approved', data: expect.objectContaining({ value: 'Globex' }) });
    ctx.eventId = events.items[0].id;
    const attempts = body(await call('ListWebhookDeliveries', { subscriptionId: ctx.hookId, eventId: ctx.eventId, limit: 10 }, 200));
    expect(attempts.items).toEqual([
      expect.objectContaining({
        eventId: ctx.eventId,
        webhookId: ctx.eventId,
        attempt: 1,
        statusCode: 500,
        outcome: 'retrying',
        responseExcerpt: 'database down',
      }),
    ]);
  });

  test('ReplayWebhookDeliveries sends the given-up delivery again', async () => {
    for (let hour = 0; hour < 48; hour++) await t.advance(3_600_000); // every retry fails too
    const attempts = body(await call('ListWebhookDeliveries', { subscriptionId: ctx.hookId }, 200)).items as { outcome: string }[];
    expect(attempts[0]!.outcome).toBe('failed');
    r.always({ status: 200 });
    r.clear();
    const replay = body(await call('ReplayWebhookDeliveries', { subscriptionId: ctx.hookId, body: { since: ctx.hooksSince } }, 202));
    expect(replay.eventIds).toEqual([ctx.eventId]);
    await t.host.drain();
    expect(r.received.map((w) => w.headers['webhook-id'])).toEqual([ctx.eventId]);
    expect(body(await call('GetWebhookSubscription', { subscriptionId: ctx.hookId }, 200)).health.state).toBe('healthy');
  });

  test('RedeliverEvent sends one event again, to every matching subscription or to the one named', async () => {
    r.clear();
    expect(body(await call('RedeliverEvent', { eventId: ctx.eventId }, 202))).toEqual({
      eventId: ctx.eventId,
      subscriptionIds: [ctx.hookId],
    });
    expect(body(await call('RedeliverEvent', { eventId: ctx.eventId, body: { subscriptionId: ctx.hookId } }, 202))).toEqual({
      eventId: ctx.eventId,
      subscriptionIds: [ctx.hookId],
    });
    await t.host.drain();
    expect(r.received.map((w) => w.headers['webhook-id'])).toEqual([ctx.eventId, ctx.eventId]);
    await call('RedeliverEvent', { eventId: 'evt_doesnotexist' }, 404);
    const rotated = body(await call('RotateWebhookSecret', { subscriptionId: ctx.hookId }, 200));
    expect(rotated).toEqual({
      secret: expect.stringMatching(/^whsec_/),
      previousSecretExpiresAt: new Date(t.clock.now() + 86_400_000).toISOString(),
    });
    await call('DeleteWebhookSubscription', { subscriptionId: ctx.hookId }, 204);
  });

  test('contacts and groups: every action, with ListGroupValues feeding the group fields', async () => {
    const group = body(await call('CreateGroup', { body: { name: 'Connector VIP', description: 'From a flow' } }, 201));
    expect(body(await call('CreateGroup', { body: { name: 'connector vip' } }, 409)).code).toBe('group_exists');
    const choices = body(await call('ListGroupValues', {}, 200)).items as { value: string; title: string }[];
    expect(choices).toContainEqual({ value: group.id, title: 'Connector VIP (0 contacts)' });
    const ada = body(
      await call(
        'CreateContact',
        {
          body: {
            phone: '+14155552101',
            firstName: 'Ada',
            customFields: { plan: 'gold' },
            groupIds: [choices.find((c) => c.value === group.id)!.value],
          },
        },
        201,
      ),
    );
    expect(ada).toMatchObject({ phone: '+14155552101', groups: [{ groupId: group.id, name: 'Connector VIP' }], optedOut: false });
    expect(body(await call('CreateContact', { body: { phone: '+14155552101' } }, 409)).contactId).toBe(ada.id);
    expect(body(await call('CreateContact', { body: { phone: '+14155552109', groupIds: ['grp_missing'] } }, 422)).errors[0].path).toBe(
      '/groupIds/0',
    );
    const imported = body(
      await call('ImportContacts', { body: { csv: 'phone,firstName,city\n+14155552102,Grace,Oslo\nnope,,\n', groupIds: [group.id] } }, 200),
    );
    expect(imported).toEqual({ created: 1, updated: 0, unchanged: 0, errors: [{ row: 3, field: 'phone', message: expect.any(String) }] });
    const listed = body(await call('ListContacts', { groupId: group.id, limit: 10 }, 200));
    expect(listed.items.map((c: { phone: string }) => c.phone)).toEqual(['+14155552101', '+14155552102']);
    expect(body(await call('GetContact', { contactId: ada.id }, 200))).toEqual(ada);
    await call('GetContact', { contactId: 'ctc_missing' }, 404);
    expect(
      body(await call('UpdateContact', { contactId: ada.id, body: { lastName: 'Lovelace', customFields: { plan: null } } }, 200)),
    ).toMatchObject({ lastName: 'Lovelace', customFields: {} });
    expect(body(await call('ListGroups', {}, 200)).items).toContainEqual(expect.objectContaining({ id: group.id, contactCount: 2 }));
    const renamed = body(await call('UpdateGroup', { groupId: group.id, body: { name: 'Connector VIPs' } }, 200));
    expect(renamed).toMatchObject({ name: 'Connector VIPs', contactCount: 2 });
    expect(body(await call('GetGroup', { groupId: group.id }, 200))).toEqual(renamed);
    const other = body(await call('CreateGroup', { body: { name: 'Connector others' } }, 201));
    expect(body(await call('AddContactsToGroup', { groupId: other.id, body: { contactIds: [ada.id] } }, 200))).toMatchObject({
      added: [ada.id],
      alreadyMembers: [],
      group: { contactCount: 1 },
    });
    expect(body(await call('AddContactsToGroup', { groupId: other.id, body: { contactIds: ['ctc_missing'] } }, 422)).errors[0].path).toBe(
      '/contactIds/0',
    );
    expect(body(await call('RemoveContactFromGroup', { groupId: other.id, contactId: ada.id }, 200)).groups).toEqual([
      { groupId: group.id, name: 'Connector VIPs' },
    ]);
    await call('RemoveContactFromGroup', { groupId: other.id, contactId: ada.id }, 404);
    expect(body(await call('DeleteGroup', { groupId: group.id }, 200))).toMatchObject({ id: group.id, contactCount: 2 });
    expect(body(await call('DeleteContact', { contactId: ada.id }, 200))).toMatchObject({ id: ada.id, groups: [] });
    await call('DeleteContact', { contactId: ada.id }, 404);
  });

  test('campaigns: CreateCampaign, UpdateCampaign, StartCampaign, GetCampaign, ListCampaigns, ListCampaignValues, ExportCampaignMessages, CancelCampaign', async () => {
    const group = await t.api.post('/groups', { name: 'Connector campaign group' });
    expect((await t.api.post('/contacts', { phone: '+14155550188', firstName: 'Flo', groupIds: [group.body.id] })).status).toBe(201);
    const draft = body(
      await call(
        'CreateCampaign',
        { body: { name: 'Flow campaign', kind: 'bulk', text: 'Hi {{firstName|there}}', groupIds: [group.body.id] } },
        201,
      ),
    );
    expect(draft.status).toBe('draft');
    expect(body(await call('UpdateCampaign', { campaignId: draft.id, body: { text: 'Hello {{firstName|there}}' } }, 200)).text).toBe(
      'Hello {{firstName|there}}',
    );
    expect(body(await call('StartCampaign', { campaignId: draft.id }, 200)).status).toBe('sending');
    await t.host.drain();
    expect(body(await call('GetCampaign', { campaignId: draft.id }, 200))).toMatchObject({ status: 'sent', progress: { accepted: 1 } });
    expect(body(await call('ListCampaigns', { kind: 'bulk', limit: 10 }, 200)).items.map((c: { id: string }) => c.id)).toContain(draft.id);
    const choices = body(await call('ListCampaignValues', {}, 200)).items as { value: string; title: string }[];
    expect(choices).toContainEqual({ value: draft.id, title: 'Flow campaign (bulk, sent)' });
    const messages = body(await call('ListMessages', { campaignId: choices.find((c) => c.value === draft.id)!.value }, 200));
    expect(messages.items.map((m: { text: string; campaignId: string }) => [m.text, m.campaignId])).toEqual([['Hello Flo', draft.id]]);
    const csv = await call('ExportCampaignMessages', { campaignId: draft.id }, 200);
    expect(String(csv.text ?? csv.body)).toMatch(/^messageId,phone,text,status,/);
    expect(String(csv.text ?? csv.body)).toContain('+14155550188,Hello Flo,');
    expect(body(await call('CancelCampaign', { campaignId: draft.id }, 409)).code).toBe('campaign_not_cancellable');
    const other = body(
      await call('CreateCampaign', { body: { name: 'Never sent', kind: 'bulk', text: 'Hi', groupIds: [group.body.id] } }, 201),
    );
    expect(body(await call('CancelCampaign', { campaignId: other.id }, 200)).status).toBe('cancelled');
  });

  test('trigger campaigns: ActivateCampaign, TriggerCampaign, PauseCampaign', async () => {
    const c = body(
      await call(
        'CreateCampaign',
        {
          body: {
            name: 'Orders',
            kind: 'trigger',
            text: 'Order {{orderId}} confirmed',
            trigger: { phoneField: 'customer.phone', attributes: [{ name: 'orderId', field: 'order.id', required: true }] },
          },
        },
        201,
      ),
    );
    expect(c).toMatchObject({ status: 'paused', triggerUrl: expect.stringMatching(new RegExp(`/api/campaigns/${c.id}/trigger$`)) });
    expect(body(await call('ActivateCampaign', { campaignId: c.id }, 200)).status).toBe('active');
    const payload = { customer: { phone: '+14155550189' }, order: { id: 'SO-7' } };
    expect(body(await call('TriggerCampaign', { campaignId: c.id, 'Idempotency-Key': 'order-SO-7', body: payload }, 202))).toMatchObject({
      to: '+14155550189',
      text: 'Order SO-7 confirmed',
      campaignId: c.id,
    });
    expect(
      body(await call('TriggerCampaign', { campaignId: c.id, body: { customer: {} } }, 422)).errors.map((e: { path: string }) => e.path),
    ).toEqual(['/customer/phone', '/order/id']);
    expect(body(await call('PauseCampaign', { campaignId: c.id }, 200)).status).toBe('paused');
    expect(body(await call('TriggerCampaign', { campaignId: c.id, body: payload }, 409)).code).toBe('campaign_not_active');
  });

  test('every action of the definition was driven (a new operation needs a case here)', () => {
    const actions = operations(spec)
      .filter((o) => !o.op['x-ms-trigger'])
      .map((o) => o.id)
      .sort();
    expect(actions.filter((id) => !driven.has(id))).toEqual([]);
  });
});
