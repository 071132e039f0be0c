import { cancelMessage } from '../../app/messageLifecycle';
import { sendMessage, type SendMessageInput } from '../../app/sendMessage';
import { getMessage, listMessages } from '../../app/messages';
import { UNIQUE_ARGS_LIMITS } from '../../domain/uniqueArgs';
import { MESSAGE_TEXT_MAX } from '../../domain/messageText';
import { MESSAGE_STATUSES, messageSchema, pageOf } from '../resources';
import { acceptedMessage, idempotencyKeyHeader, idempotencyKeyOf } from '../messageAcceptance';
import { defineRoute, inputBody, type RouteDef } from '../route';
import { dict, int, obj, str, strItem } from '../../schema/builders';
import { idParam, problemResponses } from './common';
import { messageView } from '../../app/views';

export const sendMessageBody = inputBody<SendMessageInput>()(
  obj(
    'Send SMS request',
    'The message to send.',
    {
      to: str(
        'To',
        "Recipient phone number: E.164 (+14155550123), international digits (919999999999) or a national number of the account's default country.",
        { minLength: 3, maxLength: 32, 'x-ms-visibility': 'important' },
      ),
      text: str('Text', `Message text, up to ${MESSAGE_TEXT_MAX.toLocaleString('en-US')} characters; Unicode is sent as UCS-2.`, {
        minLength: 1,
        maxLength: MESSAGE_TEXT_MAX,
        lineBreaks: true,
        'x-ms-visibility': 'important',
      }),
      from: str(
        'From',
        'Approved sender ID, or one of your virtual numbers (E.164), to send from; leave empty to use the account default.',
        {
          minLength: 1,
          maxLength: 20,
          'x-ms-visibility': 'important',
          'x-ms-dynamic-values': {
            operationId: 'ListSenderIdValues',
            'value-collection': 'items',
            'value-path': 'value',
            'value-title': 'title',
          },
        },
      ),
      validityPeriod: int(
        'Validity period',
        "Seconds (1-36,000) the message may wait to be handed to the carrier (after sendAt when scheduled); later it fails with reason 1414 Expired and is refunded. Default: the account's.",
        { minimum: 1, maximum: 36_000, 'x-ms-visibility': 'advanced' },
      ),
      sendAt: str('Send at', 'Schedule the message: an ISO 8601 time at least 1 minute and at most 35 days ahead.', {
        format: 'date-time',
        'x-ms-visibility': 'advanced',
      }),
      callback: obj(
        'Callback',
        'Per-message webhook for sent, delivered and undelivered events.',
        {
          url: str('Callback URL', "HTTPS URL that receives this message's events.", { format: 'uri', maxLength: 2048 }),
        },
        ['url'],
        { 'x-ms-visibility': 'advanced' },
      ),
      uniqueArgs: dict(
        'Unique arguments',
        `Your own key/value pairs echoed in every callback event for this message: up to ${UNIQUE_ARGS_LIMITS.keys} keys of 1-${UNIQUE_ARGS_LIMITS.keyLength} characters, values up to ${UNIQUE_ARGS_LIMITS.valueLength}, ${UNIQUE_ARGS_LIMITS.totalLength.toLocaleString('en-US')} characters in all.`,
        strItem({ maxLength: UNIQUE_ARGS_LIMITS.valueLength }),
        { maxProperties: UNIQUE_ARGS_LIMITS.keys, 'x-ms-visibility': 'advanced' },
      ),
    },
    ['to', 'text'],
  ),
);

