import { lint, operations, rules, type Json, type LintInput } from './certificationRules';
import { committedDefinition, committedProperties } from './committed';

// The failing examples edit deep paths of the JSON documents; typing every step would only add noise.
type Doc = any;

const input = (): { definition: Doc; properties: Doc } => ({ definition: committedDefinition(), properties: committedProperties() });
const op = (d: Doc, path: string, method: string): Doc => d.paths[path][method];
const bodyOf = (d: Doc, path: string, method: string): Doc => op(d, path, method).parameters.find((p: Doc) => p.in === 'body').schema;

/** For every rule, a change to the generated definition that breaks exactly what the rule checks. */
const failingExamples: Record<string, (i: { definition: Doc; properties: Doc }) => void> = {
  'operation-id-pascal-case': ({ definition }) => (op(definition, '/balance', 'get').operationId = 'get_balance'),
  'operation-id-unique': ({ definition }) => (op(definition, '/balance', 'get').operationId = 'GetMessage'),
  'summary-length': ({ definition }) =>
    (op(definition, '/balance', 'get').summary =
      'Get the credit balance of the account that the API key given in the connection belongs to right now'),
  'summary-characters': ({ definition }) => (op(definition, '/balance', 'get').summary = 'Get credit balance.'),
  'summary-sentence-case': ({ definition }) => (op(definition, '/balance', 'get').summary = 'Get Credit Balance'),
  'summary-unique': ({ definition }) => (op(definition, '/balance', 'get').summary = 'Get my account'),
  'description-sentence': ({ definition }) => (op(definition, '/balance', 'get').description = 'returns the remaining credits'),
  'description-differs-from-summary': ({ definition }) => (op(definition, '/balance', 'get').description = 'Get credit balance.'),
  'parameter-summary-description': ({ definition }) => delete op(definition, '/messages', 'get').parameters[0]['x-ms-summary'],
  'path-parameter-required-encoded': ({ definition }) =>
    delete op(definition, '/messages/{messageId}', 'get').parameters[0]['x-ms-url-encoding'],
  'property-summary-description': ({ definition }) => delete definition.definitions.Message.properties.segments['x-ms-summary'],
  'response-schema-declared': ({ definition }) => delete op(definition, '/balance', 'get').responses['200'].schema,
  'schema-never-empty': ({ definition }) =>
    (definition.definitions.Message.properties.cost = { 'x-ms-summary': 'Cost', description: 'What it costs.' }),
  'required-internal-has-default': ({ definition }) => {
    const body = bodyOf(definition, '/messages', 'post');
    body.properties.to['x-ms-visibility'] = 'internal';
  },
  'trigger-post-single': ({ definition }) => (op(definition, '/hooks/sms-received', 'post')['x-ms-trigger'] = 'batch'),
  'trigger-notification-url': ({ definition }) =>
    delete bodyOf(definition, '/hooks/sms-received', 'post').properties.callbackUrl['x-ms-notification-url'],
  'trigger-notification-content': ({ definition }) => delete definition.paths['/hooks/sms-received']['x-ms-notification-content'],
  'trigger-location-header': ({ definition }) => delete op(definition, '/hooks/sms-received', 'post').responses['201'].headers,
  'trigger-summary-when': ({ definition }) => (op(definition, '/hooks/sms-received', 'post').summary = 'SMS received'),
  'trigger-description-form': ({ definition }) =>
    (op(definition, '/hooks/sms-received', 'post').description = 'Fires for every inbound SMS.'),
  'trigger-hint': ({ definition }) => delete op(definition, '/hooks/sms-received', 'post')['x-ms-trigger-hint'],
  'trigger-delete-operation': ({ definition }) => delete op(definition, '/hooks/{subscriptionId}', 'delete')['x-ms-visibility'],
  'dynamic-values-target': ({ definition }) =>
    (bodyOf(definition, '/messages', 'post').properties.from['x-ms-dynamic-values'].operationId = 'ListSenderIds'),
  'dynamic-values-paths': ({ definition }) =>
    (bodyOf(definition, '/messages', 'post').properties.from['x-ms-dynamic-values']['value-title'] = 'label'),
  'security-api-key': ({ properties }) => (properties.properties.connectionParameters.api_key.type = 'string'),
  'test-connection': ({ definition }) => (definition['x-ms-capabilities'].testConnection.operationId = 'SendSms'),
  'connector-metadata': ({ definition }) => (definition['x-ms-connector-metadata'][2].propertyValue = 'Communication;Texting'),
  'info-title-description': ({ definition }) => (definition.info.title = 'DataFlows SMS API Connector'),
  'https-only': ({ definition }) => (definition.schemes = ['http']),
  'brand-color': ({ properties }) => (properties.properties.iconBrandColor = '#007ee5'),
  'no-operator-routes': ({ definition }) =>
    (definition.paths['/operator/accounts'] = {
      post: { ...op(definition, '/balance', 'get'), operationId: 'AdminCreateAccount', summary: 'Create an account' },
    }),
};

describe('certification rules', () => {
  test('the committed definition passes every rule', () => {
    expect(lint(input() as LintInput)).toEqual([]);
  });

  test('every rule has a failing example', () => {
    expect(Object.keys(failingExamples).sort()).toEqual(rules.map((r) => r.id).sort());
  });

  test.each(rules.map((r) => [r.id, r] as const))('%s fails on its example', (id, rule) => {
    const broken = input();
    failingExamples[id]!(broken);
    const violations = lint(broken as LintInput);
    expect(violations.filter((v) => v.rule === id)).not.toEqual([]);
    // The example breaks its own rule; it must not pass only because it happens to break another.
    expect(rule.check(broken as LintInput).length).toBeGreaterThan(0);
  });

  test('the linter walks every operation: 17 triggers and the actions', () => {
    const ops = operations(committedDefinition() as Json);
    expect(ops.filter((o) => o.op['x-ms-trigger']).length).toBe(17);
    expect(ops.filter((o) => !o.op['x-ms-trigger']).length).toBeGreaterThanOrEqual(11);
  });
});
