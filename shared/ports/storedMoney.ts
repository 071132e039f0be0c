import type { Campaign } from '../domain/campaign';
import { minorFromStored, minorToStored } from '../domain/money';
import type { Account } from '../domain/types';

/**
 * How the records holding minor units (bigints) go into JSON documents and come back, shared by
 * the SQLite and Cosmos DB adapters so both store the same shape. Amounts are written as integer
 * strings (a JSON number is a double, exact only to 2^53); documents written before, with numbers,
 * read back the same (minorFromStored takes both).
 */
export type StoredAccount = Omit<Account, 'balance' | 'lowBalanceThreshold'> & { balance: string; lowBalanceThreshold: string };
export type StoredCampaign = Omit<Campaign, 'progress'> & { progress: Omit<Campaign['progress'], 'costMinor'> & { costMinor: string } };

export function accountToStored(account: Account): StoredAccount {
  return { ...account, balance: minorToStored(account.balance), lowBalanceThreshold: minorToStored(account.lowBalanceThreshold) };
}

/** Takes a parsed document (old or new format) and returns the account with bigint amounts. */
export function accountFromStored<T extends Record<string, unknown>>(doc: T): Account {
  return {
    ...(doc as unknown as Account),
    balance: minorFromStored(doc.balance),
    lowBalanceThreshold: minorFromStored(doc.lowBalanceThreshold),
  };
}

export function campaignToStored(campaign: Campaign): StoredCampaign {
  return { ...campaign, progress: { ...campaign.progress, costMinor: minorToStored(campaign.progress.costMinor) } };
}

export function campaignFromStored<T extends Record<string, unknown>>(doc: T): Campaign {
  const campaign = doc as unknown as Campaign;
  return {
    ...campaign,
    progress: { ...campaign.progress, costMinor: minorFromStored((campaign.progress as { costMinor: unknown }).costMinor) },
  };
}
