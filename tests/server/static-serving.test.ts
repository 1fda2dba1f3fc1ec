// The built client as a browser gets it: the real build (client/build.ts into a temp folder) served by the
// real gateway. Per kind of file: Content-Encoding chosen by Accept-Encoding (br, gzip, identity, q-values,
// unreadable values), Vary, Content-Type, Content-Length of the bytes sent, Cache-Control, ETag per variant
// and 304, HEAD; index.html at every client route with that route's preloads; large API answers compressed
// on the fly, /api/health never.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { root } from '../support/gateway-process.js';
import { startAdminGateway, type AdminGateway } from '../support/test-gateway.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const BROWSER = 'gzip, deflate, br, zstd';

let buildDir: string;
let publicDir: string;
let t: AdminGateway;
let appJs: string;
/** The chunk of everything app.js loads at start (the one script index.html preloads): large enough to compress. */
let shellJs: string;
let stylesCss: string;
let darkCss: string;

interface Raw { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

/** One request whose body arrives as sent (fetch would decode it). */
function raw(pathname: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  const url = new URL(pathname, t.base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function decoded(r: Raw): string {
  const enc = r.headers['content-encoding'];
  const bytes = enc === 'br' ? brotliDecompressSync(r.body) : enc === 'gzip' ? gunzipSync(r.body) : r.body;
  return bytes.toString('utf8');
}

function file(url: string): Buffer {
  return fs.readFileSync(path.join(publicDir, url));
}

function varies(r: Raw): boolean {
  return String(r.headers.vary ?? '').toLowerCase().split(/\s*,\s*/).includes('accept-encoding');
}

test.before(async () => {
  buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-static-build-'));
  publicDir = path.join(buildDir, 'public');
  const built = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'client/build.ts'), '--out', publicDir], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`client build failed:\n${built.stdout}\n${built.stderr}`);
  const index = fs.readFileSync(path.join(publicDir, 'index.html'), 'utf8');
  appJs = /<script type="module" src="(\/app-[A-Z0-9]{8}\.js)">/.exec(index)?.[1] ?? '';
  shellJs = /<link rel="modulepreload" href="(\/chunks\/chunk-[A-Z0-9]{8}\.js)">/.exec(index)?.[1] ?? '';
  stylesCss = /href="(\/styles-[A-Z0-9]{8}\.css)"/.exec(index)?.[1] ?? '';
  darkCss = /href="(\/theme-dark-[A-Z0-9]{8}\.css)"/.exec(index)?.[1] ?? '';
  t = await startAdminGateway({ RATE_LIMIT_PER_MINUTE: '100000' }, { staticDir: publicDir });
});

test.after(async () => {
  await t?.close();
  if (buildDir) fs.rmSync(buildDir, { recursive: true, force: true });
});

