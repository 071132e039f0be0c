import type { Account } from '../domain/types';
import { nowIso, type AppDeps } from './deps';
import { notFound, unprocessable } from './errors';
import { retryOnConflict } from './retryOnConflict';

/**
 * Which carrier an account's messages go through. Null means the deployment default
 * (CARRIER_DEFAULT); a name must be a carrier this deployment has configured, so a message is never
 * accepted for a carrier that cannot send it. Messages keep the carrier chosen when they were accepted.
 */
export function checkCarrierChoice(deps: Pick<AppDeps, 'carriers'>, carrier: string | null | undefined, path = '/carrier'): void {
  if (carrier === undefined || carrier === null) return;
  if (!deps.carriers.get(carrier)) {
    throw unprocessable('unknown_carrier', path, `is not a configured carrier; configured: ${deps.carriers.names().join(', ')}`);
  }
}

export async function setAccountCarrier(deps: AppDeps, accountId: string, carrier: string | null): Promise<Account> {
  checkCarrierChoice(deps, carrier);
  return retryOnConflict(async () => {
    const account = await deps.store.accounts.get(accountId);
    if (!account) throw notFound(`Account ${accountId}`);
    return deps.store.accounts.update({ ...account, carrier, updatedAt: nowIso(deps) });
  });
}
