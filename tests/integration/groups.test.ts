import { startTestHost, type TestHost } from '../fixtures/testHost';

/** Contact groups end to end on the embedded host: every route, its errors, the membership events. */
describe('contact groups', () => {
  let t: TestHost;
  beforeEach(async () => {
    t = await startTestHost();
  });
  afterEach(() => t.close());

  const contact = async (phone: string, groupIds: string[] = []): Promise<string> => {
    const res = await t.api.post('/contacts', { phone, groupIds });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const updates = async () =>
    ((await t.api.get('/events?type=contact.updated&limit=100')).body.items as { data: any }[]).map((e) => e.data);

  test('POST /groups creates a group (201, Location); names are unique ignoring case (409 naming /name)', async () => {
    const res = await t.api.post('/groups', { name: ' Newsletter ', description: 'Monthly' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^grp_/),
      name: 'Newsletter',
      description: 'Monthly',
      contactCount: 0,
      createdAt: '2026-03-01T12:00:00.000Z',
      updatedAt: '2026-03-01T12:00:00.000Z',
    });
    expect(res.headers.get('location')).toBe(`/api/groups/${res.body.id}`);
    expect((await t.api.get(`/groups/${res.body.id}`)).body).toEqual(res.body);

    const twin = await t.api.post('/groups', { name: 'NEWSLETTER' });
    expect(twin.status).toBe(409);
    expect(twin.body).toMatchObject({ code: 'group_exists', groupId: res.body.id, errors: [{ path: '/name' }] });
    expect((await t.api.post('/groups', { name: '   ' })).body.errors).toEqual([{ path: '/name', message: 'must not be blank' }]);
    expect((await t.api.post('/groups', { name: 'x'.repeat(101) })).body.errors[0].path).toBe('/name');
    expect((await t.api.post('/groups', {})).body.errors[0].path).toBe('/name');
  });

  test('GET /groups lists by name ignoring case, each with its contact count', async () => {
    const beta = (await t.api.post('/groups', { name: 'beta' })).body.id;
    const alpha = (await t.api.post('/groups', { name: 'Alpha' })).body.id;
    await contact('+14155551201', [alpha, beta]);
    await contact('+14155551202', [alpha]);
    const res = await t.api.get('/groups');
    expect(res.status).toBe(200);
    expect(res.body.items.map((g: { name: string; contactCount: number }) => [g.name, g.contactCount])).toEqual([
      ['Alpha', 2],
      ['beta', 1],
    ]);
  });

  test('PATCH renames and describes; a taken name is 409; null clears the description', async () => {
    const one = (await t.api.post('/groups', { name: 'One', description: 'first' })).body;
    await t.api.post('/groups', { name: 'Two' });
    t.clock.advance(1_000);
    const renamed = await t.api.patch(`/groups/${one.id}`, { name: 'Uno', description: null });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: one.id, name: 'Uno', description: null, updatedAt: '2026-03-01T12:00:01.000Z' });
    const taken = await t.api.patch(`/groups/${one.id}`, { name: 'two' });
    expect(taken.status).toBe(409);
    expect(taken.body.errors).toEqual([{ path: '/name', message: expect.any(String) }]);
    expect((await t.api.patch(`/groups/${one.id}`, { name: 'UNO' })).body.name).toBe('UNO'); // only the case: still its own name
    expect((await t.api.post('/groups', { name: 'One' })).status).toBe(201); // the old name is free
    expect((await t.api.patch('/groups/grp_nope', { name: 'X' })).status).toBe(404);
  });

  test('POST /groups/{id}/contacts adds contacts, emits contact.updated for those that joined, and reports the members already there', async () => {
    const g = (await t.api.post('/groups', { name: 'VIP' })).body.id;
    const a = await contact('+14155551301', [g]);
    const b = await contact('+14155551302');
    const c = await contact('+14155551303');
    const res = await t.api.post(`/groups/${g}/contacts`, { contactIds: [a, b, c, b] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ group: { id: g, name: 'VIP', contactCount: 3 }, added: [b, c], alreadyMembers: [a] });
    const changes = (await updates()).map((u) => [u.contactId, u.changedFields, u.groups]);
    expect(changes.sort()).toEqual([
      [b, ['groupIds'], [{ groupId: g, name: 'VIP' }]],
      [c, ['groupIds'], [{ groupId: g, name: 'VIP' }]],
    ]);
    expect((await t.api.get(`/contacts?groupId=${g}`)).body.items.map((x: { id: string }) => x.id)).toEqual([a, b, c]);
  });

  test('an unknown contact id is 422 naming /contactIds/N, and nothing changes', async () => {
    const g = (await t.api.post('/groups', { name: 'VIP' })).body.id;
    const a = await contact('+14155551401');
    const other = await t.newAccount();
    const theirs = (await other.api.post('/contacts', { phone: '+14155551402' })).body.id;
    for (const [ids, path] of [
      [[a, 'ctc_nope'], '/contactIds/1'],
      [[theirs, a], '/contactIds/0'],
    ] as const) {
      const res = await t.api.post(`/groups/${g}/contacts`, { contactIds: ids });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'contact_not_found', errors: [{ path }] });
    }
    expect((await t.api.get(`/contacts/${a}`)).body.groups).toEqual([]);
    expect(await updates()).toEqual([]);
    expect((await t.api.post(`/groups/${g}/contacts`, { contactIds: [] })).body.errors[0].path).toBe('/contactIds');
    expect((await t.api.post(`/groups/${g}/contacts`, { contactIds: Array.from({ length: 1001 }, () => a) })).body.errors[0].path).toBe(
      '/contactIds',
    );
    expect((await t.api.post('/groups/grp_nope/contacts', { contactIds: [a] })).status).toBe(404);
  });

  test('DELETE /groups/{id}/contacts/{contactId} takes one contact off; again is 404', async () => {
    const g = (await t.api.post('/groups', { name: 'VIP' })).body.id;
    const h = (await t.api.post('/groups', { name: 'Staff' })).body.id;
    const a = await contact('+14155551501', [g, h]);
    const res = await t.api.delete(`/groups/${g}/contacts/${a}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: a, groups: [{ groupId: h, name: 'Staff' }] });
    expect(await updates()).toEqual([expect.objectContaining({ contactId: a, changedFields: ['groupIds'], newValues: { groupIds: [h] } })]);
    expect((await t.api.delete(`/groups/${g}/contacts/${a}`)).status).toBe(404);
    expect((await t.api.delete(`/groups/${g}/contacts/ctc_nope`)).status).toBe(404);
    expect((await t.api.delete(`/groups/grp_nope/contacts/${a}`)).status).toBe(404);
  });

  test('DELETE /groups/{id} takes every member off (contact.updated each), then deletes the group; the contacts stay', async () => {
    const g = (await t.api.post('/groups', { name: 'Leaving' })).body.id;
    const keep = (await t.api.post('/groups', { name: 'Staying' })).body.id;
    const members = [];
    for (let i = 0; i < 3; i += 1) members.push(await contact(`+1415555160${i}`, [g, keep]));
    const outsider = await contact('+14155551699', [keep]);
    const res = await t.api.delete(`/groups/${g}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: g, name: 'Leaving', contactCount: 3 });
    expect((await t.api.get(`/groups/${g}`)).status).toBe(404);
    expect((await t.api.delete(`/groups/${g}`)).status).toBe(404);
    expect((await updates()).map((u) => [u.contactId, u.previousValues.groupIds, u.newValues.groupIds]).sort()).toEqual(
      members.map((id) => [id, [g, keep].sort(), [keep]]),
    );
    for (const id of [...members, outsider])
      expect((await t.api.get(`/contacts/${id}`)).body.groups).toEqual([{ groupId: keep, name: 'Staying' }]);
    expect((await t.api.post('/groups', { name: 'leaving' })).status).toBe(201);
  });

  test("a group deleted behind a contact's back is left out of its views", async () => {
    const g = (await t.api.post('/groups', { name: 'Gone' })).body.id;
    const a = await contact('+14155551701', [g]);
    // As if the group were deleted between a membership check and the contact's write.
    expect(await t.host.runtime.deps.store.groups.delete(t.host.seed.accountId, g)).toBe(true);
    expect((await t.api.get(`/contacts/${a}`)).body.groups).toEqual([]);
    expect((await t.api.get('/contacts')).body.items[0].groups).toEqual([]);
  });

  test("another account's groups are 404 on every route, and its names do not clash", async () => {
    const g = (await t.api.post('/groups', { name: 'VIP' })).body.id;
    const a = await contact('+14155551801', [g]);
    const other = await t.newAccount();
    expect((await other.api.get(`/groups/${g}`)).status).toBe(404);
    expect((await other.api.patch(`/groups/${g}`, { name: 'Mine' })).status).toBe(404);
    expect((await other.api.delete(`/groups/${g}`)).status).toBe(404);
    expect((await other.api.delete(`/groups/${g}/contacts/${a}`)).status).toBe(404);
    expect((await other.api.post(`/groups/${g}/contacts`, { contactIds: [a] })).status).toBe(404);
    expect((await other.api.get('/groups')).body.items).toEqual([]);
    expect((await other.api.get(`/contacts?groupId=${g}`)).body.items).toEqual([]);
    expect((await other.api.post('/groups', { name: 'VIP' })).status).toBe(201);
    expect((await t.api.get(`/groups/${g}`)).body.contactCount).toBe(1);
  });
});
