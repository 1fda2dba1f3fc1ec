// JSON-only request bodies with a size limit: other content types on a body-carrying request are 415.
import type { Context, Next } from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { ApiError } from './api-error.js';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function jsonBody(limitBytes = 1024 * 1024) {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: limitBytes, jsonStrict: true, encoding: 'utf-8' });
  return async function requireJson(ctx: Context, next: Next): Promise<void> {
    if (!WITH_BODY.has(ctx.method) || !ctx.path.startsWith('/api/')) return next();
    const length = Number(ctx.get('content-length') || 0);
    const hasBody = length > 0 || ctx.get('transfer-encoding') !== '';
    if (hasBody && !ctx.is('application/json')) {
      throw new ApiError(415, 'unsupported_media_type', 'Send the body as application/json.');
    }
    if (length > limitBytes) {
      throw new ApiError(413, 'payload_too_large', `The request body is larger than the limit (${limitBytes} bytes).`);
    }
    return parse(ctx, next);
  };
}