test('the build names every script and stylesheet index.html loads by its content, and writes no unhashed copy', () => {
  assert.ok(appJs, 'index.html loads /app-<hash>.js');
  // What app.js loads at start is one chunk (client/tooling/shell-chunk.ts), not one per set of pages sharing it.
  const preloaded = [...fs.readFileSync(path.join(publicDir, 'index.html'), 'utf8').matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
  assert.equal(preloaded, [shellJs], 'index.html preloads the shell chunk alone');
  assert.ok(stylesCss, 'index.html links a hashed stylesheet');
  // The base sheet: Shoelace's light theme, then the app's own styles; Shoelace's dark theme apart, linked with
  // a media query so that it blocks rendering only where the dark theme applies.
  const index0 = fs.readFileSync(path.join(publicDir, 'index.html'), 'utf8');
  const links = [...index0.matchAll(/<link rel="stylesheet"[^>]*>/g)].map((m) => m[0]);
  assert.is(links.length, 2, 'two stylesheets');
  assert.ok(links[0]!.includes(`href="${stylesCss}"`) && !links[0]!.includes('media='), 'the base sheet applies everywhere');
  const darkLink = /^<link rel="stylesheet" href="(\/theme-dark-[A-Z0-9]{8}\.css)" media="\(prefers-color-scheme: dark\)" data-theme-sheet="dark">$/.exec(links[1]!);
  assert.ok(darkLink, `the dark sheet is linked for a dark preference only: ${links[1]}`);
  const css = fs.readFileSync(path.join(publicDir, stylesCss), 'utf8');
  const light = css.indexOf('.sl-theme-light');
  const own = css.indexOf('--oc-bg');
  assert.ok(light >= 0 && own > light, 'light, then the app\'s styles');
  assert.is(css.indexOf('.sl-theme-dark'), -1, 'no dark theme in the base sheet');
  assert.is(darkLink![1], darkCss);
  const dark = fs.readFileSync(path.join(publicDir, darkCss), 'utf8');
  assert.ok(dark.includes('.sl-theme-dark') && !dark.includes('.sl-theme-light') && !dark.includes('--oc-bg'), 'Shoelace dark alone');
  for (const gone of ['app.js', 'styles.css', 'shoelace/light.css', 'shoelace/dark.css']) {
    assert.not.ok(fs.existsSync(path.join(publicDir, gone)), `${gone} is not written`);
  }
  const index = fs.readFileSync(path.join(publicDir, 'index.html'), 'utf8');
  for (const [, url] of index.matchAll(/(?:src|href)="(\/[^"]+\.(?:js|css))"/g)) {
    assert.match(url!, /-[A-Z0-9]{8}\.(?:js|css)$/, `${url} is hashed`);
    assert.ok(fs.existsSync(path.join(publicDir, url!)), `${url} exists`);
  }
  for (const fixed of ['index.html', 'sw.js', 'manifest.webmanifest', 'build-info.json', 'icons/icon-192.png', 'route-preloads.json']) {
    assert.ok(fs.existsSync(path.join(publicDir, fixed)), `${fixed} keeps its name`);
  }
});

test('the built scripts carry no usage-statistics probe: the router\'s call is a no-op', () => {
  const scripts = fs.readdirSync(publicDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
  assert.ok(scripts.some((f) => fs.readFileSync(path.join(publicDir, f), 'utf8').includes('vaadin-router-location-changed')), 'the router is built');
  for (const f of scripts) {
    const js = fs.readFileSync(path.join(publicDir, f), 'utf8');
    for (const probe of ['vaadin-usage-statistics', 'usage-statistics-collect', 'vaadin-dev-mode']) {
      assert.not.ok(js.includes(probe), `${f} has no ${probe}`);
    }
  }
});

test('.br and .gz copies only of compressible files over 1 KiB, and only when smaller', () => {
  const all = fs.readdirSync(publicDir, { recursive: true, encoding: 'utf8' });
  assert.ok(all.includes(`${shellJs.slice(1)}.br`) && all.includes(`${shellJs.slice(1)}.gz`));
  assert.ok(all.includes('sw.js.br') && all.includes('index.html.br'));
  assert.not.ok(all.some((f) => /\.png\.(br|gz)$/.test(f)), 'no compressed copy of a PNG');
  assert.not.ok(all.includes('build-info.json.br'), 'build-info.json is under 1 KiB');
  for (const f of all.filter((name) => /\.(br|gz)$/.test(name))) {
    const original = f.replace(/\.(br|gz)$/, '');
    const size = fs.statSync(path.join(publicDir, original)).size;
    assert.ok(size >= 1024, `${original} is over 1 KiB`);
    assert.ok(fs.statSync(path.join(publicDir, f)).size < size, `${f} is smaller than ${original}`);
  }
  const gz = gunzipSync(file(`${shellJs}.gz`));
  const br = brotliDecompressSync(file(`${shellJs}.br`));
  assert.ok(gz.equals(file(shellJs)) && br.equals(file(shellJs)), 'the copies decode to the original');
});

test('hashed JS: brotli for a browser, a year immutable, Vary, JavaScript type, the length of the bytes sent', async () => {
  const r = await raw(shellJs, { 'accept-encoding': BROWSER });
  assert.is(r.status, 200);
  assert.is(r.headers['content-encoding'], 'br');
  assert.ok(varies(r));
  assert.match(String(r.headers['content-type']), /^(text|application)\/javascript/);
  assert.is(r.headers['cache-control'], IMMUTABLE);
  assert.is(Number(r.headers['content-length']), file(`${shellJs}.br`).length);
  assert.ok(r.body.equals(file(`${shellJs}.br`)));
  assert.is(decoded(r), file(shellJs).toString('utf8'));
  const chunk = /href="(\/chunks\/[^"]+\.js)"/.exec(file('/index.html').toString('utf8'))?.[1];
  assert.ok(chunk, 'index.html preloads a chunk');
  const c = await raw(chunk!, { 'accept-encoding': BROWSER });
  assert.is(c.headers['cache-control'], IMMUTABLE);
});

