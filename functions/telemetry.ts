import type { Config } from '../shared/config/config';

/**
 * Starts OpenTelemetry with the Azure Monitor exporter when an Application Insights connection
 * string is configured; otherwise does nothing (and loads nothing). It must run before
 * `@azure/functions` and the Azure SDKs are loaded: the instrumentations patch modules as they load.
 *
 * The Azure Functions instrumentation tells the host that this worker sends its own logs (no
 * duplicates) and continues the host's trace in each invocation, so requests, SDK dependencies
 * (Cosmos DB, Service Bus, outbound HTTP) and our log records share one operation id.
 * host.json sets "telemetryMode": "OpenTelemetry" to match.
 *
 * Resolves to true when telemetry was started.
 */
export function startTelemetry(config: Pick<Config, 'telemetry'>): boolean {
  const { connectionString, authentication } = config.telemetry;
  if (!connectionString) return false;
  // Loaded only when configured, so tests and local runs without Application Insights load none of it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { useAzureMonitor } = require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AzureFunctionsInstrumentation } =
    require('@azure/functions-opentelemetry-instrumentation') as typeof import('@azure/functions-opentelemetry-instrumentation');
  // Application Insights with local auth off takes only Entra ID tokens (the managed identity
  // holds "Monitoring Metrics Publisher"); the connection string alone is then not enough.
  const entra = authentication !== null && /authorization\s*=\s*aad/i.test(authentication);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const credential = entra ? new (require('@azure/identity') as typeof import('@azure/identity')).DefaultAzureCredential() : undefined;
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString, ...(credential ? { credential } : {}) },
    instrumentationOptions: { azureSdk: { enabled: true }, http: { enabled: true } },
  });
  // Constructed after the providers are registered; enabling it hooks `@azure/functions` on load.
  new AzureFunctionsInstrumentation().enable();
  return true;
}
