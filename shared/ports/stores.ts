import type { Campaign, CampaignKind, CampaignStatus } from '../domain/campaign';
import type { Contact, ContactGroup } from '../domain/contact';
import type { OptOut } from '../domain/optOut';
import type { KeywordRule } from '../domain/keywordRule';
import type { PacingStore } from './pacingStore';
import type { AuditOutcome, AuditRecord } from '../domain/audit';
import type { Account, DomainEvent, Message, MessageStatus, SenderId, SenderIdStatus, VirtualNumber } from '../domain/types';
import { costMinorOf } from '../domain/money';
import type { DeliveryAttempt, Subscription } from '../domain/webhooks';
import type { ApiKeyStore } from './apiKeyStore';
import type { PrivacyStore } from './privacyStore';

export { ERASURE_PAGE, type PrivacyStore } from './privacyStore';
export type { ApiKeyStore } from './apiKeyStore';

/**
 * Storage ports, one repository per aggregate. Every read and write of tenant data takes the
 * account id, so isolation holds by construction; the few cross-tenant look-ups that carriers need
 * (by API-key hash, by carrier message id) say so in their names.
 *
 * Expected failures are thrown as the typed errors below so use cases can map them to HTTP codes.
 */

export class ConcurrencyError extends Error {
  readonly code = 'concurrency_conflict';
  constructor(what: string) {
    super(`${what} was changed concurrently`);
  }
}

export class InsufficientCreditsError extends Error {
  readonly code = 'insufficient_credits';
  constructor(
    readonly balance: bigint,
    readonly required: bigint,
  ) {
    super('insufficient credits');
  }
}

/** A credit refused because the balance would pass MAX_BALANCE_MINOR (domain/money). */
export class BalanceLimitError extends Error {
  readonly code = 'balance_limit_exceeded';
  constructor(
    readonly balance: bigint,
    readonly amount: bigint,
  ) {
    super('balance limit exceeded');
  }
}

export class DuplicateError extends Error {
  readonly code = 'duplicate';
  constructor(what: string) {
    super(`${what} already exists`);
  }
}

export class InvalidContinuationTokenError extends Error {
  readonly code = 'invalid_continuation_token';
  constructor() {
    super('continuationToken is not one this API issued');
  }
}

export interface Page<T> {
  items: T[];
  /** Opaque token for the next page; null on the last page. */
  continuationToken: string | null;
}

export interface PageRequest {
  limit: number;
  continuationToken?: string;
}

export interface BalanceChange {
  before: bigint;
  after: bigint;
}

export interface AccountStore {
  create(account: Account): Promise<Account>;
  get(accountId: string): Promise<Account | null>;
  /** Cross-tenant by nature: authentication finds the account a key belongs to. */
  findByApiKeyHash(apiKeyHash: string): Promise<Account | null>;
  /**
   * Replaces the record when its etag still matches (ConcurrencyError otherwise) and appends the
   * events in the same unit of work (the monitors' alert state and its event).
   */
  update(account: Account, events?: DomainEvent[]): Promise<Account>;
  /**
   * Adds `amount` (negative deducts) in one unit of work, guarded against concurrent writes. Refuses,
   * writing nothing: with InsufficientCreditsError a deduction that would leave the balance below
   * zero unless `allowNegative`; with BalanceLimitError a credit that would take it past
   * MAX_BALANCE_MINOR. Throws for an unknown account (callers read it first).
   */
  credit(accountId: string, amount: bigint, allowNegative?: boolean): Promise<BalanceChange>;
  list(page: PageRequest): Promise<Page<Account>>;
}

export interface MessageFilter {
  status?: MessageStatus;
  to?: string;
  from?: string;
  /** Inclusive lower bound on createdAt (ISO). */
  since?: string;
  /** Exclusive upper bound on createdAt (ISO). */
  until?: string;
  /** Only messages a campaign sent. */
  campaignId?: string;
}

