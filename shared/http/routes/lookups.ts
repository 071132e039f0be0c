import { listGroups } from '../../app/groups';
import { defineRoute, type RouteContext, type RouteDef } from '../route';
import { arr, obj, str, type JsonSchema } from '../../schema/builders';

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

interface Choice {
  value: string;
  title: string;
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
}

/** One dropdown's internal operation: account-authenticated, internal in the connector. */
function lookupRoute(spec: LookupSpec, description: string, choices: (ctx: RouteContext) => Promise<Choice[]>): RouteDef {
  return defineRoute({
    method: 'GET',
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    description,
    tags: [spec.tag],
    auth: 'account',
    responses: { 200: { description: `The ${spec.what}.`, schema: choicesSchema(spec.title, spec.what, spec.valueDescription) } },
    connector: { visibility: 'internal' },
    async handle(ctx) {
      return { status: 200, body: { items: await choices(ctx) } };
    },
  });
}

export const lookupRoutes: RouteDef[] = [
  lookupRoute(
    { path: '/lookups/sender-ids', operationId: 'ListSenderIdValues', summary: 'List sender ID choices', tag: 'Sender IDs', title: 'Sender ID choices', what: 'senders', valueDescription: 'The sender as sent in from: a sender ID such as DataFlows, or a virtual number in E.164.' },
    'Lists what a message can be sent from: the approved sender IDs, the account default first, then the account\'s virtual numbers (for two-way SMS); feeds the From dropdown.',
    async ({ deps, account }) => {
      const [approved, numbers] = await Promise.all([deps.store.senderIds.list(account.id, 'approved'), deps.store.virtualNumbers.list(account.id)]);
      // The default first: a dropdown's first entry is what makers tend to pick.
      const ordered = [...approved.filter((s) => s.id === account.defaultSenderId), ...approved.filter((s) => s.id !== account.defaultSenderId)];
      return [
        ...ordered.map((s) => ({ value: s.value, title: s.id === account.defaultSenderId ? `${s.value} (default)` : s.value })),
        ...numbers.map((n) => ({ value: n.number, title: `${n.number} (virtual number${n.label ? `, ${n.label}` : ''})` })),
      ];
    },
  ),
  lookupRoute(
    { path: '/lookups/virtual-numbers', operationId: 'ListVirtualNumberValues', summary: 'List virtual number choices', tag: 'Virtual numbers', title: 'Virtual number choices', what: 'virtual numbers', valueDescription: 'The number in E.164, e.g. +14155550100.' },
    'Lists the account\'s virtual numbers with their labels; feeds the Virtual number dropdown of the inbound triggers.',
    async ({ deps, account }) => {
      const numbers = await deps.store.virtualNumbers.list(account.id);
      return numbers.map((n) => ({ value: n.number, title: n.label ? `${n.number} (${n.label})` : n.number }));
    },
  ),
  lookupRoute(
    { path: '/lookups/campaigns', operationId: 'ListCampaignValues', summary: 'List campaign choices', tag: 'Campaigns', title: 'Campaign choices', what: 'campaigns', valueDescription: 'The campaign ID, e.g. cmp_01J....' },
    'Lists the account\'s most recent campaigns, newest first, with their kind and status; feeds the Campaign dropdowns.',
    async ({ deps, account }) => {
      // A dropdown is for picking, not browsing: the newest 200 cover any campaign a maker works on.
      const page = await deps.store.campaigns.list(account.id, {}, { limit: 200 });
      return page.items.map((c) => ({ value: c.id, title: `${c.name} (${c.kind}, ${c.status})` }));
    },
  ),
  lookupRoute(
    { path: '/lookups/groups', operationId: 'ListGroupValues', summary: 'List contact group choices', tag: 'Contacts', title: 'Contact group choices', what: 'contact groups', valueDescription: 'The group ID, e.g. grp_01J....' },
    'Lists the account\'s contact groups by name with their number of contacts; feeds the Group dropdowns.',
    async ({ deps, account }) => {
      const groups = await listGroups(deps, account.id);
      return groups.map((g) => ({ value: g.id, title: `${g.name} (${g.contactCount} ${g.contactCount === 1 ? 'contact' : 'contacts'})` }));
    },
  ),
  lookupRoute(
    { path: '/lookups/keywords', operationId: 'ListKeywordValues', summary: 'List keyword choices', tag: 'Keywords', title: 'Keyword choices', what: 'keywords', valueDescription: 'The keyword as the rule spells it, e.g. HOURS.' },
    'Lists the keywords of the account\'s keyword rules, each once, with their match types; feeds the Keyword dropdown of the keyword trigger.',
    async ({ deps, account }) => {
      // The trigger's filter ignores case, so rules whose keywords differ only in case are one choice.
      const byKeyword = new Map<string, { value: string; types: string[] }>();
      for (const r of await deps.store.keywordRules.list(account.id)) {
        const entry = byKeyword.get(r.keyword.toLowerCase()) ?? { value: r.keyword, types: [] };
        if (!entry.types.includes(r.matchType)) entry.types.push(r.matchType);
        byKeyword.set(r.keyword.toLowerCase(), entry);
      }
      return [...byKeyword.values()].map((k) => ({ value: k.value, title: `${k.value} (${k.types.join(', ')})` }));
    },
  ),
];
