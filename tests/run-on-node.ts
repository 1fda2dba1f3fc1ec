// `npm run test:server:node22` / `test:server:node24` / `test:node-versions`: the type check and the uvu
// server suite on another supported Node major, from the binaries in tests/node-versions (their own lock
// file; `npm ci --prefix tests/node-versions`). That node comes first on PATH, so every child process the
// tests start with `node` (npm start, the PM2 daemon, workers) runs on it too.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const majors = process.argv.slice(2);
if (majors.length === 0 || majors.some((m) => !/^\d+$/.test(m))) {
  console.error('usage: tsx tests/run-on-node.ts <major>… (e.g. 22 24)');
  process.exit(2);
}

const typecheck = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.typecheck!;
const results: string[] = [];
let failed = false;
for (const major of majors) {
  const bin = path.join(root, 'tests/node-versions/node_modules', `node-${major}`, 'bin/node');
  if (!fs.existsSync(bin)) {
    console.error(`${bin} is missing: run npm ci --prefix tests/node-versions`);
    process.exit(1);
  }
  const env = {
    ...process.env,
    PATH: [path.dirname(bin), path.join(root, 'node_modules/.bin'), process.env.PATH].join(path.delimiter),
  };
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\n=== Node ${version}: type check ===`);
  // The package's own typecheck command; its tsc resolves `node` from PATH, which is now this binary.
  const tc = spawnSync('sh', ['-c', typecheck], { cwd: root, env, stdio: 'inherit' });
  console.log(`\n=== Node ${version}: server tests ===`);
  const suite = spawnSync(bin, ['--import', 'tsx', path.join(root, 'tests/run-all.ts'), 'server'], { cwd: root, env, stdio: 'inherit' });
  const ok = tc.status === 0 && suite.status === 0;
  failed ||= !ok;
  results.push(`Node ${version}: type check ${tc.status === 0 ? 'passed' : 'FAILED'}, server tests ${suite.status === 0 ? 'passed' : 'FAILED'}`);
}
console.log(`\n${results.join('\n')}`);
process.exit(failed ? 1 : 0);
