// Refused anonymous requests, folded per (IP, action, reason) and minute into audit lines with a `count`, so a
// flood of them is a few lines instead of one per request. Signed-in callers' refusals never come here.
import type { Clock } from '../clock.js';
import type { AuditEntry } from './audit-trail.js';

/** Distinct (IP, action, reason) buckets a minute; past that, further IPs share one bucket per action and reason. */
export const MAX_BUCKETS_PER_MINUTE = 256;
/** Distinct targets (e.g. user names tried at sign-in) a summed line lists. */
export const MAX_TARGETS = 10;
const MINUTE_MS = 60_000;

interface Bucket {
  /** The first refusal's entry, written at once with count 1. */
  first: AuditEntry;
  /** Refusals after the first, not written yet, and when the first and last of them came. */
  pending: number;
  firstAt: number;
  lastAt: number;
  userAgent?: string;
  targets: string[];
}

export interface RefusalAggregatorOptions {
  clock: Clock;
  /** Appends lines to the audit stream (all or none). */
  write(entries: AuditEntry[]): Promise<unknown>;
  /** A write of summed lines that failed (a timer's flush has no caller to tell). */
  onError(err: unknown): void;
}

export class RefusalAggregator {
  readonly #o: RefusalAggregatorOptions;
  #minute = -1;
  #buckets = new Map<string, Bucket>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(o: RefusalAggregatorOptions) {
    this.#o = o;
  }

  /** The first refusal of its bucket in a minute is written at once (resolves when it is); later ones are summed. */
  record(entry: AuditEntry): Promise<unknown> {
    if (this.#closed) return this.#o.write([{ ...entry, count: 1 }]);
    const now = this.#o.clock.now();
    const minute = Math.floor(now / MINUTE_MS);
    if (minute !== this.#minute) {
      void this.#flush(true).catch(this.#o.onError);
      this.#minute = minute;
    }
    const reason = entry.detail ?? `status ${entry.status}`;
    let key = `${entry.ip}\n${entry.action}\n${reason}`;
    let bucket = this.#buckets.get(key);
    if (!bucket && this.#buckets.size >= MAX_BUCKETS_PER_MINUTE) {
      key = `*\n${entry.action}\n${reason}`;
      bucket = this.#buckets.get(key);
      entry = { ...entry, ip: '*' };
    }
    if (bucket) {
      if (bucket.pending === 0) bucket.firstAt = now;
      bucket.pending++;
      bucket.lastAt = now;
      if (entry.userAgent) bucket.userAgent = entry.userAgent;
      if (entry.target !== undefined && bucket.targets.length < MAX_TARGETS && !bucket.targets.includes(entry.target)) bucket.targets.push(entry.target);
      return Promise.resolve();
    }
    const first: AuditEntry = { ...entry, count: 1 };
    this.#buckets.set(key, { first, pending: 0, firstAt: now, lastAt: now, targets: [] });
    this.#arm();
    return this.#o.write([first]);
  }

  /** Writes what is summed so far (GET /api/audit shows the counts up to now); the minute's buckets go on. */
  flush(): Promise<void> {
    return this.#flush(false);
  }

  /** Writes what is summed and stops summing: later refusals are written one line each. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#flush(true);
  }

  /** Writes every bucket's sum since its last line; `end` forgets the buckets (their minute is over). */
  async #flush(end: boolean): Promise<void> {
    const lines: AuditEntry[] = [];
    for (const b of this.#buckets.values()) {
      if (b.pending === 0) continue;
      lines.push(summedLine(b));
      b.pending = 0;
      b.targets = [];
      b.userAgent = undefined;
    }
    if (end) this.#buckets = new Map();
    if (lines.length > 0) await this.#o.write(lines);
  }

  // One timer for the end of the current minute (by the injected clock), so a flood that stops is summed up then.
  #arm(): void {
    if (this.#timer) return;
    const delay = Math.max(1_000, (this.#minute + 1) * MINUTE_MS - this.#o.clock.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (Math.floor(this.#o.clock.now() / MINUTE_MS) !== this.#minute) {
        void this.#flush(true).catch(this.#o.onError);
      } else if (this.#buckets.size > 0) {
        this.#arm();
      }
    }, delay);
    this.#timer.unref();
  }
}

function summedLine(b: Bucket): AuditEntry {
  const { ts: _ts, target: _target, userAgent: _ua, count: _count, ...rest } = b.first;
  const line: AuditEntry = {
    ...rest,
    count: b.pending,
    firstAt: new Date(b.firstAt).toISOString(),
    lastAt: new Date(b.lastAt).toISOString(),
  };
  if (b.userAgent) line.userAgent = b.userAgent;
  if (b.targets.length === 1) line.target = b.targets[0];
  else if (b.targets.length > 1) line.targets = b.targets;
  return line;
}
