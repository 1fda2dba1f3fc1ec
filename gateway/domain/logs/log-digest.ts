// The log digest: feeds the error groups and the per-minute rates from the follower's new entries, and at
// start backfills what the files already hold (the last 24 h, within a byte budget) in the worker pool.
// Its state, with the byte ranges counted per file identity, is kept in DATA_DIR/snapshots/log-digest.json
// so a restart goes on where it stopped and counts nothing twice.
import fs from 'node:fs/promises';
import type { Clock } from '../../clock.js';
import { applyErrors, emptyErrorGroups, fingerprintEntry, groupDetail, listGroups, DEFAULT_MAX_GROUPS } from './error-groups.js';
import type { ErrorGroupsState, FingerprintedError, GroupQuery } from './error-groups.js';
import { applyRates, countEntries, emptyLogRates, rateBuckets } from './log-rates.js';
import type { LogRatesState, RateCount, RatesQuery } from './log-rates.js';
import { addRange, coveredBytes, missingRanges, readDigestSnapshot, writeDigestSnapshot } from './digest-coverage.js';
import type { FileCoverage } from './digest-coverage.js';
import type { FollowedBatch, FollowStart } from './log-follower.js';
import type { LogDigestTask, LogDigestTaskResult } from '../../../workers/log-digest.js';

export const DAY_MS = 24 * 3_600_000;

export interface DigestSourceList {
  sources: Array<{ id: string; files: Array<{ path: string; rotated: boolean; compressed: boolean; mtime: string }> }>;
}

export interface LogDigestOptions {
  pool: { run<R>(task: string, payload: unknown, opts?: { signal?: AbortSignal; priority?: 'background' }): Promise<R> };
  /** For the rotated (not compressed) files of the last day, backfilled after the live ones. */
  sources: { list(): Promise<DigestSourceList> };
  clock: Clock;
  snapshotFile: string;
  onError?(err: unknown, where: string): void;
  windowMs?: number; // 24 h
  /** Bytes backfilled at most per start, over all files; default 256 MiB. */
  maxBackfillBytes?: number;
  /** Bytes backfilled at most from the end of one file; default 64 MiB. */
  maxFileBackfillBytes?: number;
  /** Bytes per pool task; default 256 KiB, so a task holds a thread for a short while only (a few tens of ms):
   *  a search that arrives while one runs waits for at most that. */
  chunkBytes?: number;
  /** The backfill's first task runs this long after load() (default 0): a user's first search after a start
   *  then has the cores to itself, with nothing of the backfill running. What is planned meanwhile waits. */
  startDelayMs?: number;
  /** The state is also written after this many bytes were backfilled since the last write (default 16 MiB),
   *  so a restart (or a crash) goes on from there instead of reading those bytes again. */
  checkpointBytes?: number;
  /** Backfill tasks at once; default 1. Its tasks are background work in the pool: they run only on a thread
   *  no search is waiting for, and never on every thread. */
  concurrency?: number;
  maxGroups?: number;
  /** How often the state is written when it changed; default 30 s. */
  persistMs?: number;
}

interface BackfillTask {
  task: LogDigestTask;
  ident: string;
}

export interface DigestStatus {
  /** The oldest entry time counted (ISO), or null before the first. */
  since: string | null;
  indexedBytes: number;
  pendingBytes: number;
}

export class LogDigest {
  readonly #o: Required<Omit<LogDigestOptions, 'onError'>> & Pick<LogDigestOptions, 'onError'>;
  #errors: ErrorGroupsState = emptyErrorGroups();
  #rates: LogRatesState = emptyLogRates();
  #files: Record<string, FileCoverage> = {};
  /** Per followed identity: where the follower started (its bytes from there on are counted live). */
  readonly #liveFrom = new Map<string, number>();
  #oldest: number | null = null;
  readonly #queue: BackfillTask[] = [];
  #running = 0;
  #pendingBytes = 0;
  #budgetLeft: number;
  readonly #abort = new AbortController();
  #dirty = false;
  #persistTimer: NodeJS.Timeout | undefined;
  #idleWaiters: Array<() => void> = [];
  #closed = false;
  /** With a start delay, true until startDelayMs after load(): tasks are planned but not run. */
  #held: boolean;
  #holdTimer: NodeJS.Timeout | undefined;
  #sinceCheckpoint = 0;
  #writing: Promise<void> = Promise.resolve();

