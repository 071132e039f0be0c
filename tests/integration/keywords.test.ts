import type { DomainEvent } from '../../shared/domain/types';
import { startTestHost, type TestHost } from '../fixtures/testHost';
import { startReceiver, type Receiver } from '../fixtures/webhookReceiver';
import { assignNumber, checkDelivery, inbound, SIMULATOR_SECRET } from '../fixtures/webhookScenarios';

const SUPPORT = '+14155550100';
const SALES = '+14155550199';
const ADA = '+14155552001';
const STRANGER = '+14155552099';

describe('keyword rules', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_SECRET });
    await assignNumber(t, SUPPORT);
    await assignNumber(t, SALES);
  });
  afterEach(() => t.close());

  const events = (type: string): Promise<DomainEvent[]> =>
    t.host.runtime.deps.store.outbox.listForAccount(t.host.seed.accountId, { type }, 100);
  const messagesTo = async (to: string) =>
    (await t.api.get(`/messages?to=${encodeURIComponent(to)}`)).body.items as { id: string; from: string; text: string; status: string }[];
  const credits = async () => (await t.api.get('/balance')).body.credits as string;
  const createRule = async (body: Record<string, unknown>) => {
    const res = await t.api.post('/keywords', body);
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
    return res.body as { id: string };
  };

  describe('the rule API', () => {
    test('create, read, list, change and delete a rule', async () => {
      const created = await t.api.post('/keywords', { keyword: '  Opening   Hours ', reply: 'Open 9-17' });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`/api/keywords/${created.body.id}`);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^kw_/),
        keyword: 'Opening Hours',
        matchType: 'exact',
        virtualNumber: null,
        reply: 'Open 9-17',
        active: true,
        createdAt: '2026-03-01T12:00:00.000Z',
        updatedAt: '2026-03-01T12:00:00.000Z',
      });
      const id = created.body.id as string;
      expect((await t.api.get(`/keywords/${id}`)).body).toEqual(created.body);

      t.clock.advance(60_000);
      const changed = await t.api.patch(`/keywords/${id}`, {
        matchType: 'contains',
        virtualNumber: '(415) 555-0100',
        active: false,
        reply: null,
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({
        ...created.body,
        matchType: 'contains',
        virtualNumber: SUPPORT,
        active: false,
        reply: null,
        updatedAt: '2026-03-01T12:01:00.000Z',
      });
      const back = await t.api.patch(`/keywords/${id}`, { virtualNumber: null });
      expect(back.body.virtualNumber).toBeNull();

      const second = await createRule({ keyword: 'HELP', matchType: 'exact', virtualNumber: SALES, reply: 'Call 555' });
      expect((await t.api.get('/keywords')).body.items.map((r: { id: string }) => r.id)).toEqual([id, second.id]);
      const lookups = await t.api.get('/lookups/keywords');
      expect(lookups.body.items).toEqual([
        { value: 'Opening Hours', title: 'Opening Hours (contains)' },
        { value: 'HELP', title: 'HELP (exact)' },
      ]);

      const deleted = await t.api.delete(`/keywords/${id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body.id).toBe(id);
      expect((await t.api.get(`/keywords/${id}`)).status).toBe(404);
      expect((await t.api.delete(`/keywords/${id}`)).status).toBe(404);
      expect((await t.api.get('/keywords')).body.items.map((r: { id: string }) => r.id)).toEqual([second.id]);
    });

    test('bad input is a 4xx naming the field', async () => {
      const cases: [Record<string, unknown>, number, string, string?][] = [
        [{}, 400, '/keyword'],
        [{ keyword: '' }, 400, '/keyword'],
        [{ keyword: '   ' }, 400, '/keyword'],
        [{ keyword: 'x'.repeat(51) }, 400, '/keyword'],
        [{ keyword: 'C++' }, 400, '/keyword'],
        [{ keyword: 'hours', matchType: 'fuzzy' }, 400, '/matchType'],
        [{ keyword: 'hours', reply: 'Hi {{firstName' }, 400, '/reply'],
        [{ keyword: 'hours', reply: 'Hi {{first name}}' }, 400, '/reply'],
        [{ keyword: 'hours', reply: '' }, 400, '/reply'],
        [{ keyword: 'hours', virtualNumber: 'not a number' }, 400, '/virtualNumber'],
        [{ keyword: 'hours', virtualNumber: '+14155550111' }, 422, '/virtualNumber', 'unknown_virtual_number'],
        [{ keyword: 'hours', active: 'yes' }, 400, '/active'],
        [{ keyword: 'hours', surprise: 1 }, 400, '/surprise'],
      ];
      for (const [body, status, path, code] of cases) {
        const res = await t.api.post('/keywords', body);
        expect({ body, status: res.status, type: res.headers.get('content-type'), path: res.body.errors?.[0]?.path }).toEqual({
          body,
          status,
          type: expect.stringContaining('application/problem+json'),
          path,
        });
        if (code) expect(res.body.code).toBe(code);
      }
      expect((await t.api.get('/keywords')).body.items).toEqual([]);
    });

    test.each(['STOP', 'stop', 'StopAll', 'UNSUBSCRIBE', 'cancel', 'END', 'quit', 'START', 'Yes', 'UNSTOP'])(
      '%s cannot be a rule: carriers own it (422 naming /keyword)',
      async (keyword) => {
        const res = await t.api.post('/keywords', { keyword, reply: 'Hi' });
        expect(res.status).toBe(422);
        expect(res.body).toMatchObject({ code: 'compliance_keyword', errors: [{ path: '/keyword' }] });
        const rule = await createRule({ keyword: 'hours' });
        const patched = await t.api.patch(`/keywords/${rule.id}`, { keyword });
        expect(patched.status).toBe(422);
        expect(patched.body.errors[0].path).toBe('/keyword');
      },
    );

    test('a keyword, match type and number may have one rule (case ignored); 409 names /keyword and the rule', async () => {
      const first = await createRule({ keyword: 'Hours', virtualNumber: SUPPORT });
      const again = await t.api.post('/keywords', { keyword: 'HOURS', virtualNumber: '14155550100' });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'keyword_rule_exists', keywordId: first.id, errors: [{ path: '/keyword' }] });
      await createRule({ keyword: 'hours', virtualNumber: SALES });
      await createRule({ keyword: 'hours' });
      const contains = await createRule({ keyword: 'hours', matchType: 'contains' });
      const clash = await t.api.patch(`/keywords/${contains.id}`, { matchType: 'exact' });
      expect(clash.status).toBe(409);
      expect(clash.body.errors[0].path).toBe('/keyword');
    });

    test("another account's rules and numbers are not found", async () => {
      const rule = await createRule({ keyword: 'hours', virtualNumber: SUPPORT });
      const other = await t.newAccount();
      expect((await other.api.get(`/keywords/${rule.id}`)).status).toBe(404);
      expect((await other.api.patch(`/keywords/${rule.id}`, { active: false })).status).toBe(404);
      expect((await other.api.delete(`/keywords/${rule.id}`)).status).toBe(404);
      expect((await other.api.get('/keywords')).body.items).toEqual([]);
      expect((await other.api.get('/lookups/keywords')).body.items).toEqual([]);
      const theirs = await other.api.post('/keywords', { keyword: 'hours', virtualNumber: SUPPORT });
      expect(theirs.status).toBe(422);
      expect(theirs.body.errors[0].path).toBe('/virtualNumber');
      expect((await t.api.get(`/keywords/${rule.id}`)).body.active).toBe(true);
    });
  });

  describe('inbound SMS', () => {
    let r: Receiver;
    let secrets: Record<string, string>;
    beforeEach(async () => {
      r = await startReceiver();
      secrets = {};
      for (const slug of ['keyword-matched', 'auto-reply-sent']) {
        const sub = await t.api.post(`/hooks/${slug}`, { callbackUrl: r.url(`/${slug}`) });
        expect(sub.status).toBe(201);
        secrets[slug] = sub.body.secret;
      }
    });
    afterEach(() => r.close());

    /** The delivered payloads of one trigger, each verified and checked against the catalog schema. */
    const delivered = (slug: string) =>
      r.received.filter((w) => w.path === `/${slug}`).map((w) => checkDelivery(secrets[slug]!, w, t.clock.now()));

    test('a matching SMS fires Keyword Matched and gets the templated reply from the number it was sent to', async () => {
      const ada = await t.api.post('/contacts', { phone: ADA, firstName: 'Ada', customFields: { plan: 'gold' } });
      await createRule({
        keyword: 'hours',
        matchType: 'starts_with',
        reply: 'Hi {{firstName|there}}, we open at 9 ({{plan|no plan}} line)',
      });
      await inbound(t, SUPPORT, 'Hours today?', ADA, 'carrier-1');
      await t.host.drain();

      const [matched, ...moreMatched] = delivered('keyword-matched');
      expect(moreMatched).toEqual([]);
      expect(matched.data).toEqual({
        keyword: 'hours',
        matchType: 'starts_with',
        from: ADA,
        text: 'Hours today?',
        virtualNumber: SUPPORT,
        contactId: ada.body.id,
        timestamp: '2026-03-01T12:00:00.000Z',
      });
      const [replied, ...moreReplied] = delivered('auto-reply-sent');
      expect(moreReplied).toEqual([]);
      expect(replied.data).toEqual({
        originalMessage: { text: 'Hours today?', receivedAt: '2026-03-01T12:00:00.000Z' },
        reply: { messageId: expect.stringMatching(/^msg_/), text: 'Hi Ada, we open at 9 (gold line)', sentAt: '2026-03-01T12:00:00.000Z' },
        sender: { phone: ADA, contactId: ada.body.id },
        virtualNumber: SUPPORT,
        keyword: 'hours',
      });
      await t.advance(1_000); // the simulator's delivery report
      const reply = await t.api.get(`/messages/${replied.data.reply.messageId}`);
      expect(reply.body).toMatchObject({ to: ADA, from: SUPPORT, text: 'Hi Ada, we open at 9 (gold line)', status: 'delivered' });
      expect((await events('sms.received')).map((e) => e.data.carrierMessageId)).toEqual(['carrier-1']);

      // A sender who is not a contact gets the fallbacks; an SMS without the keyword first gets nothing.
      await inbound(t, SALES, 'HOURS', STRANGER, 'carrier-2');
      await inbound(t, SUPPORT, 'what are your hours', STRANGER, 'carrier-3');
      await t.host.drain();
      expect(delivered('keyword-matched').map((p) => [p.data.text, p.data.contactId])).toEqual([
        ['Hours today?', ada.body.id],
        ['HOURS', null],
      ]);
      expect(delivered('auto-reply-sent').map((p) => [p.data.reply.text, p.data.virtualNumber])).toEqual([
        ['Hi Ada, we open at 9 (gold line)', SUPPORT],
        ['Hi there, we open at 9 (no plan line)', SALES],
      ]);
      expect((await messagesTo(STRANGER)).map((m) => m.from)).toEqual([SALES]);
    });

    test('the most specific rule answers: exact over starts_with over contains, this number over all numbers', async () => {
      await createRule({ keyword: 'price', matchType: 'contains', reply: 'contains' });
      await createRule({ keyword: 'price', matchType: 'exact', reply: 'exact, all numbers' });
      await createRule({ keyword: 'price', matchType: 'exact', virtualNumber: SALES, reply: 'exact, sales' });
      await createRule({ keyword: 'price list', matchType: 'starts_with', reply: 'starts with' });
      await createRule({ keyword: 'price', matchType: 'starts_with', reply: 'inactive', active: false });
      for (const [to, text] of [
        [SUPPORT, 'Price'],
        [SALES, 'price!'],
        [SUPPORT, 'price list please'],
        [SUPPORT, 'your price?'],
        [SUPPORT, 'prices'],
      ])
        await inbound(t, to!, text!, STRANGER);
      await t.host.drain();
      expect(delivered('auto-reply-sent').map((p) => [p.data.originalMessage.text, p.data.reply.text])).toEqual([
        ['Price', 'exact, all numbers'],
        ['price!', 'exact, sales'],
        ['price list please', 'starts with'],
        ['your price?', 'contains'],
      ]);
    });

    test('a rule without a reply only fires Keyword Matched; HELP may be answered by a rule', async () => {
      await createRule({ keyword: 'demo', matchType: 'contains' });
      await createRule({ keyword: 'HELP', reply: 'Reply STOP to opt out. Support: 555 0100' });
      await inbound(t, SUPPORT, 'book a demo', STRANGER);
      await inbound(t, SUPPORT, 'help', STRANGER);
      await t.host.drain();
      expect(delivered('keyword-matched').map((p) => p.data.keyword)).toEqual(['demo', 'HELP']);
      expect(delivered('auto-reply-sent').map((p) => p.data.reply.text)).toEqual(['Reply STOP to opt out. Support: 555 0100']);
    });

    test('STOP and START are handled by the platform and never matched by a rule', async () => {
      await createRule({ keyword: 'stop please', matchType: 'starts_with', reply: 'rule' });
      await createRule({ keyword: 'help', matchType: 'contains', reply: 'rule' });
      await inbound(t, SUPPORT, 'STOP', STRANGER, 'carrier-stop');
      expect((await t.api.get('/opt-outs')).body.items.map((o: { phone: string }) => o.phone)).toEqual([STRANGER]);
      await inbound(t, SUPPORT, 'start', STRANGER);
      // A late redelivery of the STOP is acknowledged and does nothing: it was processed before.
      await inbound(t, SUPPORT, 'STOP', STRANGER, 'carrier-stop');
      await t.host.drain();
      expect(delivered('keyword-matched')).toEqual([]);
      expect(await messagesTo(STRANGER)).toEqual([]);
      expect((await t.api.get('/opt-outs')).body.items).toEqual([]);
      expect(await events('sms.received')).toHaveLength(2);
    });

    test('an opted-out sender gets no auto reply, but the match still fires Keyword Matched', async () => {
      await createRule({ keyword: 'hours', reply: 'Open 9-17' });
      await inbound(t, SUPPORT, 'STOP', STRANGER);
      await t.api.post('/opt-outs', { phone: ADA });
      await inbound(t, SUPPORT, 'hours', STRANGER);
      await inbound(t, SALES, 'hours', ADA);
      await t.host.drain();
      expect(delivered('keyword-matched').map((p) => p.data.from)).toEqual([STRANGER, ADA]);
      expect(delivered('auto-reply-sent')).toEqual([]);
      expect(await messagesTo(STRANGER)).toEqual([]);
      expect(await messagesTo(ADA)).toEqual([]);
    });

    test('the same SMS delivered again by the carrier matches and replies once, charged once', async () => {
      await createRule({ keyword: 'hours', reply: 'Open 9-17' });
      const before = await credits();
      await inbound(t, SUPPORT, 'hours', STRANGER, 'carrier-dup');
      const afterFirst = await credits();
      await inbound(t, SUPPORT, 'hours', STRANGER, 'carrier-dup');
      await t.host.drain();
      expect(await credits()).toBe(afterFirst);
      expect(afterFirst).not.toBe(before);
      expect(delivered('keyword-matched')).toHaveLength(1);
      expect(delivered('auto-reply-sent')).toHaveLength(1);
      expect(await messagesTo(STRANGER)).toHaveLength(1);
      expect(await events('sms.received')).toHaveLength(1);
    });

    // A crash between two steps, as the carrier sees it: no 200, so it delivers the SMS again.
    test.each(['keyword.matched', 'auto_reply.sent', 'sms.received'])(
      'a failure appending %s: the carrier retries, and there is exactly one of everything',
      async (failing) => {
        await createRule({ keyword: 'hours', reply: 'Open 9-17' });
        const outbox = t.host.runtime.deps.store.outbox;
        const append = outbox.append.bind(outbox);
        let failed = 0;
        const spy = jest.spyOn(outbox, 'append').mockImplementation(async (batch) => {
          if (failed === 0 && batch.some((e) => e.type === failing)) {
            failed += 1;
            throw new Error('store unavailable');
          }
          return append(batch);
        });
        try {
          await expect(inbound(t, SUPPORT, 'hours', STRANGER, 'carrier-crash')).rejects.toThrow(/inbound failed: 500/);
          expect(failed).toBe(1);
          expect(await events('sms.received')).toEqual([]); // not committed: the carrier must retry
          await inbound(t, SUPPORT, 'hours', STRANGER, 'carrier-crash');
        } finally {
          spy.mockRestore();
        }
        await t.host.drain();
        expect(delivered('keyword-matched')).toHaveLength(1);
        const replies = delivered('auto-reply-sent');
        expect(replies).toHaveLength(1);
        const messages = await messagesTo(STRANGER);
        expect(messages.map((m) => m.id)).toEqual([replies[0].data.reply.messageId]);
        expect(await events('sms.received')).toHaveLength(1);
      },
    );

    test('without credits the reply is skipped and logged; the SMS is still acknowledged and recorded', async () => {
      await createRule({ keyword: 'hours', reply: 'Open 9-17' });
      const all = await credits();
      expect((await t.admin.post(`/operator/accounts/${t.host.seed.accountId}/credits`, { amount: `-${all}` })).status).toBe(200);
      const warn = jest.spyOn(t.host.runtime.deps.logger, 'warn');
      await inbound(t, SUPPORT, 'hours', STRANGER, 'carrier-poor');
      await t.host.drain();
      expect(warn).toHaveBeenCalledWith('auto reply not sent', expect.objectContaining({ code: 'insufficient_credits' }));
      expect(delivered('keyword-matched')).toHaveLength(1);
      expect(delivered('auto-reply-sent')).toEqual([]);
      expect(await messagesTo(STRANGER)).toEqual([]);
      expect(await events('sms.received')).toHaveLength(1);
    });

    test('no auto reply to another number of the platform (two rules would answer each other forever)', async () => {
      await createRule({ keyword: 'hours', reply: 'Open 9-17' });
      await inbound(t, SUPPORT, 'hours', SALES);
      await t.host.drain();
      expect(delivered('keyword-matched')).toHaveLength(1);
      expect(delivered('auto-reply-sent')).toEqual([]);
    });
  });
});

describe('sending from a virtual number (two-way SMS)', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost({ SIMULATOR_SECRET });
    await assignNumber(t, SUPPORT);
  });
  afterEach(() => t.close());

  test("POST /messages takes one of the account's own numbers as from, and refuses anyone else's", async () => {
    const sent = await t.api.post('/messages', { to: ADA, text: 'Hello from support', from: '+1 415 555 0100' });
    expect(sent.status).toBe(202);
    expect(sent.body.from).toBe(SUPPORT);
    const other = await t.newAccount();
    const theirs = await other.api.post('/messages', { to: ADA, text: 'Hi', from: SUPPORT });
    expect(theirs.status).toBe(422);
    expect(theirs.body).toMatchObject({ code: 'sender_id_not_approved', errors: [{ path: '/from' }] });
    const unassigned = await t.api.post('/messages', { to: ADA, text: 'Hi', from: '+14155550111' });
    expect(unassigned.status).toBe(422);
    expect(unassigned.body.errors[0].path).toBe('/from');
  });
});
