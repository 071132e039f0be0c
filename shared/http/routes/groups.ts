import {
  GROUP_ADD_MAX,
  GROUP_DESCRIPTION_MAX,
  GROUP_NAME_MAX,
  addContactsToGroup,
  createGroup,
  deleteGroup,
  getGroup,
  listGroups,
  removeContactFromGroup,
  updateGroup,
} from '../../app/groups';
import { contactSchema, listOf } from '../resources';
import { defineRoute, inputBody, type RouteDef } from '../route';
import { arr, int, nullable, obj, str, type JsonSchema } from '../../schema/builders';
import { idParam, problemResponses } from './common';

export const groupSchema: JsonSchema = obj(
  'Contact group',
  'A named group of contacts, e.g. a mailing list.',
  {
    id: str('Group ID', 'Identifier of the group, prefixed grp_.'),
    name: str('Name', 'Name of the group; unique within the account, ignoring case.'),
    description: nullable(str('Description', 'What the group is for.')),
    contactCount: int('Contact count', 'How many contacts are in the group.'),
    createdAt: str('Created at', 'When the group was created.', { format: 'date-time' }),
    updatedAt: str('Updated at', 'When the group was last renamed or described.', { format: 'date-time' }),
  },
  ['id', 'name', 'description', 'contactCount', 'createdAt', 'updatedAt'],
);

const groupIdParam = idParam('groupId', 'Group ID', 'ID of the group, prefixed grp_.');
const nameField = (description: string) =>
  str('Name', description, { minLength: 1, maxLength: GROUP_NAME_MAX, 'x-ms-visibility': 'important' });
const descriptionField = nullable(
  str('Description', 'What the group is for; null clears it.', { maxLength: GROUP_DESCRIPTION_MAX, lineBreaks: true }),
);

export const groupRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/groups',
    operationId: 'ListGroups',
    summary: 'List contact groups',
    description: "Lists the account's contact groups by name, each with its number of contacts.",
    tags: ['Contacts'],
    auth: 'account',
    scope: 'contacts:read',
    responses: { 200: { description: 'The groups.', schema: listOf('Contact groups', groupSchema) } },
    connector: {},
    async handle({ deps, account }) {
      return { status: 200, body: { items: await listGroups(deps, account.id) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/groups',
    operationId: 'CreateGroup',
    summary: 'Create a contact group',
    description: "Creates a contact group; its name must differ from the other groups' names, ignoring case.",
    tags: ['Contacts'],
    auth: 'account',
    scope: 'contacts:write',
    body: inputBody<Parameters<typeof createGroup>[2]>()(
      obj(
        'Contact group',
        'The group to create.',
        { name: nameField('Name of the group, e.g. Newsletter.'), description: descriptionField },
        ['name'],
      ),
    ),
    responses: { 201: { description: 'The group was created.', schema: groupSchema }, ...problemResponses(400, 409) },
    connector: {},
    async handle({ deps, req, account }) {
      const g = await createGroup(deps, account.id, req.body);
      return { status: 201, body: g, headers: { location: `/api/groups/${g.id}` } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/groups/{groupId}',
    operationId: 'GetGroup',
    summary: 'Get a contact group',
    description: 'Returns one contact group with its number of contacts.',
    tags: ['Contacts'],
    auth: 'account',
    scope: 'contacts:read',
    pathParams: [groupIdParam],
    responses: { 200: { description: 'The group.', schema: groupSchema }, ...problemResponses(404) },
    connector: {},
    async handle({ deps, req, account }) {
      return { status: 200, body: await getGroup(deps, account.id, req.params.groupId) };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/groups/{groupId}',
    operationId: 'UpdateGroup',
    summary: 'Update a contact group',
    description: "Changes a group's name or description; the members stay.",
    tags: ['Contacts'],
    auth: 'account',
    scope: 'contacts:write',
    pathParams: [groupIdParam],
    body: inputBody<Parameters<typeof updateGroup>[3]>()(
      obj('Group changes', 'The fields to change.', { name: nameField('New name of the group.'), description: descriptionField }),
    ),
    responses: { 200: { description: 'The group as it is now.', schema: groupSchema }, ...problemResponses(400, 404, 409) },
    connector: {},
    async handle({ deps, req, account }) {
      return { status: 200, body: await updateGroup(deps, account.id, req.params.groupId, req.body) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/groups/{groupId}',
    operationId: 'DeleteGroup',
    summary: 'Delete a contact group',
    description:
      'Takes every contact off the group (each change triggers When a contact is updated), then deletes the group; the contacts stay.',
    tags: ['Contacts'],
    auth: 'account',
    scope: 'contacts:write',
    pathParams: [groupIdParam],
    responses: {
      200: { description: 'The deleted group; contactCount is how many contacts it was taken off.', schema: groupSchema },
      ...problemResponses(404),
    },
    connector: {},
    async handle({ deps, req, account }) {
      return { status: 200, body: await deleteGroup(deps, account.id, req.params.groupId) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/groups/{groupId}/contacts',
    operationId: 'AddContactsToGroup',
    summary: 'Add contacts to a group',
    description: `Adds up to ${GROUP_ADD_MAX.toLocaleString('en-US')} existing contacts to a group; if one of them does not exist, nothing is changed.`,
    tags: ['Contacts'],
    auth: 'account',
    scope: 'contacts:write',
    pathParams: [groupIdParam],
    body: obj(
      'Contacts to add',
      'The contacts that join the group.',
      {
        contactIds: {
          ...arr(
            'Contact IDs',
            'IDs of the contacts, prefixed ctc_.',
            str('Contact ID', 'ID of a contact.', { minLength: 1, maxLength: 64 }),
          ),
          minItems: 1,
          maxItems: GROUP_ADD_MAX,
          'x-ms-visibility': 'important',
        },
      },
      ['contactIds'],
    ),
    responses: {
      200: {
        description: 'The group and what changed.',
        schema: obj(
          'Group membership change',
          'The contacts that joined and those that were members already.',
          {
            group: groupSchema,
            added: arr('Added', 'IDs of the contacts that joined the group.', { type: 'string' }),
            alreadyMembers: arr('Already members', 'IDs of the contacts that were in the group already.', { type: 'string' }),
          },
          ['group', 'added', 'alreadyMembers'],
        ),
      },
      ...problemResponses(400, 404, 422),
    },
    connector: {},
    async handle({ deps, req, account }) {
      return { status: 200, body: await addContactsToGroup(deps, account.id, req.params.groupId, req.body.contactIds) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/groups/{groupId}/contacts/{contactId}',
    operationId: 'RemoveContactFromGroup',
    summary: 'Remove a contact from a group',
    description: 'Takes one contact off a group; the contact itself stays.',
    tags: ['Contacts'],
    auth: 'account',
    scope: 'contacts:write',
    pathParams: [groupIdParam, idParam('contactId', 'Contact ID', 'ID of the contact, prefixed ctc_.')],
    responses: { 200: { description: 'The contact as it is now.', schema: contactSchema }, ...problemResponses(404) },
    connector: {},
    async handle({ deps, req, account }) {
      return { status: 200, body: await removeContactFromGroup(deps, account.id, req.params.groupId, req.params.contactId) };
    },
  }),
];
