// The webhook's health at a glance: its state in words with since-when, uptime over 24 h, the last heartbeat,
// the tunnel URL, messages processed, the event stream's state, rejected events and any reconciliation drift.
// Unknown values are "—" with a reason, never 0; when the webhook is away the last known values stay, marked so.
import { LitElement, css, html, nothing, unsafeCSS } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { IconNode } from 'lucide';
import { Radio, RefreshCw, Unplug, TriangleAlert, CircleCheck, Scale } from 'lucide';
import '@shoelace-style/shoelace/dist/components/copy-button/copy-button.js';
import { tokens, focusRing } from '../styles/theme.js';
import { formatClock, formatDuration, formatRelative } from '../app/time-format.js';
import { CONNECTION_WORDS, formatCount, formatPercent, type WebhookConnection, type WebhookStatus } from '../pages/webhook-data.js';
import { asOfWords, freshnessStyles, renderNotConfigured } from './webhook-freshness.js';
import './oc-icon.js';
import './state-badge.js';

const CONNECTION_ICONS: Record<WebhookConnection, { icon: IconNode; tone: string }> = {
  open: { icon: Radio, tone: 'ok' }, reconnecting: { icon: RefreshCw, tone: 'warn' }, closed: { icon: Unplug, tone: 'bad' },
};

/** The tiles the card shows, in order (the waiting state shows them empty). */
const STATUS_TILES = ['Checks passed (24 h)', 'Last heartbeat', 'Messages processed', 'Tunnel URL', 'Event stream', 'Last event', 'Rejected events'];

