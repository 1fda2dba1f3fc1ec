// Behaviour of the lowdb-backed state file: defaults, durable atomic commits, refusal to touch a bad file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DbOpenError, DbWriteError, openDb } from '../../gateway/store/db.js';
import type { UserRecord } from '../../gateway/store/db.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-db-test-'));
let counter = 0;
function tempFile(name = 'db.json'): string {
  const dir = path.join(tmpRoot, `case-${++counter}`);
  fs.mkdirSync(dir);
  return path.join(dir, name);
}

function user(username: string): UserRecord {
  const at = '2024-03-01T00:00:00.000Z';
  return { username, role: 'viewer', passwordHash: 'x', disabled: false, createdAt: at, updatedAt: at, passwordChangedAt: at };
}

async function expectOpenError(file: string): Promise<DbOpenError> {
  try {
    await openDb(file);
  } catch (err) {
    assert.instance(err, DbOpenError);
    return err as DbOpenError;
  }
  throw new Error(`openDb(${file}) should have thrown DbOpenError`);
}

test('a missing file is created with the defaults (and its directory)', async () => {
  const file = path.join(tmpRoot, 'fresh', 'nested', 'db.json');
  const db = await openDb(file);
  assert.equal(db.read(), { version: 1, users: [], tokens: [], settings: {} });
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')), { version: 1, users: [], tokens: [], settings: {} });
  assert.is(db.file, file);
});

test('the state file is readable by its owner only', async () => {
  const file = tempFile();
  await openDb(file);
  assert.is(fs.statSync(file).mode & 0o777, 0o600);
});

test('a temp file left behind with a wider mode does not widen the state file: it stays owner-only', async () => {
  const file = tempFile();
  const db = await openDb(file);
  const temp = path.join(path.dirname(file), '.db.json.tmp');
  fs.writeFileSync(temp, 'left by a crash');
  fs.chmodSync(temp, 0o644);
  await db.update((draft) => {
    draft.settings.theme = 'dark';
  });
  assert.is(JSON.parse(fs.readFileSync(file, 'utf8')).settings.theme, 'dark');
  assert.is(fs.statSync(file).mode & 0o777, 0o600);
});

test('an update is on disk and survives a reopen', async () => {
  const file = tempFile();
  const db = await openDb(file);
  const result = await db.update((draft) => {
    draft.users.push(user('ana'));
    draft.settings.theme = 'dark';
    return draft.users.length;
  });
  assert.is(result, 1);
  assert.is(db.read().users[0]!.username, 'ana');
  const reopened = await openDb(file);
  assert.is(reopened.read().users[0]!.username, 'ana');
  assert.is(reopened.read().settings.theme, 'dark');
  assert.not.ok(fs.existsSync(path.join(path.dirname(file), '.db.json.tmp')), 'no temp file left behind');
});

test('an fn that throws changes nothing in memory or on disk, and later updates still work', async () => {
  const file = tempFile();
  const db = await openDb(file);
  await db.update((d) => void d.users.push(user('ana')));
  const before = fs.readFileSync(file);
  const stateBefore = db.read();
  try {
    await db.update((d) => {
      d.users.push(user('eve'));
      d.settings.x = 1;
      throw new Error('boom');
    });
    assert.unreachable('update should reject');
  } catch (err) {
    assert.is((err as Error).message, 'boom');
  }
  assert.is(db.read(), stateBefore);
  assert.equal(db.read().users.map((u) => u.username), ['ana']);
  assert.ok(fs.readFileSync(file).equals(before));
  await db.update((d) => void d.users.push(user('bob')));
  assert.equal(db.read().users.map((u) => u.username), ['ana', 'bob']);
});

test('an async fn that rejects changes nothing', async () => {
  const file = tempFile();
  const db = await openDb(file);
  const before = fs.readFileSync(file);
  try {
    await db.update(async (d) => {
      d.settings.half = true;
      await Promise.resolve();
      throw new Error('later');
    });
    assert.unreachable('update should reject');
  } catch (err) {
    assert.is((err as Error).message, 'later');
  }
  assert.equal(db.read().settings, {});
  assert.ok(fs.readFileSync(file).equals(before));
});

