import type { EventType } from '../domain/events';

/**
 * `x-ms-trigger-hint` of each trigger: what to do to see the flow run, shown in the designer's
 * test pane. Keyed by event type, so a new catalog entry fails the type check until it has one.
 */
export const TRIGGER_HINTS: Record<EventType, string> = {
  'sms.received': 'To see it work, send an SMS to one of your virtual numbers.',
  'sms.status_changed': 'To see it work, send an SMS with the Send an SMS action and wait for its delivery report.',
  'balance.low': 'To see it work, raise the low-balance threshold above your current credits and send an SMS.',
  'campaign.started': 'To see it work, start a campaign.',
  'campaign.completed': 'To see it work, run a small campaign to completion.',
  'campaign.failed': 'To see it work, start a campaign on an account without enough credits.',
  'contact.added': 'To see it work, add a contact to a group.',
  'contact.updated': 'To see it work, change a field of a contact.',
  'contact.deleted': 'To see it work, delete a contact.',
  'message.scheduled': 'To see it work, send an SMS with a Send at time in the future.',
  'message.cancelled': 'To see it work, schedule an SMS and cancel it with the Cancel a scheduled message action.',
  'keyword.matched': 'To see it work, text one of your keywords to your virtual number.',
  'auto_reply.sent': 'To see it work, text a message that an auto-reply rule answers to your virtual number.',
  'delivery_rate.low': 'To see it work, send messages that go undelivered until the delivery rate falls below its threshold.',
  'bounce_rate.high': 'To see it work, send messages to bouncing numbers until the bounce rate exceeds its limit.',
  'sender_id.approved': 'To see it work, request a sender ID and wait for the operator to approve it.',
  'sender_id.rejected': 'To see it work, request a sender ID that the operator rejects.',
};
