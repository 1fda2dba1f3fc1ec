// The search coordinator: cuts files into chunks and sends them to the pool newest first (both cores busy),
// merges hits newest first across files, answers a page as soon as no unread part of any file can hold a
// newer hit, and stops at the time budget with a cursor that goes on exactly where the page ended.
import { ApiError } from '../../http/api-error.js';
import type { WorkerPool } from '../../pool/worker-pool.js';
import type { LogSources } from '../../sources/log-sources.js';
import type { LogSearchBatch, LogSearchBatchResult, LogSearchTask, LogSearchTaskResult } from '../../../workers/log-search.js';
import type { LogLevel } from './log-levels.js';
import type { LogLine } from './log-format.js';
import { buildMatchPlan, type MatchPlan } from './log-matcher.js';
import { decodeCursor, encodeCursor, queryHash, type QueryIdentity } from './search-cursor.js';
import { SearchRegistry } from './search-registry.js';
import { logContext, type LogContextPage } from './log-context.js';
import type { ResolvedLogFile } from '../../sources/log-sources.js';
import { filesForNewSearch, filesFromCursor, WHOLE_FILE, type SearchFile } from './search-files.js';

export interface LogSearchRequest {
  q: string;
  regex: boolean;
  caseSensitive: boolean;
  level: LogLevel | null;
  sources: string[] | null;
  /** Epoch ms, inclusive. */
  from: number | null;
  to: number | null;
  limit: number;
  cursor: string | null;
}

export interface LogSearchPage {
  hits: LogLine[];
  nextCursor: string | null;
  scannedBytes: number;
  tookMs: number;
  truncated: boolean;
}

export interface LogSearchOptions {
  pool: WorkerPool;
  logSources: LogSources;
  /** Per request; default 2 s. */
  budgetMs?: number;
  /** Default 8 MiB. */
  chunkBytes?: number;
  /** The first chunk of each file; default 64 KiB (small, so page 1 of a common term comes fast). */
  firstChunkBytes?: number;
  /** At most this many first chunks of files go in one task (page 1 over many files); default 2. 1: a task per
   *  chunk. */
  firstChunksPerTask?: number;
  /** Chunks in flight at once; default the thread count of the pool's search lane (at least 2). */
  concurrency?: number;
  /** Per chunk; default 1 s. */
  regexTimeoutMs?: number;
  /** Searches one user may have running at once; default 2. */
  perUserLimit?: number;
  now?: () => number;
}

export class SearchAbortedError extends Error {
  readonly code = 'search_aborted';
  constructor() {
    super('The search was cancelled.');
    this.name = 'SearchAbortedError';
  }
}

interface Running {
  file: SearchFile;
  start: number;
  end: number;
  generation: number;
  task: LogSearchTask;
}

type BatchItemResult = LogSearchBatchResult['results'][number];

const regexTimeout = (ms: number): ApiError =>
  new ApiError(422, 'regex_timeout', `The regular expression took longer than ${ms} ms on one chunk of a log file and was stopped; it probably backtracks catastrophically (nested quantifiers such as (a+)+). Simplify the pattern, or search for a literal.`, { timeoutMs: ms });

// Newest first; equal timestamps by file rank, then within a file by offset (its queue order).
const newer = (a: { ts: number; rank: number }, b: { ts: number; rank: number }): boolean => a.ts > b.ts || (a.ts === b.ts && a.rank < b.rank);

export class LogSearch {
  private readonly budgetMs: number;
  private readonly chunkBytes: number;
  private readonly firstChunkBytes: number;
  private readonly regexTimeoutMs: number;
  private readonly now: () => number;
  /** Searches in flight, for X-Search-Replaces, client disconnects and the per-user limit. */
  readonly registry: SearchRegistry;

