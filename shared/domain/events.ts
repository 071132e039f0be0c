import { FORMATTED_AMOUNT } from './money';
import {
  arr,
  bool,
  dict,
  int,
  nullable,
  num,
  obj,
  str,
  strItem,
  time,
  type JsonSchema,
  type SchemaLike,
  type StaticOf,
} from '../schema/builders';
import { MESSAGE_STATUSES, type DomainEvent, type Message, type MessageStatus, type SenderId, type StatusReason } from './types';

/**
 * The domain events, one declaration each: its type name and the JSON Schema of its `data`, which
 * holds every "Data Available" field the seed promises. The payload type is inferred from that
 * schema (schema/builders.ts), so `makeEvent` refuses data the schema does not describe, the webhook
 * catalog adds the trigger's title and filters to it, and the connector emits it unchanged; tests
 * validate every delivered payload against it. Adding an event: one entry here, its trigger in
 * webhooks/catalog.ts (the compiler asks for it).
 */

const MONEY = FORMATTED_AMOUNT;
/** An array item that is any string (no title of its own). */
const plainString = strItem();
const RATE = { minimum: 0, maximum: 1 };

const reasonSchema = nullable(
  obj(
    'Reason',
    'Why the message is in its status: Hard Bounce 1400, Soft Bounce 1404, Carrier Violation 1408, Unknown 1409, platform failures 1410-1420 (1414 Expired: not handed to the carrier within its validity period); null when none.',
    {
      code: int('Reason code', 'Numeric reason code, e.g. 1400.'),
      message: str('Reason message', 'Human readable reason, e.g. Hard Bounce.'),
    },
    ['code', 'message'],
  ),
);

const costSchema = (title: string, description: string) =>
  obj(
    title,
    description,
    {
      amount: str('Amount', 'Amount as a decimal string.', MONEY),
      currency: str('Currency', 'ISO 4217 currency code.'),
      segments: int('Segments', 'Number of SMS segments billed.'),
      unitPrice: str('Unit price', 'Price of one segment, decimal string.', MONEY),
    },
    ['amount', 'currency', 'segments', 'unitPrice'],
  );

const contactSchema = obj(
  'Contact',
  "The contact's details.",
  {
    contactId: str('Contact ID', 'Identifier of the contact, prefixed ctc_.'),
    phone: str('Phone', "Contact's phone number in E.164."),
    firstName: nullable(str('First name', "Contact's first name.")),
    lastName: nullable(str('Last name', "Contact's last name.")),
    email: nullable(str('Email', "Contact's email address.")),
    optedOut: bool('Opted out', 'True when the contact has opted out of messages.'),
    customFields: dict('Custom fields', "The contact's custom fields as name/value pairs.", strItem()),
  },
  ['contactId', 'phone'],
);

const groupsSchema = arr(
  'Groups',
  'Groups the contact belongs to.',
  obj(
    'Group',
    'A contact group.',
    {
      groupId: str('Group ID', 'Identifier of the group, prefixed grp_.'),
      name: str('Group name', 'Name of the group.'),
    },
    ['groupId', 'name'],
  ),
);

const campaignRef = {
  campaignId: str('Campaign ID', 'Identifier of the campaign, prefixed cmp_.'),
  name: str('Campaign name', 'Name of the campaign.'),
};

const event = <T extends string, S extends SchemaLike>(type: T, data: S) => ({ type, data });

