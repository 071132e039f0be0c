import { parse } from 'csv-parse/sync';
import { MESSAGE_TEXT_MAX } from '../../shared/domain/messageText';
import { DEV_KEY, startTestHost, type TestHost } from '../fixtures/testHost';
import { assignNumber, inbound, SIMULATOR_SECRET } from '../fixtures/webhookScenarios';

/**
 * No path sends a text longer than POST /messages accepts (MESSAGE_TEXT_MAX): a trigger call is
 * refused naming the payload field, a bulk campaign skips the contact with a recorded reason, and
 * a template longer than the limit is refused when saved. Nothing is stored or charged for them.
 */
describe(`message texts stay within ${MESSAGE_TEXT_MAX} characters on every path`, () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_SECRET });
  });
  afterEach(() => t.close());

  const messageCount = async () => (await t.api.get('/messages?limit=200')).body.items.length as number;
  const balance = async () => (await t.api.get('/balance')).body.credits as string;

  test('a trigger call whose rendered text is too long is 422 naming the payload fields, nothing sent or charged', async () => {
    const c = await t.api.post('/campaigns', {
      name: 'Orders',
      kind: 'trigger',
      text: 'Hi {{firstName}}, order {{order}} shipped',
      trigger: {
        phoneField: 'customer.phone',
        attributes: [
          { name: 'firstName', field: 'customer.first' },
          { name: 'order', field: 'order.id' },
        ],
      },
    });
    const url = `/campaigns/${c.body.id}/trigger`;
    await t.api.post(`/campaigns/${c.body.id}/activate`);
    const [messages, credits] = [await messageCount(), await balance()];

    const res = await t.api.post(url, { customer: { phone: '+14155550123', first: 'x'.repeat(5_000) }, order: { id: 'y'.repeat(20) } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('text_too_long');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['/customer/first', '/order/id']);
    expect(res.body.errors[0].message).toMatch(
      /gives 5,000 characters \(mapped to firstName\); the message is 5,039 characters; a message may have at most 1,600/,
    );
    expect(await messageCount()).toBe(messages);
    expect(await balance()).toBe(credits);

    // Exactly at the limit is sent.
    const fixed = 'Hi , order  shipped'.length + 'y'.length;
    const fits = await t.api.post(url, {
      customer: { phone: '+14155550123', first: 'x'.repeat(MESSAGE_TEXT_MAX - fixed) },
      order: { id: 'y' },
    });
    expect(fits.status).toBe(202);
    expect([...fits.body.text]).toHaveLength(MESSAGE_TEXT_MAX);
  });

  test('a bulk campaign skips a contact whose fields make the text too long, and records why in its progress and export', async () => {
    const group = (await t.api.post('/groups', { name: 'All' })).body.id as string;
    const long = Object.fromEntries(['a', 'b', 'c', 'd'].map((k) => [k, k.repeat(500)]));
    for (const [phone, customFields] of [
      ['+14155550101', { a: 'short' }],
      ['+14155550102', long],
      ['+14155550103', {}],
    ] as const) {
      expect((await t.api.post('/contacts', { phone, groupIds: [group], customFields })).status).toBe(201);
    }
    await t.api.post('/opt-outs', { phone: '+14155550103' });
    const c = await t.api.post('/campaigns', { name: 'Fields', kind: 'bulk', text: 'Hello {{a}}{{b}}{{c}}{{d}}', groupIds: [group] });
    const credits = await balance();
    expect((await t.api.post(`/campaigns/${c.body.id}/start`)).status).toBe(200);
    await t.host.drain();

    const done = (await t.api.get(`/campaigns/${c.body.id}`)).body;
    expect(done.progress).toMatchObject({
      recipients: 3,
      accepted: 1,
      skipped: 2,
      skippedByReason: { text_too_long: 1, recipient_opted_out: 1 },
    });
    const messages = (await t.api.get(`/messages?campaignId=${c.body.id}`)).body.items as { to: string; text: string }[];
    expect(messages.map((m) => [m.to, m.text])).toEqual([['+14155550101', 'Hello short']]);
    expect(await balance()).not.toBe(credits);

    const res = await fetch(`${t.url}/api/campaigns/${c.body.id}/export`, { headers: { 'x-api-key': DEV_KEY } });
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.phone, r.status, r.reasonCode])).toEqual(
      [
        ['+14155550101', 'sent', ''],
        ['+14155550102', 'skipped', 'text_too_long'],
        ['+14155550103', 'skipped', 'recipient_opted_out'],
      ].map(([p, s, code]) => [p, expect.stringMatching(s === 'sent' ? /./ : s!), code]),
    );
    expect(rows[1]!.reasonMessage).toMatch(/2,006 characters; a message may have at most 1,600/);
  });

  test('templates and replies longer than the limit are refused when saved', async () => {
    const long = 'x'.repeat(MESSAGE_TEXT_MAX + 1);
    const create = await t.api.post('/campaigns', { name: 'Long', kind: 'trigger', text: long, trigger: { phoneField: 'phone' } });
    expect(create.status).toBe(400);
    expect(create.body.errors).toContainEqual({ path: '/text', message: `must NOT have more than ${MESSAGE_TEXT_MAX} characters` });
    const ok = await t.api.post('/campaigns', { name: 'Ok', kind: 'trigger', text: 'Hi', trigger: { phoneField: 'phone' } });
    const update = await t.api.patch(`/campaigns/${ok.body.id}`, { text: long });
    expect(update.status).toBe(400);
    expect(update.body.errors).toContainEqual({ path: '/text', message: `must NOT have more than ${MESSAGE_TEXT_MAX} characters` });
    const rule = await t.api.post('/keywords', { keyword: 'INFO', reply: long });
    expect(rule.status).toBe(400);
    expect(rule.body.errors).toContainEqual({ path: '/reply', message: `must NOT have more than ${MESSAGE_TEXT_MAX} characters` });
  });

  test("a keyword auto reply the sender's fields make too long is not sent, nor charged; the match still counts", async () => {
    const number = '+14155550100';
    await assignNumber(t, number);
    const sender = '+14155552001';
    expect(
      (
        await t.api.post('/contacts', {
          phone: sender,
          customFields: Object.fromEntries(['a', 'b', 'c', 'd'].map((k) => [k, k.repeat(500)])),
        })
      ).status,
    ).toBe(201);
    expect((await t.api.post('/keywords', { keyword: 'info', reply: 'Info: {{a}}{{b}}{{c}}{{d}}' })).status).toBe(201);
    const credits = await balance();
    await inbound(t, number, 'info', sender);
    await t.host.drain();
    expect((await t.api.get(`/messages?to=${encodeURIComponent(sender)}`)).body.items).toEqual([]);
    expect(await balance()).toBe(credits);
  });
});
