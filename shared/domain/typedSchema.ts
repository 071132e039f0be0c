/**
 * Typed JSON Schema builders for the event payloads: each builder returns the plain JSON Schema the
 * catalog and the connector emit, and carries the TypeScript type of the values it describes as a
 * phantom (type-only) property, so `Infer<typeof schema>` is the payload type. A payload's schema and
 * its type are then one declaration and cannot drift apart.
 *
 * Why not TypeBox: domain imports nothing but itself, and these payloads need a dozen keywords; the
 * builders emit exactly what `shared/schema/builders.ts` emits (same keys, same order), so the generated
 * connector is unchanged. `SchemaNode` is a structural subset of that module's `JsonSchema`.
 */
export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  title?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  enum?: readonly string[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  example?: unknown;
  'x-nullable'?: boolean;
}

declare const VALUE: unique symbol;

/** A schema of values of type T (T exists only for the type checker). */
export type Schema<T> = SchemaNode & { readonly [VALUE]?: T };

/** The type of the values a schema describes. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

type Flatten<T> = { [K in keyof T]: T[K] };
type ObjectOf<P extends Record<string, Schema<unknown>>, R extends keyof P> = Flatten<
  { [K in R]: Infer<P[K]> } & { [K in Exclude<keyof P, R>]?: Infer<P[K]> }
>;

interface StringExtra<E extends string> {
  enum?: readonly E[];
  format?: string;
  pattern?: string;
  example?: string;
}

/** A string; with `enum`, the union of its values. */
export const str = <E extends string = string>(title: string, description: string, extra: StringExtra<E> = {}): Schema<E> => ({ type: 'string', title, description, ...extra });
export const time = (title: string, description: string): Schema<string> => str(title, description, { format: 'date-time' });
export const int = (title: string, description: string): Schema<number> => ({ type: 'integer', title, description });
export const num = (title: string, description: string, extra: { minimum?: number; maximum?: number } = {}): Schema<number> => ({ type: 'number', title, description, ...extra });
export const bool = (title: string, description: string): Schema<boolean> => ({ type: 'boolean', title, description });
export const nullable = <T>(s: Schema<T>): Schema<T | null> => ({ ...s, 'x-nullable': true });
export const arr = <T>(title: string, description: string, items: Schema<T>): Schema<T[]> => ({ type: 'array', title, description, items });
export const stringMap = (title: string, description: string): Schema<Record<string, string>> => ({ type: 'object', title, description, additionalProperties: { type: 'string' } });
export const anyMap = (title: string, description: string): Schema<Record<string, unknown>> => ({ type: 'object', title, description, additionalProperties: true });

/** A closed object; the properties not listed in `required` are optional. */
export function obj<P extends Record<string, Schema<unknown>>, R extends keyof P & string = never>(
  title: string,
  description: string,
  properties: P,
  required: R[] = [],
): Schema<ObjectOf<P, R>> {
  // draft-04 (and so Swagger 2.0) forbids an empty `required`.
  return { type: 'object', title, description, properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

/** An array item that is any string (no title of its own). */
export const plainString: Schema<string> = { type: 'string' };
