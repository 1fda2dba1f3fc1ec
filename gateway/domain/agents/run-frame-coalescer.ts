// Rate-limits `run` frames on the live hub: at most one per run per interval (the latest state wins), except
// that a run's first frame and its move to a terminal status go out at once.
import { isTerminal } from './run-reducer.js';
import type { RunState } from './types.js';

interface Entry {
  lastAt: number;
  pending: RunState | null;
  terminalSent: boolean;
}

export class RunFrameCoalescer {
  readonly #entries = new Map<string, Entry>();
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly send: (run: RunState) => void,
    private readonly intervalMs = 250,
    // Monotonic time for rate limiting only (business time comes from the injected Clock elsewhere).
    private readonly now: () => number = () => performance.now(),
  ) {}

  update(run: RunState): void {
    const now = this.now();
    const entry = this.#entries.get(run.runId);
    const terminal = isTerminal(run.status);
    if (!entry) {
      this.#entries.set(run.runId, { lastAt: now, pending: null, terminalSent: terminal });
      this.send(run);
      this.#arm();
      return;
    }
    if ((terminal && !entry.terminalSent) || now - entry.lastAt >= this.intervalMs) {
      entry.terminalSent ||= terminal;
      entry.lastAt = now;
      entry.pending = null;
      this.send(run);
      this.#arm();
      return;
    }
    entry.pending = run;
    this.#arm();
  }

  /** Sends every held-back frame now (at close). */
  flush(): void {
    for (const entry of this.#entries.values()) {
      if (entry.pending) this.send(entry.pending);
      entry.pending = null;
    }
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#entries.clear();
  }

  #arm(): void {
    if (this.#timer) return;
    // A quarter interval keeps a held frame's extra delay small without a timer per run.
    this.#timer = setTimeout(() => this.#tick(), Math.max(1, this.intervalMs / 4));
    this.#timer.unref();
  }

  #tick(): void {
    this.#timer = null;
    const now = this.now();
    for (const [runId, entry] of this.#entries) {
      const due = now - entry.lastAt >= this.intervalMs;
      if (entry.pending && due) {
        this.send(entry.pending);
        entry.pending = null;
        entry.lastAt = now;
      } else if (!entry.pending && due) {
        this.#entries.delete(runId); // quiet for a whole interval: its next change may go out at once
      }
    }
    if (this.#entries.size > 0) this.#arm();
  }
}
