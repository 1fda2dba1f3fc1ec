// A database write that fails is 503 in the error shape, never 500, and changes nothing: on a real full disk (a
// small tmpfs as DATA_DIR, filled up; mounting needs root) and on a write the filesystem refuses otherwise.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signedInAdmin, startTestGateway, type Reply, type TestClient, type TestGateway } from '../support/test-gateway.js';

const isRoot = process.getuid?.() === 0;
const mounts: string[] = [];
const gateways: TestGateway[] = [];

test.after(async () => {
  for (const t of gateways) await t.close().catch(() => undefined);
  for (const dir of mounts) {
    try {
      execFileSync('umount', [dir]);
    } catch {
      // never mounted (the mount itself failed)
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function assertError(res: Reply, status: number, code: string): void {
  assert.is(res.status, status, res.text);
  assert.equal(Object.keys(res.body as object), ['error'], 'error shape');
  assert.is(res.body.error.code, code);
  assert.type(res.body.error.message, 'string');
}

/** Writes to `dir` until the filesystem says ENOSPC; returns the filler files. */
function fillUp(dir: string): string[] {
  const files: string[] = [];
  for (const chunk of [64 * 1024, 4096, 1]) {
    const file = path.join(dir, `filler-${chunk}`);
    files.push(file);
    const fd = fs.openSync(file, 'w');
    try {
      const buf = Buffer.alloc(chunk, 0x2e);
      for (;;) fs.writeSync(fd, buf);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    } finally {
      fs.closeSync(fd);
    }
  }
  return files;
}

async function usersOf(admin: TestClient): Promise<unknown> {
  return (await admin.get('/api/users')).body;
}

(isRoot ? test : test.skip)('creating a user on a full disk is 503 storage_full; db.json and the user list are unchanged; it works once there is space (needs root to mount a small tmpfs)', async () => {
  const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-full-disk-'));
  mounts.push(mountPoint);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', mountPoint]);
  const t = await startTestGateway({ DATA_DIR: mountPoint });
  gateways.push(t);
  const admin = await signedInAdmin(t.base);
  const dbFile = path.join(mountPoint, 'db.json');
  const before = fs.readFileSync(dbFile);
  const listed = await usersOf(admin);

  const fillers = fillUp(mountPoint);
  const res = await admin.post('/api/users', { username: 'newcomer', password: 'newcomer-password-1', role: 'viewer' });
  assertError(res, 503, 'storage_full');
  assert.match(res.body.error.message, /disk is full/);
  assert.ok(fs.readFileSync(dbFile).equals(before), 'db.json byte for byte unchanged');
  assert.not.ok(fs.existsSync(path.join(mountPoint, '.db.json.tmp')), 'no half-written temp file left');
  assert.equal(await usersOf(admin), listed, 'GET /api/users unchanged');

  for (const f of fillers) fs.rmSync(f);
  const retry = await admin.post('/api/users', { username: 'newcomer', password: 'newcomer-password-1', role: 'viewer' });
  assert.is(retry.status, 201, retry.text);
});

test('a database write the filesystem refuses for another reason is 503 store_unavailable and changes nothing', async () => {
  const t = await startTestGateway();
  gateways.push(t);
  const admin = await signedInAdmin(t.base);
  const dbFile = path.join(t.dataDir, 'db.json');
  const before = fs.readFileSync(dbFile);
  const listed = await usersOf(admin);
  // A directory in place of the commit's temp file: the write fails with EISDIR.
  const squatter = path.join(t.dataDir, '.db.json.tmp');
  fs.mkdirSync(squatter);
  const res = await admin.post('/api/users', { username: 'newcomer', password: 'newcomer-password-1', role: 'viewer' });
  assertError(res, 503, 'store_unavailable');
  assert.not.match(res.text, /EISDIR|db\.json|\//, 'no path or errno in the answer');
  assert.ok(fs.readFileSync(dbFile).equals(before), 'db.json byte for byte unchanged');
  assert.equal(await usersOf(admin), listed, 'GET /api/users unchanged');
  fs.rmdirSync(squatter);
  assert.is((await admin.post('/api/users', { username: 'newcomer', password: 'newcomer-password-1', role: 'viewer' })).status, 201);
});

test.run();