/** How many of the matching messages are in each status (every status present, zeros included). */
export type MessageStatusCounts = Record<MessageStatus, number>;

export interface AcceptOutcome {
  message: Message;
  balance: BalanceChange;
  /** True when an earlier request with the same idempotency key already created this message. */
  replayed: boolean;
}

/**
 * The most messages one `acceptMany` takes. Cosmos DB writes a chunk as one transactional batch of
 * at most 100 operations: the account replace, two per message (the message and its idempotency
 * marker) and the events, so 40 messages leave room for MAX_ACCEPT_MANY_EVENTS events.
 */
export const MAX_ACCEPT_MANY = 40;

/** The most events one `acceptMany` may raise (100 - 1 - 2 × MAX_ACCEPT_MANY). */
export const MAX_ACCEPT_MANY_EVENTS = 19;

export interface AcceptManyOutcome {
  /** One per message, in the order given. */
  results: AcceptOutcome[];
  /** The balance change of the whole chunk (before = after when every message was replayed). */
  balance: BalanceChange;
}

/**
 * What `acceptMany` debits for each message (parseDecimal of its cost, in minor units), after
 * checking the call: 1 to MAX_ACCEPT_MANY messages of one account, each with an idempotency key
 * (RangeError or TypeError otherwise, before anything is read or written). Shared by the adapters
 * so they refuse the same calls.
 */
export function acceptManyDebits(messages: readonly Message[]): bigint[] {
  if (messages.length === 0 || messages.length > MAX_ACCEPT_MANY) {
    throw new RangeError(`acceptMany takes 1 to ${MAX_ACCEPT_MANY} messages, got ${messages.length}`);
  }
  const accountId = messages[0]!.accountId;
  return messages.map((m) => {
    if (m.accountId !== accountId)
      throw new TypeError(`acceptMany takes messages of one account: ${m.id} belongs to ${m.accountId}, not ${accountId}`);
    if (!m.idempotencyKey) throw new TypeError(`acceptMany needs an idempotency key on every message: ${m.id} has none`);
    const debit = costMinorOf(m.cost.amount);
    if (debit < 0n) throw new RangeError(`message ${m.id} costs ${JSON.stringify(m.cost.amount)}, not a non-negative amount`);
    return debit;
  });
}

/** Checks the events an `acceptMany` raised against MAX_ACCEPT_MANY_EVENTS (RangeError, nothing written). */
export function checkAcceptManyEvents(events: DomainEvent[]): DomainEvent[] {
  if (events.length > MAX_ACCEPT_MANY_EVENTS)
    throw new RangeError(`acceptMany raises at most ${MAX_ACCEPT_MANY_EVENTS} events, got ${events.length}`);
  return events;
}

export interface TransitionOutcome {
  message: Message;
  /** Present when the transition refunded credits. */
  balance?: BalanceChange;
}

