import { carrierLimit, senderLimits, setCarrierLimit, setSenderLimit } from '../../app/sendLimits';
import { arr, bool, nullable, num, obj, str } from '../../schema/builders';
import { senderLimitSchema } from '../resources';
import { defineRoute, type RouteDef } from '../route';
import { pathParam, problemResponses } from './common';

const rate = (description: string) => nullable(num('Messages per second', description, { minimum: 0, maximum: 100_000 }));
const limitBody = obj(
  'Limit',
  'The new limit.',
  {
    messagesPerSecond: rate('Units per second (fractions allowed, e.g. 0.05 is one every 20 s); null removes the limit. Must be above 0.'),
  },
  ['messagesPerSecond'],
);
const carrierParam = pathParam(
  'carrier',
  str('Carrier', 'A configured carrier: simulator, acs, twilio or kannel.', { minLength: 1, maxLength: 32 }),
);
const senderParam = pathParam(
  'sender',
  str('Sender', 'A sender ID or a number in E.164 (URL-encode the +).', { minLength: 1, maxLength: 32 }),
);
const SENDER_KINDS = ['alphanumeric', 'shortCode', 'tollFree', 'longCode'] as const;

const carrierLimitSchema = obj(
  'Carrier limit',
  "A carrier's send limit per sender.",
  {
    carrier: str('Carrier', 'The carrier.'),
    messagesPerSecond: rate('Operator-set limit of each sender without its own; null: the published defaults apply.'),
    countsSegments: bool('Counts segments', 'True when the carrier counts segments, not messages.'),
    publishedDefaults: obj(
      'Published defaults',
      "The carrier's published rate per kind of sender (null: none).",
      Object.fromEntries(SENDER_KINDS.map((k) => [k, nullable(num(k, `Rate of a ${k} sender.`))])),
      [...SENDER_KINDS],
    ),
  },
  ['carrier', 'messagesPerSecond', 'countsSegments', 'publishedDefaults'],
);

const senderLimitsSchema = obj(
  'Sender limits',
  "A sender's own limit and the limit in force on each carrier.",
  {
    sender: str('Sender', 'The sender.'),
    kind: str('Kind', 'The kind of sender, which picks the published default.', { enum: [...SENDER_KINDS] }),
    messagesPerSecond: rate("The sender's own limit; null: its carrier's applies."),
    carriers: arr('Carriers', 'The limit in force on each configured carrier.', senderLimitSchema),
  },
  ['sender', 'kind', 'messagesPerSecond', 'carriers'],
);

/** Operator routes over send limits (docs/pacing.md). */
export const limitRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/operator/carriers/{carrier}/limits',
    operationId: 'AdminGetCarrierLimits',
    summary: "Read a carrier's send limit",
    description: "Operator route: the carrier's operator-set limit and its published defaults per kind of sender.",
    tags: ['Admin'],
    auth: 'admin',
    pathParams: [carrierParam],
    responses: { 200: { description: "The carrier's limit.", schema: carrierLimitSchema }, ...problemResponses(404) },
    async handle({ deps, req }) {
      return { status: 200, body: await carrierLimit(deps, req.params.carrier) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/operator/carriers/{carrier}/limits',
    operationId: 'AdminSetCarrierLimits',
    summary: "Set a carrier's send limit",
    description:
      'Operator route: the limit of every sender of the carrier that has none of its own; null returns to the published defaults.',
    tags: ['Admin'],
    auth: 'admin',
    pathParams: [carrierParam],
    body: limitBody,
    responses: { 200: { description: "The carrier's limit.", schema: carrierLimitSchema }, ...problemResponses(400, 404) },
    async handle({ deps, req }) {
      return { status: 200, body: await setCarrierLimit(deps, req.params.carrier, req.body.messagesPerSecond) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/operator/senders/{sender}/limits',
    operationId: 'AdminGetSenderLimits',
    summary: "Read a sender's send limit",
    description:
      "Operator route: the sender's own limit, and on each carrier the limit in force, the current adaptive rate and the last throttling.",
    tags: ['Admin'],
    auth: 'admin',
    pathParams: [senderParam],
    responses: { 200: { description: "The sender's limits.", schema: senderLimitsSchema } },
    async handle({ deps, req }) {
      return { status: 200, body: await senderLimits(deps, req.params.sender) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/operator/senders/{sender}/limits',
    operationId: 'AdminSetSenderLimits',
    summary: "Set a sender's send limit",
    description: "Operator route: the sender's own limit on every carrier; null removes it (the carrier's applies).",
    tags: ['Admin'],
    auth: 'admin',
    pathParams: [senderParam],
    body: limitBody,
    responses: { 200: { description: "The sender's limits.", schema: senderLimitsSchema } },
    async handle({ deps, req }) {
      return { status: 200, body: await setSenderLimit(deps, req.params.sender, req.body.messagesPerSecond) };
    },
  }),
];
