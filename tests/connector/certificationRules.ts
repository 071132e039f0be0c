/**
 * A small linter for the rules Microsoft applies when certifying a connector (the "Connector
 * certification" submission checklist and the Solution checker / paconn validate warnings):
 * naming, summaries, descriptions, webhook triggers, dynamic values, response schemas, security
 * and metadata. One rule per check, so a failure names exactly what to fix; certification.test.ts
 * gives each rule an example that breaks it.
 */

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

const params = (op: Json): Json[] => (op.parameters as Json[] | undefined) ?? [];
const isTrigger = (o: Operation): boolean => o.op['x-ms-trigger'] !== undefined;

/** Follows a local `#/definitions/X` reference. */
export function deref(definition: Json, schema: Json | undefined): Json | undefined {
  if (!schema || typeof schema.$ref !== 'string') return schema;
  const name = schema.$ref.replace(/^#\/definitions\//, '');
  return ((definition.definitions ?? {}) as Record<string, Json>)[name];
}

/** Every (named) property of a schema tree, with its dotted path; references are followed once. */
function eachProperty(definition: Json, schema: Json | undefined, at: string, visit: (path: string, s: Json) => void, seen = new Set<Json>()): void {
  const s = deref(definition, schema);
  if (!s || seen.has(s)) return;
  seen.add(s);
  for (const [name, child] of Object.entries((s.properties ?? {}) as Record<string, Json>)) {
    visit(`${at}.${name}`, deref(definition, child) ?? child);
    eachProperty(definition, child, `${at}.${name}`, visit, new Set(seen));
  }
  if (s.items) eachProperty(definition, s.items as Json, `${at}[]`, visit, new Set(seen));
  if (s.additionalProperties && typeof s.additionalProperties === 'object') eachProperty(definition, s.additionalProperties as Json, `${at}{}`, visit, new Set(seen));
}

/** Every schema node of a tree (for "never {}"), references followed once. */
function eachSchema(definition: Json, schema: Json | undefined, at: string, visit: (path: string, s: Json) => void, seen = new Set<Json>()): void {
  if (!schema) return;
  visit(at, schema);
  const s = deref(definition, schema);
  if (!s || seen.has(s)) return;
  seen.add(s);
  for (const [name, child] of Object.entries((s.properties ?? {}) as Record<string, Json>)) eachSchema(definition, child, `${at}.${name}`, visit, seen);
  if (s.items) eachSchema(definition, s.items as Json, `${at}[]`, visit, seen);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') eachSchema(definition, s.additionalProperties as Json, `${at}{}`, visit, seen);
}

/** The schemas a maker sees: request bodies, 2xx responses, trigger outputs. */
function userSchemas(definition: Json): { where: string; schema: Json }[] {
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

// Words that keep their capitals inside a sentence-case summary.
const PROPER_NOUNS = new Set(['DataFlows', 'Power', 'Automate']);
const isAcronym = (w: string): boolean => /^[A-Z0-9]{2,}s?$/.test(w);

// Microsoft's list of connector categories (x-ms-connector-metadata Categories).
const CATEGORIES = new Set([
  'AI', 'Business Management', 'Business Intelligence', 'Collaboration', 'Commerce', 'Communication', 'Content and Files', 'Finance', 'Data',
  'Human Resources', 'Internet of Things', 'IT Operations', 'Lifestyle and Entertainment', 'Marketing', 'Productivity', 'Sales and CRM', 'Security',
  'Social Media', 'Website',
]);

export const rules: Rule[] = [
  {
    id: 'operation-id-pascal-case',
    description: 'operationId is PascalCase and alphanumeric.',
    check: ({ definition }) => operations(definition).filter((o) => !/^[A-Z][a-zA-Z0-9]*$/.test(String(o.op.operationId ?? ''))).map((o) => `${o.method.toUpperCase()} ${o.path}: operationId "${String(o.op.operationId)}" is not PascalCase alphanumeric`),
  },
  {
    id: 'operation-id-unique',
    description: 'operationIds are unique.',
    check: ({ definition }) => {
      const ids = operations(definition).map((o) => o.id);
      return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))].map((id) => `operationId ${id} is used more than once`);
    },
  },
  {
    id: 'summary-length',
    description: 'Every operation has a summary of at most 80 characters.',
    check: ({ definition }) => operations(definition).filter((o) => typeof o.op.summary !== 'string' || !o.op.summary || o.op.summary.length > 80).map((o) => `${o.id}: summary missing or longer than 80 characters`),
  },
  {
    id: 'summary-characters',
    description: 'Summaries hold only letters, digits, spaces and parentheses, and end without punctuation.',
    check: ({ definition }) => operations(definition).filter((o) => !/^[A-Za-z0-9 ()]*[A-Za-z0-9)]$/.test(String(o.op.summary ?? ''))).map((o) => `${o.id}: summary "${String(o.op.summary)}" has punctuation or other characters`),
  },
  {
    id: 'summary-sentence-case',
    description: 'Summaries are in sentence case: a capital first letter, later words lower case unless acronyms or proper nouns.',
    check: ({ definition }) =>
      operations(definition).flatMap((o) => {
        const words = String(o.op.summary ?? '').split(' ');
        const bad = words.slice(1).filter((w) => /^[A-Z]/.test(w) && !isAcronym(w) && !PROPER_NOUNS.has(w));
        if (!/^[A-Z]/.test(words[0] ?? '')) return [`${o.id}: summary does not start with a capital letter`];
        return bad.length ? [`${o.id}: summary "${String(o.op.summary)}" is not sentence case (${bad.join(', ')})`] : [];
      }),
  },
  {
    id: 'summary-unique',
    description: 'No two operations share a summary (the designer lists them by summary).',
    check: ({ definition }) => {
      const seen = new Map<string, string>();
      const out: string[] = [];
      for (const o of operations(definition)) {
        const s = String(o.op.summary ?? '').toLowerCase();
        if (seen.has(s)) out.push(`${o.id}: same summary as ${seen.get(s)}`);
        else seen.set(s, o.id);
      }
      return out;
    },
  },
  {
    id: 'description-sentence',
    description: 'Every operation has a description that is a full sentence: capital first letter, ending with a period.',
    check: ({ definition }) => operations(definition).filter((o) => !/^[A-Z].*\.$/s.test(String(o.op.description ?? ''))).map((o) => `${o.id}: description is not a sentence ending with a period`),
  },
  {
    id: 'description-differs-from-summary',
    description: 'The description says more than the summary.',
    check: ({ definition }) =>
      operations(definition)
        .filter((o) => String(o.op.description ?? '').replace(/\.$/, '').trim().toLowerCase() === String(o.op.summary ?? '').trim().toLowerCase())
        .map((o) => `${o.id}: description repeats the summary`),
  },
  {
    id: 'parameter-summary-description',
    description: 'Every parameter has an x-ms-summary and a description.',
    check: ({ definition }) =>
      operations(definition).flatMap((o) => params(o.op).filter((p) => !p['x-ms-summary'] || !p.description).map((p) => `${o.id}: parameter ${String(p.name)} lacks x-ms-summary or description`)),
  },
  {
    id: 'path-parameter-required-encoded',
    description: 'Path parameters are required and declare x-ms-url-encoding single.',
    check: ({ definition }) =>
      operations(definition).flatMap((o) =>
        params(o.op).filter((p) => p.in === 'path' && (p.required !== true || p['x-ms-url-encoding'] !== 'single')).map((p) => `${o.id}: path parameter ${String(p.name)} must be required with x-ms-url-encoding single`),
      ),
  },
  {
    id: 'property-summary-description',
    description: 'Every property of a request body, response or trigger output has an x-ms-summary and a description.',
    check: ({ definition }) =>
      userSchemas(definition).flatMap(({ where, schema }) => {
        const out: string[] = [];
        eachProperty(definition, schema, where, (path, s) => {
          if (!s['x-ms-summary'] || !s.description) out.push(`${path} lacks x-ms-summary or description`);
        });
        return out;
      }),
  },
  {
    id: 'response-schema-declared',
    description: 'Every 2xx response with a body declares its schema (201/202/200), so flows get dynamic content.',
    check: ({ definition }) =>
      operations(definition).flatMap((o) => {
        const responses = (o.op.responses ?? {}) as Record<string, Json>;
        const ok = Object.keys(responses).filter((c) => /^2/.test(c));
        if (!ok.length) return [`${o.id}: no 2xx response`];
        return ok.filter((c) => c !== '204' && !responses[c]!.schema).map((c) => `${o.id}: response ${c} has no schema`);
      }),
  },
  {
    id: 'schema-never-empty',
    description: 'No schema is {}: every node has a type (or $ref), and every object lists its properties or its value type.',
    check: ({ definition }) =>
      userSchemas(definition).flatMap(({ where, schema }) => {
        const out: string[] = [];
        eachSchema(definition, schema, where, (path, s) => {
          if (s.$ref) return;
          if (!s.type) out.push(`${path}: schema has no type`);
          else if (s.type === 'object' && !s.properties && !s.additionalProperties) out.push(`${path}: object schema has neither properties nor additionalProperties`);
          else if (s.type === 'array' && !s.items) out.push(`${path}: array schema has no items`);
        });
        return out;
      }),
  },
  {
    id: 'required-internal-has-default',
    description: 'A required parameter or body property hidden from makers (internal) has a default, or is the notification URL Power Automate fills in.',
    check: ({ definition }) =>
      operations(definition).flatMap((o) => {
        const out: string[] = [];
        for (const p of params(o.op)) {
          if (p.required === true && p['x-ms-visibility'] === 'internal' && p.default === undefined) out.push(`${o.id}: parameter ${String(p.name)} is required and internal without a default`);
          if (p.in !== 'body') continue;
          const body = deref(definition, p.schema as Json);
          const required = (body?.required as string[] | undefined) ?? [];
          for (const [name, s] of Object.entries((body?.properties ?? {}) as Record<string, Json>)) {
            if (required.includes(name) && s['x-ms-visibility'] === 'internal' && s.default === undefined && s['x-ms-notification-url'] !== true) {
              out.push(`${o.id}: body property ${name} is required and internal without a default`);
            }
          }
        }
        return out;
      }),
  },
  {
    id: 'trigger-post-single',
    description: 'A webhook trigger is a POST marked x-ms-trigger: single.',
    check: ({ definition }) => operations(definition).filter((o) => isTrigger(o) && (o.method !== 'post' || o.op['x-ms-trigger'] !== 'single')).map((o) => `${o.id}: a webhook trigger must be a POST with x-ms-trigger single`),
  },
  {
    id: 'trigger-notification-url',
    description: 'A trigger body has exactly one callback URL property: string, x-ms-notification-url true, required, internal.',
    check: ({ definition }) =>
      operations(definition).filter(isTrigger).flatMap((o) => {
        const body = params(o.op).find((p) => p.in === 'body');
        const schema = deref(definition, body?.schema as Json | undefined);
        const urls = Object.entries((schema?.properties ?? {}) as Record<string, Json>).filter(([, s]) => s['x-ms-notification-url'] === true);
        if (!body || body.required !== true || urls.length !== 1) return [`${o.id}: needs a required body with exactly one x-ms-notification-url property`];
        const [name, s] = urls[0]!;
        const required = (schema?.required as string[] | undefined) ?? [];
        return s.type === 'string' && required.includes(name) && s['x-ms-visibility'] === 'internal' ? [] : [`${o.id}: callback URL ${name} must be a required internal string`];
      }),
  },
  {
    id: 'trigger-notification-content',
    description: 'A trigger declares x-ms-notification-content with the schema of what it delivers.',
    check: ({ definition }) =>
      operations(definition).filter(isTrigger).flatMap((o) => {
        const content = o.pathItem['x-ms-notification-content'] as Json | undefined;
        const schema = deref(definition, content?.schema as Json | undefined);
        return schema?.type === 'object' && schema.properties ? [] : [`${o.id}: missing x-ms-notification-content with an object schema`];
      }),
  },
  {
    id: 'trigger-location-header',
    description: 'A trigger answers 201 and declares the Location header Power Automate DELETEs to unsubscribe.',
    check: ({ definition }) =>
      operations(definition).filter(isTrigger).flatMap((o) => {
        const created = ((o.op.responses ?? {}) as Record<string, Json>)['201'];
        const headers = (created?.headers ?? {}) as Record<string, Json>;
        return headers.Location?.type === 'string' ? [] : [`${o.id}: 201 response with a Location header is required`];
      }),
  },
  {
    id: 'trigger-summary-when',
    description: 'Trigger summaries read "When ...".',
    check: ({ definition }) => operations(definition).filter((o) => isTrigger(o) && !/^When /.test(String(o.op.summary ?? ''))).map((o) => `${o.id}: trigger summary must start with "When "`),
  },
  {
    id: 'trigger-description-form',
    description: 'Trigger descriptions read "This operation triggers when ...".',
    check: ({ definition }) => operations(definition).filter((o) => isTrigger(o) && !/^This operation triggers when /.test(String(o.op.description ?? ''))).map((o) => `${o.id}: trigger description must start with "This operation triggers when "`),
  },
  {
    id: 'trigger-hint',
    description: 'Every trigger has an x-ms-trigger-hint telling the maker how to fire it.',
    check: ({ definition }) => operations(definition).filter((o) => isTrigger(o) && !(typeof o.op['x-ms-trigger-hint'] === 'string' && o.op['x-ms-trigger-hint'].length > 10)).map((o) => `${o.id}: x-ms-trigger-hint missing`),
  },
  {
    id: 'trigger-delete-operation',
    description: 'With triggers there is one internal DELETE operation for the subscription Location.',
    check: ({ definition }) => {
      const ops = operations(definition);
      if (!ops.some(isTrigger)) return [];
      const deletes = ops.filter((o) => o.method === 'delete' && o.op['x-ms-visibility'] === 'internal' && /\{[^}]+\}$/.test(o.path));
      return deletes.length ? [] : ['no internal DELETE operation on a subscription path (e.g. /hooks/{subscriptionId})'];
    },
  },
  {
    id: 'dynamic-values-target',
    description: 'x-ms-dynamic-values names an existing internal GET operation.',
    check: ({ definition }) => dynamicValueUses(definition).flatMap(({ where, dv }) => {
      const target = operations(definition).find((o) => o.id === dv.operationId);
      if (!target) return [`${where}: x-ms-dynamic-values operation ${String(dv.operationId)} does not exist`];
      return target.method === 'get' && target.op['x-ms-visibility'] === 'internal' ? [] : [`${where}: x-ms-dynamic-values operation ${target.id} must be an internal GET`];
    }),
  },
  {
    id: 'dynamic-values-paths',
    description: 'The dynamic-values operation returns value-collection as an array whose items have value-path and value-title.',
    check: ({ definition }) => dynamicValueUses(definition).flatMap(({ where, dv }) => {
      const target = operations(definition).find((o) => o.id === dv.operationId);
      if (!target) return [];
      const ok = deref(definition, (((target.op.responses ?? {}) as Record<string, Json>)['200']?.schema) as Json | undefined);
      const collection = deref(definition, ((ok?.properties ?? {}) as Record<string, Json>)[String(dv['value-collection'])]);
      const item = deref(definition, collection?.items as Json | undefined);
      const props = (item?.properties ?? {}) as Record<string, Json>;
      return collection?.type === 'array' && props[String(dv['value-path'])] && props[String(dv['value-title'])]
        ? []
        : [`${where}: ${target.id} does not return ${String(dv['value-collection'])}[] with ${String(dv['value-path'])} and ${String(dv['value-title'])}`];
    }),
  },
  {
    id: 'security-api-key',
    description: 'API-key security in the X-API-Key header, with a securestring connection parameter of the same name.',
    check: ({ definition, properties }) => {
      const defs = (definition.securityDefinitions ?? {}) as Record<string, Json>;
      const names = Object.keys(defs).filter((k) => defs[k]!.type === 'apiKey' && defs[k]!.in === 'header' && defs[k]!.name === 'X-API-Key');
      if (names.length !== 1) return ['securityDefinitions needs one apiKey in the X-API-Key header'];
      const used = ((definition.security ?? []) as Json[]).some((s) => names[0]! in s);
      const conn = (((properties.properties as Json | undefined)?.connectionParameters ?? {}) as Record<string, Json>)[names[0]!];
      const out: string[] = [];
      if (!used) out.push(`security does not require ${names[0]!}`);
      if (conn?.type !== 'securestring') out.push(`apiProperties lacks a securestring connection parameter ${names[0]!}`);
      return out;
    },
  },
  {
    id: 'test-connection',
    description: 'x-ms-capabilities.testConnection names a GET operation without required parameters.',
    check: ({ definition }) => {
      const id = ((definition['x-ms-capabilities'] as Json | undefined)?.testConnection as Json | undefined)?.operationId;
      const target = operations(definition).find((o) => o.id === id);
      if (!target) return [`testConnection operation ${String(id)} does not exist`];
      return target.method === 'get' && !params(target.op).some((p) => p.required === true) ? [] : [`testConnection operation ${target.id} must be a GET without required parameters`];
    },
  },
  {
    id: 'connector-metadata',
    description: 'x-ms-connector-metadata gives Website, Privacy policy and Categories from Microsoft\'s list.',
    check: ({ definition }) => {
      const meta = new Map(((definition['x-ms-connector-metadata'] ?? []) as Json[]).map((m) => [String(m.propertyName), String(m.propertyValue)]));
      const out: string[] = [];
      for (const name of ['Website', 'Privacy policy']) if (!/^https:\/\//.test(meta.get(name) ?? '')) out.push(`x-ms-connector-metadata ${name} must be an https URL`);
      const cats = (meta.get('Categories') ?? '').split(';').filter(Boolean);
      if (!cats.length || cats.some((c) => !CATEGORIES.has(c))) out.push(`x-ms-connector-metadata Categories "${meta.get('Categories') ?? ''}" must be ;-separated names from Microsoft's list`);
      return out;
    },
  },
  {
    id: 'info-title-description',
    description: 'info.title is at most 30 characters without "API" or "Connector"; info.description is 30 to 500 characters and does not say "API".',
    check: ({ definition }) => {
      const info = (definition.info ?? {}) as Json;
      const title = String(info.title ?? '');
      const description = String(info.description ?? '');
      const out: string[] = [];
      if (!title || title.length > 30 || /\b(api|connector)\b/i.test(title)) out.push(`info.title "${title}" must be 1-30 characters without API or Connector`);
      if (description.length < 30 || description.length > 500 || /\bapi\b/i.test(description)) out.push('info.description must be 30-500 characters without the word API');
      return out;
    },
  },
  {
    id: 'https-only',
    description: 'The connector calls its host over https only.',
    check: ({ definition }) => {
      const schemes = (definition.schemes ?? []) as string[];
      return schemes.length === 1 && schemes[0] === 'https' ? [] : [`schemes must be ["https"], not ${JSON.stringify(schemes)}`];
    },
  },
  {
    id: 'brand-color',
    description: 'iconBrandColor is a #rrggbb colour other than white and the default #007ee5.',
    check: ({ properties }) => {
      const c = String((properties.properties as Json | undefined)?.iconBrandColor ?? '');
      return /^#[0-9a-f]{6}$/i.test(c) && !['#ffffff', '#007ee5'].includes(c.toLowerCase()) ? [] : [`iconBrandColor "${c}" must be a non-default, non-white #rrggbb`];
    },
  },
  {
    id: 'no-operator-routes',
    description: 'Operator (admin) and carrier callback routes are not part of the connector.',
    check: ({ definition }) => operations(definition).filter((o) => /^\/(operator|admin|carriers)\//.test(o.path)).map((o) => `${o.id}: ${o.path} is an operator or carrier route`),
  },
];

function dynamicValueUses(definition: Json): { where: string; dv: Json }[] {
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

export function lint(input: LintInput, only: Rule[] = rules): Violation[] {
  return only.flatMap((r) => r.check(input).map((message) => ({ rule: r.id, message })));
}
