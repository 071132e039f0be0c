import type { ErasureCounts, ErasureTarget, PersonalRecords } from '../domain/erasure';

/**
 * Erasure, export and message-text retention over every store of an account. Stores without an
 * index by phone (messages have no recipient index, events and attempts are opaque documents) read
 * the account's records in pages of ERASURE_PAGE: bounded memory, time linear in the account.
 */
export interface PrivacyStore {
  /**
   * Redacts the person's data in the account (domain/erasure.ts): messages to or from the number,
   * events mentioning it or its messages, delivery attempts of those events, campaign entries; an
   * opt-out is moved to `optOutKey` (a keyed hash of the number) so it stays enforced. Contacts are
   * the use case's (deleted with their event). Counts what changed; nothing left, all zeros.
   */
  erase(accountId: string, e164: string, target: ErasureTarget, optOutKey: string): Promise<Omit<ErasureCounts, 'contacts'>>;
  find(accountId: string, target: ErasureTarget): Promise<PersonalRecords>;
  /**
   * Retention: erases the texts of the account's messages created in [from, before) (ISO), oldest
   * first, reading at most `limit` messages. `redacted` counts the texts changed; `resumeFrom` is
   * where the next call goes on when the limit was reached (null: the range is done).
   */
  redactTexts(accountId: string, from: string, before: string, limit: number): Promise<{ redacted: number; resumeFrom: string | null }>;
}

/** Records an erasure reads per page where it scans an account. */
export const ERASURE_PAGE = 500;
