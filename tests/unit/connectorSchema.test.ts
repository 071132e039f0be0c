import { SchemaEmitter, toSwaggerParameter } from '../../shared/connector/swaggerSchema';
import { nullable, obj, str } from '../../shared/schema/builders';

describe('route-table schemas to Swagger 2.0', () => {
  test('title becomes x-ms-summary, everything else is kept', () => {
    const e = new SchemaEmitter();
    const s = obj('Thing', 'A thing.', { name: nullable(str('Name', 'Its name.', { maxLength: 5 })) }, ['name']);
    e.count(s);
    expect(e.emit(s)).toEqual({
      type: 'object',
      'x-ms-summary': 'Thing',
      description: 'A thing.',
      properties: { name: { type: 'string', 'x-ms-summary': 'Name', description: 'Its name.', maxLength: 5, 'x-nullable': true } },
      required: ['name'],
      additionalProperties: false,
    });
    expect(e.definitions).toEqual({});
  });

  test('an object schema used in two places is defined once and referenced; one used once stays inline', () => {
    const e = new SchemaEmitter();
    const shared = obj('Sender ID', 'Shared.', { id: str('ID', 'Id.') });
    const once = obj('Once', 'Used once.', { id: str('ID', 'Id.') });
    const a = obj('A', 'A.', { s: shared, o: once });
    const b = obj('B', 'B.', { s: shared });
    for (const root of [a, b]) e.count(root);
    expect(e.emit(a)).toMatchObject({ properties: { s: { $ref: '#/definitions/SenderID' }, o: { 'x-ms-summary': 'Once' } } });
    expect(e.emit(b)).toMatchObject({ properties: { s: { $ref: '#/definitions/SenderID' } } });
    expect(Object.keys(e.definitions)).toEqual(['SenderID']);
  });

  test('two different shared schemas with the same title get distinct names', () => {
    const e = new SchemaEmitter();
    const x = obj('Reason', 'X.', { a: str('A', 'A.') });
    const y = obj('Reason', 'Y.', { b: str('B', 'B.') });
    const root = obj('Root', 'Root.', { x1: x, x2: x, y1: y, y2: y });
    e.count(root);
    e.emit(root);
    expect(Object.keys(e.definitions).sort()).toEqual(['Reason', 'Reason2']);
  });

  test('a path parameter is required and single URL-encoded even when the route does not say so', () => {
    expect(toSwaggerParameter({ name: 'id', schema: str('ID', 'The id.', { maxLength: 64 }) }, 'path')).toEqual({
      name: 'id',
      in: 'path',
      required: true,
      type: 'string',
      maxLength: 64,
      description: 'The id.',
      'x-ms-summary': 'ID',
      'x-ms-url-encoding': 'single',
    });
    expect(
      toSwaggerParameter({ name: 'limit', schema: { type: 'integer', title: 'Limit', description: 'How many.', default: 50 } }, 'query'),
    ).toMatchObject({ in: 'query', required: false, default: 50 });
  });
});
