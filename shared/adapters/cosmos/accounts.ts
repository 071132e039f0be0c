import { randomUUID } from 'node:crypto';
import type { JSONObject } from '@azure/cosmos';
import type { Account, DomainEvent } from '../../domain/types';
import {
  BalanceLimitError,
  ConcurrencyError,
  DuplicateError,
  InsufficientCreditsError,
  type AccountStore,
  type BalanceChange,
  type Page,
  type PageRequest,
} from '../../ports/stores';
import type { CosmosContext } from './context';
import { MAX_BALANCE_MINOR, minorFromStored, minorToStored } from '../../domain/money';
import { accountFromStored, accountToStored } from '../../ports/storedMoney';
import {
  BatchFailure,
  backoff,
  decodeToken,
  fromDoc,
  pageLimit,
  queryDocs,
  readDoc,
  runBatch,
  statusOf,
  toDoc,
  assertValidId,
  toPage,
  withoutSystem,
  type BatchStep,
  type Doc,
} from './internal';
import { duplicateEventError, eventSteps } from './outbox';
import { apiKeyLookupId, claimLookup, deleteLookupIfOwned, readLookup } from './lookups';

/**
 * The account document: the record plus its partition key (`accountId` = `id`), discriminator and
 * `version`. The record's etag is `version`, not the document's `_etag`: the balance lives in the
 * same document and moves with every send, refund and credit, while the etag guards the settings
 * that `update` writes. So `update` never overwrites the balance and does not conflict with sends;
 * balance writes are guarded by `_etag` internally. Amounts are integer strings of minor units
 * (a JSON number is a double); documents written before hold numbers and read the same.
 */
export function accountDoc(account: Account, version: string): JSONObject {
  return toDoc(accountToStored(account), { accountId: account.id, docType: 'account', version });
}

export function accountFromDoc(doc: Doc): Account {
  const account = accountFromStored(fromDoc<Record<string, unknown>>(doc, ['docType', 'accountId', 'version'], false));
  account.etag = String(doc.version);
  return account;
}

/** The balance of an account document, old (number) or new (integer string) format. */
export function storedBalanceOf(doc: Doc): bigint {
  return minorFromStored(doc.balance);
}

/** The document body with its balance set, in the stored format. */
export function withStoredBalance(body: Doc, balance: bigint): JSONObject {
  return { ...body, balance: minorToStored(balance) } as JSONObject;
}

/** The batch step moving an account's balance (debit, refund, credit): replace it, if-match the etag read. */
export function balanceStep(account: Doc, balance: BalanceChange): BatchStep {
  const original = withoutSystem(account);
  return {
    op: {
      operationType: 'Replace',
      id: String(account.id),
      resourceBody: withStoredBalance(original, balance.after),
      ifMatch: String(account._etag),
    },
    undo: { kind: 'restore', id: String(account.id), body: original },
  };
}

export async function readAccountDoc(ctx: CosmosContext, accountId: string): Promise<Doc | null> {
  const doc = await readDoc(ctx.tenants, accountId, accountId);
  return doc && doc.docType === 'account' ? doc : null;
}

export class AccountNotFoundError extends Error {
  readonly code = 'account_not_found';
  constructor(accountId: string) {
    super(`account ${accountId} not found`);
  }
}

export class CosmosAccountStore implements AccountStore {
  constructor(private readonly ctx: CosmosContext) {}

  async create(account: Account): Promise<Account> {
    assertValidId(account.id, 'account');
    const claim = await this.claimApiKey(account.apiKeyHash, account.id);
    try {
      const { resource } = await this.ctx.tenants.items.create<Doc>(accountDoc(account, randomUUID()));
      return accountFromDoc(resource as Doc);
    } catch (err) {
      if (claim === 'created') await deleteLookupIfOwned(this.ctx, apiKeyLookupId(account.apiKeyHash), account.id);
      if (statusOf(err) === 409) throw new DuplicateError(`account ${account.id}`);
      throw err;
    }
  }

  async get(accountId: string): Promise<Account | null> {
    const doc = await readAccountDoc(this.ctx, accountId);
    return doc ? accountFromDoc(doc) : null;
  }

  async findByApiKeyHash(apiKeyHash: string): Promise<Account | null> {
    const pointer = await readLookup(this.ctx, apiKeyLookupId(apiKeyHash));
    if (!pointer) return null;
    const doc = await readAccountDoc(this.ctx, pointer.accountId);
    // The pointer is a hint: a key rotated away (or a create that never finished) leaves one behind.
    return doc && doc.apiKeyHash === apiKeyHash ? accountFromDoc(doc) : null;
  }

