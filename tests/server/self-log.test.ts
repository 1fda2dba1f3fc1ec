// The gateway's own log: pino lines go to stdout and to DATA_DIR/logs/ops-center.log, which rotates by
// size into gzip-compressed files, keeping LOG_SELF_KEEP of them; the composed gateway writes it and
// lists it as the `self` log source.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { PassThrough } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { openSelfLog } from '../../gateway/self-log.js';
import { loadConfig } from '../../gateway/config.js';
import { composeGateway } from '../../gateway/compose.js';
import { rotatedSiblingMatcher, SELF_LOG_FILE } from '../../gateway/sources/rotated-files.js';
import { makeTempPm2Home } from '../support/pm2-sandbox.js';

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}

test.after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('writes every line to stdout and the file, rotates by size into .gz files and keeps LOG_SELF_KEEP', async () => {
  const dataDir = tempDir('oc-selflog-');
  const stdout = new PassThrough();
  let printed = '';
  stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const self = openSelfLog({ dataDir, logLevel: 'info', logSelfMaxBytes: 4096, logSelfKeep: 3 }, { stdout });
  let rotations = 0;
  self.stream.on('rotated', () => (rotations += 1));
  const padding = 'x'.repeat(80);
  for (let i = 0; i < 400; i++) {
    self.logger.info({ i, padding }, `line ${i}`);
    if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5)); // let rotations run between bursts
  }
  self.logger.debug('below the level: written nowhere');
  await self.close();

  const stdoutLines = printed.trim().split('\n').map((l) => JSON.parse(l) as { i: number; msg: string; app: string });
  assert.is(stdoutLines.length, 400);
  assert.is(stdoutLines[399]!.msg, 'line 399');
  assert.is(stdoutLines[0]!.app, 'ops-center');

  const names = fs.readdirSync(self.dir).sort();
  assert.ok(names.includes(SELF_LOG_FILE), `live file present (${names.join(', ')})`);
  assert.ok(rotations >= 5, `rotated several times (${rotations})`);
  const isRotated = rotatedSiblingMatcher(SELF_LOG_FILE);
  const rotated = names.filter(isRotated);
  assert.is(rotated.length, 3, `keeps LOG_SELF_KEEP rotated files (${names.join(', ')})`);
  for (const n of rotated) assert.match(n, /^ops-center__\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}(-\d+)?\.log\.gz$/);

  // The kept files plus the live one hold the newest lines, in order, with nothing lost between them.
  const byAge = rotated.map((n) => ({ n, m: fs.statSync(path.join(self.dir, n)).mtimeMs }));
  const lines: number[] = [];
  for (const { n } of byAge.sort((a, b) => a.m - b.m || a.n.localeCompare(b.n))) {
    const text = zlib.gunzipSync(fs.readFileSync(path.join(self.dir, n))).toString();
    for (const l of text.trim().split('\n')) lines.push((JSON.parse(l) as { i: number }).i);
  }
  const live = fs.readFileSync(self.file, 'utf8');
  for (const l of live.trim().split('\n').filter(Boolean)) lines.push((JSON.parse(l) as { i: number }).i);
  assert.ok(lines.length > 0 && lines.length < 400, 'older rotated files were removed');
  assert.is(lines.at(-1), 399);
  assert.equal(lines, Array.from({ length: lines.length }, (_, k) => 400 - lines.length + k), 'consecutive, newest kept');
  assert.ok(fs.statSync(self.file).size <= 4096 + 200, 'the live file stays near the size limit');
  assert.not.match(live + printed, /below the level/);
});

test('credentials in headers and fields named for a secret are redacted on stdout and in the file', async () => {
  const dataDir = tempDir('oc-selflog-redact-');
  const stdout = new PassThrough();
  let printed = '';
  stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const self = openSelfLog({ dataDir, logLevel: 'info', logSelfMaxBytes: 1024 * 1024, logSelfKeep: 3 }, { stdout });
  const err = Object.assign(new Error('request failed'), {
    headers: { authorization: 'Bearer SECRET-A', cookie: 'oc.sid=SECRET-B' },
    cause: { headers: { authorization: 'Bearer SECRET-C' } },
  });
  self.logger.warn({ err, where: 'webhook' }, 'call failed');
  self.logger.info({ req: { method: 'POST', headers: { authorization: 'Bearer SECRET-D', 'x-csrf-token': 'SECRET-E', 'set-cookie': 'SECRET-F' } } }, 'request');
  self.logger.info({ password: 'SECRET-G', body: { newPassword: 'SECRET-H', currentPassword: 'SECRET-I' } }, 'body');
  self.logger.info({ config: { port: 8080, sessionSecret: 'SECRET-J', adminPassword: 'SECRET-K', webhookToken: 'SECRET-L' } }, 'config');
  self.logger.info({ token: 'SECRET-M', link: { token: 'SECRET-N', state: 'up' } }, 'token');
  await self.close();
  const file = fs.readFileSync(self.file, 'utf8');
  for (const text of [printed, file]) {
    assert.not.match(text, /SECRET-/, text);
    assert.match(text, /\[redacted\]/);
    assert.match(text, /"port":8080/, 'the rest of the line is kept');
    assert.match(text, /"state":"up"/);
    assert.match(text, /request failed/);
  }
});

