// Serves the built client (dist/public): the .br or .gz copy the build wrote when the browser accepts it
// (koa-static/koa-send send it), Cache-Control by kind of file (cache-policy.ts), an ETag per encoded variant
// and 304 for an unchanged one; client-side routes (/logs, /agents/…) answered with index.html and the
// route's preloads, or the sign-in page's for a request without a session cookie (client-shell.ts).
import path from 'node:path';
import type { Context, Next } from 'koa';
import serve from 'koa-static';
import etag from 'etag';
import { COMPRESSIBLE_FILE, cacheControlFor } from './cache-policy.js';
import { loadClientShell, type ClientShellOptions } from './client-shell.js';
import { preferredEncoding } from './content-encoding.js';

const NOT_STATIC = /^\/(api|ws)(\/|$)|^\/healthz$/;

type ServeOptions = NonNullable<Parameters<typeof serve>[1]>;

export function staticFiles(root: string, shellOptions: ClientShellOptions = {}) {
  const shell = loadClientShell(root, shellOptions);
  const options: ServeOptions = {
    // "/" is a client route (the shell below), never a directory listing or a plain index.html.
    index: false,
    setHeaders(res, filePath, stats) {
      const served = path.relative(root, filePath).split(path.sep).join('/');
      // koa-send has set Content-Encoding when it chose a compressed copy: the policy is the original file's.
      const file = res.getHeader('Content-Encoding') ? served.replace(/\.(?:br|gz)$/, '') : served;
      res.setHeader('Cache-Control', cacheControlFor(file));
      if (COMPRESSIBLE_FILE.test(file)) res.setHeader('Vary', 'Accept-Encoding');
      // Size and time of the file sent, so each encoding has its own ETag.
      res.setHeader('ETag', etag(stats));
      if (file === 'sw.js') res.setHeader('Service-Worker-Allowed', '/');
    },
  };
  // koa-send takes the .br copy whenever brotli is acceptable at all; negotiating first (content-encoding.ts)
  // and letting it look only for the chosen copy honours "gzip, br;q=0.5" too.
  const byEncoding = {
    br: serve(root, { ...options, brotli: true, gzip: true }),
    gzip: serve(root, { ...options, brotli: false, gzip: true }),
    identity: serve(root, { ...options, brotli: false, gzip: false }),
  };
  return async function serveClient(ctx: Context, next: Next): Promise<void> {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || NOT_STATIC.test(ctx.path)) return next();
    if (!path.extname(ctx.path) && ctx.accepts('html') === 'html' && shell.respond(ctx)) return;
    await byEncoding[preferredEncoding(ctx)](ctx, async () => {});
    if (ctx.body === undefined || ctx.body === null) return next();
    if (ctx.fresh) ctx.status = 304;
  };
}
