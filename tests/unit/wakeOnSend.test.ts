import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../shared/config/config';
import { createRuntime } from '../../shared/config/createRuntime';
import { wakeOnSend } from '../../shared/local/wakeOnSend';
import type { SendOptions, Task, TaskHandle, TaskQueue } from '../../shared/ports';
import { FakeClock } from '../fixtures/fakeClock';

function recordingQueue(): TaskQueue & { sent: Task[]; cancelled: TaskHandle[] } {
  const sent: Task[] = [];
  const cancelled: TaskHandle[] = [];
  return {
    sent,
    cancelled,
    async send(task: Task, _options?: SendOptions) {
      sent.push(task);
      return { queue: 'q', id: `h${sent.length}` };
    },
    async cancel(handle: TaskHandle) {
      cancelled.push(handle);
      return true;
    },
  };
}

describe('the embedded host wakes its workers itself', () => {
  test('an immediate send wakes the worker of its queue once it is stored; a delayed one does not', async () => {
    const inner = recordingQueue();
    const woken: string[] = [];
    const queue = wakeOnSend(inner, (name) => woken.push(`${name} after ${inner.sent.length}`));
    const handle = await queue.send({ type: 'sms.send.v1', accountId: 'a', messageId: 'm' });
    await queue.send({ type: 'campaign.batch.v1', accountId: 'a', campaignId: 'c', batch: 1 }, { delayMs: 0 });
    await queue.send({ type: 'sms.send.v1', accountId: 'a', messageId: 'm2' }, { delayMs: 5_000 });
    expect(woken).toEqual(['sms-send after 1', 'campaign-batch after 2']);
    expect(await queue.cancel(handle)).toBe(true);
    expect(inner.cancelled).toEqual([handle]);
  });

  test('the composition root sends through the queue view a host gives it, and knows nothing of wake-ups', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dfs-wake-'));
    const seen: Task['type'][] = [];
    const runtime = await createRuntime(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), {
      clock: new FakeClock(),
      wrapQueue: (queue) => ({
        send: (task, options) => (seen.push(task.type), queue.send(task, options)),
        cancel: (h) => queue.cancel(h),
      }),
    });
    try {
      await runtime.deps.queue.send({ type: 'sms.send.v1', accountId: 'a', messageId: 'm' });
      expect(seen).toEqual(['sms.send.v1']);
      expect('onTaskSent' in runtime).toBe(false);
    } finally {
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
