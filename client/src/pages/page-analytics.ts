// The Analytics section, as far as it is built: the webhook's Click-to-Unlock button analytics for a day, week or
// month. The rest of the section (summaries, time series, reports) is not built yet, and the page says so.
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { Construction, RefreshCw } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { liveStore, type ConnectionState, type LiveFrame, type LiveStore } from '../live/live-store.js';
import { liveContext } from '../live/live-context.js';
import { PageLivenessController } from '../live/page-liveness.js';
import { sectionByKey } from '../app/sections.js';
import { fetchButtons, fetchStatus, figuresFreshness, type AnalyticsRange, type ButtonsReply, type WebhookSnapshot,
  type WebhookStatus } from './webhook-data.js';
import { rangeOfPage, showRangeInUrl } from './range-query.js';
import { PacedRefetchController } from './paced-refetch.js';
import type { RangeChangeDetail } from '../components/range-picker.js';
import '../components/oc-icon.js';
import '../components/range-picker.js';
import '../components/button-analytics.js';
import type { LoadsFirstData } from '../app/first-load.js';

/** Live events make the figures refetch, at most this often. */
const REFETCH_EVERY_MS = 5_000;

@customElement('page-analytics')
export class PageAnalytics extends LitElement implements LoadsFirstData {
  /** The first refresh (first-load.ts): the shell shows the page once it has settled. */
  firstLoad: Promise<unknown> | null = null;

  static styles = [tokens, focusRing, css`
    :host { display: block; padding: var(--oc-gap); box-sizing: border-box; max-width: 1200px; margin: 0 auto; min-width: 0; }
    .top { display: flex; align-items: center; gap: 0.5rem 0.75rem; flex-wrap: wrap; margin-bottom: var(--oc-gap); }
    h1 { font-size: 1.35rem; margin: 0; }
    .top .actions { margin-left: auto; display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; }
    .btn { display: inline-flex; align-items: center; gap: 0.4rem; min-height: var(--oc-tap); padding: 0 0.9rem; border-radius: 8px;
      border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg); font: inherit; cursor: pointer; }
    .notice { display: flex; gap: 0.6rem; align-items: flex-start; padding: 0.8rem 1rem; border-radius: var(--oc-radius);
      background: var(--oc-surface); border: 1px solid var(--oc-border); margin-bottom: 1rem; }
    .notice oc-icon { color: var(--oc-fg-muted); margin-top: 0.1rem; }
    .notice p { margin: 0 0 0.3rem; line-height: 1.5; } .notice p:last-child { margin: 0; color: var(--oc-fg-muted); }
    .notice a { color: var(--oc-accent); }
    .card { background: var(--oc-surface); border: 1px solid var(--oc-border); border-radius: var(--oc-radius); padding: 0.9rem; min-width: 0; }
    .card.stale { border-style: dashed; }
  `];

  @consume({ context: liveContext }) @property({ attribute: false }) live: LiveStore = liveStore;
  @property({ attribute: false }) location?: { search?: string };

  @state() range: AnalyticsRange = 'day';
  @state() status: WebhookStatus | null = null;
  @state() buttons: ButtonsReply | null = null;
  @state() private error = '';
  @state() private updatedAt: number | null = null;
  @state() private connection: ConnectionState = 'offline';
  @state() private now = Date.now();
  @state() private userRole: string | null = null;
  @state() private refreshing = false;

  private abort: AbortController | null = null;
  private readonly liveness = new PageLivenessController(this, { tickMs: 5_000, topics: { webhook: (f) => this.onFrame(f) } });
  private readonly refetch = new PacedRefetchController(this, REFETCH_EVERY_MS, () => void this.loadButtons());

  connectedCallback(): void {
    // Before super: the liveness controller starts there, and the range is known to the first frame.
    this.range = rangeOfPage(this.location);
    super.connectedCallback();
    this.firstLoad = this.refresh();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
  }

  async refresh(): Promise<void> {
    this.refreshing = true;
    const [status] = await Promise.allSettled([fetchStatus(), this.loadButtons()]);
    if (status.status === 'fulfilled') this.status = status.value;
    this.refreshing = false;
  }

  async loadButtons(): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.refetch.started();
    const range = this.range;
    try {
      const reply = await fetchButtons(range, abort.signal);
      if (abort.signal.aborted || range !== this.range) return;
      this.buttons = reply;
      this.error = '';
      this.updatedAt = Date.now();
    } catch (err) {
      if (abort.signal.aborted) return;
      this.error = err instanceof Error && err.message ? err.message : 'request failed';
    }
  }

  private onFrame(frame: LiveFrame): void {
    if (frame.type === 'snapshot') {
      const s = (frame.data as WebhookSnapshot | null)?.status;
      if (s && typeof s.state === 'string') this.status = s;
    } else if (frame.type === 'status') {
      const s = frame.data as WebhookStatus;
      if (s && typeof s.state === 'string') this.status = s;
    } else if (frame.type === 'figures' || frame.type === 'event') {
      this.refetch.schedule();
    }
  }

  private onRange = (e: CustomEvent<RangeChangeDetail>) => {
    this.range = e.detail.range;
    showRangeInUrl(this.range);
    void this.loadButtons();
  };

  render() {
    const section = sectionByKey('analytics');
    const freshness = figuresFreshness({ status: this.status, haveFigures: this.buttons !== null, serverStale: this.buttons?.stale,
      updatedAt: this.updatedAt, live: this.connection === 'live', now: this.now, loadError: this.error });
    return html`
      <div class="top">
        <h1>Analytics</h1>
        <div class="actions">
          <range-picker .range=${this.range} label="Figures for" @range-change=${this.onRange}></range-picker>
          <button class="btn refresh" type="button" @click=${() => this.refresh()}><oc-icon .icon=${RefreshCw}></oc-icon>${this.refreshing ? 'Refreshing…' : 'Refresh'}</button>
        </div>
      </div>
      <div class="notice" role="note">
        <oc-icon .icon=${Construction}></oc-icon>
        <div>
          <p class="status">Only the webhook's button analytics are here so far; the rest of Analytics is not built yet — arrives with ${section?.arrivesWith ?? 'a later release'}.</p>
          <p>Still to come: ${section?.willDo ?? 'summaries and reports.'} The webhook's health, CRM figures and live events are on the <a href="/webhook">Webhook page</a>.</p>
        </div>
      </div>
      <section class="card ${freshness.kind === 'stale' ? 'stale' : ''}" aria-label="Button analytics">
        <button-analytics heading="Button analytics" .data=${this.buttons} .freshness=${freshness} error=${this.error}></button-analytics>
      </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'page-analytics': PageAnalytics }
}