export const EVENTS = {
  smsReceived: event(
    'sms.received',
    obj(
      'SMS received',
      'An inbound SMS.',
      {
        from: str('Sender phone', 'Phone number of the sender in E.164.'),
        text: str('Message content', 'Text of the received message.'),
        timestamp: time('Received at', 'When the message was received (ISO 8601 UTC).'),
        virtualNumber: str('Virtual number', 'Your virtual number the message was sent to (E.164).'),
        virtualNumberId: str('Virtual number ID', 'Identifier of the virtual number, prefixed vn_.'),
        carrierMessageId: str('Carrier message ID', "The carrier's id of the inbound message."),
      },
      ['from', 'text', 'timestamp', 'virtualNumber'],
    ),
  ),

  smsStatusChanged: event(
    'sms.status_changed',
    obj(
      'SMS status changed',
      'A delivery status update of an outbound message.',
      {
        messageId: str('Message ID', 'Identifier of the message, prefixed msg_.'),
        status: str('Status', 'The new delivery status.', { enum: MESSAGE_STATUSES }),
        previousStatus: str('Previous status', 'The status before this change.', { enum: MESSAGE_STATUSES }),
        recipient: str('Recipient', 'Recipient phone number in E.164.'),
        from: str('From', 'Sender ID or number the message was sent from.'),
        timestamp: time('Timestamp', 'When the status changed (ISO 8601 UTC).'),
        reason: reasonSchema,
        segments: int('Segments', 'Number of SMS parts of the message.'),
        carrierMessageId: nullable(str('Carrier message ID', "The carrier's own id for the message.")),
        uniqueArgs: nullable(dict('Unique arguments', 'Your key/value pairs given when sending.', strItem())),
      },
      ['messageId', 'status', 'previousStatus', 'recipient', 'timestamp'],
    ),
  ),

  balanceLow: event(
    'balance.low',
    obj(
      'Balance low',
      'The balance crossed below the threshold.',
      {
        accountId: str('Account ID', 'Identifier of the account, prefixed acc_.'),
        accountName: str('Account name', 'Name of the account.'),
        balance: str('Current balance', 'Credits left, decimal string.', MONEY),
        threshold: str('Threshold amount', 'The low-balance threshold that was crossed, decimal string.', MONEY),
        currency: str('Currency', 'ISO 4217 currency code of the credits.'),
      },
      ['accountId', 'accountName', 'balance', 'threshold', 'currency'],
    ),
  ),

  campaignCompleted: event(
    'campaign.completed',
    obj(
      'Campaign completed',
      'Totals of a finished campaign.',
      {
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
      },
      ['campaignId', 'name', 'totalSent', 'delivered', 'deliveryRate', 'completedAt'],
    ),
  ),

  campaignFailed: event(
    'campaign.failed',
    obj(
      'Campaign failed',
      'A campaign that failed.',
      {
        ...campaignRef,
        error: obj(
          'Error details',
          'What went wrong.',
          {
            code: str('Error code', 'Stable error code, e.g. insufficient_credits.'),
            message: str('Error message', 'Human readable description of the error.'),
          },
          ['code', 'message'],
        ),
        affectedRecipients: int('Affected recipients', 'Recipients who did not get the message because of the failure.'),
        sentBeforeFailure: int('Sent before failure', 'Messages sent before the campaign failed.'),
        failedAt: time('Failed at', 'When the campaign failed.'),
      },
      ['campaignId', 'name', 'error', 'affectedRecipients', 'failedAt'],
    ),
  ),

  campaignStarted: event(
    'campaign.started',
    obj(
      'Campaign started',
      'A campaign that began sending.',
      {
        ...campaignRef,
        senderId: nullable(str('Sender ID', 'Sender ID the campaign sends from.')),
        text: str('Message content', 'Message text or template of the campaign.'),
        scheduledFor: nullable(time('Scheduled time', 'When the campaign was scheduled to start; null when started at once.')),
        startedAt: time('Started at', 'When the campaign began sending.'),
        recipientCount: int('Recipient count', 'Number of recipients the campaign will send to.'),
        groupIds: arr('Groups', 'Contact groups the campaign targets.', plainString),
      },
      ['campaignId', 'name', 'startedAt', 'recipientCount'],
    ),
  ),

  contactAdded: event(
    'contact.added',
    obj(
      'Contact added',
      'A new contact.',
      {
        contactId: str('Contact ID', 'Identifier of the contact, prefixed ctc_.'),
        contact: contactSchema,
        groups: groupsSchema,
        customFields: dict('Custom fields', "The contact's custom fields as name/value pairs.", strItem()),
        createdAt: time('Added at', 'When the contact was added.'),
      },
      ['contactId', 'contact', 'groups', 'createdAt'],
    ),
  ),

  contactUpdated: event(
    'contact.updated',
    obj(
      'Contact updated',
      'A changed contact.',
      {
        contactId: str('Contact ID', 'Identifier of the contact, prefixed ctc_.'),
        changedFields: arr('Changed fields', 'Names of the fields that changed.', plainString),
        previousValues: dict('Previous values', 'The changed fields with their values before the change.', true),
        newValues: dict('New values', 'The changed fields with their new values.', true),
        groups: groupsSchema,
        updatedAt: time('Updated at', 'When the contact changed.'),
      },
      ['contactId', 'changedFields', 'previousValues', 'newValues', 'updatedAt'],
    ),
  ),

  contactDeleted: event(
    'contact.deleted',
    obj(
      'Contact deleted',
      'A removed contact.',
      {
        contactId: str('Contact ID', 'Identifier of the contact, prefixed ctc_.'),
        contact: contactSchema,
        groups: groupsSchema,
        reason: str(
          'Deletion reason',
          "Why the contact was removed: api, user_request, opted_out or data_cleanup (as given when deleting), or erasure (the person's data was erased on request: the contact's phone reads [erased] and its names, email and custom fields are empty).",
          {
            enum: ['api', 'user_request', 'opted_out', 'data_cleanup', 'erasure'],
          },
        ),
        timestamp: time('Deleted at', 'When the contact was removed.'),
      },
      ['contactId', 'contact', 'reason', 'timestamp'],
    ),
  ),

  messageScheduled: event(
    'message.scheduled',
    obj(
      'Message scheduled',
      'A message accepted for a later time.',
      {
        messageId: str('Message ID', 'Identifier of the message, prefixed msg_.'),
        scheduledFor: time('Scheduled for', 'When the message will be sent.'),
        recipient: str('Recipient', 'Recipient phone number in E.164.'),
        from: str('From', 'Sender ID or number the message will be sent from.'),
        text: str('Message content', 'Text of the message.'),
        segments: int('Segments', 'Number of SMS parts of the message.'),
        cost: costSchema('Cost', 'What the message costs (already debited).'),
        createdAt: time('Scheduled at', 'When the message was accepted.'),
      },
      ['messageId', 'scheduledFor', 'recipient', 'from', 'text', 'createdAt'],
    ),
  ),

  messageCancelled: event(
    'message.cancelled',
    obj(
      'Message cancelled',
      'A cancelled scheduled message.',
      {
        messageId: str('Message ID', 'Identifier of the message, prefixed msg_.'),
        reason: str('Cancellation reason', 'Why the message was cancelled.'),
        originalSchedule: nullable(time('Original schedule', 'When the message was due to be sent.')),
        recipient: str('Recipient', 'Recipient phone number in E.164.'),
        from: str('From', 'Sender ID or number the message would have been sent from.'),
        cancelledAt: time('Cancelled at', 'When the message was cancelled.'),
        refund: costSchema('Refund', 'Credits returned to the balance.'),
      },
      ['messageId', 'reason', 'originalSchedule', 'recipient', 'cancelledAt'],
    ),
  ),

  keywordMatched: event(
    'keyword.matched',
    obj(
      'Keyword matched',
      'An inbound SMS that matched a keyword rule.',
      {
        keyword: str('Keyword matched', 'The keyword that matched.'),
        matchType: str('Match type', 'How the keyword matched the text.', { enum: ['exact', 'starts_with', 'contains'] }),
        from: str('Sender phone', 'Phone number of the sender in E.164.'),
        text: str('Message content', 'Text of the received message.'),
        virtualNumber: str('Virtual number', 'Your virtual number the message was sent to (E.164).'),
        contactId: nullable(str('Sender contact ID', "The sender's contact, when the number is one of your contacts.")),
        timestamp: time('Received at', 'When the message was received.'),
      },
      ['keyword', 'matchType', 'from', 'text', 'virtualNumber', 'timestamp'],
    ),
  ),

  autoReplySent: event(
    'auto_reply.sent',
    obj(
      'Auto reply sent',
      'An automatic reply and the message it answered.',
      {
        originalMessage: obj(
          'Original message',
          'The inbound message that was answered.',
          {
            text: str('Original text', 'Text of the inbound message.'),
            receivedAt: time('Received at', 'When the inbound message arrived.'),
          },
          ['text', 'receivedAt'],
        ),
        reply: obj(
          'Reply',
          'The automatic reply.',
          {
            messageId: str('Reply message ID', 'Identifier of the reply message, prefixed msg_.'),
            text: str('Reply content', 'Text of the reply.'),
            sentAt: time('Sent at', 'When the reply was sent.'),
          },
          ['messageId', 'text', 'sentAt'],
        ),
        sender: obj(
          'Sender details',
          'Who the reply went to.',
          {
            phone: str('Sender phone', 'Phone number of the customer in E.164.'),
            contactId: nullable(str('Contact ID', "The customer's contact, when known.")),
          },
          ['phone'],
        ),
        virtualNumber: str('Virtual number', 'Your virtual number that received and answered (E.164).'),
        keyword: nullable(str('Keyword', 'Keyword rule that chose the reply, if any.')),
      },
      ['originalMessage', 'reply', 'sender', 'virtualNumber'],
    ),
  ),

  deliveryRateLow: event(
    'delivery_rate.low',
    obj(
      'Delivery rate low',
      'The delivery rate dropped below the threshold.',
      {
        currentRate: num(
          'Current rate',
          'Delivered divided by the messages with a final status (delivered, undelivered, failed; not cancelled) created in the window, between 0 and 1.',
          RATE,
        ),
        threshold: num('Threshold', 'The rate below which this fires, between 0 and 1.', RATE),
        windowStart: time('Window start', 'Start of the measuring window.'),
        windowEnd: time('Window end', 'End of the measuring window.'),
        sampleSize: int('Sample size', 'Messages with a final status in the window.'),
        affectedCampaigns: arr(
          'Affected campaigns',
          "Campaigns with final messages among the window's newest 2,000 messages, lowest delivery rate first, at most 100.",
          obj(
            'Affected campaign',
            'A campaign and its delivery rate.',
            {
              ...campaignRef,
              deliveryRate: num('Delivery rate', "The campaign's delivery rate in the window.", RATE),
            },
            ['campaignId', 'deliveryRate'],
          ),
        ),
      },
      ['currentRate', 'threshold', 'windowStart', 'windowEnd', 'affectedCampaigns'],
    ),
  ),

  bounceRateHigh: event(
    'bounce_rate.high',
    obj(
      'High bounce rate',
      'The bounce rate rose above the limit.',
      {
        bounceRate: num(
          'Bounce rate',
          'Bounced (Hard Bounce 1400, Soft Bounce 1404) divided by the messages with a final status created in the window, between 0 and 1; with more than 2,000 undelivered messages in the window, the bounce share of the newest 2,000 applied to all.',
          RATE,
        ),
        threshold: num('Threshold', 'The limit that was exceeded, between 0 and 1.', RATE),
        windowStart: time('Window start', 'Start of the measuring window.'),
        windowEnd: time('Window end', 'End of the measuring window.'),
        affectedNumbers: arr(
          'Affected numbers',
          'Recipient numbers that bounced (E.164), newest first, each once, at most 100.',
          plainString,
        ),
        bounceReasons: arr(
          'Bounce reasons',
          "Bounces among the window's newest 2,000 undelivered messages, grouped by reason, most frequent first.",
          obj(
            'Bounce reason',
            'A reason and how often it occurred.',
            {
              code: int('Reason code', 'Reason code, e.g. 1400 Hard Bounce, 1404 Soft Bounce.'),
              message: str('Reason message', 'Human readable reason.'),
              count: int('Count', 'Bounces with this reason.'),
            },
            ['code', 'message', 'count'],
          ),
        ),
      },
      ['bounceRate', 'threshold', 'affectedNumbers', 'bounceReasons'],
    ),
  ),

  senderIdApproved: event(
    'sender_id.approved',
    obj(
      'Sender ID approved',
      'An approved sender ID.',
      {
        senderId: str('Sender ID identifier', 'Identifier of the sender ID record, prefixed sid_.'),
        value: str('Sender ID', 'What recipients see as the sender.'),
        kind: str('Kind', 'alphanumeric or number.', { enum: ['alphanumeric', 'number'] }),
        status: str('Status', 'approved.', { enum: ['approved'] }),
        decidedAt: time('Approval date', 'When the sender ID was approved.'),
        reason: nullable(str('Note', 'Note given with the approval.')),
        restrictions: nullable(str('Restrictions', 'Restrictions on using the sender ID, e.g. one-way only.')),
      },
      ['senderId', 'value', 'kind', 'status', 'decidedAt'],
    ),
  ),

  senderIdRejected: event(
    'sender_id.rejected',
    obj(
      'Sender ID rejected',
      'A rejected sender ID request.',
      {
        senderId: str('Sender ID identifier', 'Identifier of the sender ID record, prefixed sid_.'),
        value: str('Sender ID', 'The sender ID that was requested.'),
        kind: str('Kind', 'alphanumeric or number.', { enum: ['alphanumeric', 'number'] }),
        status: str('Status', 'rejected.', { enum: ['rejected'] }),
        decidedAt: time('Rejected at', 'When the request was rejected.'),
        reason: nullable(str('Rejection reason', 'Why the sender ID was rejected.')),
        resubmission: str('Resubmission guidelines', 'How to request the sender ID again.'),
      },
      ['senderId', 'value', 'kind', 'status', 'decidedAt', 'resubmission'],
    ),
  ),
};

