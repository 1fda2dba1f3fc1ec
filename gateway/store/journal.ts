// Append-only event journal: JSON-lines segments per stream and UTC day, group-committed (one write per segment
// per batch; fsyncs run behind the writes and cover every batch written before they start), torn tails repaired
// at open, retention by age and size. Reads: journal-reader.ts.
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { JournalEntry } from './journal-reader.js';
import {
  assertStreamName,
  fsyncDir,
  listAllSegments,
  listSegments,
  planRetention,
  recoverJournal,
  segmentName,
  utcDate,
  writeAll,
} from './journal-segments.js';
import type { TornTail } from './journal-segments.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-files.js';

export { readJournal, encodeCursor, decodeCursor } from './journal-reader.js';
export type { JournalEntry, JournalMatch, JournalPage, JournalQuery } from './journal-reader.js';

export interface JournalOptions {
  clock?: Clock;
  /** Longest a batch keeps gathering while appends keep arriving; a quiet turn of the event loop ends it sooner. */
  flushIntervalMs?: number;
  maxSegmentBytes?: number;
  retentionDays?: number;
  maxTotalBytes?: number;
  /** Streams kept at least this many days whatever maxTotalBytes says (and at least this long by age), e.g. audit. */
  minRetentionDays?: Readonly<Record<string, number>>;
}

export interface JournalRecovery {
  segments: number;
  tornLines: TornTail[];
}

interface PendingLine {
  stream: string;
  date: string;
  line: string;
}

interface Waiter {
  /** The lines are in the segment file (they survive a crash of this process). */
  written?(): void;
  /** …and fsync'd (they survive a power loss). */
  resolve(): void;
  reject(err: unknown): void;
}

/** An append in two steps: `written` once the lines are in the file, `durable` once they are fsync'd. */
export interface StagedAppend {
  entries: JournalEntry[];
  written: Promise<void>;
  durable: Promise<void>;
}

interface SegmentWriter {
  stream: string;
  date: string;
  index: number;
  file: string;
  handle: FileHandle;
  size: number;
  lastBatch: number;
  /** Its fsync failed: what was written through it is uncertain, so no later fsync of it counts. */
  poisoned: boolean;
}

const MAX_OPEN_WRITERS = 16;
// ISO 8601 date-time with an explicit zone: without one, Date.parse would read it in the server's local time.
const ISO_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

// A batch usually shares one timestamp (the arrival time): remember the last answer.
let lastTsIn: string | null = null;
let lastTsOut: string | null = null;

function canonicalTs(value: unknown): string | null {
  if (typeof value === 'string' && value === lastTsIn) return lastTsOut;
  const out = parseTs(value);
  if (typeof value === 'string') {
    lastTsIn = value;
    lastTsOut = out;
  }
  return out;
}

