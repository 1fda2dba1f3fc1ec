// Turns every failure into the API's one error shape: ApiError, body-parser errors (400/413/415),
// unmatched /api routes (404), a database write that failed (503, logged) and unexpected throws (500, details
// hidden, logged).
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { ApiError, unavailable } from './api-error.js';
import { DbWriteError } from '../store/db.js';

interface HttpishError extends Error {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

// Not the caller's fault and nothing was saved: a backend (the disk) is down, which is 503 (API.md).
function fromDbWriteError(err: DbWriteError): ApiError {
  return err.diskFull
    ? unavailable('storage_full', 'The server\'s disk is full, so nothing was saved. Free space in the data directory and try again.')
    : unavailable('store_unavailable', 'The server could not write its database, so nothing was saved. The error was logged; try again later.');
}

function fromHttpError(err: HttpishError): ApiError | null {
  const status = err.status ?? err.statusCode;
  if (!status || status < 400 || status >= 500) return null;
  if (status === 413 || err.type === 'entity.too.large') return new ApiError(413, 'payload_too_large', 'The request body is larger than the limit (1 MiB).');
  if (err.type === 'entity.parse.failed' || err instanceof SyntaxError) return new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
  if (status === 415) return new ApiError(415, 'unsupported_media_type', 'Send the body as application/json.');
  if (status === 400) return new ApiError(400, 'bad_request', err.expose ? err.message : 'The request could not be read.');
  return new ApiError(status, 'request_failed', err.expose ? err.message : 'The request failed.');
}

export function errorHandler(logger: Logger) {
  return async function handleErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && ctx.path.startsWith('/api/')) {
        throw new ApiError(404, 'not_found', `No API route ${ctx.method} ${ctx.path}.`);
      }
      if (ctx.status === 405 && ctx.path.startsWith('/api/')) {
        throw new ApiError(405, 'method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}.`);
      }
    } catch (raw) {
      const err = raw as HttpishError;
      if (err instanceof DbWriteError) logger.error({ err, path: ctx.path, method: ctx.method }, 'database write failed');
      const apiError = err instanceof ApiError ? err : err instanceof DbWriteError ? fromDbWriteError(err) : fromHttpError(err);
      if (apiError) {
        ctx.status = apiError.status;
        if (apiError.headers) ctx.set(apiError.headers);
        ctx.body = apiError.toJSON();
      } else {
        logger.error({ err, path: ctx.path, method: ctx.method }, 'unhandled error');
        ctx.status = 500;
        ctx.body = { error: { code: 'internal_error', message: 'Something went wrong on the server; the error was logged.' } };
      }
      ctx.type = 'application/json';
    }
  };
}
