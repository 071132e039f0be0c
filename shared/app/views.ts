import type { AuditRecord } from '../domain/audit';
import type { Campaign } from '../domain/campaign';
import type { Contact, ContactGroup } from '../domain/contact';
import type { KeywordRule } from '../domain/keywordRule';
import { formatMinor } from '../domain/money';
import { monitorSettingsOf, monitorStateOf } from '../domain/monitors';
import type { OptOut } from '../domain/optOut';
import type { Account, ApiKey, DomainEvent, Message, SenderId, VirtualNumber } from '../domain/types';
import type { DeliveryAttempt, Subscription } from '../domain/webhooks';
import type { AppDeps } from './deps';

/*
 * The views (presenters): what the API shows of each record, in one place. Pure functions of the
 * records (and, for links, the settings); the use cases return them and the routes send them, so a
 * field added to a response is added here and in the response schema of the route.
 */

export function messageView(m: Message) {
  return {
    id: m.id,
    to: m.to,
    from: m.from,
    text: m.text,
    status: m.status,
    statusReason: m.statusReason,
    encoding: m.encoding,
    segments: m.segments,
    characters: m.characters,
    nonEnglishChars: m.nonEnglishChars,
    cost: m.cost,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    scheduledFor: m.scheduledFor,
    validUntil: m.validUntil ?? null,
    sentAt: m.sentAt,
    deliveredAt: m.deliveredAt,
    attempts: m.attempts,
    carrier: m.carrier,
    carrierMessageId: m.carrierMessageId,
    callbackUrl: m.callbackUrl,
    uniqueArgs: m.uniqueArgs,
    campaignId: m.campaignId ?? null,
    notifyOnDelivery: m.notifyOnDelivery ?? [],
    history: m.history,
  };
}

export function balanceView(account: Account) {
  return {
    credits: formatMinor(account.balance),
    currency: account.currency,
    lowBalanceThreshold: formatMinor(account.lowBalanceThreshold),
    isLow: account.balance < account.lowBalanceThreshold,
  };
}

export function accountView(account: Account) {
  return {
    id: account.id,
    name: account.name,
    scopes: account.scopes,
    currency: account.currency,
    balance: formatMinor(account.balance),
    lowBalanceThreshold: formatMinor(account.lowBalanceThreshold),
    defaultSenderId: account.defaultSenderId,
    defaultCountry: account.defaultCountry,
    retryPolicy: account.retryPolicy,
    validityPeriod: account.validityPeriod ?? null,
    notifyOnDelivery: account.notifyOnDelivery ?? false,
    defaultWebhookUrl: account.defaultWebhookUrl ?? null,
    monitors: monitorSettingsOf(account),
    monitorAlerts: monitorStateOf(account),
    messageRetentionDays: account.messageRetentionDays ?? null,
    createdAt: account.createdAt,
    updatedAt: account.updatedAt,
  };
}

/** What operators see of an account's carrier: the one named, or the default it falls back to. */
export function carrierView(deps: Pick<AppDeps, 'settings'>, account: Account): { carrier: string | null; effectiveCarrier: string } {
  return { carrier: account.carrier, effectiveCarrier: account.carrier ?? deps.settings.defaultCarrier };
}

export function senderIdView(s: SenderId) {
  return {
    id: s.id,
    value: s.value,
    kind: s.kind,
    status: s.status,
    purpose: s.purpose,
    reason: s.reason,
    createdAt: s.createdAt,
    decidedAt: s.decidedAt,
  };
}

export function virtualNumberView(v: VirtualNumber) {
  return { id: v.id, number: v.number, country: v.country, capabilities: v.capabilities, label: v.label, createdAt: v.createdAt };
}

export function optOutView(o: OptOut) {
  return { phone: o.phone, source: o.source, keyword: o.keyword, createdAt: o.createdAt };
}

/** A rule as the API shows it: everything but the account and the concurrency token. */
export type KeywordRuleView = Omit<KeywordRule, 'accountId' | 'etag'>;

