// pm2-source against a real PM2 daemon in a temporary PM2_HOME (tests/support/pm2-sandbox.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../../gateway/http/api-error.js';
import { createPm2Source, toProcessInfo } from '../../gateway/sources/pm2-source.js';
import type { Pm2Source, ProcessInfo } from '../../gateway/sources/pm2-source.js';
import { makeTempPm2Home, startPm2Sandbox } from '../support/pm2-sandbox.js';
import type { Pm2Sandbox } from '../support/pm2-sandbox.js';

let sandbox: Pm2Sandbox | null = null;
let source: Pm2Source | null = null;

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  assert.instance(err, ApiError, 'expected the promise to reject with an ApiError');
  return err as ApiError;
}

// A process just (re)started by PM2 can show 'launching' for a moment.
async function waitForStatus(name: string, status: string, timeoutMs = 5_000): Promise<ProcessInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await source!.list()).find((p) => p.name === name);
    if (found?.status === status) return found;
    if (Date.now() > deadline) throw new Error(`"${name}" did not reach ${status}; last seen ${JSON.stringify(found)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test.before(async () => {
  sandbox = await startPm2Sandbox();
  source = createPm2Source({ pm2Home: sandbox.home, timeoutMs: 3_000 });
});

test.after(async () => {
  await source?.close();
  await sandbox?.teardown();
});

test('maps a raw pm2 entry to ProcessInfo, with uptime only while online and no pid when 0', () => {
  const raw = {
    name: 'api', pm_id: 3, pid: 0, monit: { cpu: 1.5, memory: 2048 },
    pm2_env: { status: 'stopped', restart_time: 2, pm_uptime: 1_000, exec_mode: 'cluster_mode',
      pm_out_log_path: '/l/out.log', pm_err_log_path: '/l/err.log', pm_exec_path: '/app/api.js' },
  };
  assert.equal(toProcessInfo(raw, 61_000), {
    name: 'api', pmId: 3, status: 'stopped', cpu: 1.5, memory: 2048, restarts: 2, uptimeSeconds: null, pid: null,
    outLogPath: '/l/out.log', errLogPath: '/l/err.log', execPath: '/app/api.js', mode: 'cluster',
  });
  const online = toProcessInfo({ ...raw, pid: 42, pm2_env: { ...raw.pm2_env, status: 'online', exec_mode: 'fork_mode' } }, 61_000);
  assert.is(online.uptimeSeconds, 60);
  assert.is(online.pid, 42);
  assert.is(online.mode, 'fork');
});

test('lists the sandbox app as online with a pid and its log paths', async () => {
  const app = await waitForStatus(sandbox!.appName, 'online');
  assert.type(app.pmId, 'number');
  assert.ok(app.pid !== null && app.pid > 0);
  assert.ok(app.uptimeSeconds !== null && app.uptimeSeconds >= 0);
  assert.is(app.mode, 'fork');
  assert.is(app.execPath, sandbox!.scriptPath);
  assert.type(app.outLogPath, 'string');
  assert.type(app.errLogPath, 'string');
});

test('restart by name counts one more restart and runs under a new pid', async () => {
  const before = await waitForStatus(sandbox!.appName, 'online');
  const after = await source!.action(sandbox!.appName, 'restart');
  assert.is(after.name, sandbox!.appName);
  assert.is(after.restarts, before.restarts + 1);
  assert.ok(after.pid !== null && after.pid !== before.pid, `pid ${before.pid} → ${after.pid}`);
});

test('stop leaves the app stopped without a pid, start brings it back online', async () => {
  const stopped = await source!.action(sandbox!.appName, 'stop');
  assert.is(stopped.status, 'stopped');
  assert.is(stopped.pid, null);
  assert.is(stopped.uptimeSeconds, null);
  await source!.action(sandbox!.appName, 'start');
  await waitForStatus(sandbox!.appName, 'online');
});

test('reload of a fork-mode app restarts it', async () => {
  const before = await waitForStatus(sandbox!.appName, 'online');
  const after = await source!.action(sandbox!.appName, 'reload');
  assert.is(after.restarts, before.restarts + 1);
  await waitForStatus(sandbox!.appName, 'online');
});

test('an action on an unknown name is a 404 process_not_found in the API error shape', async () => {
  const err = await rejection(source!.action('no-such-app', 'restart'));
  assert.is(err.status, 404);
  assert.is(err.code, 'process_not_found');
  assert.equal(Object.keys(err.toJSON().error).sort(), ['code', 'details', 'message']);
  assert.match(err.message, 'no-such-app');
});

test("pm2's own wildcards are not names: 'all' is not found and nothing is stopped", async () => {
  const err = await rejection(source!.action('all', 'stop'));
  assert.is(err.code, 'process_not_found');
  assert.is((await waitForStatus(sandbox!.appName, 'online')).status, 'online');
});

test('after the daemon is killed, list() rejects with 503 pm2_unreachable instead of returning []', async () => {
  await source!.list(); // holds a live connection when the daemon goes away
  await sandbox!.killDaemon();
  const err = await rejection(source!.list());
  assert.is(err.status, 503);
  assert.is(err.code, 'pm2_unreachable');
  assert.match(err.message, sandbox!.home);
  assert.not.ok(existsSync(path.join(sandbox!.home, 'rpc.sock')), 'the source must not have relaunched the daemon');
});

test('the same source reconnects once a daemon is back', async () => {
  await sandbox!.startDaemon();
  const app = await waitForStatus(sandbox!.appName, 'online');
  assert.is(app.name, sandbox!.appName);
});

test('with no daemon in an empty home: 503 pm2_unreachable, and no daemon was started', async () => {
  const home = await makeTempPm2Home('oc-pm2-empty-');
  const lonely = createPm2Source({ pm2Home: home, timeoutMs: 1_000 });
  try {
    const listErr = await rejection(lonely.list());
    assert.is(listErr.status, 503);
    assert.is(listErr.code, 'pm2_unreachable');
    assert.match(listErr.message, 'does not start one');
    const actionErr = await rejection(lonely.action('anything', 'start'));
    assert.is(actionErr.code, 'pm2_unreachable');
    assert.not.ok(existsSync(path.join(home, 'rpc.sock')));
    assert.equal(await readdir(home), [], 'nothing may be created in the PM2 home');
  } finally {
    await lonely.close();
    await rm(home, { recursive: true, force: true });
  }
});

test('close() is idempotent and later calls fail as unreachable', async () => {
  const extra = createPm2Source({ pm2Home: sandbox!.home, timeoutMs: 3_000 });
  await extra.list();
  await extra.close();
  await extra.close();
  const err = await rejection(extra.list());
  assert.is(err.code, 'pm2_unreachable');
});

test.run();
