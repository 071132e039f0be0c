import { EVENT_TYPES, type EventType } from '../domain/events';
import { arr, bool, int, nullable, obj, str, type JsonSchema } from '../schema/builders';
import type { EventDefinition, EventFilterDefinition } from './eventDefinition';

/**
 * The event catalog: the 17 webhook triggers of the product (seed 000), each with the payload
 * schema of its `data` holding every "Data Available" field the seed promises. The subscription
 * routes, the dispatcher (filters), the README and the connector generator all read this list;
 * tests validate every delivered payload against these schemas.
 */

const MONEY = { pattern: '^-?\\d+\\.\\d{2,4}$', example: '0.75' };
const RATE = { minimum: 0, maximum: 1 };
const num = (title: string, description: string, extra: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'number', title, description, ...extra });
const time = (title: string, description: string): JsonSchema => str(title, description, { format: 'date-time' });
const stringMap = (title: string, description: string): JsonSchema => ({ type: 'object', title, description, additionalProperties: { type: 'string' } });
const anyMap = (title: string, description: string): JsonSchema => ({ type: 'object', title, description, additionalProperties: true });

const MESSAGE_STATUSES = ['queued', 'scheduled', 'sent', 'delivered', 'undelivered', 'failed', 'cancelled'] as const;

const reasonSchema = nullable(obj('Reason', 'Why the message is in its status: Hard Bounce 1400, Soft Bounce 1404, Carrier Violation 1408, Unknown 1409, platform failures 1410-1420; null when none.', {
  code: int('Reason code', 'Numeric reason code, e.g. 1400.'),
  message: str('Reason message', 'Human readable reason, e.g. Hard Bounce.'),
}, ['code', 'message']));

const costSchema = (title: string, description: string): JsonSchema => obj(title, description, {
  amount: str('Amount', 'Amount as a decimal string.', MONEY),
  currency: str('Currency', 'ISO 4217 currency code.'),
  segments: int('Segments', 'Number of SMS segments billed.'),
  unitPrice: str('Unit price', 'Price of one segment, decimal string.', MONEY),
}, ['amount', 'currency', 'segments', 'unitPrice']);

const contactSchema = obj('Contact', 'The contact\'s details.', {
  contactId: str('Contact ID', 'Identifier of the contact, prefixed ctc_.'),
  phone: str('Phone', 'Contact\'s phone number in E.164.'),
  firstName: nullable(str('First name', 'Contact\'s first name.')),
  lastName: nullable(str('Last name', 'Contact\'s last name.')),
  email: nullable(str('Email', 'Contact\'s email address.')),
  optedOut: bool('Opted out', 'True when the contact has opted out of messages.'),
  customFields: stringMap('Custom fields', 'The contact\'s custom fields as name/value pairs.'),
}, ['contactId', 'phone']);

const groupsSchema = arr('Groups', 'Groups the contact belongs to.', obj('Group', 'A contact group.', {
  groupId: str('Group ID', 'Identifier of the group, prefixed grp_.'),
  name: str('Group name', 'Name of the group.'),
}, ['groupId', 'name']));

const campaignRef = {
  campaignId: str('Campaign ID', 'Identifier of the campaign, prefixed cmp_.'),
  name: str('Campaign name', 'Name of the campaign.'),
};

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
    ...arr('Statuses', 'Only changes into these statuses (for example delivered, undelivered, failed); leave empty for all.', { type: 'string', enum: MESSAGE_STATUSES }),
    maxItems: MESSAGE_STATUSES.length,
    'x-ms-visibility': 'important',
  },
  matches: 'status',
};

/** Messages use an approved sender ID (dropdown); decisions concern requests not approved yet (free text). */
const senderIdFilter = (path: string, what: 'messages' | 'decisions'): EventFilterDefinition => ({
  name: 'senderId',
  schema: str('Sender ID', `Only ${what} of this sender ID (its value, e.g. DataFlows); leave empty for all.`, { maxLength: 20, 'x-ms-visibility': 'advanced' }),
  matches: path,
  ...(what === 'messages' ? { dynamicValues: { operationId: 'ListSenderIdValues', valueCollection: 'items', valuePath: 'value', valueTitle: 'title' } } : {}),
});

