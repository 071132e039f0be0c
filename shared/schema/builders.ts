/**
 * A deliberately small JSON Schema type: the subset the route table uses. Kept close to Swagger 2.0's
 * schema object so the connector generator can emit it unchanged; `title` becomes `x-ms-summary`.
 */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: readonly (string | number)[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  default?: unknown;
  example?: unknown;
  'x-nullable'?: boolean;
  /**
   * A string that may span lines: TAB, LF and CR are allowed in it. Every other string field refuses
   * all C0 control characters; no string field takes unpaired surrogates (validation.ts). Not emitted
   * into the connector.
   */
  lineBreaks?: boolean;
  /** An ISO 3166-1 alpha-2 region libphonenumber knows (domain/phone.ts); an engine rule, not emitted into the connector. */
  knownRegion?: boolean;
  /** Connector hint: how prominently Power Automate shows the field. */
  'x-ms-visibility'?: 'important' | 'advanced' | 'internal';
  'x-ms-dynamic-values'?: Record<string, unknown>;
  /** Connector hint: the callback URL property of a webhook subscription body. */
  'x-ms-notification-url'?: boolean;
}

export const str = (title: string, description: string, extra: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'string', title, description, ...extra });
export const int = (title: string, description: string, extra: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'integer', title, description, ...extra });
export const bool = (title: string, description: string): JsonSchema => ({ type: 'boolean', title, description });
export const nullable = (s: JsonSchema): JsonSchema => ({ ...s, 'x-nullable': true });

export function obj(title: string, description: string, properties: Record<string, JsonSchema>, required: string[] = [], extra: Partial<JsonSchema> = {}): JsonSchema {
  // draft-04 (and so Swagger 2.0) forbids an empty `required`.
  return { type: 'object', title, description, properties, ...(required.length ? { required } : {}), additionalProperties: false, ...extra };
}

export const arr = (title: string, description: string, items: JsonSchema): JsonSchema => ({ type: 'array', title, description, items });
