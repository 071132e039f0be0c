import { CAMPAIGN_EXPORT_COLUMNS, exportCampaign } from '../../app/campaignExport';
import { withLiveResults } from '../../app/campaignSending';
import { triggerCampaign } from '../../app/campaignTrigger';
import {
  cancelCampaign,
  createCampaign,
  getCampaign,
  listCampaigns,
  setTriggerCampaignActive,
  startCampaign,
  updateCampaign,
  type CampaignDefinitionInput,
  type CreateCampaignInput,
} from '../../app/campaigns';
import type { AppDeps } from '../../app/deps';
import { CAMPAIGN_STATUSES, type Campaign } from '../../domain/campaign';
import { FORMATTED_AMOUNT } from '../../domain/money';
import type { Account } from '../../domain/types';
import { MESSAGE_TEXT_MAX } from '../../domain/messageText';
import { toCsv } from '../csvExport';
import { acceptedMessage, idempotencyKeyHeader, idempotencyKeyOf } from '../messageAcceptance';
import { messageSchema, pageOf } from '../resources';
import { defineRoute, inputBody, type RouteDef } from '../route';
import { arr, bool, dict, int, nullable, obj, str, type JsonSchema } from '../../schema/builders';
import { idParam, problemResponses } from './common';
import { campaignView } from '../../app/views';

const KINDS = ['bulk', 'trigger'] as const;
const STATUSES = CAMPAIGN_STATUSES;
const MONEY = FORMATTED_AMOUNT;
const count = (title: string, description: string) => int(title, description, { minimum: 0 });

const attributeSchema = obj(
  'Attribute',
  "Maps one field of a trigger call's payload to a template variable.",
  {
    name: str('Variable', 'Template variable the field fills, used as {{name}} in the text.', {
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      maxLength: 64,
    }),
    field: str('Payload field', 'Dot path of the payload field, e.g. order.id; defaults to the variable name.', {
      minLength: 1,
      maxLength: 200,
    }),
    type: str('Type', 'Expected JSON type of the field (default string).', { enum: ['string', 'number', 'boolean'] }),
    required: bool('Required', 'Refuse calls without this field (default false; a missing optional field uses the template fallback).'),
  },
  ['name'],
);

const triggerMappingSchema = obj(
  'Trigger mapping',
  "How a trigger call's payload maps to the recipient and the template variables.",
  {
    phoneField: str('Phone field', "Dot path of the payload field holding the recipient's phone number in E.164, e.g. customer.phone.", {
      minLength: 1,
      maxLength: 200,
    }),
    attributes: arr('Attributes', 'Payload fields used by the template.', attributeSchema, { maxItems: 50 }),
  },
  ['phoneField'],
);

const textSchema = str(
  'Text',
  'Message template: {{firstName}}, {{lastName}}, {{email}}, {{phone}} or a custom field ({{name}}), for trigger campaigns the mapped attributes; {{name|fallback}} gives text for a missing value.',
  { minLength: 1, maxLength: MESSAGE_TEXT_MAX, lineBreaks: true },
);
const fromSchema = str(
  'From',
  'Approved sender ID, or one of your virtual numbers (E.164), to send from; leave empty for the account default.',
  {
    minLength: 1,
    maxLength: 20,
    'x-ms-dynamic-values': {
      operationId: 'ListSenderIdValues',
      'value-collection': 'items',
      'value-path': 'value',
      'value-title': 'title',
    },
  },
);
const groupIdsSchema = arr(
  'Groups',
  'Bulk campaigns: the contact groups to send to; a contact in several groups gets one message.',
  str('Group ID', 'Identifier of a group, prefixed grp_.', {
    minLength: 1,
    maxLength: 64,
    'x-ms-dynamic-values': { operationId: 'ListGroupValues', 'value-collection': 'items', 'value-path': 'value', 'value-title': 'title' },
  }),
  { minItems: 1, maxItems: 20 },
);