test('Accept-Encoding decides: gzip only, br refused with q=0, gzip preferred by q, identity, none, nothing acceptable', async () => {
  const cases: Array<[Record<string, string>, string | undefined]> = [
    [{ 'accept-encoding': 'gzip' }, 'gzip'],
    [{ 'accept-encoding': 'br;q=0, gzip' }, 'gzip'],
    [{ 'accept-encoding': 'gzip, br;q=0.5' }, 'gzip'],
    [{ 'accept-encoding': 'br, gzip' }, 'br'],
    [{ 'accept-encoding': 'gzip;q=0.5, br;q=0.5' }, 'br'],
    [{ 'accept-encoding': 'identity' }, undefined],
    [{ 'accept-encoding': 'br;q=0, gzip;q=0' }, undefined],
    [{ 'accept-encoding': 'identity;q=0' }, undefined],
    [{}, undefined],
  ];
  for (const [headers, expected] of cases) {
    for (const url of [shellJs, '/', '/logs']) {
      const r = await raw(url, { accept: 'text/html', ...headers });
      assert.is(r.status, 200, `${url} ${JSON.stringify(headers)}`);
      assert.is(r.headers['content-encoding'], expected, `${url} with ${JSON.stringify(headers)}`);
      assert.ok(varies(r), `${url} varies`);
      const original = url === shellJs ? file(shellJs).toString('utf8') : null;
      if (original) assert.is(decoded(r), original);
      else assert.match(decoded(r), /^<!doctype html>/);
    }
  }
});

test('an unreadable Accept-Encoding still gets the file, plain', async () => {
  for (const value of ['@@@;;q=x, ,', 'br;q=abc', ';;;', 'gzip;q=']) {
    for (const url of [shellJs, '/login']) {
      const r = await raw(url, { 'accept-encoding': value, accept: 'text/html' });
      assert.is(r.status, 200, `${url} with ${value}`);
      assert.ok(!r.headers['content-encoding'] || r.headers['content-encoding'] === 'gzip', `${url} with ${value}: ${r.headers['content-encoding']}`);
      assert.ok(decoded(r).length > 0);
    }
  }
});

