/**
 * Expected failures of use cases. Each has a stable `code` and the HTTP status the API answers with;
 * the HTTP layer turns them into RFC 9457 problem+json.
 */
export interface FieldError {
  /** JSON Pointer-ish path of the offending field, e.g. `/to` or `query.status`. */
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    readonly errors?: FieldError[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail);
  }
}

const UNPROCESSABLE = 'The request cannot be carried out';

/** `/path message; /path message`: the detail of a problem that names its fields. */
const pointed = (errors: FieldError[]) => errors.map((e) => `${e.path} ${e.message}`).join('; ');

export const invalid = (errors: FieldError[], detail = pointed(errors)) =>
  new AppError(400, 'validation_failed', 'Your request has invalid fields', detail, errors);

/** 422 for one field; `extra` adds members to the problem (e.g. the balance it was checked against). */
export const unprocessable = (code: string, path: string, message: string, extra?: Record<string, unknown>) =>
  new AppError(422, code, UNPROCESSABLE, `${path} ${message}`, [{ path, message }], extra);

/** 422 naming several fields; a `title` when the general one would say too little. */
export const unprocessableFields = (code: string, errors: FieldError[], title = UNPROCESSABLE) =>
  new AppError(422, code, title, pointed(errors), errors);

/** 422 about the request as a whole, no single field to blame. */
export const refused = (code: string, detail: string, title = UNPROCESSABLE) => new AppError(422, code, title, detail);

/** 402: the balance does not cover the cost; `extra` carries the figures. */
export const notEnoughCredits = (detail: string, extra: Record<string, unknown>) =>
  new AppError(402, 'insufficient_credits', 'Not enough credits', detail, undefined, extra);

export const notFound = (what: string) => new AppError(404, 'not_found', 'Not found', `${what} was not found`);

/** 409; `errors` and `extra` name the field taken and the record that holds it. */
export const conflict = (code: string, detail: string, errors?: FieldError[], extra?: Record<string, unknown>) =>
  new AppError(409, code, 'Conflict', detail, errors, extra);

/** 403: the key is valid but may not do this; `errors` names the field asking for more (e.g. /scopes). */
export const forbidden = (code: string, detail: string, errors?: FieldError[]) => new AppError(403, code, 'Forbidden', detail, errors);
