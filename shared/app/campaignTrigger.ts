import type { AttributeMapping, TriggerMapping } from '../domain/campaign';
import { isTooLong, textLength, tooLongReason } from '../domain/messageText';
import { pointerOf, readPath, renderTemplate, variablesOf } from '../domain/template';
import type { Account } from '../domain/types';
import { conflict, unprocessable, unprocessableFields, type FieldError, type AppError } from './errors';
import { getCampaign, templateOf } from './campaigns';
import type { AppDeps } from './deps';
import { sendMessage, type SendOutcome } from './sendMessage';

/**
 * A call to a trigger campaign (seed 004): the payload is checked against the campaign's attribute
 * mapping (phone in E.164, required fields present, types as declared; errors name the payload
 * field), the template is filled from it and one message is sent to that phone.
 */
export async function triggerCampaign(
  deps: AppDeps,
  account: Account,
  campaignId: string,
  payload: Record<string, unknown>,
  idempotencyKey: string | null,
): Promise<SendOutcome> {
  const c = await getCampaign(deps, account, campaignId);
  if (c.kind !== 'trigger')
    throw conflict('not_a_trigger_campaign', `Campaign ${c.id} is a bulk campaign; it sends to its groups when started.`);
  if (c.status !== 'active') throw conflict('campaign_not_active', `Campaign ${c.id} is paused and accepts no calls; activate it first.`);
  const values = mapPayload(c.trigger!, payload);
  const template = templateOf(c);
  const text = renderTemplate(template, values);
  if (text === '')
    throw unprocessable('empty_message', pointerOf(c.trigger!.phoneField), 'the template rendered to an empty message for this payload');
  if (isTooLong(text)) throw textTooLong(c.trigger!, variablesOf(template), values, text);
  return sendMessage(deps, account, { to: values.phone!, text, ...(c.from ? { from: c.from } : {}), campaignId: c.id }, idempotencyKey);
}

/**
 * The saved template is at most MESSAGE_TEXT_MAX characters, so a longer message comes from the
 * payload: the error names each payload field whose value went into the text, longest first.
 */
function textTooLong(mapping: TriggerMapping, used: string[], values: Record<string, string | undefined>, text: string): AppError {
  const fieldOf = (name: string) =>
    name === 'phone' ? mapping.phoneField : (mapping.attributes.find((a) => a.name === name)?.field ?? name);
  const sources = used
    .filter((name) => values[name])
    .sort((a, b) => values[b]!.length - values[a]!.length)
    .map((name) => ({
      path: pointerOf(fieldOf(name)),
      message: `makes the message too long: it gives ${textLength(values[name]!).toLocaleString('en-US')} characters (mapped to ${name}); the message ${tooLongReason(text)}`,
    }));
  return unprocessableFields('text_too_long', sources, 'The message would be too long');
}

/** Payload -> template values; every problem is reported at once, each naming its field. */
export function mapPayload(mapping: TriggerMapping, payload: Record<string, unknown>): Record<string, string | undefined> {
  const errors: FieldError[] = [];
  const values: Record<string, string | undefined> = {};
  const phone = readPath(payload, mapping.phoneField);
  if (typeof phone !== 'string' || phone.trim() === '') {
    errors.push({
      path: pointerOf(mapping.phoneField),
      message:
        phone === undefined
          ? "is required: the recipient's phone number in E.164"
          : 'must be a phone number string in E.164, e.g. +14155550123',
    });
  } else if (!/^\+[1-9]\d{6,14}$/.test(phone.trim())) {
    errors.push({
      path: pointerOf(mapping.phoneField),
      message: 'must be in E.164 format: + then country code and number, e.g. +14155550123',
    });
  } else {
    values.phone = phone.trim();
  }
  for (const a of mapping.attributes) {
    const checked = checkAttribute(a, readPath(payload, a.field));
    if (typeof checked === 'object') errors.push(checked);
    else values[a.name] = checked;
  }
  if (errors.length > 0) {
    throw unprocessableFields('payload_mismatch', errors, "The payload does not match the campaign's mapping");
  }
  return values;
}

function checkAttribute(a: AttributeMapping, value: unknown): string | undefined | FieldError {
  const path = pointerOf(a.field);
  if (value === undefined || value === null || value === '') {
    return a.required ? { path, message: `is required (mapped to ${a.name})` } : undefined;
  }
  if (typeof value !== a.type) return { path, message: `must be a ${a.type} (mapped to ${a.name})` };
  return String(value);
}
