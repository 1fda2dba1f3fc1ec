// Behaviour of the event journal: group commit, day segments, torn-tail recovery, paging, retention.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Journal, readJournal } from '../../gateway/store/journal.js';
import type { JournalEntry, JournalQuery } from '../../gateway/store/journal.js';
import journalRead from '../../workers/journal-read.js';
import { gateFsync, untilHeld } from '../support/fsync-gate.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-journal-test-'));
let counter = 0;
const tempDir = (): string => fs.mkdtempSync(path.join(tmpRoot, `j${++counter}-`));

const T0 = Date.parse('2024-03-01T10:00:00.000Z');
const DAY = 86_400_000;
function fakeClock(start = T0): { t: number; now(): number } {
  return { t: start, now() { return this.t; } };
}

const lines = (file: string): string[] => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
const segmentFiles = (dir: string, stream: string): string[] =>
  fs.readdirSync(path.join(dir, stream)).filter((n) => n.endsWith('.jsonl')).sort();

/** Follows nextCursor to the end and returns every page's items in order. */
async function readAll(dir: string, query: Omit<JournalQuery, 'cursor'>): Promise<{ items: JournalEntry[]; pages: number }> {
  const items: JournalEntry[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await readJournal(dir, { ...query, cursor });
    assert.ok(page.items.length <= query.limit);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  return { items, pages };
}

test('append then read returns the record with its ts first', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock() });
  const entry = await journal.append('audit', { action: 'login', user: 'ana' });
  assert.equal(entry, { ts: '2024-03-01T10:00:00.000Z', action: 'login', user: 'ana' });
  const stored = lines(path.join(dir, 'audit', '2024-03-01.jsonl'));
  assert.equal(stored, ['{"ts":"2024-03-01T10:00:00.000Z","action":"login","user":"ana"}']);
  const page = await readJournal(dir, { stream: 'audit', limit: 10, order: 'asc' });
  assert.equal(page.items, [entry]);
  assert.is(page.nextCursor, null);
  await journal.close();
});

test('a valid ISO ts in the record is kept (normalised to UTC); an invalid one is replaced by the clock', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock() });
  const given = await journal.append('events', { ts: '2024-02-28T23:30:00+02:00', n: 1 });
  assert.is(given.ts, '2024-02-28T21:30:00.000Z');
  for (const bad of ['yesterday', 12345, '2024-02-28', '2024-02-28T10:00:00', '2024-13-45T10:00:00Z']) {
    const replaced = await journal.append('events', { ts: bad, n: 2 });
    assert.is(replaced.ts, '2024-03-01T10:00:00.000Z', `ts ${JSON.stringify(bad)}`);
  }
  assert.equal(segmentFiles(dir, 'events'), ['2024-02-28.jsonl', '2024-03-01.jsonl']);
  await journal.close();
});

test('an append resolves only after its line is in the file', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock() });
  const file = path.join(dir, 'runs', '2024-03-01.jsonl');
  const pending = journal.append('runs', { id: 'r1' });
  assert.not.ok(fs.existsSync(file), 'nothing is written synchronously');
  await pending;
  assert.equal(lines(file).map((l) => JSON.parse(l).id), ['r1']);
  await journal.close();
});

test('a burst of 100 appends shares one write and one fsync', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock() });
  await journal.append('runs', { warm: true }); // opens the segment
  const probe = await fs.promises.open(path.join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { datasync(): Promise<void>; write: (...a: unknown[]) => unknown };
  await probe.close();
  const { datasync, write } = proto;
  let syncs = 0;
  let writes = 0;
  proto.datasync = function (this: unknown) {
    syncs++;
    return datasync.call(this);
  };
  proto.write = function (this: unknown, ...args: unknown[]) {
    writes++;
    return write.apply(this, args);
  };
  try {
    await Promise.all(Array.from({ length: 100 }, (_, i) => journal.append('runs', { i })));
  } finally {
    proto.datasync = datasync;
    proto.write = write;
  }
  assert.is(syncs, 1);
  assert.is(writes, 1);
  assert.is(lines(path.join(dir, 'runs', '2024-03-01.jsonl')).length, 101);
  await journal.close();
});

