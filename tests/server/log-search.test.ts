// Log search and context over HTTP against a real gateway (real worker pool, real files in a temp dir),
// plus the coordinator alone with small chunks to prove cursor paging across interleaved files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startAdminGateway, TestClient, signedInAs, type AdminGateway } from '../support/test-gateway.js';
import { createWorkerPool, type WorkerPool } from '../../gateway/pool/worker-pool.js';
import { createLogSources } from '../../gateway/sources/log-sources.js';
import type { Pm2Source } from '../../gateway/sources/pm2-source.js';
import { LogSearch, SearchAbortedError, type LogSearchRequest } from '../../gateway/domain/logs/log-search.js';
import { LogDigest } from '../../gateway/domain/logs/log-digest.js';
import { holdGate } from '../support/workers/hold.js';

const BASE = Date.parse('2026-11-25T08:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
let dir: string;
let outside: string;
let bigDir: string;
const BIG_LINE = `${new Date(Date.parse('2026-11-25T07:00:00.000Z')).toISOString()} INFO ${'lorem ipsum dolor sit amet '.repeat(4)}\n`;
let t: AdminGateway;
let viewer: TestClient;
let pool: WorkerPool;
let sourceId: string;

function writeFixtures(): void {
  const api: string[] = [];
  const worker: string[] = [];
  for (let i = 0; i < 600; i++) {
    // Interleaved timestamps: api on even seconds, worker on odd ones.
    api.push(JSON.stringify({ level: i % 50 === 0 ? 50 : i % 10 === 0 ? 40 : 30, time: BASE + i * 2000, pid: 1, hostname: 'h', msg: `api request ${i} done` }));
    if (i % 100 === 7) worker.push(`${iso(BASE + i * 2000 + 1000)} ERROR job ${i} failed Needle-X\nError: boom ${i}\n    at run (worker.js:${i}:1)\n    at next (worker.js:2:2)`);
    else worker.push(`${iso(BASE + i * 2000 + 1000)} INFO job ${i} \u001b[32mok\u001b[39m`);
  }
  fs.writeFileSync(path.join(dir, 'api.log'), api.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'worker.log'), worker.join('\n') + '\n');
  // A rotated, compressed sibling with older entries.
  const old = Array.from({ length: 50 }, (_, i) => `${iso(BASE - 3_600_000 + i * 1000)} WARN archived entry ${i}`).join('\n') + '\n';
  fs.writeFileSync(path.join(dir, 'worker.log.1.gz'), zlib.gzipSync(old));
  fs.utimesSync(path.join(dir, 'worker.log.1.gz'), new Date(BASE - 3_000_000), new Date(BASE - 3_000_000));
  // Pathological text for the catastrophic regex.
  fs.writeFileSync(path.join(dir, 'evil.log'), `${'a'.repeat(40)}!\n`.repeat(20));
  fs.writeFileSync(path.join(outside, 'secret.log'), 'top secret\n');
  fs.symlinkSync(path.join(outside, 'secret.log'), path.join(dir, 'link.log'));
}

test.before(async () => {
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-logsearch-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-logsearch-outside-'));
    bigDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-logsearch-big-'));
    writeFixtures();
    // Big enough that a slow regex takes a while; written before the gateway starts following files.
    fs.writeFileSync(path.join(bigDir, 'big.log'), BIG_LINE.repeat(Math.ceil((16 * 1024 * 1024) / BIG_LINE.length)));
    sourceId = `dir:${dir}/*.log`;
    t = await startAdminGateway({ LOG_DIRS: `${dir}/*.log,${bigDir}/*.log` });
    viewer = await signedInAs(t.base, t.admin, 'viewer');
    pool = createWorkerPool({ taskTimeoutMs: 30_000 });
    // Warm the threads (a fresh worker loads its modules first) and let the gateway's start-up reading of
    // the log files (error groups, rates) finish: it shares the pool, and a search's 2 s budget with it.
    for (let i = 0; i < 60; i++) {
      const page = await t.gw.services.logSearch.search(req({ q: 'warm', limit: 1 }));
      if (!page.truncated && page.tookMs < 500) break;
    }
  } catch (err) {
    console.error('log-search before hook failed', err);
    throw err;
  }
});

