// JSON-only request bodies with a size limit and a nesting limit: other content types on a body-carrying
// request are 415. The nesting limit is a floor for every route; routes with free-form fields check those
// more tightly (json-limits.ts).
import type { Context, Next } from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { ApiError, jsonLimitError } from './api-error.js';
import { checkJsonLimits, MAX_DOCUMENT_DEPTH } from '../json-limits.js';

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
    return parse(ctx, () => {
      // JSON.parse itself is iterative; what runs after it (serialising, cloning to a worker) is not.
      const problem = checkJsonLimits(ctx.request.body, '(body)', { maxDepth: MAX_DOCUMENT_DEPTH });
      if (problem) throw jsonLimitError(problem, 'request body');
      return next();
    });
  };
}
