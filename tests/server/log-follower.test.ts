// The log follower on real files in a temp directory: appends, partial lines, multi-line entries, rotation by
// rename while tailing, copytruncate, files that appear later, and a start inside a line.
import { createHook } from 'node:async_hooks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LogFollower } from '../../gateway/domain/logs/log-follower.js';
import type { FollowedBatch, FollowStart, FollowedSources } from '../../gateway/domain/logs/log-follower.js';
import type { LogLine } from '../../gateway/domain/logs/log-format.js';

interface Harness {
  dir: string;
  files: string[];
  lines: LogLine[];
  batches: FollowedBatch[];
  starts: FollowStart[];
  follower: LogFollower;
  /** Resolves once `n` lines in all have been given out (fails after 5 s). */
  until(n: number): Promise<LogLine[]>;
  close(): Promise<void>;
}

async function follow(setup: (dir: string) => string[], opts: { relistMs?: number } = {}): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-follow-'));
  const files = setup(dir);
  const lines: LogLine[] = [];
  const batches: FollowedBatch[] = [];
  const starts: FollowStart[] = [];
  let wake: (() => void) | null = null;
  const sources: FollowedSources = {
    list: async () => ({
      sources: files.map((p) => ({ id: `dir:${path.basename(p)}`, files: [{ path: p, rotated: false, compressed: false }].filter((f) => fs.existsSync(f.path)) })),
    }),
  };
  const follower = new LogFollower({
    sources,
    clock: { now: () => Date.parse('2026-11-25T10:00:00Z') },
    pollMs: 40,
    quietMs: 80,
    relistMs: opts.relistMs ?? 60_000,
    onLines: (batch) => {
      batches.push(batch);
      lines.push(...batch.lines);
      wake?.();
    },
    onFileStart: (start) => starts.push(start),
    onError: (err, where) => console.error('follower error', where, err),
  });
  await follower.start();
  return {
    dir, files, lines, batches, starts, follower,
    async until(n) {
      const deadline = Date.now() + 5_000;
      while (lines.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} lines, got ${lines.length}: ${JSON.stringify(lines.map((l) => l.message))}`);
        await new Promise<void>((resolve) => {
          const recheck = setTimeout(resolve, 200); // re-check the deadline even when nothing arrives
          wake = () => {
            clearTimeout(recheck);
            resolve();
          };
        });
      }
      return lines.slice(0, n);
    },
    async close() {
      await follower.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const messages = (lines: LogLine[]) => lines.map((l) => l.message);

test('starts at the end of an existing file and gives out appended entries with their offsets', async () => {
  const h = await follow((dir) => {
    const p = path.join(dir, 'app.log');
    fs.writeFileSync(p, 'old line 1\nold line 2\n');
    return [p];
  });
  try {
    const p = h.files[0]!;
    const size = fs.statSync(p).size;
    assert.equal(h.starts, [{ source: 'dir:app.log', file: p, ident: h.starts[0]!.ident, offset: size }]);
    fs.appendFileSync(p, '2026-11-25T10:00:01.000Z ERROR first new\n2026-11-25T10:00:02.000Z INFO second new\n');
    const got = await h.until(2);
    assert.equal(messages(got), ['ERROR first new', 'INFO second new']);
    assert.is(got[0]!.offset, size);
    assert.is(got[0]!.length, Buffer.byteLength('2026-11-25T10:00:01.000Z ERROR first new'));
    assert.is(got[1]!.offset, size + got[0]!.length + 1);
    assert.is(got[0]!.level, 'error');
    assert.is(got[0]!.ts, '2026-11-25T10:00:01.000Z');
    assert.is(got[0]!.source, 'dir:app.log');
    assert.is(got[0]!.file, p);
  } finally {
    await h.close();
  }
});

test('a partial line is held back until its newline comes', async () => {
  const h = await follow((dir) => [path.join(dir, 'app.log')].map((p) => (fs.writeFileSync(p, ''), p)));
  try {
    const p = h.files[0]!;
    fs.appendFileSync(p, 'hello wor');
    await h.follower.poll();
    await new Promise((r) => setTimeout(r, 200)); // longer than the quiet time: still nothing, the line is unfinished
    await h.follower.poll();
    assert.is(h.lines.length, 0);
    fs.appendFileSync(p, 'ld\n');
    assert.equal(messages(await h.until(1)), ['hello world']);
    assert.is(h.lines[0]!.tsInferred, true, 'a line without a time of its own is dated when read');
  } finally {
    await h.close();
  }
});

test('continuation lines join the entry above; a pending entry is given out after a quiet time', async () => {
  const h = await follow((dir) => [path.join(dir, 'app.log')].map((p) => (fs.writeFileSync(p, ''), p)));
  try {
    const p = h.files[0]!;
    fs.appendFileSync(p, 'ERROR TypeError: boom\n    at a (/app/a.js:1:1)\n');
    fs.appendFileSync(p, '    at b (/app/b.js:2:2)\nCaused by: other\n');
    const [entry] = await h.until(1);
    assert.is(entry!.message, 'ERROR TypeError: boom\n    at a (/app/a.js:1:1)\n    at b (/app/b.js:2:2)\nCaused by: other');
    assert.is(entry!.offset, 0);
    assert.is(entry!.level, 'error');
    fs.appendFileSync(p, 'INFO next\n');
    assert.equal(messages(await h.until(2)).slice(1), ['INFO next']);
  } finally {
    await h.close();
  }
});

test('rotation by rename while tailing: the old file is read to its end, the new one from its start', async () => {
  const h = await follow((dir) => [path.join(dir, 'app.log')].map((p) => (fs.writeFileSync(p, 'before start\n'), p)));
  try {
    const p = h.files[0]!;
    fs.appendFileSync(p, 'one\n');
    await h.until(1);
    const fd = fs.openSync(p, 'a');
    fs.renameSync(p, `${p}.1`);
    fs.writeSync(fd, 'two (written to the old file after the rename)\n');
    fs.closeSync(fd);
    fs.writeFileSync(p, 'three\nfour\n');
    const got = await h.until(4);
    assert.equal(messages(got), ['one', 'two (written to the old file after the rename)', 'three', 'four']);
    assert.is(got[2]!.offset, 0);
    assert.is(got[3]!.offset, 6);
    assert.is.not(h.batches.at(-1)!.ident, h.batches[0]!.ident, 'the new file has another identity');
    assert.equal(h.starts.map((s) => s.offset), [13, 0]);
  } finally {
    await h.close();
  }
});

test('copytruncate: when the file shrinks it is read again from 0', async () => {
  const h = await follow((dir) => [path.join(dir, 'app.log')].map((p) => (fs.writeFileSync(p, 'x'.repeat(100) + '\n'), p)));
  try {
    const p = h.files[0]!;
    fs.appendFileSync(p, 'kept before the copy\n');
    await h.until(1);
    fs.copyFileSync(p, `${p}.1`);
    fs.truncateSync(p, 0);
    await h.follower.poll();
    fs.appendFileSync(p, 'after truncate\n');
    const got = await h.until(2);
    assert.is(got[1]!.message, 'after truncate');
    assert.is(got[1]!.offset, 0);
    assert.equal(h.starts.map((s) => s.offset), [101, 0]);
  } finally {
    await h.close();
  }
});

test('a file that appears after the start is followed from its first byte', async () => {
  const h = await follow((dir) => [path.join(dir, 'a.log'), path.join(dir, 'b.log')].map((p, i) => (i === 0 && fs.writeFileSync(p, 'a0\n'), p)), { relistMs: 0 });
  try {
    assert.equal(h.follower.followed().map((f) => path.basename(f.path)), ['a.log']);
    fs.writeFileSync(h.files[1]!, 'b first\nb second\n');
    const got = await h.until(2);
    assert.equal(messages(got), ['b first', 'b second']);
    assert.is(got[0]!.offset, 0);
    assert.is(got[0]!.source, 'dir:b.log');
    assert.equal(h.follower.followed().map((f) => path.basename(f.path)).sort(), ['a.log', 'b.log']);
  } finally {
    await h.close();
  }
});

test('started inside a line or a stack, the follower skips what belongs to the entry before', async () => {
  const h = await follow((dir) => [path.join(dir, 'app.log')].map((p) => (fs.writeFileSync(p, 'ERROR started before'), p)));
  try {
    const p = h.files[0]!;
    fs.appendFileSync(p, ' and finished after\n    at frame (x.js:1:1)\nINFO mine\n');
    assert.equal(messages(await h.until(1)), ['INFO mine']);
  } finally {
    await h.close();
  }
});

test('a long burst is read in bounded steps and nothing is lost', async () => {
  const h = await follow((dir) => [path.join(dir, 'app.log')].map((p) => (fs.writeFileSync(p, ''), p)));
  try {
    const p = h.files[0]!;
    const body = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${'y'.repeat(40)}`).join('\n') + '\n'; // ~2 MiB
    fs.appendFileSync(p, body);
    const got = await h.until(40_000);
    assert.is(got[39_999]!.message, `line 39999 ${'y'.repeat(40)}`);
    assert.ok(h.batches.length >= 2, 'more than one read');
  } finally {
    await h.close();
  }
});

