import { startTestHost, type TestHost } from '../fixtures/testHost';
import { startReceiver, type Receiver } from '../fixtures/webhookReceiver';
import { checkDelivery } from '../fixtures/webhookScenarios';

/** Contacts end to end on the embedded host: every route, its errors, its events. */
describe('contacts', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost({ MAX_BODY_BYTES: '1048576' });
  });
  afterEach(() => t.close());

  const group = async (name: string): Promise<string> => {
    const res = await t.api.post('/groups', { name });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const events = async (type: string) => (await t.api.get(`/events?type=${type}&limit=100`)).body.items as { data: any }[];

  test('POST /contacts adds a contact (phone normalised, groups named) and GET reads it back by its Location', async () => {
    const vip = await group('VIP');
    const res = await t.api.post('/contacts', {
      phone: '(415) 555-0101',
      firstName: ' Ada ',
      lastName: 'Lovelace',
      email: 'ada@example.com',
      customFields: { plan: 'gold' },
      groupIds: [vip, vip],
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^ctc_/),
      phone: '+14155550101',
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.com',
      customFields: { plan: 'gold' },
      groups: [{ groupId: vip, name: 'VIP' }],
      optedOut: false,
      createdAt: '2026-03-01T12:00:00.000Z',
      updatedAt: '2026-03-01T12:00:00.000Z',
    });
    expect(res.headers.get('location')).toBe(`/api/contacts/${res.body.id}`);
    expect((await t.api.get(`/contacts/${res.body.id}`)).body).toEqual(res.body);
    const [added] = await events('contact.added');
    expect(added!.data).toEqual({
      contactId: res.body.id,
      contact: {
        contactId: res.body.id,
        phone: '+14155550101',
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'ada@example.com',
        optedOut: false,
        customFields: { plan: 'gold' },
      },
      groups: [{ groupId: vip, name: 'VIP' }],
      customFields: { plan: 'gold' },
      createdAt: '2026-03-01T12:00:00.000Z',
    });
  });

  test("a phone belongs to one contact: 409 naming /phone with the existing contact's id, in any spelling", async () => {
    const first = await t.api.post('/contacts', { phone: '+14155550102' });
    const again = await t.api.post('/contacts', { phone: '415-555-0102', firstName: 'Twin' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'contact_exists', contactId: first.body.id, errors: [{ path: '/phone' }] });
    expect((await t.api.get('/contacts')).body.items).toHaveLength(1);
  });

  test('bad input is named: phone, email, custom fields, unknown groups (422, nothing written)', async () => {
    const vip = await group('VIP');
    const cases: [unknown, number, string][] = [
      [{ phone: 'call me' }, 400, '/phone'],
      [{ phone: '+14155550103', email: 'not-an-email' }, 400, '/email'],
      [{ phone: '+14155550103', customFields: { ['x'.repeat(65)]: 'v' } }, 400, `/customFields/${'x'.repeat(65)}`],
      [{ phone: '+14155550103', customFields: { plan: 7 } }, 400, '/customFields/plan'],
      [{ phone: '+14155550103', groupIds: [vip, 'grp_nope'] }, 422, '/groupIds/1'],
      [{ firstName: 'No phone' }, 400, '/phone'],
    ];
    for (const [body, status, path] of cases) {
      const res = await t.api.post('/contacts', body);
      expect({ body, status: res.status, paths: res.body.errors.map((e: { path: string }) => e.path) }).toEqual({
        body,
        status,
        paths: [path],
      });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await t.api.get('/contacts')).body.items).toEqual([]);
    expect(await events('contact.added')).toEqual([]);
  });

  test('GET /contacts pages oldest first and filters by group and phone', async () => {
    const a = await group('A');
    const b = await group('B');
    const ids: string[] = [];
    for (const [i, groupIds] of [[a], [a, b], [b], [], [a]].entries()) {
      ids.push((await t.api.post('/contacts', { phone: `+1415555020${i}`, groupIds })).body.id);
      t.clock.advance(1_000);
    }
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const page: { status: number; body: { items: { id: string }[]; continuationToken: string | null } } = await t.api.get(
        `/contacts?limit=2${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((c) => c.id));
      token = page.body.continuationToken;
    } while (token);
    expect(seen).toEqual(ids);
    expect((await t.api.get(`/contacts?groupId=${a}`)).body.items.map((c: { id: string }) => c.id)).toEqual([ids[0], ids[1], ids[4]]);
    expect((await t.api.get(`/contacts?groupId=${b}&limit=1`)).body.continuationToken).toEqual(expect.any(String));
    expect((await t.api.get('/contacts?phone=(415)%20555-0202')).body.items.map((c: { id: string }) => c.id)).toEqual([ids[2]]);
    expect((await t.api.get('/contacts?groupId=grp_nope')).body.items).toEqual([]);

    const badToken = await t.api.get('/contacts?continuationToken=garbage');
    expect(badToken.status).toBe(400);
    expect(badToken.body.errors[0].path).toBe('query/continuationToken');
    expect((await t.api.get('/contacts?phone=call-me')).body.errors[0].path).toBe('query/phone');
    expect((await t.api.get('/contacts?limit=0')).body.errors[0].path).toBe('query/limit');
  });

  test('PATCH changes what is given (null clears, custom fields merge, groups replace) and emits contact.updated only on a change', async () => {
    const a = await group('A');
    const b = await group('B');
    const created = (
      await t.api.post('/contacts', {
        phone: '+14155550301',
        firstName: 'Ada',
        lastName: 'Byron',
        customFields: { plan: 'gold', city: 'London' },
        groupIds: [a],
      })
    ).body;
    t.clock.advance(60_000);
    const res = await t.api.patch(`/contacts/${created.id}`, { lastName: null, customFields: { city: null, tier: '1' }, groupIds: [b] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      firstName: 'Ada',
      lastName: null,
      customFields: { plan: 'gold', tier: '1' },
      groups: [{ groupId: b, name: 'B' }],
      updatedAt: '2026-03-01T12:01:00.000Z',
      createdAt: created.createdAt,
    });
    const [updated] = await events('contact.updated');
    expect(updated!.data).toEqual({
      contactId: created.id,
      changedFields: ['lastName', 'customFields', 'groupIds'],
      previousValues: { lastName: 'Byron', customFields: { plan: 'gold', city: 'London' }, groupIds: [a] },
      newValues: { lastName: null, customFields: { plan: 'gold', tier: '1' }, groupIds: [b] },
      groups: [{ groupId: b, name: 'B' }],
      updatedAt: '2026-03-01T12:01:00.000Z',
    });

    // The same values again: nothing changes, nothing is emitted.
    t.clock.advance(60_000);
    const same = await t.api.patch(`/contacts/${created.id}`, { firstName: 'Ada', customFields: { plan: 'gold' }, groupIds: [b] });
    expect(same.body.updatedAt).toBe('2026-03-01T12:01:00.000Z');
    expect(await events('contact.updated')).toHaveLength(1);

    const phone = await t.api.patch(`/contacts/${created.id}`, { phone: '415 555 0399' });
    expect(phone.body.phone).toBe('+14155550399');
    expect((await events('contact.updated'))[1]!.data).toMatchObject({
      changedFields: ['phone'],
      previousValues: { phone: '+14155550301' },
      newValues: { phone: '+14155550399' },
    });
  });

  test('PATCH errors: a taken phone (409), an unknown group (422), bad fields (400), an unknown contact (404)', async () => {
    const one = (await t.api.post('/contacts', { phone: '+14155550401' })).body;
    const two = (await t.api.post('/contacts', { phone: '+14155550402' })).body;
    const taken = await t.api.patch(`/contacts/${two.id}`, { phone: '+14155550401' });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'contact_exists', contactId: one.id, errors: [{ path: '/phone' }] });
    const unknownGroup = await t.api.patch(`/contacts/${two.id}`, { groupIds: ['grp_nope'] });
    expect(unknownGroup.status).toBe(422);
    expect(unknownGroup.body.errors).toEqual([{ path: '/groupIds/0', message: expect.any(String) }]);
    expect((await t.api.patch(`/contacts/${two.id}`, { email: 'nope' })).body.errors[0].path).toBe('/email');
    expect((await t.api.patch(`/contacts/${two.id}`, { firstName: 3 })).body.errors[0].path).toBe('/firstName');
    expect((await t.api.patch('/contacts/ctc_nope', { firstName: 'X' })).status).toBe(404);
    expect((await t.api.get(`/contacts/${two.id}`)).body).toEqual(two);
    expect(await events('contact.updated')).toEqual([]);
  });

  test('parallel requests: PATCHes of different custom fields all apply; creates of one phone leave one contact', async () => {
    const created = (await t.api.post('/contacts', { phone: '+14155550451' })).body;
    const patches = await Promise.all(
      Array.from({ length: 6 }, (_v, i) => t.api.patch(`/contacts/${created.id}`, { customFields: { [`k${i}`]: `v${i}` } })),
    );
    expect(patches.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const merged = (await t.api.get(`/contacts/${created.id}`)).body.customFields;
    expect(merged).toEqual({ k0: 'v0', k1: 'v1', k2: 'v2', k3: 'v3', k4: 'v4', k5: 'v5' });
    expect(await events('contact.updated')).toHaveLength(6);

    const creates = await Promise.all(Array.from({ length: 5 }, () => t.api.post('/contacts', { phone: '+14155550452' })));
    expect(creates.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const winner = creates.find((r) => r.status === 201)!.body.id;
    for (const r of creates.filter((x) => x.status === 409)) expect(r.body.contactId).toBe(winner);
    expect(await events('contact.added')).toHaveLength(2);
  });

  test('a PATCH that loses the etag race to another write is decided again on the fresh contact', async () => {
    const created = (await t.api.post('/contacts', { phone: '+14155550453', customFields: { a: '1' } })).body;
    const store = t.host.runtime.deps.store.contacts;
    const update = store.update.bind(store);
    let raced = 0;
    // Another writer changes the contact between this request's read and its write, once.
    const spy = jest.spyOn(store, 'update').mockImplementation(async (contact, evts) => {
      if (raced++ === 0) {
        const current = (await store.get(contact.accountId, contact.id))!;
        await update({ ...current, customFields: { ...current.customFields, b: '2' } }, []);
      }
      return update(contact, evts);
    });
    try {
      const res = await t.api.patch(`/contacts/${created.id}`, { customFields: { c: '3' } });
      expect(res.status).toBe(200);
      expect(res.body.customFields).toEqual({ a: '1', b: '2', c: '3' });
    } finally {
      spy.mockRestore();
    }
    expect(raced).toBe(2);
    const [updated] = await events('contact.updated');
    expect(updated!.data).toMatchObject({
      previousValues: { customFields: { a: '1', b: '2' } },
      newValues: { customFields: { a: '1', b: '2', c: '3' } },
    });
  });

  test('DELETE answers the deleted contact, emits contact.deleted (reason api) and frees the phone', async () => {
    const a = await group('A');
    const created = (await t.api.post('/contacts', { phone: '+14155550501', firstName: 'Ada', groupIds: [a] })).body;
    t.clock.advance(5_000);
    const res = await t.api.delete(`/contacts/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created);
    expect((await t.api.get(`/contacts/${created.id}`)).status).toBe(404);
    expect((await t.api.delete(`/contacts/${created.id}`)).status).toBe(404);
    const [deleted] = await events('contact.deleted');
    expect(deleted!.data).toEqual({
      contactId: created.id,
      contact: {
        contactId: created.id,
        phone: '+14155550501',
        firstName: 'Ada',
        lastName: null,
        email: null,
        optedOut: false,
        customFields: {},
      },
      groups: [{ groupId: a, name: 'A' }],
      reason: 'api',
      timestamp: '2026-03-01T12:00:05.000Z',
    });
    expect((await t.api.post('/contacts', { phone: '+14155550501' })).status).toBe(201);
  });

  test('DELETE takes the reason the flow receives (an erasure request, say), and refuses unknown ones naming it', async () => {
    const created = (await t.api.post('/contacts', { phone: '+14155550502' })).body;
    const bad = await t.api.delete(`/contacts/${created.id}?reason=because`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('query/reason');
    expect((await t.api.delete(`/contacts/${created.id}?reason=user_request`)).status).toBe(200);
    const [deleted] = await events('contact.deleted');
    expect(deleted!.data).toMatchObject({ contactId: created.id, reason: 'user_request' });
  });

  test('optedOut follows the opt-out list, in views and in event payloads', async () => {
    expect((await t.api.post('/opt-outs', { phone: '+14155550601' })).status).toBe(201);
    const created = await t.api.post('/contacts', { phone: '+14155550601' });
    expect(created.body.optedOut).toBe(true);
    expect((await events('contact.added'))[0]!.data.contact.optedOut).toBe(true);
    await t.api.raw('DELETE', `/opt-outs/${encodeURIComponent('+14155550601')}`);
    expect((await t.api.get(`/contacts/${created.body.id}`)).body.optedOut).toBe(false);
  });

  test("another account's contacts are 404 everywhere, and it may hold the same phone", async () => {
    const mine = (await t.api.post('/contacts', { phone: '+14155550701' })).body;
    const other = await t.newAccount();
    expect((await other.api.get(`/contacts/${mine.id}`)).status).toBe(404);
    expect((await other.api.patch(`/contacts/${mine.id}`, { firstName: 'Mallory' })).status).toBe(404);
    expect((await other.api.delete(`/contacts/${mine.id}`)).status).toBe(404);
    expect((await other.api.get('/contacts')).body.items).toEqual([]);
    expect((await other.api.post('/contacts', { phone: '+14155550701' })).status).toBe(201);
    expect((await t.api.get(`/contacts/${mine.id}`)).body).toEqual(mine);
    // Another account's group cannot be joined either.
    const theirs = (await other.api.post('/groups', { name: 'Theirs' })).body.id;
    expect((await t.api.patch(`/contacts/${mine.id}`, { groupIds: [theirs] })).status).toBe(422);
  });

  describe('webhooks', () => {
    let all: Receiver;
    let vipOnly: Receiver;
    beforeEach(async () => {
      all = await startReceiver();
      vipOnly = await startReceiver();
    });
    afterEach(async () => {
      await all.close();
      await vipOnly.close();
    });

    test('contact.added / updated / deleted reach subscribers, signed and valid against the catalog; the group filter works', async () => {
      const vip = await group('VIP');
      const subs: Record<string, { secret: string }> = {};
      for (const slug of ['contact-added', 'contact-updated', 'contact-deleted']) {
        subs[`all:${slug}`] = (await t.api.post(`/hooks/${slug}`, { callbackUrl: all.url(`/${slug}`) })).body;
        subs[`vip:${slug}`] = (await t.api.post(`/hooks/${slug}`, { callbackUrl: vipOnly.url(`/${slug}`), groupId: vip })).body;
      }
      const inVip = (await t.api.post('/contacts', { phone: '+14155550801', groupIds: [vip] })).body;
      const outside = (await t.api.post('/contacts', { phone: '+14155550802' })).body;
      await t.api.patch(`/contacts/${inVip.id}`, { firstName: 'Ada' });
      await t.api.patch(`/contacts/${outside.id}`, { firstName: 'Bob' });
      await t.api.delete(`/contacts/${inVip.id}`);
      await t.api.delete(`/contacts/${outside.id}`);
      await t.host.drain();

      const check = (r: Receiver, who: 'all' | 'vip') =>
        r.received.map((w) => {
          const slug = w.path.slice(1);
          const payload = checkDelivery(subs[`${who}:${slug}`]!.secret, w, t.clock.now());
          return `${payload.type} ${payload.data.contactId}`;
        });
      expect(check(all, 'all').sort()).toEqual(
        [
          `contact.added ${inVip.id}`,
          `contact.added ${outside.id}`,
          `contact.updated ${inVip.id}`,
          `contact.updated ${outside.id}`,
          `contact.deleted ${inVip.id}`,
          `contact.deleted ${outside.id}`,
        ].sort(),
      );
      expect(check(vipOnly, 'vip').sort()).toEqual(
        [`contact.added ${inVip.id}`, `contact.updated ${inVip.id}`, `contact.deleted ${inVip.id}`].sort(),
      );
    });
  });

  describe('POST /contacts/import', () => {
    const importCsv = (body: Record<string, unknown>) => t.api.post('/contacts/import', body);

    test('reads RFC 4180 CSV (BOM, quoted commas and line breaks), maps columns, reports bad rows and imports the rest', async () => {
      const vip = await group('VIP');
      const csv = [
        '\uFEFFPhone,First Name,last_name,Email,City,Notes',
        '+14155550901,Ada,Lovelace,ada@example.com,London,"Likes ""engines"", math"',
        '(415) 555-0902,Grace,,,"New York","line one',
        'line two"',
        'not a phone,Bad,,,,',
        '+14155550903,,,nope,,',
        '+14155550901,Dup,,,,',
        ',,,,,',
        '+14155550904,Too,many,cells,,,extra',
        ',Nobody,,,,',
        '+14155550905',
      ].join('\r\n');
      const res = await importCsv({ csv, groupIds: [vip] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        created: 3,
        updated: 0,
        unchanged: 0,
        errors: [
          // Rows as a spreadsheet shows them: the quoted line break keeps Grace on row 3.
          { row: 4, field: 'phone', message: expect.stringContaining('digits') },
          { row: 5, field: 'email', message: 'is not an email address' },
          { row: 6, field: 'phone', message: '+14155550901 is in row 2 already' },
          { row: 8, field: null, message: 'has 7 cells; the header has 6' },
          { row: 9, field: 'phone', message: 'is required' },
        ],
      });
      const items = (await t.api.get('/contacts')).body.items;
      expect(items.map((c: { phone: string }) => c.phone)).toEqual(['+14155550901', '+14155550902', '+14155550905']);
      expect(items[0]).toMatchObject({
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'ada@example.com',
        customFields: { City: 'London', Notes: 'Likes "engines", math' },
        groups: [{ groupId: vip, name: 'VIP' }],
      });
      expect(items[1]).toMatchObject({
        firstName: 'Grace',
        lastName: null,
        customFields: { City: 'New York', Notes: 'line one\r\nline two' },
      });
      expect(items[2]).toMatchObject({ firstName: null, customFields: {} });
      expect(await events('contact.added')).toHaveLength(3);
    });

    test('existing contacts stay as they are unless updateExisting; then non-empty cells replace, custom fields merge, groups are joined', async () => {
      const vip = await group('VIP');
      const existing = (
        await t.api.post('/contacts', { phone: '+14155551001', firstName: 'Ada', lastName: 'Byron', customFields: { plan: 'gold' } })
      ).body;
      const csv = 'phone,firstName,lastName,plan,city\n+14155551001,,Lovelace,,London\n+14155551002,New,,,\n';
      expect((await importCsv({ csv, groupIds: [vip] })).body).toEqual({ created: 1, updated: 0, unchanged: 1, errors: [] });
      expect((await t.api.get(`/contacts/${existing.id}`)).body).toEqual(existing);

      const res = await importCsv({ csv, groupIds: [vip], updateExisting: true });
      expect(res.body).toEqual({ created: 0, updated: 1, unchanged: 1, errors: [] });
      expect((await t.api.get(`/contacts/${existing.id}`)).body).toMatchObject({
        firstName: 'Ada',
        lastName: 'Lovelace',
        customFields: { plan: 'gold', city: 'London' },
        groups: [{ groupId: vip, name: 'VIP' }],
      });
      const [updated] = await events('contact.updated');
      expect(updated!.data).toMatchObject({ contactId: existing.id, changedFields: ['lastName', 'customFields', 'groupIds'] });
      expect(await events('contact.updated')).toHaveLength(1);
      expect((await importCsv({ csv, groupIds: [vip], updateExisting: true })).body).toEqual({
        created: 0,
        updated: 0,
        unchanged: 2,
        errors: [],
      });
    });

    test('refuses the file as a whole: no phone column, bad CSV, no header, unknown group, too many rows', async () => {
      const refused: [Record<string, unknown>, number, string][] = [
        [{ csv: 'name,email\nAda,ada@example.com' }, 400, '/csv'],
        [{ csv: 'phone,note\n+14155551101,"never closed' }, 400, '/csv'],
        [{ csv: '\n\n' }, 400, '/csv'],
        [{ csv: 'phone,phone\n+14155551101,+14155551102' }, 400, '/csv'],
        [{ csv: 'phone\n+14155551101', groupIds: ['grp_nope'] }, 422, '/groupIds/0'],
        [{ csv: `phone\n${Array.from({ length: 5_001 }, (_v, i) => `+1415${String(2_000_000 + i)}`).join('\n')}` }, 422, '/csv'],
      ];
      for (const [body, status, path] of refused) {
        const res = await importCsv(body);
        expect({ csv: String(body.csv).slice(0, 30), status: res.status, path: res.body.errors?.[0]?.path }).toEqual({
          csv: String(body.csv).slice(0, 30),
          status,
          path,
        });
      }
      expect((await importCsv(refused[5]![0])).body.code).toBe('too_many_rows');
      expect((await t.api.get('/contacts')).body.items).toEqual([]);
    });

    test('5,000 rows import in one call', async () => {
      const all = await group('All');
      const rows = Array.from({ length: 5_000 }, (_v, i) => `+1415${String(3_000_000 + i)},Name ${i}`);
      const res = await importCsv({ csv: `phone,firstName\n${rows.join('\n')}`, groupIds: [all] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ created: 5_000, updated: 0, unchanged: 0, errors: [] });
      expect((await t.api.get(`/groups/${all}`)).body.contactCount).toBe(5_000);
    }, 60_000);
  });
});
