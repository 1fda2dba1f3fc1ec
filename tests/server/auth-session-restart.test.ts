// Sessions across a gateway restart (close and open on the same data directory): the same cookie keeps
// working for HTTP and the WebSocket upgrade, the idle and absolute timeouts still count (injected clock),
// sign-out and sign-in rotation stay final, sessions.json holds no session key, offline user changes end
// sessions, and an unreadable sessions file only signs everyone out. Also a real process: SIGTERM and SIGKILL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { WebSocket } from 'ws';
import { ManualClock, signedInAs, startTestGateway, TestClient, type TestGateway } from '../support/test-gateway.js';
import { startGateway, type RunningGateway } from '../support/gateway-process.js';
import { openDb } from '../../gateway/store/db.js';
import { UserService } from '../../gateway/domain/users.js';

const SID = 'oc.sid';
const MINUTE = 60_000;
const scratch: string[] = [];

function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-restart-'));
  scratch.push(dir);
  return dir;
}

interface Opened {
  t: TestGateway;
  warnings: Array<{ msg: string; file?: string }>;
  closed?: boolean;
}

/** A gateway on `dir` (kept across close), with the given clock; warnings and worse are collected. */
async function openOn(dir: string, clock: ManualClock, env: Record<string, string> = {}): Promise<Opened> {
  const warnings: Opened['warnings'] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
  const t = await startTestGateway({ DATA_DIR: dir, ...env }, { clock, logger });
  return { t, warnings };
}

/** Closes a gateway (once); its data directory stays. */
async function stop(g: Opened): Promise<void> {
  if (g.closed) return;
  g.closed = true;
  await g.t.close();
}

/** Closes a gateway and opens a new one on the same data directory. */
async function restart(g: Opened, clock: ManualClock, env: Record<string, string> = {}): Promise<Opened> {
  await stop(g);
  return openOn(g.t.config.dataDir, clock, env);
}

/** The same browser, talking to another gateway process/port. */
function sameBrowser(c: TestClient, base: string): TestClient {
  const copy = new TestClient(base);
  copy.cookies = new Map(c.cookies);
  copy.csrf = c.csrf;
  return copy;
}

