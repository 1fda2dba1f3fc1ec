// Journal segment files: names (<YYYY-MM-DD>[.<n>].jsonl), listing in journal order, torn-tail repair,
// retention planning and durable-write helpers.
// No state here, so both the writer (journal.ts) and the worker-side reader can use it.
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_FILE_MODE } from './private-files.js';

export const STREAM_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const SEGMENT_NAME = /^(\d{4}-\d{2}-\d{2})(?:\.([1-9]\d{0,8}))?\.jsonl$/;
const TAIL_BLOCK = 64 * 1024;

/** A segment inside one stream directory; `index` 0 is the day's first file, n ≥ 1 the roll-overs. */
export interface SegmentRef {
  name: string;
  date: string;
  index: number;
}

/** Directories under the journal root that are not streams (journal-quarantine.ts). */
const NOT_STREAMS = new Set(['quarantine']);

export function assertStreamName(stream: unknown): asserts stream is string {
  if (typeof stream !== 'string' || !STREAM_NAME.test(stream) || NOT_STREAMS.has(stream)) {
    throw new TypeError(`invalid journal stream name ${JSON.stringify(stream)}: must match ${STREAM_NAME}`);
  }
}

export function segmentName(date: string, index: number): string {
  return index === 0 ? `${date}.jsonl` : `${date}.${index}.jsonl`;
}

export function parseSegmentName(name: string): SegmentRef | null {
  const m = SEGMENT_NAME.exec(name);
  return m ? { name, date: m[1]!, index: m[2] ? Number(m[2]) : 0 } : null;
}

/** Journal order: by date, then roll-over index. */
export function compareSegments(a: SegmentRef, b: SegmentRef): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  return a.index - b.index;
}

/** UTC calendar date of a time in ms. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Segments of one stream directory in journal order; a missing directory is an empty stream. */
export async function listSegments(streamDir: string): Promise<SegmentRef[]> {
  let names: string[];
  try {
    names = await fs.readdir(streamDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const segments: SegmentRef[] = [];
  for (const name of names) {
    const ref = parseSegmentName(name);
    if (ref) segments.push(ref);
  }
  return segments.sort(compareSegments);
}

/** Stream directories under the journal root. */
export async function listStreams(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && STREAM_NAME.test(e.name) && !NOT_STREAMS.has(e.name)).map((e) => e.name).sort();
}

/** Offset of the last '\n' strictly before `end`, or -1; reads backwards in blocks to keep memory flat. */
async function lastNewlineBefore(handle: FileHandle, end: number): Promise<number> {
  const block = Buffer.allocUnsafe(TAIL_BLOCK);
  let pos = end;
  while (pos > 0) {
    const start = Math.max(0, pos - TAIL_BLOCK);
    const { bytesRead } = await handle.read(block, 0, pos - start, start);
    const nl = block.subarray(0, bytesRead).lastIndexOf(10);
    if (nl !== -1) return start + nl;
    pos = start;
  }
  return -1;
}

async function freeTornName(file: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = `${file}.torn-${n}`;
    try {
      await fs.access(candidate);
    } catch {
      return candidate;
    }
  }
}

export interface TornTail {
  file: string;
  offset: number;
  bytes: number;
}

/**
 * A crash mid-write can leave a last line without its newline or with garbage. That tail is copied to
 * `<segment>.torn-<n>` (kept for inspection) and truncated away, so appends continue on a clean line.
 */
export async function repairTornTail(file: string): Promise<TornTail | null> {
  const handle = await fs.open(file, 'r+');
  try {
    const size = (await handle.stat()).size;
    if (size === 0) return null;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    let tornFrom: number;
    if (last[0] !== 10) {
      tornFrom = (await lastNewlineBefore(handle, size)) + 1;
    } else {
      const lineStart = (await lastNewlineBefore(handle, size - 1)) + 1;
      const line = Buffer.alloc(size - 1 - lineStart);
      await handle.read(line, 0, line.length, lineStart);
      if (line.length === 0 || isJsonObjectLine(line)) return null;
      tornFrom = lineStart;
    }
    const torn = Buffer.alloc(size - tornFrom);
    await handle.read(torn, 0, torn.length, tornFrom);
    const copy = await freeTornName(file);
    const copyHandle = await fs.open(copy, 'wx', PRIVATE_FILE_MODE);
    try {
      await copyHandle.writeFile(torn);
      await copyHandle.sync();
    } finally {
      await copyHandle.close();
    }
    await handle.truncate(tornFrom);
    await handle.sync();
    return { file, offset: tornFrom, bytes: torn.length };
  } finally {
    await handle.close();
  }
}