const campaignFilter: EventFilterDefinition = {
  name: 'campaignId',
  schema: str('Campaign', 'Only events of this campaign (its ID, cmp_...); leave empty for all campaigns.', { maxLength: 64, 'x-ms-visibility': 'advanced' }),
  matches: 'campaignId',
  dynamicValues: { operationId: 'ListCampaignValues', valueCollection: 'items', valuePath: 'value', valueTitle: 'title' },
};

const groupFilter: EventFilterDefinition = {
  name: 'groupId',
  schema: str('Group', 'Only contacts in this group (its ID, grp_...); leave empty for all groups.', { maxLength: 64, 'x-ms-visibility': 'advanced' }),
  matches: 'groups.groupId',
  dynamicValues: { operationId: 'ListGroupValues', valueCollection: 'items', valuePath: 'value', valueTitle: 'title' },
};

const keywordFilter: EventFilterDefinition = {
  name: 'keyword',
  schema: str('Keyword', 'Only matches of this keyword (case-insensitive); leave empty for all keywords.', { maxLength: 50, 'x-ms-visibility': 'important' }),
  matches: 'keyword',
  dynamicValues: { operationId: 'ListKeywordValues', valueCollection: 'items', valuePath: 'value', valueTitle: 'title' },
};

// ---- the catalog ----------------------------------------------------------------------------

function def(type: EventType, slug: string, operationId: string, title: string, description: string, dataSchema: JsonSchema, filters: EventFilterDefinition[], emitted: boolean): EventDefinition {
  return { type, slug, operationId, title, description, dataSchema, filters, emitted };
}

