/**
 * HTTP routes the Azure Functions host keeps for itself. The host refuses a function whose route,
 * trimmed of '/' and lower-cased, merely STARTS WITH `admin` or `runtime` (its built-in admin API),
 * whatever the routePrefix: it logs "The specified route conflicts with one or more built in
 * routes." and skips the function, so the app starts without it.
 * Source: Azure/azure-functions-host, src/WebJobs.Script/Host/ScriptHost.cs, ValidateHttpFunction
 * (commit 0058565eb5d288f12b3a6aa867004f156983965e), a plain string prefix test: `administration`
 * and `runtimes` are refused too.
 */
export const FUNCTIONS_RESERVED_ROUTE_PREFIXES = ['admin', 'runtime'] as const;

/** True when the Functions host would refuse an HTTP trigger with this route (no routePrefix). */
export function isReservedByFunctionsHost(route: string): boolean {
  const normalized = route.replace(/^\/+|\/+$/g, '').toLowerCase();
  return FUNCTIONS_RESERVED_ROUTE_PREFIXES.some((prefix) => normalized.startsWith(prefix));
}
