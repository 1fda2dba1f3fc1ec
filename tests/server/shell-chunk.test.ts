// The shell in one chunk: a real esbuild build of a small app (an entry, three lazily imported pages, modules they
// share in different sets, one in a package that says it has no side effects) gives app.js a single chunk to load
// at start; each page finds its shared modules in that chunk, and what one page alone uses stays with it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { dynamicEntries, joinShellChunk, startModules } from '../../client/tooling/shell-chunk.js';
import { outputOf, staticClosure } from '../../client/tooling/route-preloads.js';

const files: Record<string, string> = {
  'src/main.ts': `import { a } from './a.js'; import { b } from './b.js'; import { icon } from 'icons/star.js';
    export const routes = [() => import('./page-one.js'), () => import('./page-two.js'), () => import('./page-three.js')];
    console.log(a, b, icon);`,
  'src/a.ts': `export const a = 'a-module';`,
  'src/b.ts': `import { a } from './a.js'; export const b = 'b-module' + a;`,
  'src/page-one.ts': `import { a } from './a.js'; import { icon } from 'icons/star.js'; import { only } from './only-one.js'; export const one = a + icon + only;`,
  'src/page-two.ts': `import { b } from './b.js'; export const two = b;`,
  'src/page-three.ts': `export const three = 'three';`,
  'src/only-one.ts': `export const only = 'only-one-module';`,
  'node_modules/icons/package.json': JSON.stringify({ name: 'icons', version: '1.0.0', sideEffects: false }),
  'node_modules/icons/star.js': `export const icon = 'star-icon';`,
};

let dir = '';
test.before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-shell-chunk-'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
});
test.after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

const options = (): BuildOptions => ({
  entryPoints: { app: path.join(dir, 'src/main.ts') }, absWorkingDir: dir, outdir: path.join(dir, 'out'),
  bundle: true, splitting: true, format: 'esm', metafile: true, write: false, logLevel: 'silent',
  entryNames: '[name]-[hash]', chunkNames: 'chunks/[name]-[hash]',
});

function startFiles(metafile: Metafile): string[] {
  return staticClosure(metafile, outputOf(metafile, 'src/main.ts')!);
}

test('what app.js loads at start and what is imported lazily, from a first build', async () => {
  const probe = await build(options());
  assert.equal(startModules(probe.metafile!, 'src/main.ts'), ['node_modules/icons/star.js', 'src/a.ts', 'src/b.ts']);
  assert.equal(dynamicEntries(probe.metafile!), ['src/page-one.ts', 'src/page-three.ts', 'src/page-two.ts']);
  assert.ok(startFiles(probe.metafile!).length > 2, 'split by the pages that share them, the start modules take several files');
});

test('with the plugin: app.js and one chunk at start; pages import that chunk; a page\'s own module stays in its file', async () => {
  const probe = await build(options());
  const result = await build({ ...options(), plugins: [joinShellChunk({
    cwd: dir, shell: startModules(probe.metafile!, 'src/main.ts'), entries: dynamicEntries(probe.metafile!),
  })], logOverride: { 'ignored-bare-import': 'silent' } });
  const metafile = result.metafile!;
  const start = startFiles(metafile);
  assert.is(start.length, 2, `app.js and one chunk: ${start.join(', ')}`);
  const chunk = start.find((f) => f.includes('/chunks/'))!;
  const text = (f: string) => result.outputFiles!.find((o) => o.path === path.join(dir, f))!.text;
  for (const word of ['a-module', 'b-module', 'star-icon']) assert.ok(text(chunk).includes(word), `${word} is in the shell chunk`);
  for (const page of ['src/page-one.ts', 'src/page-two.ts', 'src/page-three.ts']) {
    const out = outputOf(metafile, page)!;
    assert.equal(staticClosure(metafile, out).filter((f) => f !== out), [chunk], `${page} imports the shell chunk alone`);
  }
  assert.ok(text(outputOf(metafile, 'src/page-one.ts')!).includes('only-one-module'), 'page one keeps its own module');
  assert.not.ok(text(chunk).includes('only-one-module'));
});

test.run();
