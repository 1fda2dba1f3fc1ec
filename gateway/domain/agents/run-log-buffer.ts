// The last N log lines of one run (a ring), numbered by the run's own log sequence, so the run detail page
// can stream "lines after seq X" from memory; older lines are read from the journal instead.
import type { LogLevel } from './types.js';

export interface RunLogLine {
  seq: number;
  ts: string;
  level: LogLevel;
  message: string;
}

export const LOG_RING_SIZE = 2000;

export class RunLogBuffer {
  readonly #capacity: number;
  readonly #lines: RunLogLine[] = [];
  #start = 0; // index of the oldest line once the ring is full

  constructor(capacity = LOG_RING_SIZE) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#lines.length;
  }

  /** Seq of the oldest line held (null when empty). */
  get firstSeq(): number | null {
    return this.#lines.length === 0 ? null : this.#at(0).seq;
  }

  get lastSeq(): number | null {
    return this.#lines.length === 0 ? null : this.#at(this.#lines.length - 1).seq;
  }

  push(line: RunLogLine): void {
    if (this.#lines.length < this.#capacity) {
      this.#lines.push(line);
      return;
    }
    this.#lines[this.#start] = line;
    this.#start = (this.#start + 1) % this.#capacity;
  }

  /**
   * Lines with seq > after, oldest first, at most `limit`; null when the ring no longer holds the line right
   * after `after` (the caller then reads the journal).
   */
  after(after: number, limit: number): { lines: RunLogLine[]; hasMore: boolean } | null {
    const first = this.firstSeq;
    const last = this.lastSeq;
    if (first === null || last === null || after >= last) return { lines: [], hasMore: false };
    if (after + 1 < first) return null;
    // Seqs rise through the ring: binary search for the first one above `after`.
    let lo = 0;
    let hi = this.#lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#at(mid).seq > after) hi = mid;
      else lo = mid + 1;
    }
    const from = lo;
    const lines: RunLogLine[] = [];
    for (let i = from; i < this.#lines.length && lines.length < limit; i++) lines.push(this.#at(i));
    return { lines, hasMore: from + lines.length < this.#lines.length };
  }

  #at(i: number): RunLogLine {
    return this.#lines[(this.#start + i) % this.#lines.length]!;
  }
}
