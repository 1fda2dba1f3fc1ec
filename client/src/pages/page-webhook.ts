// The Webhook section: the WhatsApp button/CRM webhook's health (state, uptime, heartbeat, tunnel URL, stream,
// rejected events, reconciliation drift), the link's last 24 h as an uptime strip, Click-to-Unlock button analytics, CRM figures and the live event feed.
// The only element here that talks to the API and the live store (topic `webhook`); the elements below take data.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { RefreshCw, Radio, Activity } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { liveStore, type ConnectionState, type LiveFrame, type LiveStore } from '../live/live-store.js';
import { liveContext } from '../live/live-context.js';
import { PageLivenessController } from '../live/page-liveness.js';
import {
  fetchButtons, fetchCrm, fetchEvents, fetchStatus, figuresFreshness, countConversations,
  type AnalyticsRange, type ButtonsReply, type CrmReply, type WebhookEvent, type WebhookFigures, type WebhookSnapshot, type WebhookStatus,
} from './webhook-data.js';
import { historyView } from './webhook-history.js';
import type { WebhookEventFeed } from '../components/webhook-event-feed.js';
import { rangeOfPage, showRangeInUrl } from './range-query.js';
import { PacedRefetchController } from './paced-refetch.js';
import type { RangeChangeDetail } from '../components/range-picker.js';
import '../components/oc-icon.js';
import '../components/state-badge.js';
import '../components/range-picker.js';
import '../components/webhook-status-card.js';
import '../components/uptime-strip.js';
import '../components/button-analytics.js';
import '../components/crm-panel.js';
import '../components/webhook-event-feed.js';
import type { LoadsFirstData } from '../app/first-load.js';

const EVENTS_PAGE = 100;
/** Live events make the figures refetch, at most this often. */
const REFETCH_EVERY_MS = 3_000;

const errorText = (err: unknown): string => (err instanceof Error && err.message ? err.message : 'request failed');

@customElement('page-webhook')
export class PageWebhook extends LitElement implements LoadsFirstData {
  /** The first refresh (first-load.ts): the shell shows the page once it has settled. */
  firstLoad: Promise<unknown> | null = null;

  static styles = [tokens, focusRing, css`
    :host { display: block; padding: var(--oc-gap); box-sizing: border-box; max-width: 1440px; margin: 0 auto; min-width: 0; }
    .top { display: flex; align-items: center; gap: 0.5rem 0.75rem; flex-wrap: wrap; margin-bottom: var(--oc-gap); }
    h1 { font-size: 1.35rem; margin: 0; }
    h2 { font-size: 1.05rem; margin: 0; display: inline-flex; align-items: center; gap: 0.4rem; }
    .top .actions { margin-left: auto; display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; }
    .btn { display: inline-flex; align-items: center; gap: 0.4rem; min-height: var(--oc-tap); padding: 0 0.9rem; border-radius: 8px;
      border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg); font: inherit; cursor: pointer; }
    .btn[aria-busy='true'] oc-icon { animation: spin 1s linear infinite; }
    @keyframes spin { to { transform: rotate(360deg); } }
    @media (prefers-reduced-motion: reduce) { .btn[aria-busy='true'] oc-icon { animation: none; } }
    .layout { display: grid; gap: 1rem; grid-template-columns: minmax(0, 1fr); }
    .main, .aside { display: grid; gap: 1rem; align-content: start; min-width: 0; }
    @media (min-width: 1024px) {
      .layout { grid-template-columns: minmax(0, 3fr) minmax(340px, 2fr); align-items: start; }
      .aside { position: sticky; top: var(--oc-gap); }
    }
    .card { background: var(--oc-surface); border: 1px solid var(--oc-border); border-radius: var(--oc-radius); padding: 0.9rem; min-width: 0; }
    .card.stale { border-style: dashed; }
    .card > header { display: flex; align-items: baseline; justify-content: space-between; gap: 0.5rem; flex-wrap: wrap; margin-bottom: 0.7rem; }
    .fresh { font-size: 0.8rem; color: var(--oc-fg-muted); }
    .note { font-size: 0.8rem; color: var(--oc-fg-muted); margin: 0 0 0.5rem; }
    .error { color: var(--oc-bad); margin: 0 0 0.5rem; }
  `];

  @consume({ context: liveContext }) @property({ attribute: false }) live: LiveStore = liveStore;
  /** Set by @vaadin/router. */
  @property({ attribute: false }) location?: { search?: string; pathname?: string };

