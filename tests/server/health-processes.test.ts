// /api/health, /api/metrics/system and /api/processes on a real gateway: first with PM2 unreachable (an
// empty PM2_HOME), then against a real PM2 daemon in a temporary home (tests/support/pm2-sandbox.ts).
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signedInAs, startAdminGateway, type AdminGateway, type Reply, type TestClient } from '../support/test-gateway.js';
import { startPm2Sandbox, type Pm2Sandbox } from '../support/pm2-sandbox.js';

function assertError(res: Reply, status: number, code: string, where = ''): void {
  assert.is(res.status, status, `${where} expected ${status}, got ${res.status} ${res.text}`);
  assert.equal(Object.keys(res.body as object), ['error']);
  assert.is(res.body.error.code, code, where);
  assert.type(res.body.error.message, 'string');
}

const SERVICE_STATES = ['up', 'down', 'degraded', 'unknown', 'not_configured'];

function assertHealthShape(body: Record<string, any>): void {
  assert.ok(Number.isFinite(Date.parse(body.generatedAt)), 'generatedAt');
  const sys = body.system;
  assert.ok(sys, 'system present after the first sample');
  assert.type(sys.cpu.percent, 'number');
  assert.ok(sys.cpu.percent >= 0 && sys.cpu.percent <= 100);
  assert.type(sys.memory.totalBytes, 'number');
  assert.type(sys.memory.percent, 'number');
  assert.ok(Array.isArray(sys.disk) && sys.disk.length >= 1, 'disk');
  assert.ok(Array.isArray(sys.load) && sys.load.length === 3, 'load');
  assert.type(sys.uptimeSeconds, 'number');
  for (const name of ['pm2', 'webhook', 'whatsapp', 'sheets', 'drive']) {
    const s = body.services[name];
    assert.ok(s, `services.${name}`);
    assert.ok(SERVICE_STATES.includes(s.state), `services.${name}.state ${s.state}`);
    assert.ok(s.observedAt === null || Number.isFinite(Date.parse(s.observedAt)), `services.${name}.observedAt`);
  }
  assert.type(body.operations, 'object');
  assert.ok(Array.isArray(body.alerts.active), 'alerts.active is a list');
}

