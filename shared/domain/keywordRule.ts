import { complianceKeyword } from './optOut';

/**
 * Keyword rules (seed 000 "Keyword Management: Automated responses to specific keywords"): an
 * inbound SMS that matches a rule's keyword fires Keyword Matched and, when the rule has a reply,
 * is answered automatically from the number it was sent to.
 *
 * Matching is by words, never by raw substrings, so "hours" does not match "vouchers":
 *  - a word is a run of letters, digits and combining marks (any script); everything else
 *    (spaces, punctuation, emoji) separates words, and case is ignored (after NFKC);
 *  - `exact`: the message's words are the keyword's words and nothing else ("Hours?" and
 *    " hours " match HOURS; "hours please" does not);
 *  - `starts_with`: the message's first words are the keyword's words ("Hours today?" matches
 *    HOURS; "Hourly" does not);
 *  - `contains`: the keyword's words appear consecutively anywhere in the message ("what are your
 *    opening hours" matches OPENING HOURS; "vouchers" does not match HOURS).
 * So that what a rule matches is plain from its keyword, keywords are letters, digits and spaces
 * only; punctuation in a message then never matters ("check-in" matches the keyword CHECK IN).
 */

export type KeywordMatchType = 'exact' | 'starts_with' | 'contains';

export const KEYWORD_MATCH_TYPES: readonly KeywordMatchType[] = ['exact', 'starts_with', 'contains'];

export const KEYWORD_MAX_LENGTH = 50;

export interface KeywordRule {
  id: string;
  accountId: string;
  /** As the account wrote it, trimmed, inner spaces collapsed; compared ignoring case. */
  keyword: string;
  matchType: KeywordMatchType;
  /** E.164 number of the account the rule applies to; null: every number of the account. */
  virtualNumber: string | null;
  /** Auto-reply template (campaign template syntax); null: the rule only fires Keyword Matched. */
  reply: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  /** Opaque concurrency token owned by the store; absent on a record not yet stored. */
  etag?: string;
}

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** The words of a text as matching sees them: NFKC, lower case, punctuation and spaces dropped. */
export function wordsOf(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(WORD) ?? [];
}

export type KeywordCheck = { ok: true; keyword: string } | { ok: false; reason: string; compliance?: boolean };

/**
 * A keyword as stored: trimmed, runs of spaces made one. Carrier compliance words (STOP, START and
 * their synonyms) are refused: carriers act on them, a rule must not answer them. HELP and INFO are
 * allowed: a rule is how an account answers HELP.
 */
export function checkKeyword(raw: string): KeywordCheck {
  const keyword = raw.trim().replace(/\s+/gu, ' ');
  if (keyword === '') return { ok: false, reason: 'must not be blank' };
  if (keyword.length > KEYWORD_MAX_LENGTH) return { ok: false, reason: `must be at most ${KEYWORD_MAX_LENGTH} characters` };
  if (!/^[\p{L}\p{N}\p{M} ]+$/u.test(keyword))
    return { ok: false, reason: 'may contain only letters, digits and spaces (punctuation in a message is ignored when matching)' };
  const compliance = complianceKeyword(keyword.normalize('NFKC'));
  if (compliance && compliance.action !== 'help') {
    return {
      ok: false,
      compliance: true,
      reason: `${compliance.keyword} is a carrier compliance keyword (opt-out and opt-in words are handled by the platform and cannot be rules)`,
    };
  }
  return { ok: true, keyword };
}

/**
 * What two rules must not share within an account: the keyword's words (so case and spacing do not
 * make a second rule), the match type and the number (or all numbers).
 */
export function keywordRuleKey(rule: Pick<KeywordRule, 'keyword' | 'matchType' | 'virtualNumber'>): string {
  return `${wordsOf(rule.keyword).join(' ')}\n${rule.matchType}\n${rule.virtualNumber ?? '*'}`;
}

/** Whether a message's words match a keyword's words by the given match type. */
export function matchesKeyword(messageWords: readonly string[], keywordWords: readonly string[], matchType: KeywordMatchType): boolean {
  const n = keywordWords.length;
  if (n === 0 || messageWords.length < n) return false;
  const at = (start: number) => keywordWords.every((w, i) => messageWords[start + i] === w);
  switch (matchType) {
    case 'exact':
      return messageWords.length === n && at(0);
    case 'starts_with':
      return at(0);
    case 'contains':
      for (let start = 0; start + n <= messageWords.length; start++) if (at(start)) return true;
      return false;
  }
}

const TYPE_RANK: Record<KeywordMatchType, number> = { exact: 0, starts_with: 1, contains: 2 };

/**
 * The one rule that answers an inbound text sent to `virtualNumber`, or null. Among the active
 * rules of that number (or of all numbers) that match: exact beats starts_with beats contains; then
 * a rule of the specific number beats an all-numbers rule; then the oldest (createdAt, then id).
 */
export function pickKeywordRule(rules: readonly KeywordRule[], text: string, virtualNumber: string): KeywordRule | null {
  const words = wordsOf(text);
  let best: KeywordRule | null = null;
  for (const rule of rules) {
    if (!rule.active || (rule.virtualNumber !== null && rule.virtualNumber !== virtualNumber)) continue;
    if (!matchesKeyword(words, wordsOf(rule.keyword), rule.matchType)) continue;
    if (!best || beats(rule, best)) best = rule;
  }
  return best;
}

function beats(a: KeywordRule, b: KeywordRule): boolean {
  if (TYPE_RANK[a.matchType] !== TYPE_RANK[b.matchType]) return TYPE_RANK[a.matchType] < TYPE_RANK[b.matchType];
  const aSpecific = a.virtualNumber !== null;
  if (aSpecific !== (b.virtualNumber !== null)) return aSpecific;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt;
  return a.id < b.id;
}
