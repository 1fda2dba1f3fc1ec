// Serves the built client (dist/public): hashed chunks cached for a year, the shell revalidated,
// and client-side routes (/logs, /agents/…) answered with index.html.
import fs from 'node:fs';
import path from 'node:path';
import type { Context, Next } from 'koa';
import serve from 'koa-static';

const NOT_STATIC = /^\/(api|ws)(\/|$)|^\/healthz$/;

export function staticFiles(root: string) {
  const files = serve(root, {
    index: 'index.html',
    setHeaders(res, filePath) {
      const rel = path.relative(root, filePath);
      res.setHeader('Cache-Control', rel.startsWith('chunks') ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (rel === 'sw.js') res.setHeader('Service-Worker-Allowed', '/');
    },
  });
  const indexFile = path.join(root, 'index.html');
  return async function serveClient(ctx: Context, next: Next): Promise<void> {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || NOT_STATIC.test(ctx.path)) return next();
    await files(ctx, async () => {});
    if (ctx.body !== undefined && ctx.body !== null) return;
    if (ctx.accepts('html') === 'html' && !path.extname(ctx.path) && fs.existsSync(indexFile)) {
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = fs.createReadStream(indexFile);
      return;
    }
    return next();
  };
}
