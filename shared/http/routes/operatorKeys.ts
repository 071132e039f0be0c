import { replaceApiKey } from '../../app/accountKeys';
import { defineRoute, type RouteDef } from '../route';
import { obj, str } from '../../schema/builders';
import { idParam, problemResponses } from './common';

/** Operator route that recovers an account whose key was lost (see docs/operator.md). */
export const operatorKeyRoutes: RouteDef[] = [
  defineRoute({
    method: 'POST',
    path: '/operator/accounts/{accountId}/keys',
    operationId: 'AdminIssueApiKey',
    summary: 'Issue a new API key',
    description: 'Operator route: issues a new API key for the account, shown only this once, and revokes the previous key at once.',
    tags: ['Admin'],
    auth: 'admin',
    pathParams: [idParam('accountId', 'Account ID', 'The account that gets a new key.')],
    responses: {
      201: {
        description: 'The new key; the previous one no longer works.',
        schema: obj('Issued key', 'The account\'s new API key.', { accountId: str('Account ID', 'The account.'), apiKey: str('API key', 'Shown once; store it safely.') }, ['accountId', 'apiKey']),
      },
      ...problemResponses(404),
    },
    async handle({ deps, req }) {
      const { account, apiKey } = await replaceApiKey(deps, req.params.accountId);
      return { status: 201, body: { accountId: account.id, apiKey } };
    },
  }),
];