function parseTs(value: unknown): string | null {
  if (typeof value !== 'string' || !ISO_TS.test(value)) return null;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return null;
  const iso = new Date(ms).toISOString();
  return /^\d{4}-/.test(iso) ? iso : null; // years outside 0000–9999 have no YYYY-MM-DD segment name
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export class Journal {
  readonly dir: string;
  readonly recovery: JournalRecovery;
  readonly #clock: Clock;
  readonly #flushIntervalMs: number;
  readonly #maxSegmentBytes: number;
  readonly #retentionDays?: number;
  readonly #maxTotalBytes?: number;
  readonly #minRetentionDays?: Readonly<Record<string, number>>;

  #pendingLines: PendingLine[] = [];
  #pendingWaiters: Waiter[] = [];
  #appendsSinceCheck = 0;
  #batchOpenedAt = 0;
  #lingerToken = 0;
  #lingering = false;
  /** The one operation writing or removing segment files right now (a batch's write or a retention pass). */
  #busy: Promise<void> | null = null;
  /** fsync runs behind the writes: the loop syncs whatever was written, then what was written meanwhile. */
  #syncing: Promise<void> | null = null;
  #unsynced = new Set<SegmentWriter>();
  #unsyncedWaiters: Waiter[] = [];
  #unsyncedRetired: SegmentWriter[] = [];
  /** Stream directories with a new (or reopened after a failure) segment whose name is not fsync'd yet. */
  #dirsToSync = new Set<string>();
  #exclusiveJobs: Array<() => Promise<void>> = [];
  #writers = new Map<string, SegmentWriter>();
  #batchCount = 0;
  #closed = false;

  static async open(dir: string, opts: JournalOptions = {}): Promise<Journal> {
    const root = path.resolve(dir);
    await fs.mkdir(root, { recursive: true, mode: PRIVATE_DIR_MODE });
    return new Journal(root, opts, await recoverJournal(root));
  }

  private constructor(dir: string, opts: JournalOptions, recovery: JournalRecovery) {
    this.dir = dir;
    this.recovery = recovery;
    this.#clock = opts.clock ?? systemClock;
    this.#flushIntervalMs = opts.flushIntervalMs ?? 25;
    this.#maxSegmentBytes = opts.maxSegmentBytes ?? 64 * 1024 * 1024;
    this.#retentionDays = opts.retentionDays;
    this.#maxTotalBytes = opts.maxTotalBytes;
    this.#minRetentionDays = opts.minRetentionDays;
  }

  /** Resolves once the line is written and fsync'd; many appends share one write + fsync. */
  async append(stream: string, record: Record<string, unknown>): Promise<JournalEntry> {
    const [entry] = await this.appendMany(stream, [record]);
    return entry!;
  }

  /** All records or none are accepted (validation first); one promise for the whole set. */
  async appendMany(stream: string, records: Array<Record<string, unknown>>): Promise<JournalEntry[]> {
    const staged = this.appendStaged(stream, records);
    await staged.durable;
    return staged.entries;
  }

  /**
   * Like appendMany, but says when the lines are written (in the file, so a crash of this process keeps them)
   * apart from when they are durable (fsync'd). Throws synchronously on invalid records: nothing is queued.
   */
  appendStaged(stream: string, records: Array<Record<string, unknown>>): StagedAppend {
    if (this.#closed) throw new Error('journal is closed');
    assertStreamName(stream);
    if (!Array.isArray(records)) throw new TypeError('appendMany expects an array of records');
    const entries: JournalEntry[] = [];
    const lines: PendingLine[] = [];
    for (const record of records) {
      if (!isPlainObject(record)) throw new TypeError('a journal record must be a plain object');
      const { ts: given, ...rest } = record;
      const entry: JournalEntry = { ts: canonicalTs(given) ?? new Date(this.#clock.now()).toISOString(), ...rest };
      entries.push(entry);
      lines.push({ stream, date: entry.ts.slice(0, 10), line: JSON.stringify(entry) + '\n' });
    }
    if (lines.length === 0) return { entries, written: Promise.resolve(), durable: Promise.resolve() };
    for (const line of lines) this.#pendingLines.push(line);
    let written!: Promise<void>;
    const durable = new Promise<void>((resolve, reject) => {
      written = new Promise<void>((resolveWritten, rejectWritten) => {
        this.#pendingWaiters.push({
          written: resolveWritten,
          resolve,
          reject: (err) => {
            rejectWritten(err); // no-op once written
            reject(err);
          },
        });
      });
    });
    // A caller may await only one of the two; the other's rejection is theirs to see, not an unhandled one.
    written.catch(() => undefined);
    durable.catch(() => undefined);
    this.#scheduleCommit();
    return { entries, written, durable };
  }

  /** Resolves when everything appended before the call has been written and through an fsync (a failed one is
   *  reported to those appends, not here). */
  async flush(): Promise<void> {
    if (this.#pendingLines.length > 0) {
      const done = new Promise<void>((resolve, reject) => this.#pendingWaiters.push({ resolve, reject }));
      this.#lingering = false; // no reason to wait for company any more
      this.#runNext();
      await done;
    } else {
      await this.#busy; // a batch being written is fsync'd by the sync loop it starts
      await this.#syncing?.catch(() => undefined); // its waiters see a failure; flush only waits for it
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    while (this.#busy || this.#syncing) await (this.#busy ?? this.#syncing)!.catch(() => undefined);
    const writers = [...this.#writers.values()];
    this.#writers.clear();
    await Promise.all(writers.map((w) => w.handle.close()));
  }

  /**
   * Drops segments dated before the retention window, then the oldest while the total exceeds maxTotalBytes
   * (streams in minRetentionDays last, and none younger than their minimum; see planRetention).
   * The newest segment of each stream and the one being written today are never removed.
   */
  async applyRetention(now: number = this.#clock.now()): Promise<{ removed: string[] }> {
    let outcome: { removed: string[] } | undefined;
    let failure: unknown;
    await new Promise<void>((resolve) => {
      this.#exclusiveJobs.push(async () => {
        try {
          outcome = await this.#retain(now);
        } catch (err) {
          failure = err;
        }
        resolve();
      });
      this.#runNext();
    });
    if (failure !== undefined) throw failure;
    return outcome!;
  }

  // ---- group commit ----

  /**
   * A batch closes when a turn of the event loop passes with no new append (so a burst such as appendMany or
   * Promise.all of appends is one batch and an idle journal adds no delay), or after flushIntervalMs of
   * continuous arrivals. Appends arriving while a write is in flight go out together right after it.
   */
  #scheduleCommit(): void {
    this.#appendsSinceCheck++;
    if (this.#busy || this.#lingering) return;
    this.#lingering = true;
    this.#batchOpenedAt = performance.now();
    const token = ++this.#lingerToken;
    const check = (): void => {
      if (!this.#lingering || token !== this.#lingerToken) return;
      const gathering = this.#appendsSinceCheck > 0 && performance.now() - this.#batchOpenedAt < this.#flushIntervalMs;
      this.#appendsSinceCheck = 0;
      if (gathering) {
        setImmediate(check);
        return;
      }
      this.#lingering = false;
      this.#runNext();
    };
    setImmediate(check);
  }

  #runNext(): void {
    if (this.#busy) return;
    let job = this.#exclusiveJobs.shift();
    if (!job && this.#pendingLines.length > 0) {
      const lines = this.#pendingLines;
      const waiters = this.#pendingWaiters;
      this.#pendingLines = [];
      this.#pendingWaiters = [];
      this.#appendsSinceCheck = 0;
      this.#lingering = false;
      job = () =>
        this.#write(lines, waiters).catch((err: unknown) => waiters.forEach((w) => w.reject(err)));
    }
    if (!job) return;
    this.#busy = job().finally(() => {
      this.#busy = null;
      this.#runNext();
    });
  }

  /** Writes one batch; its fsync is handed to the sync loop, so the next batch can be written meanwhile. */
  async #write(lines: PendingLine[], waiters: Waiter[]): Promise<void> {
    const batch = ++this.#batchCount;
    const groups = new Map<string, PendingLine[]>();
    for (const line of lines) {
      const key = `${line.stream}/${line.date}`;
      const group = groups.get(key);
      if (group) group.push(line);
      else groups.set(key, [line]);
    }
    const toSync = new Set<SegmentWriter>();
    const retired: SegmentWriter[] = [];
    // allSettled: no handle may be dropped below while another group is still writing through it.
    const written = await Promise.allSettled(
      [...groups.values()].map((group) => this.#writeGroup(group, batch, toSync, retired)),
    );
    const failed = written.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // After a failed write the file state is uncertain: reopen those segments next time. A sync in flight may
      // still use the handles.
      await this.#syncing?.catch(() => undefined);
      for (const w of toSync) await this.#dropWriter(w);
      await Promise.all(retired.map((w) => w.handle.close().catch(() => undefined)));
      throw failed.reason;
    }
    for (const w of waiters) w.written?.();
    for (const w of toSync) this.#unsynced.add(w);
    this.#unsyncedWaiters.push(...waiters);
    this.#unsyncedRetired.push(...retired);
    this.#syncing ??= this.#syncLoop();
    await this.#closeIdleWriters(batch);
  }

  async #syncLoop(): Promise<void> {
    while (this.#unsyncedWaiters.length > 0 || this.#unsynced.size > 0) {
      const writers = [...this.#unsynced];
      const waiters = this.#unsyncedWaiters;
      const retired = this.#unsyncedRetired;
      const dirs = [...this.#dirsToSync];
      this.#unsynced = new Set();
      this.#unsyncedWaiters = [];
      this.#unsyncedRetired = [];
      try {
        // Written through a handle whose earlier fsync failed: a second fsync may report success for pages the
        // first one lost, so these lines are not confirmed (the producer retries).
        if (writers.some((w) => w.poisoned)) throw new Error('journal segment had a failed fsync; not confirmed');
        await Promise.all(writers.map((w) => w.handle.datasync()));
        // A new segment's name must be durable too before its lines count as durable.
        await Promise.all(dirs.map((dir) => fsyncDir(dir)));
        for (const dir of dirs) this.#dirsToSync.delete(dir);
        waiters.forEach((w) => w.resolve());
      } catch (err) {
        waiters.forEach((w) => w.reject(err));
        // Later writes reopen these segments; the old handles close between two writes.
        for (const w of writers) {
          w.poisoned = true;
          if (this.#writers.get(`${w.stream}/${w.date}`) === w) this.#writers.delete(`${w.stream}/${w.date}`);
          this.#dirsToSync.add(path.dirname(w.file));
        }
        this.#exclusiveJobs.push(async () => {
          for (const w of writers) await this.#dropWriter(w);
        });
        this.#runNext();
      } finally {
        await Promise.all(retired.map((w) => w.handle.close().catch(() => undefined)));
      }
    }
    this.#syncing = null;
  }

  async #writeGroup(group: PendingLine[], batch: number, toSync: Set<SegmentWriter>, retired: SegmentWriter[]) {
    const { stream, date } = group[0]!;
    let writer = await this.#writerFor(stream, date);
    writer.lastBatch = batch;
    let chunk: string[] = [];
    let chunkBytes = 0;
    const writeChunk = async (): Promise<void> => {
      if (chunk.length === 0) return;
      const buf = Buffer.from(chunk.join(''), 'utf8');
      const before = writer.size;
      toSync.add(writer);
      try {
        await writeAll(writer.handle, buf);
      } catch (err) {
        await writer.handle.truncate(before).catch(() => undefined); // never leave half a line behind
        throw err;
      }
      writer.size += buf.length;
      chunk = [];
      chunkBytes = 0;
    };
    for (const { line } of group) {
      const bytes = Buffer.byteLength(line);
      if (writer.size + chunkBytes + bytes > this.#maxSegmentBytes && writer.size + chunkBytes > 0) {
        await writeChunk();
        retired.push(writer); // fsync'd with the batch, closed afterwards
        writer = await this.#openWriter(stream, date, writer.index + 1);
        writer.lastBatch = batch;
      }
      chunk.push(line);
      chunkBytes += bytes;
    }
    await writeChunk();
  }

  async #writerFor(stream: string, date: string): Promise<SegmentWriter> {
    const existing = this.#writers.get(`${stream}/${date}`);
    if (existing) return existing;
    const segments = await listSegments(path.join(this.dir, stream));
    const latest = segments.filter((s) => s.date === date).pop();
    return this.#openWriter(stream, date, latest?.index ?? 0);
  }

  async #openWriter(stream: string, date: string, index: number): Promise<SegmentWriter> {
    const streamDir = path.join(this.dir, stream);
    await fs.mkdir(streamDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const file = path.join(streamDir, segmentName(date, index));
    const handle = await fs.open(file, 'a', PRIVATE_FILE_MODE);
    const size = (await handle.stat()).size;
    if (size === 0) this.#dirsToSync.add(streamDir); // fsync'd with the file's first batch, in the sync loop
    const writer: SegmentWriter = { stream, date, index, file, handle, size, lastBatch: this.#batchCount, poisoned: false };
    this.#writers.set(`${stream}/${date}`, writer);
    return writer;
  }

  async #dropWriter(writer: SegmentWriter): Promise<void> {
    const key = `${writer.stream}/${writer.date}`;
    if (this.#writers.get(key) === writer) this.#writers.delete(key);
    await writer.handle.close().catch(() => undefined);
  }

  /** Late entries for old days open extra segments; keep only the most recently used handles open. */
  async #closeIdleWriters(batch: number): Promise<void> {
    if (this.#writers.size <= MAX_OPEN_WRITERS) return;
    await this.#syncing?.catch(() => undefined); // an idle handle may still be waiting for its fsync
    const idle = [...this.#writers.values()].filter((w) => w.lastBatch !== batch).sort((a, b) => a.lastBatch - b.lastBatch);
    for (const writer of idle.slice(0, this.#writers.size - MAX_OPEN_WRITERS)) await this.#dropWriter(writer);
  }

  // ---- retention ----

  async #retain(now: number): Promise<{ removed: string[] }> {
    await this.#syncing?.catch(() => undefined); // handles are dropped below; let their fsync finish first
    const today = utcDate(now);
    const doomed = planRetention(await listAllSegments(this.dir), {
      now,
      retentionDays: this.#retentionDays,
      maxTotalBytes: this.#maxTotalBytes,
      minDays: this.#minRetentionDays,
      // Older days may have an open handle too (late entries); only today's writer counts as "being written".
      isActive: (s) => s.date === today && this.#writers.get(`${s.stream}/${s.date}`)?.file === s.file,
    });
    const removed: string[] = [];
    for (const segment of doomed) {
      const writer = this.#writers.get(`${segment.stream}/${segment.date}`);
      if (writer?.file === segment.file) await this.#dropWriter(writer);
      await fs.rm(segment.file, { force: true });
      removed.push(path.join(segment.stream, segment.name));
    }
    return { removed };
  }
}
