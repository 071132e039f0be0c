import type { DomainEvent, Message, MessageStatus, StatusReason } from '../domain/types';

/**
 * The bodies the service POSTs. Subscriptions get the catalog envelope; the per-message callback
 * (seed 003) and the account default webhook (seed 002) keep the shapes those documents promise.
 */

/** Standard Webhooks envelope around an event (its schema: eventPayloadSchema in catalog.ts). */
export function eventEnvelope(event: DomainEvent) {
  return { id: event.id, type: event.type, timestamp: event.occurredAt, accountId: event.accountId, data: event.data };
}

/** The statuses a per-message callback reports, by the seed's event names. */
export function callbackEventOf(status: MessageStatus): 'sent' | 'delivered' | 'undelivered' | null {
  if (status === 'sent') return 'sent';
  if (status === 'delivered') return 'delivered';
  // A message that never reached the carrier is reported like one the carrier could not deliver.
  if (status === 'undelivered' || status === 'failed') return 'undelivered';
  return null;
}

/** Seed 003: `{id, uniqueArgs, event, partCount, reason?}` plus the time of the status change. */
export function messageCallbackBody(m: Message, status: MessageStatus, reason: StatusReason | null, timestamp: string): string | null {
  const event = callbackEventOf(status);
  if (!event) return null;
  return JSON.stringify({
    id: m.id,
    uniqueArgs: m.uniqueArgs ?? {},
    event,
    partCount: m.segments,
    ...(event === 'undelivered'
      ? { reason: reason ? { message: reason.message, code: reason.code } : { message: 'Unknown', code: 1409 } }
      : {}),
    timestamp,
  });
}

/**
 * Seed 002 stages: "sent" when the send completes (the carrier took the message, or it failed),
 * "delivery" when the delivery status arrives.
 */
export function notifyStageOf(status: MessageStatus): 'sent' | 'delivery' | null {
  if (status === 'sent' || status === 'failed') return 'sent';
  if (status === 'delivered' || status === 'undelivered') return 'delivery';
  return null;
}

/** Seed 002: `smsDetails[]` with the cost breakdown, nonEnglishChars, length, send and delivery times. */
export function notifyOnDeliveryBody(
  eventId: string,
  m: Message,
  status: MessageStatus,
  reason: StatusReason | null,
  timestamp: string,
): string | null {
  const stage = notifyStageOf(status);
  if (!stage) return null;
  return JSON.stringify({
    id: eventId,
    stage,
    smsDetails: [
      {
        id: m.id,
        attemptDetail: `${m.id}##${Math.max(1, m.attempts)}`,
        accountId: m.accountId,
        length: m.characters,
        cost: {
          currency: { currencyName: m.cost.currency },
          amount: m.cost.amount,
          unitPrice: m.cost.unitPrice,
          serviceChargeType: 'Unit',
          smsUnit: m.cost.segments,
        },
        nonEnglishChars: m.nonEnglishChars,
        smsType: m.encoding === 'UCS-2' ? 'UNICODE' : 'NORMAL',
        text: m.text,
        to: m.to,
        from: m.from,
        sendTime: m.sentAt ?? (status === 'sent' ? timestamp : null),
        deliveryStatus: status.toUpperCase(),
        deliveryTime: status === 'delivered' ? (m.deliveredAt ?? timestamp) : null,
        statusTime: timestamp,
        reason: reason ? { message: reason.message, code: reason.code } : null,
        uniqueArgs: m.uniqueArgs ?? {},
      },
    ],
  });
}
