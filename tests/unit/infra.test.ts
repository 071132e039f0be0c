/**
 * Holds infra/ (Bicep for azd), host.json and local.settings.sample.json to what the code reads and
 * uses. `az bicep` is not available here, so the Bicep files are read as text: object literals are
 * parsed for their keys, resources and role assignments are matched by their declarations.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cosmosContainers } from '../../shared/adapters/cosmos/containers';
import { AZURE_PLATFORM_SETTINGS, AZURE_SETTING_SOURCES } from '../../shared/config/azureSettings';
import { SETTINGS } from '../../shared/config/config';
import { API_PREFIX } from '../../shared/http/engine';
import { QUEUE_OF } from '../../shared/ports/taskQueue';
import { SERVICE_BUS_CONNECTION } from '../../functions/register';
import { OUTBOX_CHANGE_FEED } from '../../shared/config/azureTriggers';
import { loadConfig } from '../../shared/config/config';
import { periodicJobs } from '../../shared/config/periodicJobs';

const root = join(__dirname, '../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const main = read('infra/main.bicep');
const mod = (name: string): string => read(`infra/modules/${name}.bicep`);

/** Keys of the Bicep object literal that opens on the first line matching `opener` (one level deep). */
function objectKeys(text: string, opener: RegExp): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => opener.test(l));
  if (start < 0) throw new Error(`no object literal matching ${opener}`);
  const keys: string[] = [];
  let depth = 0;
  for (let i = start; i < lines.length; i += 1) {
    const line = lines[i]!.replace(/\/\/.*$/, '');
    if (depth === 1) {
      const m = /^\s*'?([A-Za-z_][A-Za-z0-9_]*)'?\s*:/.exec(line);
      if (m) keys.push(m[1]!);
    }
    for (const ch of line) {
      if (ch === '{') depth += 1;
      if (ch === '}') depth -= 1;
    }
    if (depth === 0 && i > start) return keys;
    if (depth === 0 && i === start && line.includes('}')) return keys;
  }
  throw new Error(`object literal matching ${opener} is not closed`);
}

/** The body of `resource <name> '<type>@...' = ...` up to the next top-level declaration. */
function resourceBlock(text: string, type: string): string {
  const at = text.search(new RegExp(`^resource \\w+ '${type.replace(/[/.]/g, (c) => `\\${c}`)}@`, 'm'));
  if (at < 0) throw new Error(`no ${type} resource`);
  const rest = text.slice(at + 1);
  const next = rest.search(/^(resource|module|output|var|param) /m);
  return next < 0 ? text.slice(at) : text.slice(at, at + 1 + next);
}

