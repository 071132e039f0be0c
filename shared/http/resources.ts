import { FORMATTED_AMOUNT } from '../domain/money';
import { DEFAULT_MONITOR_SETTINGS, MONITOR_LIMITS } from '../domain/monitors';
import { MESSAGE_STATUSES } from '../domain/types';
import { arr, bool, int, nullable, num, obj, str, type JsonSchema } from '../schema/builders';

/** Response and request shapes shared by several routes. */

const MONEY = FORMATTED_AMOUNT;

export const statusReasonSchema = nullable(
  obj(
    'Status reason',
    'Why the message ended in its status: Hard Bounce 1400, Soft Bounce 1404, Carrier Violation 1408, Unknown 1409, and platform failures 1410-1420 (e.g. 1414 Expired: not handed to the carrier within its validity period).',
    {
      code: int('Reason code', 'Numeric reason code, e.g. 1400 for a hard bounce.'),
      message: str('Reason message', 'Human readable reason, e.g. Hard Bounce.'),
    },
    ['code', 'message'],
  ),
);

export { MESSAGE_STATUSES };

export const messageSchema: JsonSchema = obj(
  'Message',
  'An SMS message and its delivery state.',
  {
    id: str('Message ID', 'Unique message identifier, prefixed msg_.'),
    to: str('To', 'Recipient in E.164 format.'),
    from: str('From', 'Sender ID or number the message was sent from.'),
    text: str('Text', 'Message text.'),
    status: str('Status', 'Delivery status of the message.', { enum: MESSAGE_STATUSES }),
    statusReason: statusReasonSchema,
    encoding: str('Encoding', 'GSM-7 for plain text, UCS-2 when the text has characters outside GSM-7.', { enum: ['GSM-7', 'UCS-2'] }),
    segments: int('Segments', 'Number of SMS parts the text needs.'),
    characters: int('Characters', 'Number of characters counted for segmentation.'),
    nonEnglishChars: bool('Non-English characters', 'True when the text needed Unicode (UCS-2) encoding.'),
    cost: obj(
      'Cost',
      'What the message costs: segments times the unit price of the destination.',
      {
        amount: str('Cost amount', 'Total cost as a decimal string.', MONEY),
        currency: str('Currency', 'ISO 4217 currency code.'),
        segments: int('Billed segments', 'Number of segments billed.'),
        unitPrice: str('Unit price', 'Price of one segment to this destination, decimal string.', MONEY),
      },
      ['amount', 'currency', 'segments', 'unitPrice'],
    ),
    createdAt: str('Created at', 'When the message was accepted (ISO 8601 UTC).', { format: 'date-time' }),
    updatedAt: str('Updated at', 'When the message last changed (ISO 8601 UTC).', { format: 'date-time' }),
    scheduledFor: nullable(str('Scheduled for', 'When a scheduled message is due to be sent.', { format: 'date-time' })),
    validUntil: nullable(
      str(
        'Valid until',
        'Not handed to the carrier by then, the message fails with reason 1414 Expired (and is refunded); null: no limit.',
        { format: 'date-time' },
      ),
    ),
    sentAt: nullable(str('Sent at', 'When the carrier accepted the message.', { format: 'date-time' })),
    deliveredAt: nullable(str('Delivered at', 'When the handset confirmed delivery.', { format: 'date-time' })),
    attempts: int('Attempts', 'How many times submission to the carrier was attempted.'),
    carrier: str('Carrier', 'Carrier that handles the message.'),
    carrierMessageId: nullable(str('Carrier message ID', "The carrier's own id for the message.")),
    callbackUrl: nullable(str('Callback URL', "URL that receives this message's sent, delivered and undelivered events.")),
    uniqueArgs: nullable({
      type: 'object',
      title: 'Unique arguments',
      description: 'Your own key/value pairs, echoed in every callback event.',
      additionalProperties: { type: 'string' },
    }),
    campaignId: nullable(str('Campaign ID', 'The campaign that sent the message (cmp_...); null for a message sent on its own.')),
    notifyOnDelivery: arr(
      'Default webhook responses',
      "What the account's default webhook answered (notify on delivery), latest per stage.",
      obj(
        'Default webhook response',
        "One stage's call of the default webhook.",
        {
          stage: str('Stage', 'sent (the send completed) or delivery (the delivery status arrived).', { enum: ['sent', 'delivery'] }),
          at: str('At', 'When the webhook was called.', { format: 'date-time' }),
          attempt: int('Attempt', 'Which attempt this was.'),
          url: str('URL', 'The webhook called.'),
          statusCode: nullable(int('Status code', 'HTTP status answered; null when it did not answer.')),
          response: nullable(str('Response', 'Start of the response body, or the error.')),
          succeeded: bool('Succeeded', 'True for a 2xx answer.'),
        },
        ['stage', 'at', 'attempt', 'url', 'succeeded'],
      ),
    ),
    history: arr(
      'History',
      'Every accepted status change with its time.',
      obj(
        'Status change',
        'One status change.',
        {
          status: str('Status', 'Status entered.', { enum: MESSAGE_STATUSES }),
          at: str('At', 'When the status was entered.', { format: 'date-time' }),
          reason: obj(
            'Reason',
            'Reason given with the change.',
            { code: int('Code', 'Reason code.'), message: str('Message', 'Reason message.') },
            ['code', 'message'],
          ),
        },
        ['status', 'at'],
      ),
    ),
  },
  ['id', 'to', 'from', 'text', 'status', 'encoding', 'segments', 'characters', 'nonEnglishChars', 'cost', 'createdAt', 'attempts'],
);