export const messageRoutes: RouteDef[] = [
  defineRoute({
    method: 'POST',
    path: '/messages',
    operationId: 'SendSms',
    summary: 'Send an SMS',
    description: 'Sends an SMS now or at a scheduled time, and returns the accepted message with its cost and encoding.',
    tags: ['Messages'],
    auth: 'account',
    scope: 'messages:send',
    headers: [idempotencyKeyHeader('a request')],
    body: sendMessageBody,
    responses: {
      202: { description: 'The message was accepted for delivery.', schema: messageSchema },
      ...problemResponses(400, 402, 409, 422),
    },
    connector: { visibility: 'important' },
    async handle({ deps, req, account }) {
      return acceptedMessage(await sendMessage(deps, account, req.body, idempotencyKeyOf(req)));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/messages/{messageId}',
    operationId: 'GetMessage',
    summary: 'Get a message',
    description: 'Returns one message with its current delivery status, cost and status history.',
    tags: ['Messages'],
    auth: 'account',
    scope: 'messages:read',
    pathParams: [idParam('messageId', 'Message ID', 'ID of the message, as returned by Send an SMS.')],
    responses: { 200: { description: 'The message.', schema: messageSchema }, ...problemResponses(404) },
    connector: {},
    async handle({ deps, req, account }) {
      return { status: 200, body: messageView(await getMessage(deps, account.id, req.params.messageId)) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/messages',
    operationId: 'ListMessages',
    summary: 'List messages',
    description: "Lists the account's messages, newest first, with optional filters and paging.",
    tags: ['Messages'],
    auth: 'account',
    scope: 'messages:read',
    query: [
      { name: 'status', schema: str('Status', 'Only messages in this status.', { enum: MESSAGE_STATUSES }) },
      {
        name: 'to',
        schema: str('To', 'Only messages to this phone number (E.164, international digits or a national number of the default country).', {
          maxLength: 32,
        }),
      },
      { name: 'from', schema: str('From', 'Only messages from this sender.', { maxLength: 20 }) },
      { name: 'since', schema: str('Since', 'Only messages created at or after this time (ISO 8601).', { format: 'date-time' }) },
      { name: 'until', schema: str('Until', 'Only messages created before this time (ISO 8601).', { format: 'date-time' }) },
      {
        name: 'campaignId',
        schema: str('Campaign', 'Only messages sent by this campaign (cmp_...).', {
          maxLength: 64,
          'x-ms-visibility': 'advanced',
          'x-ms-dynamic-values': {
            operationId: 'ListCampaignValues',
            'value-collection': 'items',
            'value-path': 'value',
            'value-title': 'title',
          },
        }),
      },
      {
        name: 'limit',
        schema: int('Page size', 'How many messages per page (1-200, default 50).', {
          minimum: 1,
          maximum: 200,
          default: 50,
          'x-ms-visibility': 'advanced',
        }),
      },
      {
        name: 'continuationToken',
        schema: str('Continuation token', 'Token from the previous page.', { maxLength: 2048, 'x-ms-visibility': 'internal' }),
      },
    ],
    responses: { 200: { description: 'A page of messages.', schema: pageOf('Messages', messageSchema) }, ...problemResponses(400) },
    connector: {},
    async handle({ deps, req, account }) {
      const { limit, continuationToken, ...filter } = req.query;
      const page = await listMessages(deps, account, filter, { limit, continuationToken });
      return { status: 200, body: { items: page.items.map(messageView), continuationToken: page.continuationToken } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/messages/{messageId}/cancel',
    operationId: 'CancelScheduledMessage',
    summary: 'Cancel a scheduled message',
    description: 'Cancels a message that is still scheduled and refunds its cost to the balance.',
    tags: ['Messages'],
    auth: 'account',
    scope: 'messages:send',
    pathParams: [idParam('messageId', 'Message ID', 'ID of the scheduled message to cancel.')],
    body: obj('Cancel request', 'Why the message is cancelled.', {
      reason: str('Reason', 'Why the message is cancelled; passed to the Message Cancelled trigger.', { maxLength: 500 }),
    }),
    bodyRequired: false,
    responses: { 200: { description: 'The cancelled message.', schema: messageSchema }, ...problemResponses(404, 409) },
    connector: {},
    async handle({ deps, req, account }) {
      const { reason } = req.body;
      const m = await cancelMessage(deps, account.id, req.params.messageId, reason);
      return { status: 200, body: messageView(m) };
    },
  }),
];
