// The real entry (gateway/main.ts) and the user CLI as child processes: first-start password printed once,
// graceful SIGTERM with the journal flushed, refusal of a corrupt db.json and of a bad config, and the
// offline CLI guarded by the pid file.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestClient } from '../support/test-gateway.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(root, 'gateway/main.ts');
const CLI = path.join(root, 'gateway/cli/user-cli.ts');
// Absolute, so the children can run in a temp cwd (no stray .env is read) and still load tsx.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const scratch: string[] = [];
const children = new Set<ChildProcess>();

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

interface Env {
  dataDir: string;
  pm2Home: string;
  cwd: string;
}

function makeEnv(): Env {
  const base = tempDir('oc-proc-');
  const dataDir = path.join(base, 'data');
  const pm2Home = path.join(base, 'pm2');
  fs.mkdirSync(pm2Home);
  return { dataDir, pm2Home, cwd: base };
}

function childEnv(e: Env, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: e.cwd,
    DATA_DIR: e.dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    BCRYPT_COST: '4',
    PM2_HOME: e.pm2Home,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

function run(script: string, args: string[], e: Env, extra: Record<string, string> = {}, stdin?: string): Running {
  const child = spawn(process.execPath, ['--import', TSX, script, ...args], { cwd: e.cwd, env: childEnv(e, extra), stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const w of waiters) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  if (stdin !== undefined) child.stdin!.end(stdin);
  else child.stdin!.end();
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      for (const w of waiters) w();
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForOutput(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(out);
          if (m) {
            done();
            resolve(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`exited (${child.exitCode ?? child.signalCode}) before ${pattern}; stdout: ${out}\nstderr: ${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${pattern}; stdout: ${out}\nstderr: ${err}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

async function startGateway(e: Env, extra: Record<string, string> = {}): Promise<{ proc: Running; base: string }> {
  const proc = run(MAIN, [], e, extra);
  const m = await proc.waitForOutput(/Ops Center is running at (http:\/\/127\.0\.0\.1:(\d+))/);
  return { proc, base: m[1]! };
}

async function stopGateway(proc: Running, timeoutMs = 8_000): Promise<number | string> {
  proc.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    proc.exited,
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  return code;
}

function journalText(dataDir: string, stream: string): string {
  const dir = path.join(dataDir, 'journal', stream);
  if (!fs.existsSync(dir)) return '';
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('');
}

const FIRST_FILE = /its password is in (\S+) \(readable by this system user only\)/;

test.after(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

test('first start prints the URL and the path of the admin password file, never the password; it signs in; SIGTERM exits 0 with the journal flushed', async () => {
  const e = makeEnv();
  const { proc, base } = await startGateway(e);
  const [, file] = await proc.waitForOutput(FIRST_FILE);
  assert.is(file, path.join(e.dataDir, 'first-admin-password'));
  await proc.waitForOutput(/Read it with: cat \S+first-admin-password/);
  const password = fs.readFileSync(file!, 'utf8').trim();
  assert.ok(password.length >= 20);
  assert.not.ok(proc.stdout().includes(password), 'the password is not printed');
  assert.ok(fs.existsSync(path.join(e.dataDir, 'gateway.pid')), 'pid file written');

  const health = await fetch(`${base}/healthz`);
  assert.equal(await health.json(), { status: 'ok' });
  const c = new TestClient(base);
  assert.is((await c.post('/api/auth/login', { username: 'admin', password: 'wrong-one-xx' })).status, 401);
  const ok = await c.login('admin', password);
  assert.is(ok.status, 200, ok.text);
  assert.is(ok.body.mustChangePassword, true);

  const code = await stopGateway(proc);
  assert.is(code, 0, `exit ${code}; stderr: ${proc.stderr()}`);
  const audit = journalText(e.dataDir, 'audit');
  const lines = audit.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(lines.some((l) => l.action === 'auth.login' && l.outcome === 'ok' && l.actor === 'admin'), audit);
  assert.ok(lines.some((l) => l.action === 'auth.login' && l.outcome === 'denied'), audit);
  assert.not.ok(fs.existsSync(path.join(e.dataDir, 'gateway.pid')), 'pid file removed on a clean exit');
  assert.not.ok(proc.stderr().includes(password));

  // Second start on the same data, password not yet changed: the path is named again, the password still not.
  const again = await startGateway(e);
  await again.proc.waitForOutput(/User "admin" still has its first password, in \S+first-admin-password/);
  assert.is((await new TestClient(again.base).login('admin', password)).status, 200);
  assert.is(await stopGateway(again.proc), 0);
  assert.not.ok(again.proc.stdout().includes(password));
  assert.not.ok(again.proc.stderr().includes(password));
});

test('npm run user -- passwd admin replaces the first password and removes its file', async () => {
  const e = makeEnv();
  const first = await startGateway(e);
  const [, file] = await first.proc.waitForOutput(FIRST_FILE);
  assert.is(await stopGateway(first.proc), 0);
  const passwd = run(CLI, ['passwd', 'admin', '--password-stdin'], e, {}, 'offline-chosen-pass-1\n');
  assert.is(await passwd.exited, 0, passwd.stderr());
  assert.not.ok(fs.existsSync(file!), 'the file is removed');
  const { proc, base } = await startGateway(e);
  const login = await new TestClient(base).login('admin', 'offline-chosen-pass-1');
  assert.is(login.status, 200, login.text);
  assert.is(login.body.mustChangePassword, false);
  assert.not.match(proc.stdout(), /first password|First start/);
  assert.is(await stopGateway(proc), 0);
});

test('with DASHBOARD_ADMIN_PASSWORD the first start names the variable and prints no password', async () => {
  const e = makeEnv();
  const { proc, base } = await startGateway(e, { DASHBOARD_ADMIN_PASSWORD: 'configured-pass-1' });
  await proc.waitForOutput(/First start: created user "admin" with the password from DASHBOARD_ADMIN_PASSWORD/);
  assert.not.ok(proc.stdout().includes('configured-pass-1'));
  assert.is((await new TestClient(base).login('admin', 'configured-pass-1')).status, 200);
  assert.is(await stopGateway(proc), 0);
});

test('SIGTERM with an open keep-alive connection and a live WebSocket still exits 0 promptly', async () => {
  const e = makeEnv();
  const { proc, base } = await startGateway(e, { DASHBOARD_ADMIN_PASSWORD: 'configured-pass-1' });
  const c = new TestClient(base);
  await c.login('admin', 'configured-pass-1');
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`, { headers: { cookie: c.cookieHeader(), origin: base } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const started = Date.now();
  assert.is(await stopGateway(proc), 0);
  assert.ok(Date.now() - started < 8_000);
  assert.is(await closed, 1001, 'going away');
});

test('a corrupt db.json stops the start with exit 1, names the file, and leaves it byte-for-byte unchanged', async () => {
  const e = makeEnv();
  fs.mkdirSync(e.dataDir, { recursive: true });
  const file = path.join(e.dataDir, 'db.json');
  const corrupt = Buffer.from('{not json');
  fs.writeFileSync(file, corrupt);
  const proc = run(MAIN, [], e);
  assert.is(await proc.exited, 1, proc.stdout() + proc.stderr());
  assert.ok(proc.stderr().includes(file), `stderr names ${file}: ${proc.stderr()}`);
  assert.ok(fs.readFileSync(file).equals(corrupt), 'db.json untouched');
  assert.not.match(proc.stdout(), /is running at/);
});

test('an invalid configuration (PORT=abc) exits 1 with a message naming PORT', async () => {
  const e = makeEnv();
  const proc = run(MAIN, [], e, { PORT: 'abc' });
  assert.is(await proc.exited, 1);
  assert.match(proc.stderr(), /PORT/);
  assert.not.ok(fs.existsSync(path.join(e.dataDir, 'db.json')), 'nothing created for a bad configuration');
});

test('the user CLI adds a user to a stopped server’s data; the user signs in after the next start', async () => {
  const e = makeEnv();
  const first = await startGateway(e, { DASHBOARD_ADMIN_PASSWORD: 'configured-pass-1' });
  const firstExit = await stopGateway(first.proc);
  assert.is(firstExit, 0, `first stop: ${first.proc.stderr()}`);

  const add = run(CLI, ['add', 'bob', '--role', 'operator', '--password-stdin'], e, {}, 'bob-password-1\n');
  assert.is(await add.exited, 0, add.stderr());
  assert.match(add.stdout(), /Created bob \(operator\)/);
  assert.not.ok(add.stdout().includes('bob-password-1'));

  const short = run(CLI, ['add', 'carl', '--role', 'viewer', '--password-stdin'], e, {}, 'short\n');
  assert.is(await short.exited, 1, 'a short password is refused');

  const { proc, base } = await startGateway(e);
  const bob = new TestClient(base);
  assert.is((await bob.login('bob', 'bob-password-1')).status, 200);
  assert.is((await bob.get('/api/auth/me')).body.user.role, 'operator');
  assert.is((await new TestClient(base).login('carl', 'short')).status, 401);

  // While the gateway runs (pid file), the CLI refuses to change the data…
  const refused = run(CLI, ['add', 'dora', '--role', 'viewer', '--password-stdin'], e, {}, 'dora-password-1\n');
  assert.is(await refused.exited, 1);
  assert.match(refused.stderr(), /gateway is running/);
  const db = JSON.parse(fs.readFileSync(path.join(e.dataDir, 'db.json'), 'utf8')) as { users: Array<{ username: string }> };
  assert.not.ok(db.users.some((u) => u.username === 'dora'));
  // …but reading is fine, and --force overrides.
  const list = run(CLI, ['list'], e);
  assert.is(await list.exited, 0, list.stderr());
  assert.match(list.stdout(), /bob/);
  const forced = run(CLI, ['add', 'dora', '--role', 'viewer', '--password-stdin', '--force'], e, {}, 'dora-password-1\n');
  assert.is(await forced.exited, 0, forced.stderr());

  const lastExit = await stopGateway(proc);
  assert.is(lastExit, 0, `last stop: ${proc.stderr()}`);
});

test('the CLI prints usage and exits 2 without a command, and refuses an unknown command', async () => {
  const e = makeEnv();
  const none = run(CLI, [], e);
  assert.is(await none.exited, 2);
  assert.match(none.stdout(), /Usage/);
  const unknown = run(CLI, ['frobnicate'], e);
  assert.is(await unknown.exited, 2);
  assert.match(unknown.stderr(), /Unknown command/);
});

test.run();
