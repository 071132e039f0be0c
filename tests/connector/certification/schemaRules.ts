/** Certification rules on the schemas a maker sees, and on the dynamic values they draw from. */
import { operations, params, deref, eachProperty, eachSchema, userSchemas, dynamicValueUses, type Json, type Rule } from './documents';

export const schemaRules: Rule[] = [
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
          else if (s.type === 'object' && !s.properties && !s.additionalProperties)
            out.push(`${path}: object schema has neither properties nor additionalProperties`);
          else if (s.type === 'array' && !s.items) out.push(`${path}: array schema has no items`);
        });
        return out;
      }),
  },
  {
    id: 'required-internal-has-default',
    description:
      'A required parameter or body property hidden from makers (internal) has a default, or is the notification URL Power Automate fills in.',
    check: ({ definition }) =>
      operations(definition).flatMap((o) => {
        const out: string[] = [];
        for (const p of params(o.op)) {
          if (p.required === true && p['x-ms-visibility'] === 'internal' && p.default === undefined)
            out.push(`${o.id}: parameter ${String(p.name)} is required and internal without a default`);
          if (p.in !== 'body') continue;
          const body = deref(definition, p.schema as Json);
          const required = (body?.required as string[] | undefined) ?? [];
          for (const [name, s] of Object.entries((body?.properties ?? {}) as Record<string, Json>)) {
            if (
              required.includes(name) &&
              s['x-ms-visibility'] === 'internal' &&
              s.default === undefined &&
              s['x-ms-notification-url'] !== true
            ) {
              out.push(`${o.id}: body property ${name} is required and internal without a default`);
            }
          }
        }
        return out;
      }),
  },
];

export const dynamicValueRules: Rule[] = [
  {
    id: 'dynamic-values-target',
    description: 'x-ms-dynamic-values names an existing internal GET operation.',
    check: ({ definition }) =>
      dynamicValueUses(definition).flatMap(({ where, dv }) => {
        const target = operations(definition).find((o) => o.id === dv.operationId);
        if (!target) return [`${where}: x-ms-dynamic-values operation ${String(dv.operationId)} does not exist`];
        return target.method === 'get' && target.op['x-ms-visibility'] === 'internal'
          ? []
          : [`${where}: x-ms-dynamic-values operation ${target.id} must be an internal GET`];
      }),
  },
  {
    id: 'dynamic-values-paths',
    description: 'The dynamic-values operation returns value-collection as an array whose items have value-path and value-title.',
    check: ({ definition }) =>
      dynamicValueUses(definition).flatMap(({ where, dv }) => {
        const target = operations(definition).find((o) => o.id === dv.operationId);
        if (!target) return [];
        const ok = deref(definition, ((target.op.responses ?? {}) as Record<string, Json>)['200']?.schema as Json | undefined);
        const collection = deref(definition, ((ok?.properties ?? {}) as Record<string, Json>)[String(dv['value-collection'])]);
        const item = deref(definition, collection?.items as Json | undefined);
        const props = (item?.properties ?? {}) as Record<string, Json>;
        return collection?.type === 'array' && props[String(dv['value-path'])] && props[String(dv['value-title'])]
          ? []
          : [
              `${where}: ${target.id} does not return ${String(dv['value-collection'])}[] with ${String(dv['value-path'])} and ${String(dv['value-title'])}`,
            ];
      }),
  },
];