export interface MessageStore {
  /**
   * One unit of work: when `message.idempotencyKey` matches an earlier message of the account,
   * returns that one (replayed). Otherwise debits `message.cost` from the account (throws
   * InsufficientCreditsError without writing anything when the balance is short), inserts the
   * message, and appends `events(balance)` to the outbox.
   */
  accept(message: Message, debit: bigint, events: (balance: BalanceChange) => DomainEvent[]): Promise<AcceptOutcome>;
  /**
   * `accept` for a chunk of one account's messages (bulk sending), in one unit of work. Every
   * message carries an idempotency key: one matching an earlier message of the account (or an
   * earlier message of this chunk) comes back `replayed` with that message, neither inserted nor
   * charged. The others are inserted and the sum of their costs (`cost.amount`) is debited once,
   * with `events(balance)` appended (at most MAX_ACCEPT_MANY_EVENTS); InsufficientCreditsError,
   * nothing written, when the balance cannot pay for all of them. A chunk that inserts nothing
   * writes nothing (no events either). Each inserted message's result carries the chunk's balance
   * change; a replayed one's is `{ before: after, after }` with the balance after the chunk. Takes 1
   * to MAX_ACCEPT_MANY messages (see acceptManyDebits for what is refused).
   */
  acceptMany(messages: Message[], events: (balance: BalanceChange) => DomainEvent[]): Promise<AcceptManyOutcome>;
  get(accountId: string, messageId: string): Promise<Message | null>;
  /** Cross-tenant by nature: carriers report by their own message id. */
  findByCarrierMessageId(carrier: string, carrierMessageId: string): Promise<Message | null>;
  /**
   * One unit of work: stores what a status change may change (status, reason, times, attempts,
   * carrier and its id, history, task, notifications) when its etag still matches (ConcurrencyError
   * otherwise), credits `refund` back to the account when it is above zero, and appends the events.
   * What was fixed at accept (to, from, text, cost, callback, arguments, keys) is not rewritten.
   */
  transition(next: Message, refund: bigint, events: (balance: BalanceChange | undefined) => DomainEvent[]): Promise<TransitionOutcome>;
  /** Newest first. */
  list(accountId: string, filter: MessageFilter, page: PageRequest): Promise<Page<Message>>;
  /** Counts the account's messages matching the filter by status (campaign results). */
  countByStatus(accountId: string, filter: MessageFilter): Promise<MessageStatusCounts>;
  /**
   * Across accounts, for the reconciler that re-enqueues work a crash may have dropped between
   * storing and enqueuing: `queued` messages whose updatedAt is before `olderThan` (ISO), or
   * `scheduled` messages whose scheduledFor is before `olderThan`. Oldest first.
   */
  listStale(status: 'queued' | 'scheduled', olderThan: string, limit: number): Promise<Message[]>;
}

export interface SenderIdStore {
  create(senderId: SenderId): Promise<SenderId>;
  get(accountId: string, id: string): Promise<SenderId | null>;
  /** Cross-tenant: operators approve and reject by id. */
  getForAdmin(id: string): Promise<SenderId | null>;
  findByValue(accountId: string, value: string): Promise<SenderId | null>;
  list(accountId: string, status?: SenderIdStatus): Promise<SenderId[]>;
  /** Replaces when the etag matches and appends the events in the same unit of work. */
  update(senderId: SenderId, events: DomainEvent[]): Promise<SenderId>;
}

export interface VirtualNumberStore {
  /** Throws DuplicateError when the number is assigned already (to any account). */
  create(vn: VirtualNumber): Promise<VirtualNumber>;
  list(accountId: string): Promise<VirtualNumber[]>;
  /** Cross-tenant: inbound messages are routed by the number they were sent to. */
  findByNumber(number: string): Promise<VirtualNumber | null>;
}

export interface OutboxStore {
  /**
   * Appends events outside any other change (for events with no state change of their own).
   * Throws DuplicateError, writing nothing of the batch, when an event id exists already: callers
   * that derive ids from an external key (a carrier's message id) get idempotency from this.
   */
  append(events: DomainEvent[]): Promise<void>;
  /** Events not yet handed to the dispatcher, oldest first. */
  pending(limit: number): Promise<DomainEvent[]>;
  markDispatched(eventIds: string[]): Promise<void>;
  /** An account's events, oldest first, for inspection and redelivery. */
  listForAccount(accountId: string, filter: { type?: string; since?: string }, limit: number): Promise<DomainEvent[]>;
  get(accountId: string, eventId: string): Promise<DomainEvent | null>;
}

