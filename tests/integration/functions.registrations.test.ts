/**
 * Loads the BUILT Azure Functions entry point (dist/functions/index.js, what package.json `main`
 * names and the host loads) with a stand-in for `@azure/functions-core`, the module the Functions
 * host injects into the worker. `@azure/functions` then registers through it exactly as in Azure,
 * so this sees the binding metadata the host would index: nothing missing, nothing extra.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { periodicJobs } from '../../shared/config/periodicJobs';
import { loadConfig } from '../../shared/config/config';
import { routeTable } from '../../shared/http/routes';
import { QUEUE_OF } from '../../shared/ports/taskQueue';

interface Binding {
  type: string;
  direction: 'in' | 'out';
  [key: string]: unknown;
}
interface Registration {
  name: string;
  bindings: Record<string, Binding>;
  callback: (...args: unknown[]) => unknown;
}

const registrations: Registration[] = [];
let programmingModelSet = false;

jest.mock(
  '@azure/functions-core',
  () => ({
    setProgrammingModel: () => {
      programmingModelSet = true;
    },
    registerFunction: (metadata: { name: string; bindings: Record<string, Binding> }, callback: Registration['callback']) => {
      registrations.push({ name: metadata.name, bindings: metadata.bindings, callback });
      return { dispose: () => undefined };
    },
    registerHook: () => ({ dispose: () => undefined }),
    getProgrammingModel: () => undefined,
    log: () => undefined,
  }),
  { virtual: true },
);

const root = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };

function triggerOf(r: Registration): Binding {
  const trigger = Object.values(r.bindings).find((b) => b.direction === 'in' && /Trigger$/.test(b.type));
  if (!trigger) throw new Error(`${r.name} has no trigger binding`);
  return trigger;
}

describe('Azure Functions registrations of the built app', () => {
  beforeAll(() => {
    expect(existsSync(join(root, pkg.main))).toBe(true); // npm test builds before jest
    jest.isolateModules(() => {
      require(join(root, pkg.main));
    });
  });

  test('package.json main is the built functions entry point', () => {
    expect(pkg.main).toBe('dist/functions/index.js');
    expect(programmingModelSet).toBe(true);
  });

  test('one anonymous HTTP function per route of the table, with its path and method', () => {
    // The built route table, so a stale build cannot pass against fresh sources, and the sources, so
    // a route added since the last build fails here too.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const built = (require(join(root, 'dist/shared/http/routes')) as { routeTable: typeof routeTable }).routeTable;
    expect(built.map((r) => `${r.method} ${r.path}`)).toEqual(routeTable.map((r) => `${r.method} ${r.path}`));
    const http = registrations.filter((r) => triggerOf(r).type === 'httpTrigger');
    expect(http).toHaveLength(routeTable.length);
    for (const route of routeTable) {
      const reg = http.find((r) => r.name === `http-${route.operationId}`);
      expect({ route: route.operationId, registered: reg !== undefined }).toEqual({ route: route.operationId, registered: true });
      const trigger = triggerOf(reg!);
      expect(trigger).toMatchObject({ route: route.path.slice(1), methods: [route.method], authLevel: 'anonymous' });
      expect(Object.values(reg!.bindings).some((b) => b.direction === 'out' && b.type === 'http')).toBe(true);
    }
    // No two functions answer the same method and path; no ASP.NET reserved route parameter names.
    const keys = http.map((r) => `${(triggerOf(r).methods as string[]).join()} ${String(triggerOf(r).route)}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of http) expect(String(triggerOf(r).route)).not.toMatch(/\{(action|area|controller|handler|page)\}/);
    // The host skips (with only a log line) any function whose route starts with admin or runtime
    // (ScriptHost.ValidateHttpFunction in Azure/azure-functions-host; functions/reservedRoutes.ts).
    for (const r of http) expect(String(triggerOf(r).route).replace(/^\/+/, '').toLowerCase()).not.toMatch(/^(admin|runtime)/);
  });

  test('one Service Bus trigger per task queue, one message at a time, on the managed-identity connection', () => {
    const queues = [...new Set(Object.values(QUEUE_OF))].sort();
    const sb = registrations.filter((r) => triggerOf(r).type === 'serviceBusTrigger');
    expect(sb.map((r) => triggerOf(r).queueName).sort()).toEqual(queues);
    for (const r of sb) {
      expect(r.name).toBe(`queue-${String(triggerOf(r).queueName)}`);
      expect(triggerOf(r)).toMatchObject({ connection: 'ServiceBusConnection', cardinality: 'one' });
    }
  });

  test('one timer per periodic job, on the schedule the settings give', () => {
    const timers = registrations.filter((r) => triggerOf(r).type === 'timerTrigger');
    expect(timers.map((r) => r.name).sort()).toEqual(periodicJobs.map((j) => `timer-${j.name}`).sort());
    const reconcile = timers.find((r) => r.name === 'timer-reconcile-stale-messages');
    // RECONCILE_INTERVAL_MS defaults to 30 s.
    expect(loadConfig({}).reconcileIntervalMs).toBe(30_000);
    expect(triggerOf(reconcile!).schedule).toBe('*/30 * * * * *');
  });

  test('nothing else is registered, and every name is unique', () => {
    const names = registrations.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(routeTable.length + new Set(Object.values(QUEUE_OF)).size + periodicJobs.length);
    for (const name of names) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_-]{0,127}$/);
  });
});

