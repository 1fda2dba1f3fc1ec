// Reads one journal stream by time range and cursor, in either order, with bounded memory (1 MiB blocks).
// Pure I/O with no shared state, so it runs unchanged inside a worker thread (workers/journal-read.ts).
// A line it cannot use (not JSON, not an entry, nested past the document limit, too long) is skipped and
// reported with its place in `journalIssues`, for the quarantine (journal-quarantine.ts).
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { assertStreamName, compareSegments, listSegments, parseSegmentName } from './journal-segments.js';
import type { SegmentRef } from './journal-segments.js';
import { MAX_DOCUMENT_DEPTH, tooDeep } from '../json-limits.js';

export interface JournalEntry {
  ts: string;
  [field: string]: unknown;
}

export type JournalMatch = Record<string, string | number | boolean>;

export interface JournalQuery {
  stream: string;
  /** Inclusive bounds on the entry's ts (ISO). */
  from?: string;
  to?: string;
  /** nextCursor of the previous page, for the same order. */
  cursor?: string;
  limit: number;
  order: 'asc' | 'desc';
  /** Equality on top-level fields. */
  match?: JournalMatch;
  /** Also return where each item sits (`positions`), so a reader can report a line it could not use. */
  locate?: boolean;
}

/** Where a line sits: its segment file in the stream's directory, its byte offset and length (without '\n'). */
export interface JournalLocation {
  segment: string;
  offset: number;
  bytes: number;
}

/** Where each item of a page sits, as parallel arrays (no object per item: replays read millions). */
export interface JournalPositions {
  segments: string[];
  offsets: number[];
  bytes: number[];
}

export function positionOf(p: JournalPositions, index: number): JournalLocation {
  return { segment: p.segments[index]!, offset: p.offsets[index]!, bytes: p.bytes[index]! };
}

/**
 * A line a reader could not use. `corrupt`: the reader itself could not (not JSON, not an entry, past the JSON
 * limits); `invalid`: it parsed, but the task reading it found it is not what the stream holds or could not
 * replay it.
 */
export interface JournalIssue extends JournalLocation {
  stream: string;
  kind: 'corrupt' | 'invalid';
  reason: string;
}

export interface JournalPage {
  items: JournalEntry[];
  /** null when the range is exhausted; otherwise the next page starts right after the last item. */
  nextCursor: string | null;
  /** Unusable lines met while scanning (skipped, never fatal). */
  skippedLines: number;
  /** The first MAX_PAGE_ISSUES of those, with their places. */
  journalIssues: JournalIssue[];
  /** With `locate`: where each item sits (positionOf(positions, i)). */
  positions?: JournalPositions;
}

/** Longer lines are not parsed (the writer never makes one: request bodies are at most 1 MiB). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;
export const MAX_PAGE_ISSUES = 1000;

const BLOCK = 1024 * 1024;
const EMPTY = Buffer.alloc(0);
const TS_PREFIX = Buffer.from('{"ts":"');

interface Cursor {
  segment: SegmentRef;
  offset: number;
  order: 'asc' | 'desc';
}

/** Opaque to callers: base64url of {o: order, s: segment file, p: byte offset of the next line boundary}. */
export function encodeCursor(segment: string, offset: number, order: 'asc' | 'desc'): string {
  return Buffer.from(JSON.stringify({ o: order === 'asc' ? 'a' : 'd', s: segment, p: offset })).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new RangeError('invalid journal cursor');
  }
  const fields = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const segment = typeof fields.s === 'string' ? parseSegmentName(fields.s) : null;
  const offset = fields.p;
  if (!segment || !Number.isSafeInteger(offset) || (offset as number) < 0 || (fields.o !== 'a' && fields.o !== 'd')) {
    throw new RangeError('invalid journal cursor');
  }
  return { segment, offset: offset as number, order: fields.o === 'a' ? 'asc' : 'desc' };
}

