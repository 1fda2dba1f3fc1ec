// Builds the client into dist/public (or `--out <dir>`): esbuild bundle (app-[hash].js + lazy chunks), the
// stylesheets under hashed names (the base sheet, and the dark theme apart), static files, the service worker,
// route-preloads.json (what each client route needs first, for the gateway), build-info.json with the gzip size of the JS needed at first load,
// and finally a .br and a .gz copy of every compressible file.
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { buildServiceWorker } from '../sw/build.js';
import { outputOf, routePreloads, staticClosure } from './tooling/route-preloads.js';
import { linkJoinedStylesheet, writeJoinedStylesheet } from './tooling/stylesheets.js';
import { precompressTree } from './tooling/precompress.js';
import { dynamicEntries, joinShellChunk, startModules } from './tooling/shell-chunk.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const clientDir = path.join(root, 'client');
const outArg = process.argv.indexOf('--out');
const outDir = outArg > 0 && process.argv[outArg + 1] ? path.resolve(process.argv[outArg + 1]!) : path.join(root, 'dist/public');
const INITIAL_JS_BUDGET_BYTES = 80 * 1024;

/** Until the home page exists (it is written in parallel), build a stand-in so the rest can be built and tried. */
const missingHomePage: Plugin = {
  name: 'missing-home-page',
  setup(b) {
    b.onResolve({ filter: /pages\/page-home\.js$/ }, (args) => {
      const real = path.join(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      if (existsSync(real)) return undefined;
      console.warn('warning: client/src/pages/page-home.ts is missing; the build uses a stand-in');
      return { path: 'page-home-stand-in', namespace: 'stand-in' };
    });
    b.onLoad({ filter: /.*/, namespace: 'stand-in' }, () => ({
      contents: `customElements.define('page-home', class extends HTMLElement {
        connectedCallback() { this.textContent = 'Home is not built yet.'; } });`,
      loader: 'js',
    }));
  },
};

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
}

/**
 * Writes Shoelace's "system" icon set as files (client/src/app/shoelace-setup.ts points sl-icon at them):
 * the names are read from the library's source, the SVGs from its own resolver.
 */
