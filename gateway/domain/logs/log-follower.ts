// Follows the bytes newly written to every live (not rotated) log source file and turns them into entries:
// rename-and-create rotation, copytruncate and truncation, files that appear later, with bounded memory.
// fs.watch on the files' directories wakes it early; a stat poll is the fallback that always works.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../../clock.js';
import { parseEntry, splitEntries, splitEntriesIncremental, toLogLine, isContinuationLine } from './log-format.js';
import type { EntrySpan, LogLine } from './log-format.js';
import { DirWatchers } from './dir-watchers.js';

/** What the follower needs of LogSources: the live files and their source ids. */
export interface FollowedSources {
  list(): Promise<{ sources: Array<{ id: string; files: Array<{ path: string; rotated: boolean; compressed: boolean }> }> }>;
}

/** A file's identity: device and inode (a rotated file keeps it under its new name). */
export type FileIdent = string;

/** New entries of one file. `end` is the offset up to which every byte of the file has been turned into entries. */
export interface FollowedBatch {
  source: string;
  file: string;
  ident: FileIdent;
  lines: LogLine[];
  end: number;
}

/** The follower begins reading a file at `offset` (its end at start-up; 0 for a new or rotated file). */
export interface FollowStart {
  source: string;
  file: string;
  ident: FileIdent;
  offset: number;
}

export interface LogFollowerOptions {
  sources: FollowedSources;
  clock: Clock;
  onLines(batch: FollowedBatch): void;
  onFileStart?(start: FollowStart): void;
  onError?(err: unknown, where: string): void;
  /** How often the source list is read again (new PM2 processes, new files); default 3 s. */
  relistMs?: number;
  /** Stat poll interval, the fallback when fs.watch says nothing; default 1 s. */
  pollMs?: number;
  /** A held-back last entry is given out after this long without new bytes; default 300 ms. */
  quietMs?: number;
  /** Bytes read from one file per round; the rest comes in the next round. Default 1 MiB. */
  maxReadBytes?: number;
  /** Held-back bytes of one file (an unfinished line or entry) are given out past this; default 256 KiB. */
  maxPendingBytes?: number;
}

interface Followed {
  path: string;
  source: string;
  handle: fsp.FileHandle;
  ident: FileIdent;
  /** Next byte to read. */
  position: number;
  /** Bytes read but not yet given out (the unfinished last entry), starting at pendingOffset. */
  pending: Buffer;
  pendingOffset: number;
  /** Started inside a file: leading continuation lines belong to the entry before (not ours). */
  skipLeading: boolean;
  /** Started inside a line: the bytes up to the next newline are skipped too. */
  midLine: boolean;
  /** performance.now() of the last bytes read. */
  lastDataAt: number;
  /** The path is missing (renamed away, not yet created again). */
  gone: boolean;
}

const identOf = (st: { dev: number; ino: number }): FileIdent => `${st.dev}:${st.ino}`;

export class LogFollower {
  readonly #o: Required<Omit<LogFollowerOptions, 'onFileStart' | 'onError'>> & Pick<LogFollowerOptions, 'onFileStart' | 'onError'>;
  readonly #files = new Map<string, Followed>();
  readonly #watchers = new DirWatchers(() => this.#soon());
  /** Paths that could not be opened, reported once (not at every listing). */
  readonly #unreadable = new Set<string>();
  // Timing uses the monotonic clock; the injected Clock only dates entries that carry no time of their own.
  #listedAt = -Infinity;
  #listedWallMs: number | null = null;
  #round: Promise<void> | null = null;
  #again = false;
  #closed = false;
  #pollTimer: NodeJS.Timeout | undefined;
  #wakeTimer: NodeJS.Timeout | undefined;
  #quietTimer: NodeJS.Timeout | undefined;