function canonicalBound(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`invalid ${name}: ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

const SKIP = null;
class Bad {
  constructor(readonly reason: string) {}
}
const NOT_JSON = new Bad('not JSON');
const NOT_ENTRY = new Bad('not a JSON object with a string ts');
const TOO_DEEP = new Bad(`nested deeper than ${MAX_DOCUMENT_DEPTH} levels`);
const TOO_LONG = new Bad(`longer than ${MAX_LINE_BYTES} bytes`);

/** Decides per line; cheap byte checks first so most non-matching lines are never JSON-parsed. */
class LineFilter {
  readonly #from?: string;
  readonly #to?: string;
  readonly #match: Array<[string, string | number | boolean]>;
  readonly #needles: Buffer[];

  constructor(from: string | undefined, to: string | undefined, match: JournalMatch | undefined) {
    this.#from = from;
    this.#to = to;
    this.#match = Object.entries(match ?? {});
    // Lines are written by JSON.stringify, so a matching value appears in the line exactly like this.
    this.#needles = this.#match.map(([, v]) => Buffer.from(JSON.stringify(v)));
  }

  #outOfRange(ts: string): boolean {
    return (this.#from !== undefined && ts < this.#from) || (this.#to !== undefined && ts > this.#to);
  }

  accept(line: Buffer): JournalEntry | typeof SKIP | Bad {
    if (line.length === 0) return SKIP;
    if (line.length > MAX_LINE_BYTES) return TOO_LONG;
    for (const needle of this.#needles) if (line.indexOf(needle) === -1) return SKIP;
    if ((this.#from !== undefined || this.#to !== undefined) && line.subarray(0, TS_PREFIX.length).equals(TS_PREFIX)) {
      const end = line.indexOf(34, TS_PREFIX.length);
      if (end !== -1 && this.#outOfRange(line.toString('latin1', TS_PREFIX.length, end))) return SKIP;
    }
    let entry: unknown;
    try {
      entry = JSON.parse(line.toString('utf8'));
    } catch {
      return NOT_JSON;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return NOT_ENTRY;
    const record = entry as Record<string, unknown>;
    if (typeof record.ts !== 'string') return NOT_ENTRY;
    // A worker hands its items back by structured clone, which recurses: a deep line would never arrive.
    if (tooDeep(record, MAX_DOCUMENT_DEPTH)) return TOO_DEEP;
    if (this.#outOfRange(record.ts)) return SKIP;
    for (const [key, value] of this.#match) if (record[key] !== value) return SKIP;
    return record as JournalEntry;
  }
}

interface Scan {
  stream: string;
  filter: LineFilter;
  limit: number;
  items: JournalEntry[];
  skippedLines: number;
  issues: JournalIssue[];
  positions: JournalPositions | null;
}

/** Takes one line's verdict; true when the page is full. */
function take(scan: Scan, verdict: JournalEntry | typeof SKIP | Bad, segment: string, offset: number, bytes: number): boolean {
  if (verdict === SKIP) return false;
  if (verdict instanceof Bad) {
    scan.skippedLines++;
    if (scan.issues.length < MAX_PAGE_ISSUES) scan.issues.push({ stream: scan.stream, segment, offset, bytes, kind: 'corrupt', reason: verdict.reason });
    return false;
  }
  if (scan.positions) {
    scan.positions.segments.push(segment);
    scan.positions.offsets.push(offset);
    scan.positions.bytes.push(bytes);
  }
  return scan.items.push(verdict) >= scan.limit;
}

/** Reads [position, position+length) fully (a short read only at end of file). */
async function readAt(handle: FileHandle, buf: Buffer, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

async function openForRead(file: string): Promise<FileHandle | null> {
  try {
    return await fs.open(file, 'r');
  } catch (err) {
    // Retention may remove a segment between listing and opening: it simply has nothing left to give.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Oldest first from `start`; returns the offset after the item that filled the page, else null. */
async function scanForward(file: string, segment: string, start: number, scan: Scan): Promise<number | null> {
  const handle = await openForRead(file);
  if (!handle) return null;
  try {
    const block = Buffer.allocUnsafe(BLOCK);
    let carry = EMPTY;
    let dataStart = start; // file offset of data[0]
    let pos = start;
    for (;;) {
      const bytesRead = await readAt(handle, block, BLOCK, pos);
      // A trailing line without '\n' is still being written (or torn): never returned.
      if (bytesRead === 0) return null;
      pos += bytesRead;
      const data = carry.length ? Buffer.concat([carry, block.subarray(0, bytesRead)]) : block.subarray(0, bytesRead);
      let lineStart = 0;
      for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, lineStart)) {
        const verdict = scan.filter.accept(data.subarray(lineStart, nl));
        const full = take(scan, verdict, segment, dataStart + lineStart, nl - lineStart);
        lineStart = nl + 1;
        if (full) return dataStart + lineStart;
      }
      carry = Buffer.from(data.subarray(lineStart)); // copy: `block` is reused
      dataStart += lineStart;
    }
  } finally {
    await handle.close();
  }
}

/** Newest first, lines ending at or before `end`; returns the start offset of the item that filled the page. */
async function scanBackward(file: string, segment: string, end: number | undefined, scan: Scan): Promise<number | null> {
  const handle = await openForRead(file);
  if (!handle) return null;
  try {
    const size = (await handle.stat()).size;
    const block = Buffer.allocUnsafe(BLOCK);
    let pos = end === undefined ? size : Math.min(end, size);
    let tail = EMPTY; // bytes of a line that starts in an earlier block
    let seenLastNewline = false;
    while (pos > 0) {
      const start = Math.max(0, pos - BLOCK);
      const bytesRead = await readAt(handle, block, pos - start, start);
      const head = block.subarray(0, bytesRead);
      const data = tail.length ? Buffer.concat([head, tail]) : head; // data[0] is at file offset `start`
      let lineEnd = data.length; // data[0, lineEnd) ends with '\n' once seenLastNewline
      if (!seenLastNewline) {
        // Skip a trailing partial line, as the forward scan does.
        const nl = data.lastIndexOf(10);
        if (nl === -1) {
          tail = Buffer.from(data);
          pos = start;
          continue;
        }
        lineEnd = nl + 1;
        seenLastNewline = true;
      }
      while (lineEnd > 0) {
        const prevNl = lineEnd >= 2 ? data.lastIndexOf(10, lineEnd - 2) : -1;
        if (prevNl === -1 && start > 0) break; // the line begins in the previous block
        const lineStart = prevNl + 1;
        const verdict = scan.filter.accept(data.subarray(lineStart, lineEnd - 1));
        if (take(scan, verdict, segment, start + lineStart, lineEnd - 1 - lineStart)) return start + lineStart;
        lineEnd = lineStart;
      }
      tail = Buffer.from(data.subarray(0, lineEnd));
      pos = start;
    }
    return null;
  } finally {
    await handle.close();
  }
}

export async function readJournal(dir: string, query: JournalQuery): Promise<JournalPage> {
  assertStreamName(query.stream);
  const { order } = query;
  if (order !== 'asc' && order !== 'desc') throw new RangeError(`invalid order ${JSON.stringify(order)}`);
  if (!Number.isSafeInteger(query.limit) || query.limit < 1) throw new RangeError(`invalid limit ${query.limit}`);
  const from = canonicalBound(query.from, 'from');
  const to = canonicalBound(query.to, 'to');
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (cursor && cursor.order !== order) throw new RangeError('journal cursor belongs to the other order');

  const fromDate = from?.slice(0, 10);
  const toDate = to?.slice(0, 10);
  const streamDir = path.join(dir, query.stream);
  // Every entry lives in the segment of its own UTC date, so other days are skipped without opening them.
  const segments = (await listSegments(streamDir)).filter(
    (s) => (fromDate === undefined || s.date >= fromDate) && (toDate === undefined || s.date <= toDate),
  );
  if (order === 'desc') segments.reverse();

  const scan: Scan = {
    stream: query.stream,
    filter: new LineFilter(from, to, query.match),
    limit: query.limit,
    items: [],
    skippedLines: 0,
    issues: [],
    positions: query.locate ? { segments: [], offsets: [], bytes: [] } : null,
  };
  const page = (nextCursor: string | null): JournalPage => ({
    items: scan.items,
    nextCursor,
    skippedLines: scan.skippedLines,
    journalIssues: scan.issues,
    ...(scan.positions ? { positions: scan.positions } : {}),
  });
  for (const segment of segments) {
    let position: number | undefined;
    if (cursor) {
      const cmp = compareSegments(segment, cursor.segment);
      if (order === 'asc' ? cmp < 0 : cmp > 0) continue;
      if (cmp === 0) position = cursor.offset;
    }
    const file = path.join(streamDir, segment.name);
    const stoppedAt =
      order === 'asc' ? await scanForward(file, segment.name, position ?? 0, scan) : await scanBackward(file, segment.name, position, scan);
    if (stoppedAt !== null) return page(encodeCursor(segment.name, stoppedAt, order));
  }
  return page(null);
}