test('a failed write rejects with DbWriteError (naming the file and the errno) and leaves memory and disk unchanged', async () => {
  const file = tempFile();
  const db = await openDb(file);
  const before = fs.readFileSync(file);
  // A directory squatting on the temp file's name makes the write fail.
  const squatter = path.join(path.dirname(file), '.db.json.tmp');
  fs.mkdirSync(squatter);
  try {
    await db.update((d) => void d.users.push(user('ana')));
    assert.unreachable('update should reject');
  } catch (err) {
    assert.instance(err, DbWriteError);
    assert.is((err as DbWriteError).code, 'EISDIR');
    assert.is((err as DbWriteError).diskFull, false);
    assert.ok((err as DbWriteError).message.includes(file), (err as Error).message);
  }
  assert.equal(db.read().users, []);
  assert.ok(fs.readFileSync(file).equals(before));
  fs.rmdirSync(squatter);
  await db.update((d) => void d.users.push(user('ana')));
  assert.is(db.read().users.length, 1);
});

test('an update that would break the state shape is refused', async () => {
  const file = tempFile();
  const db = await openDb(file);
  try {
    await db.update((d) => {
      (d as unknown as { users: unknown }).users = null;
    });
    assert.unreachable('update should reject');
  } catch (err) {
    assert.instance(err, TypeError);
  }
  assert.equal(db.read().users, []);
});

test('the committed state equals what a reopen reads back and keeps no reference to caller objects', async () => {
  const file = tempFile();
  const db = await openDb(file);
  const record: UserRecord & { note?: string } = { ...user('ana'), note: undefined };
  await db.update((d) => void d.users.push(record));
  record.role = 'admin';
  assert.is(db.read().users[0]!.role, 'viewer');
  assert.not.ok('note' in db.read().users[0]!);
  assert.equal(db.read(), (await openDb(file)).read());
});

test('the committed state is frozen so it cannot be changed outside update()', async () => {
  const db = await openDb(tempFile());
  assert.throws(() => (db.read().users as UserRecord[]).push(user('x')), TypeError);
  assert.throws(() => {
    (db.read().settings as Record<string, unknown>).x = 1;
  }, TypeError);
});

test('concurrent updates are serialised: no update is lost', async () => {
  const file = tempFile();
  const db = await openDb(file);
  await Promise.all(
    Array.from({ length: 40 }, () =>
      db.update((d) => {
        d.settings.counter = ((d.settings.counter as number | undefined) ?? 0) + 1;
      }),
    ),
  );
  assert.is(db.read().settings.counter, 40);
  assert.is((await openDb(file)).read().settings.counter, 40);
});

test('a corrupt file is refused with DbOpenError naming the file and the cause, and left untouched', async () => {
  const file = tempFile();
  const bytes = Buffer.from('{"version":1,"users":[{"username":"ana"');
  fs.writeFileSync(file, bytes);
  const err = await expectOpenError(file);
  assert.is(err.file, file);
  assert.ok(err.message.includes(file), err.message);
  assert.match(err.message, /invalid JSON/);
  assert.ok(fs.readFileSync(file).equals(bytes));
});

test('an empty file is refused, not replaced by defaults', async () => {
  const file = tempFile();
  fs.writeFileSync(file, '');
  await expectOpenError(file);
  assert.is(fs.readFileSync(file, 'utf8'), '');
});

test('a file of the wrong shape is refused and left untouched', async () => {
  const cases = [
    { version: 2, users: [], tokens: [], settings: {} },
    { version: 1, users: {}, tokens: [], settings: {} },
    { version: 1, users: [], settings: {} },
    { version: 1, users: [], tokens: [], settings: [] },
    { version: 1, users: [42], tokens: [], settings: {} },
    [],
  ];
  for (const shape of cases) {
    const file = tempFile();
    const text = JSON.stringify(shape);
    fs.writeFileSync(file, text);
    const err = await expectOpenError(file);
    assert.match(err.message, /unexpected shape/);
    assert.is(fs.readFileSync(file, 'utf8'), text);
  }
});

test('an unreadable path (a directory) is refused with DbOpenError', async () => {
  const file = tempFile();
  fs.mkdirSync(file);
  const err = await expectOpenError(file);
  assert.match(err.message, /EISDIR/);
  assert.ok(fs.statSync(file).isDirectory());
});

test.after(() => {
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

test.run();
