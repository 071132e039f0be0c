import type { AppDeps } from '../app/deps';
import type { Account } from '../domain/types';
import type { Scope } from '../domain/scopes';
import type { TSchema } from '@sinclair/typebox';
import type { JsonSchema, SchemaLike, StaticOf } from '../schema/builders';
import type { EventDefinition } from '../webhooks/eventDefinition';

/** OPTIONS only on carrier routes: the CloudEvents webhook validation probe of Event Grid. */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'OPTIONS';

/**
 * Who may call a route: an account's API key, the operator's admin key, a carrier (which proves
 * itself with its own signature inside the handler), or anyone.
 */
export type RouteAuth = 'account' | 'admin' | 'carrier' | 'none';

export interface RouteRequest {
  method: string;
  /** Path below /api, e.g. /messages/msg_123. */
  path: string;
  /** Absolute URL as the caller used it (carriers sign it). */
  url: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  rawBody: string;
  /** The parsed and validated JSON body (undefined for routes without one). */
  body: unknown;
}

export interface RouteContext<Req = RouteRequest> {
  deps: AppDeps;
  req: Req;
  /** Set for `account` routes. */
  account: Account;
  /**
   * Id of the API key that authenticated the request: an account key, an operator key, or
   * 'bootstrap' for ADMIN_API_KEY; undefined on carrier and open routes. Never the secret.
   */
  keyId?: string;
  /** The scopes of the authenticating account key (account routes). */
  keyScopes?: readonly string[];
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  schema?: JsonSchema;
  headers?: Record<string, { type: 'string'; description: string }>;
}

export interface ParamSpec<N extends string = string, S extends SchemaLike = SchemaLike> {
  name: N;
  schema: S;
  required?: boolean;
  /** Connector dropdown: x-ms-dynamic-values and friends. */
  extensions?: Record<string, unknown>;
}

/** Where and how a route appears in the Power Platform connector; absent = not in the connector. */
export interface ConnectorSpec {
  visibility?: 'important' | 'advanced' | 'internal';
  /** Extra x-ms-* keys for the operation. */
  extensions?: Record<string, unknown>;
}

/**
 * Who may call, and with what scope: every account route names the one scope (domain/scopes.ts)
 * a key needs for it; other routes have none.
 */
export type RouteAccess = { auth: 'account'; scope: Scope } | { auth: Exclude<RouteAuth, 'account'>; scope?: undefined };

export type RouteDef = RouteDefBase & RouteAccess;

export interface RouteDefBase {
  method: HttpMethod;
  /** Path below /api with {param} placeholders. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  pathParams?: readonly ParamSpec[];
  query?: readonly ParamSpec[];
  headers?: readonly ParamSpec[];
  /** JSON body schema; carrier routes leave it out and read rawBody themselves. */
  body?: JsonSchema;
  bodyRequired?: boolean;
  responses: Record<number, ResponseSpec>;
  connector?: ConnectorSpec;
  /**
   * Rate-limit bucket (see EngineOptions.rateLimits): requests beyond the bucket's rate per account
   * (or, for carrier routes, per source address) get 429 with Retry-After. Carrier routes use the
   * `carrier` bucket without saying so.
   */
  rateLimit?: 'subscriptions' | 'carrier' | 'campaignTriggers';
  /** Set on the subscription route of a webhook trigger: the connector emits it as an x-ms-trigger. */
  trigger?: EventDefinition;
  handle(ctx: RouteContext): Promise<RouteResult>;
}

/** The {placeholders} of a path template: '/groups/{groupId}/contacts/{contactId}' → 'groupId' | 'contactId'. */
export type PathParamNames<P extends string> = P extends `${string}{${infer N}}${infer Rest}` ? N | PathParamNames<Rest> : never;

type Flat<T> = { [K in keyof T]: T[K] } & {};
/** A query parameter the validator guarantees: required, or filled in from its schema's default. */
type Guaranteed<P> = P extends { required: true } ? true : P extends { schema: { default: unknown } } ? true : false;

/** The validated query of a route declaring the parameters Q (numbers already coerced, defaults applied). */
export type QueryOf<Q extends readonly ParamSpec[]> = Flat<
  { [P in Q[number] as Guaranteed<P> extends true ? P['name'] : never]: StaticOf<P['schema']> } & {
    [P in Q[number] as Guaranteed<P> extends true ? never : P['name']]?: StaticOf<P['schema']>;
  }
>;

/** A request as a handler of a defined route sees it: params, query and body typed by their declarations. */
export interface TypedRequest<Path extends string, Q extends readonly ParamSpec[], B>
  extends Omit<RouteRequest, 'params' | 'query' | 'body'> {
  params: { [K in PathParamNames<Path>]: string };
  query: QueryOf<Q>;
  /** A route with `bodyRequired: false` gets `{}` for an empty body, so the type is the schema's either way. */
  body: B extends SchemaLike ? StaticOf<B> : undefined;
}

/** A route as declared: RouteDef with its path, query and body literal, so the handler's request is typed from them. */
export type RouteSpec<Path extends string, Q extends readonly ParamSpec[], B extends SchemaLike | undefined> = Omit<
  RouteDefBase,
  'path' | 'pathParams' | 'query' | 'body' | 'handle'
> &
  RouteAccess & {
    path: Path;
    /** Named as in the path: a parameter the path does not have fails the type check. */
    pathParams?: readonly ParamSpec<PathParamNames<Path>>[];
    query?: Q;
    body?: B;
    handle(ctx: RouteContext<TypedRequest<Path, Q, B>>): Promise<RouteResult>;
  };

/**
 * Declares a route whose handler reads `req.params`, `req.query` and `req.body` with the types of the
 * schemas that validate them (the engine runs the validators before the handler), so a schema change
 * that breaks a handler fails the type check. The result is the plain RouteDef of the route table.
 */
export function defineRoute<
  const Path extends string,
  const Q extends readonly ParamSpec[] = [],
  B extends SchemaLike | undefined = undefined,
>(spec: RouteSpec<Path, Q, B>): RouteDef {
  // The one place the typed request meets the untyped table: the engine validated it against these schemas.
  return spec as unknown as RouteDef;
}

/**
 * A body schema that is the input of a use case with its own input type I (the app layer does not
 * import http, so I is written there): the type check fails when the schema accepts a value I does
 * not take, or a field I does not have (it would be accepted and silently ignored). Returns the
 * schema itself.
 */
export const inputBody =
  <I>() =>
  <S extends TSchema & { static: I; properties: object }>(
    schema: S & { properties: { [K in Exclude<keyof S['properties'], keyof I>]: never } },
  ): S =>
    schema;
