// The first start without DASHBOARD_ADMIN_PASSWORD: the generated password is in DATA_DIR/first-admin-password
// (0600) and nowhere else; signing in with it works but every route except "who am I", sign-out and the password
// change answers 403 password_change_required (the live hub refuses the upgrade) until it is changed, which
// removes the file. With DASHBOARD_ADMIN_PASSWORD: no file, no forced change.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import { ROUTES, type RouteSpec } from '../../gateway/routes/route-table.js';
import { passwordProblems } from '../../gateway/domain/password-policy.js';
import { composeGateway, type Gateway } from '../../gateway/compose.js';
import { loadConfig } from '../../gateway/config.js';
import pino from 'pino';
import { startTestGateway, TestClient, type Reply, type TestGateway } from '../support/test-gateway.js';

const FILE = 'first-admin-password';
const NEW_PASSWORD = 'chosen-by-the-admin-1';
const gateways: TestGateway[] = [];
const scratch: string[] = [];

test.after(async () => {
  for (const t of gateways) await t.close().catch(() => undefined);
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

function scratchDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-first-admin-'));
  scratch.push(dir);
  return dir;
}

/** The composed gateway (no HTTP server) on `dataDir`, e.g. to start it again on the same state. */
function composeOn(dataDir: string, env: Record<string, string> = {}): Promise<Gateway> {
  const pm2Home = path.join(dataDir, 'pm2-empty');
  fs.mkdirSync(pm2Home, { recursive: true });
  const config = loadConfig({ DATA_DIR: dataDir, PM2_HOME: pm2Home, BCRYPT_COST: '4', LOG_LEVEL: 'silent', METRICS_INTERVAL_SECONDS: '3600', ...env }, dataDir);
  return composeGateway(config, { logger: pino({ level: 'silent' }), staticDir: null });
}

/** A gateway on a fresh data directory with no DASHBOARD_ADMIN_PASSWORD (an empty value counts as unset). */
async function firstStart(env: Record<string, string> = {}): Promise<TestGateway> {
  const t = await startTestGateway({ DASHBOARD_ADMIN_PASSWORD: '', ...env });
  gateways.push(t);
  return t;
}

const readPassword = (t: TestGateway) => fs.readFileSync(path.join(t.dataDir, FILE), 'utf8').trim();

function assertError(res: Reply, status: number, code: string, where = ''): void {
  assert.is(res.status, status, `${where} expected ${status}, got ${res.status} ${res.text}`);
  assert.equal(Object.keys(res.body as object), ['error'], `${where} error shape`);
  assert.is(res.body.error.code, code, `${where} code`);
}

// Harmless values: nothing real is found, so nothing real is changed (as in access-matrix.test.ts).
const PARAM_VALUES: Record<string, string> = {
  username: 'no-such-user', id: 'ffffffffffff', name: 'no-such-process', op: 'restart', runId: 'no-such-run',
  agent: 'no-such-agent', fingerprint: 'ffffffffffffffff',
};
const concretePath = (p: string) => p.replace(/:([A-Za-z]+)/g, (_m, name: string) => PARAM_VALUES[name] ?? `no-value-for-${name}`);
const withBody = (r: RouteSpec) => r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH';

function upgrade(t: TestGateway, cookie: string): Promise<{ status: number } | { ws: WebSocket }> {
  const ws = new WebSocket(`${t.base.replace('http', 'ws')}/ws`, { headers: { cookie, origin: t.base } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    ws.once('error', reject);
  });
}

test('the generated password is in a 0600 file in DATA_DIR, meets the policy, and the gateway object does not carry it', async () => {
  const t = await firstStart();
  const file = path.join(t.dataDir, FILE);
  assert.is(fs.statSync(file).mode & 0o777, 0o600);
  const password = readPassword(t);
  assert.ok(password.length >= 20, password.length.toString());
  assert.equal(passwordProblems(password), []);
  assert.equal(t.gw.firstAdmin, { username: 'admin', passwordFrom: 'file', file, created: true });
  assert.not.ok(JSON.stringify(t.gw.firstAdmin).includes(password));
  assert.not.ok(fs.readFileSync(path.join(t.dataDir, 'db.json'), 'utf8').includes(password), 'db.json holds the hash only');
});

test('signing in with the first password says mustChangePassword; every other route answers 403 password_change_required, the live hub refuses', async () => {
  const t = await firstStart();
  const password = readPassword(t);
  const c = new TestClient(t.base);
  const login = await c.post('/api/auth/login', { username: 'admin', password });
  assert.is(login.status, 200, login.text);
  assert.equal(login.body, { user: { username: 'admin', role: 'admin' }, mustChangePassword: true });
  const me = await c.get('/api/auth/me');
  assert.is(me.status, 200);
  assert.is(me.body.mustChangePassword, true);
  c.csrf = me.body.csrfToken;
  assert.equal((await c.get('/api/auth/session')).body, me.body, 'the sign-in page learns it must ask for a new password');

  const open = new Set(['GET /api/auth/me', 'GET /api/auth/session', 'POST /api/auth/password', 'POST /api/auth/logout']);
  let refused = 0;
  for (const r of ROUTES) {
    const where = `${r.method} ${r.path}`;
    if (r.access === 'public' || open.has(where)) continue;
    assertError(await c.request(r.method, concretePath(r.path), withBody(r) ? {} : undefined), 403, 'password_change_required', where);
    refused += 1;
  }
  assert.ok(refused > 20, `${refused} routes refused`);
  assert.equal(ROUTES.filter((r) => r.allowsPendingPasswordChange).map((r) => `${r.method} ${r.path}`).sort(), [...open].sort());
  assert.is(((await upgrade(t, c.cookieHeader())) as { status: number }).status, 401, 'no live data either');
  assert.ok(fs.existsSync(path.join(t.dataDir, FILE)), 'the file stays until the password is changed');
});

test('keeping the first password or choosing a common one is refused and changes nothing', async () => {
  const t = await firstStart();
  const password = readPassword(t);
  const c = new TestClient(t.base);
  await c.login('admin', password);
  const dbBefore = fs.readFileSync(path.join(t.dataDir, 'db.json'));
  for (const [what, newPassword, problem] of [
    ['the same password', password, 'must differ from the current password'],
    ['a common one', 'LeaveMeAlone', 'too common (on a list of leaked passwords); choose another'],
  ] as const) {
    const res = await c.post('/api/auth/password', { currentPassword: password, newPassword });
    assertError(res, 400, 'validation_failed', what);
    assert.equal(res.body.error.details, [{ field: 'newPassword', problem }], what);
    assert.not.ok(res.text.includes(password), 'the password is not echoed');
  }
  assert.ok(fs.readFileSync(path.join(t.dataDir, 'db.json')).equals(dbBefore), 'db.json unchanged');
  assert.ok(fs.existsSync(path.join(t.dataDir, FILE)));
  assert.is((await c.get('/api/auth/me')).body.mustChangePassword, true);
});

test('changing the first password removes the file and opens every route and the live hub; the old password stops working', async () => {
  const t = await firstStart();
  const password = readPassword(t);
  const c = new TestClient(t.base);
  await c.login('admin', password);
  const changed = await c.post('/api/auth/password', { currentPassword: password, newPassword: NEW_PASSWORD });
  assert.is(changed.status, 204, changed.text);
  assert.not.ok(fs.existsSync(path.join(t.dataDir, FILE)), 'the file is removed');
  assert.is((await c.get('/api/auth/me')).body.mustChangePassword, false);
  assert.is((await c.get('/api/users')).status, 200, 'the same session goes on, now unrestricted');
  assert.is((await c.post('/api/users', { username: 'first-viewer', password: 'first-viewer-pass-1', role: 'viewer' })).status, 201);
  const live = await upgrade(t, c.cookieHeader());
  assert.ok('ws' in live, 'the live hub accepts the session now');
  if ('ws' in live) live.ws.close();
  assert.not.match(JSON.stringify((await c.get('/api/users')).body), /mustChangePassword/);

  assertError(await new TestClient(t.base).post('/api/auth/login', { username: 'admin', password }), 401, 'invalid_credentials');
  const again = await new TestClient(t.base).post('/api/auth/login', { username: 'admin', password: NEW_PASSWORD });
  assert.equal(again.body, { user: { username: 'admin', role: 'admin' }, mustChangePassword: false });
});

test('a restart before the change keeps the same file and the same obligation; after the change nothing is reported', async () => {
  const dataDir = scratchDir();
  const first = await composeOn(dataDir);
  const file = path.join(dataDir, FILE);
  const password = fs.readFileSync(file, 'utf8').trim();
  await first.close();
  const again = await composeOn(dataDir);
  try {
    assert.equal(again.firstAdmin, { username: 'admin', passwordFrom: 'file', file, created: false });
    assert.is(fs.readFileSync(file, 'utf8').trim(), password, 'not replaced by a new one');
    assert.is(again.services.users.get('admin')!.mustChangePassword, true);
    await again.services.users.update('admin', { password: NEW_PASSWORD });
    assert.not.ok(fs.existsSync(file));
  } finally {
    await again.close();
  }
  const third = await composeOn(dataDir);
  await third.close();
  assert.is(third.firstAdmin, null);
});

test('with DASHBOARD_ADMIN_PASSWORD the operator chose the password: no file, no forced change', async () => {
  const t = await firstStart({ DASHBOARD_ADMIN_PASSWORD: 'configured-pass-1' });
  assert.not.ok(fs.existsSync(path.join(t.dataDir, FILE)));
  assert.equal(t.gw.firstAdmin, { username: 'admin', passwordFrom: 'configured' });
  const c = new TestClient(t.base);
  const login = await c.login('admin', 'configured-pass-1');
  assert.equal(login.body, { user: { username: 'admin', role: 'admin' }, mustChangePassword: false });
  assert.is((await c.get('/api/users')).status, 200);
});

test('a stale first-password file (its account already has another password) is removed at the next start', async () => {
  const dataDir = scratchDir();
  await (await composeOn(dataDir, { DASHBOARD_ADMIN_PASSWORD: 'configured-pass-1' })).close();
  const stale = path.join(dataDir, FILE);
  fs.writeFileSync(stale, 'left-over-password\n', { mode: 0o600 });
  const again = await composeOn(dataDir);
  await again.close();
  assert.is(again.firstAdmin, null);
  assert.not.ok(fs.existsSync(stale));
});

test('deleting the account that still had the first password removes the file', async () => {
  const dataDir = scratchDir();
  const gw = await composeOn(dataDir);
  try {
    assert.ok(fs.existsSync(path.join(dataDir, FILE)));
    await gw.services.users.create({ username: 'second-admin', password: 'second-admin-pass-1', role: 'admin' });
    await gw.services.users.remove('admin');
    assert.not.ok(fs.existsSync(path.join(dataDir, FILE)));
  } finally {
    await gw.close();
  }
});

test.run();
