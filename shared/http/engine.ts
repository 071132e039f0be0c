import { timingSafeEqual } from 'node:crypto';
import { AppError, invalid } from '../app/errors';
import { InvalidContinuationTokenError } from '../ports/stores';
import { hashApiKey } from '../app/apiKeys';
import { authenticateAccountKey, checkKey, type KeyRefusal } from '../app/apiKeyAuth';
import { OPERATOR_KEY_OWNER } from '../domain/types';
import type { AppDeps } from '../app/deps';
import type { Account } from '../domain/types';
import { problem, problemFromError } from './problem';
import type { ParamSpec, RouteDef, RouteRequest, RouteResult } from './route';
import type { JsonSchema } from '../schema/builders';
import { RateLimiter } from './rateLimit';
import { openPageToken, signPageToken } from './pageTokens';
import { compileBody, compileQuery, type Validator } from './validation';
import { auditRecord, isAudited, operatorAccountOf, pathResourceOf, requestIdOf, resultResourceOf, type AuditSubject } from './auditTrail';

/** A request as any host sees it: the node:http embedded host and Azure Functions both adapt to this. */
export interface RawRequest {
  method: string;
  /** Path with query string, starting at /api. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Bytes the caller sent, when the host stopped buffering early (defaults to body.length). */
  bodySize?: number;
  /** Scheme and host the caller used, for absolute URLs (Location headers, carrier signatures). */
  origin: string;
  /** Network address of the caller (rate limits of carrier routes are per source). */
  remoteAddress?: string;
}

/** What a host knows once the headers have arrived, before it reads the body. */
export type RequestHead = Omit<RawRequest, 'body' | 'bodySize'>;

/**
 * The answer to a request head: refused at once (the body need not be read), or admitted with
 * what routing and authentication found, to be completed with the body.
 */
export type Admission = { refused: RawResponse } | { admitted: AdmittedRequest };

/** A request past routing, authentication, rate limits and the declared size. */
export interface AdmittedRequest {
  readonly route: CompiledRoute;
  readonly match: RegExpExecArray;
  readonly path: string;
  readonly search: string;
  readonly headers: Record<string, string>;
  readonly account: Account | undefined;
  /** The authenticating key's id (RouteContext.keyId), also written to the audit log. */
  readonly keyId: string | undefined;
  readonly keyScopes: readonly string[] | undefined;
  /** Returned in the Request-Id header and written to the audit log. */
  readonly requestId: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface EngineOptions {
  /** SHA-256 (hex) of the operator key for /api/operator routes; compared in constant time. */
  adminKeyHash: string;
  maxBodyBytes: number;
  /** HMAC secret of the continuation tokens list routes hand out (pageTokens.ts). */
  pageTokenSecret: string;
  /** Requests per minute per rate-limit bucket of RouteDef.rateLimit (0 or absent: unlimited). */
  rateLimits?: { subscriptions: number; carrier: number; campaignTriggers?: number };
  /** Failed authentications per minute per source address before 429 (0 or absent: unlimited). */
  authFailuresPerMinute?: number;
}

export interface CompiledRoute {
  def: RouteDef;
  pattern: RegExp;
  paramNames: string[];
  body?: Validator;
  query?: Validator;
  params?: Validator;
  /** The route pages with continuationToken: the engine signs the tokens it returns and opens those it gets. */
  pages: boolean;
}

export const API_PREFIX = '/api';

export function compileRoutes(routes: RouteDef[]): CompiledRoute[] {
  return routes.map((def) => {
    const paramNames: string[] = [];
    // Braces are not escaped, so {name} placeholders survive the escaping and become groups.
    const source = def.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
      paramNames.push(name);
      return '([^/]+)';
    });
    return {
      def,
      pattern: new RegExp(`^${source}/?$`),
      paramNames,
      body: def.body ? compileBody(def.body) : undefined,
      // Carriers call back with query strings of their own (Kannel's dlr-url) and check them in the handler;
      // every other route refuses parameters it does not declare, also when it declares none.
      query: def.auth === 'carrier' ? undefined : compileQuery(objectOf(def.query ?? []), 'query'),
      params: def.pathParams?.length ? compileQuery(objectOf(def.pathParams.map(asPathParam)), 'path') : undefined,
      pages: (def.query ?? []).some((q) => q.name === 'continuationToken'),
    };
  });
}

