// Context of a search hit: the entries before and after the entry at an offset. Pure over a read
// function, so the worker task (workers/log-context.ts) only supplies the bytes.
import type { WorkerPool } from '../../pool/worker-pool.js';
import { ApiError } from '../../http/api-error.js';
import type { LogLevel } from './log-levels.js';
import { isContinuationBytes, parseEntry, splitEntries, type EntrySpan } from './log-format.js';

export interface ContextTask {
  path: string;
  compressed: boolean;
  offset: number;
  before: number;
  after: number;
  /** Time for entries without a timestamp and none later in the window (epoch ms). */
  mtimeMs: number;
}

export interface ContextEntry {
  ts: string | null;
  tsInferred?: true;
  level: LogLevel | null;
  message: string;
  offset: number;
  length: number;
}

export type ContextResult =
  | { kind: 'ok'; entries: ContextEntry[]; hitIndex: number; hasBefore: boolean; hasAfter: boolean }
  | { kind: 'out_of_range'; size: number };

const FIRST_WINDOW = 256 * 1024;
const MAX_WINDOW = 32 * 1024 * 1024;

export function readContext(task: ContextTask, size: number, read: (from: number, to: number) => Buffer): ContextResult {
  if (task.offset >= size) return { kind: 'out_of_range', size };
  for (let window = FIRST_WINDOW; ; window *= 2) {
    const lo = Math.max(0, task.offset - window);
    const hi = Math.min(size, task.offset + window);
    const buf = read(lo, hi);
    // Start at the first whole entry of the window.
    let first = 0;
    if (lo > 0) {
      const nl = buf.indexOf(0x0a);
      first = nl === -1 ? buf.length : nl + 1;
      while (first < buf.length && first <= task.offset - lo) {
        const nl2 = buf.indexOf(0x0a, first);
        const end = nl2 === -1 ? buf.length : nl2;
        if (!isContinuationBytes(buf, first, end)) break;
        first = nl2 === -1 ? buf.length : nl2 + 1;
      }
    }
    let entries = splitEntries(buf.subarray(first), lo + first);
    // The window's last entry may go on past it.
    if (hi < size && entries.length > 0) entries = entries.slice(0, -1);
    let hitIndex = -1;
    for (let i = 0; i < entries.length && entries[i]!.offset <= task.offset; i++) hitIndex = i;
    const enough = hitIndex >= 0 && (hitIndex >= task.before || lo === 0) && (entries.length - 1 - hitIndex >= task.after || hi === size);
    if (!enough && window < MAX_WINDOW && (lo > 0 || hi < size)) continue;
    if (hitIndex < 0) return { kind: 'ok', entries: [], hitIndex: -1, hasBefore: lo > 0, hasAfter: hi < size };
    const from = Math.max(0, hitIndex - task.before);
    const to = Math.min(entries.length, hitIndex + task.after + 1);
    return {
      kind: 'ok',
      entries: toContextEntries(entries, from, to, task.mtimeMs),
      hitIndex: hitIndex - from,
      hasBefore: from > 0 || lo + first > 0,
      hasAfter: to < entries.length || hi < size,
    };
  }
}

function toContextEntries(all: EntrySpan[], from: number, to: number, mtimeMs: number): ContextEntry[] {
  // Newest first, so an entry without a timestamp takes the nearest later one.
  let later: number | null = null;
  for (let i = all.length - 1; i >= to; i--) {
    const ts = parseEntry(all[i]!.text).ts;
    if (ts !== null) {
      later = ts;
      break;
    }
  }
  const out: ContextEntry[] = [];
  for (let i = to - 1; i >= from; i--) {
    const span = all[i]!;
    const parsed = parseEntry(span.text);
    const e: ContextEntry = { ts: null, level: parsed.level, message: parsed.message, offset: span.offset, length: span.length };
    if (parsed.ts !== null) {
      e.ts = new Date(parsed.ts).toISOString();
      later = parsed.ts;
    } else {
      e.ts = new Date(later ?? mtimeMs).toISOString();
      e.tsInferred = true;
    }
    out.push(e);
  }
  return out.reverse();
}

export interface LogContextPage {
  file: string;
  source: string;
  entries: ContextEntry[];
  hitIndex: number;
  hasBefore: boolean;
  hasAfter: boolean;
}

/** Reads the context in the pool; 416 when the offset lies past the end of the file. */
export async function logContext(
  pool: WorkerPool,
  where: { file: string; source: string; realPath: string; compressed: boolean; mtimeMs: number },
  offset: number,
  before: number,
  after: number,
): Promise<LogContextPage> {
  const task: ContextTask = { path: where.realPath, compressed: where.compressed, offset, before, after, mtimeMs: where.mtimeMs };
  const r = await pool.run<ContextResult>('log-context', task);
  if (r.kind === 'out_of_range') {
    throw new ApiError(416, 'offset_out_of_range', `The offset ${offset} lies beyond the end of the file (${r.size} bytes).`, { offset, size: r.size });
  }
  return { file: where.file, source: where.source, entries: r.entries, hitIndex: r.hitIndex, hasBefore: r.hasBefore, hasAfter: r.hasAfter };
}