const groupRefSchema = obj(
  'Group',
  'A group the contact belongs to.',
  {
    groupId: str('Group ID', 'Identifier of the group, prefixed grp_.'),
    name: str('Group name', 'Name of the group.'),
  },
  ['groupId', 'name'],
);

/** A contact as GET /contacts/{id} shows it; the group routes list members with it too. */
export const contactSchema: JsonSchema = obj(
  'Contact',
  'A contact: a phone number with its details and groups.',
  {
    id: str('Contact ID', 'Identifier of the contact, prefixed ctc_.'),
    phone: str('Phone', "The contact's phone number in E.164; unique within the account."),
    firstName: nullable(str('First name', "The contact's first name.")),
    lastName: nullable(str('Last name', "The contact's last name.")),
    email: nullable(str('Email', "The contact's email address.")),
    customFields: {
      type: 'object',
      title: 'Custom fields',
      description: 'Your own name/value pairs, e.g. plan or city.',
      additionalProperties: { type: 'string' },
    },
    groups: arr('Groups', 'The groups the contact belongs to.', groupRefSchema),
    optedOut: bool('Opted out', "True when the phone has opted out of this account's messages (sends to it are refused)."),
    createdAt: str('Created at', 'When the contact was added.', { format: 'date-time' }),
    updatedAt: str('Updated at', 'When the contact last changed.', { format: 'date-time' }),
  },
  ['id', 'phone', 'firstName', 'lastName', 'email', 'customFields', 'groups', 'optedOut', 'createdAt', 'updatedAt'],
);

/** One sender on one carrier: what is configured and what throttling left of it. */
export const senderLimitSchema: JsonSchema = obj(
  'Sender limit',
  'The send limit in force for a sender on a carrier.',
  {
    carrier: str('Carrier', 'The carrier.'),
    messagesPerSecond: nullable(
      num('Messages per second', "The configured limit (the sender's own, else the carrier's, else the published default); null: none."),
    ),
    source: str('Source', 'Where the limit comes from.', { enum: ['sender', 'carrier', 'default', 'none'] }),
    countsSegments: bool('Counts segments', 'True when the carrier counts segments, not messages, against the limit.'),
    currentRate: nullable(num('Current rate', 'The rate in force now: lower than the limit for a while after the carrier throttled.')),
    lastThrottledAt: nullable(str('Last throttled at', 'When the carrier last answered "too fast".', { format: 'date-time' })),
    throttledUntil: nullable(str('Throttled until', "Nothing is sent before this (the carrier's Retry-After).", { format: 'date-time' })),
  },
  ['carrier', 'messagesPerSecond', 'source', 'countsSegments', 'currentRate', 'lastThrottledAt', 'throttledUntil'],
);

