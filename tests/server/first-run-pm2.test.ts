// The first start as it is deployed: the gateway (from sources) as an app of a real PM2 daemon in a temp
// PM2_HOME, watching that same daemon, on a fresh DATA_DIR with no DASHBOARD_ADMIN_PASSWORD. PM2 keeps its stdout
// and stderr in files the log center serves to every viewer; the admin password (the generated one, and the one it
// is changed to) must be in none of them, in no other PM2 file, in the gateway's own log, nor in a viewer's search.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startPm2Sandbox, type Pm2Sandbox } from '../support/pm2-sandbox.js';
import { TestClient } from '../support/test-gateway.js';
import { waitFor } from '../support/wait-for.js';
import { printingFailure } from '../support/set-up-failure.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const APP = 'ops-center-first-run';
const NEW_PASSWORD = 'pm2-chosen-admin-pass-7';
const VIEWER_PASSWORD = 'pm2-viewer-pass-7';

let sandbox: Pm2Sandbox;
let scratch = '';
let dataDir = '';
let base = '';
let firstPassword = '';

/** Every regular file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

const outLog = () => path.join(sandbox.home, 'logs', `${APP}-out.log`);

test.before(() => printingFailure(async () => {
  sandbox = await startPm2Sandbox();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-first-run-pm2-'));
  dataDir = path.join(scratch, 'data');
  await sandbox.startApp({
    name: APP,
    script: path.join(root, 'gateway/main.ts'),
    // PM2 refuses .ts scripts on Node 20 unless told the interpreter: this node, with the tsx loader.
    interpreter: process.execPath,
    node_args: ['--import', TSX],
    // A cwd without a .env, so nothing but this environment configures the gateway.
    cwd: scratch,
    autorestart: false,
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      PM2_HOME: sandbox.home,
      DASHBOARD_ADMIN_PASSWORD: '', // empty counts as unset, whatever the daemon's own environment holds
      BCRYPT_COST: '4',
      LOG_LEVEL: 'info',
      METRICS_INTERVAL_SECONDS: '3600',
    },
  });
  // Another process writes the banner into PM2's file: no event to await here, so poll it.
  const banner = await waitFor('the gateway banner in its PM2 out log', () => {
    const text = fs.existsSync(outLog()) ? fs.readFileSync(outLog(), 'utf8') : '';
    return /Ops Center is running at (http:\/\/127\.0\.0\.1:\d+)[\s\S]*Read it with: cat \S+/.exec(text);
  }, 60_000, 100);
  base = banner[1]!;
  firstPassword = fs.readFileSync(path.join(dataDir, 'first-admin-password'), 'utf8').trim();
}));

test.after(async () => {
  await sandbox?.teardown(); // deletes the gateway app (SIGTERM), kills the daemon, removes PM2_HOME
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test('under PM2 the first start prints the password file, which signs in and must be changed; a viewer is made', async () => {
  assert.match(fs.readFileSync(outLog(), 'utf8'), new RegExp(`cat ${path.join(dataDir, 'first-admin-password').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const admin = new TestClient(base);
  const login = await admin.login('admin', firstPassword);
  assert.is(login.status, 200, login.text);
  assert.is(login.body.mustChangePassword, true);
  assert.is((await admin.get('/api/users')).status, 403, 'nothing before the change');
  const changed = await admin.post('/api/auth/password', { currentPassword: firstPassword, newPassword: NEW_PASSWORD });
  assert.is(changed.status, 204, changed.text);
  assert.not.ok(fs.existsSync(path.join(dataDir, 'first-admin-password')), 'the file is gone');
  const viewer = await admin.post('/api/users', { username: 'night-viewer', password: VIEWER_PASSWORD, role: 'viewer' });
  assert.is(viewer.status, 201, viewer.text);
});

test('no PM2 file and no file of the gateway\'s own log holds a password; the out log does hold the banner', () => {
  const files = [...filesUnder(sandbox.home), ...filesUnder(path.join(dataDir, 'logs'))].filter((f) => !f.endsWith('.sock'));
  assert.ok(files.includes(outLog()), `PM2's out log is among them: ${files.join(', ')}`);
  assert.ok(files.some((f) => f.startsWith(path.join(dataDir, 'logs'))), 'the gateway\'s own log too');
  for (const file of files) {
    const text = fs.readFileSync(file).toString('latin1');
    for (const secret of [firstPassword, NEW_PASSWORD, VIEWER_PASSWORD]) {
      assert.not.ok(text.includes(secret), `${file} holds a password`);
    }
  }
  assert.match(fs.readFileSync(outLog(), 'utf8'), /first-admin-password/);
});

test('a viewer searching the log center for each password finds nothing, while the same search finds the banner', async () => {
  const viewer = new TestClient(base);
  assert.is((await viewer.login('night-viewer', VIEWER_PASSWORD)).status, 200);
  const search = async (q: string) => {
    const res = await viewer.get(`/api/logs/search?q=${encodeURIComponent(q)}&limit=500`);
    assert.is(res.status, 200, res.text);
    return res.body as { hits: Array<{ message: string; file: string }>; truncated: boolean };
  };
  // The control: the log center reads this gateway's PM2 out log, so a password there would be found.
  const control = await search('first-admin-password');
  assert.ok(control.hits.some((h) => h.file === outLog()), `the banner is found in ${outLog()}: ${JSON.stringify(control.hits.map((h) => h.file))}`);
  for (const secret of [firstPassword, NEW_PASSWORD, VIEWER_PASSWORD]) {
    const found = await search(secret);
    assert.equal(found.hits, [], `a search for a password found: ${JSON.stringify(found.hits)}`);
    assert.is(found.truncated, false);
  }
});

test.run();