export function keywordRuleView(r: KeywordRule): KeywordRuleView {
  return {
    id: r.id,
    keyword: r.keyword,
    matchType: r.matchType,
    virtualNumber: r.virtualNumber,
    reply: r.reply,
    active: r.active,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

export function campaignView(deps: AppDeps, account: Account, c: Campaign) {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    status: c.status,
    from: c.from,
    text: c.text,
    groupIds: c.groupIds,
    trigger: c.trigger,
    triggerUrl: c.kind === 'trigger' ? `${deps.settings.publicBaseUrl}/api/campaigns/${c.id}/trigger` : null,
    scheduledFor: c.scheduledFor,
    startedAt: c.startedAt,
    sendingFinishedAt: c.sendingFinishedAt,
    completedAt: c.completedAt,
    failedAt: c.failedAt,
    progress: {
      recipients: c.progress.recipients,
      accepted: c.progress.accepted,
      skipped: c.progress.skipped,
      skippedByReason: c.progress.skippedByReason ?? {},
      cost: formatMinor(c.progress.costMinor),
      currency: account.currency,
    },
    results: c.results,
    error: c.error,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export interface ContactView {
  id: string;
  phone: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  customFields: Record<string, string>;
  groups: { groupId: string; name: string }[];
  optedOut: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The contact's groups by name; the contact.* event payloads carry the same list. */
export function groupsOf(c: Contact, groups: ReadonlyMap<string, ContactGroup>): { groupId: string; name: string }[] {
  // A group deleted meanwhile leaves its id on members until they are cleaned up: not shown.
  return c.groupIds.flatMap((id) => {
    const g = groups.get(id);
    return g ? [{ groupId: id, name: g.name }] : [];
  });
}

export function contactView(c: Contact, groups: ReadonlyMap<string, ContactGroup>, isOptedOut: boolean): ContactView {
  return {
    id: c.id,
    phone: c.phone,
    firstName: c.firstName,
    lastName: c.lastName,
    email: c.email,
    customFields: c.customFields,
    groups: groupsOf(c, groups),
    optedOut: isOptedOut,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export interface GroupView {
  id: string;
  name: string;
  description: string | null;
  contactCount: number;
  createdAt: string;
  updatedAt: string;
}

export function groupView(g: ContactGroup, contactCount: number): GroupView {
  return { id: g.id, name: g.name, description: g.description, contactCount, createdAt: g.createdAt, updatedAt: g.updatedAt };
}

/** `trigger` is the slug of the subscription's event in the catalog (webhooks/catalog.ts), null for a type it no longer has. */
export function subscriptionView(s: Subscription, baseUrl: string, trigger: string | null) {
  return {
    id: s.id,
    eventType: s.eventType,
    trigger,
    callbackUrl: s.callbackUrl,
    filters: s.filters,
    status: s.status,
    disabledReason: s.disabledReason,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    health: { ...s.health, state: healthState(s) },
    links: { self: `${baseUrl}/api/hooks/${s.id}`, deliveries: `${baseUrl}/api/hooks/${s.id}/deliveries` },
  };
}

function healthState(s: Subscription): 'healthy' | 'failing' | 'disabled' | 'new' {
  if (s.status === 'disabled') return 'disabled';
  if (s.health.consecutiveFailures > 0) return 'failing';
  return s.health.lastAttemptAt ? 'healthy' : 'new';
}

export function deliveryView(a: DeliveryAttempt) {
  return {
    id: a.id,
    eventId: a.eventId,
    eventType: a.eventType,
    webhookId: a.webhookId,
    attempt: a.attempt,
    at: a.at,
    url: a.url,
    statusCode: a.statusCode,
    latencyMs: a.latencyMs,
    error: a.error,
    responseExcerpt: a.responseExcerpt,
    outcome: a.outcome,
    nextAttemptAt: a.nextAttemptAt,
  };
}

/** A stored event as GET /events lists it. */
export function eventView(e: DomainEvent) {
  return { id: e.id, type: e.type, occurredAt: e.occurredAt, data: e.data };
}

/** An API key as listed: never the secret nor its hash, only the first characters (prefix). */
export function apiKeyView(k: ApiKey) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    expiresAt: k.expiresAt,
  };
}

/** A key with its secret, shown once (creation, rotation); a rotation tells until when the old secret works. */
export function issuedApiKeyView(k: ApiKey, secret: string) {
  return { ...apiKeyView(k), key: secret, ...(k.previousValidUntil ? { previousKeyValidUntil: k.previousValidUntil } : {}) };
}

/** An audit record as both audit routes show it (all of it: it holds no secret). */
export function auditRecordView(r: AuditRecord) {
  return {
    id: r.id,
    at: r.at,
    accountId: r.accountId,
    keyId: r.keyId,
    operationId: r.operationId,
    method: r.method,
    resourceId: r.resourceId,
    sourceAddress: r.sourceAddress,
    status: r.status,
    requestId: r.requestId,
  };
}