  constructor(opts: LogDigestOptions) {
    this.#o = {
      windowMs: DAY_MS,
      maxBackfillBytes: 256 * 1024 * 1024,
      maxFileBackfillBytes: 64 * 1024 * 1024,
      chunkBytes: 256 * 1024,
      startDelayMs: 0,
      checkpointBytes: 16 * 1024 * 1024,
      concurrency: 1,
      maxGroups: DEFAULT_MAX_GROUPS,
      persistMs: 30_000,
      ...opts,
    };
    this.#budgetLeft = this.#o.maxBackfillBytes;
    this.#held = this.#o.startDelayMs > 0;
  }

  /** Reads the saved state (a missing or unreadable file starts empty) and starts the periodic save. */
  async load(): Promise<void> {
    const { snapshot, problem } = await readDigestSnapshot(this.#o.snapshotFile);
    if (problem) this.#o.onError?.(new Error(problem), 'load');
    if (snapshot) {
      this.#errors = snapshot.errors;
      this.#rates = snapshot.rates;
      this.#files = snapshot.files;
      this.#oldest = snapshot.oldest;
    }
    this.#persistTimer = setInterval(() => void this.persist(), this.#o.persistMs);
    this.#persistTimer.unref();
    if (this.#held) {
      this.#holdTimer = setTimeout(() => this.#release(), this.#o.startDelayMs);
      this.#holdTimer.unref();
    }
  }

  #release(): void {
    this.#held = false;
    this.#pump();
  }

  /** The follower began reading a file at `offset`: what lies before it (within the window) is backfilled. */
  handleFileStart(start: FollowStart): void {
    const cov = this.#coverage(start.ident, start.file);
    // A file read again from 0 under the same identity was truncated: its old ranges describe other bytes.
    if (start.offset === 0) cov.ranges = [];
    this.#liveFrom.set(start.ident, start.offset);
    this.#dirty = true;
    if (start.offset > 0) this.#plan(start.ident, start.file, start.source, Math.max(0, start.offset - this.#o.maxFileBackfillBytes), start.offset);
  }

  /** New entries from the follower. */
  handleLines(batch: FollowedBatch): void {
    const errors: FingerprintedError[] = [];
    const dated: Array<{ ts: string; source: string; level: FollowedBatch['lines'][number]['level'] }> = [];
    for (const line of batch.lines) {
      if (line.ts === null) continue;
      dated.push({ ts: line.ts, source: line.source, level: line.level });
      const f = fingerprintEntry({ ...line, ts: line.ts });
      if (f) errors.push(f);
    }
    this.#count(errors, countEntries(dated), dated.map((d) => Date.parse(d.ts)));
    const cov = this.#coverage(batch.ident, batch.file);
    const from = this.#liveFrom.get(batch.ident) ?? batch.lines[0]?.offset ?? batch.end;
    cov.ranges = addRange(cov.ranges, from, batch.end);
  }

  /** Queues the rotated, uncompressed files changed within the window (compressed ones are new files whose
   *  bytes were counted while they were live, or are older than the digest). */
  async backfillRotated(): Promise<void> {
    let listed: DigestSourceList;
    try {
      listed = await this.#o.sources.list();
    } catch (err) {
      this.#o.onError?.(err, 'list sources');
      return;
    }
    const since = this.#o.clock.now() - this.#o.windowMs;
    for (const source of listed.sources) {
      for (const file of source.files) {
        if (!file.rotated || file.compressed || Date.parse(file.mtime) < since) continue;
        try {
          const st = await fs.stat(file.path);
          const ident = `${st.dev}:${st.ino}`;
          this.#coverage(ident, file.path);
          this.#plan(ident, file.path, source.id, Math.max(0, st.size - this.#o.maxFileBackfillBytes), st.size);
        } catch {
          // Gone since the listing (deleted by retention): nothing to count.
        }
      }
    }
  }

  groups(q: GroupQuery) {
    return { groups: listGroups(this.#errors, this.#o.clock.now(), q), ...this.status() };
  }

  group(fingerprint: string) {
    return groupDetail(this.#errors, fingerprint, this.#o.clock.now());
  }

  rates(q: RatesQuery) {
    return { interval: 'minute' as const, buckets: rateBuckets(this.#rates, { ...q, from: q.from ?? this.#o.clock.now() - this.#o.windowMs }) };
  }

  status(): DigestStatus {
    return { since: this.#oldest === null ? null : new Date(this.#oldest).toISOString(), indexedBytes: coveredBytes(this.#files), pendingBytes: this.#pendingBytes };
  }

  /** Whether the backfill still waits for its start delay. */
  get held(): boolean {
    return this.#held;
  }

  /** Resolves when no backfill task is queued or running. */
  whenIdle(): Promise<void> {
    if (this.#queue.length === 0 && this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Writes the state if it changed; one write at a time (a periodic write and a checkpoint never overlap). */
  persist(): Promise<void> {
    const next = this.#writing.then(() => this.#write());
    this.#writing = next;
    return next;
  }

  async #write(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    const now = this.#o.clock.now();
    for (const [ident, f] of Object.entries(this.#files)) if (now - f.seenAt > this.#o.windowMs) delete this.#files[ident];
    try {
      await writeDigestSnapshot(this.#o.snapshotFile, {
        version: 1,
        writtenAt: new Date(now).toISOString(),
        oldest: this.#oldest,
        errors: this.#errors,
        rates: this.#rates,
        files: this.#files,
      });
    } catch (err) {
      this.#dirty = true;
      this.#o.onError?.(err, 'persist');
    }
  }

  /** Stops the backfill (running tasks are aborted; their ranges stay uncounted) and saves the state. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#persistTimer);
    clearTimeout(this.#holdTimer);
    this.#queue.length = 0;
    this.#abort.abort(new Error('log digest closed'));
    while (this.#running > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    await this.persist();
  }

  #coverage(ident: string, file: string): FileCoverage {
    const now = this.#o.clock.now();
    let cov = this.#files[ident];
    if (!cov) cov = this.#files[ident] = { path: file, ranges: [], seenAt: now };
    cov.path = file;
    cov.seenAt = now;
    return cov;
  }

  #count(errors: FingerprintedError[], rates: RateCount[], times: number[]): void {
    if (errors.length === 0 && rates.length === 0) return;
    const now = this.#o.clock.now();
    this.#errors = applyErrors(this.#errors, errors, this.#o.maxGroups);
    this.#rates = applyRates(this.#rates, rates, now);
    for (const t of times) if (this.#oldest === null || t < this.#oldest) this.#oldest = t;
    this.#dirty = true;
  }

  // Queues the uncounted parts of [from, to) of a file, newest chunk first, within the byte budget.
  #plan(ident: string, file: string, source: string, from: number, to: number): void {
    if (this.#closed) return;
    const since = this.#o.clock.now() - this.#o.windowMs;
    const missing = missingRanges(this.#files[ident]?.ranges ?? [], from, to).reverse();
    for (const [start, end] of missing) {
      for (let chunkEnd = end; chunkEnd > start && this.#budgetLeft > 0; ) {
        const chunkStart = Math.max(start, chunkEnd - this.#o.chunkBytes, chunkEnd - this.#budgetLeft);
        this.#budgetLeft -= chunkEnd - chunkStart;
        this.#pendingBytes += chunkEnd - chunkStart;
        this.#queue.push({ ident, task: { path: file, source, ident, start: chunkStart, end: chunkEnd, since } });
        chunkEnd = chunkStart;
      }
    }
    this.#pump();
  }

  #pump(): void {
    while (!this.#closed && !this.#held && this.#running < this.#o.concurrency && this.#queue.length > 0) {
      const next = this.#queue.shift()!;
      this.#running += 1;
      void this.#runTask(next).finally(() => {
        this.#running -= 1;
        this.#pendingBytes -= next.task.end - next.task.start;
        this.#pump();
        if (this.#running === 0 && (this.#queue.length === 0 || this.#closed)) {
          // The backfill is done (or stopped): its progress is saved now, not at the next periodic write.
          if (!this.#closed && this.#sinceCheckpoint > 0) this.#checkpoint();
          const waiters = this.#idleWaiters;
          this.#idleWaiters = [];
          for (const w of waiters) w();
        }
      });
    }
  }

  async #runTask({ ident, task }: BackfillTask): Promise<void> {
    let result: LogDigestTaskResult;
    try {
      result = await this.#o.pool.run<LogDigestTaskResult>('log-digest', task, { signal: this.#abort.signal, priority: 'background' });
    } catch (err) {
      if (!this.#closed) this.#o.onError?.(err, `backfill ${task.path}`);
      return;
    }
    if (this.#closed || result.kind === 'stale') return;
    this.#count(result.errors, result.rates, [...result.errors.map((e) => Date.parse(e.ts)), ...result.rates.map((r) => r.minute)]);
    const cov = this.#coverage(ident, task.path);
    cov.ranges = addRange(cov.ranges, task.start, task.end);
    this.#dirty = true;
    this.#sinceCheckpoint += task.end - task.start;
    if (this.#sinceCheckpoint >= this.#o.checkpointBytes) this.#checkpoint();
  }

  #checkpoint(): void {
    this.#sinceCheckpoint = 0;
    void this.persist();
  }
}
