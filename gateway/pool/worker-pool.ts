// Runs CPU-heavy or blocking jobs (journal reads, metric roll-ups) on Piscina worker threads so the
// gateway's event loop stays free; adds per-task time limits, abort, progress and typed errors.
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort, ResourceLimits } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { ApiError } from '../http/api-error.js';
import { TaskAbortedError, TaskFailedError, TaskTimeoutError } from './task-errors.js';

export { TaskAbortedError, TaskFailedError, TaskTimeoutError } from './task-errors.js';

export type TaskName = 'journal-read' | 'metrics-rollup' | 'log-search' | 'log-context' | 'webhook-sync' | 'webhook-analytics';

/** Interactive tasks (a search the user waits for) always go first; background tasks (the log digest's
 *  backfill) run only on threads no interactive task is waiting for, and never on every thread at once. */
export type TaskPriority = 'interactive' | 'background';

export interface RunOptions {
  /** Aborts the task: it leaves the queue if it waits there; if it runs, its thread is ended. */
  signal?: AbortSignal;
  /** Takes the task out of the queue while it waits there; once it runs, it runs to the end (ending a thread
   *  and starting a new one costs more than a short task). */
  dropIfQueued?: AbortSignal;
  /** Time limit once the task runs (waiting in the queue does not count). */
  timeoutMs?: number;
  /** Default interactive. */
  priority?: TaskPriority;
  onProgress?: (progress: unknown) => void;
  filename?: URL | string; // tests: a task file of their own
}

export interface WorkerPoolStats { threads: number; queued: number; running: number; completed: number; utilization: number }

export interface WorkerPool {
  run<R>(task: TaskName | string, payload: unknown, opts?: RunOptions): Promise<R>;
  stats(): WorkerPoolStats;
  close(): Promise<void>;
}

export interface WorkerPoolOptions {
  maxThreads?: number;
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

interface Queued {
  priority: TaskPriority;
  start(): void;
}

// Our own queue in front of Piscina: Piscina gets a task only when a thread is free for it, so priorities hold
// exactly (tasks that carry an abort signal skip Piscina's own task queue), and a queued task can leave the
// queue without a thread being ended.
export function createWorkerPool(opts: WorkerPoolOptions): WorkerPool {
  if (!(opts.taskTimeoutMs > 0)) throw new RangeError('taskTimeoutMs must be a positive number');
  const maxThreads = opts.maxThreads ?? defaultMaxThreads();
  const piscina = new Piscina({
    maxThreads,
    minThreads: Math.min(opts.minThreads ?? 1, maxThreads),
    idleTimeout: opts.idleTimeoutMs ?? 5_000,
    execArgv: workerExecArgv(),
    resourceLimits: opts.resourceLimits ?? DEFAULT_RESOURCE_LIMITS,
  });
  const queues: Record<TaskPriority, Set<Queued>> = { interactive: new Set(), background: new Set() };
  const running: Record<TaskPriority, number> = { interactive: 0, background: 0 };
  // Background work leaves a thread for searches (unless the pool has only one).
  const backgroundThreads = Math.max(1, maxThreads - 1);
  let idleWaiters: Array<() => void> = [];
  let closing: Promise<void> | null = null;

  const first = (set: Set<Queued>): Queued | undefined => set.values().next().value;

  function pump(): void {
    while (running.interactive + running.background < maxThreads) {
      let next = first(queues.interactive);
      if (!next && running.background < backgroundThreads) next = first(queues.background);
      if (!next) break;
      queues[next.priority].delete(next);
      running[next.priority] += 1;
      next.start();
    }
    if (running.interactive + running.background === 0 && queues.interactive.size + queues.background.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  async function execute<R>(task: string, filename: URL | string, payload: unknown, runOpts: RunOptions): Promise<R> {
    const timeoutMs = runOpts.timeoutMs ?? opts.taskTimeoutMs;
    // Own timer rather than AbortSignal.timeout: it is cleared the moment the task settles, and we know
    // for sure which of the two signals fired.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error(`time limit of ${timeoutMs} ms`)), timeoutMs);
    const signal = runOpts.signal ? AbortSignal.any([runOpts.signal, timeout.signal]) : timeout.signal;

    const onProgress = runOpts.onProgress;
    const channel = onProgress ? new MessageChannel() : null;
    const deliver = (message: unknown): void => {
      try {
        onProgress?.(message);
      } catch {
        // Progress is advisory: a faulty listener must not crash the gateway or fail the task.
      }
    };
    channel?.port1.on('message', deliver);

    const envelope: TaskEnvelope = channel ? { payload, port: channel.port2 } : { payload };
    try {
      return (await piscina.run(envelope, {
        filename: filename instanceof URL ? filename.href : filename,
        signal,
        transferList: channel ? [channel.port2] : undefined,
      })) as R;
    } catch (err) {
      if (timeout.signal.aborted) throw new TaskTimeoutError(task, timeoutMs);
      if (runOpts.signal?.aborted) throw new TaskAbortedError(task, runOpts.signal.reason);
      throw new TaskFailedError(task, err instanceof Error ? err.message : String(err));
    } finally {
      clearTimeout(timer);
      if (channel) {
        // Messages posted just before the result can still sit in the port's queue: hand them over
        // synchronously so onProgress has seen everything by the time run() settles.
        for (let m = receiveMessageOnPort(channel.port1); m; m = receiveMessageOnPort(channel.port1)) deliver(m.message);
        channel.port1.close();
      }
    }
  }

  function run<R>(task: string, payload: unknown, runOpts: RunOptions = {}): Promise<R> {
    if (closing) return Promise.reject(new ApiError(503, 'pool_closed', `Task "${task}" refused: the worker pool is shutting down.`));
    let filename: URL | string;
    try {
      filename = runOpts.filename === undefined ? taskFileUrl(task) : runOpts.filename;
    } catch (err) {
      return Promise.reject(err);
    }
    const cancels = [runOpts.signal, runOpts.dropIfQueued].filter((s): s is AbortSignal => s !== undefined);
    const already = cancels.find((s) => s.aborted);
    if (already) return Promise.reject(new TaskAbortedError(task, already.reason));
    const priority = runOpts.priority ?? 'interactive';

    return new Promise<R>((resolve, reject) => {
      const onCancel = (event: Event): void => {
        // Still queued (start() removes this listener): it leaves the queue and never runs.
        queues[priority].delete(entry);
        for (const s of cancels) s.removeEventListener('abort', onCancel);
        reject(new TaskAbortedError(task, (event.target as AbortSignal).reason));
        pump();
      };
      const entry: Queued = {
        priority,
        start: () => {
          for (const s of cancels) s.removeEventListener('abort', onCancel);
          execute<R>(task, filename, payload, runOpts).then(resolve, reject).finally(() => {
            running[priority] -= 1;
            pump();
          });
        },
      };
      for (const s of cancels) s.addEventListener('abort', onCancel, { once: true });
      queues[priority].add(entry);
      pump();
    });
  }

  return {
    run,
    stats: () => ({
      threads: piscina.threads.length,
      queued: queues.interactive.size + queues.background.size + piscina.queueSize,
      running: running.interactive + running.background,
      completed: piscina.completed,
      utilization: piscina.utilization,
    }),
    close: () => {
      // Queued and running tasks finish first; Piscina's close() then terminates the threads.
      closing ??= new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        pump();
      }).then(() => piscina.close());
      return closing;
    },
  };
}