export interface SubscriptionStore {
  /**
   * Inserts a subscription. Throws DuplicateError when the account already has one for the same
   * event type and callback URL (subscribing is an upsert by that pair; see findByCallback).
   */
  create(subscription: Subscription): Promise<Subscription>;
  /** Also returns tombstones (status `deleted`). */
  get(accountId: string, id: string): Promise<Subscription | null>;
  findByCallback(accountId: string, eventType: string, callbackUrl: string): Promise<Subscription | null>;
  /** Oldest first, without tombstones. */
  list(accountId: string): Promise<Subscription[]>;
  /** The account's active subscriptions to one event type (the dispatcher's look-up). */
  listActive(accountId: string, eventType: string): Promise<Subscription[]>;
  /**
   * Replaces when the etag matches; ConcurrencyError otherwise. The event type and URL do not
   * change. Setting status `deleted` leaves a tombstone: `get` still returns it (so a repeated
   * DELETE can succeed), the other reads skip it, and the callback URL is free to subscribe again.
   */
  update(subscription: Subscription): Promise<Subscription>;
}

export interface DeliveryAttemptFilter {
  /** Inclusive lower bound on the attempt time (ISO). */
  since?: string;
  eventId?: string;
}

export interface DeliveryAttemptStore {
  /** Appends attempts (ids are unique; recording the same id again is a no-op). */
  record(attempts: DeliveryAttempt[]): Promise<void>;
  /** Attempts of one target (subscription or message id), newest first. */
  list(accountId: string, targetId: string, filter: DeliveryAttemptFilter, limit: number): Promise<DeliveryAttempt[]>;
}

export interface OptOutStore {
  /** Records (or refreshes) an opt-out; one per account and phone. */
  add(optOut: OptOut): Promise<OptOut>;
  /** Resolves false when the phone was not opted out. */
  remove(accountId: string, phone: string): Promise<boolean>;
  get(accountId: string, phone: string): Promise<OptOut | null>;
  /** Ordered by phone. */
  list(accountId: string, page: PageRequest): Promise<Page<OptOut>>;
}

export interface KeywordRuleStore {
  /**
   * Inserts a rule. Throws DuplicateError, writing nothing, when the account has a rule with the
   * same keyword (compared as `keywordRuleKey` does: ignoring case and spacing), match type and
   * virtual number (or all numbers).
   */
  create(rule: KeywordRule): Promise<KeywordRule>;
  get(accountId: string, id: string): Promise<KeywordRule | null>;
  /** Every rule of the account (rules are few: the use case caps them), oldest first (createdAt, then id). */
  list(accountId: string): Promise<KeywordRule[]>;
  /** Replaces when the etag matches (ConcurrencyError otherwise); DuplicateError when the new key is another rule's. */
  update(rule: KeywordRule): Promise<KeywordRule>;
  /** Resolves false when there was no such rule. */
  delete(accountId: string, id: string): Promise<boolean>;
}

export interface ContactFilter {
  /** Contacts in any of these groups (each contact once). */
  groupIds?: string[];
  /** Exact E.164 phone. */
  phone?: string;
}

export interface ContactStore {
  /**
   * Inserts the contact and appends the events in one unit of work. Throws DuplicateError, writing
   * nothing, when the account has a contact with the same phone already.
   */
  create(contact: Contact, events: DomainEvent[]): Promise<Contact>;
  get(accountId: string, id: string): Promise<Contact | null>;
  findByPhone(accountId: string, phone: string): Promise<Contact | null>;
  /**
   * Replaces the contact when its etag still matches (ConcurrencyError otherwise) and appends the
   * events in the same unit of work. DuplicateError when a changed phone belongs to another contact.
   */
  update(contact: Contact, events: DomainEvent[]): Promise<Contact>;
  /** Deletes when the etag matches (ConcurrencyError otherwise) and appends the events. */
  delete(contact: Contact, events: DomainEvent[]): Promise<void>;
  /** Ordered by id (creation order); the continuation token is opaque. */
  list(accountId: string, filter: ContactFilter, page: PageRequest): Promise<Page<Contact>>;
  count(accountId: string, filter: ContactFilter): Promise<number>;
}

