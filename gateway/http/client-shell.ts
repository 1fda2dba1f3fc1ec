// index.html as the answer to every client route (/, /logs, /agents/runs/7…): per route, the page chunk and
// its static imports are added as <link rel="modulepreload"> (from the build's route-preloads.json), so the
// first screen downloads in one round. A request without the session cookie gets the sign-in page's preloads
// whatever its path (every route but /login sends a signed-out visitor there). A signed-in request for a route
// whose page names the API answers it asks for first (route-preloads.json's `data`), with no query string that could
// change them, also gets <link rel="preload" as="fetch"> for each: they download with the page's code, and the
// page's own requests are answered by them. Every variant is built once per build (at start-up), with its brotli
// and gzip forms and their ETags, and kept in memory.
import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import etag from 'etag';
import type { Context } from 'koa';
import { match, type MatchFunction } from 'path-to-regexp';
import { CACHE_REVALIDATE } from './cache-policy.js';
import { preferredEncoding, type FileEncoding } from './content-encoding.js';

interface RoutePreload { pattern: string; page: string; preload: string[]; data?: string[] }
interface RoutePreloadManifest { routes: RoutePreload[]; fallback: { page: string; preload: string[] } | null }

interface Encoded { body: Buffer; etag: string }
export type ShellVariant = Record<FileEncoding, Encoded>;

export interface ClientShellOptions {
  /**
   * The session cookie's name: a request without it is answered with the sign-in route's preloads on every path
   * (the client sends a signed-out visitor to /login), and the page varies by Cookie.
   */
  sessionCookie?: string;
}

export interface ClientShell {
  /** Answers the request with the variant for its path, in the best encoding it accepts; 304 when unchanged. */
  respond(ctx: Context): boolean;
}

function encode(html: string): ShellVariant {
  const identity = Buffer.from(html);
  const br = brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } });
  const gzip = gzipSync(identity, { level: 9 });
  return {
    identity: { body: identity, etag: etag(identity) },
    br: { body: br, etag: etag(br) },
    gzip: { body: gzip, etag: etag(gzip) },
  };
}

function withPreloads(html: string, urls: readonly string[], data: readonly string[] = []): string {
  const at = html.lastIndexOf('</head>');
  if ((urls.length === 0 && data.length === 0) || at < 0) return html;
  const links = [
    ...urls.map((u) => `<link rel="modulepreload" href="${u}">\n    `),
    // crossorigin="anonymous": the credentials mode of the page's fetch(), which then takes this answer.
    ...data.map((u) => `<link rel="preload" href="${escapeAttribute(u)}" as="fetch" crossorigin="anonymous">\n    `),
  ].join('');
  return `${html.slice(0, at)}  ${links.trimEnd()}\n  ${html.slice(at)}`;
}

function escapeAttribute(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
}

function readManifest(file: string): RoutePreloadManifest {
  if (!fs.existsSync(file)) return { routes: [], fallback: null };
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<RoutePreloadManifest>;
  if (!Array.isArray(parsed.routes)) throw new Error(`${file}: "routes" is not a list`);
  return { routes: parsed.routes, fallback: parsed.fallback ?? null };
}

const SIGN_IN_PAGE = 'page-login';

interface ShellPages {
  /**
   * The page for a path: the matching route's variant, else the fallback's (not-found page), else the plain one;
   * with `withData`, the route's variant that also preloads its first API answers (when it names any).
   */
  variantFor(pathname: string, withData: boolean): ShellVariant;
  /** The sign-in route's page (null when the manifest has no sign-in route). */
  signIn: ShellVariant | null;
  lastModified: string;
}

/** Every route's page, encoded: done once per build (a few tens of milliseconds). */
function buildPages(indexFile: string, manifestFile: string): ShellPages {
  const html = fs.readFileSync(indexFile, 'utf8');
  const lastModified = fs.statSync(indexFile).mtime.toUTCString();
  const manifest = readManifest(manifestFile);
  // Routes with the same preloads (the sections not built yet) share one variant.
  const byPreloads = new Map<string, ShellVariant>();
  const variant = (urls: readonly string[], data: readonly string[] = []) => {
    const key = `${urls.join('\n')}\n\n${data.join('\n')}`;
    if (!byPreloads.has(key)) byPreloads.set(key, encode(withPreloads(html, urls, data)));
    return byPreloads.get(key)!;
  };
  type Route = { matches: MatchFunction<Partial<Record<string, string>>>; variant: ShellVariant; withData: ShellVariant };
  const routes: Route[] = manifest.routes.map((r) => ({
    matches: match(r.pattern, { decode: false }),
    variant: variant(r.preload),
    withData: variant(r.preload, Array.isArray(r.data) ? r.data.filter((u) => typeof u === 'string' && u.startsWith('/api/')) : []),
  }));
  const fallback = variant(manifest.fallback?.preload ?? []);
  const signInRoute = manifest.routes.find((r) => r.page === SIGN_IN_PAGE);
  return {
    variantFor: (pathname, withData) => {
      const route = routes.find((r) => r.matches(pathname) !== false);
      return route ? (withData ? route.withData : route.variant) : fallback;
    },
    signIn: signInRoute ? variant(signInRoute.preload) : null,
    lastModified,
  };
}

/**
 * The pages are built at start-up and again only when a new build has replaced index.html or the manifest
 * (two stat calls per client-route request tell), so a rebuild never leaves the gateway pointing at
 * scripts that are gone. respond() returns false while no client is built.
 */
export function loadClientShell(root: string, options: ClientShellOptions = {}): ClientShell {
  const indexFile = path.join(root, 'index.html');
  const manifestFile = path.join(root, 'route-preloads.json');
  const stamp = () => {
    const index = fs.statSync(indexFile, { throwIfNoEntry: false });
    const manifest = fs.statSync(manifestFile, { throwIfNoEntry: false });
    return index ? `${index.mtimeMs}:${index.size}|${manifest?.mtimeMs ?? '-'}:${manifest?.size ?? '-'}` : null;
  };
  let built: { stamp: string; pages: ShellPages } | null = null;
  const current = (): ShellPages | null => {
    const now = stamp();
    if (now === null) return built?.pages ?? null;
    if (built?.stamp !== now) {
      try {
        built = { stamp: now, pages: buildPages(indexFile, manifestFile) };
      } catch (err) {
        // A build half-written (a manifest cut short): keep the last pages; the next request tries again.
        if (!built) throw err;
      }
    }
    return built.pages;
  };
  current();
  return {
    respond(ctx) {
      const pages = current();
      if (!pages) return false;
      const encoding = preferredEncoding(ctx);
      const signedOut = options.sessionCookie !== undefined && !ctx.cookies.get(options.sessionCookie);
      // Data preloads only for a visit with a session cookie and no query string (one that could change what the
      // page asks for: /agents?agent=x asks for that agent's runs).
      const withData = options.sessionCookie !== undefined && !signedOut && ctx.querystring === '';
      const answer = ((signedOut ? pages.signIn : null) ?? pages.variantFor(ctx.path, withData))[encoding];
      ctx.type = 'html';
      ctx.set('Cache-Control', CACHE_REVALIDATE);
      ctx.vary('Accept-Encoding');
      if (options.sessionCookie !== undefined) ctx.vary('Cookie');
      ctx.set('ETag', answer.etag);
      ctx.set('Last-Modified', pages.lastModified);
      if (encoding !== 'identity') ctx.set('Content-Encoding', encoding);
      ctx.body = answer.body;
      if (ctx.fresh) ctx.status = 304;
      return true;
    },
  };
}
