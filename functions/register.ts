import type { app as functionsApp } from '@azure/functions';
import type { Config } from '../shared/config/config';
import { OUTBOX_CHANGE_FEED } from '../shared/config/azureTriggers';
import { periodicJobs } from '../shared/config/periodicJobs';
import { routeTable } from '../shared/http/routes';
import type { RouteDef } from '../shared/http/route';
import { QUEUE_NAMES } from '../shared/ports/taskQueue';
import { createOutboxChangeFeedHandler } from './changeFeed';
import { createHttpHandler } from './http';
import { createQueueHandler } from './queues';
import { isReservedByFunctionsHost } from './reservedRoutes';
import type { RuntimeProvider } from './runtimeProvider';
import { ncrontabEvery } from './schedule';
import { createTimerHandler } from './timers';

/**
 * Name of the Service Bus connection the triggers use. With managed identity the Function App sets
 * `ServiceBusConnection__fullyQualifiedNamespace` (+ `__credential`, `__clientId`); locally a
 * connection string in `ServiceBusConnection` works too (local.settings.sample.json).
 */
export const SERVICE_BUS_CONNECTION = 'ServiceBusConnection';

export const httpFunctionName = (route: RouteDef): string => `http-${route.operationId}`;
export const queueFunctionName = (queue: string): string => `queue-${queue}`;
export const timerFunctionName = (job: string): string => `timer-${job}`;
export const OUTBOX_CHANGE_FEED_FUNCTION = 'changefeed-outbox';

/**
 * Timers whose runs are an hour or more apart persist their schedule (useMonitor), so a run missed
 * while no instance was up is caught up after a restart. Shorter ones do not: the next tick comes
 * soon anyway, and the monitor writes the schedule's status to the host storage on every run.
 */
export const MONITORED_TIMER_MIN_MS = 3_600_000;

/** The queue names the triggers listen on: one per task type (QUEUE_NAMES), each once. */
export function taskQueues(): string[] {
  return [...QUEUE_NAMES];
}

/**
 * Registers every function of the app from the tables the embedded host reads too: one HTTP
 * function per route, one Service Bus trigger per task queue, one timer per periodic job, and on
 * Cosmos DB the outbox's change-feed trigger. A route, task type or job added to those tables is
 * registered here without touching this file.
 */
export function registerFunctions(
  app: Pick<typeof functionsApp, 'http' | 'serviceBusQueue' | 'timer' | 'cosmosDB'>,
  config: Config,
  runtime: RuntimeProvider,
): void {
  const http = createHttpHandler(runtime);
  for (const route of routeTable) {
    const path = route.path.replace(/^\//, '');
    // The host would skip such a function with only a log line; refuse here, where a test sees it.
    if (isReservedByFunctionsHost(path))
      throw new Error(`Route ${route.method} /api/${path} (${route.operationId}) starts with a prefix the Functions host reserves`);
    app.http(httpFunctionName(route), {
      route: path,
      methods: [route.method],
      // The engine authenticates (API key, admin key or carrier signature): no function keys.
      authLevel: 'anonymous',
      handler: http,
    });
  }
  for (const queue of taskQueues()) {
    app.serviceBusQueue(queueFunctionName(queue), {
      queueName: queue,
      connection: SERVICE_BUS_CONNECTION,
      cardinality: 'one',
      handler: createQueueHandler(queue, runtime),
    });
  }
  if (config.storage === 'cosmos') {
    // Wakes the outbox relay as events are written instead of a 1-second timer (86,400 runs a day).
    app.cosmosDB(OUTBOX_CHANGE_FEED_FUNCTION, {
      connection: OUTBOX_CHANGE_FEED.connection,
      databaseName: config.cosmos.database,
      containerName: OUTBOX_CHANGE_FEED.containerName,
      leaseContainerName: OUTBOX_CHANGE_FEED.leaseContainerName,
      // Bicep declares it: with Entra ID the trigger could not create it (control-plane operation).
      createLeaseContainerIfNotExists: false,
      // New changes only on first start; events older than that are the safety-net timer's.
      startFromBeginning: false,
      // Poll an idle feed every second: an event reaches its webhook as soon as with the old timer.
      feedPollDelay: 1_000,
      handler: createOutboxChangeFeedHandler(runtime),
    });
  }
  for (const job of periodicJobs) {
    const everyMs = job.everyMs(config);
    app.timer(timerFunctionName(job.name), {
      schedule: ncrontabEvery(everyMs),
      // Set either way: the host's default is on for every schedule of a minute or more.
      useMonitor: everyMs >= MONITORED_TIMER_MIN_MS,
      handler: createTimerHandler(job, runtime),
    });
  }
}
