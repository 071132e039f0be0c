import type { ResponseSpec, RouteDef } from '../http/route';
import type { JsonSchema } from '../schema/builders';
import { eventPayloadSchema } from '../webhooks/catalog';
import type { EventDefinition } from '../webhooks/eventDefinition';
import { CONNECTOR } from './metadata';
import type { ConnectorOptions } from './options';
import { SchemaEmitter, toSwaggerParameter, type SwaggerObject } from './swaggerSchema';
import { TRIGGER_HINTS } from './triggerHints';

export class ConnectorGenerationError extends Error {}

/** Routes that belong in the connector: those with connector metadata, and every webhook trigger. */
export function connectorRoutes(routes: RouteDef[]): RouteDef[] {
  return routes.filter((r) => r.connector !== undefined || r.trigger !== undefined);
}

/**
 * The Swagger 2.0 document Power Platform imports (apiDefinition.swagger.json), built from the
 * route table only: every operation, parameter and schema comes from a RouteDef, every trigger
 * payload from the event catalog entry its subscription route carries.
 */
export function buildApiDefinition(routes: RouteDef[], options: ConnectorOptions): SwaggerObject {
  const included = connectorRoutes(routes);
  const emitter = new SchemaEmitter();
  // Pass 1 only counts schema objects so that pass 2 knows which ones are shared.
  buildPaths(included, (s) => (emitter.count(s), {}));
  const paths = buildPaths(included, (s) => emitter.emit(s));
  const tags: string[] = [];
  for (const route of included) for (const t of route.tags) if (!tags.includes(t)) tags.push(t);
  return {
    swagger: '2.0',
    info: {
      title: CONNECTOR.title,
      description: CONNECTOR.description,
      version: CONNECTOR.version,
      contact: { name: CONNECTOR.publisher, url: options.websiteUrl, email: options.supportEmail },
    },
    host: options.host,
    basePath: options.basePath,
    schemes: options.schemes,
    consumes: ['application/json'],
    produces: ['application/json'],
    paths,
    definitions: Object.fromEntries(
      Object.keys(emitter.definitions)
        .sort()
        .map((k) => [k, emitter.definitions[k]]),
    ),
    securityDefinitions: {
      [CONNECTOR.apiKeyParameter]: {
        type: 'apiKey',
        in: 'header',
        name: CONNECTOR.apiKeyHeader,
        description: 'Your DataFlows SMS API key.',
      },
    },
    security: [{ [CONNECTOR.apiKeyParameter]: [] }],
    tags: tags.map((name) => ({ name })),
    'x-ms-connector-metadata': [
      { propertyName: 'Website', propertyValue: options.websiteUrl },
      { propertyName: 'Privacy policy', propertyValue: options.privacyPolicyUrl },
      { propertyName: 'Categories', propertyValue: CONNECTOR.categories.join(';') },
    ],
    'x-ms-capabilities': { testConnection: { operationId: CONNECTOR.testConnectionOperationId, parameters: {} } },
  };
}

type Emit = (s: JsonSchema) => SwaggerObject;

function buildPaths(included: RouteDef[], emit: Emit): Record<string, SwaggerObject> {
  const paths: Record<string, SwaggerObject> = {};
  const seen = new Set<string>();
  for (const route of included) {
    if (route.auth !== 'account') {
      throw new ConnectorGenerationError(`${route.operationId}: only account routes can be in the connector (auth is ${route.auth})`);
    }
    if (seen.has(route.operationId)) throw new ConnectorGenerationError(`operationId ${route.operationId} is used twice`);
    seen.add(route.operationId);
    const item = (paths[route.path] ??= {});
    const method = route.method.toLowerCase();
    if (item[method]) throw new ConnectorGenerationError(`${route.method} ${route.path} is declared twice`);
    item[method] = route.trigger ? triggerOperation(route, route.trigger, emit) : actionOperation(route, emit);
    if (route.trigger) {
      item['x-ms-notification-content'] = {
        description: `The ${route.trigger.type} event: the event envelope with the event's data.`,
        // Named after the event's data ("SMS received event"), which reads better in the designer than the catalog's envelope title.
        schema: emit({ ...eventPayloadSchema(route.trigger), title: `${route.trigger.dataSchema.title ?? route.trigger.type} event` }),
      };
    }
  }
  return paths;
}

