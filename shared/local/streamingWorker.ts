import type { BatchHandler, LeasedTask, Logger, TaskReceiver } from '../ports';

export interface StreamingWorkerOptions {
  /** Tasks in flight at once. */
  concurrency: number;
  /** Longest sleep when nothing is due; sends in this process wake the worker sooner. */
  idleMs: number;
  logger: Logger;
}

/**
 * A worker that keeps up to `concurrency` tasks in flight and settles each on its own, taking new
 * ones as slots free up. For webhook deliveries, where one slow endpoint (up to the 15 s timeout)
 * must not hold back a whole batch of deliveries to healthy ones, as a batch-at-a-time worker would.
 */
export class StreamingWorker {
  private running = false;
  private inFlight = 0;
  private wakeUp: (() => void) | null = null;
  private wokenEarly = false;
  private timer: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private readonly settling = new Set<Promise<void>>();

  constructor(
    readonly queue: string,
    private readonly receiver: TaskReceiver,
    private readonly handler: BatchHandler,
    private readonly options: StreamingWorkerOptions,
  ) {}

  /** Takes the tasks due now (up to the free slots) and waits for all of them; resolves to how many. */
  async runOnce(): Promise<number> {
    const taken = await this.take();
    await Promise.all([...this.settling]);
    return taken;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.wokenEarly = true; // between a take and the next sleep: do not miss it
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.all([...this.settling]);
  }

  private async take(): Promise<number> {
    const free = this.options.concurrency - this.inFlight;
    if (free <= 0) return 0;
    const leased = await this.receiver.receive(this.queue, free);
    for (const l of leased) this.track(this.settle(l));
    return leased.length;
  }

  private track(p: Promise<void>): void {
    this.inFlight++;
    this.settling.add(p);
    void p.finally(() => {
      this.inFlight--;
      this.settling.delete(p);
      this.wake();
    });
  }

  private async settle(leased: LeasedTask): Promise<void> {
    try {
      let outcome: Awaited<ReturnType<BatchHandler>>[number] | undefined;
      try {
        [outcome] = await this.handler([{ task: leased.task, attempt: leased.attempt }]);
      } catch (err) {
        outcome = { kind: 'retry' as const, delayMs: 1_000, reason: (err as Error).message };
      }
      outcome ??= { kind: 'retry' as const, delayMs: 1_000, reason: 'no outcome' };
      if (outcome.kind === 'done') await this.receiver.complete(leased);
      else await this.receiver.retry(leased, outcome.delayMs, outcome.reason);
    } catch (err) {
      // The lease runs out and the task is taken again: nothing is lost.
      this.options.logger.error('could not settle a task', { queue: this.queue, error: (err as Error).message });
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let taken = 0;
      try {
        taken = await this.take();
      } catch (err) {
        this.options.logger.error('queue worker failed to take tasks', { queue: this.queue, error: (err as Error).message });
      }
      if (!this.running) break;
      if (taken > 0 && this.inFlight < this.options.concurrency) continue;
      const due = this.inFlight >= this.options.concurrency ? null : await this.receiver.nextDueInMs(this.queue).catch(() => null);
      // Full: wait for a slot (settling wakes us). Idle: until the next task is due, or a send wakes us.
      await this.sleep(
        this.inFlight >= this.options.concurrency ? this.options.idleMs : Math.min(due ?? this.options.idleMs, this.options.idleMs),
      );
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.wokenEarly) {
      this.wokenEarly = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wakeUp = () => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.wakeUp = null;
        resolve();
      };
      this.timer = setTimeout(() => this.wakeUp?.(), Math.max(1, ms));
    });
  }
}
