import { erasePerson, exportPerson } from '../../app/privacy';
import { contactSchema, messageSchema } from '../resources';
import { defineRoute, type RouteDef } from '../route';
import { arr, dict, int, nullable, obj, str, time } from '../../schema/builders';
import { problemResponses } from './common';

const phoneInput = str(
  'Phone',
  "The person's phone number: E.164, international digits or a national number of the account's default country.",
  { minLength: 3, maxLength: 32 },
);

const count = (what: string) => int(what, `How many ${what.toLowerCase()} were erased.`);

const erasureSchema = obj(
  'Erasure',
  'What was erased about the number.',
  {
    phone: str('Phone', 'The number erased, E.164 (not stored anywhere any more).'),
    erased: obj(
      'Erased',
      'Records erased per kind; all zeros when there was nothing (left) to erase.',
      {
        contacts: count('Contacts'),
        messages: count('Messages'),
        events: count('Events'),
        deliveryAttempts: count('Delivery attempts'),
        optOuts: count('Opt-outs'),
        campaigns: count('Campaigns'),
      },
      ['contacts', 'messages', 'events', 'deliveryAttempts', 'optOuts', 'campaigns'],
    ),
  },
  ['phone', 'erased'],
);

const record = (title: string, description: string) => dict(title, description, true);

const exportSchema = obj(
  'Personal data export',
  'Everything the account holds about one phone number.',
  {
    phone: str('Phone', 'The number, E.164.'),
    exportedAt: time('Exported at', 'When the export was made.'),
    contact: nullable(contactSchema),
    optOut: nullable(
      obj(
        'Opt-out',
        "The number's opt-out.",
        {
          phone: str('Phone', 'The number, E.164.'),
          source: str('Source', 'keyword or api.'),
          keyword: nullable(str('Keyword', 'The word texted, e.g. STOP.')),
          createdAt: time('Opted out at', 'When the opt-out was recorded.'),
        },
        ['phone', 'source', 'createdAt'],
      ),
    ),
    messagesSent: arr('Messages sent', 'Messages sent to the number, oldest first.', messageSchema),
    messagesReceived: arr(
      'Messages received',
      'SMS received from the number (the data of their SMS Received events).',
      record('Received SMS', 'An SMS from the number.'),
    ),
    keywordMatches: arr('Keyword matches', "Keyword rules the number's SMS matched.", record('Keyword match', 'A matched keyword.')),
    events: arr(
      'Events',
      'Every stored event that concerns the number or its messages, oldest first.',
      record('Event', 'An event: id, type, occurredAt and data.'),
    ),
    deliveryAttempts: arr(
      'Delivery attempts',
      'Webhook deliveries of those events.',
      record('Delivery attempt', 'One webhook delivery attempt.'),
    ),
    campaignSkips: arr(
      'Campaign skips',
      'Campaigns that skipped the number, and why.',
      record('Campaign skip', 'campaignId, campaignName, contactId, phone, code and reason.'),
    ),
  },
  [
    'phone',
    'exportedAt',
    'contact',
    'optOut',
    'messagesSent',
    'messagesReceived',
    'keywordMatches',
    'events',
    'deliveryAttempts',
    'campaignSkips',
  ],
);

/** Requests about one person's data (GDPR/CCPA): erasure and export, by phone number, within the account. */
export const privacyRoutes: RouteDef[] = [
  defineRoute({
    method: 'POST',
    path: '/privacy/erase',
    operationId: 'ErasePersonalData',
    summary: 'Erase the data of a person',
    description:
      "Erases one person's data in this account: deletes their contact (Contact Deleted, reason erasure) and redacts their phone number and message texts in messages, events, webhook delivery attempts and campaigns. Ids, statuses, costs and times stay. An opt-out stays enforced. Repeating the call erases nothing more.",
    tags: ['Privacy'],
    auth: 'account',
    scope: 'privacy:manage',
    body: obj('Erasure request', 'Whose data to erase.', { phone: phoneInput }, ['phone']),
    responses: { 200: { description: 'What was erased.', schema: erasureSchema }, ...problemResponses(400, 401, 403) },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      return { status: 200, body: await erasePerson(deps, account, req.body.phone) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/privacy/export',
    operationId: 'ExportPersonalData',
    summary: 'Export the data of a person',
    description:
      'Returns everything this account holds about one phone number as JSON: contact, opt-out, messages sent and received, keyword matches, events, webhook delivery attempts and campaign skips.',
    tags: ['Privacy'],
    auth: 'account',
    scope: 'privacy:manage',
    query: [{ name: 'phone', required: true, schema: phoneInput }],
    responses: { 200: { description: 'The export.', schema: exportSchema }, ...problemResponses(400, 401, 403) },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      return { status: 200, body: await exportPerson(deps, account, req.query.phone) };
    },
  }),
];