  /**
   * Checks `account.etag` against the stored version, then replaces the document keeping the stored
   * balance, if-match its `_etag`; a 412 means the balance moved meanwhile, so it re-reads and retries.
   * With events, the replace and the events' creates are one transactional batch.
   */
  async update(account: Account, events: DomainEvent[] = []): Promise<Account> {
    if (!account.etag) throw new ConcurrencyError(`account ${account.id}`);
    let rotation: { previousHash: string; claim: 'created' | 'ours' } | null = null;
    try {
      for (let attempt = 0; attempt < this.ctx.settings.maxConcurrencyRetries; attempt += 1) {
        const current = await readAccountDoc(this.ctx, account.id);
        if (!current || current.version !== account.etag) throw new ConcurrencyError(`account ${account.id}`);
        if (rotation === null && current.apiKeyHash !== account.apiKeyHash) {
          rotation = { previousHash: String(current.apiKeyHash), claim: await this.claimApiKey(account.apiKeyHash, account.id) };
        }
        const body = withStoredBalance(accountDoc(account, randomUUID()), storedBalanceOf(current));
        let stored: Doc | undefined;
        try {
          stored = events.length === 0 ? await this.replace(body, current) : await this.replaceWithEvents(body, current, events);
        } catch (err) {
          const status = err instanceof BatchFailure && err.index === 0 ? err.status : statusOf(err);
          if (status === 404) throw new ConcurrencyError(`account ${account.id}`);
          if (err instanceof BatchFailure && err.index > 0 && err.status === 409) throw duplicateEventError(events, err.index - 1);
          if (status !== 412) throw err;
          await backoff(attempt); // the balance moved: re-read and check the version again
          continue;
        }
        const rotated = rotation;
        rotation = null; // replaced: the new pointer stays
        if (rotated) await deleteLookupIfOwned(this.ctx, apiKeyLookupId(rotated.previousHash), account.id);
        return accountFromDoc(stored as Doc);
      }
      throw new ConcurrencyError(`account ${account.id}`);
    } finally {
      // Still set only when the replace did not happen: release the pointer claimed for the new key.
      if (rotation?.claim === 'created') await deleteLookupIfOwned(this.ctx, apiKeyLookupId(account.apiKeyHash), account.id);
    }
  }

  private async replace(body: JSONObject, current: Doc): Promise<Doc | undefined> {
    const { resource } = await this.ctx.tenants
      .item(String(current.id), String(current.id))
      .replace<Doc>(body, { accessCondition: { type: 'IfMatch', condition: String(current._etag) } });
    return resource;
  }

  /** One transactional batch: the replace (if-match, first: it is what can fail), then the events. */
  private async replaceWithEvents(body: JSONObject, current: Doc, events: DomainEvent[]): Promise<Doc> {
    const accountId = String(current.id);
    await runBatch(this.ctx.tenants, accountId, [
      {
        op: { operationType: 'Replace', id: accountId, resourceBody: body, ifMatch: String(current._etag) },
        undo: { kind: 'restore', id: accountId, body: withoutSystem(current) },
      },
      ...eventSteps(events, accountId),
    ]);
    return body as Doc;
  }

  /**
   * Read the account, check the new balance (not below zero unless allowed, not past the maximum),
   * then replace it if-match the `_etag` read; a 412 means the balance moved meanwhile: re-read and
   * retry, as sends do. (A patch `incr` needed no read but cannot check the result, and cannot add
   * to a balance stored as a string.)
   */
  async credit(accountId: string, amount: bigint, allowNegative = false): Promise<BalanceChange> {
    for (let attempt = 0; attempt < this.ctx.settings.maxConcurrencyRetries; attempt += 1) {
      const account = await readAccountDoc(this.ctx, accountId);
      if (!account) throw new AccountNotFoundError(accountId);
      const before = storedBalanceOf(account);
      const balance: BalanceChange = { before, after: before + amount };
      if (amount < 0n && balance.after < 0n && !allowNegative) throw new InsufficientCreditsError(before, -amount);
      if (amount > 0n && balance.after > MAX_BALANCE_MINOR) throw new BalanceLimitError(before, amount);
      try {
        await this.ctx.tenants.item(accountId, accountId).replace<Doc>(withStoredBalance(withoutSystem(account), balance.after), {
          accessCondition: { type: 'IfMatch', condition: String(account._etag) },
        });
        return balance;
      } catch (err) {
        const status = statusOf(err);
        if (status !== 412 && status !== 404) throw err;
        await backoff(attempt); // the balance moved (or the account went): read it again
      }
    }
    throw new ConcurrencyError(`account ${accountId}`);
  }

  /** Cross-partition, ordered by id, keyset-paged: an admin listing, not a hot path. */
  async list(page: PageRequest): Promise<Page<Account>> {
    const limit = pageLimit(page.limit);
    const after = page.continuationToken === undefined ? null : (decodeToken(page.continuationToken, 1)[0] as string);
    const docs = await queryDocs(
      this.ctx.tenants,
      `SELECT TOP ${limit + 1} * FROM c WHERE c.docType = 'account'${after === null ? '' : ' AND c.id > @after'} ORDER BY c.id ASC`,
      after === null ? [] : [{ name: '@after', value: after }],
    );
    return toPage(docs, limit, accountFromDoc, (a) => [a.id]);
  }

  private async claimApiKey(apiKeyHash: string, accountId: string): Promise<'created' | 'ours'> {
    const result = await claimLookup(this.ctx, { id: apiKeyLookupId(apiKeyHash), accountId }, async (existing) => {
      const owner = await readAccountDoc(this.ctx, existing.accountId);
      return owner !== null && owner.apiKeyHash === apiKeyHash;
    });
    if (result === 'taken') throw new DuplicateError('api key');
    return result;
  }
}
