import type { BatchHandler, Logger, TaskReceiver } from '../ports';

export interface WorkerOptions {
  batchSize: number;
  /** Longest sleep when nothing is due; sends in this process wake the worker sooner. */
  idleMs: number;
  logger: Logger;
}

/** Pulls due tasks of one queue from the embedded queue and settles each by its handler's outcome. */
export class QueueWorker {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    readonly queue: string,
    private readonly receiver: TaskReceiver,
    private readonly handler: BatchHandler,
    private readonly options: WorkerOptions,
  ) {}

  /** Takes one batch of due tasks and settles it; resolves to how many were taken. */
  async runOnce(): Promise<number> {
    const batch = await this.receiver.receive(this.queue, this.options.batchSize);
    if (batch.length === 0) return 0;
    let outcomes: Awaited<ReturnType<BatchHandler>>;
    try {
      outcomes = await this.handler(batch.map((l) => ({ task: l.task, attempt: l.attempt })));
    } catch (err) {
      // A handler that throws for the whole batch: retry all of them later.
      outcomes = batch.map(() => ({ kind: 'retry' as const, delayMs: 1_000, reason: (err as Error).message }));
    }
    await Promise.all(
      batch.map((leased, i) => {
        const outcome = outcomes[i] ?? { kind: 'retry' as const, delayMs: 1_000, reason: 'no outcome' };
        return outcome.kind === 'done' ? this.receiver.complete(leased) : this.receiver.retry(leased, outcome.delayMs, outcome.reason);
      }),
    );
    return batch.length;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let taken = 0;
      try {
        taken = await this.runOnce();
      } catch (err) {
        this.options.logger.error('queue worker failed to take tasks', { queue: this.queue, error: (err as Error).message });
      }
      if (taken > 0 || !this.running) continue;
      const due = await this.receiver.nextDueInMs(this.queue).catch(() => null);
      await this.sleep(Math.min(due ?? this.options.idleMs, this.options.idleMs));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = () => {
        if (this.timer) clearTimeout(this.timer);
        this.wakeUp = null;
        resolve();
      };
      this.timer = setTimeout(() => this.wakeUp?.(), Math.max(1, ms));
    });
  }
}