function baseOperation(route: RouteDef, summary: string, description: string): SwaggerObject {
  return {
    tags: route.tags,
    summary,
    description,
    operationId: route.operationId,
    ...(route.connector?.visibility ? { 'x-ms-visibility': route.connector.visibility } : {}),
  };
}

function actionOperation(route: RouteDef, emit: Emit): SwaggerObject {
  return {
    ...baseOperation(route, route.summary, route.description),
    parameters: parameters(route, route.body, emit),
    responses: responses(route.responses, emit),
    ...(route.connector?.extensions ?? {}),
  };
}

/**
 * A webhook trigger the way Power Automate registers one: POST with the callback URL in the body
 * (x-ms-notification-url, internal, required), 201 + Location, which it DELETEs when the flow is
 * turned off. Summary and description come from the catalog, so they read "When ..." and
 * "This operation triggers when ...".
 */
function triggerOperation(route: RouteDef, event: EventDefinition, emit: Emit): SwaggerObject {
  if (route.method !== 'POST' || !route.body)
    throw new ConnectorGenerationError(`${route.operationId}: a trigger route must be a POST with a body`);
  return {
    ...baseOperation(route, event.title, event.description),
    'x-ms-trigger': 'single',
    'x-ms-trigger-hint': TRIGGER_HINTS[event.type],
    parameters: parameters(route, subscriptionBody(route, event), emit),
    responses: responses(route.responses, emit),
    ...(route.connector?.extensions ?? {}),
  };
}

/** The subscription body with the callback URL marked for Power Automate and the filters given dropdowns. */
function subscriptionBody(route: RouteDef, event: EventDefinition): JsonSchema {
  const body = route.body!;
  const properties = { ...(body.properties ?? {}) };
  const urlName = notificationUrlProperty(route, body);
  properties[urlName] = { ...properties[urlName]!, 'x-ms-visibility': 'internal', 'x-ms-notification-url': true };
  for (const f of event.filters) {
    if (!f.dynamicValues || !properties[f.name]) continue;
    const dv = f.dynamicValues;
    properties[f.name] = {
      ...properties[f.name]!,
      'x-ms-dynamic-values': {
        operationId: dv.operationId,
        'value-collection': dv.valueCollection,
        'value-path': dv.valuePath,
        'value-title': dv.valueTitle,
      },
    };
  }
  const required = body.required?.includes(urlName) ? body.required : [...(body.required ?? []), urlName];
  return { ...body, properties, required };
}

/**
 * The callback URL property of a subscription body: the one marked x-ms-notification-url, else the
 * single required `uri` string (a subscription body has exactly one URL: where to deliver).
 */
function notificationUrlProperty(route: RouteDef, body: JsonSchema): string {
  const props = Object.entries(body.properties ?? {});
  const marked = props.filter(([, s]) => s['x-ms-notification-url'] === true);
  const candidates = marked.length
    ? marked
    : props.filter(([name, s]) => s.type === 'string' && s.format === 'uri' && (body.required ?? []).includes(name));
  if (candidates.length !== 1)
    throw new ConnectorGenerationError(`${route.operationId}: cannot tell which body property is the callback URL`);
  return candidates[0]![0];
}

function parameters(route: RouteDef, body: JsonSchema | undefined, emit: Emit): SwaggerObject[] {
  const out: SwaggerObject[] = [];
  for (const p of route.pathParams ?? []) out.push(toSwaggerParameter(p, 'path'));
  for (const p of route.query ?? []) out.push(toSwaggerParameter(p, 'query'));
  for (const p of route.headers ?? []) out.push(toSwaggerParameter(p, 'header'));
  if (body) {
    out.push({
      name: 'body',
      in: 'body',
      required: route.bodyRequired !== false,
      ...(body.description ? { description: body.description } : {}),
      ...(body.title ? { 'x-ms-summary': body.title } : {}),
      schema: emit(body),
    });
  }
  return out;
}

function responses(specs: Record<number, ResponseSpec>, emit: Emit): SwaggerObject {
  const out: SwaggerObject = {};
  for (const [code, spec] of Object.entries(specs)) {
    out[code] = {
      description: spec.description,
      ...(spec.schema ? { schema: emit(spec.schema) } : {}),
      ...(spec.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(spec.headers).map(([name, h]) => [name, { type: h.type, description: h.description, 'x-ms-summary': name }]),
            ),
          }
        : {}),
    };
  }
  return out;
}
