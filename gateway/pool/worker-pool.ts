// Runs CPU-heavy or blocking jobs (journal reads, metric roll-ups) on Piscina worker threads so the
// gateway's event loop stays free; adds per-task time limits, abort, progress and typed errors.
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { ApiError } from '../http/api-error.js';
import { TaskAbortedError, TaskFailedError, TaskTimeoutError } from './task-errors.js';

export { TaskAbortedError, TaskFailedError, TaskTimeoutError } from './task-errors.js';

export type TaskName = 'journal-read' | 'metrics-rollup' | 'log-search' | 'log-context';

export interface RunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  onProgress?: (progress: unknown) => void;
  filename?: URL | string; // tests: a task file of their own
}

export interface WorkerPoolStats { threads: number; queued: number; completed: number; utilization: number }

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

export function createWorkerPool(opts: WorkerPoolOptions): WorkerPool {
  if (!(opts.taskTimeoutMs > 0)) throw new RangeError('taskTimeoutMs must be a positive number');
  const maxThreads = opts.maxThreads ?? defaultMaxThreads();
  const piscina = new Piscina({
    maxThreads,
    minThreads: Math.min(opts.minThreads ?? 1, maxThreads),
    idleTimeout: opts.idleTimeoutMs ?? 5_000,
    execArgv: workerExecArgv(),
  });
  let closing: Promise<void> | null = null;

  async function run<R>(task: string, payload: unknown, runOpts: RunOptions = {}): Promise<R> {
    if (closing) throw new ApiError(503, 'pool_closed', `Task "${task}" refused: the worker pool is shutting down.`);
    const filename = runOpts.filename === undefined ? taskFileUrl(task) : runOpts.filename;
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

  return {
    run,
    stats: () => ({
      threads: piscina.threads.length,
      queued: piscina.queueSize,
      completed: piscina.completed,
      utilization: piscina.utilization,
    }),
    close: () => {
      // Piscina's close() waits for queued and running tasks, then terminates the threads.
      closing ??= piscina.close();
      return closing;
    },
  };
}