  constructor(private readonly o: LogSearchOptions) {
    this.budgetMs = o.budgetMs ?? 2_000;
    this.chunkBytes = o.chunkBytes ?? 8 * 1024 * 1024;
    this.firstChunkBytes = Math.min(o.firstChunkBytes ?? 64 * 1024, this.chunkBytes);
    this.regexTimeoutMs = o.regexTimeoutMs ?? 1_000;
    this.now = o.now ?? (() => performance.now());
    // A slot frees within about a budget: a search answers when its budget is spent, whatever it has.
    this.registry = new SearchRegistry({ perUser: o.perUserLimit, retryAfterSeconds: this.budgetMs / 1000 });
  }

  private threads: number | null = null;
  /** Chunks in flight: the pool's stats() sums up utilisation histograms, so its thread count is read once. */
  private concurrency(): number {
    this.threads ??= Math.max(2, this.o.pool.stats().lanes.search.maxThreads);
    return Math.max(1, this.o.concurrency ?? this.threads);
  }

  /** The entries around `offset` in a file of a source (GET /api/logs/context). */
  context(resolved: ResolvedLogFile, offset: number, before: number, after: number): Promise<LogContextPage> {
    return logContext(this.o.pool, {
      file: resolved.file.path,
      source: resolved.source.id,
      realPath: resolved.realPath,
      compressed: resolved.file.compressed,
      mtimeMs: Date.parse(resolved.file.mtime),
    }, offset, before, after);
  }

  /** Checks the query alone (the regex compiles, the cursor belongs to it) before any file is read. */
  prepare(req: LogSearchRequest): { plan: MatchPlan; hash: string } {
    const plan = buildMatchPlan({ q: req.q, regex: req.regex, caseSensitive: req.caseSensitive });
    const identity: QueryIdentity = { q: req.q, regex: req.regex, caseSensitive: req.caseSensitive, level: req.level, sources: req.sources, from: req.from, to: req.to };
    const hash = queryHash(identity);
    if (req.cursor !== null) decodeCursor(req.cursor, hash);
    return { plan, hash };
  }

