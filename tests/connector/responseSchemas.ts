import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Json } from './certificationRules';

/**
 * Validates what the API answered against what the connector definition declares for that
 * operation and status: the same schema Power Automate builds dynamic content from. Swagger 2.0
 * spells "may be null" as x-nullable; JSON Schema as a null type, so that is translated.
 */
export function responseValidator(definition: Json) {
  // strict: false — the schemas carry x-ms-* annotations, which are not JSON Schema keywords.
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const definitions = Object.fromEntries(
    Object.entries((definition.definitions ?? {}) as Record<string, Json>).map(([k, v]) => [k, nullable(v)]),
  );
  const cache = new Map<Json, ValidateFunction>();

  return function validate(schema: Json, value: unknown): string[] {
    let fn = cache.get(schema);
    if (!fn) {
      fn = ajv.compile({ ...nullable(schema), definitions });
      cache.set(schema, fn);
    }
    return fn(value) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  };
}

function nullable(schema: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties')
      out.properties = Object.fromEntries(Object.entries(v as Record<string, Json>).map(([n, s]) => [n, nullable(s)]));
    else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object') out[k] = nullable(v as Json);
    else out[k] = v;
  }
  if (schema['x-nullable'] === true) {
    out.type = [schema.type, 'null'];
    if (Array.isArray(schema.enum)) out.enum = [...(schema.enum as unknown[]), null];
  }
  return out;
}

/** The declared schema of an operation's response with that status code (undefined when it declares none). */
export function declaredResponse(definition: Json, operationId: string, status: number): { declared: boolean; schema?: Json } {
  for (const item of Object.values((definition.paths ?? {}) as Record<string, Json>)) {
    for (const op of Object.values(item) as Json[]) {
      if (op && typeof op === 'object' && op.operationId === operationId) {
        const r = ((op.responses ?? {}) as Record<string, Json>)[String(status)];
        return { declared: r !== undefined, schema: r?.schema as Json | undefined };
      }
    }
  }
  throw new Error(`no operation ${operationId}`);
}
