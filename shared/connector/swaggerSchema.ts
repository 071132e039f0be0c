import type { ParamSpec } from '../http/route';
import type { JsonSchema } from '../schema/builders';

/** A JSON object of the Swagger 2.0 document; the generator builds plain data, so no richer type is needed. */
export type SwaggerObject = Record<string, unknown>;

/**
 * Route-table schema → Swagger 2.0 schema. The route table writes `title` (JSON Schema's word);
 * Power Platform shows `x-ms-summary`, so the title moves there. Everything else is already
 * Swagger-compatible (the route schemas are the subset Swagger 2.0 shares with draft-04).
 *
 * Schema objects the route table reuses (the problem body, a message, a subscription ...) are
 * emitted once under `definitions` and referenced, which keeps the file well under Power
 * Platform's 1 MB limit. Reuse is by object identity, found by a counting pass (`count`) over the
 * same schemas before the emitting pass.
 */
export class SchemaEmitter {
  readonly definitions: Record<string, SwaggerObject> = {};
  private readonly uses = new Map<JsonSchema, number>();
  private readonly names = new Map<JsonSchema, string>();

  /** First pass: note every schema object reachable from `s`. */
  count(s: JsonSchema): void {
    const n = (this.uses.get(s) ?? 0) + 1;
    this.uses.set(s, n);
    if (n > 1) return;
    for (const child of children(s)) this.count(child);
  }

  /** Second pass: the Swagger form, with shared titled objects as $ref. */
  emit(s: JsonSchema): SwaggerObject {
    if ((this.uses.get(s) ?? 0) > 1 && s.title && s.type === 'object') return { $ref: `#/definitions/${this.define(s)}` };
    return this.convert(s);
  }

  private define(s: JsonSchema): string {
    const known = this.names.get(s);
    if (known) return known;
    const base = s
      .title!.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))
      .replace(/^./, (c) => c.toUpperCase());
    let name = base;
    for (let i = 2; this.definitions[name]; i++) name = `${base}${i}`;
    this.names.set(s, name);
    this.definitions[name] = {}; // reserve the name: converting may define other schemas, which must not take it
    this.definitions[name] = this.convert(s);
    return name;
  }

  private convert(s: JsonSchema): SwaggerObject {
    const out: SwaggerObject = {};
    for (const [key, value] of Object.entries(s) as [keyof JsonSchema, unknown][]) {
      if (value === undefined) continue;
      switch (key) {
        case 'title':
          out['x-ms-summary'] = value;
          break;
        case 'properties':
          out.properties = Object.fromEntries(Object.entries(value as Record<string, JsonSchema>).map(([k, v]) => [k, this.emit(v)]));
          break;
        case 'items':
          out.items = this.emit(value as JsonSchema);
          break;
        case 'additionalProperties':
          out.additionalProperties = typeof value === 'boolean' ? value : this.emit(value as JsonSchema);
          break;
        case 'lineBreaks':
        case 'knownRegion':
          break; // engine rules (validation.ts), not Swagger keywords
        case 'enum':
          out.enum = [...(value as readonly (string | number)[])];
          break;
        default:
          out[key] = value;
      }
    }
    return out;
  }
}

function children(s: JsonSchema): JsonSchema[] {
  const out = Object.values(s.properties ?? {});
  if (s.items) out.push(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.push(s.additionalProperties);
  return out;
}

// Keywords a non-body Swagger parameter may carry (primitive types only: no properties, no nesting).
const PRIMITIVE_KEYS = [
  'type',
  'format',
  'enum',
  'default',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
] as const;

/** A path, query or header parameter: primitive keywords inline, title → x-ms-summary. */
export function toSwaggerParameter(p: ParamSpec, location: 'path' | 'query' | 'header'): SwaggerObject {
  const s = p.schema;
  const out: SwaggerObject = { name: p.name, in: location, required: location === 'path' ? true : p.required === true };
  for (const key of PRIMITIVE_KEYS) {
    const v = s[key];
    if (v !== undefined) out[key] = Array.isArray(v) ? [...v] : v;
  }
  if (s.type === 'array' && s.items) {
    out.items = primitiveItems(s.items);
    out.collectionFormat = 'csv';
  }
  if (s.description) out.description = s.description;
  if (s.title) out['x-ms-summary'] = s.title;
  if (s['x-ms-visibility']) out['x-ms-visibility'] = s['x-ms-visibility'];
  if (s['x-ms-dynamic-values']) out['x-ms-dynamic-values'] = s['x-ms-dynamic-values'];
  // Certification wants it stated on path parameters; the engine decodes exactly once.
  if (location === 'path') out['x-ms-url-encoding'] = 'single';
  return { ...out, ...(p.extensions ?? {}) };
}

function primitiveItems(s: JsonSchema): SwaggerObject {
  const out: SwaggerObject = {};
  for (const key of PRIMITIVE_KEYS) {
    const v = s[key];
    if (v !== undefined) out[key] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}
