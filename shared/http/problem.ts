import type { AppError, FieldError } from '../app/errors';
import type { RouteResult } from './route';

export const PROBLEM_TYPE_BASE = 'https://dataflows-sms.dev/problems/';

/** RFC 9457 problem+json response. */
export function problem(
  status: number,
  code: string,
  title: string,
  detail?: string,
  errors?: FieldError[],
  extra?: Record<string, unknown>,
  headers?: Record<string, string>,
): RouteResult {
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: {
      type: `${PROBLEM_TYPE_BASE}${code}`,
      title,
      status,
      code,
      ...(detail ? { detail } : {}),
      ...(errors ? { errors } : {}),
      ...extra,
    },
  };
}

export function problemFromError(err: AppError): RouteResult {
  return problem(err.status, err.code, err.title, err.message, err.errors, err.extra);
}
