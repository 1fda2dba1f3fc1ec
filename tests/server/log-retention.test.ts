// POST /api/logs/cleanup on real files: the dry run lists rotated files oldest first and deletes
// nothing; a real run deletes only rotated files older than N days (never a live file); bad input is a
// 400 with nothing deleted; only admins may call it. Also LOG_RETENTION_DAYS for the gateway's own logs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogSources } from '../../gateway/sources/log-sources.js';
import { createPm2Source, type Pm2Source } from '../../gateway/sources/pm2-source.js';
import { removeExpiredSelfLogs } from '../../gateway/domain/logs/log-retention.js';
import { makeTempPm2Home } from '../support/pm2-sandbox.js';
import { signedInAs, startAdminGateway, TestClient, type AdminGateway, type Reply } from '../support/test-gateway.js';

const DAY = 24 * 60 * 60 * 1000;
let root: string;
let t: AdminGateway;
let admin: TestClient;

function put(file: string, content: string, ageDays: number): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  const when = new Date(Date.now() - ageDays * DAY);
  fs.utimesSync(file, when, when);
  return file;
}

/** Every file under root, relative, sorted: to prove what was (not) deleted. */
function tree(dir = root): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((p) => fs.lstatSync(path.join(dir, p)).isFile())
    .sort();
}

const app = (name: string) => path.join(root, 'app', name);

function assertError(res: Reply, status: number, code: string, where: string): void {
  assert.is(res.status, status, `${where}: expected ${status}, got ${res.status} ${res.text}`);
  assert.equal(Object.keys(res.body as object), ['error'], where);
  assert.is(res.body.error.code, code, where);
  assert.type(res.body.error.message, 'string', where);
}

test.before(async () => {
  try {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'oc-logret-')));
    put(app('api.log'), 'live but old\n', 100); // live: never a candidate, however old
    put(app('api.log.1'), 'a'.repeat(10), 5);
    put(app('api.log.2.gz'), 'b'.repeat(20), 40);
    put(app('api-2026-09-01.log'), 'c'.repeat(30), 60);
    put(app('api__2026-08-01_00-00-00.log.gz'), 'd'.repeat(40), 90);
    put(app('worker-2026-01-02.log'), 'newest dated, written by its app\n', 50); // no live sibling, newest of its name
    put(app('worker-2026-01-01.log'), 'e'.repeat(50), 51);
    t = await startAdminGateway({ LOG_DIRS: path.join(root, 'app/*.log') });
    admin = t.admin;
  } catch (err) {
    console.error('log-retention before-hook failed', err);
    throw err;
  }
});