/** A path naming nothing is 404 (the handler's answer), so a value outside a closed list is not a 400 here. */
function asPathParam(p: ParamSpec): ParamSpec {
  const { enum: _closedList, ...schema } = p.schema;
  return { ...p, schema, required: true };
}

function objectOf(params: readonly ParamSpec[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const q of params) {
    properties[q.name] = q.schema;
    if (q.required) required.push(q.name);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

/** Turns raw requests into route calls: routing, auth, body and query validation, problem+json errors. */
export function createEngine(deps: AppDeps, routes: RouteDef[], options: EngineOptions) {
  const compiled = compileRoutes(routes);
  const adminHash = Buffer.from(options.adminKeyHash, 'hex');
  const limiters = {
    subscriptions: new RateLimiter(options.rateLimits?.subscriptions ?? 0, deps.clock),
    carrier: new RateLimiter(options.rateLimits?.carrier ?? 0, deps.clock),
    campaignTriggers: new RateLimiter(options.rateLimits?.campaignTriggers ?? 0, deps.clock),
  };

  const authFailures = new RateLimiter(options.authFailuresPerMinute ?? 0, deps.clock);

  /** Routing, authentication, rate limits and Content-Length: everything decided before the body. */
  async function admitHead(raw: RequestHead, headers: Record<string, string>, requestId: string): Promise<RouteResult | AdmittedRequest> {
    const q = raw.url.indexOf('?');
    const fullPath = q < 0 ? raw.url : raw.url.slice(0, q);
    if (!fullPath.startsWith(`${API_PREFIX}/`))
      return problem(404, 'route_not_found', 'Not found', `No route ${fullPath}; the API lives under ${API_PREFIX}/.`);
    const path = fullPath.slice(API_PREFIX.length);
    let pathMatched = false;
    for (const route of compiled) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.def.method !== raw.method) continue;
      return throttleAuthFailures(await admitRoute(route, m, path, raw, headers, q < 0 ? '' : raw.url.slice(q + 1), requestId), raw);
    }
    if (pathMatched) return problem(405, 'method_not_allowed', 'Method not allowed', `${raw.method} is not supported on ${fullPath}.`);
    return problem(404, 'route_not_found', 'Not found', `No route ${raw.method} ${fullPath}.`);
  }

  async function admitRoute(
    route: CompiledRoute,
    m: RegExpExecArray,
    path: string,
    raw: RequestHead,
    headers: Record<string, string>,
    search: string,
    requestId: string,
  ): Promise<RouteResult | AdmittedRequest> {
    const def = route.def;
    let account: Account | undefined;
    let keyId: string | undefined;
    let keyScopes: readonly string[] | undefined;
    if (def.auth === 'account') {
      const key = headers['x-api-key'] ?? bearer(headers.authorization);
      if (!key)
        return problem(
          401,
          'unauthenticated',
          'Authentication required',
          'Send your API key in the X-API-Key header (or Authorization: Bearer <key>).',
          undefined,
          undefined,
          { 'www-authenticate': 'Bearer' },
        );
      const auth = await authenticateAccountKey(deps, key);
      if ('refused' in auth) return refusedKey(auth.refused, 'API key');
      account = auth.account;
      keyId = auth.key.id;
      keyScopes = auth.key.scopes;
      if (!auth.key.scopes.includes(def.scope)) {
        // A refusal of an authenticated key is an access attempt worth its record.
        const refused = problem(403, 'insufficient_scope', 'Forbidden', `This API key lacks the ${def.scope} scope.`, undefined, {
          requiredScope: def.scope,
        });
        await recordRefusal(def, { keyId, accountId: account.id, resourceId: null }, requestId, raw.remoteAddress, refused);
        return refused;
      }
    } else if (def.auth === 'admin') {
      const key = headers['x-admin-key'];
      if (!key)
        return problem(
          401,
          'unauthenticated',
          'Authentication required',
          'Operator routes need the operator key in the X-Admin-Key header.',
        );
      const given = Buffer.from(hashApiKey(key), 'hex');
      if (timingSafeEqual(given, adminHash)) keyId = BOOTSTRAP_OPERATOR_KEY_ID;
      else {
        // A named operator key (created through /api/operator/keys); ADMIN_API_KEY stays the bootstrap key.
        const check = await checkKey(deps, key);
        if ('refused' in check) return refusedKey(check.refused, 'admin key');
        if (check.key.accountId !== OPERATOR_KEY_OWNER) return refusedKey('invalid', 'admin key');
        keyId = check.key.id;
      }
    }
    const bucket = def.rateLimit ?? (def.auth === 'carrier' ? 'carrier' : undefined);
    if (bucket) {
      const waitMs = limiters[bucket].take(bucket === 'carrier' ? (raw.remoteAddress ?? 'unknown') : (account?.id ?? 'anonymous'));
      if (waitMs > 0) {
        const seconds = Math.max(1, Math.ceil(waitMs / 1000));
        const what = RATE_LIMITED_WHAT[bucket];
        return problem(
          429,
          'rate_limited',
          'Too many requests',
          `Too many requests to ${what}; retry after ${seconds} s.`,
          undefined,
          undefined,
          { 'retry-after': String(seconds) },
        );
      }
    }
    const declared = declaredLength(headers['content-length']);
    if (declared !== undefined && declared > options.maxBodyBytes) return tooLarge(declared);
    return { route, match: m, path, search, headers, account, keyId, keyScopes, requestId };
  }

  /** A refused request's record, written complete (nothing changed, so there is nothing to order). */
  async function recordRefusal(
    def: RouteDef,
    subject: AuditSubject,
    requestId: string,
    sourceAddress: string | undefined,
    refused: RouteResult,
  ): Promise<void> {
    if (!isAudited(def)) return;
    try {
      await deps.store.audit.open(auditRecord(deps.ids, deps.clock.now(), def, subject, requestId, sourceAddress, refused.status));
    } catch (err) {
      deps.logger.error('audit record not written', { operationId: def.operationId, requestId, error: (err as Error).message });
    }
  }

  /**
   * Past AUTH_FAILURES_PER_MINUTE failed authentications (401) from one source address, the next
   * ones answer 429 with Retry-After. A valid key never counts and is never slowed, even from
   * that address (several clients may share one behind NAT): keys are 192-bit random, so the
   * throttle is about load and noise from a misbehaving source, not about guessing.
   */
  function throttleAuthFailures(result: RouteResult | AdmittedRequest, raw: RequestHead): RouteResult | AdmittedRequest {
    if (!('status' in result) || result.status !== 401) return result;
    const waitMs = authFailures.take(raw.remoteAddress ?? 'unknown');
    if (waitMs <= 0) return result;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return problem(
      429,
      'too_many_auth_failures',
      'Too many failed authentications',
      `Too many requests with a missing or invalid key from this address; retry after ${seconds} s.`,
      undefined,
      undefined,
      { 'retry-after': String(seconds) },
    );
  }

  function tooLarge(bytes: number): RouteResult {
    return problem(413, 'payload_too_large', 'Payload too large', `The body is ${bytes} bytes; the limit is ${options.maxBodyBytes}.`);
  }

  /**
   * The rest of the request once its body is in, with its audit record when the route is audited:
   * refused by validation, the record is written complete; otherwise it is opened before the
   * handler runs (so no change the handler makes can outlive it, see AuditStore.open) and
   * completed with the handler's status.
   */
  async function complete(admitted: AdmittedRequest, raw: RawRequest): Promise<RouteResult> {
    const prepared = prepare(admitted, raw);
    const def = admitted.route.def;
    if (!isAudited(def) || admitted.keyId === undefined) return 'status' in prepared ? prepared : run(admitted, prepared);
    // A refused request's path parameters as they came (they may not decode): enough to name what it aimed at.
    const rawParams = (): Record<string, string> =>
      Object.fromEntries(admitted.route.paramNames.map((name, i) => [name, admitted.match[i + 1]!]));
    const { params, query, body } = 'status' in prepared ? { params: rawParams(), query: {}, body: undefined } : prepared.req;
    const subject: AuditSubject = {
      keyId: admitted.keyId,
      accountId: admitted.account?.id ?? operatorAccountOf(params, query, body),
      resourceId: pathResourceOf(admitted.route.paramNames, params),
    };
    if ('status' in prepared) {
      await recordRefusal(def, subject, admitted.requestId, raw.remoteAddress, prepared);
      return prepared;
    }
    const record = auditRecord(deps.ids, deps.clock.now(), def, subject, admitted.requestId, raw.remoteAddress, null);
    try {
      await deps.store.audit.open(record);
    } catch (err) {
      // No record, no change: the handler does not run.
      deps.logger.error('audit record not opened; request refused', {
        operationId: def.operationId,
        requestId: admitted.requestId,
        error: (err as Error).message,
      });
      return problem(
        503,
        'audit_unavailable',
        'Service unavailable',
        'The request could not be recorded in the audit log, so it was not carried out; retry later.',
        undefined,
        undefined,
        { 'retry-after': '5' },
      );
    }
    const result = await run(admitted, prepared);
    try {
      await deps.store.audit.complete(record.accountId, record.id, {
        status: result.status,
        resourceId: record.resourceId === null ? resultResourceOf(result) : null,
      });
    } catch (err) {
      // The change is made and its record stands (without an outcome): answer as the handler did.
      deps.logger.error('audit outcome not written', {
        operationId: def.operationId,
        requestId: admitted.requestId,
        auditId: record.id,
        error: (err as Error).message,
      });
    }
    return result;
  }

  interface Prepared {
    req: RouteRequest;
    tokenScope: string;
  }

  /** Size, parameters, query, continuation token and body, checked: the request for the handler, or the refusal. */
  function prepare(admitted: AdmittedRequest, raw: RawRequest): RouteResult | Prepared {
    const { route, match: m, path, search, headers, account } = admitted;
    const def = route.def;
    const bodySize = raw.bodySize ?? raw.body.length;
    if (bodySize > options.maxBodyBytes) return tooLarge(bodySize);
    const params: Record<string, string> = {};
    try {
      route.paramNames.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
    } catch {
      return problem(400, 'validation_failed', 'Your request has invalid fields', 'A path parameter is not valid URL encoding.');
    }
    if (route.params) {
      const errors = route.params(params);
      if (errors) return problemFromError(invalid(errors));
    }
    const query: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(search)) query[k] = v;
    if (route.query) {
      const errors = route.query(query);
      if (errors) return problemFromError(invalid(errors));
    }
    const tokenScope = `${def.operationId}\n${account?.id ?? ''}`;
    if (route.pages && typeof query.continuationToken === 'string') {
      const inner = openPageToken(options.pageTokenSecret, tokenScope, query.continuationToken);
      if (inner === null)
        return problemFromError(invalid([{ path: 'query/continuationToken', message: new InvalidContinuationTokenError().message }]));
      query.continuationToken = inner;
    }
    const rawBody = raw.body.toString('utf8');
    let body: unknown;
    if (route.body) {
      if (rawBody.trim() === '') {
        if (def.bodyRequired !== false)
          return problem(400, 'body_required', 'Body required', 'This route needs a JSON body.', [{ path: '/', message: 'is required' }]);
        body = {};
      } else {
        const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'application/json' && !type.endsWith('+json')) {
          return problem(
            415,
            'unsupported_media_type',
            'Unsupported media type',
            `Send the body as application/json (got ${type || 'no content type'}).`,
          );
        }
        try {
          body = JSON.parse(rawBody);
        } catch (err) {
          return problem(400, 'malformed_json', 'Malformed JSON', `The body is not valid JSON: ${(err as Error).message}`, [
            { path: '/', message: 'is not valid JSON' },
          ]);
        }
        const errors = route.body(body);
        if (errors) return problemFromError(invalid(errors));
      }
    }
    return { req: { method: raw.method, path, url: `${raw.origin}${raw.url}`, params, query, headers, rawBody, body }, tokenScope };
  }

  /** The handler, its errors turned into problems. */
  async function run(admitted: AdmittedRequest, { req, tokenScope }: Prepared): Promise<RouteResult> {
    const { route, account, keyId, keyScopes } = admitted;
    const def = route.def;
    try {
      // Carrier, admin and open routes have no account; their handlers do not read ctx.account.
      const result = await def.handle({ deps, req, account: account as Account, keyId, keyScopes });
      return route.pages ? withSignedToken(result, options.pageTokenSecret, tokenScope) : result;
    } catch (err) {
      if (err instanceof AppError) return problemFromError(err);
      // Any list a route pages through: a token this API did not issue is bad input, not a fault.
      if (err instanceof InvalidContinuationTokenError)
        return problemFromError(invalid([{ path: 'query/continuationToken', message: err.message }]));
      deps.logger.error('unhandled error in route', {
        operationId: def.operationId,
        error: (err as Error).message,
        stack: (err as Error).stack,
      });
      return problem(500, 'internal_error', 'Internal error', 'Something went wrong on our side; it has been logged.');
    }
  }

  return {
    routes: compiled.map((c) => c.def),
    /**
     * The pre-body check hosts call on the headers: a refusal (404, 405, 401, 403, 429, 413 from
     * Content-Length) is answered without reading the body.
     */
    async admit(head: RequestHead): Promise<Admission> {
      const headers = lowerHeaders(head.headers);
      const requestId = requestIdOf(headers, deps.ids);
      const result = await admitHead(head, headers, requestId);
      return 'status' in result ? { refused: toRawResponse(result, requestId) } : { admitted: result };
    },
    /** Completes an admitted request with its body. */
    async complete(admitted: AdmittedRequest, raw: RawRequest): Promise<RawResponse> {
      return toRawResponse(await complete(admitted, raw), admitted.requestId);
    },
    /** Both steps at once, for callers that already hold the whole request. */
    async handle(raw: RawRequest): Promise<RawResponse> {
      const headers = lowerHeaders(raw.headers);
      const requestId = requestIdOf(headers, deps.ids);
      const result = await admitHead(raw, headers, requestId);
      return toRawResponse('status' in result ? result : await complete(result, raw), requestId);
    },
  };
}

