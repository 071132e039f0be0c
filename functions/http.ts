import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Engine, RawResponse, RequestHead } from '../shared/http/engine';
import type { RuntimeProvider } from './runtimeProvider';

/** The Functions request's head as the engine's RequestHead: the same shape the embedded host produces. */
export function toRequestHead(request: HttpRequest): RequestHead {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return {
    method: request.method,
    // The host's route prefix is "api" (host.json), so the path already starts with /api as the engine expects.
    url: `${url.pathname}${url.search}`,
    headers,
    origin: url.origin,
    ...withAddress(clientAddress(headers['x-forwarded-for'])),
  };
}

function withAddress(address: string | undefined): { remoteAddress?: string } {
  return address ? { remoteAddress: address } : {};
}

/**
 * The caller's address behind the App Service front end, which appends it to X-Forwarded-For
 * (`ip:port`, IPv6 in brackets). The last entry is the front end's own; earlier ones come from the
 * client and could be forged, so they are ignored (carrier rate limits are keyed on this).
 */
export function clientAddress(forwardedFor: string | undefined): string | undefined {
  const last = forwardedFor?.split(',').pop()?.trim();
  if (!last) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(last);
  if (bracketed) return bracketed[1];
  // One colon: IPv4 with a port. More: a bare IPv6 address.
  return (last.match(/:/g) ?? []).length === 1 ? last.slice(0, last.indexOf(':')) : last;
}

export function toResponseInit(response: RawResponse): HttpResponseInit {
  return { status: response.status, headers: response.headers, body: response.body };
}

/**
 * One handler serves every route: the engine routes, authenticates (every function is anonymous to
 * the host), validates and answers problem+json, exactly as on the embedded host.
 */
export function createHttpHandler(
  runtime: RuntimeProvider,
): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async (request, context) => {
    let engine: Engine;
    try {
      ({ engine } = await runtime());
    } catch (err) {
      // The runtime could not be built (Cosmos DB or Service Bus unreachable, bad setting): the
      // caller may retry; the cause goes to the log, never to the response.
      context.error('runtime unavailable', (err as Error).message);
      return toResponseInit({
        status: 503,
        headers: { 'content-type': 'application/problem+json', 'retry-after': '5' },
        body: JSON.stringify({
          type: 'about:blank',
          title: 'Service unavailable',
          status: 503,
          code: 'service_unavailable',
          detail: 'The service is starting or a dependency is unreachable; retry shortly.',
        }),
      });
    }
    return toResponseInit(await handleRequest(engine, request));
  };
}

/**
 * The engine's pre-body check first: a refusal (no or invalid key, a Content-Length over
 * MAX_BODY_BYTES, no such route) is answered without reading the body into the worker.
 */
async function handleRequest(engine: Engine, request: HttpRequest): Promise<RawResponse> {
  const head = toRequestHead(request);
  const admission = await engine.admit(head);
  if ('refused' in admission) return admission.refused;
  return engine.complete(admission.admitted, { ...head, body: Buffer.from(await request.arrayBuffer()) });
}