export const senderIdSchema: JsonSchema = obj(
  'Sender ID',
  'A sender ID (alphanumeric name or number) and its approval state.',
  {
    id: str('Sender ID identifier', 'Identifier of the sender ID record, prefixed sid_.'),
    value: str('Value', 'What recipients see as the sender.'),
    kind: str('Kind', 'alphanumeric or number.', { enum: ['alphanumeric', 'number'] }),
    status: str('Status', 'Approval state.', { enum: ['pending', 'approved', 'rejected'] }),
    purpose: nullable(str('Purpose', 'What the sender ID is for, as given in the request.')),
    reason: nullable(str('Reason', 'Reason given with the approval or rejection.')),
    createdAt: str('Requested at', 'When the sender ID was requested.', { format: 'date-time' }),
    decidedAt: nullable(str('Decided at', 'When it was approved or rejected.', { format: 'date-time' })),
    limit: senderLimitSchema,
  },
  ['id', 'value', 'kind', 'status', 'createdAt'],
);

export const virtualNumberSchema: JsonSchema = obj(
  'Virtual number',
  'A phone number that receives SMS for the account.',
  {
    id: str('Virtual number ID', 'Identifier, prefixed vn_.'),
    number: str('Number', 'The number in E.164 format.'),
    country: str('Country', 'ISO 3166 country code of the number.'),
    capabilities: arr('Capabilities', 'What the number can do, e.g. sms.', { type: 'string' }),
    label: nullable(str('Label', 'Your label for the number, e.g. Support line.')),
    createdAt: str('Assigned at', 'When the number was assigned.', { format: 'date-time' }),
    limit: senderLimitSchema,
  },
  ['id', 'number', 'country', 'capabilities', 'createdAt'],
);

export const balanceSchema: JsonSchema = obj(
  'Balance',
  'Credits left on the account.',
  {
    credits: str('Credits', 'Remaining credits as a decimal string.', MONEY),
    currency: str('Currency', 'ISO 4217 currency code of the credits.'),
    lowBalanceThreshold: str('Low balance threshold', 'The Balance Low trigger fires when credits fall below this.', MONEY),
    isLow: bool('Is low', 'True when credits are below the threshold.'),
  },
  ['credits', 'currency', 'lowBalanceThreshold', 'isLow'],
);

const rate = (title: string, description: string) => num(title, description, { minimum: 0, maximum: 1 });
const D = DEFAULT_MONITOR_SETTINGS;

/** The monitors' settings (domain/monitors.ts): PATCH /account takes any of them, GET /me shows all. */
const monitorSettingsSchema = obj(
  'Monitors',
  'Thresholds of the Delivery Rate Low and High Bounce Rate triggers, measured over the messages created in the last windowMinutes.',
  {
    deliveryRateThreshold: rate(
      'Delivery rate threshold',
      `Delivery Rate Low fires when delivered divided by messages with a final status falls below this (0 to 1, default ${D.deliveryRateThreshold}; 0 turns it off).`,
    ),
    bounceRateThreshold: rate(
      'Bounce rate threshold',
      `High Bounce Rate fires when bounced (Hard Bounce 1400, Soft Bounce 1404) divided by messages with a final status rises above this (0 to 1, default ${D.bounceRateThreshold}; 1 turns it off).`,
    ),
    windowMinutes: int('Window (minutes)', `How far back each evaluation looks (default ${D.windowMinutes}).`, {
      ...MONITOR_LIMITS.windowMinutes,
    }),
    minSample: int(
      'Minimum sample',
      `Messages with a final status the window needs before either trigger fires or re-arms (default ${D.minSample}).`,
      { ...MONITOR_LIMITS.minSample },
    ),
  },
);

export const monitorSettingsInputSchema = monitorSettingsSchema;

const retryPolicySchema = obj('Retry policy', 'How transient carrier failures are retried.', {
  maxAttempts: int('Max attempts', 'Submission attempts before the message fails.', { minimum: 1, maximum: 20 }),
  baseDelayMs: int('Base delay (ms)', 'First retry delay; doubles each attempt, with jitter.', { minimum: 100, maximum: 3_600_000 }),
  maxDelayMs: int('Max delay (ms)', 'Upper bound of a retry delay.', { minimum: 100, maximum: 86_400_000 }),
});

