// The home screen's webhook row: its state, today's clicks, click response p95 and active conversations, each
// one tap from the Webhook page. Loads today's figures, then follows the `webhook` topic (snapshot, status and
// figures frames). When the webhook is down or stale the last values stay, greyed and marked "as of HH:MM:SS" —
// never zeros; "not configured" says how to configure it.
import { LitElement, css, html, nothing, unsafeCSS } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { ChevronRight, MousePointerClick, Timer, MessagesSquare, Webhook } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { liveStore, type ConnectionState, type LiveFrame, type LiveStore } from '../live/live-store.js';
import { liveContext } from '../live/live-context.js';
import { formatClock, formatRelative } from '../app/time-format.js';
import {
  BUTTON_TYPES, figuresFreshness, figuresFromReplies, fetchButtons, fetchCrm, fetchStatus, formatCount, formatMs, formatPercent, hasFigures, mergeFigures,
  type Freshness, type WebhookFigures, type WebhookSnapshot, type WebhookStatus,
} from '../pages/webhook-data.js';
import { asOfWords, freshnessStyles, renderFreshness } from './webhook-freshness.js';
import './oc-icon.js';
import './state-badge.js';

const SHORT_WORDS = { RETRIEVE_CONTENT: 'retrieve', UNLOCK_CONTENT: 'unlock', SHARE_WITH_CLIENTS: 'share' } as const;