test.after(async () => {
  await pool?.close();
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
  fs.rmSync(bigDir, { recursive: true, force: true });
});

function req(p: Partial<LogSearchRequest>): LogSearchRequest {
  return { q: '', regex: false, caseSensitive: false, level: null, sources: null, from: null, to: null, limit: 100, cursor: null, ...p };
}

const search = (qs: Record<string, string>, headers?: Record<string, string>) => viewer.get(`/api/logs/search?${new URLSearchParams(qs)}`, headers);

test('literal search is case-insensitive by default and case-sensitive with case=1', async () => {
  const ci = await search({ q: 'needle-x' });
  assert.is(ci.status, 200, ci.text);
  assert.is(ci.body.hits.length, 6, JSON.stringify({ ...ci.body, nextCursor: undefined }));
  assert.is(ci.body.nextCursor, null);
  assert.is(ci.body.truncated, false);
  assert.ok(ci.headers.get('x-search-id'));
  const cs = await search({ q: 'needle-x', case: '1' });
  assert.is(cs.body.hits.length, 0);
  const exact = await search({ q: 'Needle-X', case: '1' });
  assert.is(exact.body.hits.length, 6);
  // Newest first, whole multi-line entries with their level and time.
  const first = exact.body.hits[0];
  assert.is(first.message, 'ERROR job 507 failed Needle-X');
  assert.is(first.level, 'error');
  assert.is(first.ts, iso(BASE + 507 * 2000 + 1000));
  assert.is(first.source, sourceId);
  assert.is(first.file, path.join(dir, 'worker.log'));
  const onDisk = fs.readFileSync(first.file).subarray(first.offset, first.offset + first.length).toString();
  assert.ok(onDisk.startsWith(`${iso(BASE + 507 * 2000 + 1000)} ERROR job 507`));
  assert.is(onDisk, `${iso(BASE + 507 * 2000 + 1000)} ERROR job 507 failed Needle-X`);
});

test('a hit in a stack frame returns its whole entry, timed by the next entry; ANSI codes are stripped', async () => {
  const r = await search({ q: 'worker.js:307:1' });
  assert.is(r.body.hits.length, 1);
  const hit = r.body.hits[0];
  assert.is(hit.message, 'Error: boom 307\n    at run (worker.js:307:1)\n    at next (worker.js:2:2)');
  assert.is(hit.level, 'error');
  assert.is(hit.tsInferred, true);
  assert.is(hit.ts, iso(BASE + 308 * 2000 + 1000));
  const ok = await search({ q: 'job 599 ' });
  assert.is(ok.body.hits.length, 1);
  assert.is(ok.body.hits[0].message, 'INFO job 599 ok');
});

test('regex search, with case folding unless case=1', async () => {
  const r = await search({ q: 'request 5[0-9]7 done', regex: '1' });
  assert.equal(r.body.hits.map((h: any) => h.message), ['api request 597 done', 'api request 587 done', 'api request 577 done', 'api request 567 done', 'api request 557 done', 'api request 547 done', 'api request 537 done', 'api request 527 done', 'api request 517 done', 'api request 507 done']);
  assert.is((await search({ q: '^.*ERROR JOB \\d+ FAILED', regex: '1' })).body.hits.length, 6);
  assert.is((await search({ q: 'ERROR JOB \\d+ FAILED', regex: '1', case: '1' })).body.hits.length, 0);
});

