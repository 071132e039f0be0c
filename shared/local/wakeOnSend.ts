import { QUEUE_OF, type TaskQueue } from '../ports';

/**
 * The queue as the embedded host's use cases see it: an immediate send wakes the idle worker of
 * that queue at once instead of at its next poll (a delayed one is picked up when due). Azure
 * Functions needs no such thing: Service Bus pushes to the triggers.
 */
export function wakeOnSend(queue: TaskQueue, wake: (queueName: string) => void): TaskQueue {
  return {
    async send(task, options) {
      const handle = await queue.send(task, options);
      if (!options?.delayMs) wake(QUEUE_OF[task.type]);
      return handle;
    },
    cancel: (handle) => queue.cancel(handle),
  };
}
