// The package declares what the code imports and nothing it does not; the README and docs explain the
// project from inside the repository (every relative link resolves to a file here, nothing points above it).
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

const SOURCE_DIRS = ['gateway', 'workers', 'client', 'sw', 'webhook', 'agents', 'tests'];
const SKIP = new Set(['node_modules', 'dist', 'screenshots', 'node-versions']);

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(full, out);
    else if (/\.(ts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** Bare package names a file imports (static, dynamic, require, import type excluded). */
function importedPackages(text: string): Set<string> {
  const found = new Set<string>();
  const specifiers = [
    ...text.matchAll(/^\s*import\s+(?!type\b)[^'"]*?from\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/^\s*export\s+(?!type\b)[^'"]*?from\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...text.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...text.matchAll(/\bresolve\(\s*['"]((?:@[\w.-]+\/)?[\w.-]+\/package\.json)['"]\s*\)/g),
  ].map((m) => m[1]!);
  for (const spec of specifiers) {
    if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || spec.includes('${')) continue;
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
    if (builtinModules.includes(name)) continue;
    found.add(name);
  }
  return found;
}

const files = SOURCE_DIRS.filter((d) => fs.existsSync(path.join(root, d))).flatMap((d) => sourceFiles(path.join(root, d)));
files.push(path.join(root, 'ecosystem.config.js'));
const imported = new Map<string, string>();
for (const file of files) {
  for (const name of importedPackages(fs.readFileSync(file, 'utf8'))) if (!imported.has(name)) imported.set(name, path.relative(root, file));
}
const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]);

test('every package the code imports is declared in package.json', () => {
  const undeclared = [...imported].filter(([name]) => !declared.has(name)).map(([name, file]) => `${name} (${file})`);
  assert.equal(undeclared, []);
});

test('every declared package is used: imported, a type package of one, or run by a script', () => {
  const scripts = Object.values(pkg.scripts).join(' ');
  const config = fs.readFileSync(path.join(root, 'tests/client/web-test-runner.config.js'), 'utf8');
  const unused = [...declared].filter((name) => {
    if (imported.has(name)) return false;
    if (name.startsWith('@types/')) {
      const of = name.slice('@types/'.length).replace(/^(.*)__(.*)$/, '@$1/$2');
      return !imported.has(of) && of !== 'node';
    }
    // Tools run by name from a script or the test-runner config.
    const bin = name === 'typescript' ? 'tsc' : name.split('/').pop()!;
    return !scripts.includes(bin) && !config.includes(name);
  });
  assert.equal(unused, []);
});

test('the packages a review found unused stay out', () => {
  for (const name of ['web-push', 'idb', '@lit/task', 'workbox-expiration', 'http_ece', 'googleapis']) {
    assert.not.ok(declared.has(name) && !imported.has(name), `${name} is declared but nothing imports it`);
  }
});

function markdownFiles(): string[] {
  const docs = fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join(root, 'docs', f));
  return [path.join(root, 'README.md'), ...docs];
}

test('README and docs link only to files inside the repository, and every such link resolves', () => {
  const problems: string[] = [];
  for (const file of markdownFiles()) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
      const resolved = path.resolve(path.dirname(file), decodeURI(target.split('#')[0]!));
      if (!resolved.startsWith(root + path.sep)) problems.push(`${path.relative(root, file)}: ${target} points outside the repository`);
      else if (!fs.existsSync(resolved)) problems.push(`${path.relative(root, file)}: ${target} does not exist`);
    }
    if (/\.\.\/shared\//.test(text)) problems.push(`${path.relative(root, file)} names a folder outside the repository`);
  }
  assert.equal(problems, []);
});

test('the README promises no backups that are not built', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const backupsBuilt = fs.existsSync(path.join(root, 'gateway/domain/backups'));
  if (!backupsBuilt) assert.not.match(readme, /local backups/i);
});

test.run();