const settled = (p: Promise<unknown>): Promise<boolean> =>
  Promise.race([p.then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), 30))]);

test('a staged append is written (in the file) before it is durable, and the next batch is written during the fsync', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock() });
  await journal.append('runs', { warm: true });
  const gate = await gateFsync(dir);
  try {
    const first = journal.appendStaged('runs', [{ n: 1 }]);
    await first.written;
    assert.is(lines(path.join(dir, 'runs', '2024-03-01.jsonl')).length, 2, 'the line is in the file once written');
    assert.is(await settled(first.durable), false, 'not durable while its fsync is held');
    const second = journal.appendStaged('runs', [{ n: 2 }]);
    await second.written; // not queued behind the first batch's fsync
    assert.is(lines(path.join(dir, 'runs', '2024-03-01.jsonl')).length, 3);
    assert.is(gate.pending(), 1, 'only the first fsync has started');
    gate.release();
    await first.durable;
    assert.is(await settled(second.durable), false, 'the second batch needs an fsync that started after its write');
    await untilHeld(gate);
    gate.release();
    await second.durable;
  } finally {
    gate.release();
    gate.restore();
  }
  await journal.close();
});

test('a failed fsync rejects only the batches it covered; later appends reopen the segment and succeed', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock() });
  await journal.append('runs', { warm: true });
  const gate = await gateFsync(dir);
  let staged;
  try {
    staged = journal.appendStaged('runs', [{ n: 1 }]);
    await staged.written;
    await untilHeld(gate);
    gate.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    try {
      await staged.durable;
      assert.unreachable('durable should reject');
    } catch (err) {
      assert.match((err as Error).message, /EIO/);
    }
  } finally {
    gate.restore();
  }
  await journal.append('runs', { n: 2 });
  const stored = lines(path.join(dir, 'runs', '2024-03-01.jsonl')).map((l) => JSON.parse(l) as { n?: number });
  assert.equal(stored.map((e) => e.n), [undefined, 1, 2]);
  await journal.close();
});

test('a batch written through a segment while its fsync fails is not confirmed by a later fsync of the same handle', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock() });
  await journal.append('runs', { warm: true });
  const gate = await gateFsync(dir);
  const outcome = (p: Promise<void>) => p.then(() => 'durable', (err: Error) => `rejected: ${err.message}`);
  let first: Promise<string>;
  let second: Promise<string>;
  try {
    const a = journal.appendStaged('runs', [{ n: 1 }]);
    first = outcome(a.durable);
    await a.written;
    await untilHeld(gate);
    const b = journal.appendStaged('runs', [{ n: 2 }]); // written while the fsync covering n=1 is running
    second = outcome(b.durable);
    await b.written;
    gate.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    assert.match(await first, /rejected: EIO/);
    assert.match(await second, /rejected: .*failed fsync/, 'n=2 went through the same handle: not confirmed');
  } finally {
    gate.release();
    gate.restore();
  }
  await journal.append('runs', { n: 3 }); // a fresh handle: confirmed again
  assert.equal(lines(path.join(dir, 'runs', '2024-03-01.jsonl')).map((l) => (JSON.parse(l) as { n?: number }).n), [undefined, 1, 2, 3]);
  await journal.close();
});

test('a new segment is written without waiting for its directory fsync, and is durable only after it', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock() });
  const gate = await gateFsync(dir, 'sync');
  try {
    const staged = journal.appendStaged('fresh', [{ n: 1 }]);
    await staged.written;
    assert.is(lines(path.join(dir, 'fresh', '2024-03-01.jsonl')).length, 1);
    await untilHeld(gate); // the directory's fsync, started after the segment's own
    assert.is(await settled(staged.durable), false, 'not durable before the new name is');
    gate.release();
    await staged.durable;
    // The same segment again: durable without another directory fsync.
    let durable = false;
    const later = journal.appendStaged('fresh', [{ n: 2 }]);
    void later.durable.then(() => (durable = true));
    for (let waited = 0; !durable && gate.pending() === 0 && waited < 5000; waited += 5) await new Promise((r) => setTimeout(r, 5));
    assert.is(gate.pending(), 0, 'no directory fsync for an existing segment');
    assert.ok(durable);
  } finally {
    gate.release();
    gate.restore();
  }
  await journal.close();
});