@customElement('webhook-widget-row')
export class WebhookWidgetRow extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: block; min-width: 0; }
    section { background: var(--oc-surface); border: 1px solid var(--oc-border); border-radius: var(--oc-radius); padding: 0.9rem; }
    section.stale { border-style: dashed; }
    header { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; flex-wrap: wrap; margin-bottom: 0.7rem; }
    h2 { font-size: 1.05rem; margin: 0; }
    h2 a { color: var(--oc-fg); text-decoration: none; display: inline-flex; align-items: center; gap: 0.35rem; min-height: var(--oc-tap); }
    h2 a:hover { text-decoration: underline; }
    .tiles { display: grid; gap: 0.6rem; grid-template-columns: repeat(2, minmax(0, 1fr)); }
    /* On a phone the state (badge with since-when) and the conversations take a row each; clicks and p95 share one. */
    .tiles > [data-tile='state'], .tiles > [data-tile='conversations'] { grid-column: 1 / -1; }
    state-badge { max-width: 100%; }
    @media (min-width: 900px) { .tiles { grid-template-columns: repeat(4, minmax(0, 1fr)); } .tiles > [data-tile='state'], .tiles > [data-tile='conversations'] { grid-column: auto; } }
    a.tile { display: grid; gap: 0.2rem; align-content: start; padding: 0.6rem 0.7rem; border: 1px solid var(--oc-border); border-radius: 8px;
      color: var(--oc-fg); text-decoration: none; min-width: 0; min-height: var(--oc-tap); background: var(--oc-surface); }
    a.tile:hover { border-color: var(--oc-accent); }
    .name { display: flex; align-items: center; gap: 0.35rem; font-size: 0.8rem; color: var(--oc-fg-muted); font-weight: 600; --oc-icon-size: 1.05em; overflow-wrap: break-word; min-width: 0; }
    a.tile > * { min-width: 0; overflow-wrap: break-word; }
    .n { font-size: 1.5rem; font-weight: 700; font-variant-numeric: tabular-nums; line-height: 1.2; }
    .sub { font-size: 0.8rem; color: var(--oc-fg-muted); overflow-wrap: anywhere; }
    .kept .n { color: var(--oc-stale); }
    .kept .asof { color: var(--oc-stale); font-weight: 600; font-size: 0.8rem; }
    .unknown { color: var(--oc-unknown); cursor: help; }
    .hint { margin: 0.7rem 0 0; color: var(--oc-fg-muted); font-size: 0.875rem; line-height: 1.45; }
    .hint code { font-family: var(--oc-mono); color: var(--oc-fg); }
    .vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
    ${unsafeCSS(freshnessStyles)}
  `];

  @consume({ context: liveContext, subscribe: false }) @property({ attribute: false }) live: LiveStore = liveStore;

  @state() status: WebhookStatus | null = null;
  @state() figures: WebhookFigures | null = null;
  @state() private updatedAt: number | null = null;
  @state() private loadError = '';
  @state() private connection: ConnectionState = 'offline';
  @state() now = Date.now();

  private unsubscribe: (() => void) | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private readonly onConnection = () => { this.connection = this.live.connection; this.now = Date.now(); };

  connectedCallback(): void {
    super.connectedCallback();
    this.connection = this.live.connection;
    this.live.addEventListener('connection', this.onConnection);
    this.unsubscribe = this.live.subscribe('webhook', (f) => this.onFrame(f));
    this.ticker = setInterval(() => { this.now = Date.now(); }, 5_000);
    void this.refresh();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.live.removeEventListener('connection', this.onConnection);
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
  }

  /** Loads the status and today's figures (a failure keeps what is shown). */
  async refresh(): Promise<void> {
    const [status, buttons, crm] = await Promise.allSettled([fetchStatus(), fetchButtons('day'), fetchCrm('day')]);
    if (status.status === 'fulfilled') this.applyStatus(status.value);
    const b = buttons.status === 'fulfilled' ? buttons.value : null;
    const c = crm.status === 'fulfilled' ? crm.value : null;
    if (b || c) {
      const fromRest = figuresFromReplies(b, c);
      // Only what was fetched replaces what is known; a missing part keeps its last value.
      this.figures = mergeFigures(this.figures, Object.fromEntries(Object.entries(fromRest).filter(([, v]) => v !== null)));
      this.updatedAt = Date.now();
    }
    const failed = [status, buttons, crm].find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    this.loadError = failed ? (failed.reason instanceof Error ? failed.reason.message : 'request failed') : '';
    this.now = Date.now();
  }

  private applyStatus(s: WebhookStatus | null | undefined): void {
    if (s && typeof s.state === 'string') this.status = s;
  }

  private onFrame(frame: LiveFrame): void {
    if (frame.type === 'snapshot') {
      const snap = (frame.data ?? {}) as WebhookSnapshot;
      this.applyStatus(snap.status);
      if (snap.figures) { this.figures = mergeFigures(this.figures, snap.figures); this.updatedAt = Date.now(); }
    } else if (frame.type === 'status') {
      this.applyStatus(frame.data as WebhookStatus);
    } else if (frame.type === 'figures') {
      this.figures = mergeFigures(this.figures, (frame.data ?? {}) as Partial<WebhookFigures>);
      this.updatedAt = Date.now();
      this.loadError = '';
    }
  }

  get freshness(): Freshness {
    return figuresFreshness({
      status: this.status, haveFigures: hasFigures(this.figures), updatedAt: this.updatedAt,
      live: this.connection === 'live', now: this.now, loadError: this.loadError,
    });
  }

  render() {
    const f = this.freshness;
    const s = this.status;
    const kept = f.kind === 'stale';
    const notConfigured = f.kind === 'not_configured';
    // Nothing is measured without a webhook: whatever the gateway answers, the figures are unknown, not 0.
    const fig = notConfigured ? null : this.figures;
    return html`<section class=${kept ? 'stale' : ''} aria-labelledby="webhook-row-h">
      <header>
        <h2 id="webhook-row-h"><a href="/webhook"><oc-icon .icon=${Webhook}></oc-icon>Webhook<oc-icon .icon=${ChevronRight}></oc-icon></a></h2>
        ${renderFreshness(f, this.updatedAt !== null ? `live · ${formatClock(this.updatedAt)}` : 'live')}
      </header>
      <div class="tiles">
        ${this.renderStateTile(s)}
        ${this.figureTile('clicks', MousePointerClick, "Today's clicks", fig?.clicks ? formatCount(fig.clicks.total) : null,
          fig?.clicks ? BUTTON_TYPES.map((b) => `${formatCount(fig!.clicks![b])} ${SHORT_WORDS[b]}`).join(' · ') : '', f)}
        ${this.figureTile('response', Timer, 'Response time p95', fig?.responseMs ? formatMs(fig.responseMs.p95) : null,
          fig?.responseMs ? `avg ${formatMs(fig.responseMs.avg)}${fig.successRate !== null ? ` · ${formatPercent(fig.successRate)} succeeded` : ''}` : '',
          f, hasFigures(fig) ? 'No clicks answered today' : undefined)}
        ${this.figureTile('conversations', MessagesSquare, 'Active conversations', fig?.activeConversations !== null && fig?.activeConversations !== undefined
          ? formatCount(fig.activeConversations) : null, 'open now', f)}
      </div>
      ${notConfigured ? html`<p class="hint" role="note">The webhook is not configured. Set <code>WEBHOOK_URL</code> (and <code>WEBHOOK_TOKEN</code>
        if the webhook asks for one) in the gateway's environment and restart the gateway.</p>` : nothing}
    </section>`;
  }

  private renderStateTile(s: WebhookStatus | null) {
    let sub = '';
    if (!s) sub = this.loadError ? `Could not be loaded — ${this.loadError}` : 'Waiting for the status…';
    else if (s.state === 'not_configured') sub = 'WEBHOOK_URL is not set';
    else if (s.since) sub = `${formatRelative(s.since, this.now)}${s.uptimePct24h !== null && s.uptimePct24h !== undefined
      ? ` · ${formatPercent(s.uptimePct24h / 100)} up (24 h)` : ''}`;
    return html`<a class="tile" href="/webhook" tabindex="-1" data-tile="state">
      <span class="name">State</span>
      <span><state-badge state=${s?.state ?? 'unknown'} .since=${s && s.state !== 'not_configured' ? s.since : null}></state-badge></span>
      <span class="sub">${sub}</span>
    </a>`;
  }

  private figureTile(key: string, icon: typeof Timer, name: string, value: string | null, sub: string, f: Freshness, nullReason?: string) {
    const kept = f.kind === 'stale' && value !== null;
    const reason = nullReason ?? (f.kind === 'not_configured' ? 'The webhook is not configured'
      : f.kind === 'unknown' ? f.reason : 'Not received yet');
    return html`<a class="tile ${kept ? 'kept' : ''}" href="/webhook" tabindex="-1" data-tile=${key}>
      <span class="name"><oc-icon .icon=${icon}></oc-icon>${name}</span>
      ${value === null
        ? html`<span class="n"><span class="unknown" title=${reason} aria-hidden="true">—</span><span class="vh">Unknown: ${reason}</span></span><span class="sub">${reason}</span>`
        : html`<span class="n">${value}</span><span class="sub">${sub}</span>${kept ? html`<span class="asof">stale · ${asOfWords(f.asOf)}</span>` : nothing}`}
    </a>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'webhook-widget-row': WebhookWidgetRow }
}
