import type { DomainEvent, Message, SenderId, StatusReason } from './types';

/**
 * Event type names: one per webhook trigger of the product. The webhook engine's catalog attaches
 * titles and payload schemas to these; this module only names them and builds the payloads of the
 * events this code emits.
 */
export const EVENT_TYPES = {
  smsReceived: 'sms.received',
  smsStatusChanged: 'sms.status_changed',
  balanceLow: 'balance.low',
  campaignStarted: 'campaign.started',
  campaignCompleted: 'campaign.completed',
  campaignFailed: 'campaign.failed',
  contactAdded: 'contact.added',
  contactUpdated: 'contact.updated',
  contactDeleted: 'contact.deleted',
  messageScheduled: 'message.scheduled',
  messageCancelled: 'message.cancelled',
  keywordMatched: 'keyword.matched',
  autoReplySent: 'auto_reply.sent',
  deliveryRateLow: 'delivery_rate.low',
  bounceRateHigh: 'bounce_rate.high',
  senderIdApproved: 'sender_id.approved',
  senderIdRejected: 'sender_id.rejected',
} as const;

export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

export type EventFactory = (type: EventType, accountId: string, data: Record<string, unknown>) => DomainEvent;

export function statusChangedData(m: Message, previousStatus: string, reason: StatusReason | null): Record<string, unknown> {
  return {
    messageId: m.id,
    status: m.status,
    previousStatus,
    recipient: m.to,
    from: m.from,
    timestamp: m.updatedAt,
    reason,
    segments: m.segments,
    carrierMessageId: m.carrierMessageId,
    uniqueArgs: m.uniqueArgs,
  };
}

export function scheduledData(m: Message): Record<string, unknown> {
  return {
    messageId: m.id,
    scheduledFor: m.scheduledFor,
    recipient: m.to,
    from: m.from,
    text: m.text,
    segments: m.segments,
    cost: m.cost,
    createdAt: m.createdAt,
  };
}

export function cancelledData(m: Message, reason: string): Record<string, unknown> {
  return {
    messageId: m.id,
    reason,
    originalSchedule: m.scheduledFor,
    recipient: m.to,
    from: m.from,
    cancelledAt: m.updatedAt,
    refund: m.cost,
  };
}

export function senderIdDecisionData(s: SenderId): Record<string, unknown> {
  return {
    senderId: s.id,
    value: s.value,
    kind: s.kind,
    status: s.status,
    decidedAt: s.decidedAt,
    reason: s.reason,
    ...(s.status === 'approved'
      ? { restrictions: s.kind === 'alphanumeric' ? 'One-way: recipients cannot reply to an alphanumeric sender ID.' : null }
      : { resubmission: 'Fix the reason given and request the sender ID again with POST /api/sender-ids.' }),
  };
}

/** Balance-low fires once per downward crossing of the threshold. */
export function crossesBelow(before: bigint, after: bigint, threshold: bigint): boolean {
  return before >= threshold && after < threshold;
}
