import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FieldError } from '../app/errors';
import type { JsonSchema } from './schema';

// Ajv cannot know the x-ms-* connector keywords; strict mode off keeps them as annotations.
const bodyAjv = new Ajv({ allErrors: true, strict: false });
const queryAjv = new Ajv({ allErrors: true, strict: false, coerceTypes: true, useDefaults: true });
addFormats(bodyAjv);
addFormats(queryAjv);

/** Swagger 2.0 spells nullability `x-nullable`; Ajv spells it `nullable`. */
function forAjv(schema: JsonSchema): object {
  return JSON.parse(JSON.stringify(schema), (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value) && 'x-nullable' in value) {
      const { ['x-nullable']: n, ...rest } = value as Record<string, unknown>;
      return { ...rest, nullable: n };
    }
    return value;
  });
}

export type Validator = (value: unknown) => FieldError[] | null;

export function compileBody(schema: JsonSchema): Validator {
  return wrap(bodyAjv.compile(forAjv(schema)), '');
}

export function compileQuery(schema: JsonSchema, prefix: string): Validator {
  return wrap(queryAjv.compile(forAjv(schema)), prefix);
}

function wrap(validate: ValidateFunction, prefix: string): Validator {
  return (value) => (validate(value) ? null : toFieldErrors(validate.errors ?? [], prefix));
}

/** Ajv errors → one entry per offending field, with the field's own path. */
export function toFieldErrors(errors: ErrorObject[], prefix: string): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let path = e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      path += `/${(e.params as { missingProperty: string }).missingProperty}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path += `/${(e.params as { additionalProperty: string }).additionalProperty}`;
      message = 'is not a known field';
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    }
    const full = `${prefix}${path || '/'}`;
    const key = `${full}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: full, message });
  }
  return out;
}