test('level, time and source filters', async () => {
  const errors = await search({ level: 'error', limit: '500', source: sourceId });
  assert.ok(errors.body.hits.every((h: any) => h.level === 'error' || h.level === 'fatal'));
  assert.is(errors.body.hits.length, 12 + 6 + 6); // api level 50 every 50th, worker ERROR lines, and their `Error:` entries
  const warn = await search({ q: 'api request', level: 'warn', limit: '500' });
  assert.is(warn.body.hits.length, 60);
  const from = BASE + 100 * 2000;
  const to = BASE + 109 * 2000;
  const ranged = await search({ q: 'api request', from: iso(from), to: String(to) });
  assert.equal(ranged.body.hits.map((h: any) => h.message), Array.from({ length: 10 }, (_, i) => `api request ${109 - i} done`));
  const archived = await search({ q: 'archived', to: iso(BASE) });
  assert.is(archived.body.hits.length, 50);
  assert.is(archived.body.hits[0].file, path.join(dir, 'worker.log.1.gz'));
  assert.is(archived.body.hits[0].message, 'WARN archived entry 49');
  const none = await search({ q: 'archived', from: iso(BASE) });
  assert.is(none.body.hits.length, 0);
  const unknown = await search({ q: 'x', source: `${sourceId},pm2:nope:out` });
  assert.is(unknown.status, 400);
  assert.is(unknown.body.error.code, 'unknown_source');
});

test('bad parameters, regexes and cursors are refused with the error shape', async () => {
  const cases: Array<[Record<string, string>, number, string]> = [
    [{ q: 'x'.repeat(1001) }, 400, 'invalid_input'],
    [{ limit: '0' }, 400, 'invalid_input'],
    [{ limit: '501' }, 400, 'invalid_input'],
    [{ level: 'loud' }, 400, 'invalid_input'],
    [{ from: 'yesterday' }, 400, 'invalid_input'],
    [{ from: iso(BASE + 10), to: iso(BASE) }, 400, 'invalid_input'],
    [{ regex: 'yes' }, 400, 'invalid_input'],
    [{ q: '(unclosed', regex: '1' }, 400, 'invalid_regex'],
    [{ q: 'x', cursor: 'not-a-cursor' }, 400, 'invalid_cursor'],
  ];
  for (const [qs, status, code] of cases) {
    const r = await search(qs);
    assert.is(r.status, status, JSON.stringify(qs));
    assert.is(r.body.error.code, code, JSON.stringify(qs));
  }
  const page = await search({ q: 'api', limit: '5' });
  const other = await search({ q: 'job', cursor: page.body.nextCursor });
  assert.is(other.status, 400);
  assert.is(other.body.error.code, 'invalid_cursor');
  assert.match(other.body.error.message, /different query/);
});

test('HTTP paging returns every hit exactly once, newest first across files', async () => {
  const seen = new Set<string>();
  let cursor: string | null = null;
  let pages = 0;
  let last = Infinity;
  do {
    const r: any = await search({ q: 'job', limit: '37', ...(cursor ? { cursor } : {}) });
    assert.is(r.status, 200, r.text);
    for (const h of r.body.hits) {
      const key = `${h.file}:${h.offset}`;
      assert.not.ok(seen.has(key), `duplicate ${key}`);
      seen.add(key);
      assert.ok(Date.parse(h.ts) <= last);
      last = Date.parse(h.ts);
    }
    cursor = r.body.nextCursor;
    pages++;
  } while (cursor);
  assert.is(seen.size, 600);
  assert.is(pages, Math.ceil(600 / 37));
});

test('cursor paging with small chunks: every hit once, across interleaved files, gzip and growth', async () => {
  const sources = createLogSources({ pm2: { list: async () => [] } as unknown as Pm2Source, logDirs: [`${dir}/*.log`], selfLogDir: path.join(dir, 'no-self'), clock: { now: () => Date.now() } });
  const ls = new LogSearch({ pool, logSources: sources, chunkBytes: 4096, firstChunkBytes: 1024 });
  for (const q of ['', 'request', 'JOB', 'archived']) {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let previous = Infinity;
    let total = 0;
    do {
      const page = await ls.search(req({ q, limit: 23, cursor }));
      for (const h of page.hits) {
        const key = `${h.file}:${h.offset}`;
        assert.not.ok(seen.has(key), `${q}: duplicate ${key}`);
        seen.add(key);
        assert.ok(Date.parse(h.ts!) <= previous, `${q}: order`);
        previous = Date.parse(h.ts!);
      }
      total += page.hits.length;
      if (cursor === null) fs.appendFileSync(path.join(dir, 'api.log'), ''); // a cursor ignores nothing but identity
      cursor = page.nextCursor;
    } while (cursor);
    const expected = { '': 600 + 606 + 50 + 20, request: 600, JOB: 600, archived: 50 }[q]!;
    assert.is(total, expected, `q=${JSON.stringify(q)}`);
  }
});

