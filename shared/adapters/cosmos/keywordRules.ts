import type { JSONObject } from '@azure/cosmos';
import { keywordRuleKey, type KeywordRule } from '../../domain/keywordRule';
import { ConcurrencyError, DuplicateError, type KeywordRuleStore } from '../../ports/stores';
import type { CosmosContext } from './context';
import { BatchFailure, assertValidId, backoff, deleteIfMatch, etagOf, fromDoc, hashKey, isStale, queryDocs, readDoc, runBatch, toDoc, withoutSystem, type BatchStep, type Doc } from './internal';

/**
 * Keyword rules in their account's partition of `tenants` (docType `keywordRule`). Uniqueness of
 * (keyword words, match type, number) rides on a marker document `kwkey_<hash(keywordRuleKey)>`
 * (docType `keywordRuleKey`) written in the same transactional batch as the rule, as contacts do
 * with their phone: two creates with the same key collide on the marker id and the loser writes
 * nothing; a change of the key moves the marker in the same batch.
 */

const keyMarkerId = (rule: Pick<KeywordRule, 'keyword' | 'matchType' | 'virtualNumber'>) => `kwkey_${hashKey(keywordRuleKey(rule))}`;
const ruleDoc = (r: KeywordRule): JSONObject => toDoc(r, { docType: 'keywordRule' });
const ruleFromDoc = (doc: Doc): KeywordRule => fromDoc<KeywordRule>(doc, ['docType'], true);
const duplicate = (r: KeywordRule) => new DuplicateError(`keyword rule ${r.keyword} (${r.matchType}, ${r.virtualNumber ?? 'all numbers'})`);

export class CosmosKeywordRuleStore implements KeywordRuleStore {
  constructor(private readonly ctx: CosmosContext) {}

  /** One batch: [create key marker, create rule]. */
  async create(rule: KeywordRule): Promise<KeywordRule> {
    assertValidId(rule.id, 'keyword rule');
    assertValidId(rule.accountId, 'account');
    const marker = { id: keyMarkerId(rule), accountId: rule.accountId, docType: 'keywordRuleKey', ruleId: rule.id };
    try {
      const results = await runBatch(this.ctx.tenants, rule.accountId, [
        { op: { operationType: 'Create', resourceBody: marker }, undo: { kind: 'delete', id: marker.id } },
        { op: { operationType: 'Create', resourceBody: ruleDoc(rule) }, undo: { kind: 'delete', id: rule.id } },
      ]);
      return { ...rule, etag: etagOf(results[1]) };
    } catch (err) {
      if (err instanceof BatchFailure && err.status === 409) throw err.index === 0 ? duplicate(rule) : new DuplicateError(`keyword rule ${rule.id}`);
      throw err;
    }
  }

  async get(accountId: string, id: string): Promise<KeywordRule | null> {
    const doc = await readDoc(this.ctx.tenants, id, accountId);
    return doc && doc.docType === 'keywordRule' && doc.accountId === accountId ? ruleFromDoc(doc) : null;
  }

  /** An account has few rules: one single-partition query, sorted in memory. */
  async list(accountId: string): Promise<KeywordRule[]> {
    const docs = await queryDocs(this.ctx.tenants, "SELECT * FROM c WHERE c.docType = 'keywordRule' AND c.accountId = @accountId", [{ name: '@accountId', value: accountId }], accountId);
    return docs.map(ruleFromDoc).sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** A change of the key moves the marker in the same batch: [create new marker, replace if-match, delete old marker]. */
  async update(rule: KeywordRule): Promise<KeywordRule> {
    if (!rule.etag) throw new ConcurrencyError(`keyword rule ${rule.id}`); // never read, so never current
    const stored = await readDoc(this.ctx.tenants, rule.id, rule.accountId);
    if (!stored || stored.docType !== 'keywordRule' || stored._etag !== rule.etag) throw new ConcurrencyError(`keyword rule ${rule.id}`);
    const oldMarker = keyMarkerId(ruleFromDoc(stored));
    const newMarker = keyMarkerId(rule);
    const moves = oldMarker !== newMarker;
    const steps: BatchStep[] = [];
    if (moves) {
      const marker = { id: newMarker, accountId: rule.accountId, docType: 'keywordRuleKey', ruleId: rule.id };
      steps.push({ op: { operationType: 'Create', resourceBody: marker }, undo: { kind: 'delete', id: marker.id } });
    }
    const replaceIndex = steps.length;
    steps.push({ op: { operationType: 'Replace', id: rule.id, resourceBody: ruleDoc(rule), ifMatch: rule.etag }, undo: { kind: 'restore', id: rule.id, body: withoutSystem(stored) } });
    // Last: it cannot be undone on the test server, and nothing after it can fail.
    if (moves) steps.push({ op: { operationType: 'Delete', id: oldMarker } });
    try {
      const results = await runBatch(this.ctx.tenants, rule.accountId, steps);
      return { ...rule, etag: etagOf(results[replaceIndex]) };
    } catch (err) {
      if (!(err instanceof BatchFailure)) throw err;
      if (moves && err.index === 0 && err.status === 409) throw duplicate(rule);
      if (isStale(err, replaceIndex)) throw new ConcurrencyError(`keyword rule ${rule.id}`);
      throw err;
    }
  }

  /** One batch: [delete the rule if-match what was read, delete its key marker]; re-read on a race with an update. */
  async delete(accountId: string, id: string): Promise<boolean> {
    for (let attempt = 0; attempt < this.ctx.settings.maxConcurrencyRetries; attempt += 1) {
      const stored = await readDoc(this.ctx.tenants, id, accountId);
      if (!stored || stored.docType !== 'keywordRule') return false;
      try {
        await runBatch(this.ctx.tenants, accountId, [{ op: deleteIfMatch(id, String(stored._etag)) }, { op: { operationType: 'Delete', id: keyMarkerId(ruleFromDoc(stored)) } }]);
        return true;
      } catch (err) {
        if (!(err instanceof BatchFailure) || !isStale(err, 0)) throw err;
        await backoff(attempt);
      }
    }
    throw new ConcurrencyError(`keyword rule ${id}`);
  }
}
