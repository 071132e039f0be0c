import { EVENT_TYPES, eventDataSchema, type EventName } from '../domain/events';
import { MESSAGE_STATUSES } from '../domain/types';
import { arr, obj, str, type JsonSchema } from '../schema/builders';
import type { EventDefinition, EventFilterDefinition } from './eventDefinition';

/**
 * The event catalog: the 17 webhook triggers of the product (seed 000), one per domain event, each
 * with its title, subscription filters and the schema of its `data` as the event declares it
 * (domain/events.ts). The subscription routes, the dispatcher (filters), the README and the
 * connector generator all read this list; tests validate every delivered payload against it.
 */

// ---- filters --------------------------------------------------------------------------------

const virtualNumberFilter: EventFilterDefinition = {
  name: 'virtualNumber',
  schema: str('Virtual number', 'Only messages received on this virtual number (E.164); leave empty for all numbers.', {
    maxLength: 32,
    'x-ms-visibility': 'important',
  }),
  matches: 'virtualNumber',
  dynamicValues: { operationId: 'ListVirtualNumberValues', valueCollection: 'items', valuePath: 'value', valueTitle: 'title' },
};

const statusesFilter: EventFilterDefinition = {
  name: 'statuses',
  schema: {
    ...arr('Statuses', 'Only changes into these statuses (for example delivered, undelivered, failed); leave empty for all.', {
      type: 'string',
      enum: MESSAGE_STATUSES,
    }),
    maxItems: MESSAGE_STATUSES.length,
    'x-ms-visibility': 'important',
  },
  matches: 'status',
};

/** Messages use an approved sender ID (dropdown); decisions concern requests not approved yet (free text). */
const senderIdFilter = (path: string, what: 'messages' | 'decisions'): EventFilterDefinition => ({
  name: 'senderId',
  schema: str('Sender ID', `Only ${what} of this sender ID (its value, e.g. DataFlows); leave empty for all.`, {
    maxLength: 20,
    'x-ms-visibility': 'advanced',
  }),
  matches: path,
  ...(what === 'messages'
    ? { dynamicValues: { operationId: 'ListSenderIdValues', valueCollection: 'items', valuePath: 'value', valueTitle: 'title' } }
    : {}),
});

const campaignFilter: EventFilterDefinition = {
  name: 'campaignId',
  schema: str('Campaign', 'Only events of this campaign (its ID, cmp_...); leave empty for all campaigns.', {
    maxLength: 64,
    'x-ms-visibility': 'advanced',
  }),
  matches: 'campaignId',
  dynamicValues: { operationId: 'ListCampaignValues', valueCollection: 'items', valuePath: 'value', valueTitle: 'title' },
};

const groupFilter: EventFilterDefinition = {
  name: 'groupId',
  schema: str('Group', 'Only contacts in this group (its ID, grp_...); leave empty for all groups.', {
    maxLength: 64,
    'x-ms-visibility': 'advanced',
  }),
  matches: 'groups.groupId',
  dynamicValues: { operationId: 'ListGroupValues', valueCollection: 'items', valuePath: 'value', valueTitle: 'title' },
};

const keywordFilter: EventFilterDefinition = {
  name: 'keyword',
  schema: str('Keyword', 'Only matches of this keyword (case-insensitive); leave empty for all keywords.', {
    maxLength: 50,
    'x-ms-visibility': 'important',
  }),
  matches: 'keyword',
  dynamicValues: { operationId: 'ListKeywordValues', valueCollection: 'items', valuePath: 'value', valueTitle: 'title' },
};

// ---- the catalog ----------------------------------------------------------------------------

type Trigger = Omit<EventDefinition, 'type' | 'dataSchema'>;

function trigger(slug: string, operationId: string, title: string, description: string, filters: EventFilterDefinition[]): Trigger {
  return { slug, operationId, title, description, filters };
}