const appSettings = new Set([
  ...objectKeys(main, /^var appSettings = \{/),
  ...objectKeys(mod('functionapp'), /properties: union\(appSettings, \{/),
]);
const secretSettings = new Set([...objectKeys(mod('keyvault'), /^var required = \{/), ...objectKeys(main, /^\s*carrierSecrets: \{/)]);
const settingNames = Object.keys(SETTINGS);

describe('infra: settings', () => {
  test('every setting of SETTINGS says where it comes from on Azure', () => {
    const unclassified = settingNames.filter((n) => !(n in AZURE_SETTING_SOURCES));
    // Each declaration in shared/config/settings.ts says its `azure` source; unless embedded or platform, infra/main.bicep sets it.
    expect(unclassified).toEqual([]);
    expect(Object.keys(AZURE_SETTING_SOURCES).filter((n) => !settingNames.includes(n))).toEqual([]);
  });

  test('the Function App sets every setting the service reads on Azure; secrets only as Key Vault references', () => {
    for (const name of settingNames) {
      const source = AZURE_SETTING_SOURCES[name];
      const where = { name, source, appSetting: appSettings.has(name), keyVault: secretSettings.has(name) };
      if (source === 'app') expect(where).toEqual({ ...where, appSetting: true, keyVault: false });
      if (source === 'keyVault') expect(where).toEqual({ ...where, appSetting: false, keyVault: true });
      if (source === 'embedded' || source === 'platform') expect(where).toEqual({ ...where, appSetting: false, keyVault: false });
    }
    // The secrets reach the app as references the platform resolves with the app's identity.
    expect(main).toMatch(/appSettings: union\(appSettings, keyVault\.outputs\.references\)/);
    expect(mod('keyvault')).toMatch(/@Microsoft\.KeyVault\(VaultName=/);
    expect(mod('functionapp')).toMatch(/keyVaultReferenceIdentity: identityId/);
    // Every secret comes in through a @secure() parameter (never logged in deployment history).
    const secretParams = [...main.matchAll(/^\s+(?:adminApiKey|simulatorSecret|[A-Z_]+): (\w+)$/gm)].map((m) => m[1]!);
    for (const param of [
      'adminApiKey',
      'simulatorSecret',
      ...secretParams.filter((p) => /Key|Secret|Token|Password|ConnectionString/.test(p)),
    ]) {
      expect({
        param,
        secure: new RegExp(`@secure\\(\\)\\s*\\n(?:@description\\([^\\n]*\\)\\s*\\n)?param ${param} string`).test(main),
      }).toEqual({ param, secure: true });
    }
    expect(main).toMatch(/STORAGE: 'cosmos'/);
    expect(main).toMatch(/QUEUE: 'servicebus'/);
  });

  test("platform settings: the SDKs' identity, the triggers' identity-based Service Bus connection, host storage", () => {
    for (const name of AZURE_PLATFORM_SETTINGS) expect({ name, set: appSettings.has(name) }).toEqual({ name, set: true });
    expect(appSettings.has(`${SERVICE_BUS_CONNECTION}__fullyQualifiedNamespace`)).toBe(true);
    // No keys or connection strings: Entra ID everywhere.
    for (const keyed of ['COSMOS_KEY', 'SERVICEBUS_CONNECTION_STRING', 'AzureWebJobsStorage', SERVICE_BUS_CONNECTION])
      expect(appSettings.has(keyed)).toBe(false);
    expect(read('infra/modules/cosmos.bicep')).toMatch(/disableLocalAuth: true/);
    expect(read('infra/modules/servicebus.bicep')).toMatch(/disableLocalAuth: true/);
    expect(read('infra/modules/storage.bicep')).toMatch(/allowSharedKeyAccess: false/);
    expect(read('infra/modules/monitoring.bicep')).toMatch(/DisableLocalAuth: true/);
  });

  test('defaults written in Bicep match the settings table', () => {
    const literal = (name: string) => new RegExp(`^\\s*${name}: '([^']*)'`, 'm').exec(main)?.[1];
    for (const name of [
      'SIMULATOR_DLR_DELAY_MS',
      'MAX_BODY_BYTES',
      'MONITOR_INTERVAL_MS',
      'STALE_AFTER_MS',
      'WEBHOOK_TIMEOUT_MS',
      'RATE_LIMIT_HOOKS_PER_MINUTE',
      'RATE_LIMIT_CARRIER_PER_MINUTE',
      'AUTH_FAILURES_PER_MINUTE',
      'TWILIO_API_BASE_URL',
    ] as const) {
      expect({ name, value: literal(name) }).toEqual({ name, value: SETTINGS[name].default });
    }
    expect(/param queueMaxAttempts int = (\d+)/.exec(main)?.[1]).toBe(SETTINGS.QUEUE_MAX_ATTEMPTS.default);
    // Empty: the built-in table of priceCurrency (PRICE_TABLE's default), never USD numbers under another currency.
    expect(/param priceTable string = '([^']*)'/.exec(main)?.[1]).toBe('');
    expect(/var databaseName = '([^']*)'/.exec(main)?.[1]).toBe(SETTINGS.COSMOS_DATABASE.default);
  });

  test("with the Function App's settings every timer runs a minute or more apart (each run is an invocation)", () => {
    const literal = (name: string) => new RegExp(`^\\s*${name}: '([^']*)'`, 'm').exec(main)?.[1];
    const env = Object.fromEntries(['RECONCILE_INTERVAL_MS', 'MONITOR_INTERVAL_MS'].map((n) => [n, literal(n)]));
    const config = loadConfig(env);
    for (const job of periodicJobs)
      expect({ job: job.name, atLeastAMinute: job.everyMs(config) >= 60_000 }).toEqual({ job: job.name, atLeastAMinute: true });
  });

  test('local.settings.sample.json documents every setting a Functions run against Azure reads', () => {
    const values = (JSON.parse(read('local.settings.sample.json')) as { Values: Record<string, string> }).Values;
    for (const name of settingNames) {
      const source = AZURE_SETTING_SOURCES[name];
      if (source === 'app' || source === 'keyVault') expect({ name, listed: name in values }).toEqual({ name, listed: true });
    }
    for (const name of [
      'STORAGE',
      'QUEUE',
      'ADMIN_API_KEY',
      'SIMULATOR_SECRET',
      'PUBLIC_BASE_URL',
      `${SERVICE_BUS_CONNECTION}__fullyQualifiedNamespace`,
      `${OUTBOX_CHANGE_FEED.connection}__accountEndpoint`,
    ])
      expect(values).toHaveProperty(name);
    expect(values.FUNCTIONS_WORKER_RUNTIME).toBe('node');
  });
});

describe('infra: queues and containers', () => {
  const queues = JSON.parse(read('infra/queues.json')) as string[];

  test('infra/queues.json is every task queue of QUEUE_OF, once each (npm run infra:sync)', () => {
    expect(new Set(queues).size).toBe(queues.length);
    expect([...queues].sort()).toEqual([...new Set(Object.values(QUEUE_OF))].sort());
    for (const name of queues) expect(name).toMatch(/^[a-z0-9][a-z0-9.\-_]{0,258}[a-z0-9]$/);
  });

  test('every queue is declared with duplicate detection, maxDeliveryCount = QUEUE_MAX_ATTEMPTS and dead-lettering', () => {
    const sb = mod('servicebus');
    expect(sb).toMatch(/var queues = loadJsonContent\('\.\.\/queues\.json'\)/);
    const queue = resourceBlock(sb, 'Microsoft.ServiceBus/namespaces/queues');
    expect(queue).toMatch(/\[for name in queues: \{/);
    expect(queue).toMatch(/name: name\n/);
    expect(queue).toMatch(/requiresDuplicateDetection: true/);
    expect(queue).toMatch(/maxDeliveryCount: maxDeliveryCount/);
    expect(queue).toMatch(/deadLetteringOnMessageExpiration: true/);
    expect(queue).toMatch(/requiresSession: false/);
    expect(resourceBlock(sb, 'Microsoft.ServiceBus/namespaces')).toMatch(/name: 'Standard'/); // scheduling + duplicate detection
    // One number drives both: the app's attempts and the broker's deliveries.
    expect(main).toMatch(/maxDeliveryCount: queueMaxAttempts/);
    expect(main).toMatch(/QUEUE_MAX_ATTEMPTS: string\(queueMaxAttempts\)/);
  });

  test("infra/cosmos-containers.json is exactly the adapter's cosmosContainers (npm run infra:sync)", () => {
    expect(JSON.parse(read('infra/cosmos-containers.json'))).toEqual(JSON.parse(JSON.stringify(cosmosContainers)));
  });

  test("the outbox change-feed trigger's lease container is declared (partition key /id) and its connection is identity-based", () => {
    const cosmos = mod('cosmos');
    expect(/param leaseContainerName string = '([^']*)'/.exec(cosmos)?.[1]).toBe(OUTBOX_CHANGE_FEED.leaseContainerName);
    const lease = cosmos.slice(cosmos.indexOf('resource leases '));
    expect(lease).toMatch(/name: leaseContainerName\n/);
    expect(lease).toMatch(/resource: \{ id: leaseContainerName, partitionKey: \{ paths: \[ '\/id' \]/);
    expect(Object.keys(cosmosContainers)).toContain(OUTBOX_CHANGE_FEED.containerName);
    expect(Object.keys(cosmosContainers)).not.toContain(OUTBOX_CHANGE_FEED.leaseContainerName);
    for (const suffix of ['accountEndpoint', 'credential', 'clientId'])
      expect(appSettings.has(`${OUTBOX_CHANGE_FEED.connection}__${suffix}`)).toBe(true);
    expect(appSettings.has(OUTBOX_CHANGE_FEED.connection)).toBe(false); // no connection string
    expect(main).toMatch(/cosmosEndpoint: cosmos\.outputs\.endpoint/);
  });

  test('Cosmos DB is serverless and declares every container from that file, with its indexing policy and TTL', () => {
    const cosmos = mod('cosmos');
    expect(cosmos).toMatch(/var containers = loadJsonContent\('\.\.\/cosmos-containers\.json'\)/);
    expect(cosmos).toMatch(/EnableServerless/);
    const container = resourceBlock(cosmos, 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers');
    expect(container).toMatch(/\[for c in items\(containers\): \{/);
    expect(container).toMatch(/name: c\.value\.id/);
    expect(container).toMatch(/resource: c\.value\n/);
    for (const c of Object.values(cosmosContainers)) {
      // Per-item TTL on: idempotency markers, delivery attempts and dispatched events expire.
      expect(c.defaultTtl).toBe(-1);
      expect(c.indexingPolicy.excludedPaths).toEqual([{ path: '/*' }]);
    }
  });
});

describe('infra: identity and role assignments', () => {
  const ROLES: [module: string, role: string, what: string][] = [
    ['cosmos', '00000000-0000-0000-0000-000000000002', 'Cosmos DB Built-in Data Contributor'],
    // Data Owner: send and receive, and the Manage right target-based scaling needs to read queue length.
    ['servicebus', '090c5cfd-751d-490a-894a-3ce6f1109419', 'Azure Service Bus Data Owner'],
    ['keyvault', '4633458b-17de-408a-b874-0445c86b69e6', 'Key Vault Secrets User'],
    ['storage', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', 'Storage Blob Data Owner'],
    ['monitoring', '3913510d-42f4-4e42-8a64-420c390055eb', 'Monitoring Metrics Publisher'],
  ];

  test.each(ROLES)('%s grants the app identity %s (%s)', (module, role) => {
    const text = mod(module);
    const variable = new RegExp(`var (\\w+) = '${role}'`).exec(text)?.[1];
    expect(variable).toBeDefined();
    const assignment =
      module === 'cosmos'
        ? resourceBlock(text, 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments')
        : text.slice(text.indexOf("'Microsoft.Authorization/roleAssignments@"));
    expect(assignment).toContain(variable!);
    expect(assignment).toMatch(/principalId: principalId/);
    // The module is given the app's identity.
    const call = main.slice(main.indexOf(`'modules/${module}.bicep'`));
    expect(call.slice(0, call.indexOf('\n}\n'))).toMatch(/principalId: identity\.outputs\.principalId/);
  });

  test('the Function App runs on Flex Consumption, Node 22 (Node 20 is out of support on Azure), as that identity, tagged for azd', () => {
    const app = mod('functionapp');
    expect(app).toMatch(/sku: \{ name: 'FC1', tier: 'FlexConsumption' \}/);
    expect(app).toMatch(/runtime: \{ name: 'node', version: nodeVersion \}/);
    expect(/param nodeVersion string = '(\d+)'/.exec(app)?.[1]).toBe('22');
    // Flex Consumption refuses the settings older plans chose the runtime with.
    expect(app.replace(/\/\/.*$/gm, '')).not.toMatch(/linuxFxVersion|FUNCTIONS_WORKER_RUNTIME|FUNCTIONS_EXTENSION_VERSION/);
    // The code itself keeps running on Node 20 (this machine) and 22 (Azure).
    expect((JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node).toBe('>=20');
    expect(app).toMatch(/type: 'UserAssigned'/);
    expect(app).toMatch(/authentication: \{ type: 'UserAssignedIdentity'/);
    const service = /services:\n {2}(\w+):/.exec(read('azure.yaml'))?.[1];
    expect(app).toContain(`'azd-service-name': '${service}'`);
    expect(read('azure.yaml')).toMatch(/host: function/);
  });

  test('Service Bus: the identity can read queue length for target-based scaling (Data Owner, not Sender + Receiver alone)', () => {
    const sb = mod('servicebus');
    const assigned = [...sb.matchAll(/roleDefinitions', (\w+)\)/g)].map((m) => new RegExp(`var ${m[1]} = '([0-9a-f-]+)'`).exec(sb)?.[1]);
    expect(assigned).toContain('090c5cfd-751d-490a-894a-3ce6f1109419');
  });

  test('Key Vault: a new name per environment and on demand, so a soft-deleted vault of an earlier azd down does not block azd up', () => {
    // The name is derived from the environment and keyVaultSuffix, which azd fills from AZURE_KEY_VAULT_SUFFIX.
    expect(main).toMatch(/^param keyVaultSuffix string = ''$/m);
    expect(main).toMatch(
      /^var keyVaultName = 'kv-\$\{take\(toLower\(uniqueString\(subscription\(\)\.id, environmentName, location, keyVaultSuffix\)\), 13\)\}'$/m,
    );
    expect(main).toMatch(/name: keyVaultName\n/);
    const params = (JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, { value: string }> }).parameters;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: azd substitutes ${NAME} in the parameters file; this is that literal.
    expect(params.keyVaultSuffix?.value).toBe('${AZURE_KEY_VAULT_SUFFIX}');
    // 'kv-' + 13 characters: within Key Vault's 3-24; purge protection off so `azd down --purge` frees the name.
    expect(mod('keyvault')).not.toMatch(/enablePurgeProtection/);
    // The deploy section says what azd up needs and how to free or change the name.
    const deploy = read('README.md').split('## Deploy to Azure')[1]!.split('\n## ')[0]!;
    for (const phrase of ['azd down --purge', 'AZURE_KEY_VAULT_SUFFIX', 'User Access Administrator', 'Azure Service Bus Data Owner'])
      expect({ phrase, documented: deploy.includes(phrase) }).toEqual({ phrase, documented: true });
  });

  test('outputs give the connector its host', () => {
    expect(main).toMatch(/output CONNECTOR_HOST string = functionApp\.outputs\.defaultHostName/);
    expect(mod('functionapp')).toMatch(/output defaultHostName string = app\.properties\.defaultHostName/);
  });
});

describe('host.json', () => {
  const host = JSON.parse(read('host.json')) as {
    extensions: { http: { routePrefix: string }; serviceBus: Record<string, unknown> };
    extensionBundle: { id: string };
    telemetryMode?: string;
  };

  test('routes under /api as the engine expects; triggers auto-complete (the queue handler settles by returning or throwing)', () => {
    expect(`/${host.extensions.http.routePrefix}`).toBe(API_PREFIX);
    expect(host.extensions.serviceBus.autoCompleteMessages).toBe(true);
    expect(host.extensionBundle.id).toBe('Microsoft.Azure.Functions.ExtensionBundle');
    expect(host.telemetryMode).toBe('OpenTelemetry');
  });
});
