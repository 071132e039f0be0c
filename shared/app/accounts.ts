import { EVENT_TYPES } from '../domain/events';
import { formatMinor, MAX_BALANCE_MINOR, parseDecimal } from '../domain/money';
import { isIsoCurrency, priceTableFor } from '../domain/pricing';
import { monitorSettingsOf } from '../domain/monitors';
import { DEFAULT_RETRY_POLICY, type Account, type MonitorSettings, type SenderId } from '../domain/types';
import { crossesBelow } from '../domain/events';
import { hashApiKey, newApiKey } from './apiKeys';
import { accountKeyRecord } from './accountKeys';
import { SCOPES } from '../domain/scopes';
import { BalanceLimitError, ConcurrencyError, InsufficientCreditsError } from '../ports';
import { makeEvent, nowIso, type AppDeps } from './deps';
import { retryOnConflict } from './retryOnConflict';
import { newSigningSecret } from './signingSecret';
import { rotateSigningSecret } from '../domain/signingSecrets';
import { invalid, notFound, unprocessable } from './errors';
import { balanceLowData } from './sendMessage';

export interface NewAccountInput {
  name: string;
  currency?: string;
  credits?: string;
  defaultCountry?: string;
  lowBalanceThreshold?: string;
  senderId?: string;
  apiKey?: string;
  /** A configured carrier for this account's messages (null: CARRIER_DEFAULT); see accountCarrier.ts. */
  carrier?: string | null;
}

/** Creates an account; the API key comes back once and is stored only hashed. */
export async function createAccount(
  deps: AppDeps,
  input: NewAccountInput,
): Promise<{ account: Account; apiKey: string; senderId: SenderId | null }> {
  const currency = accountCurrency(deps, input.currency);
  const apiKey = input.apiKey ?? newApiKey();
  const at = nowIso(deps);
  const account: Account = {
    id: deps.ids.next('acc'),
    name: input.name,
    apiKeyHash: hashApiKey(apiKey),
    // The ceiling of the account's keys; each key holds its own scopes (ApiKey.scopes).
    scopes: [...SCOPES],
    currency,
    balance: amountField('/credits', input.credits ?? '0'),
    lowBalanceThreshold: amountField('/lowBalanceThreshold', input.lowBalanceThreshold ?? '0'),
    defaultSenderId: null,
    defaultCountry: input.defaultCountry ?? 'US',
    retryPolicy: { ...DEFAULT_RETRY_POLICY },
    carrier: input.carrier ?? null,
    createdAt: at,
    updatedAt: at,
    notifyOnDelivery: false,
    defaultWebhookUrl: null,
    callbackSecret: newSigningSecret(),
  };
  let created = await deps.store.accounts.create(account);
  // A crash before this write leaves the key on the account alone: its record is made on first use.
  await deps.store.apiKeys.create(accountKeyRecord(deps, created.id, apiKey, 'Account key', at));
  let senderId: SenderId | null = null;
  if (input.senderId) {
    senderId = await deps.store.senderIds.create({
      id: deps.ids.next('sid'),
      accountId: created.id,
      value: input.senderId,
      kind: /^\+?\d+$/.test(input.senderId) ? 'number' : 'alphanumeric',
      status: 'approved',
      purpose: 'Provisioned with the account',
      reason: null,
      createdAt: at,
      decidedAt: at,
    });
    created = await deps.store.accounts.update({ ...created, defaultSenderId: senderId.id });
  }
  return { account: created, apiKey, senderId };
}

/** An account's currency: ISO 4217 and one the price tables cover, so it is charged in its own prices. */
function accountCurrency(deps: AppDeps, currency: string | undefined): string {
  if (currency === undefined) return deps.settings.prices.defaultCurrency;
  const supported = Object.keys(deps.settings.prices.tables).sort().join(', ');
  if (!isIsoCurrency(currency))
    throw unprocessable('unsupported_currency', '/currency', `is not an ISO 4217 currency code; supported: ${supported}`);
  if (!priceTableFor(deps.settings.prices, currency))
    throw unprocessable('unsupported_currency', '/currency', `has no price table; supported: ${supported}`);
  return currency;
}

