// Builds the service worker: esbuild bundles sw/sw.ts (workbox modules included), then workbox-build
// injects the precache manifest of the built app shell into dist/public/sw.js.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { injectManifest } from 'workbox-build';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * What the app shell is made of: precached so the app opens offline. Never sourcemaps, build-info, the
 * gateway's route-preloads.json or the .br/.gz copies (the browser decodes what the server sends).
 */
export const PRECACHE_GLOBS = [
  'app-*.js', 'chunks/**/*.js', 'index.html', '*.css', 'manifest.webmanifest', 'icons/*.{png,svg}', 'shoelace/system/*.svg',
];

/** Files whose name carries a hash of their content (esbuild's [hash], or the build's own for stylesheets). */
export const HASHED_FILE = /-[A-Z0-9]{8}\.(?:js|css)$/;

export interface SwBuildResult { count: number; size: number; warnings: string[] }

export async function buildServiceWorker(outDir = path.join(root, 'dist/public')): Promise<SwBuildResult> {
  const tempDir = path.join(outDir, '..', '.sw-build');
  const tempFile = path.join(tempDir, 'sw.js');
  await mkdir(tempDir, { recursive: true });
  try {
    await build({
      entryPoints: [path.join(root, 'sw/sw.ts')],
      outfile: tempFile,
      bundle: true,
      format: 'iife',
      target: 'es2022',
      minify: true,
      // workbox guards its dev-only logging with process.env.NODE_ENV.
      define: { 'process.env.NODE_ENV': '"production"' },
      tsconfig: path.join(root, 'sw/tsconfig.json'),
      logLevel: 'warning',
    });
    const result = await injectManifest({
      swSrc: tempFile,
      swDest: path.join(outDir, 'sw.js'),
      globDirectory: outDir,
      globPatterns: PRECACHE_GLOBS,
      // Hashed files are versioned by their names; the others by workbox's revision.
      dontCacheBustURLsMatching: HASHED_FILE,
      maximumFileSizeToCacheInBytes: 5 * 1024 * 1024,
    });
    return { count: result.count, size: result.size, warnings: result.warnings };
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await buildServiceWorker();
  console.log(`sw.js: precaches ${result.count} files (${(result.size / 1024).toFixed(1)} KiB)`);
  for (const warning of result.warnings) console.warn(`sw warning: ${warning}`);
}
