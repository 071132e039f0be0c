import { keywordRuleKey, type KeywordRule } from '../../domain/keywordRule';
import { ConcurrencyError, DuplicateError, type KeywordRuleStore } from '../../ports/stores';
import { groupCommitFor, migrate, type Db } from './database';
import { docOf, isUniqueViolation, newEtag, parse, type Row } from './rows';

/**
 * Keyword rules in the embedded database. The uniqueness of (keyword words, match type, number)
 * within an account is a unique index on `rule_key`, so two concurrent creates cannot both win.
 */
const MIGRATIONS = [
  `
  CREATE TABLE keyword_rules (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    rule_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    etag TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX keyword_rules_by_key ON keyword_rules (account_id, rule_key);
  `,
];

export function createSqliteKeywordRuleStore(db: Db): KeywordRuleStore {
  migrate(db, MIGRATIONS, 'keywordRules');
  const gc = groupCommitFor(db);
  const st = {
    insert: db.prepare('INSERT INTO keyword_rules (account_id, id, rule_key, created_at, etag, doc) VALUES (?, ?, ?, ?, ?, ?)'),
    update: db.prepare('UPDATE keyword_rules SET rule_key = ?, etag = ?, doc = ? WHERE account_id = ? AND id = ? AND etag = ?'),
    get: db.prepare<[string, string]>('SELECT doc, etag FROM keyword_rules WHERE account_id = ? AND id = ?'),
    list: db.prepare<[string]>('SELECT doc, etag FROM keyword_rules WHERE account_id = ? ORDER BY created_at, id'),
    remove: db.prepare<[string, string]>('DELETE FROM keyword_rules WHERE account_id = ? AND id = ?'),
  };

  async function write<T>(rule: KeywordRule, fn: () => T): Promise<T> {
    try {
      return await gc.run(fn);
    } catch (err) {
      // The only unique constraints are the id and the rule key.
      if (isUniqueViolation(err))
        throw new DuplicateError(`keyword rule ${rule.keyword} (${rule.matchType}, ${rule.virtualNumber ?? 'all numbers'})`);
      throw err;
    }
  }

  return {
    async create(rule) {
      const etag = newEtag();
      await write(rule, () => st.insert.run(rule.accountId, rule.id, keywordRuleKey(rule), rule.createdAt, etag, docOf(rule)));
      return { ...rule, etag };
    },
    async get(accountId, id) {
      return parse<KeywordRule>(st.get.get(accountId, id) as Row | undefined);
    },
    async list(accountId) {
      return (st.list.all(accountId) as Row[]).map((r) => parse<KeywordRule>(r)!);
    },
    async update(rule) {
      const etag = newEtag();
      await write(rule, () => {
        const changed = st.update.run(keywordRuleKey(rule), etag, docOf(rule), rule.accountId, rule.id, rule.etag ?? '').changes;
        if (changed === 0) throw new ConcurrencyError(`keyword rule ${rule.id}`);
      });
      return { ...rule, etag };
    },
    async delete(accountId, id) {
      return gc.run(() => st.remove.run(accountId, id).changes > 0);
    },
  };
}
