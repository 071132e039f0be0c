import type { JSONObject } from '@azure/cosmos';
import { keywordRuleKey, type KeywordRule } from '../../domain/keywordRule';
import { DuplicateError, type KeywordRuleStore } from '../../ports/stores';
import type { CosmosContext } from './context';
import { fromDoc, hashKey, queryDocs, toDoc, type Doc } from './internal';
import { UniqueKeyedRecords } from './uniqueKeyed';

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
  private readonly records: UniqueKeyedRecords<KeywordRule>;

  constructor(private readonly ctx: CosmosContext) {
    this.records = new UniqueKeyedRecords<KeywordRule>(ctx, {
      docType: 'keywordRule',
      markerDocType: 'keywordRuleKey',
      ownerField: 'ruleId',
      what: 'keyword rule',
      markerId: keyMarkerId,
      duplicate,
      toDoc: ruleDoc,
      fromDoc: ruleFromDoc,
    });
  }

  create(rule: KeywordRule): Promise<KeywordRule> {
    return this.records.create(rule);
  }

  get(accountId: string, id: string): Promise<KeywordRule | null> {
    return this.records.get(accountId, id);
  }

  /** An account has few rules: one single-partition query, sorted in memory. */
  async list(accountId: string): Promise<KeywordRule[]> {
    const docs = await queryDocs(
      this.ctx.tenants,
      "SELECT * FROM c WHERE c.docType = 'keywordRule' AND c.accountId = @accountId",
      [{ name: '@accountId', value: accountId }],
      accountId,
    );
    return docs
      .map(ruleFromDoc)
      .sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  update(rule: KeywordRule): Promise<KeywordRule> {
    return this.records.update(rule);
  }

  delete(accountId: string, id: string): Promise<boolean> {
    return this.records.delete(accountId, id);
  }
}
