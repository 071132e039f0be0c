import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/config';
import { serveRequest } from './serveRequest';
import { createRuntime } from '../config/createRuntime';
import { periodicJobs, RELAY_JOB } from '../config/periodicJobs';
import { seedDevAccount, type Runtime, type RuntimeOverrides, type SeedResult } from '../config/runtime';
import { relayAll, relayOutbox } from '../webhooks/relay';
import { WEBHOOK_QUEUE } from '../webhooks/subscriptions';
import { QueueWorker } from './queueWorker';
import { StreamingWorker } from './streamingWorker';
import { wakeOnSend } from './wakeOnSend';

export interface EmbeddedHost {
  url: string;
  port: number;
  runtime: Runtime;
  seed: SeedResult;
  /** Runs every queue until nothing is due now (tests with a fake clock call this after advancing it). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export interface HostOptions extends RuntimeOverrides {
  /** Start the background workers and timers (default true). Tests driving time by hand turn this off. */
  background?: boolean;
}

const BATCH: Record<string, number> = { 'sms-send': 64, 'simulator-dlr': 500 };

/**
 * The embedded host: node:http serving the route table under /api, one worker per queue, the
 * reconciler timer. Everything lives in one SQLite file, so `npm start` needs nothing else.
 */
export async function startEmbeddedHost(config: Config, options: HostOptions = {}): Promise<EmbeddedHost> {
  // SQLite by default; with STORAGE=cosmos and QUEUE=servicebus the same host runs against Azure.
  let workers: (QueueWorker | StreamingWorker)[] = [];
  // Idle workers pick a task sent now up at once, rather than at their next poll.
  const wake = (queue: string) => workers.find((w) => w.queue === queue)?.wake();
  const runtime = await createRuntime(config, { ...options, wrapQueue: (queue) => wakeOnSend(queue, wake) });
  const { deps, engine } = runtime;
  const background = options.background ?? true;

  const server = http.createServer((req, res) => serveRequest(engine, config, deps.logger, req, res, false));
  // A client that waits for 100 Continue sends no body until the pre-body check admits it.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) =>
    serveRequest(engine, config, deps.logger, req, res, true),
  );
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  if (!config.publicBaseUrl) runtime.setPublicBaseUrl(url);

  const seed = await seedDevAccount(deps, config);
  workers = Object.entries(runtime.handlers).map(([queue, handler]) =>
    queue === WEBHOOK_QUEUE
      ? new StreamingWorker(queue, runtime.receiver, handler, {
          concurrency: config.webhooks.concurrency,
          idleMs: 1_000,
          logger: deps.logger,
        })
      : new QueueWorker(queue, runtime.receiver, handler, { batchSize: BATCH[queue] ?? 32, idleMs: 1_000, logger: deps.logger }),
  );
  const jobTimers: NodeJS.Timeout[] = [];
  // The outbox relay: events → webhook delivery tasks. Polls while idle, loops while there is a backlog.
  let relayTimer: NodeJS.Timeout | null = null;
  let relayStopped = false;
  let relayRunning: Promise<void> = Promise.resolve();
  const relayTick = () => {
    relayRunning = relayOutbox(deps)
      .catch((err: Error) => {
        deps.logger.error('outbox relay failed', { error: err.message });
        return 0;
      })
      .then((n) => {
        if (!relayStopped) relayTimer = setTimeout(relayTick, n > 0 ? 0 : config.webhooks.relayIntervalMs);
      });
  };
  if (background) {
    relayTick();
    workers.forEach((w) => w.start());
    // The periodic jobs Azure runs as timer functions (the relay has its own faster loop above).
    for (const job of periodicJobs.filter((j) => j.name !== RELAY_JOB)) {
      const tick = () =>
        job
          .run(runtime)
          .then((n) => n && deps.logger.info('periodic job ran', { job: job.name, count: n }))
          .catch((err: Error) => deps.logger.error('periodic job failed', { job: job.name, error: err.message }));
      void tick();
      const timer = setInterval(tick, job.everyMs(config));
      timer.unref();
      jobTimers.push(timer);
    }
  }

  let closed = false;
  return {
    url: `${url}`,
    port,
    runtime,
    seed,
    async drain() {
      for (let round = 0; round < 1000; round++) {
        let taken = await relayAll(deps);
        for (const w of workers) taken += await w.runOnce();
        if (taken === 0) return;
      }
      throw new Error('queues did not drain in 1000 rounds');
    },
    async close() {
      if (closed) return;
      closed = true;
      jobTimers.forEach((t) => clearInterval(t));
      relayStopped = true;
      if (relayTimer) clearTimeout(relayTimer);
      await relayRunning;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await Promise.all(workers.map((w) => w.stop()));
      await runtime.close();
    },
  };
}
