import { AMOUNT_PATTERN } from '../../domain/money';
import { callbackSecretOf, rotateCallbackSecret, updateAccountSettings, type AccountSettingsInput } from '../../app/accounts';
import { accountView, balanceView } from '../../app/views';
import { defaultCountryInput, retryPolicyInputSchema, accountSchema, balanceSchema, monitorSettingsInputSchema } from '../resources';
import { defineRoute, inputBody, type RouteDef } from '../route';
import { bool, int, nullable, obj, str } from '../../schema/builders';
import { problemResponses } from './common';
import { overlapHoursOf, rotatedSecretSchema, rotatedSecretView, rotateSecretBody } from '../secretRotation';

export const accountRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/health',
    operationId: 'Health',
    summary: 'Check service health',
    description: 'Reports whether the service is up; needs no API key.',
    tags: ['Service'],
    auth: 'none',
    responses: {
      200: {
        description: 'The service is up.',
        schema: obj(
          'Health',
          'Service health.',
          { status: str('Status', 'ok when the service is up.'), time: str('Time', 'Server time.', { format: 'date-time' }) },
          ['status', 'time'],
        ),
      },
    },
    async handle({ deps }) {
      return { status: 200, body: { status: 'ok', time: new Date(deps.clock.now()).toISOString() } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/me',
    operationId: 'GetAccount',
    summary: 'Get my account',
    description: 'Returns the account the API key belongs to and what the key may do; used to test the connection.',
    tags: ['Account'],
    auth: 'account',
    scope: 'account:read',
    responses: { 200: { description: 'The account.', schema: accountSchema }, ...problemResponses(401) },
    connector: { visibility: 'advanced' },
    async handle({ account, keyScopes }) {
      // What this key may do, not the account's ceiling: the connection test shows the key's reach.
      return { status: 200, body: { ...accountView(account), scopes: [...(keyScopes ?? account.scopes)] } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/balance',
    operationId: 'GetBalance',
    summary: 'Get credit balance',
    description: 'Returns the remaining credits, their currency and the low-balance threshold.',
    tags: ['Account'],
    auth: 'account',
    scope: 'account:read',
    responses: { 200: { description: 'The balance.', schema: balanceSchema } },
    connector: {},
    async handle({ account }) {
      return { status: 200, body: balanceView(account) };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/account',
    operationId: 'UpdateAccountSettings',
    summary: 'Update account settings',
    description:
      'Changes account settings such as the default sender ID, default country, low-balance threshold and the delivery-rate and bounce-rate monitors.',
    tags: ['Account'],
    auth: 'account',
    scope: 'account:write',
    body: inputBody<AccountSettingsInput>()(
      obj('Account settings', 'Settings to change; fields left out stay as they are.', {
        name: str('Name', 'Account name.', { minLength: 1, maxLength: 100 }),
        defaultSenderId: nullable(
          str('Default sender ID', 'Approved sender ID (record id or value) used when a message has no from; null to clear.', {
            minLength: 1,
            maxLength: 64,
          }),
        ),
        defaultCountry: defaultCountryInput('ISO 3166 alpha-2 country used to read national numbers, e.g. IN.'),
        lowBalanceThreshold: str('Low balance threshold', 'Balance Low fires when credits fall below this decimal amount.', {
          pattern: AMOUNT_PATTERN,
        }),
        retryPolicy: retryPolicyInputSchema,
        validityPeriod: nullable(
          int(
            'Validity period',
            'Seconds (1-36,000) a message may wait to be handed to its carrier when the send sets none; null: no limit.',
            { minimum: 1, maximum: 36_000 },
          ),
        ),
        notifyOnDelivery: bool(
          'Notify on delivery',
          'Call the default webhook when a send completes and again when its delivery status arrives (needs defaultWebhookUrl).',
        ),
        defaultWebhookUrl: nullable(
          str('Default webhook URL', "HTTPS URL of the account's default webhook; null to clear.", { format: 'uri', maxLength: 2048 }),
        ),
        monitors: monitorSettingsInputSchema,
        messageRetentionDays: nullable(
          int(
            'Message retention (days)',
            'Texts of messages older than this many days are erased by a daily job (the messages stay); null keeps texts (the default).',
            { minimum: 1, maximum: 3650 },
          ),
        ),
      }),
    ),
    responses: { 200: { description: 'The updated account.', schema: accountSchema }, ...problemResponses(400, 422) },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      const updated = await updateAccountSettings(deps, account, req.body);
      return { status: 200, body: accountView(updated) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/account/callback-secret',
    operationId: 'GetCallbackSigningSecret',
    summary: 'Get the callback signing secret',
    description:
      "Returns the Standard Webhooks secret (whsec_...) that signs this account's per-message callbacks and default webhook calls.",
    tags: ['Account'],
    auth: 'account',
    scope: 'account:write',
    responses: {
      200: {
        description: 'The secret.',
        schema: obj(
          'Callback signing secret',
          'Verify webhook-signature with it.',
          { secret: str('Secret', 'whsec_ followed by the base64 key.') },
          ['secret'],
        ),
      },
      ...problemResponses(401, 403),
    },
    connector: { visibility: 'advanced' },
    async handle({ deps, account }) {
      const { secret } = await callbackSecretOf(deps, account);
      return { status: 200, body: { secret } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/account/callback-secret/rotate',
    operationId: 'RotateCallbackSigningSecret',
    summary: 'Rotate the callback signing secret',
    description:
      "Replaces the secret that signs this account's per-message callbacks and default webhook calls. The replaced secret keeps signing beside the new one for the overlap (default 24 hours), so receivers can switch over without rejecting a delivery.",
    tags: ['Account'],
    auth: 'account',
    scope: 'account:write',
    body: rotateSecretBody,
    bodyRequired: false,
    responses: { 200: { description: 'The new secret.', schema: rotatedSecretSchema }, ...problemResponses(400, 401, 403) },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      const updated = await rotateCallbackSecret(deps, account, overlapHoursOf(req.body));
      return { status: 200, body: rotatedSecretView(updated.callbackSecret!, updated.previousCallbackSecret) };
    },
  }),
];
