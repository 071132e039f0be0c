import { CarrierPayloadError, type CarrierRequest, type CarrierResponse } from '../../../ports';
import { field, isRecord, parseJsonBody } from '../callbackParsing';

/**
 * Event Grid delivery to a webhook, in both schemas it offers: the Event Grid schema (always a JSON
 * array of `{id, eventType, eventTime, data, ...}`) and CloudEvents 1.0 (one `{id, type, time,
 * specversion, data}` as application/cloudevents+json, or an array of them as
 * application/cloudevents-batch+json). Both reduce to the same neutral event.
 */
export interface GridEvent {
  id: string;
  type: string;
  /** ISO time of the event, when given. */
  time: string | undefined;
  data: Record<string, unknown>;
}

export const SUBSCRIPTION_VALIDATION = 'Microsoft.EventGrid.SubscriptionValidationEvent';

export function parseGridEvents(raw: string): GridEvent[] {
  const body = parseJsonBody(raw);
  const items = Array.isArray(body) ? body : [body];
  return items.map((item, i) => {
    if (!isRecord(item)) throw new CarrierPayloadError(`event ${i} is not an object`);
    const cloud = 'specversion' in item;
    const type = cloud ? item.type : item.eventType;
    const time = cloud ? item.time : item.eventTime;
    if (typeof type !== 'string' || !type) throw new CarrierPayloadError(`event ${i} has no ${cloud ? 'type' : 'eventType'}`);
    if (typeof item.id !== 'string') throw new CarrierPayloadError(`event ${i} has no id`);
    if (time !== undefined && typeof time !== 'string') throw new CarrierPayloadError(`event ${i} has a time that is not a string`);
    const data = item.data ?? {};
    if (!isRecord(data)) throw new CarrierPayloadError(`event ${i} data is not an object`);
    return { id: item.id, type, time, data };
  });
}

/**
 * Event Grid proves we own the endpoint before it delivers anything. Event Grid schema: a POST
 * with one SubscriptionValidationEvent, answered with its validation code. CloudEvents schema: an
 * OPTIONS probe naming the sender in WebHook-Request-Origin, answered by allowing that origin.
 */
export function eventGridHandshake(req: CarrierRequest): CarrierResponse | null {
  if (req.method === 'OPTIONS') {
    const origin = req.headers['webhook-request-origin'];
    if (!origin) return null;
    return { status: 200, headers: { 'webhook-allowed-origin': origin, 'webhook-allowed-rate': '*', allow: 'POST, OPTIONS' } };
  }
  if (req.method !== undefined && req.method !== 'POST') return null;
  if (req.headers['aeg-event-type'] !== 'SubscriptionValidation' && !req.rawBody.includes(SUBSCRIPTION_VALIDATION)) return null;
  const validation = parseGridEvents(req.rawBody).find((e) => e.type === SUBSCRIPTION_VALIDATION);
  if (!validation) return null;
  const code = field(validation.data, 'validationCode');
  if (typeof code !== 'string' || !code) throw new CarrierPayloadError('SubscriptionValidationEvent without a validationCode');
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ validationResponse: code }),
  };
}