describe('Azure Functions registrations with the Azure settings (Cosmos DB, Service Bus)', () => {
  const azureEnv = {
    STORAGE: 'cosmos',
    QUEUE: 'servicebus',
    COSMOS_ENDPOINT: 'https://cosmos-test.documents.azure.com:443/',
    COSMOS_DATABASE: 'dataflows-sms',
    SERVICEBUS_NAMESPACE: 'sb-test.servicebus.windows.net',
    ADMIN_API_KEY: 'admin-key',
    SIMULATOR_SECRET: 'simulator-secret',
    RECONCILE_INTERVAL_MS: '60000', // as infra/main.bicep sets it
    LOG_LEVEL: 'silent',
  };

  beforeAll(() => {
    const saved = { ...process.env };
    registrations.length = 0;
    Object.assign(process.env, azureEnv);
    try {
      jest.isolateModules(() => {
        require(join(root, pkg.main));
      });
    } finally {
      process.env = saved;
    }
  });

  test('the outbox relay is woken by a Cosmos DB change-feed trigger on the outbox container, with the lease container Bicep declares', () => {
    const feeds = registrations.filter((r) => triggerOf(r).type === 'cosmosDBTrigger');
    expect(feeds.map((r) => r.name)).toEqual(['changefeed-outbox']);
    expect(triggerOf(feeds[0]!)).toMatchObject({
      connection: 'CosmosDBConnection',
      databaseName: 'dataflows-sms',
      containerName: 'tenants',
      leaseContainerName: 'leases',
      createLeaseContainerIfNotExists: false,
    });
  });

  test('no timer runs more often than once a minute; only hourly or slower ones write a schedule monitor', () => {
    const timers = registrations.filter((r) => triggerOf(r).type === 'timerTrigger');
    expect(timers).toHaveLength(periodicJobs.length);
    for (const t of timers) {
      const { schedule, useMonitor } = triggerOf(t);
      // Six NCRONTAB fields, seconds first: a run each minute or slower fires at second 0.
      expect({ timer: t.name, schedule: String(schedule).split(' ')[0] }).toEqual({ timer: t.name, schedule: '0' });
      expect(typeof useMonitor).toBe('boolean'); // set explicitly: the host's default is on
    }
    const byName = Object.fromEntries(timers.map((t) => [t.name, triggerOf(t)]));
    expect(byName['timer-relay-outbox']).toEqual(expect.objectContaining({ schedule: '0 */5 * * * *', useMonitor: false }));
    expect(byName['timer-reconcile-stale-messages']).toEqual(expect.objectContaining({ schedule: '0 */1 * * * *', useMonitor: false }));
    expect(byName['timer-prune-history']).toEqual(expect.objectContaining({ useMonitor: true }));
  });
});
