import { parseTemplate, pointerOf, readPath, renderTemplate, variablesOf } from '../../shared/domain/template';
import { mapPayload } from '../../shared/app/campaignTrigger';

const parts = (text: string) => {
  const parsed = parseTemplate(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.parts;
};

describe('campaign templates', () => {
  test('variables are replaced, fallbacks fill missing or empty values, the rest is literal', () => {
    const p = parts('Hi {{ firstName | friend }}, order {{orderId}} ships {{when|soon}}. {not a var} }}');
    expect(variablesOf(p)).toEqual(['firstName', 'orderId', 'when']);
    expect(renderTemplate(p, { firstName: 'Ann', orderId: 'SO-1', when: 'today' })).toBe('Hi Ann, order SO-1 ships today. {not a var} }}');
    expect(renderTemplate(p, { firstName: '', orderId: 'SO-1' })).toBe('Hi friend, order SO-1 ships soon. {not a var} }}');
    // No fallback: the value is left out, and the message trimmed.
    expect(renderTemplate(parts('{{greeting}} Ann '), {})).toBe('Ann');
    // A fallback may hold anything but "}}", including |.
    expect(renderTemplate(parts('{{x|a|b}}'), {})).toBe('a|b');
  });

  test('malformed templates are refused with the place of the problem', () => {
    expect(parseTemplate('Hi {{name')).toEqual({ ok: false, reason: expect.stringContaining('character 4') });
    expect(parseTemplate('Hi {{first name}}')).toEqual({ ok: false, reason: expect.stringContaining('{{first name}}') });
    expect(parseTemplate('Hi {{}}').ok).toBe(false);
    expect(parseTemplate('{{1abc}}').ok).toBe(false);
    expect(parseTemplate('plain').ok).toBe(true);
  });

  test('payload paths read nested fields and name them as JSON pointers', () => {
    const payload = { order: { id: 'A', 'a/b': 1, list: [1] }, flag: false };
    expect(readPath(payload, 'order.id')).toBe('A');
    expect(readPath(payload, 'flag')).toBe(false);
    expect(readPath(payload, 'order.missing')).toBeUndefined();
    expect(readPath(payload, 'order.list.0')).toBeUndefined();
    expect(readPath(payload, 'toString')).toBeUndefined();
    expect(pointerOf('order.a/b')).toBe('/order/a~1b');
  });

  test('a payload maps to template values by the campaign mapping, every mismatch reported at once', () => {
    const mapping = {
      phoneField: 'to',
      attributes: [
        { name: 'count', field: 'n', type: 'number' as const, required: true },
        { name: 'vip', field: 'vip', type: 'boolean' as const, required: false },
        { name: 'note', field: 'note', type: 'string' as const, required: false },
      ],
    };
    expect(mapPayload(mapping, { to: '+14155550100', n: 2, vip: true })).toEqual({
      phone: '+14155550100',
      count: '2',
      vip: 'true',
      note: undefined,
    });
    try {
      mapPayload(mapping, { to: '0044 20 7946 0000', n: '2', note: 5 });
      throw new Error('expected a refusal');
    } catch (err) {
      expect((err as { errors: unknown[] }).errors).toEqual([
        { path: '/to', message: expect.stringContaining('E.164') },
        { path: '/n', message: 'must be a number (mapped to count)' },
        { path: '/note', message: 'must be a string (mapped to note)' },
      ]);
    }
  });
});
