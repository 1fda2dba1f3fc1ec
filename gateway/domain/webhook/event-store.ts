// Stored webhook events: each is journalled (stream `webhook-events`) before it counts, and its id is checked
// against the seen ids, so replays and overlaps never double-count — also across a restart, when the seen
// ids, the cursor, the recent events and today's figures are rebuilt from the journal in the pool. Refused
// (malformed or unknown) items are counted in the journal too (stream `webhook-rejects`, reject-lines.ts).
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { Journal, JournalPage } from '../../store/journal.js';
import type { WorkerPool } from '../../pool/worker-pool.js';
import type { RebuildResult } from '../../../workers/webhook-sync.js';
import type { RangeResult, SinceResult } from '../../../workers/webhook-analytics.js';
import type { RejectReason, WebhookEvent, Button } from './event-schema.js';
import { SeenIds } from './seen-ids.js';
import { emptyFold, foldEvent, type FigureFold } from './analytics.js';
import { businessDate, type RangeName } from './business-day.js';
import { toLine, isEventLine, WEBHOOK_EVENTS_STREAM } from './event-lines.js';
import { toRejectLine, WEBHOOK_REJECTS_STREAM } from './reject-lines.js';

export const RECENT_EVENTS = 50;

export interface EventStoreOptions {
  journal: Journal;
  journalDir: string;
  pool: WorkerPool;
  clock: Clock;
  logger: Logger;
}

export interface StoreCursor {
  /** The webhook's startedAt when the events were received (null: not known then). */
  origin: string | null;
  seq: number;
}

export class WebhookEventStore {
  #seen = new SeenIds();
  #stored = 0;
  #lastEventAt: string | null = null;
  #lastStoredSeq: number | null = null;
  #recent: WebhookEvent[] = [];
  #today: FigureFold;
  #rejected: Record<RejectReason, number> = { malformed: 0, unknown: 0 };
  /** Refusals counted but not journalled yet. */
  #rejectsPending: Record<RejectReason, number> = { malformed: 0, unknown: 0 };
  #rejectsWriting: Promise<void> | null = null;
  #rejectsFailed = false;
  #loggedRejects = { minute: 0, count: 0 };
  #restoredCursor: StoreCursor | null = null;
  #listeners: Array<(events: WebhookEvent[]) => void> = [];

  constructor(private readonly o: EventStoreOptions) {
    this.#today = emptyFold(businessDate(o.clock.now()));
  }

  /** The journal, pool, clock and logger the store works with (the link history is kept alongside). */
  get options(): Readonly<EventStoreOptions> {
    return this.o;
  }

  /** Rebuilds the seen ids, cursor, recent events and today's figures from the journal (in the pool). */
  async load(): Promise<void> {
    const r = await this.o.pool.run<RebuildResult>('webhook-sync', { mode: 'rebuild', journalDir: this.o.journalDir, today: businessDate(this.o.clock.now()), recent: RECENT_EVENTS });
    this.#seen = new SeenIds(r.hashes);
    this.#stored = r.stored;
    this.#lastEventAt = r.lastEventAt;
    this.#recent = r.recent;
    this.#today = r.today;
    this.#restoredCursor = r.cursor;
    this.#lastStoredSeq = r.cursor?.seq ?? null;
    this.#rejected.malformed += r.rejected.malformed;
    this.#rejected.unknown += r.rejected.unknown;
    if (r.skippedLines > 0) this.o.logger.warn({ skippedLines: r.skippedLines }, 'webhook events and refusal counts: unreadable journal lines skipped');
  }

  /** Where the last run stopped (the newest stored event's webhook and its highest seq). */
  restoredCursor(): StoreCursor | null {
    return this.#restoredCursor;
  }

  onStored(listener: (events: WebhookEvent[]) => void): void {
    this.#listeners.push(listener);
  }