test('flush and close wait for an fsync still running behind the writes', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock() });
  await journal.append('runs', { warm: true });
  const gate = await gateFsync(dir);
  try {
    const staged = journal.appendStaged('runs', [{ n: 1 }]);
    await staged.written;
    const flushed = journal.flush();
    assert.is(await settled(flushed), false, 'flush waits for the fsync');
    gate.release();
    await flushed;
    const again = journal.appendStaged('runs', [{ n: 2 }]);
    await again.written;
    const closed = journal.close();
    assert.is(await settled(closed), false, 'close waits for the fsync');
    gate.release();
    await closed;
    await again.durable;
  } finally {
    gate.release();
    gate.restore();
  }
});

test('appendMany validates every record before writing any', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock() });
  try {
    await journal.appendMany('runs', [{ ok: 1 }, [] as unknown as Record<string, unknown>]);
    assert.unreachable('should reject');
  } catch (err) {
    assert.instance(err, TypeError);
  }
  const entries = await journal.appendMany('runs', [{ a: 1 }, { a: 2 }]);
  assert.equal(entries.map((e) => e.a), [1, 2]);
  assert.equal(lines(path.join(dir, 'runs', '2024-03-01.jsonl')).map((l) => JSON.parse(l).a), [1, 2]);
  await journal.close();
});

test('bad stream names are refused with a TypeError', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir);
  for (const bad of ['', 'Audit', '1runs', '../etc', 'a/b', 'a'.repeat(41), 'with space']) {
    try {
      await journal.append(bad, { x: 1 });
      assert.unreachable(`stream ${JSON.stringify(bad)} should be refused`);
    } catch (err) {
      assert.instance(err, TypeError);
    }
    try {
      await readJournal(dir, { stream: bad, limit: 1, order: 'asc' });
      assert.unreachable(`reading stream ${JSON.stringify(bad)} should be refused`);
    } catch (err) {
      assert.instance(err, TypeError);
    }
  }
  await journal.append('a'.repeat(40), { ok: true });
  await journal.close();
});

test('a torn last line is truncated at open, kept as a copy, reported, and the intact records stay readable', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'runs'));
  const file = path.join(dir, 'runs', '2024-03-01.jsonl');
  const good = '{"ts":"2024-03-01T09:00:00.000Z","n":1}\n{"ts":"2024-03-01T09:00:01.000Z","n":2}\n';
  const torn = '{"ts":"2024-03-01T09:00:02.000Z","n":';
  fs.writeFileSync(file, good + torn);
  const journal = await Journal.open(dir, { clock: fakeClock() });
  assert.equal(journal.recovery, {
    segments: 1,
    tornLines: [{ file, offset: Buffer.byteLength(good), bytes: Buffer.byteLength(torn) }],
  });
  assert.is(fs.readFileSync(file, 'utf8'), good);
  assert.is(fs.readFileSync(`${file}.torn-1`, 'utf8'), torn);
  await journal.append('runs', { n: 3 });
  const page = await readJournal(dir, { stream: 'runs', limit: 10, order: 'asc' });
  assert.equal(page.items.map((e) => e.n), [1, 2, 3]);
  assert.is(page.skippedLines, 0);
  await journal.close();
});

test('an unparseable last line with its newline is also treated as torn', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'runs'));
  const file = path.join(dir, 'runs', '2024-03-01.jsonl');
  fs.writeFileSync(file, '{"ts":"2024-03-01T09:00:00.000Z","n":1}\n\u0000\u0000garbage\n');
  const journal = await Journal.open(dir);
  assert.is(journal.recovery.tornLines.length, 1);
  assert.is(fs.readFileSync(file, 'utf8'), '{"ts":"2024-03-01T09:00:00.000Z","n":1}\n');
  await journal.close();
  const again = await Journal.open(dir);
  assert.equal(again.recovery, { segments: 1, tornLines: [] }, 'a clean segment is left alone');
  await again.close();
});

