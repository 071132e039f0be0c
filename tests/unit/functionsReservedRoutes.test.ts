import { isReservedByFunctionsHost } from '../../functions/reservedRoutes';
import { routeTable } from '../../shared/http/routes';

describe('routes the Azure Functions host reserves', () => {
  test("the rule is the host's: any route starting with admin or runtime, whatever the case and slashes", () => {
    // ScriptHost.ValidateHttpFunction: route.Trim('/').ToLowerInvariant().StartsWith("admin" | "runtime").
    for (const route of ['admin/accounts', '/Admin/x', 'administration/health', 'runtime', 'runtimes/status/', 'ADMIN']) {
      expect({ route, reserved: isReservedByFunctionsHost(route) }).toEqual({ route, reserved: true });
    }
    for (const route of ['operator/accounts', 'messages/{id}', 'carriers/runtime', 'my-admin/x', 'api/admin']) {
      expect({ route, reserved: isReservedByFunctionsHost(route) }).toEqual({ route, reserved: false });
    }
  });

  test('no route of the table would be skipped by the Functions host', () => {
    const reserved = routeTable.filter((r) => isReservedByFunctionsHost(r.path)).map((r) => `${r.method} ${r.path}`);
    expect(reserved).toEqual([]);
  });

  test('operator routes live under /operator/', () => {
    const operator = routeTable.filter((r) => r.auth === 'admin');
    expect(operator.length).toBeGreaterThanOrEqual(8);
    for (const r of operator) expect(r.path).toMatch(/^\/operator\//);
  });
});
