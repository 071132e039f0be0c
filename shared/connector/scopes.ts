import { SCOPES, type Scope } from '../domain/scopes';
import type { RouteDef } from '../http/route';

/**
 * The least a key for the connector must hold: the scope of every account route the connector
 * exposes (actions, triggers and their unsubscribe, dropdowns, the connection test), in the order
 * of SCOPES. The README lists it; the connector tests run with a key holding exactly these.
 */
export function connectorScopes(routes: readonly RouteDef[]): Scope[] {
  const used = new Set(routes.filter((r) => r.connector && r.auth === 'account').map((r) => r.scope));
  return SCOPES.filter((s) => used.has(s));
}
