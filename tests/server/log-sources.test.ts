// Log sources on real temporary directories: LOG_DIRS globs, rotated siblings, the path checks
// (symlinks leaving a source, `..`, relative paths), a real PM2 daemon's out/err files, and PM2 down.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../../gateway/http/api-error.js';
import { checkLogPath, createLogSources, type LogSource, type LogSources } from '../../gateway/sources/log-sources.js';
import { rotatedSiblingMatcher } from '../../gateway/sources/rotated-files.js';
import { createPm2Source, type Pm2Source } from '../../gateway/sources/pm2-source.js';
import { makeTempPm2Home, startPm2Sandbox, type Pm2Sandbox } from '../support/pm2-sandbox.js';
import { signedInAs, startAdminGateway, TestClient, ManualClock, type AdminGateway } from '../support/test-gateway.js';

const DAY = 24 * 60 * 60 * 1000;
let root: string;
let emptyPm2Home: string;
let downPm2: Pm2Source;
let sandbox: Pm2Sandbox | null = null;
let sandboxPm2: Pm2Source | null = null;

/** Writes a file with an mtime `ageDays` in the past. */
function put(file: string, content = 'line\n', ageDays = 0): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  const t = new Date(Date.now() - ageDays * DAY);
  fs.utimesSync(file, t, t);
  return file;
}

function byId(sources: LogSource[], id: string): LogSource {
  const s = sources.find((x) => x.id === id);
  if (!s) throw new Error(`no source ${id} among ${sources.map((x) => x.id).join(', ')}`);
  return s;
}

test.before(async () => {
  try {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'oc-logsrc-')));
    emptyPm2Home = await makeTempPm2Home('oc-pm2-down-');
    downPm2 = createPm2Source({ pm2Home: emptyPm2Home, timeoutMs: 1_000 });
    // app/: a live file and every rotated naming we know, plus files that are not siblings.
    put(path.join(root, 'app/api.log'), 'live\n');
    put(path.join(root, 'app/api.log.1'), 'one\n', 1);
    put(path.join(root, 'app/api.log.2.gz'), 'two\n', 2);
    put(path.join(root, 'app/api-2026-11-20.log'), 'dated\n', 5);
    put(path.join(root, 'app/api-2026-11-19.log.gz'), 'dated gz\n', 6);
    put(path.join(root, 'app/api__2026-11-18_00-00-00.log.gz'), 'pm2-logrotate\n', 7);
    put(path.join(root, 'app/api-extra.log'), 'another live file\n');
    put(path.join(root, 'app/api.txt'), 'not a log\n');
    // outside/: a secret reached only through symlinks placed in app/.
    put(path.join(root, 'outside/secret.log'), 'secret\n');
    fs.symlinkSync(path.join(root, 'outside/secret.log'), path.join(root, 'app/escape.log'));
    fs.symlinkSync(path.join(root, 'outside/secret.log'), path.join(root, 'app/api.log.3'));
    // A symlink that stays inside the source is fine.
    fs.symlinkSync(path.join(root, 'app/api-extra.log'), path.join(root, 'app/current.log'));
    // deep/: a ** glob.
    put(path.join(root, 'deep/a/worker.log'), 'w\n');
    put(path.join(root, 'deep/b/c/worker.log'), 'w\n');
    // self/: the gateway's own log.
    put(path.join(root, 'self/ops-center.log'), '{"level":30}\n');
    put(path.join(root, 'self/ops-center__2026-11-01_00-00-00.log.gz'), 'x', 10);
  } catch (err) {
    console.error('log-sources before-hook failed', err);
    throw err;
  }
});

test.after(async () => {
  await downPm2?.close();
  await sandboxPm2?.close();
  await sandbox?.teardown();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(emptyPm2Home, { recursive: true, force: true });
});

function sourcesWith(pm2: Pm2Source, logDirs: string[]): LogSources {
  return createLogSources({ pm2, logDirs, selfLogDir: path.join(root, 'self'), clock: { now: () => Date.now() } });
}

test('rotated sibling names: numbered, gzip, dated, dateext and pm2-logrotate, nothing else', () => {
  const is = rotatedSiblingMatcher('api.log');
  for (const yes of ['api.log.1', 'api.log.12.gz', 'api.log.gz', 'api-2026-11-24.log', 'api-2026-11-24.log.gz', 'api-2026-11-24-2.log',
    'api__2026-11-24_00-00-00.log', 'api__2026-11-24_13-05-09.log.gz', 'api.log-20261124', 'api.log-20261124.gz']) {
    assert.ok(is(yes), `${yes} is a rotated sibling of api.log`);
  }
  for (const no of ['api.log', 'api-extra.log', 'api.txt', 'apix.log.1', 'api-out.log', 'api.log.x', 'api-2026-11.log', 'other-2026-11-24.log', 'api.log.1.bak']) {
    assert.not.ok(is(no), `${no} is not a rotated sibling of api.log`);
  }
});

