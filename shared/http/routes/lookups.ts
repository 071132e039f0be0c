import type { RouteDef } from '../route';
import { arr, obj, str, type JsonSchema } from '../schema';

/**
 * Value lists behind the connector's dropdowns (x-ms-dynamic-values): internal operations that
 * Power Automate calls while a maker fills in a field, never shown as actions. Each returns
 * `{items: [{value, title}]}`: what the field receives, and what the dropdown shows.
 */

function choicesSchema(title: string, what: string, valueDescription: string): JsonSchema {
  return obj(title, `The ${what} to choose from.`, {
    items: arr('Choices', `One entry per ${what.replace(/s$/, '')}.`, obj('Choice', 'One value of the dropdown.', {
      value: str('Value', valueDescription),
      title: str('Title', 'What the dropdown shows.'),
    }, ['value', 'title'])),
  }, ['items']);
}

export const lookupRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/lookups/sender-ids',
    operationId: 'ListSenderIdValues',
    summary: 'List sender ID choices',
    description: 'Lists the approved sender IDs a message can be sent from, the account default first; feeds the From dropdown.',
    tags: ['Sender IDs'],
    auth: 'account',
    responses: { 200: { description: 'The approved sender IDs.', schema: choicesSchema('Sender ID choices', 'approved sender IDs', 'The sender ID as sent in from, e.g. DataFlows.') } },
    connector: { visibility: 'internal' },
    async handle({ deps, account }) {
      const approved = await deps.store.senderIds.list(account.id, 'approved');
      // The default first: a dropdown's first entry is what makers tend to pick.
      const ordered = [...approved.filter((s) => s.id === account.defaultSenderId), ...approved.filter((s) => s.id !== account.defaultSenderId)];
      const items = ordered.map((s) => ({ value: s.value, title: s.id === account.defaultSenderId ? `${s.value} (default)` : s.value }));
      return { status: 200, body: { items } };
    },
  },
  {
    method: 'GET',
    path: '/lookups/virtual-numbers',
    operationId: 'ListVirtualNumberValues',
    summary: 'List virtual number choices',
    description: 'Lists the account\'s virtual numbers with their labels; feeds the Virtual number dropdown of the inbound triggers.',
    tags: ['Virtual numbers'],
    auth: 'account',
    responses: { 200: { description: 'The virtual numbers.', schema: choicesSchema('Virtual number choices', 'virtual numbers', 'The number in E.164, e.g. +14155550100.') } },
    connector: { visibility: 'internal' },
    async handle({ deps, account }) {
      const numbers = await deps.store.virtualNumbers.list(account.id);
      const items = numbers.map((n) => ({ value: n.number, title: n.label ? `${n.number} (${n.label})` : n.number }));
      return { status: 200, body: { items } };
    },
  },
  {
    method: 'GET',
    path: '/lookups/campaigns',
    operationId: 'ListCampaignValues',
    summary: 'List campaign choices',
    description: 'Lists the account\'s most recent campaigns, newest first, with their kind and status; feeds the Campaign dropdowns.',
    tags: ['Campaigns'],
    auth: 'account',
    responses: { 200: { description: 'The campaigns.', schema: choicesSchema('Campaign choices', 'campaigns', 'The campaign ID, e.g. cmp_01J....') } },
    connector: { visibility: 'internal' },
    async handle({ deps, account }) {
      // A dropdown is for picking, not browsing: the newest 200 cover any campaign a maker works on.
      const page = await deps.store.campaigns.list(account.id, {}, { limit: 200 });
      const items = page.items.map((c) => ({ value: c.id, title: `${c.name} (${c.kind}, ${c.status})` }));
      return { status: 200, body: { items } };
    },
  },
  {
    method: 'GET',
    path: '/lookups/groups',
    operationId: 'ListGroupValues',
    summary: 'List contact group choices',
    description: 'Lists the account\'s contact groups by name with their number of contacts; feeds the Group dropdowns.',
    tags: ['Contacts'],
    auth: 'account',
    responses: { 200: { description: 'The contact groups.', schema: choicesSchema('Contact group choices', 'contact groups', 'The group ID, e.g. grp_01J....') } },
    connector: { visibility: 'internal' },
    async handle({ deps, account }) {
      const groups = await deps.store.groups.list(account.id);
      const counts = await Promise.all(groups.map((g) => deps.store.contacts.count(account.id, { groupIds: [g.id] })));
      const items = groups.map((g, i) => ({ value: g.id, title: `${g.name} (${counts[i]} ${counts[i] === 1 ? 'contact' : 'contacts'})` }));
      return { status: 200, body: { items } };
    },
  },
  {
    method: 'GET',
    path: '/lookups/keywords',
    operationId: 'ListKeywordValues',
    summary: 'List keyword choices',
    description: 'Lists the keywords of the account\'s keyword rules, each once, with their match types; feeds the Keyword dropdown of the keyword trigger.',
    tags: ['Keywords'],
    auth: 'account',
    responses: { 200: { description: 'The keywords.', schema: choicesSchema('Keyword choices', 'keywords', 'The keyword as the rule spells it, e.g. HOURS.') } },
    connector: { visibility: 'internal' },
    async handle({ deps, account }) {
      // The trigger's filter ignores case, so rules whose keywords differ only in case are one choice.
      const byKeyword = new Map<string, { value: string; types: string[] }>();
      for (const r of await deps.store.keywordRules.list(account.id)) {
        const entry = byKeyword.get(r.keyword.toLowerCase()) ?? { value: r.keyword, types: [] };
        if (!entry.types.includes(r.matchType)) entry.types.push(r.matchType);
        byKeyword.set(r.keyword.toLowerCase(), entry);
      }
      const items = [...byKeyword.values()].map((k) => ({ value: k.value, title: `${k.value} (${k.types.join(', ')})` }));
      return { status: 200, body: { items } };
    },
  },
];