@customElement('webhook-status-card')
export class WebhookStatusCard extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: block; min-width: 0; }
    .head { display: flex; align-items: center; gap: 0.5rem; flex-wrap: wrap; margin-bottom: 0.7rem; }
    .head .checked { font-size: 0.8rem; color: var(--oc-fg-muted); }
    .away { display: flex; gap: 0.45rem; align-items: flex-start; margin: 0 0 0.7rem; padding: 0.5rem 0.7rem; border-radius: 8px;
      border: 1px dashed var(--oc-stale); color: var(--oc-fg); background: var(--oc-stale-bg); font-size: 0.875rem; --oc-icon-size: 1.1em; }
    .away.down { border: 1px solid var(--oc-bad); background: var(--oc-bad-bg); }
    .away.degraded { border: 1px solid var(--oc-warn); background: var(--oc-warn-bg); } .away.degraded oc-icon { color: var(--oc-warn); }
    .away .detail { color: var(--oc-fg-muted); }
    .away oc-icon { color: var(--oc-stale); } .away.down oc-icon { color: var(--oc-bad); }
    dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 13rem), 1fr)); gap: 0.6rem; margin: 0; }
    .item { border: 1px solid var(--oc-border); border-radius: 8px; padding: 0.5rem 0.65rem; min-width: 0; }
    dt { font-size: 0.8rem; color: var(--oc-fg-muted); font-weight: 600; margin-bottom: 0.2rem; }
    dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
    .big { font-size: 1.25rem; font-weight: 700; }
    .sub { display: block; font-size: 0.8rem; color: var(--oc-fg-muted); }
    .unknown { color: var(--oc-unknown); cursor: help; }
    .kept .big, .kept .value { color: var(--oc-stale); }
    .tunnel { display: flex; align-items: center; gap: 0.25rem; }
    .tunnel a { color: var(--oc-accent); overflow-wrap: anywhere; min-width: 0; }
    sl-copy-button::part(button) { min-width: var(--oc-tap); min-height: var(--oc-tap); }
    .conn { display: inline-flex; align-items: center; gap: 0.3rem; font-weight: 600; --oc-icon-size: 1.05em; }
    .conn.ok { color: var(--oc-ok); } .conn.warn { color: var(--oc-warn); } .conn.bad { color: var(--oc-bad); }
    .rejected.has { color: var(--oc-warn); font-weight: 600; }
    .recon { margin-top: 0.7rem; border: 1px solid var(--oc-border); border-radius: 8px; padding: 0.55rem 0.7rem; font-size: 0.875rem; }
    .recon.drift { border-color: var(--oc-warn); background: var(--oc-warn-bg); }
    .recon p { margin: 0; display: flex; gap: 0.4rem; align-items: center; flex-wrap: wrap; --oc-icon-size: 1.05em; }
    .recon.ok oc-icon { color: var(--oc-ok); } .recon.drift oc-icon { color: var(--oc-warn); }
    .recon table { border-collapse: collapse; margin-top: 0.4rem; font-variant-numeric: tabular-nums; width: 100%; }
    .recon th, .recon td { text-align: right; padding: 0.2rem 0.5rem; border-bottom: 1px solid var(--oc-border); }
    .recon th:first-child, .recon td:first-child { text-align: left; }
    .empty { color: var(--oc-fg-muted); margin: 0; display: flex; align-items: center; gap: 0.5rem; flex-wrap: wrap; }
    .waiting .big { color: var(--oc-unknown); }
    .vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
    ${unsafeCSS(freshnessStyles)}
  `];

  @property({ attribute: false }) status: WebhookStatus | null = null;
  /** Why there is no status (a failed load), shown instead of the values. */
  @property() error = '';
  /** The clock, for "N min ago" (the page ticks it). */
  @property({ attribute: false }) now = Date.now();

  render() {
    const s = this.status;
    if (!s) {
      return this.error
        ? html`<p class="empty" role="alert"><state-badge state="unknown"></state-badge> The webhook status could not be loaded — ${this.error}</p>`
        : this.renderWaiting();
    }
    if (s.state === 'not_configured') {
      return html`<div class="head"><state-badge state="not_configured"></state-badge></div>${renderNotConfigured()}`;
    }
    const away = s.state === 'down' || s.state === 'stale';
    return html`
      <div class="head">
        <state-badge state=${s.state} .since=${s.since}></state-badge>
        ${s.since ? html`<span class="checked">${formatRelative(s.since, this.now)}</span>` : nothing}
        <span class="checked">${s.observedAt ? `checked ${formatClock(s.observedAt)}${s.latencyMs !== null && s.latencyMs !== undefined && !away ? ` · ${Math.round(s.latencyMs)} ms` : ''}` : 'not checked yet'}</span>
      </div>
      ${away ? html`<p class="away ${s.state}" role="status"><oc-icon .icon=${TriangleAlert}></oc-icon><span>${s.state === 'down'
        ? 'The webhook is down: it does not answer its health check.' : 'The webhook has not answered for more than two poll intervals.'}
        Figures below are the last known ones, ${asOfWords(s.since ?? s.observedAt)}.${s.detail ? html` <span class="detail">${s.detail}</span>` : nothing}</span></p>`
        : s.detail && s.state === 'degraded' ? html`<p class="away degraded" role="status"><oc-icon .icon=${TriangleAlert}></oc-icon><span>${s.detail}</span></p>` : nothing}
      <dl>
        ${this.item('Checks passed (24 h)', s.uptimePct24h === null || s.uptimePct24h === undefined ? null
          : html`<span class="big">${formatPercent(s.uptimePct24h / 100, 2)}</span><span class="sub">of health checks up or degraded</span>`,
          'No health checks in the last 24 hours yet')}
        ${this.item('Last heartbeat', s.observedAt
          ? html`<span class="value">${formatClock(s.observedAt)}</span><span class="sub">${formatRelative(s.observedAt, this.now)}${s.health ? ` · ${s.health.status}` : ''}</span>`
          : null, 'No health check answered yet', away)}
        ${this.item('Messages processed', s.health
          ? html`<span class="big">${formatCount(s.health.messagesProcessed)}</span><span class="sub">since the webhook started${s.health.uptimeSeconds !== undefined
            ? `, ${formatDuration(s.health.uptimeSeconds)} ago` : ''}</span>` : null, away ? 'The webhook is not answering' : 'Not reported yet', away)}
        ${this.item('Tunnel URL', s.tunnelUrl
          ? html`<span class="tunnel"><a href=${s.tunnelUrl} target="_blank" rel="noopener noreferrer">${s.tunnelUrl}</a>
              <sl-copy-button value=${s.tunnelUrl} copy-label="Copy the tunnel URL" success-label="Copied" error-label="Could not copy"></sl-copy-button></span>`
          : null, 'The webhook does not report a public URL')}
        ${this.item('Event stream', this.renderConnection(s.connection))}
        ${this.item('Last event', s.lastEventAt
          ? html`<span class="value">${formatClock(s.lastEventAt)}</span><span class="sub">${formatRelative(s.lastEventAt, this.now)}${s.lastSeq !== null && s.lastSeq !== undefined
            ? ` · seq ${s.lastSeq}` : ''} · ${formatCount(s.eventsStored)} stored</span>` : null, 'No event received yet')}
        ${this.item('Rejected events', this.renderRejected(s))}
      </dl>
      ${this.renderReconciliation(s)}`;
  }

  /** Until the first status: the card's final shape (its tiles, empty), so nothing below moves when it arrives. */
  private renderWaiting() {
    const tile = (label: string) => html`<div class="item"><dt>${label}</dt><dd><span class="big">—</span><span class="sub">&nbsp;</span></dd></div>`;
    return html`<div class="head"><p class="empty" role="status"><state-badge state="unknown"></state-badge> Waiting for the webhook status…</p></div>
      <dl class="waiting" aria-hidden="true">${STATUS_TILES.map(tile)}</dl>
      <div class="recon" aria-hidden="true"><p>&nbsp;</p></div>`;
  }

  private item(label: string, value: unknown, reason = '', kept = false) {
    return html`<div class="item ${kept && value !== null ? 'kept' : ''}" data-item=${label}>
      <dt>${label}</dt>
      <dd>${value === null
        ? html`<span class="unknown" title=${reason} aria-hidden="true">—</span><span class="vh">Unknown: ${reason}</span><span class="sub" aria-hidden="true">${reason}</span>`
        : value}</dd></div>`;
  }

  private renderConnection(c: WebhookConnection) {
    const look = CONNECTION_ICONS[c] ?? { icon: Unplug, tone: 'bad' };
    return html`<span class="conn ${look.tone}"><oc-icon .icon=${look.icon}></oc-icon>${CONNECTION_WORDS[c] ?? c}</span>`;
  }

  private renderRejected(s: WebhookStatus) {
    const r = s.rejected ?? { malformed: 0, unknown: 0 };
    const any = r.malformed + r.unknown > 0;
    return html`<span class="rejected ${any ? 'has' : ''}">${formatCount(r.malformed)} malformed · ${formatCount(r.unknown)} unknown</span>
      <span class="sub">${any ? 'counted and logged; the connector carries on' : 'none'}</span>`;
  }

  private renderReconciliation(s: WebhookStatus) {
    const r = s.reconciliation;
    if (!r) return html`<div class="recon"><p><oc-icon .icon=${Scale}></oc-icon>Counts not cross-checked with the webhook yet.</p></div>`;
    const drift = (r.drift ?? []).length > 0;
    if (!drift && r.ok !== false) {
      return html`<div class="recon ok"><p><oc-icon .icon=${CircleCheck}></oc-icon>Counts match the webhook's own
        <span class="sub">checked ${formatClock(r.checkedAt)}</span></p></div>`;
    }
    return html`<div class="recon drift" role="status"><p><oc-icon .icon=${TriangleAlert}></oc-icon><strong>Counts differ from the webhook's own</strong>
        <span class="sub">checked ${formatClock(r.checkedAt)}${r.webhookStartedAt ? ` · since the webhook started ${formatClock(r.webhookStartedAt)}` : ''}</span></p>
      ${drift ? html`<table><thead><tr><th scope="col">Figure</th><th scope="col">Webhook</th><th scope="col">Dashboard</th></tr></thead>
        <tbody>${r.drift.map((d) => html`<tr><td>${d.metric}</td><td>${fmt(d.webhook)}</td><td>${fmt(d.dashboard)}</td></tr>`)}</tbody></table>` : nothing}
    </div>`;
  }
}

function fmt(v: number | null): string {
  if (v === null || v === undefined) return '—';
  return Number.isInteger(v) ? formatCount(v) : v.toFixed(2);
}

declare global {
  interface HTMLElementTagNameMap { 'webhook-status-card': WebhookStatusCard }
}
