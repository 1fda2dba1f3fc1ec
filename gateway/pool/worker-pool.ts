// Runs CPU-heavy or blocking jobs (journal reads, metric roll-ups, log searches) on Piscina worker threads so the
// gateway's event loop stays free, in two lanes so searches never hold every thread; one lane: pool-lane.ts.
import type { MessagePort, ResourceLimits } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ApiError } from '../http/api-error.js';
import { createPoolLane, type LaneStats, type PoolLane } from './pool-lane.js';

export { TaskAbortedError, TaskFailedError, TaskTimeoutError } from './task-errors.js';

export type TaskName = 'journal-read' | 'metrics-rollup' | 'log-search' | 'log-context' | 'webhook-sync' | 'webhook-analytics';

/** Interactive tasks (a search the user waits for) always go first; background tasks (the log digest's
 *  backfill) run only on threads no interactive task is waiting for, and never on every thread at once. */
export type TaskPriority = 'interactive' | 'background';

/** Each lane has threads of its own: `search` for log searches, `general` for everything else. */
export type Lane = 'general' | 'search';

export interface RunOptions {
  /** Aborts the task: it leaves the queue if it waits there; if it runs, its thread is ended. */
  signal?: AbortSignal;
  /** Takes the task out of the queue while it waits there; once it runs, it runs to the end (ending a thread
   *  and starting a new one costs more than a short task). */
  dropIfQueued?: AbortSignal;
  /** Time limit once the task runs (waiting in the queue does not count). */
  timeoutMs?: number;
  /** Default interactive; orders the tasks within a lane. */
  priority?: TaskPriority;
  /** Default: the task's lane in TASK_LANES, else general. */
  lane?: Lane;
  onProgress?: (progress: unknown) => void;
  filename?: URL | string; // tests: a task file of their own
}

export type { LaneStats } from './pool-lane.js';

/** Totals over both lanes, and each lane's own figures. */
export interface WorkerPoolStats { threads: number; queued: number; running: number; completed: number; utilization: number; lanes: Record<Lane, LaneStats> }

export interface WorkerPool {
  run<R>(task: TaskName | string, payload: unknown, opts?: RunOptions): Promise<R>;
  /** Starts every thread of the task's lane and runs `payload` once on each (the task's module loaded, its code
   *  run once), without waiting: the first real task then finds a ready thread. Failures are ignored. */
  warmUp(task: TaskName, payload: unknown): Promise<void>;
  stats(): WorkerPoolStats;
  close(): Promise<void>;
}

export interface WorkerPoolOptions {
  /** Threads of the general lane (default defaultMaxThreads()). */
  maxThreads?: number;
  /** Threads of the search lane (default maxThreads: one search keeps every core busy). */
  searchThreads?: number;
  /** Of the general lane (default 1); the search lane keeps all its threads (see createWorkerPool). */
  minThreads?: number;
  taskTimeoutMs: number;
  idleTimeoutMs?: number;
  /** Heap limits of each worker thread (node:worker_threads resourceLimits); see DEFAULT_RESOURCE_LIMITS. */
  resourceLimits?: ResourceLimits;
}

// What a worker's default export receives.
export interface TaskEnvelope<P = unknown> { payload: P; port?: MessagePort }

// `.ts` under tsx, `.js` after tsc into dist/: workers sit at the same relative place in both trees.
const moduleExt = path.extname(fileURLToPath(import.meta.url));
const workersDir = new URL('../../workers/', import.meta.url);
const TASK_NAME = /^[a-z][a-z0-9-]{0,63}$/;

export function taskFileUrl(task: string): URL {
  // The name becomes a path: refuse anything that could leave workers/.
  if (!TASK_NAME.test(task)) throw new TypeError(`Invalid worker task name: ${JSON.stringify(task)}`);
  return new URL(`${task}${moduleExt}`, workersDir);
}

// Running from .ts sources means tsx is loaded in this thread, but worker threads only inherit
// process.execArgv: under `tsx file.ts` or `node --import tsx` that carries the loader, under
// `uvu -r tsx` (loaded in-process) it does not. Then hand the workers tsx's loader explicitly.
function workerExecArgv(): string[] | undefined {
  if (moduleExt !== '.ts' || process.execArgv.some((arg) => arg.includes('tsx'))) return undefined;
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [...process.execArgv, '--import', tsxLoader];
}

