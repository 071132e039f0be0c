/** The Service Bus adapter against a real namespace: opt-in, skipped unless one is configured. */
import { createServiceBusTaskQueue, type ServiceBusTaskQueue } from '../../shared/adapters/servicebus/serviceBusTaskQueue';
import { serviceBusClientFromConfig } from '../../shared/adapters/servicebus/client';
import { systemClock } from '../../shared/ports/clock';
import { QUEUE_OF, type LeasedTask, type SmsSendTask, type Task } from '../../shared/ports/taskQueue';
import { SMS } from './serviceBusSetup';

const connectionString = process.env.SERVICEBUS_CONNECTION_STRING;
const namespace = process.env.SERVICEBUS_NAMESPACE;
const realEnabled = Boolean(connectionString || namespace);
const describeReal = realEnabled ? describe : describe.skip;
if (!realEnabled) {
  console.info(
    'Skipped "Service Bus adapter against a real namespace": neither SERVICEBUS_CONNECTION_STRING nor ' +
      'SERVICEBUS_NAMESPACE is set. To run it, point one of them at a disposable namespace whose queues ' +
      `(${Object.values(QUEUE_OF).join(', ')}, optionally prefixed by SERVICEBUS_QUEUE_PREFIX) have duplicate ` +
      'detection on, and set SERVICEBUS_MAX_DELIVERY_COUNT to their maxDeliveryCount (default 10).',
  );
}

describeReal('Service Bus adapter against a real namespace', () => {
  const prefix = process.env.SERVICEBUS_QUEUE_PREFIX ?? '';
  const run = `run_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  let n = 0;
  const mine = (): SmsSendTask => ({ type: 'sms.send.v1', accountId: run, messageId: `msg_${++n}` });
  const isMine = (task: Task): boolean => task.type === 'sms.send.v1' && task.accountId === run;
  let client: ReturnType<typeof serviceBusClientFromConfig>;
  let adapter: ServiceBusTaskQueue;

  beforeAll(() => {
    client = serviceBusClientFromConfig(connectionString ? { connectionString } : { fullyQualifiedNamespace: namespace as string });
    adapter = createServiceBusTaskQueue({
      client,
      clock: systemClock,
      maxAttempts: Number(process.env.SERVICEBUS_MAX_DELIVERY_COUNT ?? 10),
      entityName: (queue) => `${prefix}${queue}`,
      receiveWaitMs: 5_000,
    });
  });

  afterAll(async () => {
    await adapter?.close();
    await client?.close();
  });

  /** Receives this run's tasks for `forMs`. Other messages are left to their lock expiry. */
  async function receiveMine(forMs: number, until?: (got: LeasedTask[]) => boolean): Promise<LeasedTask[]> {
    const got: LeasedTask[] = [];
    const deadline = Date.now() + forMs;
    while (Date.now() < deadline) {
      for (const leased of await adapter.receive(SMS, 10)) if (isMine(leased.task)) got.push(leased);
      if (until?.(got)) break;
    }
    return got;
  }

  it('sends, receives with attempt 1, completes; a completed handle no longer cancels', async () => {
    const task = mine();
    const handle = await adapter.send(task);
    const [leased] = await receiveMine(60_000, (g) => g.length > 0);
    expect(leased?.task).toStrictEqual(task);
    expect(leased?.attempt).toBe(1);
    await adapter.complete(leased as LeasedTask);
    expect(await adapter.cancel(handle)).toBe(false);
  }, 90_000);

  it('cancels a scheduled send once', async () => {
    const handle = await adapter.send(mine(), { delayMs: 5 * 60_000 });
    expect(await adapter.cancel(handle)).toBe(true);
    expect(await adapter.cancel(handle)).toBe(false);
  }, 30_000);

  it('dedupes sends sharing a dedupe id', async () => {
    await adapter.send(mine(), { dedupeId: `${run}-dedupe` });
    await adapter.send(mine(), { dedupeId: `${run}-dedupe` });
    const got = await receiveMine(15_000);
    expect(got).toHaveLength(1);
    for (const leased of got) await adapter.complete(leased);
  }, 60_000);

  it('retries with attempt 2 after the delay', async () => {
    await adapter.send(mine());
    const [first] = await receiveMine(60_000, (g) => g.length > 0);
    const retriedAt = Date.now();
    await adapter.retry(first as LeasedTask, 2_000, 'smoke test');
    const [again] = await receiveMine(60_000, (g) => g.length > 0);
    expect(again?.attempt).toBe(2);
    expect(Date.now() - retriedAt).toBeGreaterThanOrEqual(1_500);
    await adapter.complete(again as LeasedTask);
  }, 150_000);

  it('dead-letters, lists, and requeues with attempt 1', async () => {
    const task = mine();
    await adapter.send(task);
    const [leased] = await receiveMine(60_000, (g) => g.length > 0);
    await adapter.deadLetter(leased as LeasedTask, 'smoke test');
    const entry = (await adapter.deadLettered(SMS, 1_000)).find((d) => isMine(d.task));
    expect(entry).toMatchObject({ task, attempts: 1, reason: 'smoke test' });
    expect(await adapter.requeueDeadLettered(SMS, (entry as { id: string }).id)).toBe(true);
    const [again] = await receiveMine(60_000, (g) => g.length > 0);
    expect(again?.attempt).toBe(1);
    await adapter.complete(again as LeasedTask);
  }, 180_000);
});