test('a LOG_DIRS glob lists its files with their rotated siblings, newest first, live files first', async () => {
  const pattern = path.join(root, 'app/*.log');
  const { sources, pm2 } = await sourcesWith(downPm2, [pattern]).list();
  assert.equal(pm2?.state, 'down');
  const dir = byId(sources, `dir:${pattern}`);
  assert.is(dir.kind, 'dir');
  assert.is(dir.label, pattern);
  const names = dir.files.map((f) => path.basename(f.path));
  assert.equal(
    names.filter((n) => n.startsWith('api')),
    ['api-extra.log', 'api.log', 'api.log.1', 'api.log.2.gz', 'api-2026-11-20.log', 'api-2026-11-19.log.gz', 'api__2026-11-18_00-00-00.log.gz'].filter(
      (n) => names.includes(n),
    ),
  );
  for (const want of ['api.log', 'api.log.1', 'api.log.2.gz', 'api-2026-11-20.log', 'api-2026-11-19.log.gz', 'api__2026-11-18_00-00-00.log.gz', 'api-extra.log', 'current.log']) {
    assert.ok(names.includes(want), `${want} listed (got ${names.join(', ')})`);
  }
  assert.not.ok(names.includes('api.txt'), 'a file outside the glob and not a sibling is not listed');
  assert.not.ok(names.includes('escape.log'), 'a symlink leaving the source is not listed');
  assert.not.ok(names.includes('api.log.3'), 'a rotated-looking symlink leaving the source is not listed');
  const f = (n: string) => dir.files.find((x) => path.basename(x.path) === n)!;
  assert.equal([f('api.log').rotated, f('api.log').compressed], [false, false]);
  assert.equal([f('api.log.1').rotated, f('api.log.1').compressed], [true, false]);
  assert.equal([f('api.log.2.gz').rotated, f('api.log.2.gz').compressed], [true, true]);
  assert.equal([f('api-2026-11-20.log').rotated, f('api__2026-11-18_00-00-00.log.gz').rotated], [true, true]);
  assert.is(f('api.log').size, 5);
  assert.ok(path.isAbsolute(f('api.log').path));
  // Newest first: every live file before every rotated one, rotated ones by mtime.
  const firstRotated = dir.files.findIndex((x) => x.rotated);
  assert.ok(dir.files.slice(firstRotated).every((x) => x.rotated), 'live files come first');
  const rotatedTimes = dir.files.slice(firstRotated).map((x) => x.mtime);
  assert.equal(rotatedTimes, [...rotatedTimes].sort().reverse(), 'rotated files newest first');
  // The gateway's own log is always a source.
  const self = byId(sources, 'self');
  assert.equal(self.files.map((x) => [path.basename(x.path), x.rotated, x.compressed]), [
    ['ops-center.log', false, false],
    ['ops-center__2026-11-01_00-00-00.log.gz', true, true],
  ]);
});

test('a ** glob reaches nested directories; a glob matching nothing is an empty source', async () => {
  const deep = path.join(root, 'deep/**/*.log');
  const none = path.join(root, 'nowhere/*.log');
  const { sources } = await sourcesWith(downPm2, [deep, none]).list();
  assert.equal(byId(sources, `dir:${deep}`).files.map((f) => path.relative(root, f.path)).sort(), ['deep/a/worker.log', 'deep/b/c/worker.log']);
  assert.equal(byId(sources, `dir:${none}`).files, []);
});

test('resolve gives the source, the file and its real path; a symlink inside the source resolves to its target', async () => {
  const ls = sourcesWith(downPm2, [path.join(root, 'app/*.log')]);
  const live = await ls.resolve(path.join(root, 'app/api.log'));
  assert.ok(live);
  assert.is(live!.source.id, `dir:${path.join(root, 'app/*.log')}`);
  assert.is(live!.realPath, path.join(root, 'app/api.log'));
  assert.is(live!.file.rotated, false);
  const gz = await ls.resolve(path.join(root, 'app/api.log.2.gz'));
  assert.is(gz?.file.compressed, true);
  const inside = await ls.resolve(path.join(root, 'app/current.log'));
  assert.is(inside?.realPath, path.join(root, 'app/api-extra.log'));
  const self = await ls.resolve(path.join(root, 'self/ops-center.log'));
  assert.is(self?.source.id, 'self');
});

