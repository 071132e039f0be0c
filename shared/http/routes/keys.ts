import { createKey, listKeys, revokeKey, rotateKey } from '../../app/keyManagement';
import { apiKeyView, issuedApiKeyView } from '../../app/views';
import { issuedKeySchema, keyListSchema, newKeyBody, rotateKeyBody } from '../apiKeySchemas';
import { defineRoute, type RouteDef } from '../route';
import { idParam, problemResponses } from './common';

const keyIdParam = idParam('keyId', 'Key ID', 'The API key.');

/**
 * The account's API keys (docs/api-keys.md). Kept out of the connector: a flow has no business
 * minting keys. The calling key needs keys:manage, and hands out no scope it does not hold.
 */
export const keyRoutes: RouteDef[] = [
  defineRoute({
    method: 'POST',
    path: '/keys',
    operationId: 'CreateApiKey',
    summary: 'Create an API key',
    description:
      'Creates a named key with the given scopes (at most those of the calling key) and an optional expiry; the secret is shown only in this answer.',
    tags: ['API keys'],
    auth: 'account',
    scope: 'keys:manage',
    body: newKeyBody,
    responses: { 201: { description: 'The key with its secret.', schema: issuedKeySchema }, ...problemResponses(400, 403, 422) },
    async handle({ deps, req, account, keyScopes }) {
      const { key, secret } = await createKey(deps, account.id, keyScopes ?? [], req.body);
      return { status: 201, body: issuedApiKeyView(key, secret) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/keys',
    operationId: 'ListApiKeys',
    summary: 'List API keys',
    description:
      "Lists the account's keys in force, oldest first: name, prefix (the first characters only), scopes, creation, last use and expiry.",
    tags: ['API keys'],
    auth: 'account',
    scope: 'keys:manage',
    responses: { 200: { description: 'The keys.', schema: keyListSchema } },
    async handle({ deps, account }) {
      return { status: 200, body: { items: (await listKeys(deps, account.id)).map(apiKeyView) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/keys/{keyId}/rotate',
    operationId: 'RotateApiKey',
    summary: 'Rotate an API key',
    description:
      'Gives the key a new secret, shown only in this answer. The old secret keeps working for the grace period (default 24 hours, 0 to 7 days), then stops.',
    tags: ['API keys'],
    auth: 'account',
    scope: 'keys:manage',
    pathParams: [keyIdParam],
    body: rotateKeyBody,
    bodyRequired: false,
    responses: { 200: { description: 'The key with its new secret.', schema: issuedKeySchema }, ...problemResponses(403, 404) },
    async handle({ deps, req, account }) {
      const { key, secret } = await rotateKey(deps, account.id, req.params.keyId, req.body.graceSeconds);
      return { status: 200, body: issuedApiKeyView(key, secret) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/keys/{keyId}',
    operationId: 'RevokeApiKey',
    summary: 'Revoke an API key',
    description: 'Revokes the key at once: the next request with it is 401 (on other instances within 5 seconds).',
    tags: ['API keys'],
    auth: 'account',
    scope: 'keys:manage',
    pathParams: [keyIdParam],
    responses: { 204: { description: 'Revoked.' }, ...problemResponses(403, 404) },
    async handle({ deps, req, account }) {
      await revokeKey(deps, account.id, req.params.keyId);
      return { status: 204 };
    },
  }),
];