/** PM2 reports a (re)started app as 'launching' for a moment; there is no event to await from here. */
async function waitForOnline(c: TestClient, name: string, timeoutMs = 8_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await c.get('/api/processes');
    const found = res.status === 200 ? (res.body as Array<Record<string, any>>).find((p) => p.name === name) : undefined;
    if (found?.status === 'online') return found;
    if (Date.now() > deadline) throw new Error(`${name} not online: ${res.status} ${res.text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('with PM2 unreachable, /api/health has processes null (never []) and pm2 down with a detail', async () => {
  const t = await startAdminGateway();
  try {
    const admin = t.admin;
    const res = await admin.get('/api/health');
    assert.is(res.status, 200, res.text);
    assert.is(res.headers.get('cache-control'), 'no-store');
    assertHealthShape(res.body);
    assert.is(res.body.processes, null);
    assert.is(res.body.services.pm2.state, 'down');
    assert.type(res.body.services.pm2.detail, 'string');
    assert.ok(res.body.services.pm2.detail.length > 0);

    assertError(await admin.get('/api/processes'), 503, 'pm2_unreachable');
    assertError(await admin.post('/api/processes/anything/restart'), 503, 'pm2_unreachable');
    // Nothing was created in the PM2 home: the gateway never starts a daemon.
    assert.equal(fs.readdirSync(t.config.pm2Home!), []);

    const metrics = await admin.get('/api/metrics/system');
    assert.is(metrics.status, 200);
    assert.ok(Array.isArray(metrics.body.samples) && metrics.body.samples.length >= 1, metrics.text);
    const sample = metrics.body.samples[0];
    for (const key of ['ts', 'cpu', 'memory', 'disk', 'load', 'uptimeSeconds']) assert.ok(key in sample, key);
    assertError(await admin.get('/api/metrics/system?minutes=abc'), 400, 'validation_failed');
  } finally {
    await t.close();
  }
});

let sandbox: Pm2Sandbox | null = null;
let t: AdminGateway | null = null;

test('with a real PM2 daemon the sandbox app is listed by /api/processes and /api/health', async () => {
  sandbox = await startPm2Sandbox({ appName: 'oc-health-app' });
  t = await startAdminGateway({ PM2_HOME: sandbox.home });
  const admin = t.admin;
  const app = await waitForOnline(admin, sandbox.appName);
  for (const key of ['name', 'pmId', 'status', 'cpu', 'memory', 'restarts', 'uptimeSeconds', 'pid']) assert.ok(key in app, key);
  assert.ok(app.pid > 0);
  // The daemon's environment (secrets included) must never be passed through.
  assert.is(app.pm2_env, undefined);
  assert.is(app.env, undefined);
  const health = await admin.get('/api/health');
  assertHealthShape(health.body);
  assert.ok(Array.isArray(health.body.processes), 'processes is a list while PM2 answers');
  assert.ok(health.body.processes.some((p: { name: string }) => p.name === sandbox!.appName));
  assert.is(health.body.services.pm2.state, 'up');
});

test('an operator restarts the app through the API: restarts + 1, and it is audited', async () => {
  const admin = t!.admin;
  const operator = await signedInAs(t!.base, admin, 'operator', 'ops');
  const before = await waitForOnline(operator, sandbox!.appName);
  const res = await operator.post(`/api/processes/${sandbox!.appName}/restart`);
  assert.is(res.status, 200, res.text);
  assert.is(res.body.process.name, sandbox!.appName);
  assert.is(res.body.process.restarts, before.restarts + 1);
  const after = await waitForOnline(operator, sandbox!.appName);
  assert.is(after.restarts, before.restarts + 1);
  assert.is.not(after.pid, before.pid);
  const audit = await admin.get('/api/audit?action=process.action');
  const entry = audit.body.items[0];
  assert.equal(
    { actor: entry.actor, target: entry.target, outcome: entry.outcome, status: entry.status, detail: entry.detail },
    { actor: 'ops', target: sandbox!.appName, outcome: 'ok', status: 200, detail: 'restart' },
  );
});

test('a viewer gets 403 on a process action and nothing restarts', async () => {
  const admin = t!.admin;
  const viewer = await signedInAs(t!.base, admin, 'viewer', 'watcher');
  const before = await waitForOnline(viewer, sandbox!.appName);
  assertError(await viewer.post(`/api/processes/${sandbox!.appName}/restart`), 403, 'forbidden');
  const after = await waitForOnline(viewer, sandbox!.appName);
  assert.is(after.restarts, before.restarts);
  assert.is(after.pid, before.pid);
});

test('an unknown process name is 404 process_not_found; an unknown action is 404', async () => {
  const admin = t!.admin;
  assertError(await admin.post('/api/processes/no-such-app/restart'), 404, 'process_not_found');
  assertError(await admin.post('/api/processes/all/stop'), 404, 'process_not_found', "pm2's 'all' is not a name");
  const before = await waitForOnline(admin, sandbox!.appName);
  assertError(await admin.post(`/api/processes/${sandbox!.appName}/delete`), 404, 'not_found');
  assertError(await admin.post(`/api/processes/${sandbox!.appName}/kill`), 404, 'not_found');
  const after = await waitForOnline(admin, sandbox!.appName);
  assert.is(after.restarts, before.restarts);
});

test('once the daemon is killed: /api/processes is 503 and /api/health has processes null', async () => {
  const admin = t!.admin;
  await waitForOnline(admin, sandbox!.appName);
  await sandbox!.killDaemon();
  assertError(await admin.get('/api/processes'), 503, 'pm2_unreachable');
  // /api/health reports the last poll; run one poll now instead of waiting for the interval.
  await t!.gw.services.status.tick();
  const health = await admin.get('/api/health');
  assert.is(health.status, 200);
  assert.is(health.body.processes, null);
  assert.is(health.body.services.pm2.state, 'down');
  assert.type(health.body.services.pm2.detail, 'string');
  assert.not.ok(fs.existsSync(path.join(sandbox!.home, 'rpc.sock')), 'the gateway did not relaunch the daemon');
});

test.after(async () => {
  await t?.close();
  await sandbox?.teardown();
});

test.run();
