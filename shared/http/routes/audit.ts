import { listAuditRecords } from '../../app/audit';
import { auditRecordView } from '../../app/views';
import { pageOf } from '../resources';
import { defineRoute, type RouteDef } from '../route';
import { int, nullable, obj, str } from '../../schema/builders';
import { problemResponses } from './common';

/**
 * The audit log, read only: no route updates or deletes a record (they expire after
 * AUDIT_RETENTION_DAYS). Not in the connector (no `connector`): it is for people, not flows.
 */

const auditRecordSchema = obj(
  'Audit record',
  'One recorded request.',
  {
    id: str('ID', 'Audit record ID (aud_...).'),
    at: str('At', 'When the request was carried out.', { format: 'date-time' }),
    accountId: nullable(str('Account', 'The account acted on; null for operator requests on no account.')),
    keyId: str('Key', 'The key that made the request (key_... or operator), never the key itself.'),
    operationId: str('Operation', 'The operation, as in the OpenAPI definition (e.g. SendMessage).'),
    method: str('Method', 'HTTP method.'),
    resourceId: nullable(str('Resource', 'The resource the request named or created.')),
    sourceAddress: nullable(str('Source address', "The caller's network address.")),
    status: nullable(
      int(
        'Status',
        'HTTP status of the answer; null while running or if the service stopped before answering (the change may or may not have been made).',
      ),
    ),
    requestId: str('Request ID', 'The Request-Id header of the answer.'),
  },
  ['id', 'at', 'accountId', 'keyId', 'operationId', 'method', 'resourceId', 'sourceAddress', 'status', 'requestId'],
);

const filters = [
  { name: 'since', schema: str('Since', 'Only records at or after this time (ISO 8601).', { format: 'date-time' }) },
  { name: 'until', schema: str('Until', 'Only records before this time (ISO 8601).', { format: 'date-time' }) },
  { name: 'keyId', schema: str('Key', 'Only requests made with this key (key_... or operator).', { minLength: 1, maxLength: 64 }) },
  { name: 'operationId', schema: str('Operation', 'Only this operation (e.g. SendMessage).', { minLength: 1, maxLength: 64 }) },
  { name: 'resourceId', schema: str('Resource', 'Only requests on this resource.', { minLength: 1, maxLength: 128 }) },
  { name: 'limit', schema: int('Page size', 'How many records per page (1-200, default 50).', { minimum: 1, maximum: 200, default: 50 }) },
  { name: 'continuationToken', schema: str('Continuation token', 'Token from the previous page.', { maxLength: 2048 }) },
] as const;

export const auditRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/audit',
    operationId: 'ListAuditRecords',
    summary: 'List audit records',
    description:
      "The account's audit log, newest first: every request that changed something (or tried to), with its key, operation, resource, source address and outcome.",
    tags: ['Audit'],
    auth: 'account',
    scope: 'audit:read',
    query: filters,
    responses: {
      200: { description: 'A page of audit records.', schema: pageOf('Audit records', auditRecordSchema) },
      ...problemResponses(400),
    },
    async handle({ deps, req, account }) {
      const { limit, continuationToken, ...filter } = req.query;
      const page = await listAuditRecords(deps, account.id, filter, { limit, continuationToken });
      return { status: 200, body: { items: page.items.map(auditRecordView), continuationToken: page.continuationToken } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/operator/audit',
    operationId: 'AdminListAuditRecords',
    summary: 'List audit records (operator)',
    description:
      'Operator route: the audit log of one account (accountId), or without accountId the operator requests that acted on no account; newest first.',
    tags: ['Admin'],
    auth: 'admin',
    query: [
      { name: 'accountId', schema: str('Account', 'The account whose records to list.', { minLength: 1, maxLength: 64 }) },
      ...filters,
    ],
    responses: {
      200: { description: 'A page of audit records.', schema: pageOf('Audit records', auditRecordSchema) },
      ...problemResponses(400),
    },
    async handle({ deps, req }) {
      const { limit, continuationToken, accountId, ...filter } = req.query;
      const page = await listAuditRecords(deps, accountId ?? null, filter, { limit, continuationToken });
      return { status: 200, body: { items: page.items.map(auditRecordView), continuationToken: page.continuationToken } };
    },
  }),
];
