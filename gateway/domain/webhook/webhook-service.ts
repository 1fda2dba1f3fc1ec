// What the routes, the hub and /api/health ask of the webhook integration: the status object, the button and
// CRM figures of a range, stored events; and the live frames of topic `webhook` (status on change, each
// stored event, today's figures at most 4 a second). The link history and the poll counts behind uptimePct24h
// are kept in the journal across restarts (link-log.ts).
import type { Clock } from '../../clock.js';
import type { ServiceStatus } from '../health-snapshot.js';
import type { WebhookHealth } from '../../sources/webhook-client.js';
import type { WebhookConnector, ConnectionState } from './connector.js';
import { RECENT_EVENTS, type WebhookEventStore } from './event-store.js';
import type { WebhookEvent, RejectReason } from './event-schema.js';
import { buttonFigures, crmFigures, todayFigures, type ButtonFigures, type CrmFigures, type TodayFigures } from './analytics.js';
import { businessDate, rangeBounds, type RangeName } from './business-day.js';
import { uptimePct24h } from './link-state.js';
import type { Reconciliation } from './reconcile.js';
import { LinkLog } from './link-log.js';
import type { HistorySpan } from './link-history.js';

export type WebhookState = 'up' | 'degraded' | 'down' | 'stale' | 'not_configured';

export interface WebhookStatus {
  state: WebhookState;
  since: string | null;
  observedAt: string | null;
  latencyMs: number | null;
  detail: string | null;
  health: WebhookHealth | null;
  lastEventAt: string | null;
  lastSeq: number | null;
  eventsStored: number;
  connection: ConnectionState;
  uptimePct24h: number | null;
  /** The link's states over the last 24 h, `unknown` while the dashboard was not running. */
  history24h: HistorySpan[];
  tunnelUrl: string | null;
  rejected: Record<RejectReason, number>;
  reconciliation: Reconciliation | null;
}

interface RangeMeta {
  range: RangeName;
  from: string;
  to: string;
  generatedAt: string;
  stale: boolean;
}

export type ButtonsReport = RangeMeta & ButtonFigures;
export type CrmReport = RangeMeta & CrmFigures;

export type WebhookPublish = (type: 'status' | 'event' | 'figures', data: unknown) => void;

const FIGURES_EVERY_MS = 250;
const STATUS_EVERY_MS = 1000;
/** Stored events go out as `event` frames at once when quiet, and at most every EVENTS_EVERY_MS under load:
 *  one hub tick (one socket write per subscriber) for each gathering instead of one per journal commit. */
export const EVENTS_EVERY_MS = 25;

export class WebhookService {
  #publish: WebhookPublish = () => {};
  #lastStatusText = '';
  #statusTimer: NodeJS.Timeout | null = null;
  #statusAt = 0;
  #figuresTimer: NodeJS.Timeout | null = null;
  #eventsOut: WebhookEvent[] = [];
  #eventsTimer: NodeJS.Timeout | null = null;
  #eventsAt = 0;
  readonly #linkLog: LinkLog | null;