/** A non-negative amount up to MAX_AMOUNT_MINOR (the decimal format bounds it: 12 whole digits). */
function amountField(path: string, value: string): bigint {
  const minor = parseDecimal(value);
  if (minor === null || minor < 0n)
    throw invalid([
      { path, message: 'must be a non-negative decimal string with at most 12 digits before the point and 4 after, e.g. "100.00"' },
    ]);
  return minor;
}

export interface CreditOutcome {
  account: Account;
  /** True when the change left the balance below zero (a deduction with allowNegativeBalance). */
  negativeBalance: boolean;
}

/**
 * Adds credits (a negative amount deducts). A deduction below zero is refused (422
 * insufficient_balance, with the balance) unless `allowNegativeBalance`; a credit past
 * MAX_BALANCE_MINOR is refused (422 balance_limit_exceeded). The store checks both in the same
 * guarded write, so concurrent sends and credits cannot slip past them.
 */
export async function addCredits(deps: AppDeps, accountId: string, amount: string, allowNegativeBalance = false): Promise<CreditOutcome> {
  const minor = parseDecimal(amount);
  if (minor === null || minor === 0n)
    throw invalid([{ path: '/amount', message: 'must be a non-zero decimal string, e.g. "50.00" (negative to deduct)' }]);
  const account = await deps.store.accounts.get(accountId);
  if (!account) throw notFound(`Account ${accountId}`);
  let change: Awaited<ReturnType<typeof deps.store.accounts.credit>>;
  try {
    change = await deps.store.accounts.credit(accountId, minor, allowNegativeBalance);
  } catch (err) {
    if (err instanceof InsufficientCreditsError) {
      const message = `would take the balance (${formatMinor(err.balance)} ${account.currency}) below zero; send allowNegativeBalance: true to allow it`;
      throw unprocessable('insufficient_balance', '/amount', message, { balance: formatMinor(err.balance), currency: account.currency });
    }
    if (err instanceof BalanceLimitError) {
      const message = `would take the balance (${formatMinor(err.balance)} ${account.currency}) past the maximum of ${formatMinor(MAX_BALANCE_MINOR)}`;
      throw unprocessable('balance_limit_exceeded', '/amount', message, {
        balance: formatMinor(err.balance),
        maxBalance: formatMinor(MAX_BALANCE_MINOR),
        currency: account.currency,
      });
    }
    throw err;
  }
  if (crossesBelow(change.before, change.after, account.lowBalanceThreshold)) {
    await deps.store.outbox.append([makeEvent(deps, EVENT_TYPES.balanceLow, accountId, balanceLowData(account, change.after))]);
  }
  return { account: { ...account, balance: change.after }, negativeBalance: change.after < 0n };
}

export interface AccountSettingsInput {
  name?: string;
  defaultSenderId?: string | null;
  defaultCountry?: string;
  lowBalanceThreshold?: string;
  retryPolicy?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  validityPeriod?: number | null;
  notifyOnDelivery?: boolean;
  defaultWebhookUrl?: string | null;
  /** Any of the monitor settings; the rest keep their values (or the defaults). Ranges: the route schema. */
  monitors?: Partial<MonitorSettings>;
  /** Days message texts are kept (range: the route schema); null keeps them. */
  messageRetentionDays?: number | null;
}

/** The account's callback signing secret, created and stored on first use for older accounts. */
export async function callbackSecretOf(deps: Pick<AppDeps, 'store'>, account: Account): Promise<{ account: Account; secret: string }> {
  let tries = 0;
  return retryOnConflict(async () => {
    // The first try uses the account the caller holds; a lost race re-reads it.
    const current = tries++ === 0 ? account : await deps.store.accounts.get(account.id);
    if (!current) throw new ConcurrencyError(`account ${account.id}`);
    if (current.callbackSecret) return { account: current, secret: current.callbackSecret };
    const updated = await deps.store.accounts.update({ ...current, callbackSecret: newSigningSecret() });
    return { account: updated, secret: updated.callbackSecret! };
  });
}

