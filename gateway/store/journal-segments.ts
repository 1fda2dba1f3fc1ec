// Journal segment files: names (<YYYY-MM-DD>[.<n>].jsonl), listing in journal order, and torn-tail repair.
// No state here, so both the writer (journal.ts) and the worker-side reader can use it.
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

export const STREAM_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const SEGMENT_NAME = /^(\d{4}-\d{2}-\d{2})(?:\.([1-9]\d{0,8}))?\.jsonl$/;
const TAIL_BLOCK = 64 * 1024;

/** A segment inside one stream directory; `index` 0 is the day's first file, n ≥ 1 the roll-overs. */
export interface SegmentRef {
  name: string;
  date: string;
  index: number;
}

export function assertStreamName(stream: unknown): asserts stream is string {
  if (typeof stream !== 'string' || !STREAM_NAME.test(stream)) {
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
  return entries.filter((e) => e.isDirectory() && STREAM_NAME.test(e.name)).map((e) => e.name).sort();
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
    const copyHandle = await fs.open(copy, 'wx');
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

/** A segment's path relative to the journal root, as reported by retention and recovery. */
export function segmentPath(dir: string, stream: string, name: string): string {
  return path.join(dir, stream, name);
}
