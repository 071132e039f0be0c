import { accountView, addCredits, createAccount, type NewAccountInput } from '../../app/accounts';
import { accountSchema } from '../resources';
import type { RouteDef } from '../route';
import { obj, str } from '../schema';
import { idParam, problemResponses } from './common';

const DECIMAL = { pattern: '^\\d{1,12}(\\.\\d{1,4})?$' };

export const adminRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/admin/accounts',
    operationId: 'AdminCreateAccount',
    summary: 'Create an account',
    description: 'Operator route: creates an account and returns its API key, which is shown only this once.',
    tags: ['Admin'],
    auth: 'admin',
    body: obj('New account', 'The account to create.', {
      name: str('Name', 'Account name.', { minLength: 1, maxLength: 100 }),
      currency: str('Currency', 'ISO 4217 currency of credits (default from PRICE_CURRENCY).', { pattern: '^[A-Z]{3}$' }),
      credits: str('Credits', 'Opening credits as a decimal string.', DECIMAL),
      defaultCountry: str('Default country', 'ISO 3166 alpha-2 country for national numbers.', { pattern: '^[A-Z]{2}$' }),
      lowBalanceThreshold: str('Low balance threshold', 'Balance Low fires below this amount.', DECIMAL),
      senderId: str('Sender ID', 'A sender ID to provision approved, and make the default.', { minLength: 1, maxLength: 11, pattern: '^[A-Za-z0-9 ]+$' }),
    }, ['name']),
    responses: {
      201: {
        description: 'The account and its API key.',
        schema: obj('Created account', 'The new account with its key.', { account: accountSchema, apiKey: str('API key', 'Shown once; store it safely.') }, ['account', 'apiKey']),
      },
      ...problemResponses(400),
    },
    async handle({ deps, req }) {
      const { account, apiKey } = await createAccount(deps, req.body as NewAccountInput);
      return { status: 201, body: { account: accountView(account), apiKey }, headers: { location: `/api/admin/accounts/${account.id}` } };
    },
  },
  {
    method: 'POST',
    path: '/admin/accounts/{accountId}/credits',
    operationId: 'AdminAddCredits',
    summary: 'Add credits',
    description: 'Operator route: adds credits to an account (a negative amount deducts).',
    tags: ['Admin'],
    auth: 'admin',
    pathParams: [idParam('accountId', 'Account ID', 'The account to credit.')],
    body: obj('Credit', 'The amount to add.', { amount: str('Amount', 'Decimal amount, e.g. "100.00"; negative to deduct.', { pattern: '^-?\\d{1,12}(\\.\\d{1,4})?$' }) }, ['amount']),
    responses: { 200: { description: 'The account after the change.', schema: accountSchema }, ...problemResponses(400, 404) },
    async handle({ deps, req }) {
      const account = await addCredits(deps, req.params.accountId!, (req.body as { amount: string }).amount);
      return { status: 200, body: accountView(account) };
    },
  },
];