test('an ETag per encoding; the same one again is 304 with no body, another encoding\'s is not', async () => {
  for (const url of [shellJs, stylesCss, '/', '/logs', '/sw.js', '/manifest.webmanifest', '/icons/icon-192.png']) {
    const br = await raw(url, { 'accept-encoding': 'br' });
    const gz = await raw(url, { 'accept-encoding': 'gzip' });
    const plain = await raw(url, { 'accept-encoding': 'identity' });
    assert.ok(br.headers.etag && gz.headers.etag && plain.headers.etag, `${url} has ETags`);
    if (br.headers['content-encoding']) assert.is.not(br.headers.etag, plain.headers.etag, `${url}: br and identity differ`);
    if (gz.headers['content-encoding']) assert.is.not(gz.headers.etag, br.headers.etag, `${url}: gzip and br differ`);
    const again = await raw(url, { 'accept-encoding': 'br', 'if-none-match': br.headers.etag! });
    assert.is(again.status, 304, `${url} unchanged`);
    assert.is(again.body.length, 0);
    assert.is(again.headers.etag, br.headers.etag);
    assert.is(again.headers['cache-control'], br.headers['cache-control']);
    if (plain.headers.etag !== br.headers.etag) {
      const other = await raw(url, { 'accept-encoding': 'br', 'if-none-match': plain.headers.etag! });
      assert.is(other.status, 200, `${url}: the identity ETag does not validate the br variant`);
    }
  }
  const since = await raw(shellJs, { 'accept-encoding': 'br', 'if-modified-since': new Date(Date.now() + 60_000).toUTCString() });
  assert.is(since.status, 304, 'If-Modified-Since works too');
});

test('HEAD: the headers of GET, no body', async () => {
  for (const url of [shellJs, '/', '/agents']) {
    const get = await raw(url, { 'accept-encoding': 'br' });
    const head = await raw(url, { 'accept-encoding': 'br' }, 'HEAD');
    assert.is(head.status, 200);
    assert.is(head.body.length, 0);
    for (const h of ['content-encoding', 'content-type', 'content-length', 'etag', 'cache-control']) {
      assert.is(head.headers[h], get.headers[h], `${url} ${h}`);
    }
  }
});

test('hashed CSS: brotli, text/css, a year immutable', async () => {
  for (const url of [stylesCss, darkCss]) {
    const r = await raw(url, { 'accept-encoding': BROWSER });
    assert.is(r.status, 200);
    assert.is(r.headers['content-encoding'], 'br', url);
    assert.match(String(r.headers['content-type']), /^text\/css/);
    assert.is(r.headers['cache-control'], IMMUTABLE);
    assert.ok(varies(r));
    assert.is(decoded(r), file(url).toString('utf8'));
  }
});

