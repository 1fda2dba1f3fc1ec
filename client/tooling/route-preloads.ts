// Which JavaScript each client route needs at first load, from esbuild's metafile: the route's page chunk
// and everything it imports statically. The gateway reads the manifest (route-preloads.json) and adds
// <link rel="modulepreload"> for the route it answers, so the page downloads in parallel with app.js.
import path from 'node:path';
import type { Metafile } from 'esbuild';
import { BUILT_SECTIONS, SECTIONS } from '../src/app/sections.js';

/**
 * URL pattern (path-to-regexp syntax, ":name" = one segment) → page module, in the order of client/src/app/routes.ts;
 * `data`: the API answers the page asks for as it opens, when its address has no query string. The gateway
 * preloads them for a signed-in visit, so they download with the page's code instead of after it has run;
 * tests/e2e/first-screen.test.ts checks each page asks for exactly these, each answered by its preload.
 */
export interface RoutePage { pattern: string; page: string; data?: readonly string[] }

export const ROUTE_PAGES: readonly RoutePage[] = [
  { pattern: '/login', page: 'page-login' },
  { pattern: '/', page: 'page-home', data: ['/api/health', '/api/metrics/system?minutes=60', '/api/operations/today',
    '/api/webhook/status', '/api/webhook/buttons?range=day', '/api/webhook/crm?range=day'] },
  { pattern: '/agents', page: 'page-agents', data: ['/api/agents', '/api/agents/runs?limit=50',
    '/api/agents/performance?days=7', '/api/agents/performance?days=30'] },
  { pattern: '/agents/schedules', page: 'page-schedules' },
  { pattern: '/agents/runs/:runId', page: 'page-run' },
  { pattern: '/logs', page: 'page-logs', data: ['/api/logs/sources', '/api/logs/groups?limit=50', '/api/logs/search?limit=100'] },
  { pattern: '/webhook', page: 'page-webhook', data: ['/api/webhook/status', '/api/webhook/buttons?range=day',
    '/api/webhook/crm?range=day', '/api/webhook/events?limit=100'] },
  { pattern: '/analytics', page: 'page-analytics' },
  // Sections still to be built share the "not built yet" page.
  ...SECTIONS.filter((s) => s.key !== 'home' && !BUILT_SECTIONS.has(s.key)).map((s) => ({ pattern: s.path, page: 'page-section' })),
];
/** Any other path: the not-found page. */
export const FALLBACK_PAGE = 'page-not-found';

export interface RoutePreload { pattern: string; page: string; preload: string[]; data?: readonly string[] }
export interface RoutePreloadManifest { routes: RoutePreload[]; fallback: { page: string; preload: string[] } | null }

/** Static imports reachable from an output file (itself included): what the browser must fetch before it runs. */
export function staticClosure(metafile: Metafile, output: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(output);
  return [...seen];
}

/** The output file built for a source entry (an entry point or a dynamically imported module). */
export function outputOf(metafile: Metafile, sourceFile: string): string | undefined {
  return Object.entries(metafile.outputs).find(([, o]) => o.entryPoint === sourceFile)?.[0];
}

/**
 * Per route: the URLs to preload beyond `alreadyLoaded` (app.js's own closure, which index.html preloads).
 * Paths in the metafile are relative to `cwd`; URLs are relative to `outDir`, which is served at "/".
 */
export function routePreloads(metafile: Metafile, o: { cwd: string; outDir: string; pagesDir: string; alreadyLoaded: Iterable<string> }): RoutePreloadManifest {
  const loaded = new Set(o.alreadyLoaded);
  const toUrl = (file: string) => `/${path.relative(o.outDir, path.resolve(o.cwd, file)).split(path.sep).join('/')}`;
  const preloadsOf = (page: string): string[] | null => {
    const source = path.relative(o.cwd, path.join(o.pagesDir, `${page}.ts`)).split(path.sep).join('/');
    const output = outputOf(metafile, source);
    if (!output) return null;
    return staticClosure(metafile, output).filter((f) => !loaded.has(f)).map(toUrl);
  };
  // A page the build has no chunk for (a stand-in) still gets its route, with nothing extra to preload.
  const routes: RoutePreload[] = ROUTE_PAGES.map((r) => ({ ...r, preload: preloadsOf(r.page) ?? [] }));
  const fallback = preloadsOf(FALLBACK_PAGE);
  return { routes, fallback: fallback ? { page: FALLBACK_PAGE, preload: fallback } : null };
}
