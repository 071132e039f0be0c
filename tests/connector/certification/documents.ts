/** Walking a connector definition for the certification rules: its operations, parameters and schema trees. */

// The documents are plain JSON; walking them typed as `any` would hide nothing the checks rely on,
// so they are read through this loose record type instead.
export type Json = Record<string, unknown>;

export interface LintInput {
  definition: Json;
  properties: Json;
}

export interface Rule {
  id: string;
  description: string;
  check(input: LintInput): string[];
}

export interface Violation {
  rule: string;
  message: string;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

export interface Operation {
  method: (typeof METHODS)[number];
  path: string;
  pathItem: Json;
  op: Json;
  id: string;
}

export function operations(definition: Json): Operation[] {
  const out: Operation[] = [];
  for (const [path, pathItem] of Object.entries((definition.paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      const op = pathItem[method] as Json | undefined;
      if (op) out.push({ method, path, pathItem, op, id: String(op.operationId ?? `${method} ${path}`) });
    }
  }
  return out;
}

export const params = (op: Json): Json[] => (op.parameters as Json[] | undefined) ?? [];
export const isTrigger = (o: Operation): boolean => o.op['x-ms-trigger'] !== undefined;

/** Follows a local `#/definitions/X` reference. */
export function deref(definition: Json, schema: Json | undefined): Json | undefined {
  if (!schema || typeof schema.$ref !== 'string') return schema;
  const name = schema.$ref.replace(/^#\/definitions\//, '');
  return ((definition.definitions ?? {}) as Record<string, Json>)[name];
}

/** Every (named) property of a schema tree, with its dotted path; references are followed once. */
export function eachProperty(
  definition: Json,
  schema: Json | undefined,
  at: string,
  visit: (path: string, s: Json) => void,
  seen = new Set<Json>(),
): void {
  const s = deref(definition, schema);
  if (!s || seen.has(s)) return;
  seen.add(s);
  for (const [name, child] of Object.entries((s.properties ?? {}) as Record<string, Json>)) {
    visit(`${at}.${name}`, deref(definition, child) ?? child);
    eachProperty(definition, child, `${at}.${name}`, visit, new Set(seen));
  }
  if (s.items) eachProperty(definition, s.items as Json, `${at}[]`, visit, new Set(seen));
  if (s.additionalProperties && typeof s.additionalProperties === 'object')
    eachProperty(definition, s.additionalProperties as Json, `${at}{}`, visit, new Set(seen));
}

/** Every schema node of a tree (for "never {}"), references followed once. */
export function eachSchema(
  definition: Json,
  schema: Json | undefined,
  at: string,
  visit: (path: string, s: Json) => void,
  seen = new Set<Json>(),
): void {
  if (!schema) return;
  visit(at, schema);
  const s = deref(definition, schema);
  if (!s || seen.has(s)) return;
  seen.add(s);
  for (const [name, child] of Object.entries((s.properties ?? {}) as Record<string, Json>))
    eachSchema(definition, child, `${at}.${name}`, visit, seen);
  if (s.items) eachSchema(definition, s.items as Json, `${at}[]`, visit, seen);
  if (s.additionalProperties && typeof s.additionalProperties === 'object')
    eachSchema(definition, s.additionalProperties as Json, `${at}{}`, visit, seen);
}

/** The schemas a maker sees: request bodies, 2xx responses, trigger outputs. */
export function userSchemas(definition: Json): { where: string; schema: Json }[] {
  const out: { where: string; schema: Json }[] = [];
  for (const o of operations(definition)) {
    for (const p of params(o.op)) if (p.in === 'body' && p.schema) out.push({ where: `${o.id} body`, schema: p.schema as Json });
    for (const [code, r] of Object.entries((o.op.responses ?? {}) as Record<string, Json>)) {
      if (/^2/.test(code) && r.schema) out.push({ where: `${o.id} ${code}`, schema: r.schema as Json });
    }
    const content = o.pathItem['x-ms-notification-content'] as Json | undefined;
    if (isTrigger(o) && content?.schema) out.push({ where: `${o.id} notification`, schema: content.schema as Json });
  }
  return out;
}

/** Every x-ms-dynamic-values of a parameter or body property, with where it is. */
export function dynamicValueUses(definition: Json): { where: string; dv: Json }[] {
  const out: { where: string; dv: Json }[] = [];
  for (const o of operations(definition)) {
    for (const p of params(o.op)) {
      if (p['x-ms-dynamic-values']) out.push({ where: `${o.id} ${String(p.name)}`, dv: p['x-ms-dynamic-values'] as Json });
      if (p.in === 'body') {
        eachProperty(definition, p.schema as Json, `${o.id} body`, (path, s) => {
          if (s['x-ms-dynamic-values']) out.push({ where: path, dv: s['x-ms-dynamic-values'] as Json });
        });
      }
    }
  }
  return out;
}