const campaignSchema: JsonSchema = obj(
  'Campaign',
  'A bulk or trigger SMS campaign and its progress.',
  {
    id: str('Campaign ID', 'Identifier of the campaign, prefixed cmp_.'),
    name: str('Name', 'Name of the campaign.'),
    kind: str('Kind', 'bulk: sent once to groups; trigger: one message per API call.', { enum: KINDS }),
    status: str(
      'Status',
      'draft, scheduled, sending, sent (awaiting delivery reports), completed, failed, cancelled; trigger campaigns: active or paused.',
      { enum: STATUSES },
    ),
    from: nullable(str('From', 'Sender ID or virtual number; null for the account default.')),
    text: str('Text', 'The message template.'),
    groupIds: arr('Groups', 'Groups a bulk campaign sends to.', { type: 'string' }),
    trigger: nullable(
      obj(
        'Trigger mapping',
        'How a trigger call maps to the message.',
        {
          phoneField: str('Phone field', 'Payload field holding the phone number.'),
          attributes: arr(
            'Attributes',
            'Mapped payload fields.',
            obj(
              'Attribute',
              'A mapped payload field.',
              {
                name: str('Variable', 'Template variable.'),
                field: str('Payload field', 'Dot path in the payload.'),
                type: str('Type', 'Expected JSON type.', { enum: ['string', 'number', 'boolean'] }),
                required: bool('Required', 'Whether calls must include it.'),
              },
              ['name', 'field', 'type', 'required'],
            ),
          ),
        },
        ['phoneField', 'attributes'],
      ),
    ),
    triggerUrl: nullable(str('Trigger URL', 'Trigger campaigns: the URL your app posts payloads to.')),
    scheduledFor: nullable(str('Scheduled for', 'When a scheduled campaign starts.', { format: 'date-time' })),
    startedAt: nullable(str('Started at', 'When sending began.', { format: 'date-time' })),
    sendingFinishedAt: nullable(str('Sending finished at', "When the last recipient's message was accepted.", { format: 'date-time' })),
    completedAt: nullable(str('Completed at', 'When every message had a final status.', { format: 'date-time' })),
    failedAt: nullable(str('Failed at', 'When the campaign failed.', { format: 'date-time' })),
    progress: obj(
      'Progress',
      'Sending totals.',
      {
        recipients: count('Recipients', 'Contacts in the groups when the campaign started.'),
        accepted: count('Accepted', 'Messages accepted (charged and queued).'),
        skipped: count(
          'Skipped',
          'Contacts not sent to: opted out, an unusable phone number, or a message that would be empty or too long with their fields.',
        ),
        skippedByReason: {
          type: 'object',
          title: 'Skipped by reason',
          description:
            'The skipped contacts counted by reason: recipient_opted_out, validation_failed (phone number), text_too_long, empty_message. The export lists each of them (the first 1,000).',
          additionalProperties: { type: 'integer' },
        },
        cost: str(
          'Cost',
          'What the accepted messages were charged, decimal string; once completed, less the refunds of messages that failed before a carrier took them.',
          MONEY,
        ),
        currency: str('Currency', 'ISO 4217 currency code.'),
      },
      ['recipients', 'accepted', 'skipped', 'skippedByReason', 'cost', 'currency'],
    ),
    results: nullable(
      obj(
        'Results',
        "Statuses of the campaign's messages: live until completed, then final.",
        {
          sent: count('Sent', 'Submitted, no delivery report yet.'),
          delivered: count('Delivered', 'Confirmed delivered.'),
          undelivered: count('Undelivered', 'The carrier could not deliver.'),
          failed: count('Failed', 'Could not be sent.'),
          cancelled: count('Cancelled', 'Cancelled before sending.'),
        },
        ['sent', 'delivered', 'undelivered', 'failed', 'cancelled'],
      ),
    ),
    error: nullable(
      obj(
        'Error',
        'Why the campaign failed.',
        { code: str('Error code', 'e.g. insufficient_credits.'), message: str('Error message', 'What went wrong.') },
        ['code', 'message'],
      ),
    ),
    createdAt: str('Created at', 'When the campaign was created.', { format: 'date-time' }),
    updatedAt: str('Updated at', 'When the campaign last changed.', { format: 'date-time' }),
  },
  ['id', 'name', 'kind', 'status', 'text', 'groupIds', 'progress', 'createdAt', 'updatedAt'],
);

const campaignParam = idParam('campaignId', 'Campaign ID', 'ID of the campaign, prefixed cmp_.');

async function show(deps: AppDeps, account: Account, c: Campaign, status = 200) {
  return { status, body: campaignView(deps, account, await withLiveResults(deps, c)) };
}

