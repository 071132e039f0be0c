import { importContacts, IMPORT_MAX_ROWS, type ImportInput } from '../../app/contactImport';
import {
  CUSTOM_FIELDS_MAX,
  CUSTOM_FIELD_VALUE_MAX,
  EMAIL_MAX,
  NAME_MAX,
  createContact,
  deleteContact,
  getContact,
  listContacts,
  updateContact,
  type ContactInput,
  type ContactPatch,
} from '../../app/contacts';
import { arr, bool, dict, int, nullable, obj, str, type SchemaLike } from '../../schema/builders';
import { contactSchema, pageOf } from '../resources';
import { defineRoute, inputBody, type RouteDef } from '../route';
import { idParam, problemResponses } from './common';

const GROUP_DROPDOWN = { operationId: 'ListGroupValues', 'value-collection': 'items', 'value-path': 'value', 'value-title': 'title' };

const phoneField = (description: string) => str('Phone', description, { minLength: 3, maxLength: 32 });
const nameField = (title: string, what: string) => nullable(str(title, `The contact's ${what}.`, { maxLength: NAME_MAX }));
const emailField = nullable(str('Email', "The contact's email address.", { maxLength: EMAIL_MAX }));
const groupIdsField = (description: string) =>
  arr(
    'Groups',
    description,
    str('Group ID', 'Identifier of a group, prefixed grp_.', { minLength: 1, maxLength: 64, 'x-ms-dynamic-values': GROUP_DROPDOWN }),
    { maxItems: 100 },
  );
const customFieldsField = <V extends SchemaLike>(values: V, description: string) =>
  dict('Custom fields', description, values, { maxProperties: CUSTOM_FIELDS_MAX, 'x-ms-visibility': 'advanced' });

const importResultSchema = obj(
  'Import result',
  'What the import did, and the rows it skipped.',
  {
    created: int('Created', 'Contacts added.'),
    updated: int('Updated', 'Existing contacts changed (with updateExisting).'),
    unchanged: int('Unchanged', 'Rows of existing contacts left as they were.'),
    errors: arr(
      'Errors',
      'Rows that were skipped, and why.',
      obj(
        'Row error',
        'A problem with one row.',
        {
          row: int('Row', 'Row number as a spreadsheet shows it: the header is row 1.'),
          field: nullable(str('Field', 'The column at fault; null when it is the row as a whole.')),
          message: str('Message', 'What is wrong.'),
        },
        ['row', 'field', 'message'],
      ),
    ),
  },
  ['created', 'updated', 'unchanged', 'errors'],
);

const contactIdParam = idParam('contactId', 'Contact ID', 'ID of the contact, prefixed ctc_.');

