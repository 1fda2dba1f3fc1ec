// One file for the shell. esbuild splits code by the set of entry points (app.js and every dynamically imported
// module) that reach it, so the modules app.js loads at start came out as a dozen chunks, one per set of pages
// that also use them; the browser had to request each one (and, over HTTP/1.1, wait for a free connection)
// before the first screen. Here a first build finds app.js's static closure; the real build then has every
// dynamically imported module also import each module of it. Every one of those modules is then reached by the
// same set of entries — all of them — and esbuild puts them in a single chunk, which app.js imports and a page
// finds already loaded. Nothing else changes: what a page alone uses stays in the page's chunk.
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Metafile, Plugin } from 'esbuild';
import { outputOf, staticClosure } from './route-preloads.js';

/** Source modules (metafile input paths) the entry's output loads at start, the entry itself left out. */
export function startModules(metafile: Metafile, entrySource: string): string[] {
  const output = outputOf(metafile, entrySource);
  if (!output) throw new Error(`esbuild wrote no output for ${entrySource}`);
  const modules = new Set<string>();
  for (const file of staticClosure(metafile, output)) {
    for (const input of Object.keys(metafile.outputs[file]?.inputs ?? {})) {
      if (input !== entrySource && /\.[cm]?[jt]s$/.test(input)) modules.add(input);
    }
  }
  return [...modules].sort();
}

/** Source modules some module imports with `import()` (metafile input paths). */
export function dynamicEntries(metafile: Metafile): string[] {
  const entries = new Set<string>();
  for (const input of Object.values(metafile.inputs)) {
    for (const imported of input.imports) {
      if (imported.kind === 'dynamic-import' && !imported.external) entries.add(imported.path);
    }
  }
  return [...entries].sort();
}

const PREFIX = 'oc-shell-module:';

/**
 * Makes every module of `entries` also import each module of `shell` (paths relative to `cwd`). The imports go on
 * the file's first line, so its source map stays right below it. They count as side-effecting imports even in a
 * package that says it has none (a lone `import "x"` would otherwise be dropped and x would stay in its own chunk).
 */
export function joinShellChunk(o: { cwd: string; shell: readonly string[]; entries: readonly string[] }): Plugin {
  const entries = new Set(o.entries.map((e) => path.resolve(o.cwd, e)));
  const imports = o.shell.map((m) => `import ${JSON.stringify(PREFIX + path.resolve(o.cwd, m))};`).join('');
  return {
    name: 'join-shell-chunk',
    setup(b) {
      b.onResolve({ filter: new RegExp(`^${PREFIX}`) }, (args) => ({ path: args.path.slice(PREFIX.length), sideEffects: true }));
      b.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
        if (!entries.has(args.path)) return undefined;
        const source = await readFile(args.path, 'utf8');
        return { contents: imports + source, loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
}
