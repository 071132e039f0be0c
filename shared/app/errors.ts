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

export const invalid = (errors: FieldError[], detail = errors.map((e) => `${e.path} ${e.message}`).join('; ')) =>
  new AppError(400, 'validation_failed', 'Your request has invalid fields', detail, errors);

export const unprocessable = (code: string, path: string, message: string) =>
  new AppError(422, code, 'The request cannot be carried out', `${path} ${message}`, [{ path, message }]);

export const notFound = (what: string) => new AppError(404, 'not_found', 'Not found', `${what} was not found`);

export const conflict = (code: string, detail: string) => new AppError(409, code, 'Conflict', detail);