  @state() range: AnalyticsRange = 'day';
  @state() status: WebhookStatus | null = null;
  @state() private statusError = '';
  /** When the status was last received (ms), for the history's freshness. */
  @state() private statusAt: number | null = null;
  @state() buttons: ButtonsReply | null = null;
  @state() private buttonsError = '';
  @state() crm: CrmReply | null = null;
  @state() private crmError = '';
  @state() private eventsError = '';
  @state() private nextBefore: number | string | null = null;
  @state() private loadingOlder = false;
  @state() private refreshing = false;
  @state() private updatedAt: number | null = null;
  @state() private connection: ConnectionState = 'offline';
  @state() private now = Date.now();
  @state() private userRole: string | null = null;

  @query('webhook-event-feed') private feed?: WebhookEventFeed;

  private figuresAbort: AbortController | null = null;
  private readonly liveness = new PageLivenessController(this, { tickMs: 5_000, topics: { webhook: (f) => this.onFrame(f) } });
  private readonly refetch = new PacedRefetchController(this, REFETCH_EVERY_MS, () => void this.loadFigures());
  /** Events that arrived before the feed was drawn. */
  private early: WebhookEvent[] = [];

  connectedCallback(): void {
    // Before super: the liveness controller starts there, and the range is known to the first frame.
    this.range = rangeOfPage(this.location);
    super.connectedCallback();
    this.firstLoad = this.refresh();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.figuresAbort?.abort();
  }

  async refresh(): Promise<void> {
    this.refreshing = true;
    await Promise.allSettled([this.loadStatus(), this.loadFigures(), this.loadEvents()]);
    this.now = Date.now();
    this.refreshing = false;
  }

  private async loadStatus(): Promise<void> {
    try {
      this.setStatus(await fetchStatus());
      this.statusError = '';
    } catch (err) {
      this.statusError = errorText(err);
    }
  }

  /** Button and CRM figures for the chosen range (a newer request cancels an older one). */
  async loadFigures(): Promise<void> {
    this.figuresAbort?.abort();
    const abort = new AbortController();
    this.figuresAbort = abort;
    this.refetch.started();
    const range = this.range;
    const [b, c] = await Promise.allSettled([fetchButtons(range, abort.signal), fetchCrm(range, abort.signal)]);
    if (abort.signal.aborted || range !== this.range) return;
    if (b.status === 'fulfilled') { this.buttons = b.value; this.buttonsError = ''; } else this.buttonsError = errorText(b.reason);
    if (c.status === 'fulfilled') { this.crm = c.value; this.crmError = ''; } else this.crmError = errorText(c.reason);
    if (b.status === 'fulfilled' || c.status === 'fulfilled') this.updatedAt = Date.now();
    if (this.figuresAbort === abort) this.figuresAbort = null;
  }

  private async loadEvents(): Promise<void> {
    try {
      const reply = await fetchEvents(EVENTS_PAGE);
      await this.updateComplete;
      // Live events that came in meanwhile stay (the merge keeps one per id).
      this.feed?.setEvents([...reply.events, ...this.early, ...(this.feed?.events ?? [])]);
      this.early = [];
      this.nextBefore = reply.nextBefore ?? null;
      this.eventsError = '';
    } catch (err) {
      this.eventsError = errorText(err);
    }
  }

  private async loadOlder(): Promise<void> {
    if (this.nextBefore === null || this.loadingOlder) return;
    this.loadingOlder = true;
    try {
      const reply = await fetchEvents(EVENTS_PAGE, this.nextBefore);
      this.feed?.addOlder(reply.events);
      this.nextBefore = reply.events.length > 0 ? reply.nextBefore ?? null : null;
      this.eventsError = '';
    } catch (err) {
      this.eventsError = errorText(err);
    } finally {
      this.loadingOlder = false;
    }
  }

  private onFrame(frame: LiveFrame): void {
    if (frame.type === 'snapshot') {
      const snap = (frame.data ?? {}) as WebhookSnapshot;
      if (snap.status && typeof snap.status.state === 'string') this.setStatus(snap.status);
      if (snap.recent?.length) this.addEvents(snap.recent);
    } else if (frame.type === 'status') {
      const s = frame.data as WebhookStatus;
      if (s && typeof s.state === 'string') this.setStatus(s);
    } else if (frame.type === 'event') {
      this.addEvents([frame.data as WebhookEvent]);
      this.refetch.schedule();
    } else if (frame.type === 'figures') {
      this.applyFigures(frame.data as Partial<WebhookFigures>);
    }
  }

