import { normalisePhone } from '../domain/phone';
import type { VirtualNumber } from '../domain/types';
import { DuplicateError } from '../ports';
import { nowIso, type AppDeps } from './deps';
import { conflict, invalid, notFound } from './errors';

export async function assignVirtualNumber(
  deps: AppDeps,
  input: { accountId: string; number: string; capabilities?: string[]; label?: string },
): Promise<VirtualNumber> {
  const phone = normalisePhone(input.number, 'US');
  if (!phone.ok) throw invalid([{ path: '/number', message: phone.reason }]);
  if (!(await deps.store.accounts.get(input.accountId))) throw notFound(`Account ${input.accountId}`);
  try {
    return await deps.store.virtualNumbers.create({
      id: deps.ids.next('vn'),
      accountId: input.accountId,
      number: phone.e164,
      country: phone.country ?? 'ZZ',
      capabilities: input.capabilities ?? ['sms'],
      label: input.label ?? null,
      createdAt: nowIso(deps),
    });
  } catch (err) {
    if (err instanceof DuplicateError) throw conflict('number_assigned', `${phone.e164} is already assigned to an account.`);
    throw err;
  }
}

export async function listVirtualNumbers(deps: AppDeps, accountId: string): Promise<VirtualNumber[]> {
  return deps.store.virtualNumbers.list(accountId);
}
