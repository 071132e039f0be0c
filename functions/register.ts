import type { app as functionsApp } from '@azure/functions';
import type { Config } from '../shared/config/config';
import { periodicJobs } from '../shared/config/periodicJobs';
import { routeTable } from '../shared/http/routes';
import type { RouteDef } from '../shared/http/route';
import { QUEUE_OF } from '../shared/ports/taskQueue';
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

/** The queue names the triggers listen on: one per task type (QUEUE_OF), each once. */
export function taskQueues(): string[] {
  return [...new Set(Object.values(QUEUE_OF))];
}

/**
 * Registers every function of the app from the tables the embedded host reads too: one HTTP
 * function per route, one Service Bus trigger per task queue, one timer per periodic job. A route,
 * task type or job added to those tables is registered here without touching this file.
 */
export function registerFunctions(app: Pick<typeof functionsApp, 'http' | 'serviceBusQueue' | 'timer'>, config: Config, runtime: RuntimeProvider): void {
  const http = createHttpHandler(runtime);
  for (const route of routeTable) {
    const path = route.path.replace(/^\//, '');
    // The host would skip such a function with only a log line; refuse here, where a test sees it.
    if (isReservedByFunctionsHost(path)) throw new Error(`Route ${route.method} /api/${path} (${route.operationId}) starts with a prefix the Functions host reserves`);
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
  for (const job of periodicJobs) {
    app.timer(timerFunctionName(job.name), {
      schedule: ncrontabEvery(job.everyMs(config)),
      // A missed tick is caught up once after a restart; the jobs are idempotent.
      useMonitor: true,
      handler: createTimerHandler(job, runtime),
    });
  }
}
