// The webhook link's history kept across restarts: state changes, poll counts and the dashboard's own starts
// and stops are journalled (stream `webhook-link`, lines in link-history.ts) and rebuilt at start in the pool,
// over the last 24 h (the window of uptimePct24h). Poll counts go out when their 5-minute bucket ends, with a
// state change, and at stop, so a crash loses at most one bucket's counts and shows from the last line on as
// unknown.
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { Journal } from '../../store/journal.js';
import type { WorkerPool } from '../../pool/worker-pool.js';
import type { LinkHistoryResult } from '../../../workers/webhook-sync.js';
import { bucketOf, DAY_MS, type LinkInput, type LinkState, type UptimeBuckets } from './link-state.js';
import {
  historySpans,
  NOT_RUNNING,
  trimMarks,
  withStart,
  WEBHOOK_LINK_STREAM,
  type HistoryMark,
  type HistorySpan,
  type LinkLine,
} from './link-history.js';

export interface LinkLogOptions {
  journal: Journal;
  journalDir: string;
  pool: WorkerPool;
  clock: Clock;
  logger: Logger;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class LinkLog {
  #marks: HistoryMark[] = [];
  #lastKnownAt: number | null = null;
  /** Poll counts not journalled yet, by bucket. */
  #pending = new Map<number, { good: number; total: number }>();
  #bucket: number | null = null;
  #writes = new Set<Promise<void>>();
  #watching = false;

  constructor(private readonly o: LinkLogOptions) {}

  /** Rebuilds the history and the poll counts of the last 24 h from the journal (in the pool). */
  async load(): Promise<UptimeBuckets> {
    const r = await this.o.pool.run<LinkHistoryResult>('webhook-sync', { mode: 'link-history', journalDir: this.o.journalDir, now: this.o.clock.now(), windowMs: DAY_MS });
    if (r.skippedLines > 0) this.o.logger.warn({ skippedLines: r.skippedLines }, 'webhook link history: unreadable journal lines skipped');
    this.#marks = r.marks;
    this.#lastKnownAt = r.lastKnownAt;
    return r.uptime;
  }

  /** The dashboard starts watching the link, in its initial state: the time it was not running is unknown. */
  started(link: LinkState): void {
    const at = Date.parse(link.since);
    this.#marks = withStart(this.#marks, this.#lastKnownAt, at, link.state, link.detail);
    this.#watching = true;
    this.#write([{ ts: iso(at), kind: 'start', state: link.state, detail: link.detail }]);
  }

  /** One input of the link reducer, with the link before and after it. */
  observe(input: LinkInput, before: LinkState, after: LinkState): void {
    if (!this.#watching) return;
    const lines: LinkLine[] = [];
    if (input.type === 'poll') {
      const bucket = bucketOf(input.at);
      if (this.#bucket !== null && bucket !== this.#bucket) lines.push(...this.#takePolls(input.at));
      this.#bucket = bucket;
      const counts = this.#pending.get(bucket) ?? { good: 0, total: 0 };
      counts.total++;
      if (input.ok) counts.good++;
      this.#pending.set(bucket, counts);
    }
    if (after.state !== before.state) {
      const at = Date.parse(after.since);
      lines.push(...this.#takePolls(input.at), { ts: iso(at), kind: 'state', state: after.state, detail: after.detail });
      this.#marks.push({ at, state: after.state, detail: after.detail });
      if (this.#marks.length > 1 && this.#marks[1]!.at <= input.at - DAY_MS) this.#marks = trimMarks(this.#marks, input.at);
    }
    if (lines.length > 0) this.#write(lines);
  }

  /** The dashboard stops watching: the counts so far and the stop are journalled. */
  async stop(): Promise<void> {
    if (this.#watching) {
      this.#watching = false;
      const at = this.o.clock.now();
      this.#write([...this.#takePolls(at), { ts: iso(at), kind: 'stop' }]);
      this.#marks.push({ at, state: 'unknown', detail: NOT_RUNNING });
    }
    await Promise.all(this.#writes);
  }

  /** The spans of the last 24 h. */
  spans(now: number): HistorySpan[] {
    return historySpans(this.#marks, now);
  }

  #takePolls(at: number): LinkLine[] {
    const lines: LinkLine[] = [];
    for (const [bucket, { good, total }] of this.#pending) lines.push({ ts: iso(at), kind: 'polls', bucket, good, total });
    this.#pending.clear();
    return lines;
  }

  #write(lines: LinkLine[]): void {
    const done = this.o.journal
      .appendMany(WEBHOOK_LINK_STREAM, lines)
      .then(
        () => undefined,
        (err: unknown) => this.o.logger.warn({ err, lines: lines.length }, 'webhook link history could not be journalled'),
      )
      .finally(() => this.#writes.delete(done));
    this.#writes.add(done);
  }
}