  private setStatus(s: WebhookStatus): void {
    this.status = s;
    this.statusAt = Date.now();
  }

  private addEvents(events: WebhookEvent[]): void {
    if (this.feed) this.feed.addEvents(events);
    else this.early.push(...events);
  }

  /** Today's figures frame moves the day view at once (the full figures follow with the next refetch). */
  private applyFigures(f: Partial<WebhookFigures> & { activeConversations?: unknown }): void {
    if (this.range !== 'day') return;
    if (this.buttons) {
      this.buttons = {
        ...this.buttons,
        clicks: f.clicks ?? this.buttons.clicks,
        responseMs: f.responseMs !== undefined ? f.responseMs : this.buttons.responseMs,
        successRate: f.successRate !== undefined ? f.successRate : this.buttons.successRate,
      };
    }
    const active = countConversations(f.activeConversations);
    if (this.crm && active !== null && active !== this.crm.activeConversations.length) this.refetch.schedule();
    this.updatedAt = Date.now();
  }

  private onRange = (e: CustomEvent<RangeChangeDetail>) => {
    this.range = e.detail.range;
    showRangeInUrl(this.range);
    void this.loadFigures();
  };

  render() {
    const s = this.status;
    const base = { status: s, updatedAt: this.updatedAt, live: this.connection === 'live', now: this.now };
    const buttonsFresh = figuresFreshness({ ...base, haveFigures: this.buttons !== null, serverStale: this.buttons?.stale, loadError: this.buttonsError });
    const crmFresh = figuresFreshness({ ...base, haveFigures: this.crm !== null, serverStale: this.crm?.stale, loadError: this.crmError });
    const notConfigured = s?.state === 'not_configured';
    return html`
      <div class="top">
        <h1>Webhook</h1>
        ${s ? html`<state-badge state=${s.state} .since=${s.state === 'not_configured' ? null : s.since}></state-badge>` : nothing}
        <div class="actions">
          <range-picker .range=${this.range} label="Figures for" @range-change=${this.onRange}></range-picker>
          <button class="btn refresh" type="button" aria-busy=${this.refreshing ? 'true' : 'false'} @click=${() => this.refresh()}>
            <oc-icon .icon=${RefreshCw}></oc-icon>${this.refreshing ? 'Refreshing…' : 'Refresh'}</button>
        </div>
      </div>
      <div class="layout">
        <div class="main">
          <section class="card status ${s && (s.state === 'down' || s.state === 'stale') ? 'stale' : ''}" aria-labelledby="status-h">
            <header><h2 id="status-h">Status</h2></header>
            <webhook-status-card .status=${s} error=${this.statusError} .now=${this.now}></webhook-status-card>
          </section>
          <section class="card history" aria-labelledby="history-h">
            <header><h2 id="history-h"><oc-icon .icon=${Activity}></oc-icon>Link, last 24 hours</h2></header>
            <uptime-strip .view=${historyView({ status: s, statusAt: this.statusAt, statusError: this.statusError, live: this.connection === 'live', now: this.now })}></uptime-strip>
          </section>
          <section class="card buttons ${buttonsFresh.kind === 'stale' ? 'stale' : ''}" aria-label="Button clicks">
            <button-analytics .data=${this.buttons} .freshness=${buttonsFresh} error=${this.buttonsError}></button-analytics>
          </section>
          <section class="card crm ${crmFresh.kind === 'stale' ? 'stale' : ''}" aria-label="Conversations">
            <crm-panel .data=${this.crm} .freshness=${crmFresh} error=${this.crmError} .now=${this.now}></crm-panel>
          </section>
        </div>
        <div class="aside">
          <section class="card feed" aria-labelledby="feed-h">
            <header><h2 id="feed-h"><oc-icon .icon=${Radio}></oc-icon>Live events</h2>
              <span class="fresh">${this.connection === 'live' ? 'following live' : `dashboard ${this.connection}`}</span></header>
            ${this.eventsError ? html`<p class="error" role="alert">Events could not be loaded — ${this.eventsError}</p>` : nothing}
            <p class="note">Message texts never reach the dashboard; only their lengths are shown.</p>
            <webhook-event-feed .hasOlder=${this.nextBefore !== null} .loadingOlder=${this.loadingOlder}
              .emptyText=${notConfigured ? 'No events: the webhook is not configured.' : 'No events yet.'}
              @feed-load-older=${() => this.loadOlder()}></webhook-event-feed>
          </section>
        </div>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'page-webhook': PageWebhook }
}
