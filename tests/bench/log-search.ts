// Log search against GNU grep on the same files: a corpus of mixed-format logs (pino JSON, PM2-prefixed,
// plain text with stack traces) over 20 files, warm cache; the real LogSearch coordinator and the real
// worker pool in this process. grep's output goes into a pipe (see TOOLCHAIN.md: to /dev/null it stops early).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createWorkerPool } from '../../gateway/pool/worker-pool.js';
import { createLogSources } from '../../gateway/sources/log-sources.js';
import type { Pm2Source } from '../../gateway/sources/pm2-source.js';
import { LogSearch, type LogSearchRequest } from '../../gateway/domain/logs/log-search.js';

const FILES = 20;
const RARE = 'zq-canary-7731';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['request', 'handled', 'user', 'session', 'cache', 'miss', 'queue', 'job', 'render', 'upload', 'token', 'refresh', 'payment', 'webhook', 'retry', 'timeout', 'connected', 'closed', 'sheet', 'row'];

function writeCorpus(dir: string, totalBytes: number): string[] {
  const perFile = Math.floor(totalBytes / FILES);
  const end = Date.now() - 60_000;
  const files: string[] = [];
  for (let f = 0; f < FILES; f++) {
    const rand = rng(f + 1);
    // Phrases made once per file: building every line's words anew makes the corpus slow to write.
    const phrases = Array.from({ length: 4096 }, () => Array.from({ length: 4 + Math.floor(rand() * 6) }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' '));
    const kind = f % 3; // 0 pino JSON, 1 PM2-prefixed, 2 plain with stack traces
    const file = path.join(dir, `app-${f}.log`);
    const fd = fs.openSync(file, 'w');
    const approxLines = perFile / 120;
    const stepMs = (24 * 3_600_000) / approxLines;
    let t = end - 24 * 3_600_000 + f * 7;
    let written = 0;
    let i = 0;
    const parts: string[] = [];
    let pending = 0;
    while (written + pending < perFile) {
      t += stepMs * (0.5 + rand());
      const words = phrases[Math.floor(rand() * phrases.length)]!;
      const level = rand() < 0.02 ? 'error' : rand() < 0.08 ? 'warn' : 'info';
      const extra = i % 400_000 === 123_457 ? ` ${RARE}` : '';
      let line: string;
      if (kind === 0) {
        line = `{"level":${level === 'error' ? 50 : level === 'warn' ? 40 : 30},"time":${Math.floor(t)},"pid":${1000 + f},"hostname":"box","reqId":"r-${i}","msg":"${words} id=${i}${extra}"}\n`;
      } else if (kind === 1) {
        line = `${new Date(t).toISOString().slice(0, 19)}: ${level.toUpperCase()} ${words} id=${i}${extra}\n`;
      } else {
        line = `${new Date(t).toISOString()} [${level}] ${words} id=${i}${extra}\n`;
        if (level === 'error') line += `Error: ${words}\n    at handler (/srv/app/src/h${i % 97}.js:${i % 300}:12)\n    at process (/srv/app/src/q.js:88:5)\n`;
      }
      parts.push(line);
      pending += line.length;
      i++;
      if (pending > 4 << 20) {
        fs.writeSync(fd, parts.join(''));
        written += pending;
        parts.length = 0;
        pending = 0;
      }
    }
    fs.writeSync(fd, parts.join(''));
    fs.closeSync(fd);
    const mtime = new Date(end);
    fs.utimesSync(file, mtime, mtime);
    files.push(file);
  }
  return files;
}

/** grep's wall time with its output read through a pipe. */
function timeGrep(args: string[], files: string[]): Promise<{ ms: number; count: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('grep', ['-h', ...args, ...files], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const ms = performance.now() - started;
      resolve({ ms, count: out.split('\n').filter(Boolean).reduce((n, c) => n + Number(c), 0) });
    });
  });
}

export interface LogSearchBenchRow {
  case: string;
  oursMs: number;
  grepMs: number | string;
  ratio: string;
  target: string;
  hits: string;
}

