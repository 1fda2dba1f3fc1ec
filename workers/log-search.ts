// Worker task: scans one chunk of one log file for a literal or a regex and returns its matching entries
// in offset order. Regexes run inside node:vm with a time limit; going over it is a typed result, so the
// gateway answers 422 regex_timeout and this worker stays usable. Gzip files are decompressed whole.
import fs from 'node:fs';
import vm from 'node:vm';
import zlib from 'node:zlib';
import { anchorsOf, scanChunk } from '../gateway/domain/logs/chunk-scan.js';
import type { ChunkFilters, ChunkScanResult, RegexRunner } from '../gateway/domain/logs/chunk-scan.js';
import { buildMatchPlan, type MatchPlan } from '../gateway/domain/logs/log-matcher.js';

export interface LogSearchTask {
  /** The file to read (its real path, checked by the gateway). */
  path: string;
  compressed: boolean;
  /** Entries whose first line starts in [start, end) belong to this chunk (decompressed offsets for gzip). */
  start: number;
  end: number;
  plan: MatchPlan;
  filters: ChunkFilters;
  regexTimeoutMs: number;
}

/** The first chunks of several files in one task (page 1 of a search over many files): fewer round trips
 *  between threads. Chunks are scanned in order; a chunk that cannot be read fails alone. */
export interface LogSearchBatch { chunks: LogSearchTask[] }
/** One result per chunk, in order; it ends early at a regex_timeout (the search ends there). */
export interface LogSearchBatchResult { results: Array<LogSearchTaskResult | { kind: 'failed'; message: string }> }

/** Sent once to each search thread at start-up (WorkerPool.warmUp): loads this module and runs its scanning code
 *  on a few entries made here, so the first search does not pay for either. */
export interface LogSearchWarmUp { warmUp: true }

export type LogSearchTaskResult =
  | ({ kind: 'ok'; /** Bytes in the file (decompressed for gzip). */ fileSize: number } & ChunkScanResult)
  | { kind: 'regex_timeout'; timeoutMs: number };

/** To finish its last entry, a chunk reads on past its end by up to this much. */
export const READ_ON_BYTES = 64 * 1024;

class RegexTimeout extends Error {}

// One buffer per worker, reused by every chunk: no garbage per task and a bounded footprint.
let scratch: Buffer = Buffer.allocUnsafeSlow(0);
function scratchOf(size: number): Buffer {
  if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.max(size, 1 << 20));
  return scratch;
}