test('index.html at / and at client routes, signed in: compressed, no-cache, with the route\'s page preloaded', async () => {
  const cookie = { cookie: t.admin.cookieHeader() };
  const manifest = JSON.parse(file('/route-preloads.json').toString('utf8')) as { routes: Array<{ pattern: string; preload: string[] }> };
  const pageOf = (pattern: string) => manifest.routes.find((r) => r.pattern === pattern)!.preload[0]!;
  const home = pageOf('/');
  const login = pageOf('/login');
  assert.match(home, /^\/chunks\/page-home-[A-Z0-9]{8}\.js$/);
  assert.match(login, /^\/chunks\/page-login-[A-Z0-9]{8}\.js$/);
  const expectations: Array<[string, RegExp]> = [
    ['/', /page-home-/], ['/login', /page-login-/], ['/logs', /page-logs-/], ['/agents', /page-agents-/],
    ['/agents/schedules', /page-schedules-/], ['/agents/runs/42', /page-run-/], ['/settings', /page-section-/],
    ['/no/such/page', /page-not-found-/],
  ];
  for (const [url, page] of expectations) {
    const r = await raw(url, { ...cookie, 'accept-encoding': BROWSER, accept: 'text/html' });
    assert.is(r.status, 200, url);
    assert.is(r.headers['content-encoding'], 'br', url);
    assert.match(String(r.headers.vary), /cookie/i, `${url} varies by cookie`);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    assert.is(r.headers['cache-control'], 'no-cache', url);
    assert.ok(varies(r), url);
    assert.is(Number(r.headers['content-length']), r.body.length);
    const html = decoded(r);
    assert.ok(html.includes(appJs), `${url} loads the app`);
    const pagePreloads = [...html.matchAll(/<link rel="modulepreload" href="\/chunks\/(page-[a-z-]+)-/g)].map((m) => m[1]);
    assert.is(pagePreloads.length, 1, `${url} preloads one page: ${pagePreloads.join(', ')}`);
    assert.match(html, new RegExp(`<link rel="modulepreload" href="/chunks/${page.source}`), `${url} preloads its page`);
    // The app's own closure stays preloaded on every route.
    assert.ok(html.includes(/<link rel="modulepreload" href="(\/chunks\/chunk-[^"]+)">/.exec(file('/index.html').toString('utf8'))![1]!));
  }
  const loginHtml = decoded(await raw('/login', { 'accept-encoding': 'br' }));
  assert.ok(loginHtml.includes(login) && !loginHtml.includes(home), '/login: page-login, not page-home');
  const homeHtml = decoded(await raw('/', { ...cookie, 'accept-encoding': 'br' }));
  assert.ok(homeHtml.includes(home) && !homeHtml.includes(login), '/: page-home, not page-login');
  // Every route preload is a file that is served.
  for (const url of new Set(manifest.routes.flatMap((r) => r.preload))) assert.is((await raw(url)).status, 200, url);
});

test('a signed-in visit without a query preloads the API answers its page asks for first; with a query, signed out or elsewhere, none', async () => {
  const cookie = { cookie: t.admin.cookieHeader() };
  const manifest = JSON.parse(file('/route-preloads.json').toString('utf8')) as { routes: Array<{ pattern: string; data?: string[] }> };
  const dataOf = (pattern: string) => manifest.routes.find((r) => r.pattern === pattern)?.data ?? [];
  const fetchPreloads = (html: string) => [...html.matchAll(/<link rel="preload" href="([^"]+)" as="fetch" crossorigin="anonymous">/g)]
    .map((m) => m[1]!.replaceAll('&amp;', '&')).filter((u) => u !== '/api/auth/session');
  for (const route of ['/', '/agents', '/logs', '/webhook']) {
    assert.ok(dataOf(route).length > 0, `${route} names its first API answers`);
    const html = decoded(await raw(route, { ...cookie, 'accept-encoding': 'br', accept: 'text/html' }));
    assert.equal(fetchPreloads(html), dataOf(route), route);
    // Each of them is an answer this session gets (not refused, not missing).
    for (const url of dataOf(route)) assert.is((await raw(url, cookie)).status, 200, url);
    const withQuery = decoded(await raw(`${route}?agent=x`, { ...cookie, 'accept-encoding': 'br', accept: 'text/html' }));
    assert.equal(fetchPreloads(withQuery), [], `${route}?agent=x preloads no data`);
    const signedOut = decoded(await raw(route, { 'accept-encoding': 'br', accept: 'text/html' }));
    assert.equal(fetchPreloads(signedOut), [], `${route} signed out preloads no data`);
  }
  for (const route of ['/agents/schedules', '/settings', '/no/such/page']) {
    const html = decoded(await raw(route, { ...cookie, 'accept-encoding': 'br', accept: 'text/html' }));
    assert.equal(fetchPreloads(html), [], route);
  }
});

test('a request without the session cookie gets the sign-in page\'s preloads on every client route', async () => {
  const manifest = JSON.parse(file('/route-preloads.json').toString('utf8')) as { routes: Array<{ pattern: string; preload: string[] }> };
  const login = manifest.routes.find((r) => r.pattern === '/login')!.preload;
  const home = manifest.routes.find((r) => r.pattern === '/')!.preload[0]!;
  for (const url of ['/', '/logs', '/agents/runs/42', '/no/such/page', '/login']) {
    const r = await raw(url, { 'accept-encoding': 'br', accept: 'text/html', cookie: 'other=1' });
    assert.is(r.status, 200, url);
    assert.match(String(r.headers.vary), /cookie/i, `${url} varies by cookie`);
    const html = decoded(r);
    const pagePreloads = [...html.matchAll(/<link rel="modulepreload" href="\/chunks\/(page-[a-z-]+)-/g)].map((m) => m[1]);
    assert.equal(pagePreloads, ['page-login'], `${url} signed out preloads the sign-in page only`);
    for (const u of login) assert.ok(html.includes(`href="${u}"`), `${url}: ${u} preloaded`);
    assert.not.ok(html.includes(home), `${url}: no page-home`);
  }
  // The same path with the cookie is another variant, with its own ETag.
  const signedOut = await raw('/', { 'accept-encoding': 'br' });
  const signedIn = await raw('/', { 'accept-encoding': 'br', cookie: t.admin.cookieHeader() });
  assert.is.not(signedOut.headers.etag, signedIn.headers.etag);
  const stale = await raw('/', { 'accept-encoding': 'br', cookie: t.admin.cookieHeader(), 'if-none-match': signedOut.headers.etag! });
  assert.is(stale.status, 200, 'the signed-out ETag does not validate the signed-in page');
});

test('/index.html itself (what the service worker caches): the built file, no-cache', async () => {
  const r = await raw('/index.html', { 'accept-encoding': BROWSER });
  assert.is(r.status, 200);
  assert.is(r.headers['cache-control'], 'no-cache');
  assert.match(String(r.headers['content-type']), /^text\/html/);
  assert.is(decoded(r), file('/index.html').toString('utf8'));
});

test('sw.js: no-cache, scope header, compressed; its precache lists every shell file and no compressed copy', async () => {
  const r = await raw('/sw.js', { 'accept-encoding': BROWSER });
  assert.is(r.status, 200);
  assert.is(r.headers['cache-control'], 'no-cache');
  assert.is(r.headers['service-worker-allowed'], '/');
  assert.is(r.headers['content-encoding'], 'br');
  assert.match(String(r.headers['content-type']), /javascript/);
  const sw = decoded(r);
  const urls = [...sw.matchAll(/"?url"?:"([^"]+)"/g)].map((m) => m[1]!);
  for (const needed of [appJs.slice(1), stylesCss.slice(1), 'index.html', 'manifest.webmanifest', 'icons/icon-192.png']) {
    assert.ok(urls.includes(needed), `precache lists ${needed}`);
  }
  assert.not.ok(urls.some((u) => /\.(br|gz|map)$/.test(u) || u === 'build-info.json' || u === 'route-preloads.json'), 'nothing else');
  for (const u of urls) assert.ok(fs.existsSync(path.join(publicDir, u)), `${u} exists`);
});

test('manifest.webmanifest and build-info.json: their types, no-cache', async () => {
  const m = await raw('/manifest.webmanifest', { 'accept-encoding': BROWSER });
  assert.is(m.status, 200);
  assert.match(String(m.headers['content-type']), /^application\/manifest\+json/);
  assert.is(m.headers['cache-control'], 'no-cache');
  assert.ok(varies(m));
  assert.is(JSON.parse(decoded(m)).name !== undefined, true);
  const b = await raw('/build-info.json', { 'accept-encoding': BROWSER });
  assert.is(b.status, 200);
  assert.match(String(b.headers['content-type']), /^application\/json/);
  assert.is(b.headers['cache-control'], 'no-cache');
  const info = JSON.parse(decoded(b)) as { version: string; initialJsGzipBytes: number; routeJsGzipBytes: Record<string, number> };
  assert.ok(info.initialJsGzipBytes > 0);
  assert.ok(info.routeJsGzipBytes['/']! > info.initialJsGzipBytes && info.routeJsGzipBytes['/login']! > info.initialJsGzipBytes);
});

test('icons: never compressed (PNG), kept an hour', async () => {
  const r = await raw('/icons/icon-192.png', { 'accept-encoding': BROWSER });
  assert.is(r.status, 200);
  assert.is(r.headers['content-encoding'], undefined);
  assert.is(r.headers['content-type'], 'image/png');
  assert.is(r.headers['cache-control'], 'public, max-age=3600');
  assert.ok(r.body.equals(file('/icons/icon-192.png')));
  const svg = await raw('/shoelace/system/x-lg.svg', { 'accept-encoding': BROWSER });
  assert.is(svg.status, 200);
  assert.is(svg.headers['cache-control'], 'public, max-age=3600');
  assert.match(String(svg.headers['content-type']), /^image\/svg\+xml/);
});

test('a missing file or an old hash is 404, not the page', async () => {
  const r = await raw('/chunks/page-home-AAAAAAAA.js', { 'accept-encoding': BROWSER, accept: '*/*' });
  assert.is(r.status, 404);
  assert.not.ok(r.headers['content-encoding']);
});

test('a large JSON answer of the API is compressed on the fly; /api/health and small answers are not', async () => {
  for (let i = 0; i < 70; i++) {
    const created = await t.admin.post('/api/users', { username: `user-${String(i).padStart(3, '0')}`, password: `Plenty-of-entropy-${i}-xq7`, role: 'viewer' });
    assert.is(created.status, 201, created.text);
  }
  const cookie = { cookie: t.admin.cookieHeader() };
  const plain = await raw('/api/users', { ...cookie, 'accept-encoding': 'identity' });
  assert.is(plain.status, 200);
  assert.ok(plain.body.length > 8 * 1024, `the user list is large (${plain.body.length} bytes)`);
  assert.is(plain.headers['content-encoding'], undefined);
  for (const [accept, expected] of [[BROWSER, 'br'], ['gzip', 'gzip']] as const) {
    const r = await raw('/api/users', { ...cookie, 'accept-encoding': accept });
    assert.is(r.status, 200);
    assert.is(r.headers['content-encoding'], expected);
    assert.ok(varies(r));
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assert.ok(r.body.length < plain.body.length / 2, `${expected}: ${r.body.length} < ${plain.body.length}`);
    assert.equal(JSON.parse(decoded(r)), JSON.parse(plain.body.toString('utf8')));
  }
  const health = await raw('/api/health', { ...cookie, 'accept-encoding': BROWSER });
  assert.is(health.status, 200);
  assert.is(health.headers['content-encoding'], undefined);
  assert.ok(health.headers['content-length'], 'a plain length');
  assert.ok(health.headers['content-security-policy'], 'security headers kept');
  const me = await raw('/api/auth/me', { ...cookie, 'accept-encoding': BROWSER });
  assert.is(me.status, 200);
  assert.is(me.headers['content-encoding'], undefined, 'a small answer stays plain');
  assert.ok(me.headers['content-security-policy'], 'security headers kept');
  const refused = await raw('/api/users', { 'accept-encoding': BROWSER });
  assert.is(refused.status, 401);
  assert.type(JSON.parse(decoded(refused)).error?.code, 'string');
});

test('a new build (index.html replaced) is picked up by the next client-route request, without a restart', async () => {
  const indexFile = path.join(publicDir, 'index.html');
  const original = fs.readFileSync(indexFile, 'utf8');
  const stat = fs.statSync(indexFile);
  const before = await raw('/login', { 'accept-encoding': 'br' });
  try {
    fs.writeFileSync(indexFile, original.replace('</head>', '<meta name="x-build" content="next">\n  </head>'));
    fs.utimesSync(indexFile, stat.atime, new Date(stat.mtimeMs + 5000));
    const after = await raw('/login', { 'accept-encoding': 'br' });
    const html = decoded(after);
    assert.ok(html.includes('content="next"'), 'the new index.html');
    assert.match(html, /<link rel="modulepreload" href="\/chunks\/page-login-/, 'still with the route\'s preloads');
    assert.is.not(after.headers.etag, before.headers.etag);
    assert.is((await raw('/login', { 'accept-encoding': 'br', 'if-none-match': after.headers.etag! })).status, 304);
  } finally {
    fs.writeFileSync(indexFile, original);
    fs.utimesSync(indexFile, stat.atime, stat.mtime);
  }
});

test.run();
