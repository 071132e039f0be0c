/**
 * The operator routes were under /api/admin/ until they moved to /api/operator/ (the Azure Functions
 * host reserves routes starting with `admin`: functions/reservedRoutes.ts). The embedded host still
 * answers the old paths, as documented and deprecated aliases; the Functions app registers only the
 * new ones.
 */
const LEGACY_PREFIX = '/api/admin/';
const CURRENT_PREFIX = '/api/operator/';

/** When the aliases were deprecated (RFC 9745 Deprecation header: @ Unix seconds). */
const DEPRECATED_AT = Date.parse('2026-12-06T00:00:00Z') / 1000;

export interface OperatorAlias {
  /** The URL to route instead (same query string). */
  url: string;
  /** Headers added to the answer: Deprecation, and Link to the path to use instead. */
  headers: Record<string, string>;
}

/** The current operator URL for a legacy /api/admin/... URL, or null for any other URL. */
export function legacyOperatorAlias(url: string): OperatorAlias | null {
  if (!url.startsWith(LEGACY_PREFIX)) return null;
  const current = `${CURRENT_PREFIX}${url.slice(LEGACY_PREFIX.length)}`;
  const path = current.split('?')[0]!;
  return { url: current, headers: { deprecation: `@${DEPRECATED_AT}`, link: `<${path}>; rel="successor-version"` } };
}