function readRange(path: string, from: number, length: number): Buffer {
  const buf = scratchOf(length);
  const fd = fs.openSync(path, 'r');
  try {
    let got = 0;
    while (got < length) {
      const n = fs.readSync(fd, buf, got, length - got, from + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

// A chunk is first read in pieces this small, into one small buffer that stays in the CPU cache, only to
// learn whether its plan's anchor occurs at all: for a rare term most chunks end there. Reading 8 MiB into a
// large buffer and searching it afterwards moves the bytes through memory several times over (write, write
// back, read again), which on a busy machine is what a scan waits for.
const PIECE = 128 * 1024;
let piece: Buffer = Buffer.allocUnsafeSlow(0);

function occursIn(path: string, from: number, to: number, anchors: Buffer[]): boolean {
  const keep = Math.max(...anchors.map((a) => a.length)) - 1; // a match may straddle two pieces
  if (piece.length < PIECE + keep) piece = Buffer.allocUnsafeSlow(PIECE + keep);
  const fd = fs.openSync(path, 'r');
  try {
    let carried = 0;
    for (let pos = from; pos < to; ) {
      const n = fs.readSync(fd, piece, carried, Math.min(PIECE, to - pos), pos);
      if (n === 0) break;
      const filled = carried + n;
      const view = piece.subarray(0, filled);
      for (const anchor of anchors) if (view.indexOf(anchor) !== -1) return true;
      carried = Math.min(keep, filled);
      piece.copy(piece, 0, filled - carried, filled);
      pos += n;
    }
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/** How much of a chunk without its anchor is read for the timestamp of its first entry. */
const HEAD_BYTES = 64 * 1024;

const context = vm.createContext(Object.create(null) as object);
// Every line's first match; runs in the context so `timeout` can stop it.
const scanScript = new vm.Script(`(() => {
  const out = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push(m.index);
    const nl = text.indexOf('\\n', m.index);
    if (nl === -1) break;
    re.lastIndex = nl + 1;
  }
  return out;
})()`);
// Each text's first match, or -1.
const firstInScript = new vm.Script(`(() => {
  const out = [];
  for (let i = 0; i < texts.length; i++) {
    re.lastIndex = 0;
    const m = re.exec(texts[i]);
    out.push(m === null ? -1 : m.index);
  }
  return out;
})()`);

const regexCache = new Map<string, RegExp>();
function compiled(source: string, flags: string): RegExp {
  const key = `${flags}/${source}`;
  let re = regexCache.get(key);
  if (!re) {
    if (regexCache.size > 32) regexCache.clear();
    re = new RegExp(source, flags);
    regexCache.set(key, re);
  }
  return re;
}

/** The time limit holds for the regex's time over the whole chunk (all its windows): each call gets what is left. */
function regexRunner(timeoutMs: number, guarded: boolean): RegexRunner {
  let left = timeoutMs;
  const ctx = context as { text?: string; texts?: string[]; re?: RegExp };
  const run = (script: vm.Script): number[] => {
    const started = performance.now();
    try {
      if (!guarded) return Array.from(script.runInContext(context) as number[]);
      if (left < 1) throw new RegexTimeout();
      return Array.from(script.runInContext(context, { timeout: Math.ceil(left) }) as number[]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new RegexTimeout();
      throw err;
    } finally {
      left -= performance.now() - started;
      ctx.text = '';
      ctx.texts = [];
    }
  };
  return {
    scan: (text, source, flags) => {
      ctx.text = text;
      ctx.re = compiled(source, flags);
      return run(scanScript);
    },
    firstIn: (texts, source, flags) => {
      ctx.texts = texts;
      ctx.re = compiled(source, flags);
      return run(firstInScript);
    },
  };
}

export function searchChunk(task: LogSearchTask): LogSearchTaskResult {
  const guarded = task.plan.kind === 'regex' && task.plan.guarded;
  const run = regexRunner(task.regexTimeoutMs, guarded);
  let buf: Buffer;
  let bufStart: number;
  let fileSize: number;
  if (task.compressed) {
    buf = zlib.gunzipSync(fs.readFileSync(task.path));
    bufStart = 0;
    fileSize = buf.length;
  } else {
    fileSize = fs.statSync(task.path).size;
    bufStart = Math.max(0, task.start - 1);
    const readEnd = Math.min(fileSize, task.end + READ_ON_BYTES);
    const anchors = anchorsOf(task.plan);
    if (anchors && readEnd - bufStart > HEAD_BYTES && !occursIn(task.path, task.start, readEnd, anchors)) {
      // No entry of the chunk can match. Its head still gives the timestamp that bounds what lies below it.
      const head = readRange(task.path, bufStart, HEAD_BYTES);
      const r = scanChunk({ buf: head, bufStart, start: task.start, end: Math.min(task.end, bufStart + head.length) }, task.plan, task.filters, run);
      if (r.firstTs !== null && r.hits.length === 0) {
        return { kind: 'ok', fileSize, hits: [], scannedFrom: task.start, firstTs: r.firstTs, scannedBytes: Math.max(0, Math.min(task.end, fileSize) - task.start) };
      }
    }
    buf = readEnd > bufStart ? readRange(task.path, bufStart, readEnd - bufStart) : Buffer.alloc(0);
  }
  const end = Math.min(task.end, bufStart + buf.length);
  try {
    return { kind: 'ok', fileSize, ...scanChunk({ buf, bufStart, start: task.start, end }, task.plan, task.filters, run) };
  } catch (err) {
    if (err instanceof RegexTimeout) return { kind: 'regex_timeout', timeoutMs: task.regexTimeoutMs };
    throw err;
  }
}

const WARM_UP_TEXT = [
  '{"level":30,"time":1764892800000,"pid":1,"hostname":"box","msg":"request handled timeout id=1"}',
  '2025-12-05T00:00:01: INFO cache miss Timeout id=2',
  '2025-12-05T00:00:02.000Z [error] job failed id=3',
  'Error: job failed',
  '    at handler (/srv/app/src/h.js:1:12)',
].join('\n').repeat(40);

/** Scans entries made here with each kind of plan; returns how many hits it found. */
export function warmUp(): number {
  const buf = Buffer.from(`${WARM_UP_TEXT}\n`, 'latin1');
  const filters = { minLevel: null, from: null, to: null, maxHits: 100 };
  let hits = 0;
  for (const query of [
    { q: 'timeout', regex: false, caseSensitive: false },
    { q: 'id=2', regex: false, caseSensitive: true },
    { q: 'id=[0-9]+', regex: true, caseSensitive: true },
    { q: '', regex: false, caseSensitive: false },
  ]) {
    const plan = buildMatchPlan(query);
    const run = regexRunner(1_000, plan.kind === 'regex' && plan.guarded);
    hits += scanChunk({ buf, bufStart: 0, start: 0, end: buf.length }, plan, filters, run).hits.length;
  }
  return hits;
}

export function searchBatch(batch: LogSearchBatch): LogSearchBatchResult {
  const results: LogSearchBatchResult['results'] = [];
  for (const task of batch.chunks) {
    try {
      const r = searchChunk(task);
      results.push(r);
      if (r.kind === 'regex_timeout') break;
    } catch (err) {
      results.push({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { results };
}

export default function logSearch({ payload }: { payload: LogSearchTask | LogSearchBatch | LogSearchWarmUp }): LogSearchTaskResult | LogSearchBatchResult | { kind: 'warm'; hits: number } {
  if ('warmUp' in payload) return { kind: 'warm', hits: warmUp() };
  if ('chunks' in payload) return searchBatch(payload);
  return searchChunk(payload);
}
