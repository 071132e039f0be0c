/**
 * Pacing across instances: two runtimes (as two Function App instances) over one Cosmos DB server
 * (in-process) and one Service Bus namespace (the broker-faithful fake) share each sender's slot
 * timeline, so their combined submits to the carrier stay within the limit in every second.
 */
import { InvocationContext } from '@azure/functions';
import { createQueueHandler } from '../../functions/queues';
import { createAccount } from '../../shared/app/accounts';
import { sendMessage } from '../../shared/app/sendMessage';
import { loadConfig } from '../../shared/config/config';
import { createRuntime } from '../../shared/config/createRuntime';
import type { Runtime } from '../../shared/config/runtime';
import type { Carrier } from '../../shared/ports/carrier';
import { QUEUE_OF } from '../../shared/ports/taskQueue';
import { FakeClock } from '../fixtures/fakeClock';
import { FakeServiceBus } from '../fixtures/fakeServiceBus';
import { EMULATOR_KEY, startInProcessCosmos, type InProcessCosmos } from '../fixtures/inProcessCosmos';
import { maxPerSecond } from '../fixtures/submitWindows';

const SMS = QUEUE_OF['sms.send.v1'];

describe('pacing across two instances (in-process Cosmos DB, fake Service Bus)', () => {
  let cosmos: InProcessCosmos;
  let clock: FakeClock;
  let bus: FakeServiceBus;
  let instances: Runtime[];
  const submits: { at: number; instance: number }[] = [];

  beforeAll(async () => {
    cosmos = await startInProcessCosmos();
    clock = new FakeClock(Date.parse('2026-03-01T12:00:00Z'));
    bus = new FakeServiceBus({
      clock,
      queues: Object.fromEntries(
        Object.values(QUEUE_OF).map((q) => [q, { lockDurationMs: 30_000, maxDeliveryCount: 3, requiresDuplicateDetection: true }]),
      ),
    });
    const config = loadConfig({
      STORAGE: 'cosmos',
      QUEUE: 'servicebus',
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: EMULATOR_KEY,
      COSMOS_DATABASE: `pacing-${Date.now()}`,
      SERVICEBUS_NAMESPACE: 'fake.servicebus.windows.net',
      ADMIN_API_KEY: 'dfs_test_admin_key',
      SIMULATOR_SECRET: 'simulator-secret-for-tests',
      PUBLIC_BASE_URL: 'http://127.0.0.1:9',
      QUEUE_MAX_ATTEMPTS: '3',
      LOG_LEVEL: 'silent',
    });
    instances = [];
    for (let i = 0; i < 2; i++) {
      const rt = await createRuntime(config, { clock, azureClients: { cosmos: cosmos.client, serviceBus: bus } });
      const simulator = rt.deps.carriers.get('simulator') as Carrier;
      const submit = simulator.submit.bind(simulator);
      jest.spyOn(simulator, 'submit').mockImplementation(async (req) => {
        submits.push({ at: clock.now(), instance: i });
        return submit(req);
      });
      instances.push(rt);
    }
  });
  afterAll(async () => {
    for (const rt of instances ?? []) await rt.close();
    await cosmos?.stop();
  });

  /** Each due send task goes to the instances in turn, as the broker spreads them over consumers. */
  let turn = 0;
  async function runDue(): Promise<void> {
    const receiver = bus.createReceiver(SMS);
    for (; ; turn++) {
      const [message] = await receiver.receiveMessages(1);
      if (!message) return;
      const handler = createQueueHandler(SMS, async () => instances[turn % 2]!);
      await handler(
        message.body,
        new InvocationContext({
          triggerMetadata: {
            deliveryCount: message.deliveryCount,
            applicationProperties: message.applicationProperties,
            messageId: message.messageId,
          },
        }),
      );
      await receiver.completeMessage(message);
    }
  }

  test('combined submits never exceed the sender limit in any one-second window', async () => {
    const [a, b] = instances as [Runtime, Runtime];
    const { account } = await createAccount(a.deps, { name: 'Paced', credits: '100.00', senderId: 'Shared', defaultCountry: 'US' });
    await a.deps.store.pacing.putLimit({
      scope: 'sender',
      key: 'Shared',
      messagesPerSecond: 5,
      updatedAt: new Date(clock.now()).toISOString(),
    });
    // Accepted on both instances alike.
    for (let i = 0; i < 30; i++) await sendMessage(i % 2 ? b.deps : a.deps, account, { to: `+1415555${1000 + i}`, text: `m${i}` }, null);
    for (let ms = 0; ms <= 8_000; ms += 10) {
      await runDue();
      clock.advance(10);
    }
    expect(submits).toHaveLength(30);
    // Both instances submitted: the limit held for their sum, not for each alone.
    expect(new Set(submits.map((s) => s.instance))).toEqual(new Set([0, 1]));
    expect(maxPerSecond(submits.map((s) => s.at))).toBeLessThanOrEqual(5);
    // 30 at 5/s: about 6 s from the first to the last (within the 2 % margin and the 10 ms steps).
    const span = Math.max(...submits.map((s) => s.at)) - Math.min(...submits.map((s) => s.at));
    expect(span).toBeGreaterThanOrEqual(5_800);
    expect(span).toBeLessThanOrEqual(6_300);
    const messages = await a.deps.store.messages.list(account.id, {}, { limit: 100 });
    expect(messages.items.every((m) => m.status === 'sent' && m.attempts === 1)).toBe(true);
  });
});
