import { invalid } from '../../app/errors';
import type { DeliveryAttempt, Subscription } from '../../domain/webhooks';
import { eventCatalog, eventDefinitionOf } from '../../webhooks/catalog';
import type { EventDefinition } from '../../webhooks/eventDefinition';
import {
  getSubscription,
  listDeliveries,
  listEvents,
  listSubscriptions,
  redeliverEvent,
  replayFailed,
  rotateSubscriptionSecret,
  subscribe,
  unsubscribe,
} from '../../webhooks/subscriptions';
import { problem } from '../problem';
import { listOf } from '../resources';
import { defineRoute, type RouteDef } from '../route';
import { arr, int, nullable, obj, str, type JsonSchema } from '../../schema/builders';
import { idParam, problemResponses } from './common';
import { overlapHoursOf, rotatedSecretSchema, rotatedSecretView, rotateSecretBody } from '../secretRotation';
import { deliveryView, eventView, subscriptionView } from '../../app/views';

/** A subscription as the API shows it, with its trigger's slug from the catalog. */
const viewOf = (s: Subscription, baseUrl: string) => subscriptionView(s, baseUrl, eventDefinitionOf(s.eventType)?.slug ?? null);

/**
 * Webhook subscription routes: one static POST per trigger of the event catalog (the Power
 * Automate contract: 201 + Location, which Power Automate DELETEs when the flow is switched off),
 * and the routes to inspect, replay and redeliver.
 */

const healthSchema = obj(
  'Health',
  'How the endpoint has been answering.',
  {
    state: str('State', 'new (no delivery yet), healthy, failing, or disabled.', { enum: ['new', 'healthy', 'failing', 'disabled'] }),
    lastAttemptAt: nullable(str('Last attempt', 'When the last delivery attempt was made.', { format: 'date-time' })),
    lastSuccessAt: nullable(
      str('Last success', 'When the endpoint last answered 2xx (updated at most once a minute while healthy).', { format: 'date-time' }),
    ),
    lastFailureAt: nullable(str('Last failure', 'When an attempt last failed.', { format: 'date-time' })),
    lastStatusCode: nullable(int('Last status code', 'HTTP status of the last attempt; null when there was no response.')),
    lastError: nullable(str('Last error', 'Why the last failed attempt failed.')),
    consecutiveFailures: int('Consecutive failures', 'Failed attempts since the last success.'),
    failingSince: nullable(
      str('Failing since', 'Start of the current run of failures; the endpoint is disabled after 5 days of it.', { format: 'date-time' }),
    ),
  },
  ['state', 'consecutiveFailures'],
);

export const subscriptionSchema: JsonSchema = obj(
  'Webhook subscription',
  'A subscription to one trigger.',
  {
    id: str('Subscription ID', 'Identifier, prefixed sub_.'),
    eventType: str('Event type', 'The event type delivered, e.g. sms.received.'),
    trigger: nullable(str('Trigger', 'The trigger slug, e.g. sms-received.')),
    callbackUrl: str('Callback URL', 'Where events are POSTed.'),
    filters: {
      type: 'object',
      title: 'Filters',
      description: 'The filters set; an event must match all of them.',
      additionalProperties: true,
    },
    status: str('Status', 'active, or disabled after failing for 5 days (subscribe again or replay to re-enable).', {
      enum: ['active', 'disabled'],
    }),
    disabledReason: nullable(str('Disabled reason', 'Why the subscription was disabled.')),
    createdAt: str('Created at', 'When the subscription was created.', { format: 'date-time' }),
    updatedAt: str('Updated at', 'When it last changed.', { format: 'date-time' }),
    health: healthSchema,
    links: obj(
      'Links',
      'Related URLs.',
      { self: str('Self', 'This subscription (DELETE it to unsubscribe).'), deliveries: str('Deliveries', 'Its delivery attempts.') },
      ['self', 'deliveries'],
    ),
    secret: str(
      'Signing secret',
      'Standard Webhooks secret (whsec_...) to verify the webhook-signature header; returned when subscribing only.',
    ),
  },
  ['id', 'eventType', 'callbackUrl', 'filters', 'status', 'createdAt', 'health'],
);