export interface GroupStore {
  /** Throws DuplicateError when the account has a group of the same name (case-insensitive). */
  create(group: ContactGroup): Promise<ContactGroup>;
  get(accountId: string, id: string): Promise<ContactGroup | null>;
  /** Every group of the account, ordered by name (case-insensitive). */
  list(accountId: string): Promise<ContactGroup[]>;
  /** Replaces when the etag matches (ConcurrencyError otherwise); DuplicateError on a taken name. */
  update(group: ContactGroup): Promise<ContactGroup>;
  /** Resolves false when there was no such group. Members keep the id until the caller removes it. */
  delete(accountId: string, id: string): Promise<boolean>;
}

export interface CampaignFilter {
  kind?: CampaignKind;
  status?: CampaignStatus;
}

export interface CampaignStore {
  create(campaign: Campaign): Promise<Campaign>;
  get(accountId: string, id: string): Promise<Campaign | null>;
  /** Newest first (by createdAt, then id); the continuation token is opaque. */
  list(accountId: string, filter: CampaignFilter, page: PageRequest): Promise<Page<Campaign>>;
  /** Replaces when the etag matches (ConcurrencyError otherwise) and appends the events in the same unit of work. */
  update(campaign: Campaign, events: DomainEvent[]): Promise<Campaign>;
  /**
   * Across accounts, for the campaign job: campaigns in `status` last updated before `updatedBefore`
   * (ISO) and, when given, at or after `updatedFrom` (how the job pages on), least recently updated
   * first.
   */
  listInStatus(status: CampaignStatus, updatedBefore: string, limit: number, updatedFrom?: string): Promise<Campaign[]>;
}

export interface PruneResult {
  deliveryAttempts: number;
  dispatchedEvents: number;
}

export interface RetentionStore {
  /**
   * Deletes history recorded before `before` (ISO): webhook delivery attempts and outbox events
   * already dispatched (pending events are never deleted). A store whose records expire by
   * themselves (Cosmos DB time-to-live) deletes nothing here and returns zeros.
   */
  prune(before: string): Promise<PruneResult>;
}

export interface AuditFilter {
  /** Inclusive. */
  since?: string;
  /** Exclusive. */
  until?: string;
  keyId?: string;
  operationId?: string;
  resourceId?: string;
}

/**
 * The audit log, partitioned by account (null: operator requests on no account). Append-only for
 * callers: `open` adds a record, `complete` sets its outcome once, `prune` drops records by age
 * (Cosmos DB expires them by time-to-live instead).
 */
export interface AuditStore {
  /**
   * Adds a record with no outcome yet. Resolves once any write of this data store that starts
   * later is ordered after it: a crash can keep such a write only with the record. SQLite: the row
   * joins the open group-commit transaction (later writes commit with it or after it, on the same
   * connection), so this costs no commit of its own. Cosmos DB: the document is written. A record
   * given with a status (a refused request) is complete as it is.
   */
  open(record: AuditRecord): Promise<void>;
  /**
   * Sets the outcome of an open record, visible to reads once this resolves (SQLite commits it with
   * its turn, after: a crash in between leaves the record with status null, as one before it would).
   * The outcome's resourceId, when not null, fills in a record opened without one (the created one).
   */
  complete(accountId: string | null, id: string, outcome: AuditOutcome): Promise<void>;
  /** Newest first (at, then id, descending), keyset-paged. */
  list(accountId: string | null, filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>>;
  /** Deletes records from before `before` (ISO); returns how many. Zero where records expire by themselves. */
  prune(before: string): Promise<number>;
}

export interface DataStore {
  pacing: PacingStore;
  accounts: AccountStore;
  audit: AuditStore;
  messages: MessageStore;
  senderIds: SenderIdStore;
  virtualNumbers: VirtualNumberStore;
  outbox: OutboxStore;
  subscriptions: SubscriptionStore;
  deliveries: DeliveryAttemptStore;
  retention: RetentionStore;
  optOuts: OptOutStore;
  contacts: ContactStore;
  groups: GroupStore;
  campaigns: CampaignStore;
  keywordRules: KeywordRuleStore;
  privacy: PrivacyStore;
  apiKeys: ApiKeyStore;
  close(): Promise<void>;
}
