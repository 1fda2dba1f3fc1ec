// Page 1 over many files sends the files' first chunks in a few batched tasks: the hits, their order and the
// paging are those of a plain merge of every file, newest first; a chunk that cannot be read fails alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createWorkerPool, type WorkerPool } from '../../gateway/pool/worker-pool.js';
import { createLogSources } from '../../gateway/sources/log-sources.js';
import type { Pm2Source } from '../../gateway/sources/pm2-source.js';
import { LogSearch, type LogSearchRequest } from '../../gateway/domain/logs/log-search.js';
import { buildMatchPlan } from '../../gateway/domain/logs/log-matcher.js';
import { searchBatch, type LogSearchTask } from '../../workers/log-search.js';

const BASE = Date.parse('2026-11-25T08:00:00.000Z');
const FILES = 12;
const LINES = 400;
let dir: string;
let pool: WorkerPool;
/** Every entry of every file, newest first: `${file}|${message}`. */
let all: Array<{ ts: number; key: string; message: string }>;

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-logsearch-many-'));
  all = [];
  for (let f = 0; f < FILES; f++) {
    const lines: string[] = [];
    for (let i = 0; i < LINES; i++) {
      // Unique timestamps interleaved over the files; some files are busier near the end than others.
      const ts = BASE + (i * FILES + f) * 1000 + (f % 3 === 0 && i > LINES - 40 ? 500 : 0);
      const word = i % 7 === 0 ? 'timeout' : i % 5 === 0 ? 'Timeout' : 'handled';
      const message = `INFO ${word} file ${f} entry ${i}`;
      lines.push(f % 2 === 0 ? `${new Date(ts).toISOString()} ${message}` : JSON.stringify({ level: 30, time: ts, msg: message }));
      all.push({ ts, key: `app-${f}.log|${message}`, message });
    }
    const file = path.join(dir, `app-${f}.log`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    fs.utimesSync(file, new Date(BASE + 10_000_000), new Date(BASE + 10_000_000));
  }
  all.sort((a, b) => b.ts - a.ts);
  pool = createWorkerPool({ taskTimeoutMs: 30_000 });
  await pool.warmUp('log-search', { warmUp: true });
});

test.after(async () => {
  await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function req(p: Partial<LogSearchRequest>): LogSearchRequest {
  return { q: '', regex: false, caseSensitive: false, level: null, sources: null, from: null, to: null, limit: 100, cursor: null, ...p };
}

function searchOver(firstChunkBytes: number, firstChunksPerTask?: number): LogSearch {
  const logSources = createLogSources({ pm2: { list: async () => [] } as unknown as Pm2Source, logDirs: [`${dir}/*.log`], selfLogDir: path.join(dir, 'self'), clock: { now: () => Date.now() } });
  // A budget no busy machine runs out of: these tests are about which hits come, not how fast.
  return new LogSearch({ pool, logSources, chunkBytes: 4096, firstChunkBytes, firstChunksPerTask, budgetMs: 60_000 });
}

const keyOf = (h: { file: string; message: string }): string => `${path.basename(h.file)}|${h.message}`;

test('page 1 over many files holds the newest hits of all of them, in order', async () => {
  for (const [q, caseSensitive, want] of [['timeout', false, /timeout/i], ['timeout', true, /timeout/], ['', false, /./]] as const) {
    const expected = all.filter((e) => want.test(e.message)).slice(0, 25).map((e) => e.key);
    for (const firstChunkBytes of [1024, 64 * 1024]) {
      for (const perTask of [1, undefined, FILES]) {
        const page = await searchOver(firstChunkBytes, perTask).search(req({ q, caseSensitive, limit: 25 }));
        assert.equal(page.hits.map(keyOf), expected, `q=${JSON.stringify(q)} case=${caseSensitive} first chunk ${firstChunkBytes}, ${perTask ?? 'default'} a task`);
        assert.is(page.truncated, false);
        assert.ok(page.nextCursor !== null);
      }
    }
  }
});

test('paging over many files returns every hit once, in the order of a plain merge', async () => {
  const expected = all.filter((e) => /timeout/i.test(e.message)).map((e) => e.key);
  const ls = searchOver(1024, 3);
  const got: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await ls.search(req({ q: 'TIMEOUT', limit: 37, cursor }));
    got.push(...page.hits.map(keyOf));
    cursor = page.nextCursor;
  } while (cursor !== null);
  assert.equal(got, expected);
});

test('a batch of chunks: one that cannot be read fails alone, the others are scanned', () => {
  const plan = buildMatchPlan({ q: 'entry 399', regex: false, caseSensitive: true });
  const chunk = (file: string): LogSearchTask => ({
    path: path.join(dir, file), compressed: false, start: 0, end: 64 * 1024, plan,
    filters: { minLevel: null, from: null, to: null, maxHits: 10 }, regexTimeoutMs: 1000,
  });
  const { results } = searchBatch({ chunks: [chunk('gone.log'), chunk('app-0.log'), chunk('app-1.log')] });
  assert.is(results.length, 3);
  assert.is(results[0]!.kind, 'failed');
  for (const r of results.slice(1)) {
    assert.is(r.kind, 'ok');
    if (r.kind === 'ok') assert.is(r.hits.length, 1);
  }
});

test.run();
