import type { PriceTable } from '../domain/pricing';
import type { EventType } from '../domain/events';
import type { DomainEvent } from '../domain/types';
import type { CarrierRegistry, Clock, DataStore, IdGenerator, Logger, TaskQueue } from '../ports';

export interface MessagingSettings {
  prices: PriceTable;
  defaultCarrier: string;
  /** Absolute base URL carriers call back (e.g. https://sms.example.com); routes add /api/... */
  publicBaseUrl: string;
  minScheduleAheadMs: number;
  maxScheduleAheadMs: number;
  /** Queued messages untouched this long are re-enqueued by the reconciler. */
  staleAfterMs: number;
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
}

export function nowIso(deps: Pick<AppDeps, 'clock'>): string {
  return new Date(deps.clock.now()).toISOString();
}

export function makeEvent(deps: Pick<AppDeps, 'clock' | 'ids'>, type: EventType, accountId: string, data: Record<string, unknown>): DomainEvent {
  return { id: deps.ids.next('evt'), type, occurredAt: nowIso(deps), accountId, data };
}