test('resolve refuses symlinks leaving the source, files of no source and missing files', async () => {
  const ls = sourcesWith(downPm2, [path.join(root, 'app/*.log')]);
  assert.is(await ls.resolve(path.join(root, 'app/escape.log')), null);
  assert.is(await ls.resolve(path.join(root, 'app/api.log.3')), null);
  assert.is(await ls.resolve(path.join(root, 'outside/secret.log')), null);
  assert.is(await ls.resolve(path.join(root, 'app/api.txt')), null);
  assert.is(await ls.resolve(path.join(root, 'app/missing.log')), null);
  assert.is(await ls.resolve('/etc/passwd'), null);
});

test('a listed file that becomes a symlink leaving the source is refused at resolve time', async () => {
  const file = put(path.join(root, 'swap/s.log'), 'x\n');
  const ls = sourcesWith(downPm2, [path.join(root, 'swap/*.log')]);
  assert.ok(await ls.resolve(file), 'listed while a plain file');
  fs.rmSync(file);
  fs.symlinkSync(path.join(root, 'outside/secret.log'), file);
  assert.is(await ls.resolve(file), null, 'the cached list still names it, but its real path now leaves the source');
});

test('relative paths and `..` are refused with 400 invalid_path, by resolve and by checkLogPath', async () => {
  const ls = sourcesWith(downPm2, [path.join(root, 'app/*.log')]);
  for (const bad of ['app/api.log', './api.log', '../etc/passwd', path.join(root, 'app') + '/../outside/secret.log', `${root}/app/../app/api.log`, '']) {
    const err = await ls.resolve(bad).then(() => null, (e: unknown) => e);
    assert.instance(err, ApiError, `resolve(${JSON.stringify(bad)}) throws`);
    assert.is((err as ApiError).status, 400);
    assert.is((err as ApiError).code, 'invalid_path', `code for ${JSON.stringify(bad)}`);
    assert.throws(() => checkLogPath(bad), (e: unknown) => e instanceof ApiError && e.code === 'invalid_path');
  }
  assert.throws(() => checkLogPath(42), (e: unknown) => e instanceof ApiError && e.code === 'invalid_path');
  assert.is(checkLogPath('/var//log/x.log'), '/var/log/x.log');
  assert.is(checkLogPath('/var/log/x..log'), '/var/log/x..log', 'two dots inside a name are not a parent segment');
});

test('list is cached for a few seconds and invalidate drops the cache', async () => {
  let now = Date.parse('2026-11-25T10:00:00Z');
  const ls = createLogSources({ pm2: downPm2, logDirs: [path.join(root, 'cache/*.log')], selfLogDir: path.join(root, 'self'), clock: { now: () => now } });
  const first = await ls.list();
  assert.is(first.observedAt, '2026-11-25T10:00:00.000Z');
  assert.equal(byId(first.sources, `dir:${path.join(root, 'cache/*.log')}`).files, []);
  put(path.join(root, 'cache/new.log'));
  now += 1_000;
  assert.equal(byId((await ls.list()).sources, `dir:${path.join(root, 'cache/*.log')}`).files, [], 'still cached');
  now += 5_000;
  assert.is(byId((await ls.list()).sources, `dir:${path.join(root, 'cache/*.log')}`).files.length, 1, 'looked again');
  put(path.join(root, 'cache/other.log'));
  ls.invalidate();
  assert.is(byId((await ls.list()).sources, `dir:${path.join(root, 'cache/*.log')}`).files.length, 2, 'invalidated');
});

