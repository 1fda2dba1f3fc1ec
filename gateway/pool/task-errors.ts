// Errors a worker-pool task can end with, shaped as API errors so a route can let them through unchanged.
// Timeouts are 503 (the server is too busy or the job too big right now), failures 500.
import { ApiError } from '../http/api-error.js';

export class TaskTimeoutError extends ApiError {
  readonly task: string;
  readonly timeoutMs: number;
  constructor(task: string, timeoutMs: number) {
    super(503, 'task_timeout', `Task "${task}" did not finish within ${timeoutMs} ms and was stopped.`, { task, timeoutMs });
    this.name = 'TaskTimeoutError';
    this.task = task;
    this.timeoutMs = timeoutMs;
  }
}

// Plain Error per the contract: an abort comes from our own side (e.g. the client went away),
// so there is usually nobody to send a response to.
export class TaskAbortedError extends Error {
  readonly code = 'task_aborted';
  readonly task: string;
  constructor(task: string, reason?: unknown) {
    const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : undefined;
    super(`Task "${task}" was aborted${why ? `: ${why}` : ''}.`);
    this.name = 'TaskAbortedError';
    this.task = task;
  }
}

export class TaskFailedError extends ApiError {
  readonly task: string;
  constructor(task: string, message: string) {
    super(500, 'task_failed', `Task "${task}" failed: ${message}`, { task });
    this.name = 'TaskFailedError';
    this.task = task;
  }
}
