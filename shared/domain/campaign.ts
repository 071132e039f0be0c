/**
 * Campaigns. `bulk`: one message per contact of the chosen groups, sent in batches through the
 * campaign queue (seed 000 Campaign Started / Completed / Failed). `trigger` (seed 004): one message
 * per API call to the campaign, built from the call's payload through an attribute mapping; it
 * accepts calls only while `active`.
 *
 * Bulk lifecycle: draft -> (scheduled ->) sending -> sent -> completed, or -> failed / cancelled.
 * `sent`: every recipient's message is accepted; `completed` once their statuses are final (or the
 * completion timeout passed). Trigger lifecycle: paused <-> active.
 */
export type CampaignKind = 'bulk' | 'trigger';

/** Every campaign status, in the order the API documents them (schemas' enums read this list). */
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'sent', 'completed', 'failed', 'cancelled', 'active', 'paused'] as const;

export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export type AttributeType = 'string' | 'number' | 'boolean';

/** Maps one field of a trigger call's payload (a dot path, e.g. order.id) to a template variable. */
export interface AttributeMapping {
  name: string;
  field: string;
  type: AttributeType;
  required: boolean;
}

export interface TriggerMapping {
  /** Dot path of the payload field holding the recipient's phone number (E.164). */
  phoneField: string;
  attributes: AttributeMapping[];
}

/** Running totals of a bulk campaign's sending, saved with its cursor after every batch. */
export interface CampaignProgress {
  /** Contacts in the campaign's groups when it started. */
  recipients: number;
  /** Messages accepted (charged and queued). */
  accepted: number;
  /** Contacts not sent to: opted out, or a phone number the platform refuses. */
  skipped: number;
  /** What the accepted messages were charged, in minor units (stored as an integer string). */
  costMinor: bigint;
  /** The skipped contacts counted by reason code (absent on campaigns saved before reasons were kept). */
  skippedByReason?: Record<string, number>;
}

/** Skipped recipients a campaign lists one by one (its export shows them); the counts stay exact beyond. */
export const CAMPAIGN_SKIPS_LISTED = 1000;

/** A contact a bulk campaign did not send to, and why. */
export interface CampaignSkip {
  contactId: string;
  phone: string;
  /** recipient_opted_out, validation_failed, text_too_long or empty_message. */
  code: string;
  reason: string;
}

/** Final statuses of the campaign's messages, counted when it completes. */
export interface CampaignResults {
  sent: number;
  delivered: number;
  undelivered: number;
  failed: number;
  cancelled: number;
}

export interface Campaign {
  id: string;
  accountId: string;
  name: string;
  kind: CampaignKind;
  status: CampaignStatus;
  /** Sender ID value; null: the account's default sender. */
  from: string | null;
  /** Message template: {{variable}} or {{variable|fallback}}. */
  text: string;
  /** Bulk: the groups sent to. Empty for trigger campaigns. */
  groupIds: string[];
  /** Trigger: how a call's payload maps to the recipient and the template variables. */
  trigger: TriggerMapping | null;
  scheduledFor: string | null;
  startedAt: string | null;
  /** When the last recipient's message was accepted (status `sent`). */
  sendingFinishedAt: string | null;
  completedAt: string | null;
  failedAt: string | null;
  /** Bulk: id of the last contact handled; the next batch starts after it. */
  cursor: string | null;
  /** Bulk: batches handled so far (also the dedupe key of the next batch task). */
  batches: number;
  progress: CampaignProgress;
  /** Bulk: the first CAMPAIGN_SKIPS_LISTED skipped contacts, in the order they were handled. */
  skips?: CampaignSkip[];
  results: CampaignResults | null;
  /** Why a campaign failed (e.g. insufficient_credits); null otherwise. */
  error: CampaignError | null;
  /** Internal: the queued task of a scheduled campaign, so cancelling drops it too. */
  taskRef: { queue: string; id: string } | null;
  createdAt: string;
  updatedAt: string;
  etag?: string;
}

export interface CampaignError {
  code: string;
  message: string;
}