function isJsonObjectLine(line: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(line.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

export interface StoredSegment extends SegmentRef {
  stream: string;
  file: string;
  size: number;
}

/** Every segment of every stream with its size; per stream in journal order. */
export async function listAllSegments(dir: string): Promise<StoredSegment[]> {
  const all: StoredSegment[] = [];
  for (const stream of await listStreams(dir)) {
    for (const segment of await listSegments(path.join(dir, stream))) {
      const file = path.join(dir, stream, segment.name);
      const stat = await fs.stat(file).catch(() => null);
      if (stat?.isFile()) all.push({ ...segment, stream, file, size: stat.size });
    }
  }
  return all;
}

/** Repairs the torn tail of every segment (see repairTornTail); run before the journal takes appends. */
export async function recoverJournal(dir: string): Promise<{ segments: number; tornLines: TornTail[] }> {
  const tornLines: TornTail[] = [];
  const segments = await listAllSegments(dir);
  for (const segment of segments) {
    const torn = await repairTornTail(segment.file);
    if (torn) tornLines.push(torn);
  }
  return { segments: segments.length, tornLines };
}

const DAY_MS = 86_400_000;

/**
 * Which segments retention removes: those dated before the window, then the oldest while the total is over
 * budget. The newest segment of each stream and any segment `isActive` says is being written are kept.
 * A stream in `minDays` keeps its segments at least that many days: the budget never removes a younger one (and
 * takes its older ones only after every other stream's), and its age window is the longer of the two.
 */
export function planRetention(
  segments: StoredSegment[],
  opts: { now: number; retentionDays?: number; maxTotalBytes?: number; minDays?: Readonly<Record<string, number>>; isActive(segment: StoredSegment): boolean },
): StoredSegment[] {
  const dayBefore = (days: number): string => utcDate(opts.now - days * DAY_MS);
  const minDaysOf = (stream: string): number | undefined => opts.minDays?.[stream];
  const expired = (s: StoredSegment): boolean => {
    if (opts.retentionDays === undefined) return false;
    return s.date < dayBefore(Math.max(opts.retentionDays, minDaysOf(s.stream) ?? 0));
  };
  const shielded = (s: StoredSegment): boolean => {
    const min = minDaysOf(s.stream);
    return min !== undefined && s.date >= dayBefore(min);
  };
  const newest = new Map<string, StoredSegment>();
  let total = 0;
  for (const s of segments) {
    total += s.size;
    const current = newest.get(s.stream);
    if (!current || compareSegments(s, current) > 0) newest.set(s.stream, s);
  }
  const candidates = segments
    .filter((s) => newest.get(s.stream) !== s && !opts.isActive(s))
    .sort((a, b) => compareSegments(a, b) || (a.stream < b.stream ? -1 : 1));
  const doomed: StoredSegment[] = [];
  const kept: StoredSegment[] = [];
  for (const s of candidates) {
    if (expired(s)) {
      doomed.push(s);
      total -= s.size;
    } else {
      kept.push(s);
    }
  }
  if (opts.maxTotalBytes === undefined) return doomed;
  // Over budget: the oldest first, streams with a minimum age last, and never a segment inside that age.
  const bySize = [...kept.filter((s) => minDaysOf(s.stream) === undefined), ...kept.filter((s) => minDaysOf(s.stream) !== undefined && !shielded(s))];
  for (const s of bySize) {
    if (total <= opts.maxTotalBytes) break;
    doomed.push(s);
    total -= s.size;
  }
  return doomed;
}

/** Makes a new file name durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the segment data itself is fsync'd
  } finally {
    await handle.close();
  }
}

/** FileHandle.write may write less than asked; loop until the whole buffer is out. */
export async function writeAll(handle: FileHandle, buf: Buffer): Promise<void> {
  for (let done = 0; done < buf.length; ) {
    const { bytesWritten } = await handle.write(buf, done, buf.length - done);
    done += bytesWritten;
  }
}
