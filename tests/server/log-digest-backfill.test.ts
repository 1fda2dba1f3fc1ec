// The log digest's backfill around searches and restarts: it waits out its start delay (a user's first search
// after a start finds nothing of it running), goes in small slices, saves its progress as it goes (a restart, even
// after a crash, does not read the done part again), and a search while it runs is answered, the backfill going
// on afterwards to the end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LogDigest } from '../../gateway/domain/logs/log-digest.js';
import type { LogDigestTask, LogDigestTaskResult } from '../../workers/log-digest.js';
import { startAdminGateway, signedInAs } from '../support/test-gateway.js';
import { waitFor } from '../support/wait-for.js';

const KiB = 1024;
const clock = { now: () => Date.now() };
const noSources = { list: async () => ({ sources: [] }) };

/** A pool that records the digest's tasks; each answers (empty) when the test lets it. */
function recordingPool() {
  const tasks: LogDigestTask[] = [];
  const pending: Array<{ answer(): void; fail(err: unknown): void }> = [];
  return {
    tasks,
    pending,
    /** Answers the oldest waiting task. */
    answerOne(): void {
      pending.shift()!.answer();
    },
    run<R>(_task: string, payload: unknown, opts?: { signal?: AbortSignal }): Promise<R> {
      tasks.push(payload as LogDigestTask);
      return new Promise<R>((resolve, reject) => {
        const entry = { answer: () => resolve({ kind: 'ok', entries: 0, errors: [], rates: [] } satisfies LogDigestTaskResult as R), fail: reject };
        pending.push(entry);
        opts?.signal?.addEventListener('abort', () => reject(opts.signal!.reason));
      });
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

test('the backfill waits for its start delay, then runs slice by slice, newest first', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-digest-delay-'));
  const pool = recordingPool();
  const digest = new LogDigest({ pool, sources: noSources, clock, snapshotFile: path.join(dir, 'digest.json'), chunkBytes: 256 * KiB, startDelayMs: 300 });
  try {
    await digest.load();
    digest.handleFileStart({ source: 's', file: '/logs/a.log', ident: '1:1', offset: 1024 * KiB });
    assert.is(digest.held, true);
    assert.is(digest.status().pendingBytes, 1024 * KiB, 'planned');
    await new Promise((r) => setTimeout(r, 100));
    assert.is(pool.tasks.length, 0, 'nothing runs within the start delay');
    await waitFor('the first slice after the delay', () => pool.tasks.length === 1);
    assert.is(digest.held, false);
    assert.equal([pool.tasks[0]!.start, pool.tasks[0]!.end], [768 * KiB, 1024 * KiB], 'one slice of 256 KiB, the newest');
    while (pool.pending.length > 0) {
      pool.answerOne();
      await tick();
    }
    await digest.whenIdle();
    assert.equal(pool.tasks.map((t) => t.start), [768, 512, 256, 0].map((k) => k * KiB));
    assert.is(digest.status().indexedBytes, 1024 * KiB);
  } finally {
    await digest.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('progress is saved as the backfill goes: after a crash a restart reads only what was not done', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-digest-checkpoint-'));
  const snapshotFile = path.join(dir, 'digest.json');
  const start = { source: 's', file: '/logs/a.log', ident: '1:1', offset: 2048 * KiB };
  const first = recordingPool();
  // persistMs far off: only the checkpoints write the state.
  const crashed = new LogDigest({ pool: first, sources: noSources, clock, snapshotFile, chunkBytes: 256 * KiB, checkpointBytes: 512 * KiB, persistMs: 3_600_000 });
  const secondPool = recordingPool();
  let second: LogDigest | undefined;
  try {
    await crashed.load();
    crashed.handleFileStart(start);
    // Three slices done ([1280, 2048) KiB), the fourth running when the process "dies" (never closed).
    for (let i = 0; i < 3; i++) {
      await waitFor('a slice runs', () => first.pending.length === 1);
      first.answerOne();
      await tick();
    }
    await waitFor('the checkpoint after 512 KiB', () => fs.existsSync(snapshotFile));
    const saved = JSON.parse(fs.readFileSync(snapshotFile, 'utf8')) as { files: Record<string, { ranges: Array<[number, number]> }> };
    const ranges = saved.files['1:1']!.ranges;
    assert.is(ranges.length, 1);
    const [savedFrom, savedTo] = ranges[0]!;
    assert.is(savedTo, 2048 * KiB);
    assert.ok(savedFrom <= 1536 * KiB && savedFrom >= 1280 * KiB, `the checkpoint holds the slices done (from ${savedFrom})`);

    second = new LogDigest({ pool: secondPool, sources: noSources, clock, snapshotFile, chunkBytes: 256 * KiB });
    await second.load();
    second.handleFileStart(start);
    assert.is(second.status().indexedBytes, savedTo - savedFrom);
    assert.is(second.status().pendingBytes, savedFrom, 'only the part not saved is planned again');
    while (secondPool.tasks.length < savedFrom / (256 * KiB)) {
      await waitFor('a slice runs', () => secondPool.pending.length === 1);
      secondPool.answerOne();
      await tick();
    }
    await waitFor('the last slice runs', () => secondPool.pending.length === 1);
    secondPool.answerOne();
    await second.whenIdle();
    assert.ok(secondPool.tasks.every((t) => t.end <= savedFrom), 'no saved byte is read again');
    assert.is(second.status().indexedBytes, 2048 * KiB);

    // A clean stop saves everything: the next start plans nothing.
    await second.close();
    const third = new LogDigest({ pool: recordingPool(), sources: noSources, clock, snapshotFile, chunkBytes: 256 * KiB });
    await third.load();
    third.handleFileStart(start);
    assert.is(third.status().pendingBytes, 0);
    await third.close();
  } finally {
    await crashed.close();
    await second?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a search while the backfill runs is answered, and the backfill then goes on to the end', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-digest-search-'));
  const file = path.join(dir, 'api.log');
  const lines: string[] = [];
  const t0 = Date.now() - 3_600_000;
  const N = 120_000;
  for (let i = 0; i < N; i++) {
    const ts = new Date(t0 + i * 20).toISOString();
    lines.push(i % 100 === 7 ? `${ts} ERROR Payment ${i} failed for order ${i + 1}` : `${ts} INFO request handled in ${i % 97} ms id=${i}`);
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const size = fs.statSync(file).size;
  const t = await startAdminGateway({ LOG_DIRS: `${dir}/*.log`, LOG_DIGEST_DELAY_SECONDS: '1' });
  try {
    const viewer = await signedInAs(t.base, t.admin, 'viewer');
    const digest = t.gw.services.logDigest;
    // Within the start delay: planned, nothing done yet, and a search is answered.
    let r = await viewer.get('/api/logs/groups');
    assert.is(r.status, 200);
    if (digest.held) assert.is(r.body.indexedBytes, 0, 'nothing read within the start delay');
    let s = await viewer.get(`/api/logs/search?${new URLSearchParams({ q: 'Payment 119907 failed', limit: '5' })}`);
    assert.is(s.status, 200, s.text);
    assert.is(s.body.hits.length, 1);

    // While the backfill runs.
    await waitFor('the backfill under way', () => digest.status().indexedBytes > 0);
    assert.ok(digest.status().pendingBytes > 0, 'the search below comes while the backfill runs');
    s = await viewer.get(`/api/logs/search?${new URLSearchParams({ q: 'failed for order', limit: '100' })}`);
    assert.is(s.status, 200, s.text);
    assert.is(s.body.hits.length, 100);
    assert.match(s.body.hits[0].message, /Payment 119907 failed/);

    await digest.whenIdle();
    r = await viewer.get('/api/logs/groups');
    assert.is(r.body.pendingBytes, 0);
    assert.ok(r.body.indexedBytes >= size - 2, `all ${size} bytes counted (${r.body.indexedBytes})`);
    assert.is(r.body.groups.find((g: { template: string }) => g.template === 'ERROR Payment <n> failed for order <n>')?.count, N / 100, 'every error counted once');
  } finally {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
