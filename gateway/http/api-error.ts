// The one error shape of the API (docs/api.md): {"error": {code, message, details?}}.
// Domain code throws ApiError; the error middleware turns it into the response.
import { describeJsonProblem, type JsonLimitProblem } from '../json-limits.js';

export type ErrorDetails = unknown;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: ErrorDetails;
  readonly headers?: Record<string, string>;

  constructor(status: number, code: string, message: string, details?: ErrorDetails, headers?: Record<string, string>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  toJSON(): { error: { code: string; message: string; details?: ErrorDetails } } {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export const badRequest = (message: string, details?: ErrorDetails) => new ApiError(400, 'validation_failed', message, details);
export const notFound = (message = 'Not found.') => new ApiError(404, 'not_found', message);
export const conflict = (code: string, message: string, details?: ErrorDetails) => new ApiError(409, code, message, details);
export const unavailable = (code: string, message: string, details?: ErrorDetails) => new ApiError(503, code, message, details);
export const tooManyRequests = (retryAfterSeconds: number, message = 'Too many requests; try again later.') =>
  new ApiError(429, 'rate_limited', message, { retryAfterSeconds }, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
/** A JSON limit broken (json-limits.ts): 400 with its own code (json_too_deep, field_too_large), the field in `details`. */
export const jsonLimitError = (p: JsonLimitProblem, what = 'request') =>
  new ApiError(400, p.code, `The ${what} was refused: ${describeJsonProblem(p)}.`, [{ field: p.field, problem: p.problem }]);