async function writeShoelaceSystemIcons(dir: string): Promise<number> {
  const shoelaceDist = path.join(root, 'node_modules/@shoelace-style/shoelace/dist');
  const entry = await readFile(path.join(shoelaceDist, 'components/icon/library.system.js'), 'utf8');
  const chunk = /from "\.\.\/\.\.\/(chunks\/[^"]+)"/.exec(entry)?.[1];
  if (!chunk) throw new Error('cannot find the chunk of Shoelace\'s system icon library');
  const source = await readFile(path.join(shoelaceDist, chunk), 'utf8');
  const names = [...source.matchAll(/^ {2}"?([a-z][a-z0-9-]*)"?: `/gm)].map((m) => m[1]!);
  const { default: systemLibrary } = await import('@shoelace-style/shoelace/dist/components/icon/library.system.js');
  await mkdir(dir, { recursive: true });
  for (const name of names) {
    const url = systemLibrary.resolver(name);
    if (!url.startsWith('data:image/svg+xml,')) throw new Error(`Shoelace system icon "${name}" is not an inline SVG`);
    await writeFile(path.join(dir, `${name}.svg`), decodeURIComponent(url.slice('data:image/svg+xml,'.length)).trim());
  }
  if (!names.includes('x-lg') || !names.includes('check')) throw new Error('Shoelace system icons not found (library layout changed?)');
  return names.length;
}

/** Replaces each URL the page template references with its built (hashed) URL; a missing one is a build error. */
function rewriteReferences(html: string, urls: Record<string, string>): string {
  let out = html;
  for (const [from, to] of Object.entries(urls)) {
    const quoted = `"${from}"`;
    if (!out.includes(quoted)) throw new Error(`client/index.html no longer references ${from}`);
    out = out.replaceAll(quoted, `"${to}"`);
  }
  return out;
}

/**
 * @vaadin/router calls Vaadin's usage statistics on load: in development mode it would report to Vaadin, and it
 * finds out whether it is in development mode with an eval-based probe on every start (time on the first
 * screen, and an eval). A self-hosted dashboard reports to no one: the call is built as a no-op.
 */
const noUsageStatistics: Plugin = {
  name: 'no-usage-statistics',
  setup(b) {
    b.onResolve({ filter: /^@vaadin\/vaadin-usage-statistics(\/.*)?$/ }, () => ({ path: 'usage-statistics', namespace: 'no-op' }));
    b.onLoad({ filter: /.*/, namespace: 'no-op' }, () => ({ contents: 'export function usageStatistics() {}', loader: 'js' }));
  },
};

async function main(): Promise<void> {
  const started = Date.now();
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });

  const options = {
    entryPoints: { app: path.join(clientDir, 'src/main.ts') },
    absWorkingDir: root,
    outdir: outDir,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    metafile: true,
    legalComments: 'none',
    tsconfig: path.join(clientDir, 'tsconfig.json'),
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  } satisfies BuildOptions;
  // First in memory, to learn what app.js loads at start; then for real, with all of that in one chunk.
  const probe = await build({ ...options, write: false, sourcemap: false, plugins: [missingHomePage, noUsageStatistics] });
  const shell = joinShellChunk({
    cwd: root, shell: startModules(probe.metafile, 'client/src/main.ts'), entries: dynamicEntries(probe.metafile),
  });
  // esbuild warns of every injected import into a package that declares no side effects, yet keeps it (the
  // plugin resolves it with sideEffects: true; tests/server/shell-chunk.test.ts checks the result).
  const result = await build({
    ...options, plugins: [missingHomePage, noUsageStatistics, shell], logOverride: { 'ignored-bare-import': 'silent' },
  });
  const { metafile } = result;
  const fromRoot = (f: string) => path.join(root, f);
  const urlOf = (f: string) => `/${path.relative(outDir, fromRoot(f)).split(path.sep).join('/')}`;

  const appJs = outputOf(metafile, 'client/src/main.ts');
  if (!appJs) throw new Error('esbuild wrote no output for client/src/main.ts');
  const initialFiles = staticClosure(metafile, appJs);
  const gzipBytes = new Map<string, number>();
  const gzipSize = async (f: string) => {
    if (!gzipBytes.has(f)) gzipBytes.set(f, gzipSync(await readFile(fromRoot(f)), { level: 9 }).length);
    return gzipBytes.get(f)!;
  };
  const sumGzip = async (files: string[]) => (await Promise.all(files.map(gzipSize))).reduce((a, b) => a + b, 0);
  const initialJsGzipBytes = await sumGzip(initialFiles);

  // Stylesheets under hashed names, so that every file a page loads can be cached for a year: the base sheet
  // (Shoelace light + the app's styles) and Shoelace dark apart, which index.html links with
  // media="(prefers-color-scheme: dark)" (theme-preference.ts switches it on a user override), so a theme
  // that does not apply never blocks the first paint.
  const shoelaceThemes = path.join(root, 'node_modules/@shoelace-style/shoelace/dist/themes');
  const baseSheets = [
    { href: '/shoelace/light.css', file: path.join(shoelaceThemes, 'light.css') },
    { href: '/styles.css', file: path.join(clientDir, 'styles.css') },
  ];
  const darkSheets = [{ href: '/shoelace/dark.css', file: path.join(shoelaceThemes, 'dark.css') }];
  const baseCss = await writeJoinedStylesheet(baseSheets, outDir, 'styles.css');
  const darkCss = await writeJoinedStylesheet(darkSheets, outDir, 'theme-dark.css');

  // index.html: hashed URLs, and the chunks app.js imports statically preloaded so they download in parallel
  // with it. The gateway adds the preloads of the route it answers (route-preloads.json).
  const preloads = initialFiles.filter((f) => f !== appJs).map((f) => `<link rel="modulepreload" href="${urlOf(f)}">`);
  const template = await readFile(path.join(clientDir, 'index.html'), 'utf8');
  if (!template.includes('<!-- build:modulepreload -->')) throw new Error('client/index.html lost its <!-- build:modulepreload --> marker');
  const indexHtml = rewriteReferences(linkJoinedStylesheet(linkJoinedStylesheet(template, baseSheets, baseCss), darkSheets, darkCss), { '/app.js': urlOf(appJs) })
    .replace('<!-- build:modulepreload -->', preloads.join('\n    '));
  await writeFile(path.join(outDir, 'index.html'), indexHtml);
  await copyFile(path.join(clientDir, 'manifest.webmanifest'), path.join(outDir, 'manifest.webmanifest'));
  await mkdir(path.join(outDir, 'icons'), { recursive: true });
  for (const icon of await readdir(path.join(clientDir, 'icons'))) {
    if (/\.(png|svg)$/.test(icon)) await copyFile(path.join(clientDir, 'icons', icon), path.join(outDir, 'icons', icon));
  }
  const systemIcons = await writeShoelaceSystemIcons(path.join(outDir, 'shoelace/system'));

  const routeManifest = routePreloads(metafile, {
    cwd: root, outDir, pagesDir: path.join(clientDir, 'src/pages'), alreadyLoaded: initialFiles,
  });
  await writeFile(path.join(outDir, 'route-preloads.json'), `${JSON.stringify(routeManifest, null, 2)}\n`);
  const fileOfUrl = (url: string) => path.relative(root, path.join(outDir, url));
  const routeJsGzipBytes: Record<string, number> = {};
  for (const r of routeManifest.routes) {
    routeJsGzipBytes[r.pattern] = initialJsGzipBytes + await sumGzip(r.preload.map(fileOfUrl));
  }

  const sw = await buildServiceWorker(outDir);
  // The version is a hash of everything shipped (sw.js included), so it changes exactly when the app does.
  const hash = createHash('sha256');
  for (const file of await listFiles(outDir)) {
    hash.update(path.relative(outDir, file));
    hash.update(await readFile(file));
  }
  const version = hash.digest('hex').slice(0, 16);
  const builtAt = new Date().toISOString();
  const buildInfo = { version, builtAt, initialJsGzipBytes, routeJsGzipBytes };
  await writeFile(path.join(outDir, 'build-info.json'), `${JSON.stringify(buildInfo, null, 2)}\n`);
  // Last, once every file is written (sw.js included): the compressed copies the gateway serves.
  const packed = await precompressTree(outDir);

  const jsOutputs = Object.keys(metafile.outputs).filter((f) => f.endsWith('.js'));
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const overBudget = initialJsGzipBytes > INITIAL_JS_BUDGET_BYTES;
  console.log(`client ${version}: ${jsOutputs.length} JS files, initial JS ${kb(initialJsGzipBytes)} gzip`
    + ` (${initialFiles.length} files, budget ${kb(INITIAL_JS_BUDGET_BYTES)}${overBudget ? ' — OVER BUDGET' : ''}),`
    + ` sw precaches ${sw.count} files (${kb(sw.size)}), ${systemIcons} Shoelace system icons,`
    + ` ${packed.br} .br / ${packed.gz} .gz (${kb(packed.bytesIn)} → ${kb(packed.bytesBr)} brotli), ${Date.now() - started} ms`);
  for (const warning of sw.warnings) console.warn(`sw warning: ${warning}`);
  if (overBudget) process.exitCode = 1;
}

await main();
