import Ajv, { type ErrorObject, type SchemaValidateFunction, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FieldError } from '../app/errors';
import { isKnownRegion } from '../domain/phone';
import { textCharProblem } from '../domain/textChars';
import type { JsonSchema } from '../schema/builders';

// Ajv cannot know the x-ms-* connector keywords; strict mode off keeps them as annotations.
const bodyAjv = new Ajv({ allErrors: true, strict: false });
const queryAjv = new Ajv({ allErrors: true, strict: false, coerceTypes: true, useDefaults: true });
for (const ajv of [bodyAjv, queryAjv]) {
  addFormats(ajv);
  addTextKeywords(ajv);
}

type TextMode = 'line' | 'lines';

/**
 * The character rule of textChars.ts on every string the schemas let in: `textChars` on each
 * declared string, `keyChars` on the keys of objects that take keys of the caller's choosing, and
 * `openText` on open objects (a trigger campaign's payload), whose every nested key and string it walks.
 */
function addTextKeywords(ajv: Ajv): void {
  const textChars: SchemaValidateFunction = (mode: TextMode, data: string) => {
    const problem = textCharProblem(data, mode === 'lines');
    textChars.errors = problem ? [{ keyword: 'textChars', message: problem, params: {} }] : [];
    return problem === null;
  };
  ajv.addKeyword({ keyword: 'textChars', type: 'string', schemaType: 'string', errors: true, validate: textChars });
  const keyChars: SchemaValidateFunction = (_on: boolean, data: Record<string, unknown>) => {
    const problems = Object.keys(data).flatMap((k) => keyProblem(k) ?? []);
    keyChars.errors = problems.map((message) => ({ keyword: 'keyChars', message, params: {} }));
    return problems.length === 0;
  };
  ajv.addKeyword({ keyword: 'keyChars', type: 'object', schemaType: 'boolean', errors: true, validate: keyChars });
  const openText: SchemaValidateFunction = (_on: boolean, data: unknown, _parent?: unknown, cxt?: { instancePath: string }) => {
    const errors: Partial<ErrorObject>[] = [];
    walkOpen(data, cxt?.instancePath ?? '', errors);
    openText.errors = errors;
    return errors.length === 0;
  };
  ajv.addKeyword({ keyword: 'openText', type: 'object', schemaType: 'boolean', errors: true, validate: openText });
  const knownRegion: SchemaValidateFunction = (_on: boolean, data: string) => {
    const known = isKnownRegion(data);
    knownRegion.errors = known
      ? []
      : [
          {
            keyword: 'knownRegion',
            message: 'must be an ISO 3166-1 alpha-2 region with a phone numbering plan, e.g. US, GB or IN',
            params: {},
          },
        ];
    return known;
  };
  ajv.addKeyword({ keyword: 'knownRegion', type: 'string', schemaType: 'boolean', errors: true, validate: knownRegion });
}

const keyProblem = (key: string): string | null => {
  const problem = textCharProblem(key, false);
  return problem && `has a key that ${problem}`;
};

/** Free JSON: keys follow the rule of names, string values that of texts (they may become message text). */
function walkOpen(value: unknown, path: string, errors: Partial<ErrorObject>[]): void {
  if (typeof value === 'string') {
    const problem = textCharProblem(value, true);
    if (problem) errors.push({ keyword: 'openText', instancePath: path, message: problem, params: {} });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => walkOpen(v, `${path}/${i}`, errors));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const problem = keyProblem(k);
      if (problem) errors.push({ keyword: 'openText', instancePath: path, message: problem, params: {} });
      else walkOpen(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, errors);
    }
  }
}

/**
 * Route-table schema → Ajv schema: Swagger 2.0 spells nullability `x-nullable`, Ajv `nullable`;
 * and every string, key and open object gets its character rule.
 */
function forAjv(schema: JsonSchema): object {
  return JSON.parse(JSON.stringify(schema), (_key, value: unknown) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
    const { 'x-nullable': n, lineBreaks, ...rest } = value as Record<string, unknown>;
    const out: Record<string, unknown> = n === undefined ? rest : { ...rest, nullable: n };
    if (out.type === 'string') out.textChars = lineBreaks === true ? 'lines' : 'line';
    if (out.type === 'object' && out.additionalProperties === true) out.openText = true;
    else if (out.type === 'object' && out.additionalProperties && typeof out.additionalProperties === 'object') out.keyChars = true;
    return out;
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
