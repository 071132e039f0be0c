import type { InvocationContext, Timer } from '@azure/functions';
import type { PeriodicJob } from '../shared/config/periodicJobs';
import type { RuntimeProvider } from './runtimeProvider';

/** A timer trigger running one periodic job; a failure is logged and the next tick tries again. */
export function createTimerHandler(
  job: PeriodicJob,
  runtime: RuntimeProvider,
): (timer: Timer, context: InvocationContext) => Promise<void> {
  return async (timer) => {
    const rt = await runtime();
    const count = await job.run(rt);
    if (count > 0 || timer.isPastDue) rt.deps.logger.info('periodic job ran', { job: job.name, count, pastDue: timer.isPastDue });
  };
}