  /** Stores the events not seen before, in order; resolves with those newly stored once they are durable. */
  async accept(events: readonly WebhookEvent[], origin: string | null): Promise<WebhookEvent[]> {
    const fresh: WebhookEvent[] = [];
    for (const e of events) {
      if (this.#seen.has(e.id)) continue;
      this.#seen.add(e.id); // at once: the same id arriving while this append is in flight is a duplicate
      fresh.push(e);
    }
    if (fresh.length === 0) return fresh;
    const at = this.o.clock.now();
    try {
      await this.o.journal.appendMany(WEBHOOK_EVENTS_STREAM, fresh.map((e) => toLine(e, at, origin)));
    } catch (err) {
      for (const e of fresh) this.#seen.delete(e.id);
      throw err;
    }
    this.#seen.compact();
    this.#stored += fresh.length;
    const today = this.todayFold();
    for (const e of fresh) {
      if (this.#lastEventAt === null || e.ts > this.#lastEventAt) this.#lastEventAt = e.ts;
      this.#lastStoredSeq = e.seq;
      if (businessDate(Date.parse(e.ts)) === today.lastDay) foldEvent(today, e);
      this.#recent.push(e);
    }
    if (this.#recent.length > RECENT_EVENTS * 2) this.#recent = this.#recent.slice(-RECENT_EVENTS);
    for (const listener of this.#listeners) listener(fresh);
    return fresh;
  }

  /**
   * A malformed or unknown item: counted and logged (at most 20 log lines a minute), never fatal. The count is
   * journalled in the next turn; refusals arriving while that append is under way go together in the next one.
   */
  reject(reason: RejectReason, problem: string, where: { id?: string; seq?: number; via: string }): void {
    this.#rejected[reason]++;
    this.#rejectsPending[reason]++;
    this.#rejectsFailed = false;
    this.#journalRejects();
    const minute = Math.floor(this.o.clock.now() / 60_000);
    if (this.#loggedRejects.minute !== minute) this.#loggedRejects = { minute, count: 0 };
    if (++this.#loggedRejects.count <= 20) this.o.logger.warn({ reason, problem, ...where }, `webhook event refused (${reason})`);
  }

  /** Resolves once the refusals counted so far are journalled (or their append failed and was logged). */
  async flushRejected(): Promise<void> {
    await this.#rejectsWriting;
    this.#rejectsFailed = false;
    this.#journalRejects();
    await this.#rejectsWriting;
  }

  #journalRejects(): void {
    if (this.#rejectsWriting || this.#rejectsFailed) return;
    if (this.#rejectsPending.malformed + this.#rejectsPending.unknown === 0) return;
    this.#rejectsWriting = this.#drainRejects().finally(() => {
      this.#rejectsWriting = null;
      this.#journalRejects(); // counted after the last check of the drain
    });
  }

  async #drainRejects(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve)); // the refusals of this turn go together
    while (this.#rejectsPending.malformed + this.#rejectsPending.unknown > 0) {
      const counts = this.#rejectsPending;
      this.#rejectsPending = { malformed: 0, unknown: 0 };
      try {
        await this.o.journal.append(WEBHOOK_REJECTS_STREAM, toRejectLine(this.o.clock.now(), counts));
      } catch (err) {
        // Kept for the next try: with the next refusal, or at stop.
        this.#rejectsPending.malformed += counts.malformed;
        this.#rejectsPending.unknown += counts.unknown;
        this.#rejectsFailed = true;
        this.o.logger.warn({ err, counts }, 'webhook refusal counts could not be journalled');
        return;
      }
    }
  }

  rejected(): Record<RejectReason, number> {
    return { ...this.#rejected };
  }

  stats(): { eventsStored: number; lastEventAt: string | null; lastStoredSeq: number | null } {
    return { eventsStored: this.#stored, lastEventAt: this.#lastEventAt, lastStoredSeq: this.#lastStoredSeq };
  }

  recent(n = RECENT_EVENTS): WebhookEvent[] {
    return this.#recent.slice(-n);
  }

  /** Today's fold (a new business day starts empty: yesterday's events stay in the journal). */
  todayFold(): FigureFold {
    const today = businessDate(this.o.clock.now());
    if (this.#today.lastDay !== today) this.#today = emptyFold(today);
    return this.#today;
  }

  /** A range of figures from the journal, folded in the pool. */
  async range(range: RangeName, lastDay: string, signal?: AbortSignal): Promise<RangeResult> {
    await this.o.journal.flush();
    return this.o.pool.run<RangeResult>('webhook-analytics', { mode: 'range', journalDir: this.o.journalDir, range, lastDay }, { signal });
  }

  /**
   * Clicks stored with ts ≥ startedAt, counted in the pool. Events stored while the scan runs are added unless
   * the scan saw them too; `adopt` receives the total in the same turn as the last of those, so a caller
   * counting live from then on misses none and counts none twice.
   */
  async clicksSince(startedAt: string, adopt: (clicks: Record<Button, number>) => void): Promise<void> {
    // Appends in flight when the scan starts were stamped a little earlier: a minute of margin covers them.
    const storedFrom = this.o.clock.now() - 60_000;
    const during: WebhookEvent[] = [];
    const listener = (events: WebhookEvent[]) => during.push(...events);
    this.#listeners.push(listener);
    try {
      await this.o.journal.flush();
      const r = await this.o.pool.run<SinceResult>('webhook-analytics', { mode: 'since', journalDir: this.o.journalDir, startedAt, storedFrom }, { priority: 'background' });
      const counted = new Set(r.lateIds);
      const startedMs = Date.parse(startedAt);
      for (const e of during) if (e.type === 'button_click' && Date.parse(e.ts) >= startedMs && !counted.has(e.id)) r.clicks[e.button]++;
      adopt(r.clicks);
    } finally {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    }
  }

  /** Newest stored events first, paged by an opaque cursor. */
  async page(limit: number, before?: string): Promise<{ events: WebhookEvent[]; nextBefore: string | null }> {
    await this.o.journal.flush();
    const page = await this.o.pool.run<JournalPage>('journal-read', {
      dir: this.o.journalDir,
      query: { stream: WEBHOOK_EVENTS_STREAM, order: 'desc', limit, cursor: before },
    });
    return { events: page.items.filter(isEventLine).map((i) => i.event as WebhookEvent), nextBefore: page.nextCursor };
  }
}
