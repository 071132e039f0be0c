import {
  QUEUE_OF,
  type LeasedTask,
  type SimulatorDlrTask,
  type SmsSendTask,
  type Task,
  type TaskQueue,
  type TaskReceiver,
} from '../../../shared/ports/taskQueue';
import { FakeClock } from '../../fixtures/fakeClock';

export interface TaskQueueUnderTest {
  queue: TaskQueue;
  receiver: TaskReceiver;
  /** The lease (lock) duration the adapter was opened with. */
  leaseMs: number;
  /** Deliveries without completion after which a task is dead-lettered. At least 3 for this suite. */
  maxAttempts: number;
  cleanup: () => Promise<void>;
}

export type OpenTaskQueue = (clock: FakeClock) => Promise<TaskQueueUnderTest>;

export const SMS = QUEUE_OF['sms.send.v1'];
export const DLR = QUEUE_OF['simulator.dlr.v1'];

export function keyOf(task: Task): string {
  if (task.type === 'sms.send.v1') return `sms:${task.messageId}`;
  if (task.type === 'simulator.dlr.v1') return `dlr:${task.carrierMessageId}`;
  if (task.type === 'campaign.batch.v1') return `campaign:${task.campaignId}:${task.batch}`;
  return `${task.type}:${task.eventId}`;
}

/** What a test of the contract works with: the adapter opened for it, on its own fake clock. */
export interface OpenedTaskQueue {
  clock: FakeClock;
  queue: TaskQueue;
  receiver: TaskReceiver;
  leaseMs: number;
  maxAttempts: number;
}

/** The adapter of the running test and the helpers every part of the contract shares. */
export interface TaskQueueHarness {
  readonly open: OpenTaskQueue;
  /** The adapter the suite's beforeEach opened for the running test. */
  current(): OpenedTaskQueue;
  /** Closes that adapter early, for a test that opens adapters of its own. */
  closeCurrent(): Promise<void>;
  sms(): SmsSendTask;
  dlr(): SimulatorDlrTask;
  expireLease(): void;
  /** Receives until a receive comes back empty (bounded, so a broken adapter cannot hang the suite). */
  receiveAll(q: string, r?: TaskReceiver): Promise<LeasedTask[]>;
  receiveOne(q: string): Promise<LeasedTask>;
}

/** Opens a fresh adapter on a fresh clock before each test of the enclosing describe, and closes it after. */
export function useTaskQueueUnderTest(open: OpenTaskQueue): TaskQueueHarness {
  let opened: OpenedTaskQueue | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  let counter = 0;

  beforeEach(async () => {
    const clock = new FakeClock();
    const sut = await open(clock);
    const { queue, receiver, leaseMs, maxAttempts } = sut;
    opened = { clock, queue, receiver, leaseMs, maxAttempts };
    cleanup = sut.cleanup;
    expect(leaseMs).toBeGreaterThan(2);
    expect(maxAttempts).toBeGreaterThanOrEqual(3);
  });

  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  const current = (): OpenedTaskQueue => {
    if (!opened) throw new Error('the adapter is opened in beforeEach: use it inside a test or hook');
    return opened;
  };

  const harness: TaskQueueHarness = {
    open,
    current,
    async closeCurrent() {
      await cleanup?.();
      cleanup = undefined;
    },
    sms: () => ({ type: 'sms.send.v1', accountId: 'acc_contract', messageId: `msg_${++counter}` }),
    dlr: () => ({ type: 'simulator.dlr.v1', carrierMessageId: `sim_${++counter}`, outcome: 'DELIVRD' }),
    expireLease: () => current().clock.advance(current().leaseMs + 1),
    async receiveAll(q, r = current().receiver) {
      const all: LeasedTask[] = [];
      for (let i = 0; i < 100; i += 1) {
        const batch = await r.receive(q, 10);
        if (batch.length === 0) return all;
        all.push(...batch);
      }
      throw new Error('receive never ran dry');
    },
    async receiveOne(q) {
      const batch = await current().receiver.receive(q, 10);
      expect(batch).toHaveLength(1);
      return batch[0] as LeasedTask;
    },
  };
  return harness;
}