test('lines appended after page 1 belong to the tail, not to later pages', async () => {
  const grow = path.join(dir, 'grow.log');
  fs.writeFileSync(grow, Array.from({ length: 30 }, (_, i) => `${iso(BASE + i)} INFO grow ${i}`).join('\n') + '\n');
  t.gw.services.logSources.invalidate();
  const p1 = await search({ q: 'grow', limit: '10' });
  assert.equal(p1.body.hits.map((h: any) => h.message), Array.from({ length: 10 }, (_, i) => `INFO grow ${29 - i}`));
  fs.appendFileSync(grow, `${iso(BASE + 100)} INFO grow late\n`);
  const p2 = await search({ q: 'grow', limit: '100', cursor: p1.body.nextCursor });
  assert.is(p2.body.hits.length, 20);
  assert.is(p2.body.hits[0].message, 'INFO grow 19');
  assert.is(p2.body.nextCursor, null);
  fs.rmSync(grow);
  t.gw.services.logSources.invalidate();
});

test('a catastrophic regex is stopped: 422 regex_timeout, and the server goes on answering', async () => {
  const r = await search({ q: '^(a+)+$', regex: '1' });
  assert.is(r.status, 422, r.text);
  assert.is(r.body.error.code, 'regex_timeout');
  assert.match(r.body.error.message, /Simplify/);
  const health = await viewer.get('/healthz');
  assert.is(health.status, 200);
  const after = await search({ q: 'needle-x' });
  assert.is(after.status, 200);
  assert.is(after.body.hits.length, 6);
});

test('cancellation: an aborted search stops, a replaced one answers 409, and the next search completes promptly', async () => {
  const sources = createLogSources({ pm2: { list: async () => [] } as unknown as Pm2Source, logDirs: [`${bigDir}/*.log`, `${dir}/*.log`], selfLogDir: path.join(dir, 'no-self'), clock: { now: () => Date.now() } });
  const ls = new LogSearch({ pool, logSources: sources });
  await ls.search(req({ q: 'warm', limit: 1 }));
  const controller = new AbortController();
  const slow = ls.search(req({ q: 'lorem.*zzz', regex: true }), controller.signal);
  setTimeout(() => controller.abort(), 50);
  let aborted = false;
  try {
    await slow;
  } catch (err) {
    aborted = err instanceof SearchAbortedError;
  }
  assert.ok(aborted, 'the search reports its abort');
  const started = Date.now();
  const next = await ls.search(req({ q: 'needle-x' }));
  assert.is(next.hits.length, 6);
  assert.ok(Date.now() - started < 1000, `next search took ${Date.now() - started} ms`);

  // Over HTTP: a search replaced by the same session's next one.
  const bigSource = `dir:${bigDir}/*.log`;
  const first = search({ q: '\\w+ sit.*zzz', regex: '1', source: bigSource }, { 'X-Search-Id': 'first-search' });
  await new Promise((r) => setTimeout(r, 150));
  const second = await search({ q: 'needle-x', source: sourceId }, { 'X-Search-Replaces': 'first-search' });
  assert.is(second.status, 200);
  assert.is(second.body.hits.length, 6);
  const replaced = await first;
  assert.is(replaced.status, 409, replaced.text);
  assert.is(replaced.body.error.code, 'search_cancelled');
});

const holdTask = new URL('../support/workers/hold.ts', import.meta.url);
const dirSources = () => createLogSources({ pm2: { list: async () => [] } as unknown as Pm2Source, logDirs: [`${dir}/*.log`], selfLogDir: path.join(dir, 'no-self'), clock: { now: () => Date.now() } });

async function until(check: () => boolean, what: string): Promise<void> {
  for (const t0 = Date.now(); !check(); await new Promise((r) => setTimeout(r, 5))) {
    if (Date.now() - t0 > 5_000) throw new Error(`timed out waiting until ${what}`);
  }
}

