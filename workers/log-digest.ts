// Worker task: reads one byte range of one log file, cuts it into entries (log-format), and returns the
// fingerprinted error entries and the per-minute counts by level: the log digest's backfill of what was
// written before the gateway started. Plain data in, plain data out.
import fs from 'node:fs';
import { parseEntry, splitEntries, isContinuationLine } from '../gateway/domain/logs/log-format.js';
import { fingerprintEntry } from '../gateway/domain/logs/error-groups.js';
import type { FingerprintedError } from '../gateway/domain/logs/error-groups.js';
import { countEntries } from '../gateway/domain/logs/log-rates.js';
import type { RateCount } from '../gateway/domain/logs/log-rates.js';
import type { LogLevel } from '../gateway/domain/logs/log-levels.js';

export interface LogDigestTask {
  path: string;
  source: string;
  /** `dev:ino` the file must still have; another file at the path (rotated meanwhile) gives `stale`. */
  ident: string;
  /** Entries whose first line starts in [start, end) belong to this range. */
  start: number;
  end: number;
  /** Entries older than this (ms epoch) are not counted. */
  since: number;
}

export type LogDigestTaskResult =
  | { kind: 'ok'; entries: number; errors: FingerprintedError[]; rates: RateCount[] }
  | { kind: 'stale' };

/** To finish its last entry, a range reads on past its end by up to this much. */
export const READ_ON_BYTES = 64 * 1024;

interface DigestedEntry {
  ts: string;
  level: LogLevel | null;
  source: string;
  message: string;
  file: string;
  offset: number;
}

/**
 * The entries owned by a block read at file offset `base` up to `end`. With `skipFirstLine` (a range that does
 * not start the file; its block starts one byte before the range) the block's first line is skipped, which is
 * just that byte when it is a newline, and so are leading continuation lines: they belong to the range before.
 * An entry without a time takes the next later entry's time, else the file's mtime.
 */
export function digestBlock(block: Buffer, base: number, skipFirstLine: boolean, end: number, where: { source: string; file: string; mtimeMs: number; since: number }): { entries: number; errors: FingerprintedError[]; rates: RateCount[] } {
  let from = 0;
  if (skipFirstLine) {
    const nl = block.indexOf(0x0a);
    from = nl === -1 ? block.length : nl + 1;
  }
  const spans = splitEntries(block.subarray(from), base + from).filter((s) => s.offset < end);
  if (skipFirstLine && spans.length > 0 && isContinuationLine(spans[0]!.text.split('\n', 1)[0]!)) spans.shift();
  const parsed = spans.map((span) => ({ span, entry: parseEntry(span.text) }));
  const out: DigestedEntry[] = [];
  let later = where.mtimeMs;
  for (let i = parsed.length - 1; i >= 0; i--) {
    const { span, entry } = parsed[i]!;
    const t = entry.ts ?? later;
    later = t;
    if (t < where.since) continue;
    out.push({ ts: new Date(t).toISOString(), level: entry.level, source: where.source, message: entry.message, file: where.file, offset: span.offset });
  }
  out.reverse();
  const errors: FingerprintedError[] = [];
  for (const e of out) {
    const f = fingerprintEntry(e);
    if (f) errors.push(f);
  }
  return { entries: out.length, errors, rates: countEntries(out) };
}

export default function logDigest({ payload }: { payload: LogDigestTask }): LogDigestTaskResult {
  const fd = fs.openSync(payload.path, 'r');
  try {
    const st = fs.fstatSync(fd);
    if (`${st.dev}:${st.ino}` !== payload.ident) return { kind: 'stale' };
    const readFrom = Math.max(0, payload.start - 1);
    const readTo = Math.min(st.size, payload.end + READ_ON_BYTES);
    if (readTo <= readFrom) return { kind: 'ok', entries: 0, errors: [], rates: [] };
    const buf = Buffer.allocUnsafe(readTo - readFrom);
    let got = 0;
    while (got < buf.length) {
      const n = fs.readSync(fd, buf, got, buf.length - got, readFrom + got);
      if (n === 0) break;
      got += n;
    }
    const block = buf.subarray(0, got);
    const where = { source: payload.source, file: payload.path, mtimeMs: st.mtimeMs, since: payload.since };
    // One byte early, so a range starting right after a newline is told from one starting inside a line.
    return { kind: 'ok', ...digestBlock(block, readFrom, payload.start > 0, payload.end, where) };
  } finally {
    fs.closeSync(fd);
  }
}
