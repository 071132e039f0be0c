import { decideSenderId, listSenderIds, requestSenderId } from '../../app/senderIds';
import { accountSenderLimit, withLimit } from '../../app/sendLimits';
import { senderIdView } from '../../app/views';
import { listOf, senderIdSchema } from '../resources';
import { defineRoute, inputBody, type RouteDef } from '../route';
import { obj, str } from '../../schema/builders';
import { idParam, problemResponses } from './common';

const decisionBody = obj('Decision', 'Reason for the decision.', {
  reason: str('Reason', 'Reason shown to the account.', { maxLength: 500 }),
});

function decisionRoute(decision: 'approved' | 'rejected'): RouteDef {
  const verb = decision === 'approved' ? 'approve' : 'reject';
  return defineRoute({
    method: 'POST',
    path: `/operator/sender-ids/{senderIdId}/${verb}` as const,
    operationId: decision === 'approved' ? 'AdminApproveSenderId' : 'AdminRejectSenderId',
    summary: `${verb[0]!.toUpperCase()}${verb.slice(1)} a sender ID`,
    description: `Operator route: marks a pending sender ID as ${decision} and notifies the account.`,
    tags: ['Admin'],
    auth: 'admin',
    pathParams: [idParam('senderIdId', 'Sender ID identifier', 'ID of the sender ID record.')],
    body: decisionBody,
    bodyRequired: false,
    responses: { 200: { description: `The ${decision} sender ID.`, schema: senderIdSchema }, ...problemResponses(404, 409) },
    async handle({ deps, req }) {
      const s = await decideSenderId(deps, req.params.senderIdId, decision, req.body.reason);
      return { status: 200, body: senderIdView(s) };
    },
  });
}

export const senderIdRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/sender-ids',
    operationId: 'ListSenderIds',
    summary: 'List sender IDs',
    description:
      "Lists the account's sender IDs; approved ones unless another status is asked for. Each carries its send limit on the account's carrier.",
    tags: ['Sender IDs'],
    auth: 'account',
    scope: 'account:read',
    query: [
      {
        name: 'status',
        schema: str('Status', 'Which sender IDs to list (default approved).', {
          enum: ['approved', 'pending', 'rejected'],
          default: 'approved',
        }),
      },
    ],
    responses: { 200: { description: 'The sender IDs.', schema: listOf('Sender IDs', senderIdSchema) } },
    connector: {},
    async handle({ deps, req, account }) {
      const items = await listSenderIds(deps, account.id, req.query.status);
      const carrier = account.carrier ?? deps.settings.defaultCarrier;
      return {
        status: 200,
        body: {
          items: await Promise.all(items.map(async (s) => withLimit(senderIdView(s), await accountSenderLimit(deps, carrier, s.value)))),
        },
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/sender-ids',
    operationId: 'RequestSenderId',
    summary: 'Request a sender ID',
    description: 'Asks for a new sender ID (alphanumeric up to 11 characters, or a phone number); it stays pending until approved.',
    tags: ['Sender IDs'],
    auth: 'account',
    scope: 'account:write',
    body: inputBody<Parameters<typeof requestSenderId>[2]>()(
      obj(
        'Sender ID request',
        'The sender ID wanted.',
        {
          value: str('Value', 'Alphanumeric name (1-11 letters, digits, spaces) or a phone number.', { minLength: 1, maxLength: 20 }),
          purpose: str('Purpose', 'What the sender ID is for; helps approval.', { maxLength: 500, lineBreaks: true }),
        },
        ['value'],
      ),
    ),
    responses: { 201: { description: 'The request was recorded.', schema: senderIdSchema }, ...problemResponses(400, 409) },
    connector: {},
    async handle({ deps, req, account }) {
      const s = await requestSenderId(deps, account, req.body);
      return { status: 201, body: senderIdView(s), headers: { location: `/api/sender-ids/${s.id}` } };
    },
  }),
  decisionRoute('approved'),
  decisionRoute('rejected'),
];