test('a cancelled search takes its chunks still waiting in the pool out of the queue: they never run', async () => {
  const one = createWorkerPool({ taskTimeoutMs: 30_000, maxThreads: 1 });
  try {
    const ls = new LogSearch({ pool: one, logSources: dirSources() });
    await ls.search(req({ q: 'warm', limit: 1 })); // the thread is up and has loaded the task
    // A warm-up that ran out of its budget on a busy machine leaves a chunk running: not one to count.
    await until(() => one.stats().running === 0, 'the warm-up search left the pool');
    const completedBefore = one.stats().completed;
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const gate = holdGate();
    const busy = one.run('hold', { gate: gate.gate }, { filename: holdTask, lane: 'search', onProgress: () => started() });
    await startedPromise;
    const controller = new AbortController();
    const cancelled = ls.search(req({ q: 'job' }), controller.signal).then(() => null, (err: unknown) => err);
    await until(() => one.stats().queued >= 2, 'the search has chunks queued behind the busy thread');
    controller.abort();
    assert.instance(await cancelled, SearchAbortedError);
    assert.is(one.stats().queued, 0, 'its chunks left the queue');
    gate.open();
    await busy;
    await new Promise((r) => setTimeout(r, 100));
    assert.is(one.stats().completed, completedBefore + 1, 'only the busy task ran: no chunk of the cancelled search');
  } finally {
    await one.close();
  }
});

test('a search that has its page takes its chunks still waiting in the pool out of the queue', async () => {
  const one = createWorkerPool({ taskTimeoutMs: 30_000, maxThreads: 1 });
  const own = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-logsearch-page-'));
  try {
    fs.writeFileSync(path.join(own, 'many.log'), Array.from({ length: 400 }, (_, i) => `${iso(BASE + i * 1000)} INFO entry ${i} pad pad pad`).join('\n') + '\n');
    const sources = createLogSources({ pm2: { list: async () => [] } as unknown as Pm2Source, logDirs: [`${own}/*.log`], selfLogDir: path.join(own, 'no-self'), clock: { now: () => Date.now() } });
    // Small chunks, three in flight: the newest chunk alone fills a page of one.
    const ls = new LogSearch({ pool: one, logSources: sources, chunkBytes: 1024, firstChunkBytes: 1024, concurrency: 3 });
    await ls.search(req({ q: 'warm', limit: 1 }));
    await until(() => one.stats().running === 0 && one.stats().queued === 0, 'the warm-up search left the pool');
    const completedBefore = one.stats().completed;
    const gate = holdGate();
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const busy = one.run('hold', { gate: gate.gate }, { filename: holdTask, lane: 'search', onProgress: () => started() });
    await startedPromise;
    const page = ls.search(req({ q: 'entry', limit: 1 }));
    await until(() => one.stats().queued === 3, 'the search has three chunks queued behind the held thread');
    gate.open();
    await busy;
    const result = await page;
    assert.is(result.hits.length, 1);
    assert.is(result.hits[0]!.message, 'INFO entry 399 pad pad pad');
    assert.is(one.stats().queued, 0, 'the chunks it no longer needs left the queue');
    await until(() => one.stats().running === 0, 'the pool is idle');
    // The thread freed by the page's chunk may already have taken the next one; the last one never runs.
    assert.ok(one.stats().completed <= completedBefore + 3, `${one.stats().completed - completedBefore} tasks ran: the held one and at most two chunks`);
  } finally {
    await one.close();
    fs.rmSync(own, { recursive: true, force: true });
  }
});