export const campaignRoutes: RouteDef[] = [
  defineRoute({
    method: 'POST',
    path: '/campaigns',
    operationId: 'CreateCampaign',
    summary: 'Create a campaign',
    description:
      'Creates a bulk campaign (a draft, sent to its groups when started) or a trigger campaign (paused, sends one message per call once activated).',
    tags: ['Campaigns'],
    auth: 'account',
    scope: 'campaigns:write',
    body: inputBody<CreateCampaignInput>()(
      obj(
        'Campaign definition',
        'The campaign to create.',
        {
          name: str('Name', 'Name of the campaign.', { minLength: 1, maxLength: 100, 'x-ms-visibility': 'important' }),
          kind: str('Kind', 'bulk: send once to contact groups; trigger: send one message per API call.', {
            enum: KINDS,
            'x-ms-visibility': 'important',
          }),
          text: { ...textSchema, 'x-ms-visibility': 'important' },
          from: fromSchema,
          groupIds: groupIdsSchema,
          trigger: triggerMappingSchema,
        },
        ['name', 'kind', 'text'],
      ),
    ),
    responses: { 201: { description: 'The campaign.', schema: campaignSchema }, ...problemResponses(400, 422) },
    connector: { visibility: 'important' },
    async handle({ deps, req, account }) {
      const c = await createCampaign(deps, account, req.body);
      return { ...(await show(deps, account, c, 201)), headers: { location: `/api/campaigns/${c.id}` } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/campaigns',
    operationId: 'ListCampaigns',
    summary: 'List campaigns',
    description: "Lists the account's campaigns, newest first, optionally of one kind or status.",
    tags: ['Campaigns'],
    auth: 'account',
    scope: 'campaigns:read',
    query: [
      { name: 'kind', schema: str('Kind', 'Only campaigns of this kind.', { enum: KINDS }) },
      { name: 'status', schema: str('Status', 'Only campaigns in this status.', { enum: STATUSES }) },
      {
        name: 'limit',
        schema: int('Page size', 'How many campaigns per page (1-100, default 50).', {
          minimum: 1,
          maximum: 100,
          default: 50,
          'x-ms-visibility': 'advanced',
        }),
      },
      {
        name: 'continuationToken',
        schema: str('Continuation token', 'Token from the previous page.', { maxLength: 2048, 'x-ms-visibility': 'internal' }),
      },
    ],
    responses: { 200: { description: 'A page of campaigns.', schema: pageOf('Campaigns', campaignSchema) }, ...problemResponses(400) },
    connector: {},
    async handle({ deps, req, account }) {
      const q = req.query;
      const page = await listCampaigns(
        deps,
        account.id,
        { kind: q.kind, status: q.status },
        { limit: q.limit, continuationToken: q.continuationToken },
      );
      // Stored totals only: counting every campaign's messages would make the list cost grow with them.
      return {
        status: 200,
        body: { items: page.items.map((c) => campaignView(deps, account, c)), continuationToken: page.continuationToken },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/campaigns/{campaignId}',
    operationId: 'GetCampaign',
    summary: 'Get a campaign',
    description: 'Returns one campaign with its progress and the current statuses of its messages.',
    tags: ['Campaigns'],
    auth: 'account',
    scope: 'campaigns:read',
    pathParams: [campaignParam],
    responses: { 200: { description: 'The campaign.', schema: campaignSchema }, ...problemResponses(404) },
    connector: {},
    async handle({ deps, req, account }) {
      return show(deps, account, await getCampaign(deps, account, req.params.campaignId));
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/campaigns/{campaignId}',
    operationId: 'UpdateCampaign',
    summary: 'Change a campaign',
    description: 'Changes the name, text, sender, groups or trigger mapping of a draft bulk campaign or a paused trigger campaign.',
    tags: ['Campaigns'],
    auth: 'account',
    scope: 'campaigns:write',
    pathParams: [campaignParam],
    body: inputBody<Partial<CampaignDefinitionInput>>()(
      obj('Campaign changes', 'The fields to change; the others stay.', {
        name: str('Name', 'Name of the campaign.', { minLength: 1, maxLength: 100 }),
        text: textSchema,
        from: nullable(fromSchema),
        groupIds: groupIdsSchema,
        trigger: triggerMappingSchema,
      }),
    ),
    responses: { 200: { description: 'The changed campaign.', schema: campaignSchema }, ...problemResponses(400, 404, 409, 422) },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      return show(deps, account, await updateCampaign(deps, account, req.params.campaignId, req.body));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/campaigns/{campaignId}/start',
    operationId: 'StartCampaign',
    summary: 'Start a bulk campaign',
    description: 'Starts sending a draft bulk campaign to its groups now, or at a scheduled time.',
    tags: ['Campaigns'],
    auth: 'account',
    scope: 'campaigns:write',
    pathParams: [campaignParam],
    body: obj('Start request', 'When to start.', {
      sendAt: str('Send at', 'Start later: an ISO 8601 time at least 1 minute and at most 35 days ahead; leave empty to start now.', {
        format: 'date-time',
      }),
    }),
    bodyRequired: false,
    responses: {
      200: { description: 'The started (or scheduled) campaign.', schema: campaignSchema },
      ...problemResponses(400, 404, 409, 422),
    },
    connector: {},
    async handle({ deps, req, account }) {
      return show(deps, account, await startCampaign(deps, account, req.params.campaignId, req.body.sendAt));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/campaigns/{campaignId}/cancel',
    operationId: 'CancelCampaign',
    summary: 'Cancel a bulk campaign',
    description: 'Stops a draft, scheduled or sending bulk campaign; messages already accepted are still delivered.',
    tags: ['Campaigns'],
    auth: 'account',
    scope: 'campaigns:write',
    pathParams: [campaignParam],
    responses: { 200: { description: 'The cancelled campaign.', schema: campaignSchema }, ...problemResponses(404, 409) },
    connector: {},
    async handle({ deps, req, account }) {
      return show(deps, account, await cancelCampaign(deps, account, req.params.campaignId));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/campaigns/{campaignId}/activate',
    operationId: 'ActivateCampaign',
    summary: 'Activate a trigger campaign',
    description: 'Makes a trigger campaign accept calls; each call then sends one message.',
    tags: ['Campaigns'],
    auth: 'account',
    scope: 'campaigns:write',
    pathParams: [campaignParam],
    responses: { 200: { description: 'The active campaign.', schema: campaignSchema }, ...problemResponses(404, 409) },
    connector: {},
    async handle({ deps, req, account }) {
      return show(deps, account, await setTriggerCampaignActive(deps, account, req.params.campaignId, true));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/campaigns/{campaignId}/pause',
    operationId: 'PauseCampaign',
    summary: 'Pause a trigger campaign',
    description: 'Makes a trigger campaign refuse calls, so its configuration can be changed safely.',
    tags: ['Campaigns'],
    auth: 'account',
    scope: 'campaigns:write',
    pathParams: [campaignParam],
    responses: { 200: { description: 'The paused campaign.', schema: campaignSchema }, ...problemResponses(404, 409) },
    connector: {},
    async handle({ deps, req, account }) {
      return show(deps, account, await setTriggerCampaignActive(deps, account, req.params.campaignId, false));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/campaigns/{campaignId}/trigger',
    operationId: 'TriggerCampaign',
    summary: 'Send through a trigger campaign',
    description: "Sends one message of an active trigger campaign, filled from the payload through the campaign's attribute mapping.",
    tags: ['Campaigns'],
    auth: 'account',
    scope: 'campaigns:write',
    pathParams: [campaignParam],
    headers: [idempotencyKeyHeader('a call')],
    body: dict('Payload', 'Your data: the phone field and the attributes the campaign maps.', true, { 'x-ms-visibility': 'important' }),
    responses: {
      202: { description: 'The message was accepted for delivery.', schema: messageSchema },
      ...problemResponses(400, 402, 404, 409, 422, 429),
    },
    rateLimit: 'campaignTriggers',
    connector: {},
    async handle({ deps, req, account }) {
      return acceptedMessage(await triggerCampaign(deps, account, req.params.campaignId, req.body, idempotencyKeyOf(req)));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/campaigns/{campaignId}/export',
    operationId: 'ExportCampaignMessages',
    summary: 'Export campaign messages as CSV',
    description:
      'Returns every message of the campaign as CSV: phone number, message text, delivery status and the reason of each failure; then each contact the campaign skipped (status skipped, reasonCode e.g. recipient_opted_out or text_too_long, reasonMessage why; the first 1,000).',
    tags: ['Campaigns'],
    auth: 'account',
    scope: 'campaigns:read',
    pathParams: [campaignParam],
    responses: {
      200: {
        description: 'The campaign log as CSV (RFC 4180, header row).',
        schema: str('Campaign log', `CSV text with the columns ${CAMPAIGN_EXPORT_COLUMNS.join(', ')}.`, { format: 'binary' }),
      },
      ...problemResponses(404),
    },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      const { campaignId, columns, rows } = await exportCampaign(deps, account, req.params.campaignId);
      return {
        status: 200,
        body: toCsv(columns, rows),
        headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${campaignId}.csv"` },
      };
    },
  }),
];