test('a bad line in the middle is skipped and counted, never fatal', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'runs'));
  fs.writeFileSync(
    path.join(dir, 'runs', '2024-03-01.jsonl'),
    '{"ts":"2024-03-01T09:00:00.000Z","n":1}\nnot json\n[1,2]\n{"ts":"2024-03-01T09:00:01.000Z","n":2}\n',
  );
  const journal = await Journal.open(dir);
  assert.equal(journal.recovery.tornLines, []);
  for (const order of ['asc', 'desc'] as const) {
    const page = await readJournal(dir, { stream: 'runs', limit: 10, order });
    assert.equal(page.items.map((e) => e.n), order === 'asc' ? [1, 2] : [2, 1]);
    assert.is(page.skippedLines, 2);
  }
  await journal.close();
});

test('a trailing line still being written is not returned by a reader', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'runs'));
  fs.writeFileSync(path.join(dir, 'runs', '2024-03-01.jsonl'), '{"ts":"2024-03-01T09:00:00.000Z","n":1}\n{"ts":"2024-03-01T09:0');
  for (const order of ['asc', 'desc'] as const) {
    const page = await readJournal(dir, { stream: 'runs', limit: 10, order });
    assert.equal(page.items.map((e) => e.n), [1]);
  }
});

test('each UTC day gets its own segment, following the injected clock', async () => {
  const dir = tempDir();
  const clock = fakeClock(Date.parse('2024-03-01T23:59:59.999Z'));
  const journal = await Journal.open(dir, { clock });
  await journal.append('metrics', { n: 1 });
  clock.t += 1;
  await journal.append('metrics', { n: 2 });
  clock.t += DAY;
  await journal.append('metrics', { n: 3 });
  assert.equal(segmentFiles(dir, 'metrics'), ['2024-03-01.jsonl', '2024-03-02.jsonl', '2024-03-03.jsonl']);
  assert.equal(lines(path.join(dir, 'metrics', '2024-03-02.jsonl')).map((l) => JSON.parse(l).n), [2]);
  await journal.close();
});

test('a segment rolls over to <date>.<n>.jsonl past maxSegmentBytes, and reading crosses the roll-overs', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock(), maxSegmentBytes: 200 });
  await journal.appendMany('runs', Array.from({ length: 6 }, (_, n) => ({ n, pad: 'x'.repeat(30) })));
  for (let n = 6; n < 12; n++) await journal.append('runs', { n, pad: 'x'.repeat(30) });
  const files = segmentFiles(dir, 'runs');
  assert.ok(files.length >= 4, files.join(','));
  assert.ok(files.includes('2024-03-01.jsonl') && files.includes('2024-03-01.1.jsonl'), files.join(','));
  for (const f of files) assert.ok(fs.statSync(path.join(dir, 'runs', f)).size <= 200, `${f} over the limit`);
  const { items } = await readAll(dir, { stream: 'runs', limit: 5, order: 'asc' });
  assert.equal(items.map((e) => e.n), [...Array(12).keys()]);
  await journal.close();
  const baseLines = lines(path.join(dir, 'runs', '2024-03-01.jsonl')).length;
  // A reopened journal appends to the last roll-over, not to the day's first file.
  const reopened = await Journal.open(dir, { clock: fakeClock(), maxSegmentBytes: 200 });
  await reopened.append('runs', { n: 12 });
  await reopened.close();
  const rollIndex = (name: string): number => Number(name.split('.')[1]) || 0;
  const after = segmentFiles(dir, 'runs').sort((a, b) => rollIndex(a) - rollIndex(b));
  const last = after.at(-1)!;
  assert.ok(rollIndex(last) >= files.length - 1, last);
  assert.is(JSON.parse(lines(path.join(dir, 'runs', last)).at(-1)!).n, 12);
  assert.is(lines(path.join(dir, 'runs', '2024-03-01.jsonl')).length, baseLines);
  const { items: all } = await readAll(dir, { stream: 'runs', limit: 100, order: 'desc' });
  assert.equal(all.map((e) => e.n), [...Array(13).keys()].reverse());
});