test('a search is not held up by the log digest backfill that shares its pool', async () => {
  const digestDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-logsearch-digest-'));
  const shared = createWorkerPool({ taskTimeoutMs: 60_000, maxThreads: 2 });
  let digest: LogDigest | undefined;
  try {
    const big = path.join(digestDir, 'backfill.log');
    fs.writeFileSync(big, BIG_LINE.repeat(Math.ceil((48 * 1024 * 1024) / BIG_LINE.length)));
    const ls = new LogSearch({ pool: shared, logSources: dirSources() });
    await ls.search(req({ q: 'warm', limit: 1 }));
    await ls.search(req({ q: 'needle-x' })); // both threads up
    // Slow background tasks (16 MiB each), four at a time if the pool let them.
    digest = new LogDigest({
      pool: shared,
      sources: { list: async () => ({ sources: [] }) },
      clock: { now: () => Date.now() },
      snapshotFile: path.join(digestDir, 'snapshots', 'log-digest.json'),
      chunkBytes: 16 * 1024 * 1024,
      concurrency: 4,
    });
    const st = fs.statSync(big);
    digest.handleFileStart({ source: 'dir:backfill', file: big, ident: `${st.dev}:${st.ino}`, offset: st.size });
    await until(() => shared.stats().running > 0, 'the backfill runs');
    const t0 = performance.now();
    const page = await ls.search(req({ q: 'needle-x' }));
    const took = performance.now() - t0;
    assert.is(page.hits.length, 6);
    assert.ok(digest.status().pendingBytes > 0, 'the backfill was still at work during the search');
    assert.ok(took < 700, `the search took ${took.toFixed(0)} ms beside the backfill`);
    await digest.whenIdle();
    assert.ok(digest.status().indexedBytes >= 48 * 1024 * 1024, 'the backfill finished afterwards');
  } finally {
    await digest?.close();
    await shared.close();
    fs.rmSync(digestDir, { recursive: true, force: true });
  }
});

test('context: entries around an offset, with hitIndex and has-more flags', async () => {
  const found = await search({ q: 'Needle-X', case: '1' });
  assert.is(found.status, 200, found.text);
  const hit = found.body.hits[2];
  const r = await viewer.get(`/api/logs/context?${new URLSearchParams({ file: hit.file, offset: String(hit.offset), before: '3', after: '2' })}`);
  assert.is(r.status, 200, r.text);
  assert.is(r.body.source, sourceId);
  assert.is(r.body.entries.length, 6);
  assert.is(r.body.hitIndex, 3);
  assert.is(r.body.entries[3].offset, hit.offset);
  assert.is(r.body.entries[3].message, hit.message);
  assert.ok(r.body.hasBefore && r.body.hasAfter);
  const top = await viewer.get(`/api/logs/context?${new URLSearchParams({ file: hit.file, offset: '0', before: '5', after: '1' })}`);
  assert.is(top.body.hitIndex, 0);
  assert.is(top.body.hasBefore, false);
  const gz = await viewer.get(`/api/logs/context?${new URLSearchParams({ file: path.join(dir, 'worker.log.1.gz'), offset: '0', after: '200' })}`);
  assert.is(gz.body.entries.length, 50);
  assert.is(gz.body.hasAfter, false);
});

test('context refuses path escapes, foreign files and bad offsets', async () => {
  const get = (file: string, offset = '0') => viewer.get(`/api/logs/context?${new URLSearchParams({ file, offset })}`);
  const cases: Array<[string, string, number, string]> = [
    ['relative/api.log', '0', 400, 'invalid_path'],
    [`${dir}/../${path.basename(dir)}/api.log`, '0', 400, 'invalid_path'],
    ['/etc/passwd', '0', 404, 'not_found'],
    [path.join(dir, 'link.log'), '0', 404, 'not_found'],
    [path.join(outside, 'secret.log'), '0', 404, 'not_found'],
    [path.join(dir, 'api.log'), '-1', 400, 'invalid_input'],
    [path.join(dir, 'api.log'), '99999999', 416, 'offset_out_of_range'],
  ];
  for (const [file, offset, status, code] of cases) {
    const r = await get(file, offset);
    assert.is(r.status, status, `${file} ${offset}: ${r.text}`);
    assert.is(r.body.error.code, code, file);
  }
  const noFile = await viewer.get('/api/logs/context?offset=0');
  assert.is(noFile.status, 400);
});

test('search and context need a signed-in user', async () => {
  const anon = new TestClient(t.base);
  assert.is((await anon.get('/api/logs/search?q=x')).status, 401);
  assert.is((await anon.get(`/api/logs/context?file=${encodeURIComponent(path.join(dir, 'api.log'))}&offset=0`)).status, 401);
});

test.run();