const deliverySchema = obj(
  'Delivery attempt',
  'One HTTP attempt to deliver an event.',
  {
    id: str('Attempt ID', 'Identifier, prefixed dlv_.'),
    eventId: str('Event ID', 'The event delivered.'),
    eventType: str('Event type', 'Its type.'),
    webhookId: str('Webhook ID', 'The webhook-id header, the same on every attempt of one delivery.'),
    attempt: int('Attempt', '1 for the first attempt of the delivery.'),
    at: str('At', 'When the attempt was made.', { format: 'date-time' }),
    url: str('URL', 'Where it was sent.'),
    statusCode: nullable(int('Status code', 'HTTP status answered; null when there was no response.')),
    latencyMs: int('Latency (ms)', 'Time to the response or the failure.'),
    error: nullable(str('Error', 'Why the attempt failed.')),
    responseExcerpt: nullable(str('Response excerpt', 'Start of the response body (up to 1 KiB).')),
    outcome: str('Outcome', 'succeeded, retrying, failed (gave up), gone (410: subscription removed), disabled.', {
      enum: ['succeeded', 'retrying', 'failed', 'gone', 'disabled'],
    }),
    nextAttemptAt: nullable(str('Next attempt', 'When the next attempt is due (retrying only).', { format: 'date-time' })),
  },
  ['id', 'eventId', 'eventType', 'webhookId', 'attempt', 'at', 'url', 'latencyMs', 'outcome'],
);

const eventSchema = obj(
  'Event',
  'A stored event.',
  {
    id: str('Event ID', 'Identifier, prefixed evt_.'),
    type: str('Event type', 'e.g. sms.status_changed.'),
    occurredAt: str('Occurred at', 'When it happened.', { format: 'date-time' }),
    data: {
      type: 'object',
      title: 'Data',
      description: 'The event data; its shape per type is in the event catalog.',
      additionalProperties: true,
    },
  },
  ['id', 'type', 'occurredAt', 'data'],
);

const subscriptionIdParam = idParam(
  'subscriptionId',
  'Subscription ID',
  'ID of the subscription (sub_...), from the subscribe response or its Location.',
);

/** Subscription route of one trigger; `trigger` tells the connector generator to emit an x-ms-trigger. */
function subscribeRoute(def: EventDefinition): RouteDef {
  const filters: Record<string, JsonSchema> = Object.fromEntries(def.filters.map((f) => [f.name, f.schema]));
  const properties = {
    callbackUrl: str('Callback URL', 'HTTPS URL that receives the events (Power Automate fills it in).', {
      format: 'uri',
      minLength: 1,
      maxLength: 2048,
      'x-ms-visibility': 'internal',
      'x-ms-notification-url': true,
    }),
    ...filters,
  };
  return defineRoute({
    method: 'POST',
    path: `/hooks/${def.slug}` as const,
    operationId: def.operationId,
    summary: def.title,
    description: def.description,
    tags: ['Triggers'],
    auth: 'account',
    scope: 'hooks:manage',
    rateLimit: 'subscriptions',
    body: obj(`${def.title} subscription`, 'The callback URL and optional filters.', properties, ['callbackUrl']),
    responses: {
      201: {
        description: 'Subscribed (or the existing subscription for this callback URL updated).',
        schema: subscriptionSchema,
        headers: { Location: { type: 'string', description: 'Absolute URL of the subscription; DELETE it to unsubscribe.' } },
      },
      ...problemResponses(400, 401, 403, 422, 429),
    },
    connector: {},
    trigger: def,
    async handle({ deps, req, account }) {
      const { subscription, created } = await subscribe(deps, account.id, def, req.body);
      const view = viewOf(subscription, deps.settings.publicBaseUrl);
      // 201 for an update too: Power Automate expects 201 + Location from every subscribe call.
      return {
        status: 201,
        body: { ...view, secret: subscription.secret },
        headers: { location: view.links.self, ...(created ? {} : { 'x-subscription-updated': 'true' }) },
      };
    },
  });
}

const unknownTriggerRoute = defineRoute({
  method: 'POST',
  path: '/hooks/{trigger}',
  operationId: 'SubscribeUnknownTrigger',
  summary: 'Unknown trigger',
  description: 'Answers 404 naming the known triggers when the slug is not one of them.',
  tags: ['Triggers'],
  auth: 'account',
  scope: 'hooks:manage',
  rateLimit: 'subscriptions',
  pathParams: [idParam('trigger', 'Trigger', 'Trigger slug.')],
  responses: problemResponses(404),
  async handle({ req }) {
    return problem(
      404,
      'unknown_trigger',
      'Unknown trigger',
      `There is no trigger "${req.params.trigger}". Known triggers: ${eventCatalog.map((d) => d.slug).join(', ')}.`,
    );
  },
});

