import { problemSchema } from '../resources';
import type { ParamSpec, ResponseSpec } from '../route';
import { str, type SchemaLike } from '../../schema/builders';

const PROBLEM_TEXT: Record<number, string> = {
  400: 'The request is invalid; errors names the fields.',
  401: 'The API key is missing or invalid.',
  402: 'Not enough credits.',
  403: 'The API key lacks the scope.',
  404: "Not found (also for another account's resources).",
  409: 'Conflict with the current state.',
  413: 'The body is too large.',
  415: 'The body is not JSON.',
  422: 'The request is well-formed but cannot be carried out.',
  429: 'Too many requests; retry after Retry-After seconds.',
};

export function problemResponses(...codes: number[]): Record<number, ResponseSpec> {
  const out: Record<number, ResponseSpec> = {};
  for (const c of codes) out[c] = { description: PROBLEM_TEXT[c] ?? 'Error.', schema: problemSchema };
  return out;
}

/** A path parameter, typed by its name (which defineRoute checks against the path) and schema. */
export const pathParam = <const N extends string, S extends SchemaLike>(name: N, schema: S): ParamSpec<N, S> => ({
  name,
  required: true,
  schema,
});

export function idParam<const N extends string>(name: N, title: string, description: string): ParamSpec<N> {
  return { name, required: true, schema: str(title, description, { minLength: 1, maxLength: 64 }) };
}
