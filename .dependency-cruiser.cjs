/**
 * The import direction of ARCHITECTURE.md, checked in `npm test`:
 * schema ← domain ← ports ← app ← webhooks ← http ← config ← local/functions;
 * adapters implement ports; SDKs only in adapters/functions; only config (the composition root)
 * picks adapters. Every folder of shared/ has a rule (`known-layer` refuses a new one until it does).
 */
const LAYERS = 'domain|schema|settings|ports|app|webhooks|adapters|http|config|local|connector|types';
const AZURE = '^node_modules/@azure/';
module.exports = {
  forbidden: [
    { name: 'domain-is-pure', severity: 'error', comment: 'domain imports nothing of the project but itself and the schema builders (its event payloads are typed schemas)', from: { path: '^shared/domain/' }, to: { path: '^(shared/(?!domain/|schema/)|functions/)' } },
    { name: 'domain-no-io', severity: 'error', comment: 'domain does no I/O', from: { path: '^shared/domain/' }, to: { dependencyTypes: ['core'] } },
    { name: 'schema-is-a-leaf', severity: 'error', comment: 'the schema builders (domain events, webhooks, http read them) import nothing of the project', from: { path: '^shared/schema/' }, to: { path: '^(shared/(?!schema/)|functions/)' } },
    { name: 'schema-no-io', severity: 'error', comment: 'the schema builders only build objects', from: { path: '^shared/schema/' }, to: { dependencyTypes: ['core'] } },
    { name: 'types-are-declarations', severity: 'error', comment: 'ambient declarations of untyped packages import nothing of the project', from: { path: '^shared/types/' }, to: { path: '^(shared|functions)/' } },
    { name: 'settings-is-leaf', severity: 'error', comment: 'how a setting is declared: read by config and the carriers\' descriptors, imports nothing of the project', from: { path: '^shared/settings/' }, to: { path: '^(shared/(?!settings/)|functions/)' } },
    { name: 'ports-only-domain', severity: 'error', from: { path: '^shared/ports/' }, to: { path: '^(shared/(?!ports/|domain/)|functions/)' } },
    { name: 'app-uses-ports', severity: 'error', comment: 'use cases see ports and domain, never adapters, http or hosts', from: { path: '^shared/app/' }, to: { path: '^(shared/(adapters|http|local|config|webhooks)/|functions/)' } },
    { name: 'webhooks-below-http', severity: 'error', comment: 'webhooks (catalog, subscriptions, relay, delivery) use app, ports, domain and schema; http, hosts and the composition root use webhooks, never the reverse', from: { path: '^shared/webhooks/' }, to: { path: '^(shared/(adapters|http|local|config)/|functions/)' } },
    { name: 'adapters-implement-ports', severity: 'error', comment: 'adapters import ports, domain and their own kind', from: { path: '^shared/adapters/' }, to: { path: '^(shared/(app|http|local|config|webhooks)/|functions/)' } },
    { name: 'http-not-adapters', severity: 'error', from: { path: '^shared/http/' }, to: { path: '^(shared/(adapters|local|config)/|functions/)' } },
    { name: 'config-below-hosts', severity: 'error', comment: 'the composition root wires adapters, app, webhooks and http; the hosts (local/, functions/) use it, never the reverse', from: { path: '^shared/config/' }, to: { path: '^(shared/local/|functions/)' } },
    { name: 'local-is-a-host', severity: 'error', comment: 'the embedded host does not import the other host', from: { path: '^shared/local/' }, to: { path: '^functions/' } },
    { name: 'routes-do-not-borrow', severity: 'error', comment: 'a route module imports no other route module (routes/common.ts aside): what two share goes to a shared module of http/', from: { path: '^shared/http/routes/(?!index\\.ts$)' }, to: { path: '^shared/http/routes/(?!common\\.ts$)' } },
    { name: 'hosts-not-adapters', severity: 'error', comment: 'functions/ and local/ go through config, never an adapter directly', from: { path: '^(functions|shared/local)/' }, to: { path: '^shared/adapters/' } },
    { name: 'sdk-only-in-adapters', severity: 'error', comment: '@azure/* SDKs only in adapters/ and functions/', from: { path: '^shared/(?!adapters/)' }, to: { path: AZURE } },
    { name: 'known-layer', severity: 'error', comment: 'a new folder of shared/ needs its own rule here and a row in ARCHITECTURE.md', from: { path: '^shared/', pathNot: `^shared/(${LAYERS})/` }, to: {} },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'no-test-code-in-product', severity: 'error', from: { path: '^(shared|functions)/' }, to: { path: '^tests/' } },
    { name: 'connector-is-tooling', severity: 'error', comment: 'the connector generator is build tooling: product code never imports it (scripts/ and tests/ do)', from: { path: '^(shared/(?!connector/)|functions/)' }, to: { path: '^(shared/connector/|scripts/)' } },
    { name: 'connector-reads-declarations', severity: 'error', comment: 'the generator reads the route table and the event catalog, never runtime wiring', from: { path: '^shared/connector/' }, to: { path: '^(shared/(adapters|app|config|local)/|functions/|scripts/)' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
