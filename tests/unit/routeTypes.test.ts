import type { Static } from '@sinclair/typebox';
import { compileRoutes } from '../../shared/http/engine';
import { defineRoute, inputBody, type PathParamNames } from '../../shared/http/route';
import type { sendMessageBody } from '../../shared/http/routes/messages';
import type { SendMessageInput } from '../../shared/app/sendMessage';
import { arr, dict, int, nullable, obj, str, strItem } from '../../shared/schema/builders';

/*
 * The types of a route's params, query and body come from the declarations the engine validates
 * with. Most of this file is checked by tsc (`npm test` type-checks tests/): each @ts-expect-error
 * must be an error, so a loosened type (say, back to unknown or any) fails the type check.
 */

const STATES = ['on', 'off'] as const;
const Body = obj(
  'Thing',
  'A thing.',
  {
    name: str('Name', 'Its name.', { minLength: 1 }),
    state: str('State', 'Its state.', { enum: STATES }),
    note: nullable(str('Note', 'A note.')),
    tags: arr('Tags', 'Its tags.', strItem()),
    extra: dict('Extra', 'Your fields.', strItem()),
  },
  ['name'],
);

const route = defineRoute({
  method: 'POST',
  path: '/things/{thingId}/parts/{partId}',
  operationId: 'TypedThing',
  summary: 'Typed thing',
  description: 'A route for the type test.',
  tags: ['Test'],
  auth: 'none',
  pathParams: [
    { name: 'thingId', required: true, schema: str('Thing', 'Thing id.') },
    { name: 'partId', required: true, schema: str('Part', 'Part id.') },
  ],
  query: [
    { name: 'limit', schema: int('Limit', 'Page size.', { minimum: 1, maximum: 10, default: 5 }) },
    { name: 'kind', schema: str('Kind', 'Kind.', { enum: STATES }) },
    { name: 'must', required: true, schema: str('Must', 'Required.') },
  ],
  body: Body,
  responses: { 200: { description: 'OK.' } },
  async handle({ req }) {
    const ids: [string, string] = [req.params.thingId, req.params.partId];
    // @ts-expect-error the path has no {other}
    void req.params.other;
    const limit: number = req.query.limit; // has a default: always there
    const must: string = req.query.must;
    const kind: 'on' | 'off' | undefined = req.query.kind;
    // @ts-expect-error an optional parameter may be absent
    const kindPresent: 'on' | 'off' = req.query.kind;
    // @ts-expect-error an undeclared query parameter
    void req.query.other;
    const name: string = req.body.name;
    const state: 'on' | 'off' | undefined = req.body.state;
    // @ts-expect-error the closed list narrows the type
    const wide: 'on' = req.body.state!;
    const note: string | null | undefined = req.body.note;
    const tags: string[] | undefined = req.body.tags;
    const extra: Record<string, string> | undefined = req.body.extra;
    // @ts-expect-error not a field of the schema
    void req.body.colour;
    return { status: 200, body: { ids, limit, must, kind, kindPresent, name, state, wide, note, tags, extra } };
  },
});

defineRoute({
  method: 'GET',
  path: '/things/{thingId}',
  operationId: 'TypedThingParams',
  summary: 'Typed thing',
  description: 'pathParams must name the parameters of the path.',
  tags: ['Test'],
  auth: 'none',
  // @ts-expect-error the path has {thingId}, not {id}
  pathParams: [{ name: 'id', required: true, schema: str('Thing', 'Thing id.') }],
  responses: { 200: { description: 'OK.' } },
  async handle({ req }) {
    // @ts-expect-error a route without a body schema has no body
    void req.body.name;
    return { status: 200 };
  },
});

// The route schema of SendSms satisfies the app's input: a schema that drifts from it fails here and in the route.
const sendInput: SendMessageInput = {} as Static<typeof sendMessageBody>;
void sendInput;

// inputBody: a body schema must fit the use case's input both ways.
interface NoteInput {
  title: string;
  body?: string;
}
inputBody<NoteInput>()(obj('Note', 'A note.', { title: str('Title', 'Its title.'), body: str('Body', 'Its text.') }, ['title']));
// @ts-expect-error a field the input does not have would be accepted and silently ignored
inputBody<NoteInput>()(obj('Note', 'A note.', { title: str('Title', 'Its title.'), colour: str('Colour', 'Ignored.') }, ['title']));
// @ts-expect-error an optional title where the input needs one
inputBody<NoteInput>()(obj('Note', 'A note.', { title: str('Title', 'Its title.') }));
// @ts-expect-error a number where the input takes text
inputBody<NoteInput>()(obj('Note', 'A note.', { title: str('Title', 'Its title.'), body: int('Body', 'Not text.') }, ['title']));
type Both = PathParamNames<'/a/{x}/b/{y}'>;
const both: Both[] = ['x', 'y'];

describe('typed routes', () => {
  it('reads path parameter names from the path template', () => {
    expect(both).toEqual(['x', 'y']);
  });

  it('validates with the schemas the handler types come from', () => {
    const [compiled] = compileRoutes([route]);
    expect(compiled!.query!({ must: 'x' })).toBeNull();
    const query: Record<string, unknown> = { must: 'x', limit: '7' };
    expect(compiled!.query!(query)).toBeNull();
    expect(query.limit).toBe(7); // coerced, as QueryOf says
    const defaulted: Record<string, unknown> = { must: 'x' };
    compiled!.query!(defaulted);
    expect(defaulted.limit).toBe(5); // filled in, so QueryOf makes it required
    expect(compiled!.query!({})).toEqual([{ path: 'query/must', message: 'is required' }]);
    expect(compiled!.body!({ name: 'a', state: 'maybe' })).toEqual([{ path: '/state', message: 'must be one of: on, off' }]);
    expect(compiled!.body!({ name: 'a', colour: 'red' })).toEqual([{ path: '/colour', message: 'is not a known field' }]);
  });

  it('builds plain JSON Schema, key for key, with TypeBox only in the types', () => {
    expect(JSON.stringify(Body)).toBe(
      JSON.stringify({
        type: 'object',
        title: 'Thing',
        description: 'A thing.',
        properties: {
          name: { type: 'string', title: 'Name', description: 'Its name.', minLength: 1 },
          state: { type: 'string', title: 'State', description: 'Its state.', enum: ['on', 'off'] },
          note: { type: 'string', title: 'Note', description: 'A note.', 'x-nullable': true },
          tags: { type: 'array', title: 'Tags', description: 'Its tags.', items: { type: 'string' } },
          extra: { type: 'object', title: 'Extra', description: 'Your fields.', additionalProperties: { type: 'string' } },
        },
        required: ['name'],
        additionalProperties: false,
      }),
    );
    expect(Object.keys(Body)).toEqual(['type', 'title', 'description', 'properties', 'required', 'additionalProperties']);
    // Reused schemas stay the same objects: the connector generator finds them by identity.
    expect(Body.properties.tags.items).toBe(Body.properties.tags.items);
    const shared = str('Shared', 'Shared.');
    expect(obj('O', 'o', { a: shared }).properties.a).toBe(shared);
  });
});
