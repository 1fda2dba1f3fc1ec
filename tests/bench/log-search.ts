// Log search against GNU grep on the same files: a corpus of mixed-format logs (pino JSON, PM2-prefixed,
// plain text with stack traces) over 20 files, warm cache; the real LogSearch coordinator and the real
// worker pool in a process of their own (log-search-host.ts), whose memory and event-loop lag are measured.
// grep's output goes into a pipe (to /dev/null GNU grep stops at the first match).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LogSearchRequest } from '../../gateway/domain/logs/log-search.js';
import type { HostReply, HostRequest } from './log-search-host.js';
import { rngFrom } from '../../webhook/simulator.js';

const FILES = 20;
const ROUNDS = 5;
export const RARE = 'zq-canary-7731';

const WORDS = ['request', 'handled', 'user', 'session', 'cache', 'miss', 'queue', 'job', 'render', 'upload', 'token', 'refresh', 'payment', 'webhook', 'retry', 'timeout', 'connected', 'closed', 'sheet', 'row'];

export function writeCorpus(dir: string, totalBytes: number): string[] {
  const perFile = Math.floor(totalBytes / FILES);
  const end = Date.now() - 60_000;
  const files: string[] = [];
  for (let f = 0; f < FILES; f++) {
    const rand = rngFrom(f + 1);
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
export function timeGrep(args: string[], files: string[]): Promise<{ ms: number; count: number }> {
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

/** VmRSS and VmHWM (the kernel's high-water mark of the resident set) of a process, in bytes. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** The searching process (log-search-host.ts), driven over IPC. */
async function startHost(dir: string): Promise<{ pid: number; call<T extends HostReply>(msg: DistributiveOmit<HostRequest, 'id'>): Promise<T>; stop(): Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./log-search-host.ts', import.meta.url)), [dir], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, (reply: HostReply) => void>();
  child.on('message', (reply: HostReply) => {
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  await new Promise<void>((resolve, reject) => {
    waiting.set(0, () => resolve());
    child.once('exit', (code) => reject(new Error(`the search host exited (${code})`)));
  });
  let next = 1;
  const call = <T extends HostReply>(msg: DistributiveOmit<HostRequest, 'id'>): Promise<T> => new Promise((resolve, reject) => {
    const id = next++;
    waiting.set(id, (reply) => (reply.op === 'error' ? reject(new Error(reply.message)) : resolve(reply as T)));
    child.send({ ...msg, id });
  });
  return {
    pid: child.pid!,
    call,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      await call({ op: 'close' }).catch(() => undefined);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill();
    },
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type SearchReply = Extract<HostReply, { op: 'search' }>;

export async function measureLogSearch(totalBytes: number): Promise<{ rows: LogSearchBenchRow[]; notes: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-bench-logs-'));
  const rows: LogSearchBenchRow[] = [];
  const notes: string[] = [];
  let host: Awaited<ReturnType<typeof startHost>> | null = null;
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const loadBefore = load();
  try {
    const t0 = performance.now();
    const files = writeCorpus(dir, totalBytes);
    const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    notes.push(`Corpus: ${FILES} files, ${(bytes / 2 ** 20).toFixed(0)} MiB (pino JSON, PM2-prefixed, plain with stack traces), written in ${((performance.now() - t0) / 1000).toFixed(1)} s by the benchmark process; the searches run in a fresh process of their own (the gateway's pool and LogSearch, under tsx).`);
    // Warm: page cache (grep reads everything once), then the search process and its worker threads.
    await timeGrep(['-c', '-F', 'warm-up-nothing'], files);
    host = await startHost(dir);
    const h = host;
    const search = (req: Partial<LogSearchRequest>, interactive = false) => h.call<SearchReply>({ op: 'search', req, interactive });
    await search({ q: 'warm-up-nothing', caseSensitive: true });
    await search({ q: 'warm-up' }, true);

    const before = memoryOf(h.pid).rss;
    let rssPeak = before;
    const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, memoryOf(h.pid).rss)), 20);
    await h.call({ op: 'lag-start' }); // grep runs in a child process: the search process is measured all along
    // Ours and grep take turns, so a burst of other work on the machine falls on both alike; best of ROUNDS.
    const compare = async (name: string, p: Partial<LogSearchRequest>, grepArgs: string[], target: number) => {
      const ours = [] as number[];
      const grep = [] as number[];
      let hits = 0;
      let count = 0;
      for (let i = 0; i < ROUNDS; i++) {
        const r = await search(p);
        ours.push(r.ms);
        hits = r.hits;
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

    // Time to the first page of 100 newest hits for a common term, with the interactive budget: right after the
    // scans above (threads warm), then after 6 s without work (the pool's idle time-out has passed).
    const firstPage = async (runs: number) => {
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const r = await search({ q: 'timeout' }, true);
        ms.push(r.ms);
        if (r.hits !== 100) notes.push(`first page had ${r.hits} hits`);
      }
      return ms.sort((a, b) => a - b);
    };
    const warm = await firstPage(9);
    rows.push({ case: 'first page, 100 newest "timeout"', oursMs: Math.round(warm[4]!), grepMs: '—', ratio: '—', target: '≤ 100 ms', hits: `median of 9 (min ${Math.round(warm[0]!)}, max ${Math.round(warm[8]!)} ms)` });
    const idle: number[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 6_000));
      idle.push(...(await firstPage(1)));
    }
    idle.sort((a, b) => a - b);
    rows.push({ case: 'first page after 6 s idle', oursMs: Math.round(idle[1]!), grepMs: '—', ratio: '—', target: '≤ 100 ms', hits: `median of 3 (min ${Math.round(idle[0]!)}, max ${Math.round(idle[2]!)} ms)` });
    clearInterval(rssTimer);
    const lag = await h.call<Extract<HostReply, { op: 'lag' }>>({ op: 'lag-stop' });
    const mem = memoryOf(h.pid);
    notes.push(`Search process event-loop lag during the searches: p99 ${lag.p99Ms.toFixed(1)} ms, max ${lag.maxMs.toFixed(1)} ms (target p99 < 20 ms).`);
    notes.push(`Machine load average (1, 5, 15 min): ${loadBefore} before the corpus was written, ${load()} at the end (other work on the machine skews the timings).`);
    notes.push(`Search process RSS, read from /proc (main thread + pool threads): ${(before / 2 ** 20).toFixed(0)} MB before the searches (threads warm), ${(rssPeak / 2 ** 20).toFixed(0)} MB peak sampled every 20 ms, ${(mem.hwm / 2 ** 20).toFixed(0)} MB kernel high-water mark over its whole life (target < 300 MB).`);
  } finally {
    await host?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { rows, notes };
}

export function printLogSearch(result: { rows: LogSearchBenchRow[]; notes: string[] }): void {
  console.log(`Log search vs grep (warm cache, both cores, best of ${ROUNDS}, taking turns; grep -c into a pipe):`);
  for (const n of result.notes.slice(0, 1)) console.log(n);
  console.table(result.rows);
  for (const n of result.notes.slice(1)) console.log(n);
  console.log('');
}