/**
 * A new callback signing secret; the replaced one keeps signing for `overlapHours` (range checked
 * by the route). An account without a secret yet (older accounts) simply gets its first one.
 */
export async function rotateCallbackSecret(deps: AppDeps, account: Account, overlapHours: number): Promise<Account> {
  let first = true;
  return retryOnConflict(async () => {
    const current = first ? account : await deps.store.accounts.get(account.id);
    first = false;
    if (!current) throw notFound(`Account ${account.id}`);
    const next = newSigningSecret();
    const rotated = current.callbackSecret
      ? rotateSigningSecret(current.callbackSecret, next, deps.clock.now(), overlapHours)
      : { secret: next, previous: null };
    return deps.store.accounts.update({
      ...current,
      callbackSecret: rotated.secret,
      previousCallbackSecret: rotated.previous,
      updatedAt: nowIso(deps),
    });
  });
}

export async function updateAccountSettings(deps: AppDeps, account: Account, input: AccountSettingsInput): Promise<Account> {
  // The monitor job writes the account too (its alert state): a change that loses that race re-reads and applies again.
  let first = true;
  return retryOnConflict(async () => {
    const current = first ? account : await deps.store.accounts.get(account.id);
    first = false;
    if (!current) throw notFound(`Account ${account.id}`);
    return applySettings(deps, current, input);
  });
}

async function applySettings(deps: AppDeps, account: Account, input: AccountSettingsInput): Promise<Account> {
  const next: Account = { ...account, updatedAt: nowIso(deps) };
  if (input.name !== undefined) next.name = input.name;
  if (input.defaultCountry !== undefined) next.defaultCountry = input.defaultCountry;
  if (input.lowBalanceThreshold !== undefined) next.lowBalanceThreshold = amountField('/lowBalanceThreshold', input.lowBalanceThreshold);
  if (input.retryPolicy) next.retryPolicy = { ...account.retryPolicy, ...input.retryPolicy };
  if (next.retryPolicy.baseDelayMs > next.retryPolicy.maxDelayMs) {
    throw invalid([{ path: '/retryPolicy/baseDelayMs', message: 'must not exceed maxDelayMs' }]);
  }
  if (input.defaultWebhookUrl !== undefined) {
    if (input.defaultWebhookUrl !== null) {
      const reason = await deps.webhooks.urlPolicy.check(input.defaultWebhookUrl);
      if (reason) throw unprocessable('callback_url_refused', '/defaultWebhookUrl', reason);
    }
    next.defaultWebhookUrl = input.defaultWebhookUrl;
  }
  if (input.validityPeriod !== undefined) next.validityPeriod = input.validityPeriod;
  if (input.monitors) next.monitors = { ...monitorSettingsOf(account), ...input.monitors };
  if (input.notifyOnDelivery !== undefined) next.notifyOnDelivery = input.notifyOnDelivery;
  if (input.messageRetentionDays !== undefined) next.messageRetentionDays = input.messageRetentionDays;
  if (next.notifyOnDelivery && !next.defaultWebhookUrl) {
    throw unprocessable('default_webhook_required', '/notifyOnDelivery', 'needs defaultWebhookUrl: set the default webhook to call');
  }
  if (next.notifyOnDelivery && !next.callbackSecret) next.callbackSecret = newSigningSecret();
  if (input.defaultSenderId !== undefined) {
    if (input.defaultSenderId === null) next.defaultSenderId = null;
    else {
      const sid =
        (await deps.store.senderIds.get(account.id, input.defaultSenderId)) ??
        (await deps.store.senderIds.findByValue(account.id, input.defaultSenderId));
      if (!sid) throw unprocessable('sender_id_not_found', '/defaultSenderId', 'is not a sender ID of this account');
      if (sid.status !== 'approved') throw unprocessable('sender_id_not_approved', '/defaultSenderId', `is ${sid.status}, not approved`);
      next.defaultSenderId = sid.id;
    }
  }
  return deps.store.accounts.update(next);
}