// A real full disk: a small tmpfs mounted for the test (root only), filled up, then given room again.
const canMount = process.getuid?.() === 0;
(canMount ? test : test.skip)('after ENOSPC on a full disk the self-log goes on to stdout, then reopens the file and logs again once there is room (real tmpfs; needs root to mount it)', async () => {
  const mountPoint = tempDir('oc-selflog-full-');
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mountPoint], { encoding: 'utf8' });
  assert.is(mounted.status, 0, `mount: ${mounted.stderr}`);
  try {
    const stdout = new PassThrough();
    let printed = '';
    stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const stderr = new PassThrough();
    let reported = '';
    stderr.on('data', (chunk: Buffer) => (reported += chunk.toString()));
    // Fill the tmpfs first: the log file then gets no byte (tmpfs hands out whole pages), so nothing is half-written.
    const filler = path.join(mountPoint, 'filler');
    const fd = fs.openSync(filler, 'w');
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(4096));
    } catch (err) {
      assert.is((err as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      fs.closeSync(fd);
    }
    const self = openSelfLog({ dataDir: mountPoint, logLevel: 'info', logSelfMaxBytes: 1024 * 1024, logSelfKeep: 2 }, { stdout, stderr, retryMs: 0 });
    const failed = once(self.events, 'failed');
    self.logger.info('while the disk is full');
    const [err] = (await failed) as [NodeJS.ErrnoException];
    assert.is(err.code, 'ENOSPC');
    // retryMs 0: the next line reopens the file at once, and fails again while the disk is still full.
    const failedAgain = once(self.events, 'failed');
    self.logger.info('still full');
    await failedAgain;
    assert.match(printed, /while the disk is full/);
    assert.match(printed, /still full/, 'stdout logging never stops');
    assert.is(reported.match(/ops-center\.log failed: ENOSPC/g)?.length, 1, `reported once: ${reported}`);

    fs.rmSync(filler);
    const resumed = once(self.events, 'resumed');
    self.logger.info('room again');
    await resumed;
    self.logger.info('and after that');
    await self.close();
    const lines = fs.readFileSync(self.file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg);
    assert.equal(lines, ['room again', 'and after that'], 'logging goes on in the file');
    assert.match(reported, /works again/);
  } finally {
    const un = spawnSync('umount', [mountPoint], { encoding: 'utf8' });
    assert.is(un.status, 0, `umount: ${un.stderr}`);
  }
});

test('the composed gateway (no logger passed) writes DATA_DIR/logs/ops-center.log and lists it as the self source', async () => {
  const dataDir = tempDir('oc-selfgw-');
  const pm2Home = await makeTempPm2Home('oc-pm2-empty-');
  dirs.push(pm2Home);
  const config = loadConfig(
    { DATA_DIR: dataDir, PM2_HOME: pm2Home, BCRYPT_COST: '4', DASHBOARD_ADMIN_PASSWORD: 'admin-password-1', LOG_LEVEL: 'error', METRICS_INTERVAL_SECONDS: '3600' },
    dataDir,
  );
  const gw = await composeGateway(config, { staticDir: null });
  try {
    gw.services.logger.error({ probe: 'self-log-test' }, 'self log probe');
    const { sources } = await gw.services.logSources.list();
    const self = sources.find((s) => s.id === 'self');
    assert.equal(self?.files.map((f) => [f.path, f.rotated, f.compressed]), [[path.join(dataDir, 'logs', SELF_LOG_FILE), false, false]]);
  } finally {
    await gw.close();
  }
  const text = fs.readFileSync(path.join(dataDir, 'logs', SELF_LOG_FILE), 'utf8');
  const probe = text.trim().split('\n').map((l) => JSON.parse(l) as { probe?: string; msg: string; app: string }).find((e) => e.probe === 'self-log-test');
  assert.is(probe?.msg, 'self log probe');
  assert.is(probe?.app, 'ops-center');
});

test.run();
