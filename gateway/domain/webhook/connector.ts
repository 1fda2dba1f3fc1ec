// Keeps the dashboard in step with the webhook: polls /health and /api/webhook/metrics, keeps /ws/events
// open (exponential backoff with full jitter), fills gaps through /api/webhook/events?after= (pages parsed in
// the pool), detects restarts (a lower lastSeq with a newer startedAt → cursor reset and resync), reconciles
// click counts with /metrics, and reports up/degraded/down/stale with since-when.
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { WorkerPool } from '../../pool/worker-pool.js';
import type { ParsedPage } from '../../../workers/webhook-sync.js';
import type { WebhookClient, WebhookMetrics } from '../../sources/webhook-client.js';
import { classifyFrame, type WebhookEvent } from './event-schema.js';
import type { WebhookEventStore } from './event-store.js';
import { initialLinkState, reduceLink, type LinkInput, type LinkState, type UptimeBuckets } from './link-state.js';
import { ClickTally, compareCounts, type Reconciliation } from './reconcile.js';

export const PAGE_LIMIT = 1000;

export interface ConnectorOptions {
  client: WebhookClient;
  store: WebhookEventStore;
  pool: WorkerPool;
  clock: Clock;
  logger: Logger;
  pollMs: number;
  /** Reconnect delays: full jitter over min(maxMs, minMs · 2^attempt). */
  backoff?: { minMs: number; maxMs: number };
  random?: () => number;
}

export type ConnectionState = 'open' | 'reconnecting' | 'closed';

export interface ConnectorView {
  link: LinkState;
  connection: ConnectionState;
  lastSeq: number;
  reconciliation: Reconciliation | null;
}

export class WebhookConnector {
  #link: LinkState;
  #connection: ConnectionState = 'closed';
  #cursor = { origin: null as string | null, seq: 0 };
  #stream: { close(): void } | null = null;
  #connecting = false;
  #attempt = 0;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #pollTimer: NodeJS.Timeout | null = null;
  #polling: Promise<void> | null = null;
  #syncing: Promise<void> | null = null;
  #resyncWanted = false;
  #running = false;
  #behindAt: number | null = null;
  #reconciliation: Reconciliation | null = null;
  #tally: ClickTally;
  #live: WebhookEvent[] = [];
  #liveFlush: Promise<void> = Promise.resolve();
  #liveScheduled = false;
  #liveDraining = false;
  #changed: () => void = () => {};
  #linkListener: (input: LinkInput, before: LinkState, after: LinkState) => void = () => {};
  readonly #backoff: { minMs: number; maxMs: number };
  readonly #random: () => number;

  constructor(private readonly o: ConnectorOptions) {
    this.#link = initialLinkState(o.clock.now());
    this.#backoff = o.backoff ?? { minMs: 500, maxMs: 30_000 };
    this.#random = o.random ?? Math.random;
    this.#tally = new ClickTally(
      (startedAt, adopt) => o.store.clicksSince(startedAt, adopt),
      (err) => o.logger.warn({ err }, 'webhook reconciliation: counting stored clicks failed'),
    );
    o.store.onStored((events) => this.#tally.add(events));
  }

  /** Called whenever the link, connection, cursor or reconciliation changes. */
  onChange(listener: () => void): void {
    this.#changed = listener;
  }

  /** Called with every input of the link reducer (poll outcomes, ticks) and the link before and after it. */
  onLink(listener: (input: LinkInput, before: LinkState, after: LinkState) => void): void {
    this.#linkListener = listener;
  }

  /** Before start: the link starts afresh (nothing polled yet) with the poll counts kept from an earlier run. */
  restoreUptime(uptime: UptimeBuckets): void {
    this.#link = { ...initialLinkState(this.o.clock.now()), uptime };
  }

