// Compresses JSON answers of the API on the fly (koa-compress): above 1 KiB only (below that a packet carries it
// anyway), at a fast level,
// brotli or gzip as the client prefers. /api/health (small, and the hottest route) and /ws skip it entirely,
// so small answers pay nothing; streamed bodies (none today) are left alone.
import { Stream } from 'node:stream';
import { constants } from 'node:zlib';
import compress from 'koa-compress';
import type { Context, Next } from 'koa';

export const COMPRESS_THRESHOLD_BYTES = 1024;
const SKIP = new Set(['/api/health']);

function isPlainJson(body: unknown): body is object {
  if (body === null || typeof body !== 'object') return false;
  const proto = Object.getPrototypeOf(body) as unknown;
  return Array.isArray(body) || proto === Object.prototype || proto === null;
}

export function apiCompression() {
  const compressor = compress({
    threshold: COMPRESS_THRESHOLD_BYTES,
    br: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
    gzip: { level: 4 },
    // Not every supported Node has zstd, and browsers all take br or gzip.
    zstd: false,
    deflate: false,
  });
  return async function compressApi(ctx: Context, next: Next): Promise<void> {
    if (!ctx.path.startsWith('/api/') || SKIP.has(ctx.path)) return next();
    await compressor(ctx, async () => {
      await next();
      const body: unknown = ctx.body;
      if (body instanceof Stream) {
        ctx.compress = false;
        return;
      }
      // koa-compress measures a JSON object by serialising it, and Koa serialises it again to send it:
      // serialise once here (what Koa would have sent), so measuring is cheap and nothing is done twice.
      if (isPlainJson(body)) ctx.body = JSON.stringify(body);
    });
  };
}
