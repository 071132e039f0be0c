// biome-ignore-all lint/complexity/noBannedTypes: `{}` is the empty set of extra schema keys TypeBox's generics start from.
import type { Kind, Static, TBoolean, TInteger, TNumber, TSchema, TString } from '@sinclair/typebox';

/**
 * A deliberately small JSON Schema type: the subset the route table and the event payloads use.
 * Kept close to Swagger 2.0's schema object so the connector generator can emit it unchanged;
 * `title` becomes `x-ms-summary`.
 */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
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

/*
 * The builders return plain JSON Schema objects (what Ajv compiles and the connector generator emits,
 * key for key as before) typed as TypeBox schemas, so `Static<typeof S>` is the TypeScript type of a
 * value S accepts. Only TypeBox's types are used: its runtime (about 80 ms to load) stays out of cold
 * starts, and Ajv, compiled once per route, remains the validator. The objects carry TypeBox's Kind
 * symbol, which neither JSON nor Object.entries sees. Children are never copied: the connector
 * generator finds reused schemas by identity.
 */

/** A schema of the route table: typed by a builder, or plain JSON Schema (its values read as unknown). */
export type SchemaLike = TSchema | JsonSchema;
/** The type of the values a schema accepts. */
export type StaticOf<S> = S extends TSchema ? Static<S> : unknown;

type Extra = Partial<JsonSchema>;
/** A closed list narrows the type to its members. */
type Enumerated<X, Base> = X extends { enum: readonly (infer E)[] } ? E & Base : Base;
type Flat<T> = { [K in keyof T]: T[K] } & {};

export type TStr<X extends Extra = {}> = TString & X & { title: string; description: string; static: Enumerated<X, string> };
export type TInt<X extends Extra = {}> = TInteger & X & { title: string; description: string; static: Enumerated<X, number> };
export type TNum<X extends Extra = {}> = TNumber & X & { title: string; description: string };
export type TBool = TBoolean & { title: string; description: string };
/** S or null (Swagger 2.0's x-nullable). Its own interface: an intersection with S would keep S's static type. */
export interface TNullable<S extends SchemaLike> extends TSchema {
  'x-nullable': true;
  static: StaticOf<S> | null;
}

export interface TArr<I extends SchemaLike> extends TSchema {
  [Kind]: 'Array';
  type: 'array';
  title: string;
  description: string;
  items: I;
  static: StaticOf<I>[];
}

/** An object with the properties P, of which R are required; no other keys. */
export interface TObj<P extends Record<string, SchemaLike>, R extends keyof P> extends TSchema {
  [Kind]: 'Object';
  type: 'object';
  title: string;
  description: string;
  properties: P;
  required?: R[];
  additionalProperties: false;
  static: Flat<
    { [K in keyof P as K extends R ? K : never]: StaticOf<P[K]> } & { [K in keyof P as K extends R ? never : K]?: StaticOf<P[K]> }
  >;
}

/** TypeBox's Kind symbol (Symbol.for, as TypeBox registers it) without loading TypeBox at run time. */
const KIND = Symbol.for('TypeBox.Kind') as typeof Kind;

export const str = <const X extends Extra = {}>(title: string, description: string, extra?: X): TStr<X> =>
  ({ [KIND]: 'String', type: 'string', title, description, ...extra }) as TStr<X>;
export const int = <const X extends Extra = {}>(title: string, description: string, extra?: X): TInt<X> =>
  ({ [KIND]: 'Integer', type: 'integer', title, description, ...extra }) as TInt<X>;
export const num = <const X extends Extra = {}>(title: string, description: string, extra?: X): TNum<X> =>
  ({ [KIND]: 'Number', type: 'number', title, description, ...extra }) as TNum<X>;
export const time = (title: string, description: string): TStr<{ format: 'date-time' }> => str(title, description, { format: 'date-time' });
export const bool = (title: string, description: string): TBool =>
  ({ [KIND]: 'Boolean', type: 'boolean', title, description }) as unknown as TBool;
export const nullable = <S extends SchemaLike>(s: S): TNullable<S> => ({ ...s, 'x-nullable': true }) as TNullable<S>;

export function obj<P extends Record<string, SchemaLike>, const R extends readonly (keyof P & string)[] = []>(
  title: string,
  description: string,
  properties: P,
  required?: R,
  extra: Extra = {},
): TObj<P, R[number]> {
  // draft-04 (and so Swagger 2.0) forbids an empty `required`.
  const req = required?.length ? { required } : {};
  return {
    [KIND]: 'Object',
    type: 'object',
    title,
    description,
    properties,
    ...req,
    additionalProperties: false,
    ...extra,
  } as unknown as TObj<P, R[number]>;
}

export const arr = <I extends SchemaLike>(title: string, description: string, items: I, extra?: Extra): TArr<I> =>
  ({ [KIND]: 'Array', type: 'array', title, description, items, ...extra }) as unknown as TArr<I>;

/** A string with no title of its own: the items of an array, the values of a map. */
export const strItem = <const X extends Extra = {}>(extra?: X): TString & X & { static: Enumerated<X, string> } =>
  ({ [KIND]: 'String', type: 'string', ...extra }) as unknown as TString & X & { static: Enumerated<X, string> };

export interface TDict<V extends SchemaLike | true> extends TSchema {
  [Kind]: 'Record';
  type: 'object';
  additionalProperties: V;
  static: Record<string, V extends SchemaLike ? StaticOf<V> : unknown>;
}

/** An object of keys of the caller's choosing, each with a value of `values` (true: any JSON). */
export const dict = <V extends SchemaLike | true>(title: string, description: string, values: V, extra?: Extra): TDict<V> =>
  ({ [KIND]: 'Record', type: 'object', title, description, additionalProperties: values, ...extra }) as unknown as TDict<V>;
