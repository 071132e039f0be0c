import { applyStatusReports } from '../../app/messageLifecycle';
import { receiveInbound } from '../../app/inbound';
import { CarrierPayloadError, type Carrier, type CarrierRequest } from '../../ports';
import { problem } from '../problem';
import type { RouteContext, RouteDef, RouteResult } from '../route';
import { arr, obj, str } from '../schema';
import { problemResponses } from './common';

const carrierParam = [{ name: 'carrier', required: true, schema: str('Carrier', 'Carrier name, e.g. simulator.', { minLength: 1, maxLength: 32 }) }];

/** Carrier routes authenticate by the carrier's own signature, never by API key. */
async function withCarrier(ctx: RouteContext, run: (carrier: Carrier, req: CarrierRequest) => Promise<RouteResult>): Promise<RouteResult> {
  const carrier = ctx.deps.carriers.get(ctx.req.params.carrier!);
  if (!carrier) return problem(404, 'unknown_carrier', 'Unknown carrier', `No carrier named ${ctx.req.params.carrier} is configured.`);
  const req: CarrierRequest = { headers: ctx.req.headers, rawBody: ctx.req.rawBody, url: ctx.req.url };
  if (!carrier.verifySignature(req)) return problem(403, 'invalid_signature', 'Invalid signature', 'The callback is unsigned or its signature does not match.');
  try {
    return await run(carrier, req);
  } catch (err) {
    if (err instanceof CarrierPayloadError) return problem(400, err.code, 'Malformed carrier payload', err.message);
    throw err;
  }
}

const idList = (title: string) => arr(title, title, { type: 'string' });

export const carrierRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/carriers/{carrier}/status',
    operationId: 'CarrierStatusCallback',
    summary: 'Receive delivery reports',
    description: 'Carrier route: delivery reports, verified by the carrier\'s signature and applied through the status machine.',
    tags: ['Carriers'],
    auth: 'carrier',
    pathParams: carrierParam,
    responses: {
      200: { description: 'Reports processed.', schema: obj('Report outcome', 'What happened to each report.', { applied: idList('Applied'), ignored: idList('Ignored (late or repeated)'), unknown: idList('Unknown carrier message ids') }, ['applied', 'ignored', 'unknown']) },
      ...problemResponses(400, 404),
      403: { description: 'Bad signature.' },
    },
    handle: (ctx) =>
      withCarrier(ctx, async (carrier, req) => {
        const outcome = await applyStatusReports(ctx.deps, carrier.name, carrier.parseStatusCallback(req));
        return { status: 200, body: outcome };
      }),
  },
  {
    method: 'POST',
    path: '/carriers/{carrier}/inbound',
    operationId: 'CarrierInboundCallback',
    summary: 'Receive inbound SMS',
    description: 'Carrier route: SMS sent to a virtual number, verified by the carrier\'s signature.',
    tags: ['Carriers'],
    auth: 'carrier',
    pathParams: carrierParam,
    responses: {
      200: { description: 'Inbound messages processed.', schema: obj('Inbound outcome', 'What happened to each message.', { accepted: idList('Accepted'), unknownNumber: idList('Sent to numbers no account has') }, ['accepted', 'unknownNumber']) },
      ...problemResponses(400, 404),
      403: { description: 'Bad signature.' },
    },
    handle: (ctx) =>
      withCarrier(ctx, async (carrier, req) => {
        const outcome = await receiveInbound(ctx.deps, carrier.parseInbound(req));
        return { status: 200, body: outcome };
      }),
  },
];
