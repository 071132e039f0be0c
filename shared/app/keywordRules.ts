import { checkKeyword, keywordRuleKey, type KeywordMatchType, type KeywordRule } from '../domain/keywordRule';
import { e164 } from './phoneInput';
import { parseTemplate } from '../domain/template';
import type { Account } from '../domain/types';
import { MESSAGE_TEXT_MAX } from '../domain/messageText';
import { DuplicateError } from '../ports';
import { nowIso, type AppDeps } from './deps';
import { type AppError, conflict, invalid, notFound, unprocessable } from './errors';
import { retryOnConflict } from './retryOnConflict';

/** Rules an account may have: every inbound SMS reads them all, so they stay few. */
export const KEYWORD_RULES_MAX = 500;
export const KEYWORD_REPLY_MAX = MESSAGE_TEXT_MAX;

export interface KeywordRuleInput {
  keyword: string;
  matchType?: KeywordMatchType;
  virtualNumber?: string | null;
  reply?: string | null;
  active?: boolean;
}

function keywordOf(raw: string): string {
  const checked = checkKeyword(raw);
  if (checked.ok) return checked.keyword;
  if (checked.compliance) throw unprocessable('compliance_keyword', '/keyword', checked.reason);
  throw invalid([{ path: '/keyword', message: checked.reason }]);
}

/** The rule's number in E.164; it must be one of the account's virtual numbers. */
async function numberOf(deps: AppDeps, account: Account, raw: string | null): Promise<string | null> {
  if (raw === null) return null;
  const number = e164(account, raw, '/virtualNumber');
  const vn = await deps.store.virtualNumbers.findByNumber(number);
  if (!vn || vn.accountId !== account.id) {
    throw unprocessable(
      'unknown_virtual_number',
      '/virtualNumber',
      `${number} is not one of this account's virtual numbers (see GET /api/virtual-numbers)`,
    );
  }
  return vn.number;
}

function replyOf(raw: string | null): string | null {
  if (raw === null) return null;
  const parsed = parseTemplate(raw);
  if (!parsed.ok) throw invalid([{ path: '/reply', message: parsed.reason }]);
  return raw;
}

async function taken(deps: AppDeps, rule: KeywordRule): Promise<AppError> {
  const key = keywordRuleKey(rule);
  const owner = (await deps.store.keywordRules.list(rule.accountId)).find((r) => r.id !== rule.id && keywordRuleKey(r) === key);
  return conflict(
    'keyword_rule_exists',
    `A ${rule.matchType} rule for "${owner?.keyword ?? rule.keyword}" on ${rule.virtualNumber ?? 'all numbers'} exists already${owner ? `: ${owner.id}` : ''}.`,
    [{ path: '/keyword', message: 'is taken by another rule with the same match type and virtual number (keywords ignore case)' }],
    owner ? { keywordId: owner.id } : undefined,
  );
}

async function mustGet(deps: AppDeps, accountId: string, id: string): Promise<KeywordRule> {
  const r = await deps.store.keywordRules.get(accountId, id);
  if (!r) throw notFound(`Keyword rule ${id}`);
  return r;
}

export async function createKeywordRule(deps: AppDeps, account: Account, input: KeywordRuleInput): Promise<KeywordRule> {
  const keyword = keywordOf(input.keyword);
  const reply = replyOf(input.reply ?? null);
  const virtualNumber = await numberOf(deps, account, input.virtualNumber ?? null);
  if ((await deps.store.keywordRules.list(account.id)).length >= KEYWORD_RULES_MAX) {
    throw unprocessable(
      'keyword_rule_limit',
      '/keyword',
      `cannot be added: the account has ${KEYWORD_RULES_MAX} keyword rules, the most it may have; delete one first`,
    );
  }
  const at = nowIso(deps);
  const rule: KeywordRule = {
    id: deps.ids.next('kw'),
    accountId: account.id,
    keyword,
    matchType: input.matchType ?? 'exact',
    virtualNumber,
    reply,
    active: input.active ?? true,
    createdAt: at,
    updatedAt: at,
  };
  try {
    return await deps.store.keywordRules.create(rule);
  } catch (err) {
    if (err instanceof DuplicateError) throw await taken(deps, rule);
    throw err;
  }
}

export async function listKeywordRules(deps: AppDeps, accountId: string): Promise<KeywordRule[]> {
  return deps.store.keywordRules.list(accountId);
}

export async function getKeywordRule(deps: AppDeps, accountId: string, id: string): Promise<KeywordRule> {
  return mustGet(deps, accountId, id);
}

/** Changes the fields given; `null` sends a rule back to all numbers, or makes it match only. */
export async function updateKeywordRule(
  deps: AppDeps,
  account: Account,
  id: string,
  patch: Partial<KeywordRuleInput>,
): Promise<KeywordRule> {
  const keyword = patch.keyword === undefined ? undefined : keywordOf(patch.keyword);
  const reply = patch.reply === undefined ? undefined : replyOf(patch.reply);
  const virtualNumber = patch.virtualNumber === undefined ? undefined : await numberOf(deps, account, patch.virtualNumber);
  return retryOnConflict(async () => {
    const current = await mustGet(deps, account.id, id);
    const next: KeywordRule = {
      ...current,
      keyword: keyword ?? current.keyword,
      matchType: patch.matchType ?? current.matchType,
      virtualNumber: virtualNumber === undefined ? current.virtualNumber : virtualNumber,
      reply: reply === undefined ? current.reply : reply,
      active: patch.active ?? current.active,
    };
    const same = (['keyword', 'matchType', 'virtualNumber', 'reply', 'active'] as const).every((k) => next[k] === current[k]);
    if (same) return current;
    try {
      return await deps.store.keywordRules.update({ ...next, updatedAt: nowIso(deps) });
    } catch (err) {
      if (err instanceof DuplicateError) throw await taken(deps, next);
      throw err;
    }
  });
}

/** Deletes a rule and answers it as it was. */
export async function deleteKeywordRule(deps: AppDeps, accountId: string, id: string): Promise<KeywordRule> {
  const rule = await mustGet(deps, accountId, id);
  if (!(await deps.store.keywordRules.delete(accountId, id))) throw notFound(`Keyword rule ${id}`);
  return rule;
}