export const eventCatalog: EventDefinition[] = [
  def(EVENT_TYPES.smsReceived, 'sms-received', 'OnSmsReceived', 'When an SMS is received',
    'This operation triggers when an SMS arrives on one of your virtual numbers (or the one you choose).',
    obj('SMS received', 'An inbound SMS.', {
      from: str('Sender phone', 'Phone number of the sender in E.164.'),
      text: str('Message content', 'Text of the received message.'),
      timestamp: time('Received at', 'When the message was received (ISO 8601 UTC).'),
      virtualNumber: str('Virtual number', 'Your virtual number the message was sent to (E.164).'),
      virtualNumberId: str('Virtual number ID', 'Identifier of the virtual number, prefixed vn_.'),
      carrierMessageId: str('Carrier message ID', 'The carrier\'s id of the inbound message.'),
    }, ['from', 'text', 'timestamp', 'virtualNumber']),
    [virtualNumberFilter], true),

  def(EVENT_TYPES.smsStatusChanged, 'sms-status-changed', 'OnSmsStatusChanged', 'When an SMS status changes',
    'This operation triggers when the delivery status of a message you sent changes (sent, delivered, undelivered, failed ...).',
    obj('SMS status changed', 'A delivery status update of an outbound message.', {
      messageId: str('Message ID', 'Identifier of the message, prefixed msg_.'),
      status: str('Status', 'The new delivery status.', { enum: MESSAGE_STATUSES }),
      previousStatus: str('Previous status', 'The status before this change.', { enum: MESSAGE_STATUSES }),
      recipient: str('Recipient', 'Recipient phone number in E.164.'),
      from: str('From', 'Sender ID or number the message was sent from.'),
      timestamp: time('Timestamp', 'When the status changed (ISO 8601 UTC).'),
      reason: reasonSchema,
      segments: int('Segments', 'Number of SMS parts of the message.'),
      carrierMessageId: nullable(str('Carrier message ID', 'The carrier\'s own id for the message.')),
      uniqueArgs: nullable(stringMap('Unique arguments', 'Your key/value pairs given when sending.')),
    }, ['messageId', 'status', 'previousStatus', 'recipient', 'timestamp']),
    [statusesFilter, senderIdFilter('from', 'messages')], true),

  def(EVENT_TYPES.balanceLow, 'balance-low', 'OnBalanceLow', 'When the credit balance is low',
    'This operation triggers when the account\'s SMS credits fall below its low-balance threshold.',
    obj('Balance low', 'The balance crossed below the threshold.', {
      accountId: str('Account ID', 'Identifier of the account, prefixed acc_.'),
      accountName: str('Account name', 'Name of the account.'),
      balance: str('Current balance', 'Credits left, decimal string.', MONEY),
      threshold: str('Threshold amount', 'The low-balance threshold that was crossed, decimal string.', MONEY),
      currency: str('Currency', 'ISO 4217 currency code of the credits.'),
    }, ['accountId', 'accountName', 'balance', 'threshold', 'currency']),
    [], true),

  def(EVENT_TYPES.campaignCompleted, 'campaign-completed', 'OnCampaignCompleted', 'When a campaign is completed',
    'This operation triggers when a bulk SMS campaign has finished sending.',
    obj('Campaign completed', 'Totals of a finished campaign.', {
      ...campaignRef,
      totalSent: int('Total sent', 'Messages sent by the campaign.'),
      delivered: int('Delivered', 'Messages confirmed delivered.'),
      undelivered: int('Undelivered', 'Messages the carrier could not deliver.'),
      failed: int('Failed', 'Messages that could not be sent.'),
      deliveryRate: num('Delivery rate', 'Delivered divided by sent, between 0 and 1.', RATE),
      failureRate: num('Failure rate', 'Undelivered plus failed divided by the recipients, between 0 and 1.', RATE),
      totalCost: str('Total cost', 'What the campaign cost, decimal string.', MONEY),
      startedAt: time('Started at', 'When the campaign began sending.'),
      completedAt: time('Completion time', 'When the campaign finished sending.'),
    }, ['campaignId', 'name', 'totalSent', 'delivered', 'deliveryRate', 'completedAt']),
    [campaignFilter], true),

  def(EVENT_TYPES.campaignFailed, 'campaign-failed', 'OnCampaignFailed', 'When a campaign fails',
    'This operation triggers when a campaign encounters errors or fails.',
    obj('Campaign failed', 'A campaign that failed.', {
      ...campaignRef,
      error: obj('Error details', 'What went wrong.', {
        code: str('Error code', 'Stable error code, e.g. insufficient_credits.'),
        message: str('Error message', 'Human readable description of the error.'),
      }, ['code', 'message']),
      affectedRecipients: int('Affected recipients', 'Recipients who did not get the message because of the failure.'),
      sentBeforeFailure: int('Sent before failure', 'Messages sent before the campaign failed.'),
      failedAt: time('Failed at', 'When the campaign failed.'),
    }, ['campaignId', 'name', 'error', 'affectedRecipients', 'failedAt']),
    [campaignFilter], true),

  def(EVENT_TYPES.campaignStarted, 'campaign-started', 'OnCampaignStarted', 'When a campaign starts',
    'This operation triggers when a campaign begins sending.',
    obj('Campaign started', 'A campaign that began sending.', {
      ...campaignRef,
      senderId: nullable(str('Sender ID', 'Sender ID the campaign sends from.')),
      text: str('Message content', 'Message text or template of the campaign.'),
      scheduledFor: nullable(time('Scheduled time', 'When the campaign was scheduled to start; null when started at once.')),
      startedAt: time('Started at', 'When the campaign began sending.'),
      recipientCount: int('Recipient count', 'Number of recipients the campaign will send to.'),
      groupIds: arr('Groups', 'Contact groups the campaign targets.', { type: 'string' }),
    }, ['campaignId', 'name', 'startedAt', 'recipientCount']),
    [campaignFilter], true),

  def(EVENT_TYPES.contactAdded, 'contact-added', 'OnContactAdded', 'When a contact is added',
    'This operation triggers when a new contact is added to a group.',
    obj('Contact added', 'A new contact.', {
      contactId: str('Contact ID', 'Identifier of the contact, prefixed ctc_.'),
      contact: contactSchema,
      groups: groupsSchema,
      customFields: stringMap('Custom fields', 'The contact\'s custom fields as name/value pairs.'),
      createdAt: time('Added at', 'When the contact was added.'),
    }, ['contactId', 'contact', 'groups', 'createdAt']),
    [groupFilter], true),

  def(EVENT_TYPES.contactUpdated, 'contact-updated', 'OnContactUpdated', 'When a contact is updated',
    'This operation triggers when a contact\'s information is changed.',
    obj('Contact updated', 'A changed contact.', {
      contactId: str('Contact ID', 'Identifier of the contact, prefixed ctc_.'),
      changedFields: arr('Changed fields', 'Names of the fields that changed.', { type: 'string' }),
      previousValues: anyMap('Previous values', 'The changed fields with their values before the change.'),
      newValues: anyMap('New values', 'The changed fields with their new values.'),
      groups: groupsSchema,
      updatedAt: time('Updated at', 'When the contact changed.'),
    }, ['contactId', 'changedFields', 'previousValues', 'newValues', 'updatedAt']),
    [groupFilter], true),

  def(EVENT_TYPES.contactDeleted, 'contact-deleted', 'OnContactDeleted', 'When a contact is deleted',
    'This operation triggers when a contact is removed from the system.',
    obj('Contact deleted', 'A removed contact.', {
      contactId: str('Contact ID', 'Identifier of the contact, prefixed ctc_.'),
      contact: contactSchema,
      groups: groupsSchema,
      reason: str('Deletion reason', 'Why the contact was removed: api, user_request, opted_out or data_cleanup (as given when deleting).'),
      timestamp: time('Deleted at', 'When the contact was removed.'),
    }, ['contactId', 'contact', 'reason', 'timestamp']),
    [groupFilter], true),

  def(EVENT_TYPES.messageScheduled, 'message-scheduled', 'OnMessageScheduled', 'When a message is scheduled',
    'This operation triggers when a message is scheduled for future delivery.',
    obj('Message scheduled', 'A message accepted for a later time.', {
      messageId: str('Message ID', 'Identifier of the message, prefixed msg_.'),
      scheduledFor: time('Scheduled for', 'When the message will be sent.'),
      recipient: str('Recipient', 'Recipient phone number in E.164.'),
      from: str('From', 'Sender ID or number the message will be sent from.'),
      text: str('Message content', 'Text of the message.'),
      segments: int('Segments', 'Number of SMS parts of the message.'),
      cost: costSchema('Cost', 'What the message costs (already debited).'),
      createdAt: time('Scheduled at', 'When the message was accepted.'),
    }, ['messageId', 'scheduledFor', 'recipient', 'from', 'text', 'createdAt']),
    [senderIdFilter('from', 'messages')], true),

  def(EVENT_TYPES.messageCancelled, 'message-cancelled', 'OnMessageCancelled', 'When a scheduled message is cancelled',
    'This operation triggers when a scheduled message is cancelled before it was sent.',
    obj('Message cancelled', 'A cancelled scheduled message.', {
      messageId: str('Message ID', 'Identifier of the message, prefixed msg_.'),
      reason: str('Cancellation reason', 'Why the message was cancelled.'),
      originalSchedule: nullable(time('Original schedule', 'When the message was due to be sent.')),
      recipient: str('Recipient', 'Recipient phone number in E.164.'),
      from: str('From', 'Sender ID or number the message would have been sent from.'),
      cancelledAt: time('Cancelled at', 'When the message was cancelled.'),
      refund: costSchema('Refund', 'Credits returned to the balance.'),
    }, ['messageId', 'reason', 'originalSchedule', 'recipient', 'cancelledAt']),
    [senderIdFilter('from', 'messages')], true),

  def(EVENT_TYPES.keywordMatched, 'keyword-matched', 'OnKeywordMatched', 'When a keyword is matched',
    'This operation triggers when an incoming SMS contains one of your keywords.',
    obj('Keyword matched', 'An inbound SMS that matched a keyword rule.', {
      keyword: str('Keyword matched', 'The keyword that matched.'),
      matchType: str('Match type', 'How the keyword matched the text.', { enum: ['exact', 'starts_with', 'contains'] }),
      from: str('Sender phone', 'Phone number of the sender in E.164.'),
      text: str('Message content', 'Text of the received message.'),
      virtualNumber: str('Virtual number', 'Your virtual number the message was sent to (E.164).'),
      contactId: nullable(str('Sender contact ID', 'The sender\'s contact, when the number is one of your contacts.')),
      timestamp: time('Received at', 'When the message was received.'),
    }, ['keyword', 'matchType', 'from', 'text', 'virtualNumber', 'timestamp']),
    [virtualNumberFilter, keywordFilter], true),

  def(EVENT_TYPES.autoReplySent, 'auto-reply-sent', 'OnAutoReplySent', 'When an auto reply is sent',
    'This operation triggers when an automatic reply is sent to a customer.',
    obj('Auto reply sent', 'An automatic reply and the message it answered.', {
      originalMessage: obj('Original message', 'The inbound message that was answered.', {
        text: str('Original text', 'Text of the inbound message.'),
        receivedAt: time('Received at', 'When the inbound message arrived.'),
      }, ['text', 'receivedAt']),
      reply: obj('Reply', 'The automatic reply.', {
        messageId: str('Reply message ID', 'Identifier of the reply message, prefixed msg_.'),
        text: str('Reply content', 'Text of the reply.'),
        sentAt: time('Sent at', 'When the reply was sent.'),
      }, ['messageId', 'text', 'sentAt']),
      sender: obj('Sender details', 'Who the reply went to.', {
        phone: str('Sender phone', 'Phone number of the customer in E.164.'),
        contactId: nullable(str('Contact ID', 'The customer\'s contact, when known.')),
      }, ['phone']),
      virtualNumber: str('Virtual number', 'Your virtual number that received and answered (E.164).'),
      keyword: nullable(str('Keyword', 'Keyword rule that chose the reply, if any.')),
    }, ['originalMessage', 'reply', 'sender', 'virtualNumber']),
    [virtualNumberFilter], true),

  def(EVENT_TYPES.deliveryRateLow, 'delivery-rate-low', 'OnDeliveryRateLow', 'When the delivery rate is low',
    'This operation triggers when the message delivery rate drops below its threshold.',
    obj('Delivery rate low', 'The delivery rate dropped below the threshold.', {
      currentRate: num('Current rate', 'Delivered divided by the messages with a final status (delivered, undelivered, failed; not cancelled) created in the window, between 0 and 1.', RATE),
      threshold: num('Threshold', 'The rate below which this fires, between 0 and 1.', RATE),
      windowStart: time('Window start', 'Start of the measuring window.'),
      windowEnd: time('Window end', 'End of the measuring window.'),
      sampleSize: int('Sample size', 'Messages with a final status in the window.'),
      affectedCampaigns: arr('Affected campaigns', 'Campaigns with final messages among the window\'s newest 2,000 messages, lowest delivery rate first, at most 100.', obj('Affected campaign', 'A campaign and its delivery rate.', {
        ...campaignRef,
        deliveryRate: num('Delivery rate', 'The campaign\'s delivery rate in the window.', RATE),
      }, ['campaignId', 'deliveryRate'])),
    }, ['currentRate', 'threshold', 'windowStart', 'windowEnd', 'affectedCampaigns']),
    [], true),

  def(EVENT_TYPES.bounceRateHigh, 'high-bounce-rate', 'OnHighBounceRate', 'When the bounce rate is high',
    'This operation triggers when the message bounce rate exceeds its limit.',
    obj('High bounce rate', 'The bounce rate rose above the limit.', {
      bounceRate: num('Bounce rate', 'Bounced (Hard Bounce 1400, Soft Bounce 1404) divided by the messages with a final status created in the window, between 0 and 1; with more than 2,000 undelivered messages in the window, the bounce share of the newest 2,000 applied to all.', RATE),
      threshold: num('Threshold', 'The limit that was exceeded, between 0 and 1.', RATE),
      windowStart: time('Window start', 'Start of the measuring window.'),
      windowEnd: time('Window end', 'End of the measuring window.'),
      affectedNumbers: arr('Affected numbers', 'Recipient numbers that bounced (E.164), newest first, each once, at most 100.', { type: 'string' }),
      bounceReasons: arr('Bounce reasons', 'Bounces among the window\'s newest 2,000 undelivered messages, grouped by reason, most frequent first.', obj('Bounce reason', 'A reason and how often it occurred.', {
        code: int('Reason code', 'Reason code, e.g. 1400 Hard Bounce, 1404 Soft Bounce.'),
        message: str('Reason message', 'Human readable reason.'),
        count: int('Count', 'Bounces with this reason.'),
      }, ['code', 'message', 'count'])),
    }, ['bounceRate', 'threshold', 'affectedNumbers', 'bounceReasons']),
    [], true),

  def(EVENT_TYPES.senderIdApproved, 'sender-id-approved', 'OnSenderIdApproved', 'When a sender ID is approved',
    'This operation triggers when one of your sender ID requests is approved.',
    obj('Sender ID approved', 'An approved sender ID.', {
      senderId: str('Sender ID identifier', 'Identifier of the sender ID record, prefixed sid_.'),
      value: str('Sender ID', 'What recipients see as the sender.'),
      kind: str('Kind', 'alphanumeric or number.', { enum: ['alphanumeric', 'number'] }),
      status: str('Status', 'approved.', { enum: ['approved'] }),
      decidedAt: time('Approval date', 'When the sender ID was approved.'),
      reason: nullable(str('Note', 'Note given with the approval.')),
      restrictions: nullable(str('Restrictions', 'Restrictions on using the sender ID, e.g. one-way only.')),
    }, ['senderId', 'value', 'kind', 'status', 'decidedAt']),
    [senderIdFilter('value', 'decisions')], true),

  def(EVENT_TYPES.senderIdRejected, 'sender-id-rejected', 'OnSenderIdRejected', 'When a sender ID is rejected',
    'This operation triggers when one of your sender ID requests is rejected.',
    obj('Sender ID rejected', 'A rejected sender ID request.', {
      senderId: str('Sender ID identifier', 'Identifier of the sender ID record, prefixed sid_.'),
      value: str('Sender ID', 'The sender ID that was requested.'),
      kind: str('Kind', 'alphanumeric or number.', { enum: ['alphanumeric', 'number'] }),
      status: str('Status', 'rejected.', { enum: ['rejected'] }),
      decidedAt: time('Rejected at', 'When the request was rejected.'),
      reason: nullable(str('Rejection reason', 'Why the sender ID was rejected.')),
      resubmission: str('Resubmission guidelines', 'How to request the sender ID again.'),
    }, ['senderId', 'value', 'kind', 'status', 'decidedAt', 'resubmission']),
    [senderIdFilter('value', 'decisions')], true),
];

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
  return obj(d.title.replace(/^When /, ''), `Payload of the ${d.type} event.`, {
    id: str('Event ID', 'Identifier of the event, prefixed evt_; the same on every retry (it is also the webhook-id header).'),
    type: str('Event type', `Always ${d.type}.`, { enum: [d.type] }),
    timestamp: time('Event time', 'When the event occurred (ISO 8601 UTC).'),
    accountId: str('Account ID', 'Account the event belongs to.'),
    data: d.dataSchema,
  }, ['id', 'type', 'timestamp', 'accountId', 'data']);
}
