/**
 * API-key scopes, least privilege: one per route family (`read` lists and reads, `write` changes),
 * declared by every account route in the route table (RouteDef.scope). See docs/api-keys.md.
 */
export const SCOPES = [
  'messages:send',
  'messages:read',
  'contacts:read',
  'contacts:write',
  'campaigns:read',
  'campaigns:write',
  'keywords:read',
  'keywords:write',
  'hooks:manage',
  'account:read',
  'account:write',
  'keys:manage',
  'audit:read',
  'privacy:manage',
] as const;

export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** The scopes an account had before scopes per family: every account key held all five. */
export const LEGACY_SCOPES = ['messages:send', 'messages:read', 'sender-ids:manage', 'account:manage', 'webhooks:manage'] as const;

/**
 * What each legacy scope allowed, in today's scopes: the routes it opened are the routes these
 * scopes open now. The routes that needed no scope then (account, balance, sender-id and number
 * lists) are `account:read`, and every legacy key gets it; hook reads are `hooks:manage` now (every
 * account key ever issued held `webhooks:manage`).
 */
const LEGACY_TO_SCOPES: Record<string, readonly Scope[]> = {
  'messages:send': ['messages:send', 'contacts:write', 'campaigns:write', 'keywords:write'],
  'messages:read': ['messages:read', 'contacts:read', 'campaigns:read', 'keywords:read'],
  'sender-ids:manage': ['account:write'],
  'account:manage': ['account:write'],
  'webhooks:manage': ['hooks:manage'],
};

/**
 * The scopes of a key stored before this scheme. A key holding every legacy scope was its
 * account's only, all-powerful key: it keeps that standing with every scope (key management,
 * audit and privacy included, which did not exist yet). Any other key gets exactly what covers
 * the routes it could call; already-current names pass through.
 */
export function migrateLegacyScopes(scopes: readonly string[]): Scope[] {
  if (LEGACY_SCOPES.every((s) => scopes.includes(s))) return [...SCOPES];
  const out = new Set<Scope>(['account:read']);
  for (const s of scopes) {
    for (const n of LEGACY_TO_SCOPES[s] ?? []) out.add(n);
    if (isScope(s)) out.add(s);
  }
  return SCOPES.filter((s) => out.has(s));
}