test('reading by time range skips segments of other days without opening them', async () => {
  const dir = tempDir();
  const clock = fakeClock();
  const journal = await Journal.open(dir, { clock });
  for (let day = 0; day < 3; day++) {
    for (let h = 0; h < 3; h++) {
      clock.t = T0 + day * DAY + h * 3_600_000;
      await journal.append('alerts', { day, h });
    }
  }
  await journal.close();
  // A directory posing as another day's segment: opening it for reading would throw EISDIR.
  fs.mkdirSync(path.join(dir, 'alerts', '2024-03-05.jsonl'));
  fs.mkdirSync(path.join(dir, 'alerts', '2024-02-20.jsonl'));
  const query = { stream: 'alerts', from: '2024-03-02T10:00:00.000Z', to: '2024-03-03T11:00:00.000Z', limit: 50 };
  const asc = await readJournal(dir, { ...query, order: 'asc' });
  assert.equal(asc.items.map((e) => [e.day, e.h]), [[1, 0], [1, 1], [1, 2], [2, 0], [2, 1]]);
  const desc = await readJournal(dir, { ...query, order: 'desc' });
  assert.equal(desc.items.map((e) => [e.day, e.h]), [[2, 1], [2, 0], [1, 2], [1, 1], [1, 0]]);
});

test('paging with a small limit returns every item exactly once, in both orders', async () => {
  const dir = tempDir();
  const clock = fakeClock();
  const journal = await Journal.open(dir, { clock, maxSegmentBytes: 300 });
  for (let n = 0; n < 53; n++) {
    clock.t = T0 + Math.floor(n / 20) * DAY + n * 1000;
    await journal.append('webhook', { n, kind: n % 3 === 0 ? 'delivered' : 'failed' });
  }
  const expected = [...Array(53).keys()];
  for (const limit of [1, 7, 20, 53, 100]) {
    const asc = await readAll(dir, { stream: 'webhook', limit, order: 'asc' });
    assert.equal(asc.items.map((e) => e.n), expected, `asc limit ${limit}`);
    const desc = await readAll(dir, { stream: 'webhook', limit, order: 'desc' });
    assert.equal(desc.items.map((e) => e.n), [...expected].reverse(), `desc limit ${limit}`);
  }
  // New entries appended after a page was read show up on the next asc page.
  const first = await readJournal(dir, { stream: 'webhook', limit: 53, order: 'asc' });
  assert.ok(first.nextCursor);
  clock.t = T0 + 2 * DAY + 99_000;
  await journal.append('webhook', { n: 53 });
  const next = await readJournal(dir, { stream: 'webhook', limit: 10, order: 'asc', cursor: first.nextCursor! });
  assert.equal(next.items.map((e) => e.n), [53]);
  await journal.close();
});

test('match keeps only entries whose top-level fields are equal, across pages', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock() });
  await journal.appendMany(
    'runs',
    Array.from({ length: 30 }, (_, n) => ({ n, agent: n % 2 ? 'content-generator' : 'image-creator', ok: n % 3 === 0 })),
  );
  await journal.append('runs', { n: 99, note: 'agent content-generator mentioned only in text' });
  const match = { agent: 'content-generator', ok: true };
  const { items } = await readAll(dir, { stream: 'runs', limit: 2, order: 'desc', match });
  assert.equal(items.map((e) => e.n), [27, 21, 15, 9, 3]);
  const numeric = await readJournal(dir, { stream: 'runs', limit: 10, order: 'asc', match: { n: 1 } });
  assert.equal(numeric.items.map((e) => e.n), [1]);
  await journal.close();
});

test('a cursor is refused for the other order and when malformed', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock() });
  await journal.appendMany('runs', [{ n: 1 }, { n: 2 }, { n: 3 }]);
  const page = await readJournal(dir, { stream: 'runs', limit: 1, order: 'asc' });
  for (const [cursor, order] of [[page.nextCursor!, 'desc'], ['not-a-cursor', 'asc']] as const) {
    try {
      await readJournal(dir, { stream: 'runs', limit: 1, order, cursor });
      assert.unreachable('should reject');
    } catch (err) {
      assert.instance(err, RangeError);
    }
  }
  await journal.close();
});