  constructor(opts: LogFollowerOptions) {
    this.#o = {
      relistMs: 3_000,
      pollMs: 1_000,
      quietMs: 300,
      maxReadBytes: 1024 * 1024,
      maxPendingBytes: 256 * 1024,
      ...opts,
    };
  }

  /** Lists the sources and starts following each live file at its current end. */
  async start(): Promise<void> {
    await this.poll();
    this.#pollTimer = setInterval(() => this.#wake(), this.#o.pollMs);
    this.#pollTimer.unref();
  }

  /** One round now (tests and start-up): re-list when due, read what each file gained. */
  poll(): Promise<void> {
    if (this.#round) {
      this.#again = true;
      return this.#round;
    }
    this.#round = (async () => {
      try {
        do {
          this.#again = false;
          await this.#roundOnce();
        } while (this.#again && !this.#closed);
      } finally {
        this.#round = null;
      }
    })();
    return this.#round;
  }

  /** Paths followed now, with their source ids. */
  followed(): Array<{ path: string; source: string; ident: FileIdent; position: number }> {
    return [...this.#files.values()].map((f) => ({ path: f.path, source: f.source, ident: f.ident, position: f.position }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#pollTimer);
    clearTimeout(this.#wakeTimer);
    clearTimeout(this.#quietTimer);
    // After the round under way: one that is re-listing would watch the directories again.
    await this.#round?.catch(() => undefined);
    this.#watchers.close();
    for (const f of this.#files.values()) await f.handle.close().catch(() => undefined);
    this.#files.clear();
  }

  #wake(): void {
    if (this.#closed) return;
    void this.poll().catch((err: unknown) => this.#error(err, 'poll'));
  }

  #error(err: unknown, where: string): void {
    this.#o.onError?.(err, where);
  }

  async #roundOnce(): Promise<void> {
    if (this.#closed) return;
    if (this.#listedWallMs === null || performance.now() - this.#listedAt >= this.#o.relistMs) await this.#relist();
    for (const f of [...this.#files.values()]) {
      if (this.#closed) return;
      try {
        await this.#check(f);
      } catch (err) {
        this.#error(err, `read ${f.path}`);
      }
    }
    this.#flushQuiet();
  }

  async #relist(): Promise<void> {
    let listed: Awaited<ReturnType<FollowedSources['list']>>;
    try {
      listed = await this.#o.sources.list();
    } catch (err) {
      this.#error(err, 'list sources');
      return;
    }
    const previous = this.#listedWallMs;
    this.#listedAt = performance.now();
    this.#listedWallMs = Date.now();
    const wanted = new Map<string, string>();
    for (const source of listed.sources) {
      for (const file of source.files) if (!file.rotated && !file.compressed && !wanted.has(file.path)) wanted.set(file.path, source.id);
    }
    for (const [p, f] of this.#files) {
      if (wanted.has(p)) {
        f.source = wanted.get(p)!;
        continue;
      }
      await this.#finish(f);
      await f.handle.close().catch(() => undefined);
      this.#files.delete(p);
    }
    for (const [p, source] of wanted) {
      if (this.#files.has(p)) continue;
      await this.#begin(p, source, previous).then(
        () => this.#unreadable.delete(p),
        (err: unknown) => {
          if (!this.#unreadable.has(p)) this.#error(err, `open ${p}`);
          this.#unreadable.add(p);
        },
      );
    }
    this.#syncWatchers();
  }

  // A file found at the first listing is followed from its end (the tail shows what comes next; the digest
  // backfills the rest); one that appeared since the listing before is new, and read from its start.
  async #begin(p: string, source: string, previousListAt: number | null): Promise<void> {
    const handle = await fsp.open(p, 'r');
    try {
      const st = await handle.stat();
      if (!st.isFile()) {
        await handle.close();
        return;
      }
      const isNew = previousListAt !== null && (st.birthtimeMs > 0 ? st.birthtimeMs >= previousListAt - 1_000 : true);
      const offset = isNew ? 0 : st.size;
      const f: Followed = {
        path: p, source, handle, ident: identOf(st), position: offset, pending: Buffer.alloc(0), pendingOffset: offset,
        skipLeading: offset > 0, midLine: false, lastDataAt: performance.now(), gone: false,
      };
      if (offset > 0) {
        // Inside a line: the bytes up to the next newline end an entry that is not ours.
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, offset - 1);
        f.midLine = last[0] !== 0x0a;
      }
      this.#files.set(p, f);
      this.#o.onFileStart?.({ source, file: p, ident: f.ident, offset });
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  async #check(f: Followed): Promise<void> {
    let st: fs.Stats | null = null;
    try {
      st = await fsp.stat(f.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (!st || identOf(st) !== f.ident) {
      // Renamed away (rotation): what the old file still holds is read through the open handle, then the
      // new file at this path (if any yet) is followed from its start.
      await this.#finish(f);
      if (!st) {
        f.gone = true;
        return;
      }
      await this.#reopen(f, 0);
      await this.#readNew(f);
      return;
    }
    if (f.gone) f.gone = false;
    if (st.size < f.position) {
      // Truncated in place (copytruncate): whatever was held back is given out, then the file is read from 0.
      this.#flushAll(f);
      f.position = 0;
      f.pendingOffset = 0;
      f.skipLeading = false;
      f.midLine = false;
      this.#o.onFileStart?.({ source: f.source, file: f.path, ident: f.ident, offset: 0 });
    }
    if (st.size > f.position) await this.#readNew(f);
  }

  async #reopen(f: Followed, offset: number): Promise<void> {
    await f.handle.close().catch(() => undefined);
    const handle = await fsp.open(f.path, 'r');
    const st = await handle.stat();
    f.handle = handle;
    f.ident = identOf(st);
    f.position = offset;
    f.pending = Buffer.alloc(0);
    f.pendingOffset = offset;
    f.skipLeading = false;
    f.midLine = false;
    f.gone = false;
    this.#o.onFileStart?.({ source: f.source, file: f.path, ident: f.ident, offset });
  }

  // Reads the rest of the old file through its handle and gives out everything held back.
  async #finish(f: Followed): Promise<void> {
    if (f.gone) return;
    try {
      for (;;) {
        const read = await this.#readChunk(f);
        if (read === 0) break;
      }
    } catch (err) {
      this.#error(err, `drain ${f.path}`);
    }
    this.#flushAll(f);
  }

  async #readNew(f: Followed): Promise<void> {
    const read = await this.#readChunk(f);
    if (read > 0 && !this.#closed) this.#again = true; // more may be waiting beyond maxReadBytes
  }

  async #readChunk(f: Followed): Promise<number> {
    const buf = Buffer.allocUnsafe(this.#o.maxReadBytes);
    const { bytesRead } = await f.handle.read(buf, 0, buf.length, f.position);
    if (bytesRead === 0) return 0;
    f.position += bytesRead;
    f.lastDataAt = performance.now();
    let block = f.pending.length === 0 ? buf.subarray(0, bytesRead) : Buffer.concat([f.pending, buf.subarray(0, bytesRead)]);
    let base = f.pendingOffset;
    if (f.midLine) {
      const nl = block.indexOf(0x0a);
      if (nl === -1) {
        f.pendingOffset = base + block.length;
        f.pending = Buffer.alloc(0);
        return bytesRead;
      }
      block = block.subarray(nl + 1);
      base += nl + 1;
      f.midLine = false;
    }
    const { entries, rest } = splitEntriesIncremental(block, base);
    this.#emit(f, entries);
    f.pending = Buffer.from(block.subarray(rest)); // a copy: the read buffer is not kept alive
    f.pendingOffset = base + rest;
    if (f.pending.length > this.#o.maxPendingBytes) this.#flushAll(f);
    else this.#armQuiet();
    return bytesRead;
  }

  #emit(f: Followed, spans: EntrySpan[]): void {
    let list = spans;
    if (f.skipLeading && list.length > 0) {
      const first = list[0]!;
      const firstLine = first.text.split('\n', 1)[0]!;
      if (isContinuationLine(firstLine)) list = list.slice(1);
      f.skipLeading = false;
    }
    if (list.length === 0) return;
    const now = this.#o.clock.now();
    const lines = list.map((span) => toLogLine(parseEntry(span.text), { source: f.source, file: f.path, offset: span.offset, length: span.length }, now));
    const last = list[list.length - 1]!;
    try {
      this.#o.onLines({ source: f.source, file: f.path, ident: f.ident, lines, end: last.offset + last.length });
    } catch (err) {
      this.#error(err, 'onLines');
    }
  }

  // Gives out the held-back bytes of every file that has been quiet long enough: complete lines only; an
  // unfinished last line stays until its newline comes (or it grows past maxPendingBytes).
  #flushQuiet(): void {
    const now = performance.now();
    for (const f of this.#files.values()) {
      if (f.pending.length === 0 || now - f.lastDataAt < this.#o.quietMs) continue;
      const nl = f.pending.lastIndexOf(0x0a);
      if (nl === -1) continue;
      this.#emit(f, splitEntries(f.pending.subarray(0, nl + 1), f.pendingOffset));
      f.pending = Buffer.from(f.pending.subarray(nl + 1));
      f.pendingOffset += nl + 1;
    }
  }

  #flushAll(f: Followed): void {
    if (f.pending.length === 0) return;
    this.#emit(f, splitEntries(f.pending, f.pendingOffset));
    f.pendingOffset += f.pending.length;
    f.pending = Buffer.alloc(0);
  }

  #armQuiet(): void {
    if (this.#closed || this.#quietTimer) return;
    this.#quietTimer = setTimeout(() => {
      this.#quietTimer = undefined;
      this.#wake();
    }, this.#o.quietMs + 10);
    this.#quietTimer.unref();
  }

  // Any change in a followed file's directory wakes a round soon (debounced).
  #syncWatchers(): void {
    this.#watchers.sync(new Set([...this.#files.keys()].map((p) => path.dirname(p))));
  }

  #soon(): void {
    if (this.#closed || this.#wakeTimer) return;
    this.#wakeTimer = setTimeout(() => {
      this.#wakeTimer = undefined;
      this.#wake();
    }, 20);
    this.#wakeTimer.unref();
  }
}
