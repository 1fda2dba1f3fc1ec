// The session store and its file on their own: hashed ids, what is written when (sign-in and sign-out at
// once, activity at the flush), coalesced writes, a failed write, the flush timer stopped by close, the
// expiry sweep, maxSessions eviction and the rule for which saved sessions survive a restart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { ManualClock } from '../support/test-gateway.js';
import { waitFor } from '../support/wait-for.js';
import { PersistentSessions, survivesRestart, type PersistentSessionsOptions } from '../../gateway/auth/persistent-sessions.js';
import { sessionFileProblem } from '../../gateway/store/session-file.js';

const MINUTE = 60_000;
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-sessions-'));
let counter = 0;
const opened: PersistentSessions[] = [];

function tempFile(): string {
  const dir = path.join(tmpRoot, `case-${++counter}`);
  fs.mkdirSync(dir);
  return path.join(dir, 'sessions.json');
}

const sha = (key: string) => createHash('sha256').update(key).digest('hex');
const everyone: PersistentSessionsOptions['user'] = () => ({ disabled: false, updatedAt: '2020-01-01T00:00:00.000Z' });

async function openSessions(file: string, clock: ManualClock, extra: Partial<PersistentSessionsOptions> = {}) {
  const warnings: Array<{ msg: string }> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
  const sessions = await PersistentSessions.open({ file, clock, logger, idleMs: 10 * MINUTE, absoluteMs: 60 * MINUTE, user: everyone, ...extra });
  opened.push(sessions);
  return { sessions, store: sessions.store, warnings };
}

function saved(file: string) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

test.after(async () => {
  for (const s of opened) await s.close();
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

test('a sign-in is on disk when set resolves, under the SHA-256 of its key; a sign-out when destroy resolves', async () => {
  const file = tempFile();
  const clock = new ManualClock();
  const { store } = await openSessions(file, clock);
  await store.set('key-one', { username: 'admin', csrfToken: 'csrf-1' });
  const content = saved(file);
  assert.is(sessionFileProblem(content), null);
  assert.equal(content.sessions, [{ id: sha('key-one'), data: { username: 'admin', csrfToken: 'csrf-1' }, createdAt: clock.now(), lastSeenAt: clock.now() }]);
  assert.not.ok(fs.readFileSync(file, 'utf8').includes('key-one'));
  await store.destroy('key-one');
  assert.equal(saved(file).sessions, []);
  assert.is(await store.get('key-one'), undefined);
});

test('many sign-ins at once are written together and every one is on disk when its set resolves', async () => {
  const file = tempFile();
  const { store } = await openSessions(file, new ManualClock());
  await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      await store.set(`key-${i}`, { username: 'admin', csrfToken: `c${i}` });
      assert.ok(saved(file).sessions.some((s: { id: string }) => s.id === sha(`key-${i}`)), `key-${i} on disk`);
    }),
  );
  assert.is(saved(file).sessions.length, 20);
});

test('activity is written by the periodic flush, not by each request; close stops the flush', async () => {
  const file = tempFile();
  const clock = new ManualClock();
  const { sessions, store } = await openSessions(file, clock, { flushMs: 20 });
  await store.set('k', { username: 'admin' });
  const signedInAt = clock.now();
  clock.advance(MINUTE);
  assert.ok(await store.get('k'));
  assert.is(saved(file).sessions[0].lastSeenAt, signedInAt, 'not written by the request');
  sessions.start();
  await waitFor('the flush to write the activity', () => saved(file).sessions[0].lastSeenAt === clock.now());
  await sessions.close();
  clock.advance(MINUTE);
  assert.ok(await store.get('k'));
  const before = fs.readFileSync(file, 'utf8');
  await new Promise((r) => setTimeout(r, 100));
  assert.is(fs.readFileSync(file, 'utf8'), before, 'no flush after close');
});

