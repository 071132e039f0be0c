import { applyStatusReports } from '../../app/messageLifecycle';
import { receiveInbound } from '../../app/inbound';
import {
  CarrierPayloadError,
  type CallbackKind,
  type CallbackOutcome,
  type Carrier,
  type CarrierRequest,
  type CarrierResponse,
} from '../../ports';
import { API_PREFIX } from '../engine';
import { problem } from '../problem';
import { defineRoute, type HttpMethod, type RouteContext, type RouteDef, type RouteResult, type TypedRequest } from '../route';
import { arr, obj, str } from '../../schema/builders';
import { pathParam, problemResponses } from './common';

const carrierParam = pathParam('carrier', str('Carrier', 'Carrier name, e.g. simulator.', { minLength: 1, maxLength: 32 }));

/** A carrier route's request: the carrier from the path; the query and body are the carrier's to read. */
type CallbackContext = RouteContext<TypedRequest<`/carriers/{carrier}/${CallbackKind}`, [], undefined>>;

/**
 * Carrier routes authenticate by the carrier's own signature, never by API key. The steps are the
 * same for every carrier; what differs (a handshake, the answer it expects) the carrier supplies.
 */
async function handleCallback(ctx: CallbackContext, kind: CallbackKind): Promise<RouteResult> {
  const carrier = ctx.deps.carriers.get(ctx.req.params.carrier);
  if (!carrier) return problem(404, 'unknown_carrier', 'Unknown carrier', `No carrier named ${ctx.req.params.carrier} is configured.`);
  const query = ctx.req.url.indexOf('?');
  const req: CarrierRequest = {
    method: ctx.req.method,
    headers: ctx.req.headers,
    rawBody: ctx.req.rawBody,
    url: ctx.req.url,
    publicUrl: `${ctx.deps.settings.publicBaseUrl}${API_PREFIX}${ctx.req.path}${query < 0 ? '' : ctx.req.url.slice(query)}`,
  };
  if (!verified(carrier, req))
    return problem(403, 'invalid_signature', 'Invalid signature', 'The callback is unsigned or its signature does not match.');
  let outcome: CallbackOutcome;
  try {
    const handshake = carrier.handshake?.(kind, req);
    if (handshake) return fromCarrier(handshake);
    if (req.method === 'OPTIONS')
      return problem(405, 'method_not_allowed', 'Method not allowed', `Carrier ${carrier.name} does not use OPTIONS.`);
    outcome =
      kind === 'status'
        ? { kind, ...(await applyStatusReports(ctx.deps, carrier.name, carrier.parseStatusCallback(req))) }
        : { kind, ...(await receiveInbound(ctx.deps, carrier.name, carrier.parseInbound(req))) };
  } catch (err) {
    if (err instanceof CarrierPayloadError) return problem(400, err.code, 'Malformed carrier payload', err.message);
    throw err;
  }
  return answer(carrier, outcome);
}

/** A signature check that cannot run (a Host header no URL can be built from, say) is a failed one. */
function verified(carrier: Carrier, req: CarrierRequest): boolean {
  try {
    return carrier.verifySignature(req);
  } catch {
    return false;
  }
}

function answer(carrier: Carrier, outcome: CallbackOutcome): RouteResult {
  if (carrier.acknowledge) return fromCarrier(carrier.acknowledge(outcome));
  const { kind: _kind, ...body } = outcome;
  return { status: 200, body };
}

function fromCarrier(res: CarrierResponse): RouteResult {
  return { status: res.status, headers: res.headers, body: res.body };
}

const idList = (title: string) => arr(title, title, { type: 'string' });

const statusOutcomeSchema = obj(
  'Report outcome',
  'What happened to each report.',
  { applied: idList('Applied'), ignored: idList('Ignored (late or repeated)'), unknown: idList('Unknown carrier message ids') },
  ['applied', 'ignored', 'unknown'],
);
const inboundOutcomeSchema = obj(
  'Inbound outcome',
  'What happened to each message.',
  { accepted: idList('Accepted'), unknownNumber: idList('Sent to numbers no account has') },
  ['accepted', 'unknownNumber'],
);

/** POST is what most carriers use; Kannel calls back with GET query strings; Event Grid's CloudEvents schema probes with OPTIONS. */
const METHODS: { method: HttpMethod; suffix: string; note: string }[] = [
  { method: 'POST', suffix: '', note: '' },
  { method: 'GET', suffix: 'Get', note: ' GET variant, for carriers that call back with a query string (Kannel).' },
  { method: 'OPTIONS', suffix: 'Probe', note: ' OPTIONS variant: the webhook validation probe of CloudEvents (Event Grid).' },
];

function callbackRoutes(kind: CallbackKind): RouteDef[] {
  const status = kind === 'status';
  return METHODS.map(({ method, suffix, note }) =>
    defineRoute({
      method,
      path: `/carriers/{carrier}/${kind}` as const,
      operationId: `${status ? 'CarrierStatusCallback' : 'CarrierInboundCallback'}${suffix}`,
      summary: status ? 'Receive delivery reports' : 'Receive inbound SMS',
      description:
        (status
          ? "Carrier route: delivery reports, verified by the carrier's signature and applied through the status machine."
          : "Carrier route: SMS sent to a virtual number, verified by the carrier's signature.") + note,
      tags: ['Carriers'],
      auth: 'carrier',
      pathParams: [carrierParam],
      responses: {
        200: {
          description: status
            ? "Reports processed (or the carrier's own answer)."
            : "Inbound messages processed (or the carrier's own answer).",
          schema: status ? statusOutcomeSchema : inboundOutcomeSchema,
        },
        ...problemResponses(400, 404),
        403: { description: 'Bad signature.' },
        503: { description: 'Some reports name messages not recorded yet; carriers that retry are asked to.' },
      },
      handle: (ctx) => handleCallback(ctx, kind),
    }),
  );
}

export const carrierRoutes: RouteDef[] = [...callbackRoutes('status'), ...callbackRoutes('inbound')];