// Leave the gateway thread a core of its own on small machines, but never fewer than 2 workers
// so one long task cannot block every other.
export function defaultMaxThreads(): number {
  return Math.max(2, Math.min(4, availableParallelism()));
}

/**
 * Worker heaps: a small young generation keeps each thread's footprint down (the tasks read into one reused
 * buffer and keep little between them), and the old generation is capped so a runaway task fails alone
 * instead of swelling the gateway's memory.
 */
export const DEFAULT_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 512 };

/** The lane a task runs in unless run() names one: searches (long scans a user starts, as many as users like)
 *  get threads of their own, so journal reads, history, replay and audit reads never wait behind them. */
export const TASK_LANES: Readonly<Record<string, Lane>> = { 'log-search': 'search' };

export function createWorkerPool(opts: WorkerPoolOptions): WorkerPool {
  if (!(opts.taskTimeoutMs > 0)) throw new RangeError('taskTimeoutMs must be a positive number');
  const maxThreads = opts.maxThreads ?? defaultMaxThreads();
  const shared = {
    minThreads: opts.minThreads ?? 1,
    idleTimeoutMs: opts.idleTimeoutMs ?? 5_000,
    taskTimeoutMs: opts.taskTimeoutMs,
    execArgv: workerExecArgv(),
    resourceLimits: opts.resourceLimits ?? DEFAULT_RESOURCE_LIMITS,
  };
  const searchThreads = opts.searchThreads ?? maxThreads;
  // The search lane keeps its threads: a thread started for a search costs it its start and its module's load
  // (on the order of 100 ms on a busy machine), and the first page of a search must come in less than that.
  // While a search runs, background work (the digest's backfill) waits in the general lane: a search the user
  // waits for gets the cores; the backfill goes on when it has answered.
  const search = createPoolLane({ ...shared, maxThreads: searchThreads, minThreads: searchThreads, onInteractiveDone: () => general.kick() });
  const general: PoolLane = createPoolLane({ ...shared, maxThreads, holdBackground: () => search.interactiveLoad() > 0 });
  const lanes: Record<Lane, PoolLane> = { general, search };
  let closing: Promise<void> | null = null;

  function run<R>(task: string, payload: unknown, runOpts: RunOptions = {}): Promise<R> {
    if (closing) return Promise.reject(new ApiError(503, 'pool_closed', `Task "${task}" refused: the worker pool is shutting down.`));
    let filename: URL | string;
    try {
      filename = runOpts.filename === undefined ? taskFileUrl(task) : runOpts.filename;
    } catch (err) {
      return Promise.reject(err);
    }
    return lanes[runOpts.lane ?? TASK_LANES[task] ?? 'general'].run<R>(task, filename, payload, runOpts);
  }

  function stats(): WorkerPoolStats {
    const general = lanes.general.stats();
    const search = lanes.search.stats();
    const sum = (key: 'threads' | 'queued' | 'running' | 'completed'): number => general[key] + search[key];
    const capacity = general.maxThreads + search.maxThreads;
    return {
      threads: sum('threads'),
      queued: sum('queued'),
      running: sum('running'),
      completed: sum('completed'),
      utilization: (general.utilization * general.maxThreads + search.utilization * search.maxThreads) / capacity,
      lanes: { general, search },
    };
  }

  function warmUp(task: TaskName, payload: unknown): Promise<void> {
    if (closing) return Promise.resolve();
    return lanes[TASK_LANES[task] ?? 'general'].warmUp(task, taskFileUrl(task), payload).then(() => undefined, () => undefined);
  }

  return {
    run,
    warmUp,
    stats,
    close: () => {
      // Queued and running tasks finish first; Piscina's close() then terminates the threads.
      closing ??= Promise.all([lanes.general.idle(), lanes.search.idle()])
        .then(() => Promise.all([lanes.general.close(), lanes.search.close()]))
        .then(() => undefined);
      return closing;
    },
  };
}
