import { addOptOut, listOptOuts, removeOptOut } from '../../app/optOuts';
import { optOutView } from '../../app/views';
import { pageOf } from '../resources';
import { defineRoute, type RouteDef } from '../route';
import { int, nullable, obj, str, type JsonSchema } from '../../schema/builders';
import { pathParam, problemResponses } from './common';

const optOutSchema: JsonSchema = obj(
  'Opt-out',
  'A recipient who will not get messages from this account.',
  {
    phone: str('Phone', 'The recipient in E.164 format.'),
    source: str('Source', 'keyword: the recipient texted STOP or a synonym; api: added by the account.', { enum: ['keyword', 'api'] }),
    keyword: nullable(str('Keyword', 'The word the recipient texted, e.g. STOP.')),
    createdAt: str('Opted out at', 'When the opt-out was recorded.', { format: 'date-time' }),
  },
  ['phone', 'source', 'createdAt'],
);

const phoneParam = pathParam(
  'phone',
  str('Phone', 'The recipient, E.164 (URL-encode the +, e.g. %2B14155550123).', { minLength: 3, maxLength: 32 }),
);

export const optOutRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/opt-outs',
    operationId: 'ListOptOuts',
    summary: 'List recipients who opted out',
    description: 'Lists the recipients who will not get messages from this account, ordered by phone number.',
    tags: ['Opt-outs'],
    auth: 'account',
    scope: 'contacts:read',
    query: [
      {
        name: 'limit',
        schema: int('Page size', 'How many opt-outs per page (1-200, default 50).', {
          minimum: 1,
          maximum: 200,
          default: 50,
          'x-ms-visibility': 'advanced',
        }),
      },
      {
        name: 'continuationToken',
        schema: str('Continuation token', 'Token from the previous page.', { maxLength: 512, 'x-ms-visibility': 'internal' }),
      },
    ],
    responses: { 200: { description: 'A page of opt-outs.', schema: pageOf('Opt-outs', optOutSchema) }, ...problemResponses(400) },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      const q = req.query;
      // The token is the last phone of the previous page: any value is a valid starting point.
      const page = await listOptOuts(deps, account.id, { limit: q.limit, continuationToken: q.continuationToken });
      return { status: 200, body: { items: page.items.map(optOutView), continuationToken: page.continuationToken } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/opt-outs',
    operationId: 'AddOptOut',
    summary: 'Opt a recipient out',
    description: 'Records that a recipient must not get messages from this account, for example after they asked by email.',
    tags: ['Opt-outs'],
    auth: 'account',
    scope: 'contacts:write',
    body: obj(
      'Opt-out request',
      'The recipient to opt out.',
      {
        phone: str('Phone', 'Recipient phone number: E.164, international digits or a national number of the default country.', {
          minLength: 3,
          maxLength: 32,
        }),
      },
      ['phone'],
    ),
    responses: {
      201: { description: 'The recipient is opted out (also when they were already).', schema: optOutSchema },
      ...problemResponses(400),
    },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      const o = await addOptOut(deps, account, req.body.phone);
      return { status: 201, body: optOutView(o), headers: { location: `/api/opt-outs/${encodeURIComponent(o.phone)}` } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/opt-outs/{phone}',
    operationId: 'RemoveOptOut',
    summary: 'Let a recipient get messages again',
    description:
      'Lets a recipient get messages again when the account had opted them out; a recipient who texted STOP must text START instead.',
    tags: ['Opt-outs'],
    auth: 'account',
    scope: 'contacts:write',
    pathParams: [phoneParam],
    responses: { 200: { description: 'The opt-out that was removed.', schema: optOutSchema }, ...problemResponses(400, 404, 409) },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      const o = await removeOptOut(deps, account, req.params.phone);
      return { status: 200, body: optOutView(o) };
    },
  }),
];
