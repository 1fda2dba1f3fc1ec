// `npm run user` asking for a password on a real pseudo-terminal (util-linux `script` runs the CLI on one and
// relays this test's writes to it): a pasted password with its "\r\n" is read whole and stored without "\r", it is
// asked twice and compared, the policy is checked as it is typed, nothing is echoed, Ctrl-C stores nothing; and
// --password-stdin drops exactly one trailing line break.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import bcrypt from 'bcrypt';
import stripAnsi from 'strip-ansi';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(root, 'gateway/cli/user-cli.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const PASSWORD = 'pasted-from-a-manager-1';

const scratch: string[] = [];
const children = new Set<ChildProcess>();

test.after(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

function dataDir(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-user-cli-'));
  scratch.push(dir);
  fs.mkdirSync(path.join(dir, 'pm2'));
  return { dir, env: { PATH: process.env.PATH, HOME: dir, DATA_DIR: path.join(dir, 'data'), PM2_HOME: path.join(dir, 'pm2'), BCRYPT_COST: '4', TERM: 'xterm' } };
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

interface Session {
  /** Everything the terminal showed so far, without colours and cursor movement. */
  screen(): string;
  /** Resolves once the screen shows `text` (after `from` characters); rejects when the CLI exits first or it never comes. */
  waitFor(text: string | RegExp, from?: number): Promise<number>;
  type(keys: string): void;
  exited: Promise<number>;
}

/** Runs the user CLI on a pseudo-terminal; `type` writes to it as a keyboard (or a paste) would. */
function onTerminal(args: string[], env: NodeJS.ProcessEnv, cwd: string): Session {
  const command = [process.execPath, '--import', TSX, CLI, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let raw = '';
  const waiters = new Set<() => void>();
  const onOutput = (d: Buffer) => {
    raw += d.toString('utf8');
    for (const w of waiters) w();
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => {
    children.delete(child);
    for (const w of waiters) w();
    resolve(code ?? (signal === 'SIGINT' ? 130 : -1));
  }));
  const screen = () => stripAnsi(raw);
  return {
    screen,
    exited,
    type: (keys) => void child.stdin!.write(keys),
    waitFor(text, from = 0) {
      return new Promise((resolve, reject) => {
        // A deadline only so that a prompt that never comes fails this test instead of hanging the suite.
        const timer = setTimeout(() => finish(() => reject(new Error(`never showed ${String(text)}:\n${screen()}`))), 30_000);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        const check = () => {
          const rest = screen().slice(from);
          const at = typeof text === 'string' ? rest.indexOf(text) : rest.search(text);
          if (at >= 0) finish(() => resolve(from + at + 1));
          else if (child.exitCode !== null || child.signalCode !== null) {
            finish(() => reject(new Error(`the CLI exited before showing ${String(text)}:\n${screen()}`)));
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Waits for the exit; a CLI that hangs (the old prompt did on a pasted "\r\n") fails here instead of the suite. */
async function exitCode(s: Session, what: string): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: the CLI did not finish (hangs); screen:\n${s.screen()}`)), 30_000);
  });
  try {
    return await Promise.race([s.exited, hung]);
  } finally {
    clearTimeout(timer);
  }
}

function storedUser(env: NodeJS.ProcessEnv, username: string): { passwordHash: string; role: string } | undefined {
  const file = path.join(env.DATA_DIR!, 'db.json');
  if (!fs.existsSync(file)) return undefined;
  const db = JSON.parse(fs.readFileSync(file, 'utf8')) as { users: Array<{ username: string; passwordHash: string; role: string }> };
  return db.users.find((u) => u.username === username);
}

test('a password pasted with its "\\r\\n" at both prompts is stored whole and without "\\r"; nothing is echoed', async () => {
  const { dir, env } = dataDir();
  const s = onTerminal(['add', 'bob', '--role', 'operator'], env, dir);
  let at = await s.waitFor('New password for bob:');
  s.type(`${PASSWORD}\r\n`);
  at = await s.waitFor('The same password again:', at);
  s.type(`${PASSWORD}\r\n`);
  await s.waitFor('Created bob (operator).', at);
  assert.is(await exitCode(s, 'paste'), 0, s.screen());
  const bob = storedUser(env, 'bob')!;
  assert.ok(await bcrypt.compare(PASSWORD, bob.passwordHash), 'the pasted password is the stored one');
  assert.not.ok(await bcrypt.compare(`${PASSWORD}\r`, bob.passwordHash), 'no trailing \\r stored');
  assert.not.ok(s.screen().includes(PASSWORD), 'the password is masked, never shown');
  assert.match(s.screen(), /\*{8,}/, 'a mask is shown while typing');
});

test('two different passwords are not stored: it says so and asks for both again', async () => {
  const { dir, env } = dataDir();
  const s = onTerminal(['add', 'carol', '--role', 'viewer'], env, dir);
  let at = await s.waitFor('New password for carol:');
  s.type(`${PASSWORD}\r`);
  at = await s.waitFor('The same password again:', at);
  s.type('a-different-one-22\r');
  at = await s.waitFor('The two passwords differ; once more.', at);
  assert.is(storedUser(env, 'carol'), undefined, 'nothing stored after a mismatch');
  at = await s.waitFor('New password for carol:', at);
  s.type('carol-own-pass-22\r');
  at = await s.waitFor('The same password again:', at);
  s.type('carol-own-pass-22\r');
  await s.waitFor('Created carol (viewer).', at);
  assert.is(await exitCode(s, 'mismatch'), 0, s.screen());
  assert.ok(await bcrypt.compare('carol-own-pass-22', storedUser(env, 'carol')!.passwordHash));
});

test('a password the policy refuses is named at the first prompt, which waits for another', async () => {
  const { dir, env } = dataDir();
  const s = onTerminal(['add', 'dave', '--role', 'viewer'], env, dir);
  let at = await s.waitFor('New password for dave:');
  s.type('Password1234\r');
  at = await s.waitFor('Needs too common (on a list of leaked passwords); choose another.', at);
  // The prompt keeps the refused entry for fixing: Ctrl-U clears it, then a new one.
  s.type('\u0015dave-own-pass-33\r');
  at = await s.waitFor('The same password again:', at);
  s.type('dave-own-pass-33\r');
  await s.waitFor('Created dave (viewer).', at);
  assert.is(await exitCode(s, 'policy'), 0, s.screen());
  assert.ok(await bcrypt.compare('dave-own-pass-33', storedUser(env, 'dave')!.passwordHash));
});

test('Ctrl-C at the prompt exits 130 and stores nothing', async () => {
  const { dir, env } = dataDir();
  const s = onTerminal(['add', 'erin', '--role', 'viewer'], env, dir);
  await s.waitFor('New password for erin:');
  s.type('half-typed');
  s.type('\u0003');
  assert.is(await exitCode(s, 'ctrl-c'), 130, s.screen());
  assert.match(s.screen(), /Cancelled; nothing was changed\./);
  assert.is(storedUser(env, 'erin'), undefined);
});

/** The CLI with its standard input from a pipe (a script). */
function fromPipe(args: string[], env: NodeJS.ProcessEnv, input: string): Promise<{ code: number; stderr: string }> {
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { env, stdio: ['pipe', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin!.end(input);
  return new Promise((resolve) => child.once('exit', (code) => {
    children.delete(child);
    resolve({ code: code ?? -1, stderr });
  }));
}

test('--password-stdin drops exactly one trailing line break: "\\r\\n" or "\\n", keeping spaces before it', async () => {
  const { env } = dataDir();
  for (const [name, input, stored] of [
    ['frank', 'frank-script-pass-4\r\n', 'frank-script-pass-4'],
    ['gina', 'gina-script-pass-4  \n', 'gina-script-pass-4  '],
    ['hank', 'hank-script-pass-4', 'hank-script-pass-4'],
  ] as const) {
    const r = await fromPipe(['add', name, '--role', 'viewer', '--password-stdin'], env, input);
    assert.is(r.code, 0, r.stderr);
    assert.ok(await bcrypt.compare(stored, storedUser(env, name)!.passwordHash), JSON.stringify(input));
  }
});

test('--password-stdin with two line breaks (or any control character) is refused and stores nothing', async () => {
  const { env } = dataDir();
  const r = await fromPipe(['add', 'ivy', '--role', 'viewer', '--password-stdin'], env, 'ivy-script-pass-4\n\n');
  assert.is(r.code, 1);
  assert.match(r.stderr, /no control characters/);
  assert.not.ok(r.stderr.includes('ivy-script-pass-4'), 'the password is not echoed');
  assert.is(storedUser(env, 'ivy'), undefined);
});

test.run();
