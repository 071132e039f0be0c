import { replaceApiKey } from '../../app/accountKeys';
import { createKey, listKeys, revokeKey } from '../../app/keyManagement';
import { apiKeyView, issuedApiKeyView } from '../../app/views';
import { OPERATOR_KEY_OWNER } from '../../domain/types';
import { issuedKeySchema, keyListSchema, newOperatorKeyBody } from '../apiKeySchemas';
import { defineRoute, type RouteDef } from '../route';
import { obj, str } from '../../schema/builders';
import { idParam, problemResponses } from './common';

/**
 * Operator routes for keys: the route that recovers an account whose key was lost (see
 * docs/operator.md), and the operators' own named keys. ADMIN_API_KEY stays the bootstrap key:
 * it cannot be listed or revoked here, only changed in the settings.
 */
export const operatorKeyRoutes: RouteDef[] = [
  defineRoute({
    method: 'POST',
    path: '/operator/keys',
    operationId: 'AdminCreateOperatorKey',
    summary: 'Create an operator key',
    description: 'Operator route: creates a named operator key (used in X-Admin-Key like ADMIN_API_KEY), shown only in this answer.',
    tags: ['Admin'],
    auth: 'admin',
    body: newOperatorKeyBody,
    responses: { 201: { description: 'The key with its secret.', schema: issuedKeySchema }, ...problemResponses(400, 422) },
    async handle({ deps, req }) {
      const { key, secret } = await createKey(deps, OPERATOR_KEY_OWNER, [], {
        name: req.body.name,
        scopes: [],
        expiresAt: req.body.expiresAt,
      });
      return { status: 201, body: issuedApiKeyView(key, secret) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/operator/keys',
    operationId: 'AdminListOperatorKeys',
    summary: 'List operator keys',
    description: 'Operator route: lists the named operator keys in force (not the bootstrap ADMIN_API_KEY).',
    tags: ['Admin'],
    auth: 'admin',
    responses: { 200: { description: 'The keys.', schema: keyListSchema } },
    async handle({ deps }) {
      return { status: 200, body: { items: (await listKeys(deps, OPERATOR_KEY_OWNER)).map(apiKeyView) } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/operator/keys/{keyId}',
    operationId: 'AdminRevokeOperatorKey',
    summary: 'Revoke an operator key',
    description: 'Operator route: revokes a named operator key at once.',
    tags: ['Admin'],
    auth: 'admin',
    pathParams: [idParam('keyId', 'Key ID', 'The operator key.')],
    responses: { 204: { description: 'Revoked.' }, ...problemResponses(404) },
    async handle({ deps, req }) {
      await revokeKey(deps, OPERATOR_KEY_OWNER, req.params.keyId);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/operator/accounts/{accountId}/keys',
    operationId: 'AdminIssueApiKey',
    summary: 'Issue a new API key',
    description:
      'Operator route: issues a new API key with every scope for the account, shown only this once, and revokes all its other keys at once.',
    tags: ['Admin'],
    auth: 'admin',
    pathParams: [idParam('accountId', 'Account ID', 'The account that gets a new key.')],
    responses: {
      201: {
        description: "The new key; the account's other keys no longer work.",
        schema: obj(
          'Issued key',
          "The account's new API key.",
          {
            accountId: str('Account ID', 'The account.'),
            apiKey: str('API key', 'Shown once; store it safely.'),
            keyId: str('Key ID', "The new key's record (GET /api/keys)."),
          },
          ['accountId', 'apiKey', 'keyId'],
        ),
      },
      ...problemResponses(404),
    },
    async handle({ deps, req }) {
      const { account, apiKey, key } = await replaceApiKey(deps, req.params.accountId);
      return { status: 201, body: { accountId: account.id, apiKey, keyId: key.id } };
    },
  }),
];