test('the flush drops expired sessions from memory and from the file', async () => {
  const file = tempFile();
  const clock = new ManualClock();
  const { sessions, store } = await openSessions(file, clock, { flushMs: 20 });
  await store.set('old', { username: 'admin' });
  clock.advance(5 * MINUTE);
  await store.set('new', { username: 'admin' });
  clock.advance(6 * MINUTE);
  sessions.start();
  await waitFor('the expired session to leave the file', () => saved(file).sessions.length === 1);
  assert.is(saved(file).sessions[0].id, sha('new'));
  assert.is(store.size, 1);
});

test('a failed write is logged, the session still works in memory, and the next flush writes it', async () => {
  const dir = path.join(tmpRoot, `missing-${++counter}`);
  const file = path.join(dir, 'sessions.json');
  const { sessions, store, warnings } = await openSessions(file, new ManualClock(), { flushMs: 20 });
  await store.set('k', { username: 'admin' });
  assert.ok(warnings.some((w) => w.msg === 'could not save sessions'), JSON.stringify(warnings));
  assert.equal(await store.get('k'), { username: 'admin' });
  fs.mkdirSync(dir);
  sessions.start();
  await waitFor('the retry', () => fs.existsSync(file) && saved(file).sessions.length === 1);
});

/** Makes every write of `file` fail until the returned function is called: a directory in the temp file's place. */
function blockWrites(file: string): () => void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  fs.mkdirSync(temp);
  return () => fs.rmdirSync(temp);
}

test('a sign-out whose write fails is refused as done but holds in memory; the next write that succeeds makes it final', async () => {
  const file = tempFile();
  const clock = new ManualClock();
  const { sessions, store, warnings } = await openSessions(file, clock, { flushMs: 20 });
  await store.set('leaving', { username: 'ann' });
  await store.set('staying', { username: 'bob' });
  const unblock = blockWrites(file);
  await store.end('leaving').then(
    () => assert.unreachable('end should reject when its write fails'),
    (err: NodeJS.ErrnoException) => assert.is(err.code, 'EISDIR'),
  );
  assert.ok(warnings.some((w) => w.msg === 'could not save sessions'), JSON.stringify(warnings));
  assert.is(store.peek('leaving', false), undefined, 'ended in memory');
  assert.equal(saved(file).sessions.map((s: { id: string }) => s.id).sort(), [sha('leaving'), sha('staying')].sort(), 'not on disk yet');
  assert.is(store.destroyWhere(() => false), 0, 'destroyWhere neither throws nor rejects while writes fail');
  await sessions.close();
  assert.ok(saved(file).sessions.some((s: { id: string }) => s.id === sha('leaving')), 'close logs a failed write, it does not throw');
  unblock();
  const reopened = await openSessions(file, clock, { flushMs: 20 });
  assert.ok(reopened.store.peek('leaving', false), 'a restart before any later write brings it back: why end rejects');
  assert.ok(await reopened.store.get('staying'));
  const again = blockWrites(file);
  await reopened.store.destroy('leaving'); // the koa-session path (a sign-in replacing a session) does not reject
  assert.is(reopened.store.peek('leaving', false), undefined);
  again();
  reopened.sessions.start();
  await waitFor('the flush to write the sign-out', () => saved(file).sessions.length === 1);
  await reopened.sessions.close();
  const afterRestart = await openSessions(file, clock);
  assert.is(afterRestart.store.peek('leaving', false), undefined, 'the first write that succeeds makes it final');
  assert.ok(afterRestart.store.peek('staying', false));
});

test('saved sessions come back on open; a key known from a request is handed to destroyWhere, one never shown is not', async () => {
  const file = tempFile();
  const clock = new ManualClock();
  const first = await openSessions(file, clock);
  await first.store.set('a', { username: 'ann' });
  await first.store.set('b', { username: 'bob' });
  await first.sessions.close();
  const { store } = await openSessions(file, clock);
  assert.is(store.size, 2);
  assert.equal(store.peek('a', false), { username: 'ann' });
  const seen: Array<string | undefined> = [];
  store.destroyWhere((_d, key) => (seen.push(key), false));
  assert.equal(seen.sort(), ['a', undefined]);
  assert.is(store.destroyWhere((d) => d.username === 'bob'), 1);
  assert.is(store.peek('b', false), undefined);
});