export const contactRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/contacts',
    operationId: 'ListContacts',
    summary: 'List contacts',
    description: "Lists the account's contacts, oldest first, optionally only those of a group or with a phone number.",
    tags: ['Contacts'],
    auth: 'account',
    scope: 'contacts:read',
    query: [
      { name: 'groupId', schema: str('Group', 'Only contacts in this group.', { maxLength: 64, 'x-ms-dynamic-values': GROUP_DROPDOWN }) },
      {
        name: 'phone',
        schema: str('Phone', "Only the contact with this phone number (E.164, or national for the account's default country).", {
          minLength: 3,
          maxLength: 32,
        }),
      },
      {
        name: 'limit',
        schema: int('Page size', 'How many contacts per page (1-200, default 50).', {
          minimum: 1,
          maximum: 200,
          default: 50,
          'x-ms-visibility': 'advanced',
        }),
      },
      {
        name: 'continuationToken',
        schema: str('Continuation token', 'Token from the previous page.', { maxLength: 512, 'x-ms-visibility': 'internal' }),
      },
    ],
    responses: { 200: { description: 'A page of contacts.', schema: pageOf('Contacts', contactSchema) }, ...problemResponses(400) },
    connector: {},
    async handle({ deps, req, account }) {
      const q = req.query;
      return {
        status: 200,
        body: await listContacts(
          deps,
          account,
          { groupId: q.groupId, phone: q.phone },
          { limit: q.limit, continuationToken: q.continuationToken },
        ),
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/contacts',
    operationId: 'CreateContact',
    summary: 'Add a contact',
    description: 'Adds a contact with its phone number, details and groups; the phone number must not belong to another contact.',
    tags: ['Contacts'],
    auth: 'account',
    scope: 'contacts:write',
    body: inputBody<ContactInput>()(
      obj(
        'Contact',
        'The contact to add.',
        {
          phone: {
            ...phoneField(
              "Phone number: E.164 (+14155550123), international digits or a national number of the account's default country.",
            ),
            'x-ms-visibility': 'important',
          },
          firstName: nameField('First name', 'first name'),
          lastName: nameField('Last name', 'last name'),
          email: emailField,
          customFields: customFieldsField(
            str('Value', "The field's value.", { maxLength: CUSTOM_FIELD_VALUE_MAX, lineBreaks: true }),
            'Your own name/value pairs (up to 50), e.g. plan or city.',
          ),
          groupIds: groupIdsField('Groups the contact joins.'),
        },
        ['phone'],
      ),
    ),
    responses: { 201: { description: 'The contact was added.', schema: contactSchema }, ...problemResponses(400, 409, 422) },
    connector: { visibility: 'important' },
    async handle({ deps, req, account }) {
      const c = await createContact(deps, account, req.body);
      return { status: 201, body: c, headers: { location: `/api/contacts/${c.id}` } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/contacts/import',
    operationId: 'ImportContacts',
    summary: 'Import contacts from CSV',
    description: `Adds (and optionally updates) contacts from CSV text with a header row: phone is required, firstName, lastName and email are read as such, any other column becomes a custom field; up to ${IMPORT_MAX_ROWS.toLocaleString('en-US')} rows. Bad rows are reported and skipped.`,
    tags: ['Contacts'],
    auth: 'account',
    scope: 'contacts:write',
    body: inputBody<ImportInput>()(
      obj(
        'Contact import',
        'The CSV and what to do with it.',
        {
          csv: str('CSV', 'The CSV text, UTF-8, with a header row.', { minLength: 1, lineBreaks: true, 'x-ms-visibility': 'important' }),
          groupIds: groupIdsField('Groups every imported contact joins.'),
          updateExisting: {
            ...bool(
              'Update existing',
              'When true, rows whose phone belongs to a contact update it (non-empty cells replace values, custom fields merge); otherwise such rows leave it as it is.',
            ),
            default: false,
            'x-ms-visibility': 'advanced',
          },
        },
        ['csv'],
      ),
    ),
    responses: { 200: { description: 'What the import did.', schema: importResultSchema }, ...problemResponses(400, 413, 422) },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      return { status: 200, body: await importContacts(deps, account, req.body) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/contacts/{contactId}',
    operationId: 'GetContact',
    summary: 'Get a contact',
    description: 'Returns one contact with its details, groups and opt-out state.',
    tags: ['Contacts'],
    auth: 'account',
    scope: 'contacts:read',
    pathParams: [contactIdParam],
    responses: { 200: { description: 'The contact.', schema: contactSchema }, ...problemResponses(404) },
    connector: {},
    async handle({ deps, req, account }) {
      return { status: 200, body: await getContact(deps, account.id, req.params.contactId) };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/contacts/{contactId}',
    operationId: 'UpdateContact',
    summary: 'Update a contact',
    description:
      'Changes the fields given: null clears a name or the email, custom fields merge (null removes one), groups replace the membership.',
    tags: ['Contacts'],
    auth: 'account',
    scope: 'contacts:write',
    pathParams: [contactIdParam],
    body: inputBody<ContactPatch>()(
      obj('Contact changes', 'The fields to change; the others stay as they are.', {
        phone: phoneField('New phone number; must not belong to another contact.'),
        firstName: nameField('First name', 'first name; null clears it'),
        lastName: nameField('Last name', 'last name; null clears it'),
        email: emailField,
        customFields: customFieldsField(
          nullable(str('Value', "The field's new value; null removes the field.", { maxLength: CUSTOM_FIELD_VALUE_MAX, lineBreaks: true })),
          'Custom fields to set; a null value removes that field, fields not named stay.',
        ),
        groupIds: groupIdsField('The groups the contact belongs to from now on (replaces the current ones).'),
      }),
    ),
    responses: { 200: { description: 'The contact as it is now.', schema: contactSchema }, ...problemResponses(400, 404, 409, 422) },
    connector: {},
    async handle({ deps, req, account }) {
      return { status: 200, body: await updateContact(deps, account, req.params.contactId, req.body) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/contacts/{contactId}',
    operationId: 'DeleteContact',
    summary: 'Delete a contact',
    description: 'Deletes a contact and answers it as it was; its opt-out, if any, stays.',
    tags: ['Contacts'],
    auth: 'account',
    scope: 'contacts:write',
    pathParams: [contactIdParam],
    query: [
      {
        name: 'reason',
        schema: str(
          'Reason',
          'Why the contact is removed, passed to When a contact is deleted: user_request (the person asked to be erased), opted_out, data_cleanup, or api (the default).',
          {
            enum: ['api', 'user_request', 'opted_out', 'data_cleanup'],
            default: 'api',
            'x-ms-visibility': 'advanced',
          },
        ),
      },
    ],
    responses: { 200: { description: 'The deleted contact.', schema: contactSchema }, ...problemResponses(400, 404) },
    connector: {},
    async handle({ deps, req, account }) {
      const { reason } = req.query;
      return { status: 200, body: await deleteContact(deps, account.id, req.params.contactId, reason) };
    },
  }),
];
