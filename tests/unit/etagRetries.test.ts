import { callbackSecretOf } from '../../shared/app/accounts';
import type { AppDeps } from '../../shared/app/deps';
import { AppError } from '../../shared/app/errors';
import type { Subscription } from '../../shared/domain/webhooks';
import type { Account } from '../../shared/domain/types';
import { ConcurrencyError, DuplicateError } from '../../shared/ports';
import { eventDefinitionOf } from '../../shared/webhooks/catalog';
import { subscribe } from '../../shared/webhooks/subscriptions';
import { makeAccount } from '../fixtures/records';

/**
 * The read-decide-write steps that lose an etag (or unique-key) race try again on fresh state
 * (retryOnConflict), a bounded number of times. Only the store methods each step uses are faked,
 * so the deps are cast from a partial.
 */
const base = { clock: { now: () => Date.parse('2026-03-01T12:00:00.000Z') }, ids: { next: (p: string) => `${p}_new` } };
const def = eventDefinitionOf('sms.received')!;

describe('subscribe', () => {
  const existing = {
    id: 'sub_1',
    accountId: 'acc_1',
    eventType: 'sms.received',
    callbackUrl: 'https://example.com/h',
    status: 'active',
    health: { failingSince: null, consecutiveFailures: 0 },
  } as unknown as Subscription;
  const depsWith = (subscriptions: Record<string, jest.Mock>) =>
    ({ ...base, webhooks: { urlPolicy: { check: async () => null } }, store: { subscriptions } }) as unknown as AppDeps;

  test('a subscription created meanwhile by another request is updated instead', async () => {
    const findByCallback = jest.fn().mockResolvedValueOnce(null).mockResolvedValue(existing);
    const create = jest.fn().mockRejectedValue(new DuplicateError('subscription'));
    const update = jest.fn(async (s: Subscription) => s);
    const out = await subscribe(depsWith({ findByCallback, create, update }), 'acc_1', def, { callbackUrl: 'https://example.com/h' });
    expect(out.created).toBe(false);
    expect(out.subscription.id).toBe('sub_1');
    expect(create).toHaveBeenCalledTimes(1);
  });

  test('five lost races answer 409 concurrency_conflict', async () => {
    const update = jest.fn().mockRejectedValue(new ConcurrencyError('subscription'));
    const deps = depsWith({ findByCallback: jest.fn().mockResolvedValue(existing), create: jest.fn(), update });
    const err = await subscribe(deps, 'acc_1', def, { callbackUrl: 'https://example.com/h' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(409);
    expect((err as AppError).code).toBe('concurrency_conflict');
    expect(update).toHaveBeenCalledTimes(5);
  });
});

describe('callbackSecretOf', () => {
  test('a lost race re-reads the account and keeps the secret another request stored', async () => {
    const account: Account = { ...makeAccount(), callbackSecret: undefined };
    const stored: Account = { ...account, callbackSecret: 'whsec_other' };
    const update = jest.fn().mockRejectedValue(new ConcurrencyError('account'));
    const get = jest.fn().mockResolvedValue(stored);
    const out = await callbackSecretOf({ store: { accounts: { update, get } } } as unknown as AppDeps, account);
    expect(out.secret).toBe('whsec_other');
    expect(update).toHaveBeenCalledTimes(1);
    expect(get).toHaveBeenCalledTimes(1);
  });

  test('an account that keeps changing fails with ConcurrencyError after five tries', async () => {
    const account: Account = { ...makeAccount(), callbackSecret: undefined };
    const update = jest.fn().mockRejectedValue(new ConcurrencyError('account'));
    const get = jest.fn().mockResolvedValue(account);
    await expect(callbackSecretOf({ store: { accounts: { update, get } } } as unknown as AppDeps, account)).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect(update).toHaveBeenCalledTimes(5);
  });
});
