// Builds the client into dist/public: esbuild bundle (app.js + lazy chunks), static files, Shoelace's
// theme CSS, the service worker, and build-info.json with the gzip size of the JS needed at first load.
import { copyFile, cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { buildServiceWorker } from '../sw/build.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const clientDir = path.join(root, 'client');
const outDir = path.join(root, 'dist/public');
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

/** Static imports reachable from an output file: what the browser must fetch before the app can start. */
function staticClosure(metafile: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entry);
  return [...seen];
}

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

async function main(): Promise<void> {
  const started = Date.now();
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });

  const result = await build({
    entryPoints: { app: path.join(clientDir, 'src/main.ts') },
    outdir: outDir,
    entryNames: '[name]',
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
    plugins: [missingHomePage],
    logLevel: 'warning',
  });

  const appJs = path.relative(root, path.join(outDir, 'app.js'));
  const initialFiles = staticClosure(result.metafile, appJs);
  const initialJsGzipBytes = (await Promise.all(initialFiles.map(async (f) => gzipSync(await readFile(path.join(root, f)), { level: 9 }).length)))
    .reduce((a, b) => a + b, 0);

  // index.html: preload the chunks app.js imports statically so they download in parallel with it.
  const preloads = initialFiles.filter((f) => f !== appJs)
    .map((f) => `<link rel="modulepreload" href="/${path.relative(outDir, path.join(root, f)).split(path.sep).join('/')}">`);
  const indexHtml = (await readFile(path.join(clientDir, 'index.html'), 'utf8'))
    .replace('<!-- build:modulepreload -->', preloads.join('\n    '));
  await writeFile(path.join(outDir, 'index.html'), indexHtml);
  await copyFile(path.join(clientDir, 'styles.css'), path.join(outDir, 'styles.css'));
  await copyFile(path.join(clientDir, 'manifest.webmanifest'), path.join(outDir, 'manifest.webmanifest'));
  await mkdir(path.join(outDir, 'icons'), { recursive: true });
  for (const icon of await readdir(path.join(clientDir, 'icons'))) {
    if (/\.(png|svg)$/.test(icon)) await copyFile(path.join(clientDir, 'icons', icon), path.join(outDir, 'icons', icon));
  }
  const shoelaceThemes = path.join(root, 'node_modules/@shoelace-style/shoelace/dist/themes');
  await mkdir(path.join(outDir, 'shoelace'), { recursive: true });
  await cp(path.join(shoelaceThemes, 'light.css'), path.join(outDir, 'shoelace/light.css'));
  await cp(path.join(shoelaceThemes, 'dark.css'), path.join(outDir, 'shoelace/dark.css'));
  const systemIcons = await writeShoelaceSystemIcons(path.join(outDir, 'shoelace/system'));

  const sw = await buildServiceWorker(outDir);
  // The version is a hash of everything shipped (sw.js included), so it changes exactly when the app does.
  const hash = createHash('sha256');
  for (const file of await listFiles(outDir)) {
    hash.update(path.relative(outDir, file));
    hash.update(await readFile(file));
  }
  const version = hash.digest('hex').slice(0, 16);
  const builtAt = new Date().toISOString();
  await writeFile(path.join(outDir, 'build-info.json'), `${JSON.stringify({ version, builtAt, initialJsGzipBytes }, null, 2)}\n`);

  const jsOutputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const overBudget = initialJsGzipBytes > INITIAL_JS_BUDGET_BYTES;
  console.log(`client ${version}: ${jsOutputs.length} JS files, initial JS ${kb(initialJsGzipBytes)} gzip`
    + ` (${initialFiles.length} files, budget ${kb(INITIAL_JS_BUDGET_BYTES)}${overBudget ? ' — OVER BUDGET' : ''}),`
    + ` sw precaches ${sw.count} files (${kb(sw.size)}), ${systemIcons} Shoelace system icons, ${Date.now() - started} ms`);
  for (const warning of sw.warnings) console.warn(`sw warning: ${warning}`);
  if (overBudget) process.exitCode = 1;
}

await main();