type Events = typeof EVENTS;
/** The declaration's key, e.g. `smsStatusChanged`. */
export type EventName = keyof Events;
/** The type name carried in payloads, e.g. `sms.status_changed`. */
export type EventType = Events[EventName]['type'];
/** The `data` of an event of type T, as its schema describes it. */
export type EventData<T extends EventType> = StaticOf<Extract<Events[EventName], { type: T }>['data']>;

/** Domain events as a union discriminated by `type`. */
export type TypedEvent<T extends EventType = EventType> = {
  [K in T]: Omit<DomainEvent, 'type' | 'data'> & { type: K; data: EventData<K> };
}[T];

export const EVENT_TYPES = Object.fromEntries(Object.entries(EVENTS).map(([name, e]) => [name, e.type])) as {
  readonly [K in EventName]: Events[K]['type'];
};

/** The JSON Schema of the `data` of an event type. */
export function eventDataSchema(name: EventName): JsonSchema {
  return EVENTS[name].data;
}

/**
 * Reads a stored event as the declared shape of its type. Events are written only through
 * makeEvent (data checked against EventData at compile time), so the type name vouches for the data.
 */
/** A stored event built from its declared parts: the data must be what its type's schema describes. */
export function eventOf<T extends EventType>(event: Omit<DomainEvent, 'type' | 'data'> & { type: T; data: EventData<T> }): DomainEvent {
  return event;
}

