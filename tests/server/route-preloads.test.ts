// The build's table of client routes matches the router's (client/src/app/routes.ts), the preload manifest
// follows static imports only and leaves out what index.html already preloads, and the cache policy per file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import type { Metafile } from 'esbuild';
import { root } from '../support/gateway-process.js';
import { FALLBACK_PAGE, ROUTE_PAGES, routePreloads, staticClosure } from '../../client/tooling/route-preloads.js';
import { CACHE_IMMUTABLE, CACHE_REVALIDATE, CACHE_SHORT, cacheControlFor } from '../../gateway/http/cache-policy.js';

test('every route of the client router with a page of its own is in the build\'s table, with the same page', () => {
  const source = fs.readFileSync(path.join(root, 'client/src/app/routes.ts'), 'utf8');
  const routed = [...source.matchAll(/path: '([^']+)'(?:(?!path:)[\s\S])*?import\('\.\.\/pages\/(page-[a-z-]+)\.js'\)/g)].map((m) => ({ pattern: m[1]!, page: m[2]! }));
  assert.ok(routed.length >= 9, `found ${routed.length} routes in routes.ts`);
  assert.ok(routed.some((r) => r.pattern === '/login' && r.page === 'page-login'), 'the sign-in route is read too');
  const table = new Map(ROUTE_PAGES.map((r) => [r.pattern, r.page]));
  for (const r of routed) {
    if (r.pattern === '(.*)') assert.is(r.page, FALLBACK_PAGE, 'the catch-all route');
    else assert.is(table.get(r.pattern), r.page, `route ${r.pattern}`);
  }
  // The sections not built yet share page-section, as in routes.ts.
  assert.match(source, /import\('\.\.\/pages\/page-section\.js'\)/);
  assert.ok(ROUTE_PAGES.filter((r) => r.page === 'page-section').length > 0);
  assert.is(ROUTE_PAGES[0]!.pattern, '/login');
});

const metafile = {
  inputs: {},
  outputs: {
    'dist/public/app-AAAAAAAA.js': { entryPoint: 'client/src/main.ts', imports: [
      { path: 'dist/public/chunks/chunk-SHARED11.js', kind: 'import-statement' },
      { path: 'dist/public/chunks/page-home-HOME1111.js', kind: 'dynamic-import' },
      { path: 'dist/public/chunks/page-login-LOGIN111.js', kind: 'dynamic-import' },
    ] },
    'dist/public/chunks/chunk-SHARED11.js': { imports: [] },
    'dist/public/chunks/page-home-HOME1111.js': { entryPoint: 'client/src/pages/page-home.ts', imports: [
      { path: 'dist/public/chunks/chunk-SHARED11.js', kind: 'import-statement' },
      { path: 'dist/public/chunks/chunk-HOMEONLY.js', kind: 'import-statement' },
      { path: 'dist/public/chunks/chart-CHART111.js', kind: 'dynamic-import' },
    ] },
    'dist/public/chunks/chunk-HOMEONLY.js': { imports: [{ path: 'dist/public/chunks/chunk-DEEP1111.js', kind: 'import-statement' }] },
    'dist/public/chunks/chunk-DEEP1111.js': { imports: [] },
    'dist/public/chunks/chart-CHART111.js': { entryPoint: 'client/src/components/chart.ts', imports: [] },
    'dist/public/chunks/page-login-LOGIN111.js': { entryPoint: 'client/src/pages/page-login.ts', imports: [
      { path: 'dist/public/chunks/chunk-SHARED11.js', kind: 'import-statement' },
    ] },
  },
} as unknown as Metafile;

test('a route preloads its page and the page\'s static imports, not dynamic ones nor what app.js already loads', () => {
  const appClosure = staticClosure(metafile, 'dist/public/app-AAAAAAAA.js');
  assert.equal(appClosure, ['dist/public/app-AAAAAAAA.js', 'dist/public/chunks/chunk-SHARED11.js']);
  const manifest = routePreloads(metafile, { cwd: '/repo', outDir: '/repo/dist/public', pagesDir: '/repo/client/src/pages', alreadyLoaded: appClosure });
  const of = (pattern: string) => manifest.routes.find((r) => r.pattern === pattern);
  assert.equal(of('/')?.preload, ['/chunks/page-home-HOME1111.js', '/chunks/chunk-HOMEONLY.js', '/chunks/chunk-DEEP1111.js']);
  assert.equal(of('/login')?.preload, ['/chunks/page-login-LOGIN111.js']);
  // A page the metafile does not have keeps its route, with nothing extra to preload (not the fallback's).
  assert.equal(of('/logs')?.preload, []);
  assert.is(manifest.fallback, null);
});

test('cache policy: hashed files a year, icons an hour, everything else revalidated', () => {
  for (const f of ['app-JJXJAXR2.js', 'chunks/page-home-NDNS2HYN.js', 'styles-A3320ABD.css', 'shoelace/light-48932BD1.css', 'app-JJXJAXR2.js.map']) {
    assert.is(cacheControlFor(f), CACHE_IMMUTABLE, f);
  }
  for (const f of ['icons/icon-192.png', 'icons/icon.svg', 'shoelace/system/x-lg.svg']) assert.is(cacheControlFor(f), CACHE_SHORT, f);
  for (const f of ['index.html', 'sw.js', 'manifest.webmanifest', 'build-info.json', 'route-preloads.json', 'app.js', 'styles.css', 'chunks/page-analytics.js', 'app-abcdefgh.js']) {
    assert.is(cacheControlFor(f), CACHE_REVALIDATE, f);
  }
});

test.run();
