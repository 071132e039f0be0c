import type { WebhookTarget } from '../domain/webhooks';

/**
 * Task queue port. Tasks are versioned tagged unions delivered at least once, so every handler
 * must be idempotent. Embedded: a SQLite table with leases. Azure: one Service Bus queue per type.
 */

export interface SmsSendTask {
  type: 'sms.send.v1';
  accountId: string;
  messageId: string;
  /** The pacing slot (epoch ms) reserved for this delivery; absent on a first delivery. */
  slotAt?: number;
}

export interface SimulatorDlrTask {
  type: 'simulator.dlr.v1';
  carrierMessageId: string;
  /** Simulator's own status vocabulary; mapped by the simulator adapter on the way back in. */
  outcome: string;
}

/**
 * One attempt of one webhook delivery. A failed attempt completes its task and sends the next one
 * delayed by the retry schedule (dedupe id per attempt), so the schedule does not depend on the
 * queue's own redelivery limit and a host killed between attempts finds the next one stored.
 */
export interface WebhookDeliverTask {
  type: 'webhook.deliver.v1';
  accountId: string;
  eventId: string;
  target: WebhookTarget;
  /** 1 for the first attempt. */
  attempt: number;
  /**
   * The exact body to send, fixed when the delivery was created (per-message and account callbacks,
   * whose payload is built from the message at that time); subscription deliveries rebuild it
   * from the stored event, which gives the same bytes.
   */
  body?: string;
}

/**
 * One batch of a bulk campaign: sends to the next contacts after the campaign's cursor, saves the
 * cursor, then sends the task of the next batch (dedupe id campaign + batch number).
 */
export interface CampaignBatchTask {
  type: 'campaign.batch.v1';
  accountId: string;
  campaignId: string;
  /** The campaign's `batches` count when the task was sent; a stale task (lower) is dropped. */
  batch: number;
}

export type Task = SmsSendTask | SimulatorDlrTask | WebhookDeliverTask | CampaignBatchTask;
export type TaskType = Task['type'];

/** Queue name per task type: one Service Bus queue each, one logical queue in SQLite. */
export const QUEUE_OF: Record<TaskType, string> = {
  'sms.send.v1': 'sms-send',
  'simulator.dlr.v1': 'simulator-dlr',
  'webhook.deliver.v1': 'webhook-deliver',
  'campaign.batch.v1': 'campaign-batch',
};

/** Every queue name, each once: the queues Service Bus must have, the triggers, the operator routes. */
export const QUEUE_NAMES: readonly string[] = [...new Set(Object.values(QUEUE_OF))];

export interface SendOptions {
  /** Deliver no earlier than this many ms from now. */
  delayMs?: number;
  /** Tasks sharing a dedupe id while one is pending are sent once. */
  dedupeId?: string;
}

/** Identifies a sent task so a delayed one can be cancelled. Serialisable (stored on records). */
export interface TaskHandle {
  queue: string;
  id: string;
}

export interface TaskQueue {
  send(task: Task, options?: SendOptions): Promise<TaskHandle>;
  /** Cancels a task not yet delivered. Resolves false when it is already gone or under way. */
  cancel(handle: TaskHandle): Promise<boolean>;
}

/** A task leased to a worker. */
export interface LeasedTask {
  task: Task;
  /** 1 on the first delivery. */
  attempt: number;
  handle: TaskHandle;
  /** Opaque lease token the receiver needs back. */
  lockToken: string;
}

/** Pull side, used by the embedded workers (Azure Functions receive through triggers instead). */
export interface TaskReceiver {
  receive(queue: string, max: number): Promise<LeasedTask[]>;
  complete(leased: LeasedTask): Promise<void>;
  /** Puts the task back to be delivered again after `delayMs`. */
  retry(leased: LeasedTask, delayMs: number, reason: string): Promise<void>;
  deadLetter(leased: LeasedTask, reason: string): Promise<void>;
  /** Milliseconds until the next task of the queue becomes due, or null when none is waiting. */
  nextDueInMs(queue: string): Promise<number | null>;
  /** Dead-lettered tasks of a queue, oldest first. */
  deadLettered(queue: string, limit: number): Promise<DeadLetteredTask[]>;
  /** Sends a dead-lettered task again as a fresh task (attempt 1); false when no such task. */
  requeueDeadLettered(queue: string, id: string): Promise<boolean>;
}

export interface DeadLetteredTask {
  id: string;
  queue: string;
  task: Task;
  attempts: number;
  reason: string;
  deadLetteredAt: string;
}

export type TaskOutcome = { kind: 'done' } | { kind: 'retry'; delayMs: number; reason: string };

export interface TaskEnvelope {
  task: Task;
  /** 1 on the first delivery. */
  attempt: number;
}

/**
 * Handles a batch of tasks of one queue and returns one outcome per task, in order. The embedded
 * workers and the Azure queue triggers both drive these.
 */
export type BatchHandler = (batch: TaskEnvelope[]) => Promise<TaskOutcome[]>;
