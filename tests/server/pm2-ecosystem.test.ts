// ecosystem.config.js with PM2 itself: PM2's own loader reads it on every supported Node version, and a
// real PM2 daemon (temporary PM2_HOME) started from it runs the built gateway with the app directory's .env
// (PORT, HOST, DATA_DIR not overridden) and counts it online only after the gateway's 'ready'.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startPm2Sandbox, type Pm2BusPacket, type Pm2Sandbox } from '../support/pm2-sandbox.js';
import { waitFor } from '../support/wait-for.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ECOSYSTEM = path.join(root, 'ecosystem.config.js');

/** The Node binaries "engines" promises: this one, and those of tests/node-versions (npm ci --prefix tests/node-versions). */
function supportedNodes(): string[] {
  const extra = ['node-22', 'node-24'].map((n) => path.join(root, 'tests/node-versions/node_modules', n, 'bin/node'));
  for (const bin of extra) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run npm ci --prefix tests/node-versions`);
  }
  return [process.execPath, ...extra];
}

// Runs in a plain CommonJS process, as the pm2 CLI does: PM2's loader, then PM2's own schema check.
const LOAD_WITH_PM2 = `
const Common = require(process.argv[1] + '/node_modules/pm2/lib/Common.js');
const file = process.argv[2];
const conf = Common.parseConfig(require('node:fs').readFileSync(file), file);
const checked = Common.verifyConfs(conf.apps.map((a) => ({ ...a })));
console.log(JSON.stringify({ version: process.version, apps: conf.apps, schemaError: checked instanceof Error ? checked.message : null }));
`;

interface LoadedApp {
  name: string;
  script: string;
  cwd: string;
  env?: Record<string, string>;
  wait_ready?: boolean;
  listen_timeout?: number;
  exp_backoff_restart_delay?: number;
  min_uptime?: string | number;
  max_restarts?: number;
  kill_timeout?: number;
}

test("PM2's own loader reads ecosystem.config.js on Node 20, 22 and 24: both apps, cwd its directory, ready/back-off settings, no PORT/HOST/DATA_DIR", () => {
  const seen: string[] = [];
  for (const node of supportedNodes()) {
    const r = spawnSync(node, ['-e', LOAD_WITH_PM2, root, ECOSYSTEM], { cwd: os.tmpdir(), encoding: 'utf8', env: { PATH: process.env.PATH, PM2_HOME: path.join(os.tmpdir(), 'oc-pm2-unused') } });
    assert.is(r.status, 0, `${node}: ${r.stderr}`);
    const { version, apps, schemaError } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { version: string; apps: LoadedApp[]; schemaError: string | null };
    seen.push(version.split('.')[0]!);
    assert.is(schemaError, null, `${version}: PM2's schema accepts the apps`);
    assert.equal(apps.map((a) => a.name), ['monitoring-dashboard', 'webhook-button-handler'], version);
    for (const app of apps) {
      assert.is(app.cwd, root, `${version} ${app.name}: cwd is the file's directory`);
      assert.ok(fs.existsSync(path.join(root, app.script.replace(/^dist\//, '').replace(/\.js$/, '.ts'))), `${app.name}: ${app.script} is built from a source file`);
      for (const key of ['PORT', 'HOST', 'DATA_DIR', 'WEBHOOK_PORT', 'WEBHOOK_HOST', 'WEBHOOK_DATA_DIR']) {
        assert.not.ok(app.env && key in app.env, `${version} ${app.name}: ${key} is left to .env`);
      }
      assert.is(app.wait_ready, true, `${app.name}: wait_ready`);
      assert.ok((app.listen_timeout ?? 0) >= 10_000, `${app.name}: listen_timeout leaves time for start-up`);
      assert.ok((app.exp_backoff_restart_delay ?? 0) > 0, `${app.name}: exponential back-off`);
      assert.ok(app.min_uptime !== undefined && (app.max_restarts ?? 0) > 0, `${app.name}: min_uptime and max_restarts`);
    }
    // Longer than each app's own shutdown limit (gateway 10 s, webhook 8 s), so PM2 never cuts a clean stop short.
    assert.ok(apps[0]!.kill_timeout! > 10_000 && apps[1]!.kill_timeout! > 8_000);
  }
  assert.equal(seen.map((v) => v.replace('v', '')).slice(1), ['22', '24']);
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** An installed copy of the app in a temp dir: the ecosystem file, the built server, node_modules, a .env. */
function makeAppDir(env: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-pm2-app-'));
  fs.copyFileSync(ECOSYSTEM, path.join(dir, 'ecosystem.config.js'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'ops-center', private: true, type: 'module' }));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', path.join(dir, 'dist')], { encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`server build failed: ${tsc.stdout}${tsc.stderr}`);
  fs.writeFileSync(path.join(dir, '.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return dir;
}

test("started by a real PM2 daemon from ecosystem.config.js, both apps use the .env's ports, hosts and data directories and PM2 gets each one's 'ready' (the gateway's once /healthz is 200)", async () => {
  const port = await freePort();
  const webhookPort = await freePort();
  const app = makeAppDir({
    WEBHOOK_PORT: String(webhookPort),
    WEBHOOK_HOST: '127.0.0.1',
    WEBHOOK_DATA_DIR: './hook-events',
    WHATSAPP_APP_SECRET: 'ecosystem-app-secret',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: './state',
    DASHBOARD_ADMIN_PASSWORD: 'ecosystem-admin-password',
    BCRYPT_COST: '4',
    LOG_LEVEL: 'warn',
    METRICS_INTERVAL_SECONDS: '3600',
  });
  // PM2 passes the starting process's environment on to the app; values here would win over .env.
  const saved = Object.fromEntries(['PORT', 'HOST', 'DATA_DIR', 'WEBHOOK_PORT', 'WEBHOOK_HOST', 'WEBHOOK_DATA_DIR'].map((k) => [k, process.env[k]]));
  for (const k of Object.keys(saved)) delete process.env[k];
  let sandbox: Pm2Sandbox | undefined;
  try {
    sandbox = await startPm2Sandbox();
    const messages: Pm2BusPacket[] = [];
    await sandbox.onProcessMessage((p) => messages.push(p));
    const readyFrom = (name: string) => messages.some((m) => m.raw === 'ready' && m.process.name === name);
    // With wait_ready, PM2 answers the start once each app sent 'ready' (or listen_timeout passed without it).
    await sandbox.startFile(path.join(app, 'ecosystem.config.js'));
    await waitFor("the gateway's 'ready' on PM2's bus", () => readyFrom('monitoring-dashboard'), 10_000);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.is(health.status, 200, 'answers on the .env PORT');
    assert.equal(await health.json(), { status: 'ok' });
    assert.ok(fs.existsSync(path.join(app, 'state', 'db.json')), 'keeps its data in the .env DATA_DIR (relative to the app directory)');
    assert.not.ok(fs.existsSync(path.join(app, 'data')), 'nothing in the default ./data');

    const [described] = await sandbox.describe('monitoring-dashboard');
    assert.is(described?.pm2_env.status, 'online');
    assert.is(described?.pm2_env.wait_ready, true);
    assert.is(described?.pm2_env.pm_cwd, app);

    await waitFor("the webhook's 'ready' on PM2's bus", () => readyFrom('webhook-button-handler'), 10_000);
    const hook = await fetch(`http://127.0.0.1:${webhookPort}/health`);
    assert.is(hook.status, 200, 'the webhook answers on the .env WEBHOOK_PORT');
    assert.ok(fs.readdirSync(path.join(app, 'hook-events')).some((n) => n.endsWith('.jsonl')), 'its event log is in the .env WEBHOOK_DATA_DIR');
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
    await sandbox?.teardown();
    fs.rmSync(app, { recursive: true, force: true });
  }
});

test.run();