test('segments larger than the read block page correctly in both orders (lines cross block edges)', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock() });
  const records = Array.from({ length: 12_000 }, (_, n) => ({ n, pad: 'p'.repeat(n % 397) }));
  records.splice(6000, 0, { n: -1, pad: 'L'.repeat(1_500_000) }); // one line longer than a block
  for (let i = 0; i < records.length; i += 1000) await journal.appendMany('big', records.slice(i, i + 1000));
  await journal.close();
  assert.ok(fs.statSync(path.join(dir, 'big', '2024-03-01.jsonl')).size > 3 * 1024 * 1024);
  const expected = records.map((r) => r.n);
  const asc = await readAll(dir, { stream: 'big', limit: 997, order: 'asc' });
  assert.equal(asc.items.map((e) => e.n), expected);
  const desc = await readAll(dir, { stream: 'big', limit: 997, order: 'desc' });
  assert.equal(desc.items.map((e) => e.n), [...expected].reverse());
  assert.is((desc.items.find((e) => e.n === -1)!.pad as string).length, 1_500_000);
});

test('retention by age drops old days but never the segment being written', async () => {
  const dir = tempDir();
  const clock = fakeClock();
  const journal = await Journal.open(dir, { clock, retentionDays: 3 });
  for (let day = 0; day < 6; day++) {
    clock.t = T0 + day * DAY;
    await journal.append('audit', { day });
    await journal.append('metrics', { day });
  }
  // "now" is day 5 (2024-03-06): days before 2024-03-03 are out of the window.
  const { removed } = await journal.applyRetention();
  assert.equal(removed.sort(), [
    path.join('audit', '2024-03-01.jsonl'),
    path.join('audit', '2024-03-02.jsonl'),
    path.join('metrics', '2024-03-01.jsonl'),
    path.join('metrics', '2024-03-02.jsonl'),
  ]);
  assert.equal(segmentFiles(dir, 'audit'), ['2024-03-03.jsonl', '2024-03-04.jsonl', '2024-03-05.jsonl', '2024-03-06.jsonl']);
  // Far in the future everything is expired, yet the active segment of each stream stays and still takes appends.
  const later = await journal.applyRetention(T0 + 400 * DAY);
  assert.is(later.removed.length, 6);
  assert.equal(segmentFiles(dir, 'audit'), ['2024-03-06.jsonl']);
  await journal.append('audit', { day: 5, again: true });
  assert.is(lines(path.join(dir, 'audit', '2024-03-06.jsonl')).length, 2);
  await journal.close();
});

test('retention by total size drops the oldest segments first but never the active one', async () => {
  const dir = tempDir();
  const clock = fakeClock();
  const journal = await Journal.open(dir, { clock, maxTotalBytes: 250 });
  for (let day = 0; day < 5; day++) {
    clock.t = T0 + day * DAY;
    await journal.append('runs', { day, pad: 'x'.repeat(60) }); // ~100 bytes a line
  }
  const { removed } = await journal.applyRetention();
  assert.equal(removed, [1, 2, 3].map((d) => path.join('runs', `2024-03-0${d}.jsonl`)));
  assert.equal(segmentFiles(dir, 'runs'), ['2024-03-04.jsonl', '2024-03-05.jsonl']);
  const tiny = await Journal.open(dir, { clock, maxTotalBytes: 1 });
  assert.equal((await tiny.applyRetention()).removed, [path.join('runs', '2024-03-04.jsonl')]);
  assert.equal(segmentFiles(dir, 'runs'), ['2024-03-05.jsonl']);
  await tiny.close();
  await journal.close();
});

