import type { AppDeps } from '../app/deps';
import type { Account } from '../domain/types';
import type { JsonSchema } from '../schema/builders';
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

export interface RouteContext {
  deps: AppDeps;
  req: RouteRequest;
  /** Set for `account` routes. */
  account: Account;
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

export interface ParamSpec {
  name: string;
  schema: JsonSchema;
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

export interface RouteDef {
  method: HttpMethod;
  /** Path below /api with {param} placeholders. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  auth: RouteAuth;
  /** Scope the API key needs (account routes). */
  scope?: string;
  pathParams?: ParamSpec[];
  query?: ParamSpec[];
  headers?: ParamSpec[];
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
