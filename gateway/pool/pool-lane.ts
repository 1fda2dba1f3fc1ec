// One lane of the worker pool: Piscina threads of its own with our queue in front of them (interactive before
// background, queued tasks that can leave without a thread being ended), time limits, abort and progress.
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import type { ResourceLimits } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { TaskAbortedError, TaskFailedError, TaskTimeoutError } from './task-errors.js';
import type { RunOptions, TaskEnvelope, TaskPriority } from './worker-pool.js';

export interface LaneOptions {
  maxThreads: number;
  minThreads: number;
  idleTimeoutMs: number;
  taskTimeoutMs: number;
  execArgv: string[] | undefined;
  resourceLimits: ResourceLimits;
  /** While this says true, background tasks wait (running ones finish): another lane's interactive work goes first. */
  holdBackground?: () => boolean;
  /** Called when the lane has nothing running or queued at interactive priority any more. */
  onInteractiveDone?: () => void;
}

export interface LaneStats { maxThreads: number; threads: number; queued: number; running: number; completed: number; utilization: number }

export interface PoolLane {
  run<R>(task: string, filename: URL | string, payload: unknown, opts: RunOptions): Promise<R>;
  stats(): LaneStats;
  /** Resolves once nothing runs or waits in this lane. */
  idle(): Promise<void>;
  /** Interactive tasks running or queued. */
  interactiveLoad(): number;
  /** Starts what may start now (after a hold on background work is lifted). */
  kick(): void;
  /** Runs `payload` once on each of the lane's threads at the same time, so every thread is up and has loaded
   *  the task's module; resolves when all have run (failures are the caller's to report). */
  warmUp(task: string, filename: URL | string, payload: unknown): Promise<unknown[]>;
  close(): Promise<void>;
}

interface Queued {
  priority: TaskPriority;
  start(): void;
}

// Piscina gets a task only when a thread is free for it, so priorities hold exactly (tasks that carry an abort
// signal skip Piscina's own task queue), and a queued task can leave the queue without a thread being ended.
export function createPoolLane(o: LaneOptions): PoolLane {
  const piscina = new Piscina({
    maxThreads: o.maxThreads,
    minThreads: Math.min(o.minThreads, o.maxThreads),
    idleTimeout: o.idleTimeoutMs,
    execArgv: o.execArgv,
    resourceLimits: o.resourceLimits,
  });
  const queues: Record<TaskPriority, Set<Queued>> = { interactive: new Set(), background: new Set() };
  const running: Record<TaskPriority, number> = { interactive: 0, background: 0 };
  // Background work leaves a thread for interactive work (unless the lane has only one).
  const backgroundThreads = Math.max(1, o.maxThreads - 1);
  let idleWaiters: Array<() => void> = [];

  const first = (set: Set<Queued>): Queued | undefined => set.values().next().value;

  function pump(): void {
    while (running.interactive + running.background < o.maxThreads) {
      let next = first(queues.interactive);
      if (!next && running.background < backgroundThreads && !o.holdBackground?.()) next = first(queues.background);
      if (!next) break;
      queues[next.priority].delete(next);
      running[next.priority] += 1;
      next.start();
    }
    if (running.interactive === 0 && queues.interactive.size === 0) o.onInteractiveDone?.();
    if (running.interactive + running.background === 0 && queues.interactive.size + queues.background.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  async function execute<R>(task: string, filename: URL | string, payload: unknown, runOpts: RunOptions): Promise<R> {
    const timeoutMs = runOpts.timeoutMs ?? o.taskTimeoutMs;
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

  function run<R>(task: string, filename: URL | string, payload: unknown, runOpts: RunOptions): Promise<R> {
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
      maxThreads: o.maxThreads,
      threads: piscina.threads.length,
      queued: queues.interactive.size + queues.background.size + piscina.queueSize,
      running: running.interactive + running.background,
      completed: piscina.completed,
      utilization: piscina.utilization,
    }),
    interactiveLoad: () => running.interactive + queues.interactive.size,
    kick: pump,
    warmUp: (task, filename, payload) => Promise.allSettled(Array.from({ length: o.maxThreads }, () => run(task, filename, payload, {})))
      .then((all) => all.map((r) => (r.status === 'fulfilled' ? r.value : r.reason))),
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        pump();
      }),
    close: () => piscina.close(),
  };
}
