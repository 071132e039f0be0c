import { assignVirtualNumber, listVirtualNumbers } from '../../app/virtualNumbers';
import { accountSenderLimit, withLimit } from '../../app/sendLimits';
import { virtualNumberView } from '../../app/views';
import { listOf, virtualNumberSchema } from '../resources';
import { defineRoute, inputBody, type RouteDef } from '../route';
import { arr, obj, str, strItem } from '../../schema/builders';
import { problemResponses } from './common';

export const virtualNumberRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/virtual-numbers',
    operationId: 'ListVirtualNumbers',
    summary: 'List virtual numbers',
    description: "Lists the phone numbers assigned to the account for receiving SMS, each with its send limit on the account's carrier.",
    tags: ['Virtual numbers'],
    auth: 'account',
    scope: 'account:read',
    responses: { 200: { description: 'The virtual numbers.', schema: listOf('Virtual numbers', virtualNumberSchema) } },
    connector: {},
    async handle({ deps, account }) {
      const items = await listVirtualNumbers(deps, account.id);
      const carrier = account.carrier ?? deps.settings.defaultCarrier;
      return {
        status: 200,
        body: {
          items: await Promise.all(
            items.map(async (v) => withLimit(virtualNumberView(v), await accountSenderLimit(deps, carrier, v.number))),
          ),
        },
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/operator/virtual-numbers',
    operationId: 'AdminAssignVirtualNumber',
    summary: 'Assign a virtual number',
    description: 'Operator route: assigns a phone number to an account for inbound SMS.',
    tags: ['Admin'],
    auth: 'admin',
    body: inputBody<Parameters<typeof assignVirtualNumber>[1]>()(
      obj(
        'Assignment',
        'The number and the account.',
        {
          accountId: str('Account ID', 'Account that gets the number.', { minLength: 1, maxLength: 64 }),
          number: str('Number', 'Phone number in E.164.', { minLength: 3, maxLength: 32 }),
          capabilities: arr('Capabilities', 'What the number can do.', strItem({ enum: ['sms', 'mms', 'voice'] })),
          label: str('Label', 'Label, e.g. Support line.', { maxLength: 100 }),
        },
        ['accountId', 'number'],
      ),
    ),
    responses: { 201: { description: 'The number was assigned.', schema: virtualNumberSchema }, ...problemResponses(400, 404, 409) },
    async handle({ deps, req }) {
      const vn = await assignVirtualNumber(deps, req.body);
      return { status: 201, body: virtualNumberView(vn) };
    },
  }),
];