export function isEventOf<T extends EventType>(event: DomainEvent, type: T): event is DomainEvent & TypedEvent<T> {
  return event.type === type;
}

export function statusChangedData(m: Message, previousStatus: MessageStatus, reason: StatusReason | null): EventData<'sms.status_changed'> {
  return {
    messageId: m.id,
    status: m.status,
    previousStatus,
    recipient: m.to,
    from: m.from,
    timestamp: m.updatedAt,
    reason,
    segments: m.segments,
    carrierMessageId: m.carrierMessageId,
    uniqueArgs: m.uniqueArgs,
  };
}

export function scheduledData(m: Message, scheduledFor: string): EventData<'message.scheduled'> {
  return {
    messageId: m.id,
    scheduledFor,
    recipient: m.to,
    from: m.from,
    text: m.text,
    segments: m.segments,
    cost: m.cost,
    createdAt: m.createdAt,
  };
}

export function cancelledData(m: Message, reason: string): EventData<'message.cancelled'> {
  return {
    messageId: m.id,
    reason,
    originalSchedule: m.scheduledFor,
    recipient: m.to,
    from: m.from,
    cancelledAt: m.updatedAt,
    refund: m.cost,
  };
}

/** The data of sender_id.approved or sender_id.rejected, for the decision just taken. */
export function senderIdDecisionData(s: SenderId, decision: 'approved', decidedAt: string): EventData<'sender_id.approved'>;
export function senderIdDecisionData(s: SenderId, decision: 'rejected', decidedAt: string): EventData<'sender_id.rejected'>;
export function senderIdDecisionData(
  s: SenderId,
  decision: 'approved' | 'rejected',
  decidedAt: string,
): EventData<'sender_id.approved' | 'sender_id.rejected'>;
export function senderIdDecisionData(
  s: SenderId,
  decision: 'approved' | 'rejected',
  decidedAt: string,
): EventData<'sender_id.approved' | 'sender_id.rejected'> {
  const decided = { senderId: s.id, value: s.value, kind: s.kind };
  return decision === 'approved'
    ? {
        ...decided,
        status: decision,
        decidedAt,
        reason: s.reason,
        restrictions: s.kind === 'alphanumeric' ? 'One-way: recipients cannot reply to an alphanumeric sender ID.' : null,
      }
    : {
        ...decided,
        status: decision,
        decidedAt,
        reason: s.reason,
        resubmission: 'Fix the reason given and request the sender ID again with POST /api/sender-ids.',
      };
}

/** Balance-low fires once per downward crossing of the threshold. */
export function crossesBelow(before: bigint, after: bigint, threshold: bigint): boolean {
  return before >= threshold && after < threshold;
}
