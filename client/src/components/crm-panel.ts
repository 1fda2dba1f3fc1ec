// CRM monitoring for a range: active conversations (a list), reply time avg/p95, AI response quality, daily chat
// volume (ECharts, lazy), completion rate and WhatsApp deliveries. Takes the /api/webhook/crm reply as data;
// only message lengths ever reach the dashboard, never texts. Stale figures stay shown, greyed and dated.
import { LitElement, css, html, nothing, unsafeCSS } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { MessagesSquare, Timer, Star, CircleCheck, Send } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { formatClock, formatRelative } from '../app/time-format.js';
import { formatCount, formatMs, formatPercent, maskWaId, periodWords, type CrmReply, type Freshness } from '../pages/webhook-data.js';
import { freshnessStyles, renderFreshness, renderNotConfigured } from './webhook-freshness.js';
import './oc-icon.js';
import './bar-chart.js';

/** The list shows this many conversations; the rest are counted. */
const LIST_MAX = 50;

@customElement('crm-panel')
export class CrmPanel extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: block; min-width: 0; }
    header { display: flex; align-items: baseline; justify-content: space-between; gap: 0.5rem; flex-wrap: wrap; margin-bottom: 0.7rem; }
    h2 { font-size: 1.05rem; margin: 0; display: inline-flex; align-items: center; gap: 0.4rem; }
    h3 { font-size: 0.95rem; margin: 0 0 0.4rem; }
    .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 9.5rem), 1fr)); gap: 0.6rem; margin-bottom: 0.8rem; }
    .tile { border: 1px solid var(--oc-border); border-radius: 8px; padding: 0.5rem 0.65rem; min-width: 0; }
    .tile .name { display: flex; align-items: center; gap: 0.35rem; font-size: 0.8rem; color: var(--oc-fg-muted); font-weight: 600; --oc-icon-size: 1.05em; }
    .tile .n { font-size: 1.45rem; font-weight: 700; font-variant-numeric: tabular-nums; }
    .tile .sub { font-size: 0.8rem; color: var(--oc-fg-muted); }
    :host([stale]) .tile .n { color: var(--oc-stale); }
    .unknown { color: var(--oc-unknown); cursor: help; }
    .cols { display: grid; gap: 0.9rem; grid-template-columns: minmax(0, 1fr); }
    @media (min-width: 1200px) { .cols { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
    ul.convs { list-style: none; margin: 0; padding: 0; max-height: 18rem; overflow: auto; border: 1px solid var(--oc-border); border-radius: 8px; }
    ul.convs li { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 0.1rem 0.6rem; padding: 0.45rem 0.6rem;
      border-bottom: 1px solid var(--oc-surface-2); font-size: 0.875rem; }
    ul.convs li:last-child { border-bottom: none; }
    .who { font-weight: 600; overflow-wrap: anywhere; }
    .meta { grid-column: 1 / -1; color: var(--oc-fg-muted); font-size: 0.8rem; }
    .msgs { font-variant-numeric: tabular-nums; color: var(--oc-fg-muted); }
    .deliveries { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; font-size: 0.875rem; font-variant-numeric: tabular-nums; margin: 0.6rem 0 0; padding: 0; list-style: none; }
    .deliveries .failed.has { color: var(--oc-bad); font-weight: 600; }
    .muted { color: var(--oc-fg-muted); margin: 0; }
    .error { color: var(--oc-bad); margin: 0 0 0.5rem; }
    .vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
    ${unsafeCSS(freshnessStyles)}
  `];

  @property({ attribute: false }) data: CrmReply | null = null;
  @property({ attribute: false }) freshness: Freshness = { kind: 'unknown', reason: 'Not received yet' };
  @property() error = '';
  @property({ attribute: false }) now = Date.now();
  @property({ type: Boolean, reflect: true }) stale = false;

  protected willUpdate(): void {
    this.stale = this.freshness.kind === 'stale';
  }

  render() {
    const d = this.data;
    const f = this.freshness;
    return html`<header>
        <h2 id="crm-h"><oc-icon .icon=${MessagesSquare}></oc-icon>Conversations${d ? html` <span class="muted">· ${periodWords(d.range, d.from, d.to)}</span>` : nothing}</h2>
        ${renderFreshness(f, d ? `live · ${formatClock(d.generatedAt)}` : 'live')}
      </header>
      ${this.error && d ? html`<p class="error" role="alert">Refresh failed — ${this.error}. Showing the figures from ${formatClock(d.generatedAt)}.</p>` : nothing}
      ${f.kind === 'not_configured' ? renderNotConfigured() : !d ? this.renderUnknown() : this.renderData(d)}`;
  }

  private unknown(reason: string) {
    return html`<span class="unknown" title=${reason} aria-hidden="true">—</span><span class="vh">Unknown: ${reason}</span>`;
  }

  private renderUnknown() {
    const reason = this.error ? `Could not be loaded — ${this.error}` : this.freshness.kind === 'unknown' ? this.freshness.reason : 'Not received yet';
    return html`<div class="tiles">${['Active conversations', 'Reply time', 'AI response quality', 'Completion rate'].map((name) => html`<div class="tile">
      <div class="name">${name}</div><div class="n">${this.unknown(reason)}</div></div>`)}</div><p class="muted">${reason}</p>`;
  }

  private renderData(d: CrmReply) {
    const del = d.deliveries;
    return html`
      <div class="tiles">
        <div class="tile" data-figure="active"><div class="name"><oc-icon .icon=${MessagesSquare}></oc-icon>Active conversations</div>
          <div class="n">${formatCount(d.activeConversations.length)}</div><div class="sub">open now</div></div>
        <div class="tile" data-figure="reply"><div class="name"><oc-icon .icon=${Timer}></oc-icon>Reply time</div>
          ${d.replyMs ? html`<div class="n">${formatMs(d.replyMs.p95)}</div><div class="sub">p95 · avg ${formatMs(d.replyMs.avg)}</div>`
            : html`<div class="n">${this.unknown('No replies in this period')}</div><div class="sub">no replies</div>`}</div>
        <div class="tile" data-figure="quality"><div class="name"><oc-icon .icon=${Star}></oc-icon>AI response quality</div>
          ${d.aiQualityAvg !== null && d.aiQualityAvg !== undefined ? html`<div class="n">${d.aiQualityAvg.toFixed(1)}<span class="sub"> / 5</span></div><div class="sub">average rating</div>`
            : html`<div class="n">${this.unknown('No rated AI replies in this period')}</div><div class="sub">no rated replies</div>`}</div>
        <div class="tile" data-figure="completion"><div class="name"><oc-icon .icon=${CircleCheck}></oc-icon>Completion rate</div>
          ${d.completionRate !== null && d.completionRate !== undefined ? html`<div class="n">${formatPercent(d.completionRate)}</div>`
            : html`<div class="n">${this.unknown('No conversation ended in this period')}</div>`}
          <div class="sub">${formatCount(d.completed)} completed · ${formatCount(d.abandoned)} abandoned</div></div>
        <div class="tile" data-figure="deliveries"><div class="name"><oc-icon .icon=${Send}></oc-icon>Delivery rate</div>
          ${del.deliveryRate !== null && del.deliveryRate !== undefined ? html`<div class="n">${formatPercent(del.deliveryRate)}</div>`
            : html`<div class="n">${this.unknown('Nothing sent in this period')}</div>`}
          <div class="sub">${formatCount(del.failed)} failed</div></div>
      </div>
      <div class="cols">
        <div>
          <bar-chart class="volume" label="Chat messages per day" unit="messages" stacked ?stale=${this.stale}
            .categories=${d.chatVolume.map((v) => v.date.slice(5))}
            .series=${[{ name: 'Received', values: d.chatVolume.map((v) => v.inbound) }, { name: 'Sent', values: d.chatVolume.map((v) => v.outbound) }]}></bar-chart>
          <ul class="deliveries" aria-label="Deliveries">
            <li>Sent ${formatCount(del.sent)}</li><li>Delivered ${formatCount(del.delivered)}</li><li>Read ${formatCount(del.read)}</li>
            <li class="failed ${del.failed > 0 ? 'has' : ''}">Failed ${formatCount(del.failed)}</li>
          </ul>
        </div>
        <div>
          <h3 id="convs-h">Active conversations (${formatCount(d.activeConversations.length)})</h3>
          ${d.activeConversations.length === 0 ? html`<p class="muted">No conversation is open.</p>` : this.renderConversations(d)}
        </div>
      </div>`;
  }

  private renderConversations(d: CrmReply) {
    const list = [...d.activeConversations].sort((a, b) => Date.parse(b.lastMessageAt) - Date.parse(a.lastMessageAt));
    const shown = list.slice(0, LIST_MAX);
    return html`<ul class="convs" aria-labelledby="convs-h" tabindex="0">${shown.map((c) => html`<li data-conversation=${c.conversationId}>
        <span class="who">${c.advisorId ? `${c.advisorId} · ${maskWaId(c.waId)}` : maskWaId(c.waId)}</span>
        <span class="msgs">${formatCount(c.messages)} message${c.messages === 1 ? '' : 's'}</span>
        <span class="meta">last message ${formatRelative(c.lastMessageAt, this.now)} (${formatClock(c.lastMessageAt)}) · started ${formatClock(c.startedAt)}</span>
      </li>`)}</ul>
      ${list.length > LIST_MAX ? html`<p class="muted">and ${formatCount(list.length - LIST_MAX)} more, least recent.</p>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'crm-panel': CrmPanel }
}
