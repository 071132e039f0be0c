import { makeEvent } from '../../shared/app/deps';
import { EVENTS, EVENT_TYPES, isEventOf, type EventData, type EventName } from '../../shared/domain/events';
import { eventCatalog, eventDefinitionOf } from '../../shared/webhooks/catalog';

/**
 * Each domain event is one declaration (domain/events.ts): its type name and data schema, from
 * which the payload type, the typed builder and the catalog's schema all come. The `@ts-expect-error`
 * lines are checked by `tsc` (npm test): they fail the type check as soon as a builder accepts data
 * its schema does not describe.
 */
const deps = { clock: { now: () => Date.parse('2026-03-01T10:00:00.000Z') }, ids: { next: (prefix: string) => `${prefix}_1` } };

describe('domain events', () => {
  test('the catalog schema of every event is its declaration, and every declaration has a trigger', () => {
    const names = Object.keys(EVENTS) as EventName[];
    expect(eventCatalog.map((d) => d.type)).toEqual(names.map((n) => EVENTS[n].type));
    for (const name of names) expect(eventDefinitionOf(EVENT_TYPES[name])!.dataSchema).toBe(EVENTS[name].data);
  });

  test('makeEvent takes the data its type declares', () => {
    const data: EventData<'sms.received'> = {
      from: '+447700900123',
      text: 'Hi',
      timestamp: '2026-03-01T09:59:00.000Z',
      virtualNumber: '+447700900001',
    };
    expect(makeEvent(deps, EVENT_TYPES.smsReceived, 'acc_1', data)).toEqual({
      id: 'evt_1',
      type: 'sms.received',
      occurredAt: '2026-03-01T10:00:00.000Z',
      accountId: 'acc_1',
      data,
    });
    // @ts-expect-error: a required field (virtualNumber) is missing
    makeEvent(deps, EVENT_TYPES.smsReceived, 'acc_1', { from: '+447700900123', text: 'Hi', timestamp: '2026-03-01T09:59:00.000Z' });
    // @ts-expect-error: status is one of the message statuses
    const badStatus: EventData<'sms.status_changed'>['status'] = 'lost';
    const extra: EventData<'balance.low'> = {
      accountId: 'acc_1',
      accountName: 'A',
      balance: '1.00',
      threshold: '5.00',
      currency: 'USD',
      // @ts-expect-error: a field the schema does not have
      note: 'x',
    };
    expect([badStatus, extra]).toHaveLength(2);
  });

  test('isEventOf narrows a stored event by its type name', () => {
    const event = makeEvent(deps, EVENT_TYPES.balanceLow, 'acc_1', {
      accountId: 'acc_1',
      accountName: 'A',
      balance: '1.00',
      threshold: '5.00',
      currency: 'USD',
    });
    expect(isEventOf(event, EVENT_TYPES.balanceLow)).toBe(true);
    expect(isEventOf(event, EVENT_TYPES.smsReceived)).toBe(false);
    if (isEventOf(event, EVENT_TYPES.balanceLow)) expect(event.data.threshold).toBe('5.00');
  });
});