export async function measureLogSearch(totalBytes: number): Promise<{ rows: LogSearchBenchRow[]; notes: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-bench-logs-'));
  const rows: LogSearchBenchRow[] = [];
  const notes: string[] = [];
  try {
    const t0 = performance.now();
    const files = writeCorpus(dir, totalBytes);
    const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    notes.push(`Corpus: ${FILES} files, ${(bytes / 2 ** 20).toFixed(0)} MiB (pino JSON, PM2-prefixed, plain with stack traces), written in ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
    const pool = createWorkerPool({ taskTimeoutMs: 120_000 });
    const logSources = createLogSources({ pm2: { list: async () => [] } as unknown as Pm2Source, logDirs: [`${dir}/*.log`], selfLogDir: path.join(dir, 'self'), clock: { now: () => Date.now() } });
    // A full scan is one request that may take longer than the interactive 2 s budget: measure the whole scan.
    const search = new LogSearch({ pool, logSources, budgetMs: 120_000 });
    const base: LogSearchRequest = { q: '', regex: false, caseSensitive: false, level: null, sources: null, from: null, to: null, limit: 100, cursor: null };
    const run = async (p: Partial<LogSearchRequest>) => {
      const started = performance.now();
      const page = await search.search({ ...base, ...p });
      return { ms: performance.now() - started, page };
    };
    // Warm: page cache (grep reads everything once) and the worker threads.
    await timeGrep(['-c', '-F', 'warm-up-nothing'], files);
    await run({ q: 'warm-up-nothing', caseSensitive: true });

    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable(); // grep runs in a child process: the gateway thread is measured all along
    const rssBefore = process.memoryUsage.rss();
    let rssPeak = rssBefore;
    const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 20);
    const compare = async (name: string, p: Partial<LogSearchRequest>, grepArgs: string[], target: number) => {
      const ours = [] as number[];
      let hits = 0;
      for (let i = 0; i < 3; i++) {
        const r = await run(p);
        ours.push(r.ms);
        hits = r.page.hits.length;
      }
      const grep = [] as number[];
      let count = 0;
      for (let i = 0; i < 3; i++) {
        const g = await timeGrep(grepArgs, files);
        grep.push(g.ms);
        count = g.count;
      }
      const o = Math.min(...ours);
      const g = Math.min(...grep);
      rows.push({ case: name, oursMs: Math.round(o), grepMs: Math.round(g), ratio: `${(o / g).toFixed(2)}×`, target: `≤ ${target}×`, hits: `${hits} entries / grep ${count} lines` });
    };
    await compare(`literal "${RARE}"`, { q: RARE, caseSensitive: true }, ['-c', '-F', RARE], 1.0);
    await compare(`literal -i "${RARE.toUpperCase()}"`, { q: RARE.toUpperCase() }, ['-c', '-i', '-F', RARE.toUpperCase()], 1.0);
    await compare('literal -i "TIMEOUT ID=12345 " (letters first)', { q: 'TIMEOUT ID=12345 ' }, ['-c', '-i', '-F', 'TIMEOUT ID=12345 '], 1.0);
    await compare('regex "canary-[0-9]+"', { q: 'canary-[0-9]+', regex: true, caseSensitive: true }, ['-c', '-E', 'canary-[0-9]+'], 1.5);
    await compare('regex "id=1234[0-9]{3}\\b"', { q: 'id=1234[0-9]{3}\\b', regex: true, caseSensitive: true }, ['-c', '-E', 'id=1234[0-9]{3}\\b'], 1.5);
    await compare('regex "[0-9]{7}[a-z]" (no literal)', { q: '[0-9]{7}[a-z]', regex: true, caseSensitive: true }, ['-c', '-E', '[0-9]{7}[a-z]'], 1.5);

    // Time to the first page of 100 newest hits for a common term, with the interactive budget.
    const interactive = new LogSearch({ pool, logSources });
    const firstPage: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const page = await interactive.search({ ...base, q: 'timeout' });
      firstPage.push(performance.now() - started);
      if (page.hits.length !== 100) notes.push(`first page had ${page.hits.length} hits`);
    }
    firstPage.sort((a, b) => a - b);
    rows.push({ case: 'first page, 100 newest "timeout"', oursMs: Math.round(firstPage[2]!), grepMs: '—', ratio: '—', target: '≤ 100 ms', hits: `median of 5 (min ${Math.round(firstPage[0]!)} ms)` });
    clearInterval(rssTimer);
    lag.disable();
    notes.push(`Gateway event-loop lag during the searches: p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, max ${(lag.max / 1e6).toFixed(1)} ms (target p99 < 20 ms).`);
    notes.push(`Process RSS during the searches (gateway thread + pool threads): ${(rssBefore / 2 ** 20).toFixed(0)} MB before, ${(rssPeak / 2 ** 20).toFixed(0)} MB peak (target < 300 MB; this process also wrote the corpus).`);
    await pool.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { rows, notes };
}

export function printLogSearch(result: { rows: LogSearchBenchRow[]; notes: string[] }): void {
  console.log('Log search vs grep (warm cache, both cores, best of 3; grep -c into a pipe):');
  for (const n of result.notes.slice(0, 1)) console.log(n);
  console.table(result.rows);
  for (const n of result.notes.slice(1)) console.log(n);
  console.log('');
}
