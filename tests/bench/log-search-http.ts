// Log search on the product path: the built gateway as `npm start` runs it (its own process, dist/), its
// LOG_DIRS pointed at a corpus of mixed-format logs, signed in, driven over HTTP; GNU grep on the same files in
// the same run (warm cache, output into a pipe), taking turns with it. Full scans follow nextCursor until the
// whole answer is in; the first page of a common term is timed right after a fresh start (cold: the very first
// request, with a session made before the restart) and on a gateway that has settled (warm).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signIn, startGateway, type RunningGateway } from '../support/gateway-process.js';
import { spawn } from 'node:child_process';
import { RARE, timeGrep, writeCorpus } from './log-search.js';

export interface HttpSearchRow {
  case: string;
  oursMs: number;
  grepMs: number | string;
  ratio: string;
  /** CPU time (all threads) the gateway spent on the request, and grep's: what a busy machine skews least. */
  oursCpuMs: number;
  grepCpuMs: number | string;
  target: string;
  detail: string;
}

export interface HttpSearchResult {
  rows: HttpSearchRow[];
  notes: string[];
}

export interface HttpSearchOptions {
  totalBytes: number;
  rounds: number;
  coldStarts: number;
  nodeArgs: string[];
  /** Keep (and reuse) the corpus in this directory instead of a temp one. */
  corpusDir?: string;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Page { hits: unknown[]; nextCursor: string | null; scannedBytes: number; truncated: boolean }

/** Every page of a search until nextCursor is null: wall time, hits, requests. */
async function fullSearch(base: string, cookie: string, params: Record<string, string>): Promise<{ ms: number; hits: number; pages: number; firstPageMs: number }> {
  const t0 = performance.now();
  let cursor: string | null = null;
  let hits = 0;
  let pages = 0;
  let firstPageMs = 0;
  do {
    const qs = new URLSearchParams({ ...params, limit: '500', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${base}/api/logs/search?${qs}`, { headers: { cookie } });
    const body = (await res.json()) as Page;
    if (res.status !== 200) throw new Error(`search answered ${res.status}: ${JSON.stringify(body)}`);
    hits += body.hits.length;
    cursor = body.nextCursor;
    if (pages++ === 0) firstPageMs = performance.now() - t0;
  } while (cursor !== null);
  return { ms: performance.now() - t0, hits, pages, firstPageMs };
}

async function firstPage(base: string, cookie: string, q: string): Promise<{ ms: number; hits: number }> {
  const t0 = performance.now();
  const res = await fetch(`${base}/api/logs/search?${new URLSearchParams({ q, limit: '100' })}`, { headers: { cookie } });
  const body = (await res.json()) as Page;
  if (res.status !== 200) throw new Error(`search answered ${res.status}: ${JSON.stringify(body)}`);
  return { ms: performance.now() - t0, hits: body.hits.length };
}

/** grep's wall time (output into a pipe) and CPU time: grep runs under a shell that, once grep has ended, prints
 *  its children's CPU time (/proc/self/stat cutime + cstime) to stderr. The shell adds about a millisecond. */
function timeGrepCpu(args: string[], files: string[]): Promise<{ ms: number; cpuMs: number; count: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('sh', ['-c', 'grep -h "$@"; s=$?; cat /proc/$$/stat >&2; exit $s', 'sh', ...args, ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const ms = performance.now() - started;
      const f = err.split(') ').pop()!.trim().split(' ');
      resolve({ ms, cpuMs: ((Number(f[13]) + Number(f[14])) * 1000) / 100, count: out.split('\n').filter(Boolean).reduce((n, c) => n + Number(c), 0) });
    });
  });
}

/** Process CPU time (user + system, all threads) in ms. */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** Waits until the log digest's backfill is over (nothing pending; it starts LOG_DIGEST_DELAY_SECONDS after the
 *  start) and the gateway has then used less than 5% of a core for a second, at most `maxMs`. */
async function settled(gw: RunningGateway, cookie: string, maxMs = 180_000): Promise<number> {
  const t0 = performance.now();
  let last = cpuMs(gw.child.pid!);
  while (performance.now() - t0 < maxMs) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = cpuMs(gw.child.pid!);
    const quiet = now - last < 50;
    last = now;
    if (!quiet) continue;
    const res = await fetch(`${gw.base}/api/logs/groups?limit=1`, { headers: { cookie } });
    const status = (await res.json()) as { pendingBytes?: number };
    if (res.status === 200 && status.pendingBytes === 0) break;
  }
  return performance.now() - t0;
}

const ENV = (dir: string): Record<string, string> => ({ LOG_DIRS: `${dir}/*.log`, RATE_LIMIT_PER_MINUTE: '100000000' });

export async function measureLogSearchHttp(o: HttpSearchOptions): Promise<HttpSearchResult> {
  const dir = o.corpusDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'oc-bench-logs-'));
  const rows: HttpSearchRow[] = [];
  const notes: string[] = [];
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const loadBefore = load();
  try {
    fs.mkdirSync(dir, { recursive: true });
    let files = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => path.join(dir, f)).sort();
    const have = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    const t0 = performance.now();
    if (files.length === 0 || Math.abs(have - o.totalBytes) > o.totalBytes * 0.01) {
      for (const f of files) fs.rmSync(f);
      files = writeCorpus(dir, o.totalBytes);
      notes.push(`Corpus written in ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
    } else {
      notes.push(`Corpus reused from ${dir}.`);
    }
    const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    notes.unshift(`Corpus: ${files.length} files, ${(bytes / 2 ** 20).toFixed(0)} MiB (pino JSON, PM2-prefixed, plain with stack traces) under LOG_DIRS; gateway from dist/ (node dist/gateway/main.js, NODE_ENV=production), signed in, over HTTP (fetch, keep-alive).`);
    await timeGrep(['-c', '-F', 'warm-up-nothing'], files); // page cache

    // Cold: a session made on a first start, then fresh starts on the same data directory; the first request
    // after "running at" is the search.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-bench-gw-'));
    const cold: number[] = [];
    const coldCpu: number[] = [];
    let coldHits = 0;
    try {
      // The first start reads what it needs once (the log digest's backfill) and settles, as an installation
      // that has run before; each later start is then a restart of it.
      const first = await startGateway(ENV(dir), { nodeArgs: o.nodeArgs, dataDir });
      const cookie = await signIn(first.base, first.adminPassword);
      await settled(first, cookie);
      await first.stop();
      for (let i = 0; i < o.coldStarts; i++) {
        const gw = await startGateway(ENV(dir), { nodeArgs: o.nodeArgs, dataDir });
        try {
          const c0 = cpuMs(gw.child.pid!);
          const r = await firstPage(gw.base, cookie, 'timeout');
          coldCpu.push(cpuMs(gw.child.pid!) - c0);
          cold.push(r.ms);
          coldHits = r.hits;
        } finally {
          await gw.stop();
        }
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }

    const gw = await startGateway(ENV(dir), { nodeArgs: o.nodeArgs });
    try {
      const cookie = await signIn(gw.base, gw.adminPassword);
      const settleMs = await settled(gw, cookie);
      notes.push(`Warm cases start once the gateway is idle (start-up work such as the log digest's backfill over): ${(settleMs / 1000).toFixed(1)} s after sign-in.`);
      await fullSearch(gw.base, cookie, { q: 'warm-up-nothing', case: '1' });

      const pid = gw.child.pid!;
      const compare = async (name: string, params: Record<string, string>, grepArgs: string[]) => {
        const ours: number[] = [];
        const grep: number[] = [];
        const oursCpu: number[] = [];
        const grepCpu: number[] = [];
        let detail = '';
        for (let i = 0; i < o.rounds; i++) {
          const c0 = cpuMs(pid);
          const r = await fullSearch(gw.base, cookie, params);
          oursCpu.push(cpuMs(pid) - c0);
          ours.push(r.ms);
          const g = await timeGrepCpu(grepArgs, files);
          grep.push(g.ms);
          grepCpu.push(g.cpuMs);
          detail = `${r.hits} hits in ${r.pages} page(s) / grep ${g.count} lines`;
        }
        const om = median(ours);
        const gm = median(grep);
        rows.push({
          case: name, oursMs: Math.round(om), grepMs: Math.round(gm), ratio: `${(om / gm).toFixed(2)}×`,
          oursCpuMs: Math.round(median(oursCpu)), grepCpuMs: Math.round(median(grepCpu)),
          target: '≤ 1.0× (aim 0.7×)', detail: `${detail}; ours ${Math.round(Math.min(...ours))}–${Math.round(Math.max(...ours))} ms`,
        });
      };
      await compare(`full scan, literal "${RARE}"`, { q: RARE, case: '1' }, ['-c', '-F', RARE]);
      await compare(`full scan, literal -i "${RARE.toUpperCase()}"`, { q: RARE.toUpperCase() }, ['-c', '-i', '-F', RARE.toUpperCase()]);
      await compare('full scan, regex "canary-[0-9]+"', { q: 'canary-[0-9]+', regex: '1', case: '1' }, ['-c', '-E', 'canary-[0-9]+']);
      await compare('full scan, regex -i "CANARY-[0-9]+"', { q: 'CANARY-[0-9]+', regex: '1' }, ['-c', '-i', '-E', 'CANARY-[0-9]+']);

      const warm: number[] = [];
      const warmCpu: number[] = [];
      let warmHits = 0;
      for (let i = 0; i < Math.max(5, o.rounds * 2 - 1); i++) {
        const c0 = cpuMs(pid);
        const r = await firstPage(gw.base, cookie, 'timeout');
        warmCpu.push(cpuMs(pid) - c0);
        warm.push(r.ms);
        warmHits = r.hits;
      }
      rows.push({ case: 'first page, 100 newest "timeout" (warm)', oursMs: Math.round(median(warm)), grepMs: '—', ratio: '—', oursCpuMs: Math.round(median(warmCpu)), grepCpuMs: '—', target: '≤ 100 ms', detail: `${warmHits} hits; median of ${warm.length} (${Math.round(Math.min(...warm))}–${Math.round(Math.max(...warm))} ms)` });
    } finally {
      await gw.stop();
    }
    rows.push({ case: 'first page, 100 newest "timeout" (cold start)', oursMs: Math.round(median(cold)), grepMs: '—', ratio: '—', oursCpuMs: Math.round(median(coldCpu)), grepCpuMs: '—', target: '≤ 100 ms', detail: `${coldHits} hits; first request after each of ${cold.length} restarts (${cold.map((m) => Math.round(m)).join(', ')} ms)` });
    notes.push(`Machine load average (1, 5, 15 min): ${loadBefore} at the start, ${load()} at the end (other work on the machine skews the timings).`);
  } finally {
    if (!o.corpusDir) fs.rmSync(dir, { recursive: true, force: true });
  }
  return { rows, notes };
}

export function printLogSearchHttp(result: HttpSearchResult, rounds: number): void {
  console.log(`Log search over HTTP vs grep (warm page cache, 2 cores, median of ${rounds}, taking turns; grep -c into a pipe).`);
  console.log('oursCpuMs: CPU time of the gateway process (all its threads) during the request(s); grepCpuMs: grep\'s. Wall times follow the load on the machine, CPU times much less.');
  for (const n of result.notes.slice(0, 1)) console.log(n);
  console.table(result.rows);
  for (const n of result.notes.slice(1)) console.log(n);
  console.log('');
}