test('destroyWhere writes the file even when it ends nothing (its savedAt must pass the user change)', async () => {
  const file = tempFile();
  const clock = new ManualClock();
  const { sessions, store } = await openSessions(file, clock);
  await store.set('a', { username: 'ann' });
  clock.advance(1000);
  assert.is(store.destroyWhere(() => false), 0);
  await sessions.close();
  assert.is(saved(file).savedAt, clock.now());
});

test('past maxSessions the least recently used session is evicted, and a restore takes no more than maxSessions', async () => {
  const file = tempFile();
  const clock = new ManualClock();
  const { sessions, store } = await openSessions(file, clock, { maxSessions: 2 });
  await store.set('a', { username: 'ann' });
  clock.advance(1000);
  await store.set('b', { username: 'bob' });
  clock.advance(1000);
  store.peek('a', true);
  await store.set('c', { username: 'cy' });
  assert.ok(store.peek('a', false) && store.peek('c', false));
  assert.is(store.peek('b', false), undefined);
  await sessions.close();
  const content = saved(file);
  fs.writeFileSync(file, JSON.stringify({ ...content, sessions: [...content.sessions, { ...content.sessions[0], id: sha('d') }] }));
  const { store: reopened, warnings } = await openSessions(file, clock, { maxSessions: 2 });
  assert.is(reopened.size, 2);
  assert.equal(warnings, []);
});

test('survivesRestart: the user must exist, be enabled and be unchanged since the file was saved', () => {
  const savedAt = Date.parse('2026-11-25T10:00:00.000Z');
  const user = (u: { disabled: boolean; updatedAt: string } | undefined): PersistentSessionsOptions['user'] => () => u;
  assert.ok(survivesRestart({ username: 'a' }, savedAt, user({ disabled: false, updatedAt: '2026-11-25T10:00:00.000Z' })));
  assert.not.ok(survivesRestart({ username: 'a' }, savedAt, user({ disabled: false, updatedAt: '2026-11-25T10:00:00.001Z' })), 'changed after the save');
  assert.not.ok(survivesRestart({ username: 'a' }, savedAt, user({ disabled: true, updatedAt: '2026-11-25T09:00:00.000Z' })), 'disabled');
  assert.not.ok(survivesRestart({ username: 'a' }, savedAt, user(undefined)), 'deleted');
  assert.not.ok(survivesRestart({}, savedAt, user({ disabled: false, updatedAt: '2026-11-25T09:00:00.000Z' })), 'no username');
});

test('sessionFileProblem names what is wrong with a file', () => {
  const ok = { version: 1, savedAt: 1, sessions: [{ id: sha('k'), data: {}, createdAt: 1, lastSeenAt: 1 }] };
  assert.is(sessionFileProblem(ok), null);
  assert.match(sessionFileProblem([])!, /not a JSON object/);
  assert.match(sessionFileProblem({ ...ok, version: 2 })!, /unsupported version 2/);
  assert.match(sessionFileProblem({ ...ok, savedAt: 'x' })!, /savedAt/);
  assert.match(sessionFileProblem({ ...ok, sessions: {} })!, /"sessions" is not an array/);
  assert.match(sessionFileProblem({ ...ok, sessions: [{ ...ok.sessions[0], id: 'raw-key' }] })!, /session 0: "id"/);
  assert.match(sessionFileProblem({ ...ok, sessions: [{ ...ok.sessions[0], data: null }] })!, /session 0: "data"/);
  assert.match(sessionFileProblem({ ...ok, sessions: [{ ...ok.sessions[0], lastSeenAt: null }] })!, /lastSeenAt/);
  assert.match(sessionFileProblem({ ...ok, sessions: [7] })!, /session 0: not an object/);
});

test.run();