  constructor(
    readonly store: WebhookEventStore,
    readonly connector: WebhookConnector | null,
    private readonly clock: Clock,
  ) {
    store.onStored((events) => this.#onStored(events));
    connector?.onChange(() => this.#statusChanged());
    const linkLog = connector ? new LinkLog(store.options) : null;
    if (connector && linkLog) connector.onLink((input, before, after) => linkLog.observe(input, before, after));
    this.#linkLog = linkLog;
  }

  setPublisher(publish: WebhookPublish): void {
    this.#publish = publish;
  }

  async start(): Promise<void> {
    await this.store.load();
    if (this.connector && this.#linkLog) {
      this.connector.restoreUptime(await this.#linkLog.load());
      this.#linkLog.started(this.connector.view().link);
    }
    this.connector?.start();
  }

  async stop(): Promise<void> {
    if (this.#statusTimer) clearTimeout(this.#statusTimer);
    if (this.#figuresTimer) clearTimeout(this.#figuresTimer);
    this.#statusTimer = this.#figuresTimer = null;
    this.#flushEvents(); // what was stored still goes out
    await this.connector?.stop();
    await this.#linkLog?.stop();
    await this.store.flushRejected();
  }

  status(): WebhookStatus {
    const s = this.store.stats();
    const common = { lastEventAt: s.lastEventAt, eventsStored: s.eventsStored, rejected: this.store.rejected() };
    if (!this.connector) {
      return {
        state: 'not_configured', since: null, observedAt: null, latencyMs: null, detail: 'WEBHOOK_URL is not set.', health: null,
        ...common, lastSeq: s.lastStoredSeq, connection: 'closed', uptimePct24h: null, history24h: [], tunnelUrl: null, reconciliation: null,
      };
    }
    const v = this.connector.view();
    const h = v.link.health;
    const tunnel = h ? (h.tunnelUrl ?? h.publicUrl) : undefined;
    return {
      state: v.link.state,
      since: v.link.since,
      observedAt: v.link.observedAt,
      latencyMs: v.link.latencyMs,
      detail: v.link.detail,
      health: h ? { status: h.status, type: h.type, startedAt: h.startedAt, uptimeSeconds: h.uptimeSeconds, messagesProcessed: h.messagesProcessed } : null,
      ...common,
      lastSeq: v.lastSeq,
      connection: v.connection,
      uptimePct24h: uptimePct24h(v.link, this.clock.now()),
      history24h: this.#linkLog?.spans(this.clock.now()) ?? [],
      tunnelUrl: typeof tunnel === 'string' ? tunnel : null,
      reconciliation: v.reconciliation,
    };
  }

  /** /api/health `services.webhook`: stale becomes unknown, saying since when nothing was heard. */
  serviceStatus(): ServiceStatus {
    const s = this.status();
    if (s.state === 'not_configured') return { state: 'not_configured', observedAt: null, detail: 'WEBHOOK_URL is not set.' };
    const latency = s.latencyMs === null ? {} : { latencyMs: s.latencyMs };
    if (s.state === 'stale') {
      const heard = this.connector?.view().link.lastGoodAt;
      return { state: 'unknown', observedAt: s.observedAt, ...latency, detail: heard ? `Nothing heard from the webhook since ${heard}.` : 'The webhook has not answered yet.' };
    }
    return { state: s.state, observedAt: s.observedAt, ...latency, ...(s.detail ? { detail: s.detail } : {}) };
  }

  /** Figures are the last known ones (never zeros) whenever the webhook is not up. */
  #stale(): boolean {
    const state = this.status().state;
    return state !== 'up' && state !== 'degraded';
  }

  async #range(range: RangeName, date: string | undefined): Promise<{ meta: RangeMeta; buttons: ButtonFigures; crm: CrmFigures }> {
    const today = businessDate(this.clock.now());
    const lastDay = date ?? today;
    const b = rangeBounds(range, lastDay);
    const meta: RangeMeta = { range, from: b.from, to: b.to, generatedAt: new Date(this.clock.now()).toISOString(), stale: this.#stale() };
    if (range === 'day' && lastDay === today) {
      const fold = this.store.todayFold(); // folded live, no pool round trip
      return { meta, buttons: buttonFigures(fold, b.days), crm: crmFigures(fold, b.days) };
    }
    const r = await this.store.range(range, lastDay);
    return { meta, buttons: r.buttons, crm: r.crm };
  }

  async buttons(range: RangeName, date?: string): Promise<ButtonsReport> {
    const r = await this.#range(range, date);
    return { ...r.meta, ...r.buttons };
  }

  async crm(range: RangeName, date?: string): Promise<CrmReport> {
    const r = await this.#range(range, date);
    return { ...r.meta, ...r.crm };
  }

  events(limit: number, before?: string): Promise<{ events: WebhookEvent[]; nextBefore: string | null }> {
    return this.store.page(limit, before);
  }

  figures(): TodayFigures {
    return todayFigures(this.store.todayFold());
  }

  /** The hub snapshot of topic `webhook`. */
  snapshot(): { status: WebhookStatus; recent: WebhookEvent[]; figures: TodayFigures } {
    // Events stored but not yet sent as frames follow the snapshot as frames: they are left out of `recent`.
    const pending = this.#eventsOut.length;
    const recent = pending === 0 ? this.store.recent() : this.store.recent(RECENT_EVENTS + pending).slice(0, -pending).slice(-RECENT_EVENTS);
    return { status: this.status(), recent, figures: this.figures() };
  }

  #onStored(events: WebhookEvent[]): void {
    for (const e of events) this.#eventsOut.push(e);
    if (!this.#eventsTimer) {
      const wait = this.#eventsAt + EVENTS_EVERY_MS - Date.now();
      if (wait <= 0) this.#flushEvents();
      else this.#eventsTimer = setTimeout(() => this.#flushEvents(), wait).unref();
    }
    this.#figuresTimer ??= setTimeout(() => {
      this.#figuresTimer = null;
      this.#publish('figures', this.figures());
    }, FIGURES_EVERY_MS).unref();
    this.#statusChanged();
  }

  #flushEvents(): void {
    if (this.#eventsTimer) clearTimeout(this.#eventsTimer);
    this.#eventsTimer = null;
    const out = this.#eventsOut;
    if (out.length === 0) return;
    this.#eventsOut = [];
    this.#eventsAt = Date.now();
    for (const e of out) this.#publish('event', e);
  }

  // Status frames when something changed, at most one a second (the last change always goes out).
  #statusChanged(): void {
    if (this.#statusTimer) return;
    const wait = Math.max(0, this.#statusAt + STATUS_EVERY_MS - Date.now());
    this.#statusTimer = setTimeout(() => {
      this.#statusTimer = null;
      this.#statusAt = Date.now();
      const status = this.status();
      const text = JSON.stringify(status);
      if (text === this.#lastStatusText) return;
      this.#lastStatusText = text;
      this.#publish('status', status);
    }, wait).unref();
  }
}