  async search(req: LogSearchRequest, signal?: AbortSignal): Promise<LogSearchPage> {
    // Fires when the search ends, whichever way (a full page, the budget, a regex overrun, a cancel): its chunks
    // still waiting in the pool's queue leave it then instead of running for nobody.
    const done = new AbortController();
    const cancel = (): void => done.abort(signal?.reason);
    if (signal?.aborted) cancel();
    else signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await this.scan(req, signal, done.signal);
    } finally {
      signal?.removeEventListener('abort', cancel);
      done.abort(new Error('the search has ended'));
    }
  }

  private async scan(req: LogSearchRequest, signal: AbortSignal | undefined, done: AbortSignal): Promise<LogSearchPage> {
    const started = this.now();
    const { plan, hash } = this.prepare(req);
    const sel = { sources: req.sources, from: req.from };
    const files = req.cursor === null
      ? await filesForNewSearch(this.o.logSources, sel)
      : await filesFromCursor(this.o.logSources, sel, decodeCursor(req.cursor, hash));
    if (signal?.aborted) throw new SearchAbortedError();

    const hits: LogLine[] = [];
    let scannedBytes = 0;
    // Results wait here until every chunk above them in their file is applied (a file is scanned top down).
    const arrived = new Map<SearchFile, Map<number, { start: number; result: Extract<LogSearchTaskResult, { kind: 'ok' }> }>>();
    const concurrency = this.concurrency();

    const needed = (): number => req.limit - hits.length;

    const release = (): void => {
      while (hits.length < req.limit) {
        let best: SearchFile | null = null;
        for (const f of files) {
          const head = f.queue[0];
          if (head && (!best || newer({ ts: head.ts!, rank: f.rank }, { ts: best.queue[0]!.ts!, rank: best.rank }))) best = f;
        }
        if (!best) return;
        const head = best.queue[0]!;
        const cand = { ts: head.ts!, rank: best.rank };
        // A file with nothing queued and something unread may still hold a newer entry.
        if (files.some((f) => f.queue.length === 0 && !f.done && !newer(cand, { ts: f.bound, rank: f.rank }))) return;
        best.queue.shift();
        const line: LogLine = {
          ts: new Date(head.ts!).toISOString(),
          level: head.level,
          source: best.source,
          message: head.message,
          file: best.path,
          offset: head.offset,
          length: head.length,
        };
        if (head.tsInferred) line.tsInferred = true;
        hits.push(line);
      }
    };

    const apply = (f: SearchFile, chunkStart: number, r: Extract<LogSearchTaskResult, { kind: 'ok' }>): void => {
      scannedBytes += r.scannedBytes;
      f.chunks++;
      if (f.compressed && f.end === WHOLE_FILE) f.end = r.fileSize;
      // Newest first; an entry without a timestamp of its own takes the nearest later one (the bound so far).
      let later = f.bound;
      const fresh = [];
      for (let i = r.hits.length - 1; i >= 0; i--) {
        const h = r.hits[i]!;
        if (h.ts === null) {
          h.ts = later;
          h.tsInferred = true;
          if ((req.from !== null && h.ts < req.from) || (req.to !== null && h.ts > req.to)) continue;
        }
        later = h.ts;
        fresh.push(h);
      }
      f.queue.push(...fresh);
      if (r.firstTs !== null) f.bound = Math.min(f.bound, r.firstTs);
      if (r.scannedFrom > chunkStart) {
        // Stopped at maxHits: what lies below is scanned again from there; chunks already sent for it are dropped.
        f.end = r.scannedFrom;
        f.dispatchedTo = r.scannedFrom;
        f.generation++;
        arrived.delete(f);
      } else {
        f.end = chunkStart;
      }
      if (f.end <= 0 || (req.from !== null && f.bound < req.from)) f.done = true;
    };

    const eligible = (f: SearchFile): boolean =>
      !f.done && f.dispatchedTo > 0 && f.queue.length < needed() && !(f.compressed && f.dispatchedTo < f.end); // a gzip file is one task
    // Most useful first: files whose unread part may hold the newest entries and that have too few queued hits.
    const pickFile = (taken: ReadonlySet<SearchFile>): SearchFile | null => {
      let pick: SearchFile | null = null;
      for (const f of files) {
        if (taken.has(f) || !eligible(f)) continue;
        if (!pick || f.bound > pick.bound || (f.bound === pick.bound && f.rank < pick.rank)) pick = f;
      }
      return pick;
    };
    const firstChunkNext = (f: SearchFile): boolean => !f.compressed && f.chunks === 0 && f.dispatchedTo === f.end;

    const chunkOf = (f: SearchFile): Running => {
      const end = f.dispatchedTo;
      const size = f.chunks === 0 && f.end === end ? this.firstChunkBytes : this.chunkBytes;
      const start = f.compressed ? 0 : Math.max(0, end - size);
      f.dispatchedTo = start;
      return {
        file: f,
        start,
        end,
        generation: f.generation,
        task: {
          path: f.path,
          compressed: f.compressed,
          start,
          end,
          plan,
          filters: { minLevel: req.level, from: req.from, to: req.to, maxHits: Math.max(1, needed()) },
          regexTimeoutMs: this.regexTimeoutMs,
        },
      };
    };

    const dispatch = (): boolean => {
      const first = pickFile(new Set());
      if (!first) return false;
      const batch = [first];
      // The small first chunks of many files (page 1 of a search) go two to a task: a task's round trip between
      // threads costs about as much as scanning 64 KiB. Larger batches measured slower (first page of a common term
      // over 20 files: 2 a task best, one each or all in one task per thread about twice as long): a thread that
      // the machine holds up holds a whole batch, and a large result is one large message.
      if (firstChunkNext(first)) {
        const taken = new Set(batch);
        const pending = files.filter((f) => f !== first && firstChunkNext(f) && eligible(f)).length + 1;
        const perTask = Math.min(this.o.firstChunksPerTask ?? 2, Math.ceil(pending / Math.max(1, concurrency - waiting.size)));
        for (let f = pickFile(taken); f && batch.length < perTask && firstChunkNext(f); f = pickFile(taken)) {
          batch.push(f);
          taken.add(f);
        }
      }
      const jobs = batch.map(chunkOf);
      const payload: LogSearchTask | LogSearchBatch = jobs.length === 1 ? jobs[0]!.task : { chunks: jobs.map((j) => j.task) };
      // A cancelled search's chunks leave the pool's queue; one already running finishes (at most the regex
      // limit): ending its thread would cost more than that. Searches have the pool's search lane to themselves.
      const settled = this.o.pool.run<LogSearchTaskResult | LogSearchBatchResult>('log-search', payload, {
        timeoutMs: Math.max(30_000, this.budgetMs * 5),
        lane: 'search',
        dropIfQueued: done,
      }).then(
        (result) => ({ jobs, results: 'results' in result ? result.results : [result], error: null as unknown }),
        (error: unknown) => ({ jobs, results: [] as BatchItemResult[], error }),
      );
      waiting.set(jobs, settled);
      return true;
    };

    // Removed only when its result is taken: two tasks can finish in the same tick.
    const waiting = new Map<Running[], Promise<{ jobs: Running[]; results: BatchItemResult[]; error: unknown }>>();
    const aborted = new Promise<'aborted'>((resolve) => {
      if (!signal) return;
      if (signal.aborted) resolve('aborted');
      signal.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    const take = (job: Running, result: BatchItemResult | null): void => {
      const f = job.file;
      if (job.generation !== f.generation) return;
      if (result === null || result.kind === 'failed') {
        // The file went away or cannot be read: it holds no more hits for this search.
        f.done = true;
        f.generation++;
        return;
      }
      if (result.kind === 'regex_timeout') throw regexTimeout(result.timeoutMs);
      let byEnd = arrived.get(f);
      if (!byEnd) arrived.set(f, (byEnd = new Map()));
      byEnd.set(job.end, { start: job.start, result });
      // Apply in file order: the chunk just below `end` first.
      for (let a = byEnd.get(f.end); a && !f.done; a = byEnd.get(f.end)) {
        byEnd.delete(f.end);
        const generation = f.generation;
        apply(f, a.start, a.result);
        if (f.generation !== generation) break;
      }
    };
    const deadline = started + this.budgetMs;
    let truncated = false;

    release();
    while (hits.length < req.limit) {
      while (waiting.size < concurrency && dispatch()) { /* fill the pool */ }
      if (waiting.size === 0) break; // nothing left to read: every hit is out
      const remaining = deadline - this.now();
      if (remaining <= 0) {
        truncated = true;
        break;
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), remaining)));
      const next = await Promise.race([...waiting.values(), timeout, aborted]);
      clearTimeout(timer);
      if (next === 'aborted') throw new SearchAbortedError();
      if (next === 'timeout') {
        truncated = true;
        break;
      }
      waiting.delete(next.jobs);
      // A batch that failed as a whole (the pool refused it, a time limit) fails each of its chunks.
      next.jobs.forEach((job, i) => take(job, next.error === null ? next.results[i] ?? null : null));
      release();
    }
    if (signal?.aborted) throw new SearchAbortedError();

    const tookMs = Math.round(this.now() - started);
    const remainingFiles = files.filter((f) => f.queue.length > 0 || !f.done);
    const nextCursor = remainingFiles.length === 0 ? null : encodeCursor({
      v: 1,
      h: hash,
      f: remainingFiles.map((f) => ({
        p: f.path, d: f.dev, i: f.ino,
        // The next page starts with the first hit not returned, or below everything examined.
        e: f.queue.length > 0 ? f.queue[0]!.offset + 1 : f.end,
        b: f.queue.length > 0 ? Math.max(f.bound, f.queue[0]!.ts!) : f.bound,
      })),
    });
    return { hits, nextCursor, scannedBytes, tookMs, truncated: truncated && hits.length < req.limit };
  }
}
