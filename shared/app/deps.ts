import type { Pacer } from './pacing';
import type { PriceBook } from '../domain/pricing';
import { eventOf, type EventData, type EventType } from '../domain/events';
import type { DomainEvent } from '../domain/types';
import type { TaskReceiver } from '../ports/taskQueue';
import type { CarrierRegistry, Clock, DataStore, IdGenerator, Logger, OutboundUrlPolicy, TaskQueue } from '../ports';

export interface MessagingSettings {
  /** One price table per currency; an account is charged from its own currency's table. */
  prices: PriceBook;
  defaultCarrier: string;
  /** Absolute base URL carriers call back (e.g. https://sms.example.com); routes add /api/... */
  publicBaseUrl: string;
  minScheduleAheadMs: number;
  maxScheduleAheadMs: number;
  /** Queued messages untouched this long are re-enqueued by the reconciler. */
  staleAfterMs: number;
  /** Contacts per bulk campaign batch task. */
  campaignBatchSize: number;
  /** After this long past the end of sending, a campaign completes even with messages awaiting reports. */
  campaignCompletionTimeoutMs: number;
}

/** Everything a use case may touch, injected by the composition root. */
export interface AppDeps {
  store: DataStore;
  queue: TaskQueue;
  carriers: CarrierRegistry;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  settings: MessagingSettings;
  webhooks: WebhookSettings;
  /** Keys the hash an erased number's opt-out is kept under (optOuts.optOutKeyOf). */
  privacy: { hashSecret: string };
  /** Per-sender send pacing, shared across instances through the store. */
  pacer: Pacer;
  /** The queue's dead-letter side, for the operator routes that list and re-queue tasks. */
  deadLetters: Pick<TaskReceiver, 'deadLettered' | 'requeueDeadLettered'>;
}

/** What the webhook use cases need beyond the stores and the queue. */
export interface WebhookSettings {
  /** Validates callback URLs before they are stored (and the HTTP client again on connect). */
  urlPolicy: OutboundUrlPolicy;
}

export function nowIso(deps: Pick<AppDeps, 'clock'>): string {
  return new Date(deps.clock.now()).toISOString();
}

/** A new event of `type`, its data checked against the type's declared schema (domain/events.ts). */
export function makeEvent<T extends EventType>(
  deps: Pick<AppDeps, 'clock' | 'ids'>,
  type: T,
  accountId: string,
  data: EventData<T>,
): DomainEvent {
  return eventOf({ id: deps.ids.next('evt'), type, occurredAt: nowIso(deps), accountId, data });
}