export const accountSchema: JsonSchema = obj(
  'Account',
  'The account the API key belongs to.',
  {
    id: str('Account ID', 'Identifier, prefixed acc_.'),
    name: str('Name', 'Account name.'),
    scopes: arr('Scopes', 'What the API key may do.', { type: 'string' }),
    currency: str('Currency', 'Currency of credits and prices.'),
    balance: str('Balance', 'Remaining credits.', MONEY),
    lowBalanceThreshold: str('Low balance threshold', 'Threshold of the Balance Low trigger.', MONEY),
    defaultSenderId: nullable(str('Default sender ID', 'Sender ID record used when a message has no from.')),
    defaultCountry: str('Default country', 'ISO 3166 country used to read national phone numbers.'),
    retryPolicy: { ...retryPolicySchema, required: ['maxAttempts', 'baseDelayMs', 'maxDelayMs'] },
    validityPeriod: nullable(
      int('Validity period', 'Seconds a message may wait to be handed to its carrier when the send sets none; null: no limit.'),
    ),
    notifyOnDelivery: bool(
      'Notify on delivery',
      'When true, the default webhook is called when a send completes and again when its delivery status arrives.',
    ),
    defaultWebhookUrl: nullable(str('Default webhook URL', "The account's default webhook (notify on delivery).")),
    monitors: { ...monitorSettingsSchema, required: ['deliveryRateThreshold', 'bounceRateThreshold', 'windowMinutes', 'minSample'] },
    monitorAlerts: obj(
      'Monitor alerts',
      'Alerts raised and not recovered yet: each trigger fires again only after its rate has been back on the healthy side for one evaluation.',
      {
        deliveryRateLowSince: nullable(
          str('Delivery rate low since', 'When Delivery Rate Low fired; null when it is armed.', { format: 'date-time' }),
        ),
        bounceRateHighSince: nullable(
          str('Bounce rate high since', 'When High Bounce Rate fired; null when it is armed.', { format: 'date-time' }),
        ),
      },
      ['deliveryRateLowSince', 'bounceRateHighSince'],
    ),
    messageRetentionDays: nullable(
      int('Message retention (days)', 'Texts of messages older than this many days are erased; null: texts are kept.'),
    ),
    createdAt: str('Created at', 'When the account was created.', { format: 'date-time' }),
    updatedAt: str('Updated at', 'When the account settings last changed.', { format: 'date-time' }),
  },
  ['id', 'name', 'scopes', 'currency', 'balance', 'lowBalanceThreshold', 'defaultCountry', 'retryPolicy'],
);

export const retryPolicyInputSchema = retryPolicySchema;

/** The default country an account reads national numbers in (account settings and operator routes alike). */
export const defaultCountryInput = (description: string) =>
  str('Default country', description, { pattern: '^[A-Z]{2}$', knownRegion: true });

export const pageOf = (title: string, item: JsonSchema): JsonSchema =>
  obj(
    title,
    `A page of ${title.toLowerCase()}.`,
    {
      items: arr('Items', 'The items of this page.', item),
      continuationToken: nullable(str('Continuation token', 'Pass as continuationToken to get the next page; null on the last page.')),
    },
    ['items', 'continuationToken'],
  );

export const listOf = (title: string, item: JsonSchema): JsonSchema =>
  obj(title, `All ${title.toLowerCase()}.`, { items: arr('Items', 'The items.', item) }, ['items']);

export const problemSchema: JsonSchema = {
  type: 'object',
  title: 'Problem',
  description: 'RFC 9457 problem details.',
  properties: {
    type: str('Type', 'URI identifying the problem type.'),
    title: str('Title', 'Short summary of the problem type.'),
    status: int('Status', 'HTTP status code.'),
    detail: str('Detail', 'Explanation of this occurrence.'),
    code: str('Code', 'Stable machine-readable error code.'),
    errors: arr(
      'Errors',
      'The offending fields.',
      obj(
        'Field error',
        'One invalid field.',
        { path: str('Path', 'JSON pointer of the field.'), message: str('Message', 'What is wrong.') },
        ['path', 'message'],
      ),
    ),
  },
  required: ['type', 'title', 'status', 'code'],
};