function upgradeStatus(base: string, cookie: string): Promise<number> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`, { headers: { cookie, origin: base } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', reject);
  });
}

function sessionsFile(g: Opened): string {
  return path.join(g.t.config.dataDir, 'sessions.json');
}

test.after(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

test('after a restart the same cookie still works for HTTP (with its CSRF token) and for the WebSocket upgrade', async () => {
  const clock = new ManualClock();
  let g = await openOn(dataDir(), clock);
  try {
    const before = new TestClient(g.t.base);
    assert.is((await before.login()).status, 200);
    g = await restart(g, clock);
    const c = sameBrowser(before, g.t.base);
    const me = await c.get('/api/auth/me');
    assert.is(me.status, 200, me.text);
    assert.is(me.body.user.username, 'admin');
    assert.is(me.body.csrfToken, before.csrf, 'the CSRF token survives with the session');
    const created = await c.post('/api/users', { username: 'after-restart', password: 'password-123', role: 'viewer' });
    assert.is(created.status, 201, created.text);
    assert.is(await upgradeStatus(g.t.base, c.cookieHeader()), 101);
    assert.is(await upgradeStatus(g.t.base, 'oc.sid=forged; oc.sid.sig=nope'), 401, 'a forged cookie is still refused');
    assert.equal(g.warnings, []);
  } finally {
    await stop(g);
  }
});

test('sessions.json holds a SHA-256 of each session key, never the key, and is readable by the owner only', async () => {
  const clock = new ManualClock();
  const g = await openOn(dataDir(), clock);
  try {
    const c = new TestClient(g.t.base);
    assert.is((await c.login()).status, 200);
    const key = c.cookies.get(SID)!;
    const text = fs.readFileSync(sessionsFile(g), 'utf8');
    assert.not.ok(text.includes(key), 'the raw key is not in the file');
    const saved = JSON.parse(text);
    assert.equal(
      saved.sessions.map((s: { id: string }) => s.id),
      [createHash('sha256').update(key).digest('hex')],
    );
    assert.is(saved.sessions[0].data.username, 'admin');
    assert.is(saved.sessions[0].data.csrfToken, c.csrf);
    assert.is(fs.statSync(sessionsFile(g)).mode & 0o777, 0o600);
  } finally {
    await stop(g);
  }
});

test('a sign-in is written at once, activity only at the flush or at close', async () => {
  const clock = new ManualClock();
  const g = await openOn(dataDir(), clock);
  try {
    const c = new TestClient(g.t.base);
    assert.is((await c.login()).status, 200);
    const afterLogin = fs.readFileSync(sessionsFile(g), 'utf8');
    assert.is(JSON.parse(afterLogin).sessions.length, 1, 'written before the sign-in answered');
    clock.advance(5 * MINUTE);
    for (let i = 0; i < 5; i++) assert.is((await c.get('/api/auth/me')).status, 200);
    assert.is(fs.readFileSync(sessionsFile(g), 'utf8'), afterLogin, 'requests do not write the file');
    await stop(g);
    const closed = JSON.parse(fs.readFileSync(sessionsFile(g), 'utf8'));
    assert.is(closed.sessions[0].lastSeenAt, clock.now(), 'close writes the last activity');
  } finally {
    await stop(g);
  }
});

test('the idle timeout counts across a restart: activity before it keeps the session, idling past it ends it', async () => {
  const clock = new ManualClock();
  const env = { SESSION_IDLE_MINUTES: '10', SESSION_ABSOLUTE_HOURS: '2' };
  let g = await openOn(dataDir(), clock, env);
  try {
    const c = new TestClient(g.t.base);
    assert.is((await c.login()).status, 200);
    clock.advance(8 * MINUTE);
    assert.is((await c.get('/api/auth/me')).status, 200);
    g = await restart(g, clock, env);
    clock.advance(9 * MINUTE);
    const back = sameBrowser(c, g.t.base);
    assert.is((await back.get('/api/auth/me')).status, 200, 'last seen 9 minutes ago (before the restart)');
    clock.advance(10 * MINUTE + 1);
    assert.is((await back.get('/api/auth/me')).status, 401, 'idle past the limit');
  } finally {
    await stop(g);
  }
});

test('a session that went idle past the limit while the gateway was down is gone after the restart', async () => {
  const clock = new ManualClock();
  const env = { SESSION_IDLE_MINUTES: '10' };
  let g = await openOn(dataDir(), clock, env);
  try {
    const c = new TestClient(g.t.base);
    assert.is((await c.login()).status, 200);
    await stop(g);
    clock.advance(10 * MINUTE + 1);
    g = await restart(g, clock, env);
    assert.is((await sameBrowser(c, g.t.base).get('/api/auth/me')).status, 401);
    assert.is(await upgradeStatus(g.t.base, c.cookieHeader()), 401);
    assert.is(g.t.gw.services.sessions.size, 0, 'dropped on load');
  } finally {
    await stop(g);
  }
});

test('the absolute timeout counts from the sign-in, across a restart, even in constant use', async () => {
  const clock = new ManualClock();
  const env = { SESSION_IDLE_MINUTES: '45', SESSION_ABSOLUTE_HOURS: '1' };
  let g = await openOn(dataDir(), clock, env);
  try {
    const c = new TestClient(g.t.base);
    assert.is((await c.login()).status, 200);
    clock.advance(30 * MINUTE);
    assert.is((await c.get('/api/auth/me')).status, 200);
    g = await restart(g, clock, env);
    const back = sameBrowser(c, g.t.base);
    clock.advance(29 * MINUTE);
    assert.is((await back.get('/api/auth/me')).status, 200);
    clock.advance(2 * MINUTE);
    assert.is((await back.get('/api/auth/me')).status, 401, 'older than SESSION_ABSOLUTE_HOURS');
  } finally {
    await stop(g);
  }
});

test('a sign-out, a replaced pre-login session and a disabled user stay signed out after a restart', async () => {
  const clock = new ManualClock();
  let g = await openOn(dataDir(), clock);
  try {
    const admin = new TestClient(g.t.base);
    assert.is((await admin.login()).status, 200);
    const leaving = new TestClient(g.t.base);
    await leaving.login();
    const stolen = sameBrowser(leaving, g.t.base);
    assert.is((await leaving.post('/api/auth/logout')).status, 204);
    const rotating = new TestClient(g.t.base);
    await rotating.login();
    const oldKey = sameBrowser(rotating, g.t.base);
    await rotating.login();
    const disabled = await signedInAs(g.t.base, admin, 'operator', 'disabled-before-restart');
    assert.is((await admin.request('PATCH', '/api/users/disabled-before-restart', { disabled: true })).status, 200);

    g = await restart(g, clock);
    assert.is((await sameBrowser(stolen, g.t.base).get('/api/auth/me')).status, 401, 'signed out');
    assert.is((await sameBrowser(oldKey, g.t.base).get('/api/auth/me')).status, 401, 'the key replaced at the second sign-in');
    assert.is((await sameBrowser(rotating, g.t.base).get('/api/auth/me')).status, 200, 'the current key');
    assert.is((await sameBrowser(disabled, g.t.base).get('/api/auth/me')).status, 401, 'disabled user');
    assert.is(await upgradeStatus(g.t.base, stolen.cookieHeader()), 401);
    assert.is((await sameBrowser(admin, g.t.base).get('/api/auth/me')).status, 200);
  } finally {
    await stop(g);
  }
});

test('a sign-out whose write fails is answered 503 sign_out_not_saved with the cookie cleared, and stays final once a later write succeeds', async () => {
  const clock = new ManualClock();
  let g = await openOn(dataDir(), clock);
  try {
    const leaving = new TestClient(g.t.base);
    await leaving.login();
    const stolen = sameBrowser(leaving, g.t.base);
    const temp = path.join(g.t.config.dataDir, '.sessions.json.tmp');
    fs.mkdirSync(temp); // every write of sessions.json fails
    const res = await leaving.post('/api/auth/logout');
    assert.is(res.status, 503, res.text);
    assert.is(res.body.error.code, 'sign_out_not_saved');
    assert.match(res.body.error.message, /signed out, but the sign-out could not be saved yet/);
    assert.is(leaving.cookies.size, 0, 'the cookie is cleared all the same');
    assert.is((await stolen.get('/api/auth/me')).status, 401, 'ended in memory at once');
    assert.ok(JSON.parse(fs.readFileSync(sessionsFile(g), 'utf8')).sessions.length === 1, 'still on disk');
    fs.rmdirSync(temp);
    const other = new TestClient(g.t.base);
    assert.is((await other.login()).status, 200, 'the next write succeeds');
    g = await restart(g, clock);
    assert.is((await sameBrowser(stolen, g.t.base).get('/api/auth/me')).status, 401, 'signed out after the restart');
    assert.is((await sameBrowser(other, g.t.base).get('/api/auth/me')).status, 200);
  } finally {
    await stop(g);
  }
});

test('a password change keeps the changing session across a restart and ends the others', async () => {
  const clock = new ManualClock();
  let g = await openOn(dataDir(), clock);
  try {
    const admin = new TestClient(g.t.base);
    await admin.login();
    const me = await signedInAs(g.t.base, admin, 'operator', 'changer');
    const other = new TestClient(g.t.base);
    assert.is((await other.login('changer', 'operator-password-1')).status, 200);
    clock.advance(1000);
    const ok = await me.post('/api/auth/password', { currentPassword: 'operator-password-1', newPassword: 'brand-new-pass-1' });
    assert.is(ok.status, 204, ok.text);
    g = await restart(g, clock);
    assert.is((await sameBrowser(me, g.t.base).get('/api/auth/me')).status, 200, 'the session that changed it');
    assert.is((await sameBrowser(other, g.t.base).get('/api/auth/me')).status, 401, 'the other session');
  } finally {
    await stop(g);
  }
});

test('a password reset made offline (npm run user) ends that user\'s sessions; other users stay signed in', async () => {
  const clock = new ManualClock();
  let g = await openOn(dataDir(), clock);
  try {
    const admin = new TestClient(g.t.base);
    await admin.login();
    const victim = await signedInAs(g.t.base, admin, 'viewer', 'reset-offline');
    await stop(g);
    clock.advance(1000);
    const db = await openDb(path.join(g.t.config.dataDir, 'db.json'));
    await new UserService(db, clock, 4).update('reset-offline', { password: 'reset-password-1' });
    g = await restart(g, clock);
    assert.is((await sameBrowser(victim, g.t.base).get('/api/auth/me')).status, 401);
    assert.is((await sameBrowser(admin, g.t.base).get('/api/auth/me')).status, 200);
  } finally {
    await stop(g);
  }
});

for (const [what, corrupt] of [
  ['not JSON', (file: string) => fs.writeFileSync(file, '{"version":1,"sessions":[{"id":')],
  ['JSON of the wrong shape', (file: string) => fs.writeFileSync(file, JSON.stringify({ version: 1, savedAt: 1, sessions: [{ id: 'raw-key', data: {} }] }))],
  ['an unsupported version', (file: string) => fs.writeFileSync(file, JSON.stringify({ version: 2, savedAt: 1, sessions: [] }))],
] as const) {
  test(`a sessions file holding ${what}: the gateway starts, warns, everyone signs in again, the file is replaced`, async () => {
    const clock = new ManualClock();
    let g = await openOn(dataDir(), clock);
    try {
      const c = new TestClient(g.t.base);
      await c.login();
      await stop(g);
      corrupt(sessionsFile(g));
      g = await restart(g, clock);
      const warning = g.warnings.find((w) => /sessions file unreadable/.test(w.msg));
      assert.ok(warning, JSON.stringify(g.warnings));
      assert.is(warning!.file, sessionsFile(g));
      assert.is((await sameBrowser(c, g.t.base).get('/api/auth/me')).status, 401);
      const again = new TestClient(g.t.base);
      assert.is((await again.login()).status, 200, 'signing in works');
      const saved = JSON.parse(fs.readFileSync(sessionsFile(g), 'utf8'));
      assert.is(saved.sessions.length, 1, 'the new sign-in replaced the bad file');
    } finally {
      await stop(g);
    }
  });
}

test('a sessions file that cannot be read or written (a directory in its place): the gateway starts, sign-in works in memory, both failures are logged', async () => {
  const clock = new ManualClock();
  const dir = dataDir();
  fs.mkdirSync(path.join(dir, 'sessions.json'));
  const g = await openOn(dir, clock);
  try {
    assert.ok(g.warnings.some((w) => /sessions file unreadable/.test(w.msg)), JSON.stringify(g.warnings));
    const c = new TestClient(g.t.base);
    assert.is((await c.login()).status, 200);
    assert.is((await c.get('/api/auth/me')).status, 200);
    assert.ok(g.warnings.some((w) => w.msg === 'could not save sessions'), JSON.stringify(g.warnings));
  } finally {
    await stop(g);
  }
});

/** SIGKILL, then stop(): the process is gone already, stop() only removes its PM2 home (the data dir stays). */
async function crash(gw: RunningGateway): Promise<void> {
  const exited = new Promise((resolve) => gw.child.once('exit', resolve));
  gw.child.kill('SIGKILL');
  await exited;
  await gw.stop();
}

test('a real gateway process: the cookie survives a graceful restart (SIGTERM) and a crash (SIGKILL), for HTTP and /ws', async () => {
  const dir = dataDir();
  const env = { BCRYPT_COST: '4' };
  let gw = await startGateway(env, { fromSources: true, dataDir: dir });
  try {
    const c = new TestClient(gw.base);
    assert.is((await c.login('admin', gw.adminPassword)).status, 200);
    await gw.stop();
    gw = await startGateway(env, { fromSources: true, dataDir: dir });
    assert.is((await sameBrowser(c, gw.base).get('/api/auth/me')).status, 200, 'after SIGTERM');
    assert.is(await upgradeStatus(gw.base, c.cookieHeader()), 101);

    await crash(gw);
    gw = await startGateway(env, { fromSources: true, dataDir: dir });
    assert.is((await sameBrowser(c, gw.base).get('/api/auth/me')).status, 200, 'after SIGKILL');
    assert.is(await upgradeStatus(gw.base, c.cookieHeader()), 101);

    assert.is((await sameBrowser(c, gw.base).post('/api/auth/logout')).status, 204);
    await crash(gw);
    gw = await startGateway(env, { fromSources: true, dataDir: dir });
    assert.is((await sameBrowser(c, gw.base).get('/api/auth/me')).status, 401, 'signed out just before a crash');
  } finally {
    await gw.stop();
  }
});

test.run();
