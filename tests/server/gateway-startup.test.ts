// Starting and stopping the real gateway: a port or address it cannot listen on is one clear line and
// exit 1 before any state is touched; /healthz says "starting" until start-up has finished; Ctrl-C under
// `npm start` always shuts down cleanly (pid file removed, the whole process tree gone).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestGateway } from '../support/test-gateway.js';
import { killLeftovers, spawnWatched, waitForGroupExit } from '../support/spawned.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(root, 'gateway/main.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const scratch: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

test.after(() => {
  killLeftovers();
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

function gatewayEnv(base: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: base,
    DATA_DIR: path.join(base, 'data'),
    PM2_HOME: path.join(base, 'pm2'),
    PORT: '0',
    HOST: '127.0.0.1',
    BCRYPT_COST: '4',
    DASHBOARD_ADMIN_PASSWORD: 'startup-admin-password',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** Runs gateway/main.ts until it exits; the temp cwd keeps any stray .env out. */
async function runUntilExit(extra: Record<string, string>, uid?: number) {
  const base = tempDir('oc-startup-');
  if (uid !== undefined) fs.chownSync(base, uid, uid);
  const proc = spawnWatched(process.execPath, ['--import', TSX, MAIN], { cwd: base, env: gatewayEnv(base, extra), ...(uid !== undefined ? { uid, gid: uid } : {}) });
  const code = await proc.exited;
  return { code, stdout: proc.stdout(), stderr: proc.stderr(), dataDir: path.join(base, 'data') };
}

test('a PORT already in use: exactly one line "Port N is already in use (set PORT to another port).", exit 1, no data directory made', async () => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as net.AddressInfo).port;
  try {
    const r = await runUntilExit({ PORT: String(port) });
    assert.is(r.code, 1);
    assert.is(r.stderr, `Port ${port} is already in use (set PORT to another port).\n`);
    assert.not.match(r.stderr + r.stdout, /\n\s+at /, 'no stack trace');
    assert.not.ok(fs.existsSync(r.dataDir), 'nothing stored before the port is known to be free');
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
});

test('a port below 1024 without the privilege (EACCES): one line naming PORT, exit 1', async () => {
  // As root the gateway runs as "nobody" for this; the machine reserves ports below 1024 to privileged users.
  const unprivileged = process.getuid?.() === 0 ? 65534 : undefined;
  const r = await runUntilExit({ PORT: '80' }, unprivileged);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'Port 80 needs privileges this user does not have (set PORT to a port above 1023, or put a proxy in front).\n');
});

test('a HOST that is not an address of this machine (EADDRNOTAVAIL): one line naming HOST, exit 1', async () => {
  // 192.0.2.1 is TEST-NET-1, reserved for documentation: never a local address.
  const r = await runUntilExit({ HOST: '192.0.2.1' });
  assert.is(r.code, 1);
  assert.is(r.stderr, 'HOST 192.0.2.1 is not an address of this machine (set HOST to 0.0.0.0, 127.0.0.1 or one of its own addresses).\n');
  assert.not.ok(fs.existsSync(r.dataDir));
});

test('/healthz answers 503 {"status":"starting"} until start() has finished, then 200 {"status":"ok"}, and 503 "stopping" once shutdown began', async () => {
  const t = await startTestGateway({}, { start: false });
  let closed = false;
  try {
    const before = await fetch(`${t.base}/healthz`);
    assert.is(before.status, 503);
    assert.equal(await before.json(), { status: 'starting' });
    assert.is(before.headers.get('cache-control'), 'no-store');
    await t.gw.start();
    const after = await fetch(`${t.base}/healthz`);
    assert.is(after.status, 200);
    assert.equal(await after.json(), { status: 'ok' });
    await t.gw.close();
    closed = true;
    const stopping = await fetch(`${t.base}/healthz`);
    assert.is(stopping.status, 503);
    assert.equal(await stopping.json(), { status: 'stopping' });
  } finally {
    if (!closed) await t.gw.close();
    t.server.closeAllConnections();
    await new Promise<void>((resolve) => t.server.close(() => resolve()));
    fs.rmSync(t.dataDir, { recursive: true, force: true });
  }
});

const ctrlCEnv = (base: string) =>
  gatewayEnv(base, {
    // As npm puts them there; npm itself must stay offline and quiet (no update check, no log in a real home).
    PATH: `${path.join(root, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_cache: path.join(base, 'npm-cache'),
    npm_config_logs_max: '0',
  });

/** Starts `command` in its own process group (as a terminal's foreground job), Ctrl-C's the group once running. */
async function startThenCtrlC(command: string, args: string[], env: NodeJS.ProcessEnv, what: string) {
  const pidFile = path.join(env.DATA_DIR!, 'gateway.pid');
  const proc = spawnWatched(command, args, { cwd: root, env, detached: true });
  await proc.waitForOutput(/Ops Center is running at http:\/\/\S+/, 120_000);
  assert.ok(Number(fs.readFileSync(pidFile, 'utf8').trim()) > 0, `${what}: the gateway wrote its pid`);
  process.kill(-proc.child.pid!, 'SIGINT');
  const code = await proc.exited;
  await waitForGroupExit(proc.child.pid!);
  assert.not.ok(fs.existsSync(pidFile), `${what}: gateway.pid removed (exit ${code}; stderr: ${proc.stderr()})`);
  return { code, stderr: proc.stderr() };
}

test('Ctrl-C (SIGINT to the whole process group) under `npm start`, 6 fresh starts in a row: each removes gateway.pid and leaves no process of the tree behind', async () => {
  for (let i = 1; i <= 6; i++) {
    const r = await startThenCtrlC('npm', ['start'], ctrlCEnv(tempDir('oc-ctrl-c-')), `npm start ${i}`);
    // npm reports what its shell reports: dash re-raises the SIGINT it saw once its child has exited
    // (what a terminal shows as 130), bash exits with the child's 0. Anything else means the gateway failed.
    assert.ok(r.code === 0 || r.code === 'SIGINT', `npm start ${i}: exit ${r.code}; stderr: ${r.stderr}`);
    assert.not.match(r.stderr, /ERR!|error/i, `npm start ${i}: nothing reported as failed`);
  }
});

test('Ctrl-C on the command `npm start` runs, 6 fresh starts in a row: the gateway itself exits 0 each time with gateway.pid removed', async () => {
  const script = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
  const [command, ...args] = script.split(/\s+/);
  for (let i = 1; i <= 6; i++) {
    const r = await startThenCtrlC(command === 'node' ? process.execPath : command!, args, ctrlCEnv(tempDir('oc-ctrl-c-direct-')), `${script} ${i}`);
    assert.is(r.code, 0, `${script} ${i}: exit 0 after a clean shutdown (stderr: ${r.stderr})`);
  }
});

test.run();
