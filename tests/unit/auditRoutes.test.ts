/** The audit log in the route table: read-only, scoped, out of the connector; what the engine records. */
import { isAudited } from '../../shared/http/auditTrail';
import { routeTable } from '../../shared/http/routes';

const auditRoutes = routeTable.filter((r) => /(^|\/)audit(\/|$)/.test(r.path));

describe('audit routes', () => {
  test('the log can be read (by accounts with audit:read, and by the operator) and never changed: no route updates or deletes a record', () => {
    expect(auditRoutes.map((r) => `${r.method} ${r.path} ${r.auth} ${r.scope ?? ''}`).sort()).toEqual([
      'GET /audit account audit:read',
      'GET /operator/audit admin ',
    ]);
    expect(routeTable.filter((r) => /audit/i.test(`${r.path} ${r.operationId}`) && r.method !== 'GET')).toEqual([]);
  });

  test('neither audit route is in the connector', () => {
    expect(auditRoutes.filter((r) => r.connector !== undefined)).toEqual([]);
  });

  test('recorded: every mutating account route and every operator route; not: account reads, carrier callbacks, open routes', () => {
    for (const r of routeTable) {
      const expected = r.auth === 'admin' || (r.auth === 'account' && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));
      expect({ route: `${r.method} ${r.path}`, audited: isAudited(r) }).toEqual({ route: `${r.method} ${r.path}`, audited: expected });
    }
    expect(routeTable.some((r) => r.auth === 'carrier' && r.method === 'POST' && !isAudited(r))).toBe(true);
  });
});
