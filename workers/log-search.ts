// Worker task: scans one chunk of one log file for a literal or a regex and returns its matching entries
// in offset order. Regexes run inside node:vm with a time limit; going over it is a typed result, so the
// gateway answers 422 regex_timeout and this worker stays usable. Gzip files are decompressed whole.
import fs from 'node:fs';
import vm from 'node:vm';
import zlib from 'node:zlib';
import { scanChunk } from '../gateway/domain/logs/chunk-scan.js';
import type { ChunkFilters, ChunkScanResult, RegexRunner } from '../gateway/domain/logs/chunk-scan.js';
import type { MatchPlan } from '../gateway/domain/logs/log-matcher.js';

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

const context = vm.createContext(Object.create(null) as object);
// Every line's first match (or each range's first match); runs in the context so `timeout` can stop it.
const script = new vm.Script(`(() => {
  const out = [];
  if (ranges === null) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      out.push(m.index);
      const nl = text.indexOf('\\n', m.index);
      if (nl === -1) break;
      re.lastIndex = nl + 1;
    }
  } else {
    for (let i = 0; i < ranges.length; i += 2) {
      re.lastIndex = 0;
      const m = re.exec(text.slice(ranges[i], ranges[i + 1]));
      if (m !== null) out.push(ranges[i] + m.index);
    }
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

function regexRunner(timeoutMs: number, guarded: boolean): RegexRunner {
  return (text, source, flags, ranges) => {
    const ctx = context as { text?: string; re?: RegExp; ranges?: number[] | null };
    ctx.text = text;
    ctx.re = compiled(source, flags);
    ctx.ranges = ranges;
    try {
      const positions = guarded ? script.runInContext(context, { timeout: timeoutMs }) : script.runInContext(context);
      return Array.from(positions as number[]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new RegexTimeout();
      throw err;
    } finally {
      ctx.text = '';
      ctx.ranges = null;
    }
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

export default function logSearch({ payload }: { payload: LogSearchTask }): LogSearchTaskResult {
  return searchChunk(payload);
}
