import type { Account } from '../domain/types';
import { hashApiKey, newApiKey } from './apiKeys';
import { nowIso, type AppDeps } from './deps';
import { notFound } from './errors';
import { retryOnConflict } from './retryOnConflict';

/**
 * Issues a new API key for an account and revokes the previous one (an account has one key until
 * key management arrives): the way back in when a key is lost. Like at creation, the key is shown
 * once and only its hash is stored; both stores move the key lookup with the account's update.
 */
export async function replaceApiKey(deps: AppDeps, accountId: string, apiKey = newApiKey()): Promise<{ account: Account; apiKey: string }> {
  const account = await retryOnConflict(async () => {
    const current = await deps.store.accounts.get(accountId);
    if (!current) throw notFound(`Account ${accountId}`);
    return deps.store.accounts.update({ ...current, apiKeyHash: hashApiKey(apiKey), updatedAt: nowIso(deps) });
  });
  return { account, apiKey };
}