function toRawResponse(result: RouteResult, requestId: string): RawResponse {
  const headers: Record<string, string> = { ...result.headers, 'request-id': requestId };
  if (result.body === undefined) return { status: result.status, headers, body: '' };
  headers['content-type'] ??= 'application/json; charset=utf-8';
  return { status: result.status, headers, body: typeof result.body === 'string' ? result.body : JSON.stringify(result.body) };
}

/** Content-Length as a number, or undefined when absent (chunked) or not a plain decimal. */
function declaredLength(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

export type Engine = ReturnType<typeof createEngine>;

const RATE_LIMITED_WHAT: Record<NonNullable<RouteDef['rateLimit']>, string> = {
  subscriptions: 'the webhook API for this account',
  carrier: 'the carrier callback routes from this address',
  campaignTriggers: 'trigger campaigns for this account',
};

/** A page's next token, signed for the route and account that will send it back. */
function withSignedToken(result: RouteResult, secret: string, scope: string): RouteResult {
  const body = result.body as { continuationToken?: unknown } | undefined;
  if (!body || typeof body !== 'object' || typeof body.continuationToken !== 'string') return result;
  return { ...result, body: { ...body, continuationToken: signPageToken(secret, scope, body.continuationToken) } };
}

/** keyId of requests made with ADMIN_API_KEY, the bootstrap operator key (it has no record). */
export const BOOTSTRAP_OPERATOR_KEY_ID = 'bootstrap';

/** 401 for a key that opens nothing: unknown, revoked, or expired (the detail says which, never why else). */
function refusedKey(reason: KeyRefusal, what: 'API key' | 'admin key'): RouteResult {
  const auth = { 'www-authenticate': 'Bearer' };
  if (reason === 'expired')
    return problem(401, 'api_key_expired', 'API key expired', `The ${what} has expired; create a new key.`, undefined, undefined, auth);
  if (reason === 'revoked')
    return problem(401, 'api_key_revoked', 'API key revoked', `The ${what} has been revoked.`, undefined, undefined, auth);
  if (what === 'admin key') return problem(401, 'invalid_admin_key', 'Invalid admin key', 'The admin key is not valid.');
  return problem(401, 'invalid_api_key', 'Invalid API key', 'The API key is not valid.', undefined, undefined, auth);
}

function bearer(value: string | undefined): string | undefined {
  const m = value && /^Bearer\s+(.+)$/i.exec(value);
  return m ? m[1]!.trim() : undefined;
}

function lowerHeaders(h: RawRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
