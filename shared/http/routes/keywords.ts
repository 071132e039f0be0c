import {
  KEYWORD_REPLY_MAX,
  KEYWORD_RULES_MAX,
  createKeywordRule,
  deleteKeywordRule,
  getKeywordRule,
  listKeywordRules,
  updateKeywordRule,
  type KeywordRuleInput,
} from '../../app/keywordRules';
import { KEYWORD_MATCH_TYPES, KEYWORD_MAX_LENGTH } from '../../domain/keywordRule';
import { listOf } from '../resources';
import { defineRoute, inputBody, type RouteDef } from '../route';
import { bool, nullable, obj, str, type JsonSchema } from '../../schema/builders';
import { idParam, problemResponses } from './common';
import { keywordRuleView } from '../../app/views';

const MATCH_TYPE_TEXT =
  'exact: the message is the keyword; starts_with: the message begins with it; contains: it appears as a whole word or phrase. Case and punctuation are ignored.';
const REPLY_TEXT =
  "Automatic reply, sent from the number that received the SMS: a template with {{firstName}}, {{lastName}}, {{email}}, {{phone}} and custom fields of the sender's contact, {{name|fallback}} for a missing value; null to only trigger When a keyword is matched.";

export const keywordRuleSchema: JsonSchema = obj(
  'Keyword rule',
  'A keyword that inbound SMS are matched against, and its automatic reply.',
  {
    id: str('Keyword rule ID', 'Identifier of the rule, prefixed kw_.'),
    keyword: str('Keyword', 'The keyword; matched ignoring case.'),
    matchType: str('Match type', MATCH_TYPE_TEXT, { enum: [...KEYWORD_MATCH_TYPES] }),
    virtualNumber: nullable(str('Virtual number', 'The number the rule applies to (E.164); null for all your numbers.')),
    reply: nullable(str('Reply', 'The automatic reply template; null when the rule only triggers flows.')),
    active: bool('Active', 'Whether inbound SMS are matched against the rule.'),
    createdAt: str('Created at', 'When the rule was created.', { format: 'date-time' }),
    updatedAt: str('Updated at', 'When the rule was last changed.', { format: 'date-time' }),
  },
  ['id', 'keyword', 'matchType', 'virtualNumber', 'reply', 'active', 'createdAt', 'updatedAt'],
);

const fields = (purpose: 'create' | 'update') => ({
  keyword: str(
    'Keyword',
    `${purpose === 'create' ? 'The keyword' : 'New keyword'}: letters, digits and spaces, up to ${KEYWORD_MAX_LENGTH} characters; not STOP, START or their synonyms (carriers handle those).`,
    { minLength: 1, maxLength: KEYWORD_MAX_LENGTH, 'x-ms-visibility': 'important' },
  ),
  matchType: str('Match type', `${MATCH_TYPE_TEXT}${purpose === 'create' ? ' Default exact.' : ''}`, {
    enum: [...KEYWORD_MATCH_TYPES],
    'x-ms-visibility': 'important',
  }),
  virtualNumber: nullable(
    str('Virtual number', 'Only SMS to this number of yours (E.164); leave empty (null) for all your numbers.', {
      maxLength: 32,
      'x-ms-dynamic-values': {
        operationId: 'ListVirtualNumberValues',
        'value-collection': 'items',
        'value-path': 'value',
        'value-title': 'title',
      },
    }),
  ),
  reply: nullable(
    str('Reply', REPLY_TEXT, { minLength: 1, maxLength: KEYWORD_REPLY_MAX, lineBreaks: true, 'x-ms-visibility': 'important' }),
  ),
  active: bool(
    'Active',
    `Whether the rule is matched${purpose === 'create' ? ' (default true)' : ''}; an inactive rule is kept but ignored.`,
  ),
});

const keywordIdParam = idParam('keywordId', 'Keyword rule ID', 'ID of the keyword rule, prefixed kw_.');

export const keywordRoutes: RouteDef[] = [
  defineRoute({
    method: 'GET',
    path: '/keywords',
    operationId: 'ListKeywordRules',
    summary: 'List keyword rules',
    description: "Lists the account's keyword rules, oldest first, with their match types, numbers and replies.",
    tags: ['Keywords'],
    auth: 'account',
    scope: 'keywords:read',
    responses: { 200: { description: 'The keyword rules.', schema: listOf('Keyword rules', keywordRuleSchema) } },
    connector: { visibility: 'advanced' },
    async handle({ deps, account }) {
      return { status: 200, body: { items: (await listKeywordRules(deps, account.id)).map(keywordRuleView) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/keywords',
    operationId: 'CreateKeywordRule',
    summary: 'Create a keyword rule',
    description: `Creates a rule that matches inbound SMS by keyword and can answer them automatically (up to ${KEYWORD_RULES_MAX} rules per account).`,
    tags: ['Keywords'],
    auth: 'account',
    scope: 'keywords:write',
    body: inputBody<KeywordRuleInput>()(obj('Keyword rule', 'The rule to create.', fields('create'), ['keyword'])),
    responses: { 201: { description: 'The rule was created.', schema: keywordRuleSchema }, ...problemResponses(400, 409, 422) },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      const rule = await createKeywordRule(deps, account, req.body);
      return { status: 201, body: keywordRuleView(rule), headers: { location: `/api/keywords/${rule.id}` } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/keywords/{keywordId}',
    operationId: 'GetKeywordRule',
    summary: 'Get a keyword rule',
    description: 'Returns one keyword rule with its match type, number and reply.',
    tags: ['Keywords'],
    auth: 'account',
    scope: 'keywords:read',
    pathParams: [keywordIdParam],
    responses: { 200: { description: 'The rule.', schema: keywordRuleSchema }, ...problemResponses(404) },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      return { status: 200, body: keywordRuleView(await getKeywordRule(deps, account.id, req.params.keywordId)) };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/keywords/{keywordId}',
    operationId: 'UpdateKeywordRule',
    summary: 'Update a keyword rule',
    description: 'Changes the fields given: keyword, match type, number, reply, or whether the rule is active.',
    tags: ['Keywords'],
    auth: 'account',
    scope: 'keywords:write',
    pathParams: [keywordIdParam],
    body: inputBody<Partial<KeywordRuleInput>>()(obj('Keyword rule changes', 'The fields to change.', fields('update'))),
    responses: { 200: { description: 'The rule as it is now.', schema: keywordRuleSchema }, ...problemResponses(400, 404, 409, 422) },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      return { status: 200, body: keywordRuleView(await updateKeywordRule(deps, account, req.params.keywordId, req.body)) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/keywords/{keywordId}',
    operationId: 'DeleteKeywordRule',
    summary: 'Delete a keyword rule',
    description: 'Deletes a keyword rule and returns it as it was; SMS are no longer matched against it.',
    tags: ['Keywords'],
    auth: 'account',
    scope: 'keywords:write',
    pathParams: [keywordIdParam],
    responses: { 200: { description: 'The deleted rule.', schema: keywordRuleSchema }, ...problemResponses(404) },
    connector: { visibility: 'advanced' },
    async handle({ deps, req, account }) {
      return { status: 200, body: keywordRuleView(await deleteKeywordRule(deps, account.id, req.params.keywordId)) };
    },
  }),
];