test.after(async () => {
  await t?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

test('a dry run (the default) lists the rotated files older than N days, oldest first, with sizes, and deletes nothing', async () => {
  const before = tree();
  const r = await admin.post('/api/logs/cleanup', { olderThanDays: 30 });
  assert.is(r.status, 200, r.text);
  assert.is(r.body.dryRun, true);
  assert.is(r.body.olderThanDays, 30);
  assert.equal(
    r.body.files.map((f: { path: string; size: number }) => [path.basename(f.path), f.size]),
    [
      ['api__2026-08-01_00-00-00.log.gz', 40],
      ['api-2026-09-01.log', 30],
      ['worker-2026-01-01.log', 50],
      ['api.log.2.gz', 20],
    ],
  );
  assert.is(r.body.totalBytes, 140);
  assert.is(r.body.deleted, 0);
  const first = r.body.files[0];
  assert.is(first.source, `dir:${path.join(root, 'app/*.log')}`);
  assert.ok(path.isAbsolute(first.path));
  assert.ok(Date.parse(first.mtime) < Date.now() - 89 * DAY);
  assert.equal(tree(), before, 'nothing deleted');
  const explicit = await admin.post('/api/logs/cleanup', { olderThanDays: 1, dryRun: true });
  assert.is(explicit.body.files.length, 5, 'api.log.1 (5 days) joins at 1 day; live files never');
  assert.not.ok(explicit.body.files.some((f: { path: string }) => f.path === app('api.log') || f.path === app('worker-2026-01-02.log')));
  assert.equal(tree(), before, 'nothing deleted');
});

test('bad input is a 400 invalid_input listing the field, and nothing is deleted', async () => {
  const before = tree();
  const bad: unknown[] = [
    {},
    { olderThanDays: 0 },
    { olderThanDays: 3651 },
    { olderThanDays: 1.5 },
    { olderThanDays: '30' },
    { olderThanDays: -5, dryRun: false },
    { olderThanDays: 30, dryRun: 'no' },
    { olderThanDays: 30, dryRun: false, extra: 1 },
    [30],
  ];
  for (const body of bad) {
    const r = await admin.post('/api/logs/cleanup', body);
    assertError(r, 400, 'invalid_input', JSON.stringify(body));
    assert.ok(Array.isArray(r.body.error.details) && r.body.error.details.length > 0, `details for ${JSON.stringify(body)}`);
  }
  const r = await admin.post('/api/logs/cleanup', { olderThanDays: 0, dryRun: false });
  assert.equal(r.body.error.details.map((d: { field: string }) => d.field), ['olderThanDays']);
  assert.equal(tree(), before, 'nothing deleted');
});

test('viewers and operators get 403 and nothing is deleted', async () => {
  const before = tree();
  for (const role of ['viewer', 'operator'] as const) {
    const c = await signedInAs(t.base, admin, role);
    assertError(await c.post('/api/logs/cleanup', { olderThanDays: 1, dryRun: false }), 403, 'forbidden', role);
  }
  assert.equal(tree(), before, 'nothing deleted');
});

test('a real run deletes only the rotated files older than N days and is audited as logs.cleanup', async () => {
  const r = await admin.post('/api/logs/cleanup', { olderThanDays: 30, dryRun: false });
  assert.is(r.status, 200, r.text);
  assert.is(r.body.dryRun, false);
  assert.is(r.body.deleted, 4);
  assert.is(r.body.totalBytes, 140);
  assert.equal(tree(), ['app/api.log', 'app/api.log.1', 'app/worker-2026-01-02.log']);
  // The source list no longer names them.
  const listed = await admin.get('/api/logs/sources');
  const files = listed.body.sources[0].files.map((f: { path: string }) => path.basename(f.path)).sort();
  assert.equal(files, ['api.log', 'api.log.1', 'worker-2026-01-02.log']);
  // Nothing left at 30 days.
  const again = await admin.post('/api/logs/cleanup', { olderThanDays: 30, dryRun: false });
  assert.equal([again.body.deleted, again.body.files], [0, []]);
  const audit = await admin.get('/api/audit?action=logs.cleanup&limit=50');
  assert.is(audit.status, 200, audit.text);
  const outcomes = audit.body.items.map((e: { outcome: string; status: number }) => `${e.outcome}:${e.status}`);
  assert.ok(outcomes.includes('ok:200'), `a successful cleanup is audited (${outcomes.join(', ')})`);
  assert.ok(outcomes.includes('failed:400'), 'a refused cleanup is audited');
  assert.ok(outcomes.includes('denied:403'), 'a forbidden cleanup is audited');
});

test('LOG_RETENTION_DAYS removes only the gateway’s own rotated logs past the limit', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-selfret-'));
  const pm2Home = await makeTempPm2Home('oc-pm2-down-');
  const pm2: Pm2Source = createPm2Source({ pm2Home, timeoutMs: 500 });
  try {
    put(path.join(dir, 'self/ops-center.log'), 'live\n', 400);
    put(path.join(dir, 'self/ops-center__2026-01-01_00-00-00.log.gz'), 'old', 31);
    put(path.join(dir, 'self/ops-center__2026-02-01_00-00-00.log.gz'), 'recent', 29);
    put(path.join(dir, 'other/x.log'), 'live', 0);
    put(path.join(dir, 'other/x.log.1'), 'not self', 365);
    const sources = createLogSources({ pm2, logDirs: [path.join(dir, 'other/*.log')], selfLogDir: path.join(dir, 'self'), clock: { now: () => Date.now() } });
    const result = await removeExpiredSelfLogs(sources, 30, Date.now());
    assert.is(result.deleted, 1);
    assert.equal(tree(dir), ['other/x.log', 'other/x.log.1', 'self/ops-center.log', 'self/ops-center__2026-02-01_00-00-00.log.gz']);
  } finally {
    await pm2.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(pm2Home, { recursive: true, force: true });
  }
});

test.run();
