import { checkCarrierChoice, setAccountCarrier } from '../../app/accountCarrier';
import { addCredits, createAccount, type NewAccountInput } from '../../app/accounts';
import { accountView, carrierView } from '../../app/views';
import { AMOUNT_PATTERN, SIGNED_AMOUNT_PATTERN } from '../../domain/money';
import { accountSchema, defaultCountryInput } from '../resources';
import { defineRoute, inputBody, type RouteDef } from '../route';
import { bool, nullable, obj, str, type JsonSchema } from '../../schema/builders';
import { idParam, problemResponses } from './common';

// At most 999999999999.9999 (MAX_AMOUNT_MINOR): 12 digits before the point, 4 after.
const DECIMAL = { pattern: AMOUNT_PATTERN };

const carrierField = nullable(
  str(
    'Carrier',
    "Carrier for this account's messages, one of those configured (simulator, acs, twilio, kannel); null for the default (CARRIER_DEFAULT).",
    { minLength: 1, maxLength: 32 },
  ),
);

/** What operators see of an account: the account view plus its carrier. */
const adminAccountSchema: JsonSchema = {
  ...accountSchema,
  title: 'Account (operator view)',
  properties: {
    ...accountSchema.properties,
    carrier: carrierField,
    effectiveCarrier: str('Effective carrier', 'The carrier messages accepted now go through: carrier, or the default.'),
  },
};

export const adminRoutes: RouteDef[] = [
  defineRoute({
    method: 'POST',
    path: '/operator/accounts',
    operationId: 'AdminCreateAccount',
    summary: 'Create an account',
    description: 'Operator route: creates an account and returns its API key, which is shown only this once.',
    tags: ['Admin'],
    auth: 'admin',
    body: inputBody<NewAccountInput>()(
      obj(
        'New account',
        'The account to create.',
        {
          name: str('Name', 'Account name.', { minLength: 1, maxLength: 100 }),
          currency: str(
            'Currency',
            'ISO 4217 currency of credits and prices (default PRICE_CURRENCY); one with a price table (PRICE_TABLE_<code>; USD and EUR are built in), else 422.',
            { pattern: '^[A-Z]{3}$' },
          ),
          credits: str('Credits', 'Opening credits as a decimal string, at most 999999999999.9999.', DECIMAL),
          defaultCountry: defaultCountryInput('ISO 3166 alpha-2 country for national numbers.'),
          lowBalanceThreshold: str('Low balance threshold', 'Balance Low fires below this amount.', DECIMAL),
          senderId: str('Sender ID', 'A sender ID to provision approved, and make the default.', {
            minLength: 1,
            maxLength: 11,
            pattern: '^[A-Za-z0-9 ]+$',
          }),
          carrier: carrierField,
        },
        ['name'],
      ),
    ),
    responses: {
      201: {
        description: 'The account and its API key.',
        schema: obj(
          'Created account',
          'The new account with its key.',
          { account: adminAccountSchema, apiKey: str('API key', 'Shown once; store it safely.') },
          ['account', 'apiKey'],
        ),
      },
      ...problemResponses(400, 422),
    },
    async handle({ deps, req }) {
      checkCarrierChoice(deps, req.body.carrier);
      const { account, apiKey } = await createAccount(deps, req.body);
      return {
        status: 201,
        body: { account: { ...accountView(account), ...carrierView(deps, account) }, apiKey },
        headers: { location: `/api/operator/accounts/${account.id}` },
      };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/operator/accounts/{accountId}/carrier',
    operationId: 'AdminSetAccountCarrier',
    summary: "Choose an account's carrier",
    description:
      "Operator route: the carrier this account's messages go through from now on (messages already accepted keep theirs). null returns the account to the default (CARRIER_DEFAULT).",
    tags: ['Admin'],
    auth: 'admin',
    pathParams: [idParam('accountId', 'Account ID', 'The account.')],
    body: obj('Carrier choice', 'The carrier to use.', { carrier: carrierField }, ['carrier']),
    responses: { 200: { description: 'The account with its carrier.', schema: adminAccountSchema }, ...problemResponses(400, 404, 422) },
    async handle({ deps, req }) {
      const account = await setAccountCarrier(deps, req.params.accountId, req.body.carrier);
      return { status: 200, body: { ...accountView(account), ...carrierView(deps, account) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/operator/accounts/{accountId}/credits',
    operationId: 'AdminAddCredits',
    summary: 'Add credits',
    description:
      'Operator route: adds credits to an account (a negative amount deducts). A deduction below zero is refused (422 insufficient_balance) unless allowNegativeBalance is true; a balance past 999999999999.9999 is refused (422 balance_limit_exceeded).',
    tags: ['Admin'],
    auth: 'admin',
    pathParams: [idParam('accountId', 'Account ID', 'The account to credit.')],
    body: obj(
      'Credit',
      'The amount to add.',
      {
        amount: str('Amount', 'Decimal amount, e.g. "100.00"; negative to deduct.', { pattern: SIGNED_AMOUNT_PATTERN }),
        allowNegativeBalance: bool(
          'Allow negative balance',
          'Let a deduction take the balance below zero (default false: refused with 422).',
        ),
      },
      ['amount'],
    ),
    responses: {
      200: {
        description: 'The account after the change.',
        schema: {
          ...accountSchema,
          properties: {
            ...accountSchema.properties,
            negativeBalance: bool('Negative balance', 'True when this change left the balance below zero.'),
          },
        },
      },
      ...problemResponses(400, 404, 422),
    },
    async handle({ deps, req }) {
      const { amount, allowNegativeBalance } = req.body;
      const { account, negativeBalance } = await addCredits(deps, req.params.accountId, amount, allowNegativeBalance ?? false);
      return { status: 200, body: { ...accountView(account), negativeBalance } };
    },
  }),
];