const DELIVERY_PAGE_MAX = 500;

export const hookRoutes: RouteDef[] = [
  ...eventCatalog.map(subscribeRoute),
  defineRoute({
    method: 'GET',
    path: '/hooks',
    operationId: 'ListWebhookSubscriptions',
    summary: 'List webhook subscriptions',
    description: "Lists the account's webhook subscriptions with their health.",
    tags: ['Webhooks'],
    auth: 'account',
    scope: 'hooks:manage',
    rateLimit: 'subscriptions',
    responses: {
      200: { description: 'The subscriptions.', schema: listOf('Webhook subscriptions', subscriptionSchema) },
      ...problemResponses(429),
    },
    connector: { visibility: 'advanced' },
    async handle({ deps, account }) {
      const items = await listSubscriptions(deps, account.id);
      return { status: 200, body: { items: items.map((s) => viewOf(s, deps.settings.publicBaseUrl)) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/hooks/{subscriptionId}',
    operationId: 'GetWebhookSubscription',
    summary: 'Get a webhook subscription',
    description: 'Returns one webhook subscription with its status and health: new, healthy, failing or disabled.',
    tags: ['Webhooks'],
    auth: 'account',
    scope: 'hooks:manage',
    rateLimit: 'subscriptions',
    pathParams: [subscriptionIdParam],
    responses: { 200: { description: 'The subscription.', schema: subscriptionSchema }, ...problemResponses(404, 429) },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      const s = await getSubscription(deps, account.id, req.params.subscriptionId);
      return { status: 200, body: viewOf(s, deps.settings.publicBaseUrl) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/hooks/{subscriptionId}',
    operationId: 'DeleteWebhookSubscription',
    summary: 'Delete a webhook subscription',
    description: 'Unsubscribes; deleting an already deleted subscription succeeds again (Power Automate retries DELETEs).',
    tags: ['Webhooks'],
    auth: 'account',
    scope: 'hooks:manage',
    rateLimit: 'subscriptions',
    pathParams: [subscriptionIdParam],
    responses: { 204: { description: 'Deleted.' }, ...problemResponses(404, 429) },
    // Internal: Power Automate calls it through the trigger's Location when a flow is turned off.
    connector: { visibility: 'internal' },
    async handle({ deps, req, account }) {
      await unsubscribe(deps, account.id, req.params.subscriptionId);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/hooks/{subscriptionId}/deliveries',
    operationId: 'ListWebhookDeliveries',
    summary: 'List delivery attempts',
    description:
      'Lists every attempt to deliver to this subscription, newest first, with its time, status code, latency and the start of the response.',
    tags: ['Webhooks'],
    auth: 'account',
    scope: 'hooks:manage',
    rateLimit: 'subscriptions',
    pathParams: [subscriptionIdParam],
    query: [
      { name: 'since', schema: str('Since', 'Only attempts at or after this time (ISO 8601).', { format: 'date-time' }) },
      { name: 'eventId', schema: str('Event ID', 'Only attempts of this event.', { maxLength: 64 }) },
      {
        name: 'limit',
        schema: int('Limit', `How many attempts (1-${DELIVERY_PAGE_MAX}, default 100).`, {
          minimum: 1,
          maximum: DELIVERY_PAGE_MAX,
          default: 100,
        }),
      },
    ],
    responses: {
      200: { description: 'The attempts.', schema: listOf('Delivery attempts', deliverySchema) },
      ...problemResponses(400, 404, 429),
    },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      const q = req.query;
      const items: DeliveryAttempt[] = await listDeliveries(
        deps,
        account.id,
        req.params.subscriptionId,
        { since: q.since && new Date(q.since).toISOString(), eventId: q.eventId },
        q.limit,
      );
      return { status: 200, body: { items: items.map(deliveryView) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/hooks/{subscriptionId}/replay',
    operationId: 'ReplayWebhookDeliveries',
    summary: 'Replay failed deliveries',
    description:
      'Sends again every delivery to this subscription that failed (or was cut short by disabling) since the given time; re-enables a disabled subscription.',
    tags: ['Webhooks'],
    auth: 'account',
    scope: 'hooks:manage',
    rateLimit: 'subscriptions',
    pathParams: [subscriptionIdParam],
    body: obj(
      'Replay request',
      'Which failures to send again.',
      { since: str('Since', 'Replay failures with an attempt at or after this time (ISO 8601).', { format: 'date-time' }) },
      ['since'],
    ),
    responses: {
      202: {
        description: 'The events queued again.',
        schema: obj('Replay', 'What was queued.', { eventIds: arr('Event IDs', 'Events queued for delivery again.', { type: 'string' }) }, [
          'eventIds',
        ]),
      },
      ...problemResponses(400, 404, 429),
    },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      const since = new Date(req.body.since);
      if (Number.isNaN(since.getTime())) throw invalid([{ path: '/since', message: 'is not a valid time' }]);
      return { status: 202, body: await replayFailed(deps, account.id, req.params.subscriptionId, since.toISOString()) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/hooks/{subscriptionId}/rotate-secret',
    operationId: 'RotateWebhookSecret',
    summary: 'Rotate a webhook signing secret',
    description:
      "Replaces the subscription's signing secret; the new one is shown once. The replaced secret keeps signing beside it for the overlap (default 24 hours), so the receiver can switch over without rejecting a delivery.",
    tags: ['Webhooks'],
    auth: 'account',
    scope: 'hooks:manage',
    rateLimit: 'subscriptions',
    pathParams: [subscriptionIdParam],
    body: rotateSecretBody,
    bodyRequired: false,
    responses: { 200: { description: 'The new secret.', schema: rotatedSecretSchema }, ...problemResponses(400, 404, 429) },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      const s = await rotateSubscriptionSecret(deps, account.id, req.params.subscriptionId, overlapHoursOf(req.body));
      return { status: 200, body: rotatedSecretView(s.secret, s.previousSecret) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/events',
    operationId: 'ListEvents',
    summary: 'List events',
    description: "Lists the account's stored events, oldest first (kept 30 days), to find one to redeliver.",
    tags: ['Webhooks'],
    auth: 'account',
    scope: 'hooks:manage',
    rateLimit: 'subscriptions',
    query: [
      { name: 'type', schema: str('Type', 'Only events of this type.', { enum: eventCatalog.map((d) => d.type) }) },
      { name: 'since', schema: str('Since', 'Only events at or after this time (ISO 8601).', { format: 'date-time' }) },
      { name: 'limit', schema: int('Limit', 'How many events (1-500, default 100).', { minimum: 1, maximum: 500, default: 100 }) },
    ],
    responses: { 200: { description: 'The events.', schema: listOf('Events', eventSchema) }, ...problemResponses(400, 429) },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      const q = req.query;
      const events = await listEvents(deps, account.id, { type: q.type, since: q.since }, q.limit);
      return { status: 200, body: { items: events.map(eventView) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/events/{eventId}/redeliver',
    operationId: 'RedeliverEvent',
    summary: 'Redeliver an event',
    description: 'Sends one stored event again to every active subscription it matches, or to the one named.',
    tags: ['Webhooks'],
    auth: 'account',
    scope: 'hooks:manage',
    rateLimit: 'subscriptions',
    pathParams: [idParam('eventId', 'Event ID', "ID of the event (evt_...), as in the payload's id and the webhook-id header.")],
    body: obj('Redeliver request', 'Optionally, one subscription to redeliver to.', {
      subscriptionId: str('Subscription ID', 'Only this subscription (sub_...).', { maxLength: 64 }),
    }),
    bodyRequired: false,
    responses: {
      202: {
        description: 'Queued.',
        schema: obj(
          'Redelivery',
          'Where the event is going.',
          {
            eventId: str('Event ID', 'The event.'),
            subscriptionIds: arr('Subscription IDs', 'Subscriptions it was queued for.', { type: 'string' }),
          },
          ['eventId', 'subscriptionIds'],
        ),
      },
      ...problemResponses(404, 422, 429),
    },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      return { status: 202, body: await redeliverEvent(deps, account.id, req.params.eventId, req.body.subscriptionId) };
    },
  }),
  // Last: catches POST /hooks/<anything else> after every real trigger path.
  unknownTriggerRoute,
];