test('close() during a round that is re-listing leaves no directory watcher behind', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-follow-'));
  const file = path.join(dir, 'app.log');
  fs.writeFileSync(file, 'a line\n');
  // fs.watch handles alive now; they are unref'd, so process.getActiveResourcesInfo() does not show them.
  const watchers = new Set<number>();
  const hook = createHook({
    init: (id, type) => void (type === 'FSEVENTWRAP' && watchers.add(id)),
    destroy: (id) => void watchers.delete(id),
  });
  hook.enable();
  let release = null as (() => void) | null;
  let listings = 0;
  const follower = new LogFollower({
    sources: {
      list: async () => {
        if (++listings > 1) await new Promise<void>((resolve) => (release = resolve));
        return { sources: [{ id: 'dir:app', files: [{ path: file, rotated: false, compressed: false }] }] };
      },
    },
    clock: { now: () => Date.parse('2026-11-25T10:00:00Z') },
    relistMs: 0,
    pollMs: 60_000,
    onLines: () => {},
  });
  try {
    await follower.start();
    assert.is(watchers.size, 1, 'the followed file\'s directory is watched');
    const round = follower.poll();
    while (!release) await new Promise((r) => setTimeout(r, 1));
    const closed = follower.close();
    release!();
    await Promise.all([round, closed]);
    await new Promise((r) => setImmediate(r)); // destroy hooks run after the handle's close callback
    assert.is(watchers.size, 0, 'no watcher is left after close()');
  } finally {
    hook.disable();
    await follower.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