test('over its size cap the journal removes other streams\' oldest segments first and never an audit segment younger than its minimum', async () => {
  const dir = tempDir();
  const clock = fakeClock();
  const journal = await Journal.open(dir, { clock, retentionDays: 30, maxTotalBytes: 300, minRetentionDays: { audit: 5 } });
  for (let day = 0; day < 10; day++) {
    clock.t = T0 + day * DAY;
    await journal.append('audit', { day, pad: 'x'.repeat(60) }); // ~100 bytes a line
    await journal.append('metrics', { day, pad: 'x'.repeat(60) });
  }
  const auditBefore = fs.readFileSync(path.join(dir, 'audit', '2024-03-05.jsonl'), 'utf8');
  // "now" is 2024-03-10: audit segments from 2024-03-05 on are inside their 5 days.
  const { removed } = await journal.applyRetention();
  assert.equal(removed, [
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => path.join('metrics', `2024-03-0${d}.jsonl`)),
    ...[1, 2, 3, 4].map((d) => path.join('audit', `2024-03-0${d}.jsonl`)),
  ]);
  assert.equal(segmentFiles(dir, 'metrics'), ['2024-03-10.jsonl']);
  assert.equal(segmentFiles(dir, 'audit'), ['2024-03-05.jsonl', '2024-03-06.jsonl', '2024-03-07.jsonl', '2024-03-08.jsonl', '2024-03-09.jsonl', '2024-03-10.jsonl']);
  // Still over the cap, and the shielded audit days stay as they were.
  const total = ['audit', 'metrics'].flatMap((st) => segmentFiles(dir, st).map((f) => fs.statSync(path.join(dir, st, f)).size)).reduce((a, b) => a + b, 0);
  assert.ok(total > 300, `${total} bytes`);
  assert.is(fs.readFileSync(path.join(dir, 'audit', '2024-03-05.jsonl'), 'utf8'), auditBefore);
  assert.equal((await journal.applyRetention()).removed, [], 'a second pass removes nothing more');
  // Age retention still applies: 31 days on, every audit day but the newest is past its window.
  const later = await journal.applyRetention(T0 + 40 * DAY);
  assert.equal(later.removed, [5, 6, 7, 8, 9].map((d) => path.join('audit', `2024-03-0${d}.jsonl`)));
  await journal.close();
});

test('an audit minimum longer than the journal\'s age window keeps audit days the window removes from other streams', async () => {
  const dir = tempDir();
  const clock = fakeClock();
  const journal = await Journal.open(dir, { clock, retentionDays: 3, minRetentionDays: { audit: 7 } });
  for (let day = 0; day < 10; day++) {
    clock.t = T0 + day * DAY;
    await journal.append('audit', { day });
    await journal.append('metrics', { day });
  }
  // "now" is 2024-03-10: metrics before 2024-03-07 go (3 days), audit only before 2024-03-03 (7 days).
  const { removed } = await journal.applyRetention();
  assert.equal(removed, [
    path.join('audit', '2024-03-01.jsonl'),
    path.join('metrics', '2024-03-01.jsonl'),
    path.join('audit', '2024-03-02.jsonl'),
    ...[2, 3, 4, 5, 6].map((d) => path.join('metrics', `2024-03-0${d}.jsonl`)),
  ].sort((a, b) => path.basename(a).localeCompare(path.basename(b)) || a.localeCompare(b)));
  assert.equal(segmentFiles(dir, 'audit')[0], '2024-03-03.jsonl');
  assert.equal(segmentFiles(dir, 'metrics')[0], '2024-03-07.jsonl');
  await journal.close();
});

test('close flushes pending appends, and appending after close is refused', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock(), flushIntervalMs: 1000 });
  const pending = Array.from({ length: 5 }, (_, n) => journal.append('runs', { n }));
  await journal.close();
  await Promise.all(pending);
  assert.is(lines(path.join(dir, 'runs', '2024-03-01.jsonl')).length, 5);
  try {
    await journal.append('runs', { late: true });
    assert.unreachable('should reject');
  } catch (err) {
    assert.match((err as Error).message, /closed/);
  }
});

test('flush waits for everything appended before it', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock() });
  void journal.append('runs', { n: 1 });
  void journal.append('runs', { n: 2 });
  await journal.flush();
  assert.is(lines(path.join(dir, 'runs', '2024-03-01.jsonl')).length, 2);
  await journal.close();
});

test('the journal-read worker task returns a plain page', async () => {
  const dir = tempDir();
  const journal = await Journal.open(dir, { clock: fakeClock() });
  await journal.appendMany('runs', [{ n: 1 }, { n: 2 }]);
  await journal.close();
  const page = await journalRead({ payload: { dir, query: { stream: 'runs', limit: 1, order: 'desc' } } });
  assert.equal(page.items, [{ ts: '2024-03-01T10:00:00.000Z', n: 2 }]);
  assert.type(page.nextCursor, 'string');
  assert.equal(structuredClone(page), page);
});

test.after(() => {
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

test.run();
