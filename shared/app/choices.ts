import type { Account } from '../domain/types';
import type { AppDeps } from './deps';
import { listGroups } from './groups';

/**
 * The value lists behind the connector's dropdowns: what a field receives (`value`) and what the
 * dropdown shows (`title`).
 */
export interface Choice {
  value: string;
  title: string;
}

/** What a message can be sent from: approved sender IDs, the account default first, then the virtual numbers. */
export async function senderChoices(deps: AppDeps, account: Account): Promise<Choice[]> {
  const [approved, numbers] = await Promise.all([
    deps.store.senderIds.list(account.id, 'approved'),
    deps.store.virtualNumbers.list(account.id),
  ]);
  // The default first: a dropdown's first entry is what makers tend to pick.
  const ordered = [
    ...approved.filter((s) => s.id === account.defaultSenderId),
    ...approved.filter((s) => s.id !== account.defaultSenderId),
  ];
  return [
    ...ordered.map((s) => ({ value: s.value, title: s.id === account.defaultSenderId ? `${s.value} (default)` : s.value })),
    ...numbers.map((n) => ({ value: n.number, title: `${n.number} (virtual number${n.label ? `, ${n.label}` : ''})` })),
  ];
}

export async function virtualNumberChoices(deps: AppDeps, account: Account): Promise<Choice[]> {
  const numbers = await deps.store.virtualNumbers.list(account.id);
  return numbers.map((n) => ({ value: n.number, title: n.label ? `${n.number} (${n.label})` : n.number }));
}

export async function campaignChoices(deps: AppDeps, account: Account): Promise<Choice[]> {
  // A dropdown is for picking, not browsing: the newest 200 cover any campaign a maker works on.
  const page = await deps.store.campaigns.list(account.id, {}, { limit: 200 });
  return page.items.map((c) => ({ value: c.id, title: `${c.name} (${c.kind}, ${c.status})` }));
}

export async function groupChoices(deps: AppDeps, account: Account): Promise<Choice[]> {
  const groups = await listGroups(deps, account.id);
  return groups.map((g) => ({ value: g.id, title: `${g.name} (${g.contactCount} ${g.contactCount === 1 ? 'contact' : 'contacts'})` }));
}

export async function keywordChoices(deps: AppDeps, account: Account): Promise<Choice[]> {
  // The trigger's filter ignores case, so rules whose keywords differ only in case are one choice.
  const byKeyword = new Map<string, { value: string; types: string[] }>();
  for (const r of await deps.store.keywordRules.list(account.id)) {
    const entry = byKeyword.get(r.keyword.toLowerCase()) ?? { value: r.keyword, types: [] };
    if (!entry.types.includes(r.matchType)) entry.types.push(r.matchType);
    byKeyword.set(r.keyword.toLowerCase(), entry);
  }
  return [...byKeyword.values()].map((k) => ({ value: k.value, title: `${k.value} (${k.types.join(', ')})` }));
}
