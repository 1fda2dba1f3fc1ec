// Rate-limits `run` frames on the live hub: at most one per run per interval (the latest state wins), except
// that a run's first frame and its move to a terminal status go out at once.
//
// Held-back frames of every run leave together, on one shared beat, rather than each run on its own phase:
// with 20 busy runs that is 4 writes a second to each WebSocket client instead of one every hub tick, which is
// what keeps fan-out to a thousand clients cheap (the write syscalls, not the JSON, dominate that cost).
import { isTerminal } from './run-reducer.js';
import type { RunState } from './types.js';

interface Entry {
  lastAt: number;
  pending: RunState | null;
  terminalSent: boolean;
}

// A beat may fire a little early or late relative to a run's last send; a frame is due within this fraction.
const DUE_FRACTION = 0.9;

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
    const entry = this.#entries.get(run.runId);
    const terminal = isTerminal(run.status);
    if (!entry || (terminal && !entry.terminalSent)) {
      // A run's first frame (or the first after a quiet interval) and its end go out at once.
      const now = this.now();
      if (entry) {
        entry.lastAt = now;
        entry.pending = null;
        entry.terminalSent = true;
      } else {
        this.#entries.set(run.runId, { lastAt: now, pending: null, terminalSent: terminal });
      }
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
    this.#timer = setTimeout(() => this.#beat(), this.intervalMs);
    this.#timer.unref();
  }

  #beat(): void {
    this.#timer = null;
    const now = this.now();
    const dueBefore = now - this.intervalMs * DUE_FRACTION;
    for (const [runId, entry] of this.#entries) {
      if (entry.lastAt > dueBefore) continue; // sent at once less than an interval ago: the next beat
      if (entry.pending) {
        this.send(entry.pending);
        entry.pending = null;
        entry.lastAt = now;
      } else {
        this.#entries.delete(runId); // quiet for a whole interval: its next change may go out at once
      }
    }
    if (this.#entries.size > 0) this.#arm();
  }
}