/** Each event's trigger; keyed by the event's declaration, so an event without a trigger does not compile. */
const triggers: { readonly [K in EventName]: Trigger } = {
  smsReceived: trigger(
    'sms-received',
    'OnSmsReceived',
    'When an SMS is received',
    'This operation triggers when an SMS arrives on one of your virtual numbers (or the one you choose).',
    [virtualNumberFilter],
  ),

  smsStatusChanged: trigger(
    'sms-status-changed',
    'OnSmsStatusChanged',
    'When an SMS status changes',
    'This operation triggers when the delivery status of a message you sent changes (sent, delivered, undelivered, failed ...).',
    [statusesFilter, senderIdFilter('from', 'messages')],
  ),

  balanceLow: trigger(
    'balance-low',
    'OnBalanceLow',
    'When the credit balance is low',
    "This operation triggers when the account's SMS credits fall below its low-balance threshold.",
    [],
  ),

  campaignCompleted: trigger(
    'campaign-completed',
    'OnCampaignCompleted',
    'When a campaign is completed',
    'This operation triggers when a bulk SMS campaign has finished sending.',
    [campaignFilter],
  ),

  campaignFailed: trigger(
    'campaign-failed',
    'OnCampaignFailed',
    'When a campaign fails',
    'This operation triggers when a campaign encounters errors or fails.',
    [campaignFilter],
  ),

  campaignStarted: trigger(
    'campaign-started',
    'OnCampaignStarted',
    'When a campaign starts',
    'This operation triggers when a campaign begins sending.',
    [campaignFilter],
  ),

  contactAdded: trigger(
    'contact-added',
    'OnContactAdded',
    'When a contact is added',
    'This operation triggers when a new contact is added to a group.',
    [groupFilter],
  ),

  contactUpdated: trigger(
    'contact-updated',
    'OnContactUpdated',
    'When a contact is updated',
    "This operation triggers when a contact's information is changed.",
    [groupFilter],
  ),

  contactDeleted: trigger(
    'contact-deleted',
    'OnContactDeleted',
    'When a contact is deleted',
    'This operation triggers when a contact is removed from the system.',
    [groupFilter],
  ),

  messageScheduled: trigger(
    'message-scheduled',
    'OnMessageScheduled',
    'When a message is scheduled',
    'This operation triggers when a message is scheduled for future delivery.',
    [senderIdFilter('from', 'messages')],
  ),

  messageCancelled: trigger(
    'message-cancelled',
    'OnMessageCancelled',
    'When a scheduled message is cancelled',
    'This operation triggers when a scheduled message is cancelled before it was sent.',
    [senderIdFilter('from', 'messages')],
  ),

  keywordMatched: trigger(
    'keyword-matched',
    'OnKeywordMatched',
    'When a keyword is matched',
    'This operation triggers when an incoming SMS contains one of your keywords.',
    [virtualNumberFilter, keywordFilter],
  ),

  autoReplySent: trigger(
    'auto-reply-sent',
    'OnAutoReplySent',
    'When an auto reply is sent',
    'This operation triggers when an automatic reply is sent to a customer.',
    [virtualNumberFilter],
  ),

  deliveryRateLow: trigger(
    'delivery-rate-low',
    'OnDeliveryRateLow',
    'When the delivery rate is low',
    'This operation triggers when the message delivery rate drops below its threshold.',
    [],
  ),

  bounceRateHigh: trigger(
    'high-bounce-rate',
    'OnHighBounceRate',
    'When the bounce rate is high',
    'This operation triggers when the message bounce rate exceeds its limit.',
    [],
  ),

  senderIdApproved: trigger(
    'sender-id-approved',
    'OnSenderIdApproved',
    'When a sender ID is approved',
    'This operation triggers when one of your sender ID requests is approved.',
    [senderIdFilter('value', 'decisions')],
  ),

  senderIdRejected: trigger(
    'sender-id-rejected',
    'OnSenderIdRejected',
    'When a sender ID is rejected',
    'This operation triggers when one of your sender ID requests is rejected.',
    [senderIdFilter('value', 'decisions')],
  ),
};

export const eventCatalog: EventDefinition[] = (Object.keys(triggers) as EventName[]).map((name) => ({
  type: EVENT_TYPES[name],
  ...triggers[name],
  dataSchema: eventDataSchema(name),
}));

const byType = new Map(eventCatalog.map((d) => [d.type as string, d]));
const bySlug = new Map(eventCatalog.map((d) => [d.slug, d]));

export function eventDefinitionOf(type: string): EventDefinition | undefined {
  return byType.get(type);
}

export function eventDefinitionBySlug(slug: string): EventDefinition | undefined {
  return bySlug.get(slug);
}

/**
 * The JSON body a subscriber receives: the Standard Webhooks envelope around the event's data.
 * The connector generator uses it as the trigger's output schema.
 */
export function eventPayloadSchema(d: EventDefinition): JsonSchema {
  return obj(
    d.title.replace(/^When /, ''),
    `Payload of the ${d.type} event.`,
    {
      id: str('Event ID', 'Identifier of the event, prefixed evt_; the same on every retry (it is also the webhook-id header).'),
      type: str('Event type', `Always ${d.type}.`, { enum: [d.type] }),
      timestamp: str('Event time', 'When the event occurred (ISO 8601 UTC).', { format: 'date-time' }),
      accountId: str('Account ID', 'Account the event belongs to.'),
      data: d.dataSchema,
    },
    ['id', 'type', 'timestamp', 'accountId', 'data'],
  );
}