test('a real PM2 daemon: each process gives an out and an err source with its files', async () => {
  sandbox = await startPm2Sandbox({ appName: 'log-app' });
  sandboxPm2 = createPm2Source({ pm2Home: sandbox.home, timeoutMs: 3_000 });
  const outPath = path.join(sandbox.home, 'logs', 'log-app-out.log');
  // The app writes its first line once up.
  const deadline = Date.now() + 10_000;
  while (!(fs.existsSync(outPath) && fs.readFileSync(outPath, 'utf8').includes('sandbox app up'))) {
    if (Date.now() > deadline) throw new Error(`${outPath} never got the app's first line`);
    await new Promise((r) => setTimeout(r, 50));
  }
  put(`${outPath}.1`, 'older\n', 1);
  const ls = sourcesWith(sandboxPm2, [path.join(root, 'app/api.log')]);
  const { sources, pm2 } = await ls.list();
  assert.is(pm2, undefined, 'PM2 is up');
  const out = byId(sources, 'pm2:log-app:out');
  const err = byId(sources, 'pm2:log-app:err');
  assert.equal([out.kind, out.process, out.stream], ['pm2', 'log-app', 'out']);
  assert.equal([err.kind, err.process, err.stream], ['pm2', 'log-app', 'err']);
  assert.equal(out.files.map((f) => [f.path, f.rotated]), [[outPath, false], [`${outPath}.1`, true]]);
  assert.is(err.files[0]!.path, path.join(sandbox.home, 'logs', 'log-app-error.log'));
  assert.ok(out.files[0]!.size > 0);
  assert.ok(byId(sources, `dir:${path.join(root, 'app/api.log')}`));
  assert.ok(byId(sources, 'self'));
  const resolved = await ls.resolve(outPath);
  assert.is(resolved?.source.id, 'pm2:log-app:out');
});

test('PM2 down: the PM2 sources are missing, pm2.state is down, the other sources are still listed', async () => {
  await sandbox!.killDaemon();
  const ls = sourcesWith(sandboxPm2!, [path.join(root, 'app/*.log')]);
  const { sources, pm2 } = await ls.list();
  assert.is(pm2?.state, 'down');
  assert.match(pm2!.detail, /PM2 is not reachable/);
  assert.not.ok(sources.some((s) => s.kind === 'pm2'));
  assert.ok(byId(sources, `dir:${path.join(root, 'app/*.log')}`).files.length > 0);
  assert.ok(byId(sources, 'self'));
});

test('GET /api/logs/sources lists the sources for a viewer; anonymous is 401', async () => {
  let t: AdminGateway | null = null;
  try {
    const pattern = path.join(root, 'app/*.log');
    t = await startAdminGateway({ LOG_DIRS: ` ${pattern} , ${path.join(root, 'deep/**/*.log')}` }, { clock: new ManualClock() });
    const viewer = await signedInAs(t.base, t.admin, 'viewer', 'viewer-one');
    const r = await viewer.get('/api/logs/sources');
    assert.is(r.status, 200, r.text);
    assert.is(r.body.observedAt, '2026-11-25T10:00:00.000Z');
    assert.is(r.body.pm2.state, 'down');
    assert.equal(r.body.sources.map((s: LogSource) => s.id), [`dir:${pattern}`, `dir:${path.join(root, 'deep/**/*.log')}`, 'self']);
    const api = r.body.sources[0].files.find((f: { path: string }) => f.path === path.join(root, 'app/api.log'));
    assert.equal(Object.keys(api).sort(), ['compressed', 'mtime', 'path', 'rotated', 'size']);
    assert.is((await new TestClient(t.base).get('/api/logs/sources')).status, 401);
  } finally {
    await t?.close();
  }
});

test('LOG_DIRS must be absolute globs; the log settings are validated like the others', async () => {
  const { loadConfig, ConfigError } = await import('../../gateway/config.js');
  const base = { DATA_DIR: root };
  const c = loadConfig(base, root);
  assert.equal([c.logDirs, c.logSelfMaxBytes, c.logSelfKeep, c.logRetentionDays], [[], 20 * 1024 * 1024, 10, 30]);
  assert.equal(loadConfig({ ...base, LOG_DIRS: '/a/*.log,, /b/**/*.log ' }, root).logDirs, ['/a/*.log', '/b/**/*.log']);
  const problems = (env: Record<string, string>): string => {
    try {
      loadConfig({ ...base, ...env }, root);
      return '';
    } catch (err) {
      assert.instance(err, ConfigError);
      return (err as Error).message;
    }
  };
  assert.match(problems({ LOG_DIRS: 'logs/*.log' }), /LOG_DIRS: LOG_DIRS must be a comma-separated list of absolute globs/);
  assert.match(problems({ LOG_DIRS: '/a/../b/*.log' }), /LOG_DIRS: LOG_DIRS globs must not contain "\.\."/);
  assert.match(problems({ LOG_SELF_MAX_MB: '0' }), /LOG_SELF_MAX_MB/);
  assert.match(problems({ LOG_SELF_KEEP: '2.5' }), /LOG_SELF_KEEP/);
  assert.match(problems({ LOG_RETENTION_DAYS: 'soon' }), /LOG_RETENTION_DAYS/);
});

test.run();
