// `npm test`: runs every suite (uvu server tests, web-test-runner element tests in Chromium, Playwright
// end-to-end tests), shows their output, and ends with one line `tests: N passed, N failed[, N skipped]`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const countsFile = path.join(root, 'tests/.artifacts/wtr-counts.json');

interface Counts { passed: number; failed: number; skipped: number }
interface Suite { name: string; cmd: string[]; timeoutMs: number; parse(output: string): Counts | null }

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

function parseUvu(output: string): Counts | null {
  const text = stripAnsi(output);
  const total = /Total:\s+(\d+)/.exec(text);
  const passed = /Passed:\s+(\d+)/.exec(text);
  const skipped = /Skipped:\s+(\d+)/.exec(text);
  if (!total || !passed) return null;
  const t = Number(total[1]);
  const p = Number(passed[1]);
  const s = skipped ? Number(skipped[1]) : 0;
  return { passed: p, failed: Math.max(0, t - p - s), skipped: s };
}

function parseWtr(): Counts | null {
  try {
    return JSON.parse(fs.readFileSync(countsFile, 'utf8')) as Counts;
  } catch {
    return null;
  }
}

const uvu = (dir: string) => [process.execPath, '--import', 'tsx', path.join(root, 'node_modules/uvu/bin.js'), dir, '.test.ts$'];
const only = process.argv.slice(2);
const suites: Suite[] = [
  { name: 'server', cmd: uvu('tests/server'), timeoutMs: 15 * 60_000, parse: parseUvu },
  {
    name: 'client',
    cmd: [process.execPath, path.join(root, 'node_modules/@web/test-runner/dist/bin.js'), '--config', 'tests/client/web-test-runner.config.js'],
    timeoutMs: 25 * 60_000,
    parse: parseWtr,
  },
  { name: 'e2e', cmd: uvu('tests/e2e'), timeoutMs: 15 * 60_000, parse: parseUvu },
].filter((s) => only.length === 0 || only.includes(s.name));

function run(suite: Suite): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    console.log(`\n=== ${suite.name} tests ===`);
    fs.rmSync(countsFile, { force: true });
    const child = spawn(suite.cmd[0]!, suite.cmd.slice(1), { cwd: root, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const take = (chunk: Buffer, to: NodeJS.WriteStream) => {
      output += chunk.toString();
      to.write(chunk);
    };
    child.stdout.on('data', (c: Buffer) => take(c, process.stdout));
    child.stderr.on('data', (c: Buffer) => take(c, process.stderr));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`\n${suite.name} tests did not finish within ${suite.timeoutMs / 60_000} min; stopping them.`);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, suite.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
let broken = false;
for (const suite of suites) {
  const { code, output, timedOut } = await run(suite);
  const counts = suite.parse(output);
  if (counts) {
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
  }
  // A suite that crashed, hung, or exited non-zero without reporting a failure still fails the run.
  if (!counts || timedOut || (code !== 0 && (counts?.failed ?? 0) === 0)) {
    console.error(`${suite.name} suite ended abnormally (exit ${code}${timedOut ? ', timed out' : ''}); counted as one failure.`);
    total.failed += 1;
    broken = true;
  }
}
console.log(`\ntests: ${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(total.failed > 0 || broken ? 1 : 0);
