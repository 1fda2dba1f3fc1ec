// File modes of everything the real gateway and the real standalone webhook write: files 0600 and
// folders 0700 even under umask 000, and what an older version left looser (0644/0755) is tightened at the
// next start, set-aside (quarantine) files included.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openSelfLog } from '../../gateway/self-log.js';
import { signIn } from '../support/gateway-process.js';
import { killLeftovers, spawnWatched, type Spawned } from '../support/spawned.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const PASSWORD = 'file-modes-admin-password';

const scratch: string[] = [];
function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(d);
  return d;
}
test.after(() => {
  killLeftovers();
  for (const d of scratch) fs.rmSync(d, { recursive: true, force: true });
});

/** Every entry under `dir` (itself included) whose mode is not 0700 (folder) or 0600 (file), as "path mode". */
function looseEntries(dir: string): string[] {
  const loose: string[] = [];
  const visit = (p: string) => {
    const st = fs.lstatSync(p);
    const mode = st.mode & 0o777;
    if (st.isDirectory()) {
      if (mode !== 0o700) loose.push(`${path.relative(dir, p) || '.'}/ ${mode.toString(8)}`);
      for (const n of fs.readdirSync(p)) visit(path.join(p, n));
    } else if (mode !== 0o600) {
      loose.push(`${path.relative(dir, p)} ${mode.toString(8)}`);
    }
  };
  visit(dir);
  return loose;
}

function loosen(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    fs.chmodSync(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644);
  }
  fs.chmodSync(dir, 0o755);
}

/** `node …` with umask 000, so anything created without an explicit mode would come out 0666/0777. */
function spawnUmask0(script: string, cwd: string, env: Record<string, string>): Spawned {
  return spawnWatched('sh', ['-c', 'umask 000 && exec "$0" --import "$1" "$2"', process.execPath, TSX, script], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, ...env },
  });
}

async function stop(proc: Spawned): Promise<number | string> {
  proc.child.kill('SIGTERM');
  return proc.exited;
}

test('the gateway under umask 000: db.json, sessions.json, session-secret, gateway.pid, journal, snapshots, logs are 0600 in 0700 folders; a restart tightens 0644/0755 leftovers and the files it sets aside', async () => {
  const base = tempDir('oc-modes-gw-');
  const dataDir = path.join(base, 'data');
  const env = {
    DATA_DIR: dataDir,
    PM2_HOME: path.join(base, 'pm2'),
    PORT: '0',
    HOST: '127.0.0.1',
    BCRYPT_COST: '4',
    DASHBOARD_ADMIN_PASSWORD: PASSWORD,
    LOG_LEVEL: 'info',
    METRICS_INTERVAL_SECONDS: '3600',
  };
  const run = async () => {
    const gw = spawnUmask0(path.join(root, 'gateway/main.ts'), base, env);
    const url = (await gw.waitForOutput(/running at (http:\/\/\S+)/))[1]!;
    const cookie = await signIn(url, PASSWORD); // sessions.json, the audit trail in the journal
    const me = await fetch(`${url}/api/auth/me`, { headers: { cookie } });
    const { csrfToken } = (await me.json()) as { csrfToken: string };
    const created = await fetch(`${url}/api/users`, {
      method: 'POST',
      headers: { cookie, origin: url, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ username: `u${Date.now()}`, password: 'modes-user-password', role: 'viewer' }),
    });
    assert.is(created.status, 201, 'db.json written');
    assert.is(fs.statSync(path.join(dataDir, 'gateway.pid')).mode & 0o777, 0o600, 'gateway.pid');
    assert.is(await stop(gw), 0);
  };

  await run();
  const written = fs.readdirSync(dataDir, { recursive: true }).map(String);
  for (const f of ['db.json', 'sessions.json', 'session-secret', 'logs/ops-center.log', 'snapshots/log-digest.json']) {
    assert.ok(written.includes(f), `${f} written (${written.join(', ')})`);
  }
  assert.ok(fs.readdirSync(path.join(dataDir, 'journal'), { recursive: true }).some((n) => String(n).endsWith('.jsonl')), 'journal segments written');
  assert.equal(looseEntries(dataDir), [], 'first start');

  // As an older version or a restore leaves it, plus a corrupt run snapshot (none was needed: no runs) and
  // a torn journal line, both to be set aside.
  fs.writeFileSync(path.join(dataDir, 'snapshots/agent-runs.json'), '{not json');
  const segment = fs.readdirSync(path.join(dataDir, 'journal'), { recursive: true }).map(String).find((n) => n.endsWith('.jsonl'))!;
  fs.appendFileSync(path.join(dataDir, 'journal', segment), '{"torn":');
  loosen(dataDir);
  assert.ok(looseEntries(dataDir).length > 5, 'loosened');

  await run();
  assert.ok(fs.readdirSync(path.join(dataDir, 'snapshots')).some((n) => n.startsWith('agent-runs.json.bad-')), 'the corrupt snapshot was set aside');
  assert.ok(fs.readdirSync(path.join(dataDir, 'journal'), { recursive: true }).some((n) => /\.torn-\d+$/.test(String(n))), 'the torn line was set aside');
  assert.equal(looseEntries(dataDir), [], 'after the restart');
});

test('the self-log under umask 000: the live file, the gzip-compressed rotated files and the rotation history are 0600', async () => {
  const dataDir = tempDir('oc-modes-selflog-');
  const previous = process.umask(0);
  try {
    const self = openSelfLog({ dataDir, logLevel: 'info', logSelfMaxBytes: 2048, logSelfKeep: 2 }, { stdout: fs.createWriteStream('/dev/null') });
    let rotations = 0;
    self.stream.on('rotated', () => (rotations += 1));
    for (let i = 0; i < 150; i++) {
      self.logger.info({ i, padding: 'x'.repeat(80) }, `line ${i}`);
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5)); // let rotations run between bursts
    }
    await self.close();
    assert.ok(rotations >= 2, `rotated (${rotations})`);
  } finally {
    process.umask(previous);
  }
  const names = fs.readdirSync(path.join(dataDir, 'logs'));
  assert.ok(names.some((n) => n.endsWith('.log.gz')) && names.includes('.ops-center-rotations.txt'), names.join(', '));
  assert.equal(looseEntries(dataDir), []);
});

test('the standalone webhook under umask 000: the event log folder 0700 and its day files 0600; a restart tightens leftovers and writes the set-aside torn line 0600', async () => {
  const base = tempDir('oc-modes-hook-');
  const dataDir = path.join(base, 'events');
  const env = { WEBHOOK_PORT: '0', WEBHOOK_HOST: '127.0.0.1', WEBHOOK_DATA_DIR: dataDir, WHATSAPP_APP_SECRET: 'modes-secret' };
  const run = async () => {
    const hook = spawnUmask0(path.join(root, 'webhook/standalone.ts'), base, env);
    await hook.waitForOutput(/running at http/); // the start itself records a status event
    assert.is(await stop(hook), 0);
  };
  await run();
  assert.ok(fs.readdirSync(dataDir).some((n) => n.endsWith('.jsonl')));
  assert.equal(looseEntries(dataDir), [], 'first start');

  const day = fs.readdirSync(dataDir).find((n) => n.endsWith('.jsonl'))!;
  fs.appendFileSync(path.join(dataDir, day), '{"torn":');
  loosen(dataDir);
  await run();
  assert.ok(fs.readdirSync(dataDir).some((n) => n.startsWith('torn-')), 'the torn line was set aside');
  assert.equal(looseEntries(dataDir), [], 'after the restart');
});

test.run();
