import { campaignChoices, groupChoices, keywordChoices, senderChoices, virtualNumberChoices, type Choice } from '../../app/choices';
import type { AppDeps } from '../../app/deps';
import type { Account } from '../../domain/types';
import type { Scope } from '../../domain/scopes';
import { defineRoute, type RouteDef } from '../route';
import { arr, obj, str, type JsonSchema } from '../../schema/builders';

/**
 * Value lists behind the connector's dropdowns (x-ms-dynamic-values): internal operations that
 * Power Automate calls while a maker fills in a field, never shown as actions. Each returns
 * `{items: [{value, title}]}`: what the field receives, and what the dropdown shows.
 */

function choicesSchema(title: string, what: string, valueDescription: string): JsonSchema {
  return obj(
    title,
    `The ${what} to choose from.`,
    {
      items: arr(
        'Choices',
        `One entry per ${what.replace(/s$/, '')}.`,
        obj(
          'Choice',
          'One value of the dropdown.',
          {
            value: str('Value', valueDescription),
            title: str('Title', 'What the dropdown shows.'),
          },
          ['value', 'title'],
        ),
      ),
    },
    ['items'],
  );
}

interface LookupSpec {
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Title of the response schema, e.g. Sender ID choices. */
  title: string;
  /** What the list holds, plural, e.g. approved sender IDs. */
  what: string;
  valueDescription: string;
  /** The read scope of the family the dropdown lists. */
  scope: Scope;
}

/** One dropdown's internal operation: account-authenticated, internal in the connector. */
function lookupRoute(spec: LookupSpec, description: string, choices: (deps: AppDeps, account: Account) => Promise<Choice[]>): RouteDef {
  return defineRoute({
    method: 'GET',
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    description,
    tags: [spec.tag],
    auth: 'account',
    scope: spec.scope,
    responses: { 200: { description: `The ${spec.what}.`, schema: choicesSchema(spec.title, spec.what, spec.valueDescription) } },
    connector: { visibility: 'internal' },
    async handle({ deps, account }) {
      return { status: 200, body: { items: await choices(deps, account) } };
    },
  });
}

export const lookupRoutes: RouteDef[] = [
  lookupRoute(
    {
      path: '/lookups/sender-ids',
      operationId: 'ListSenderIdValues',
      scope: 'account:read',
      summary: 'List sender ID choices',
      tag: 'Sender IDs',
      title: 'Sender ID choices',
      what: 'senders',
      valueDescription: 'The sender as sent in from: a sender ID such as DataFlows, or a virtual number in E.164.',
    },
    "Lists what a message can be sent from: the approved sender IDs, the account default first, then the account's virtual numbers (for two-way SMS); feeds the From dropdown.",
    senderChoices,
  ),
  lookupRoute(
    {
      path: '/lookups/virtual-numbers',
      operationId: 'ListVirtualNumberValues',
      scope: 'account:read',
      summary: 'List virtual number choices',
      tag: 'Virtual numbers',
      title: 'Virtual number choices',
      what: 'virtual numbers',
      valueDescription: 'The number in E.164, e.g. +14155550100.',
    },
    "Lists the account's virtual numbers with their labels; feeds the Virtual number dropdown of the inbound triggers.",
    virtualNumberChoices,
  ),
  lookupRoute(
    {
      path: '/lookups/campaigns',
      operationId: 'ListCampaignValues',
      scope: 'campaigns:read',
      summary: 'List campaign choices',
      tag: 'Campaigns',
      title: 'Campaign choices',
      what: 'campaigns',
      valueDescription: 'The campaign ID, e.g. cmp_01J....',
    },
    "Lists the account's most recent campaigns, newest first, with their kind and status; feeds the Campaign dropdowns.",
    campaignChoices,
  ),
  lookupRoute(
    {
      path: '/lookups/groups',
      operationId: 'ListGroupValues',
      scope: 'contacts:read',
      summary: 'List contact group choices',
      tag: 'Contacts',
      title: 'Contact group choices',
      what: 'contact groups',
      valueDescription: 'The group ID, e.g. grp_01J....',
    },
    "Lists the account's contact groups by name with their number of contacts; feeds the Group dropdowns.",
    groupChoices,
  ),
  lookupRoute(
    {
      path: '/lookups/keywords',
      operationId: 'ListKeywordValues',
      scope: 'keywords:read',
      summary: 'List keyword choices',
      tag: 'Keywords',
      title: 'Keyword choices',
      what: 'keywords',
      valueDescription: 'The keyword as the rule spells it, e.g. HOURS.',
    },
    "Lists the keywords of the account's keyword rules, each once, with their match types; feeds the Keyword dropdown of the keyword trigger.",
    keywordChoices,
  ),
];