  view(): ConnectorView {
    return { link: this.#link, connection: this.#connection, lastSeq: this.#cursor.seq, reconciliation: this.#reconciliation };
  }

  start(): void {
    const restored = this.o.store.restoredCursor();
    if (restored) this.#cursor = { ...restored };
    this.#running = true;
    this.#connection = 'reconnecting';
    void this.poll();
    this.#pollTimer = setInterval(() => {
      this.tick();
      void this.poll();
    }, this.o.pollMs);
    this.#pollTimer.unref();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#pollTimer = this.#reconnectTimer = null;
    this.#stream?.close();
    this.#stream = null;
    this.#connection = 'closed';
    await Promise.allSettled([this.#polling, this.#syncing, this.#liveFlush]);
  }

  /** One round: /health, then /metrics (restart and gap detection, reconciliation); one at a time. */
  poll(): Promise<void> {
    this.#polling ??= this.#poll().finally(() => (this.#polling = null));
    return this.#polling;
  }

  async #poll(): Promise<void> {
    const outcome = await this.o.client.health();
    if (!this.#running) return;
    this.#apply(outcome.ok ? { type: 'poll', at: this.o.clock.now(), ok: true, health: outcome.health, latencyMs: outcome.latencyMs } : { type: 'poll', at: this.o.clock.now(), ...outcome });
    if (!outcome.ok) return;
    let metrics: WebhookMetrics;
    try {
      metrics = await this.o.client.metrics();
    } catch (err) {
      this.o.logger.warn({ err: String(err) }, 'webhook /api/webhook/metrics failed');
      this.#ensureStream();
      return;
    }
    if (!this.#running) return;
    this.#checkInstance(metrics);
    // The webhook answers again: reconnect now rather than at the end of a long backoff (at most once a poll).
    if (this.#stream === null && this.#reconnectTimer) {
      clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = null;
    }
    if (this.#stream === null) this.#ensureStream();
    else if (metrics.lastSeq > this.#cursor.seq) {
      // Behind the webhook for two polls in a row with the stream open: events went missing, fill the gap.
      if (this.#behindAt !== null) void this.sync();
      this.#behindAt = this.#behindAt ?? this.o.clock.now();
    } else this.#behindAt = null;
    await this.#reconcile(metrics);
  }

  /** Re-evaluates staleness without a poll (the clock moved on). */
  tick(): void {
    this.#apply({ type: 'tick', at: this.o.clock.now() });
  }

  #apply(input: LinkInput): void {
    const before = this.#link;
    this.#link = reduceLink(this.#link, input, this.o.pollMs);
    if (this.#link.state !== before.state) this.o.logger.info({ state: this.#link.state, detail: this.#link.detail }, `webhook is ${this.#link.state}`);
    this.#linkListener(input, before, this.#link);
    this.#changed();
  }

  #checkInstance(m: WebhookMetrics): void {
    const known = this.#cursor.origin;
    if (known !== null && Date.parse(m.startedAt) > Date.parse(known) && m.lastSeq < this.#cursor.seq) {
      this.o.logger.warn({ startedAt: m.startedAt, lastSeq: m.lastSeq, cursor: this.#cursor.seq }, 'webhook restarted with a lower seq: cursor reset, resyncing');
      this.#cursor = { origin: m.startedAt, seq: 0 };
      this.#behindAt = null;
      // The open stream (if any) filters by the old cursor: reopen it after the resync.
      this.#stream?.close();
    } else if (known !== m.startedAt) {
      this.#cursor = { ...this.#cursor, origin: m.startedAt };
    }
    this.#tally.follow(m.startedAt);
  }

  async #reconcile(m: WebhookMetrics): Promise<void> {
    if (this.#syncing) await this.#syncing.catch(() => undefined);
    await this.#liveFlush;
    if (this.#cursor.seq < m.lastSeq || this.#cursor.origin !== m.startedAt) return; // not caught up yet
    const counts = this.#tally.countsAt(m);
    if (!counts) return;
    const result = compareCounts(m, counts, this.o.clock.now());
    const previous = this.#reconciliation;
    this.#reconciliation = result;
    if (!result.ok && JSON.stringify(result.drift) !== JSON.stringify(previous?.drift ?? [])) {
      this.o.logger.warn({ drift: result.drift, webhookStartedAt: m.startedAt }, 'webhook counts differ from the dashboard');
    }
    this.#changed();
  }

  /** Fills the gap after the cursor through /api/webhook/events, page by page, until hasMore is false. */
  sync(): Promise<void> {
    if (this.#syncing) {
      this.#resyncWanted = true;
      return this.#syncing;
    }
    this.#syncing = this.#sync()
      .catch((err: unknown) => this.o.logger.warn({ err: String(err) }, 'webhook gap fill failed'))
      .finally(() => {
        this.#syncing = null;
        this.#behindAt = null;
        if (this.#resyncWanted && this.#running) {
          this.#resyncWanted = false;
          void this.sync();
        }
      });
    return this.#syncing;
  }

  async #sync(): Promise<void> {
    for (let pages = 0; this.#running; pages++) {
      const after = this.#cursor.seq;
      const origin = this.#cursor.origin;
      const text = await this.o.client.eventsPage(after, PAGE_LIMIT);
      const page = await this.o.pool.run<ParsedPage>('webhook-sync', { mode: 'parse-page', text });
      for (const r of page.rejected) this.o.store.reject(r.reason, r.problem, { id: r.id, seq: r.seq, via: 'events page' });
      await this.o.store.accept(page.events, origin);
      if (this.#cursor.origin !== origin || this.#cursor.seq < after) return; // reset meanwhile: a new sync follows
      let top = Math.max(this.#cursor.seq, page.nextAfter);
      for (const e of page.events) top = Math.max(top, e.seq);
      this.#cursor = { origin, seq: top };
      this.#changed();
      if (!page.hasMore) return;
      if (top <= after) {
        this.o.logger.warn({ after, nextAfter: page.nextAfter }, 'webhook events page did not advance; gap fill stopped');
        return;
      }
    }
  }

  #ensureStream(): void {
    if (!this.#running || this.#stream || this.#connecting || this.#reconnectTimer) return;
    this.#connecting = true;
    void (async () => {
      try {
        await this.sync(); // first what was missed, then live from the cursor (overlaps are ignored by id)
        if (!this.#running) return;
        this.#open();
      } finally {
        this.#connecting = false;
      }
    })();
  }

  #open(): void {
    let opened = false;
    const handle = this.o.client.openStream(this.#cursor.seq, {
      onOpen: () => {
        opened = true;
        this.#attempt = 0;
        this.#connection = 'open';
        this.#changed();
      },
      onFrame: (text) => this.#frame(text),
      onClose: (detail) => {
        if (this.#stream === handle) this.#stream = null;
        if (!this.#running) return;
        this.o.logger.info({ detail, opened }, 'webhook event stream closed');
        this.#connection = 'reconnecting';
        this.#changed();
        this.#scheduleReconnect();
      },
    });
    this.#stream = handle;
  }

  #scheduleReconnect(): void {
    if (this.#reconnectTimer || !this.#running) return;
    const ceiling = Math.min(this.#backoff.maxMs, this.#backoff.minMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    const delay = Math.round(this.#random() * ceiling);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      // A poll first: it notices a restart (and resets the cursor) before the stream is reopened.
      void this.poll().then(() => this.#ensureStream());
    }, delay);
    this.#reconnectTimer.unref();
  }

  #frame(text: string): void {
    const c = classifyFrame(text);
    if (!c.ok) {
      this.o.store.reject(c.reason, c.problem, { id: c.id, seq: c.seq, via: 'stream' });
      this.#changed();
      return;
    }
    this.#live.push(c.event);
    if (this.#liveScheduled) return;
    this.#liveScheduled = true;
    // Frames of one socket read are stored together: one journal append, one fsync. While an append is under
    // way, frames gather and go in the next one: the appends never queue up behind each other one batch at a
    // time (which would cap the rate at a batch per fsync and let the delay grow without bound).
    setImmediate(() => {
      this.#liveScheduled = false;
      if (!this.#liveDraining) this.#liveFlush = this.#drainLive();
    });
  }

  async #drainLive(): Promise<void> {
    this.#liveDraining = true;
    try {
      while (this.#live.length > 0) {
        const batch = this.#live;
        this.#live = [];
        const origin = this.#cursor.origin;
        try {
          await this.o.store.accept(batch, origin);
        } catch (err) {
          this.o.logger.error({ err }, 'webhook events could not be journalled; refetching them');
          void this.sync();
          continue;
        }
        if (this.#cursor.origin !== origin) continue;
        let top = this.#cursor.seq;
        for (const e of batch) top = Math.max(top, e.seq);
        this.#cursor = { origin, seq: top };
        this.#changed();
      }
    } finally {
      this.#liveDraining = false;
    }
  }
}
