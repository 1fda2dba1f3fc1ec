// CRM monitoring for a range: active conversations (a list), reply time avg/p95, AI response quality, daily chat
// volume (ECharts, lazy), completion rate and WhatsApp deliveries. Takes the /api/webhook/crm reply as data;
// only message lengths ever reach the dashboard, never texts. Stale figures stay shown, greyed and dated.
import { css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { MessagesSquare, Timer, Star, CircleCheck, Send } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { formatClock, formatRelative } from '../app/time-format.js';
import { formatCount, formatMs, formatPercent, maskWaId, type CrmReply } from '../pages/webhook-data.js';
import { FigureCard, figureCardStyles, renderUnknownFigure } from './figure-card.js';
import './oc-icon.js';
import './bar-chart.js';

/** The list shows this many conversations; the rest are counted. */
const LIST_MAX = 50;

@customElement('crm-panel')
export class CrmPanel extends FigureCard<CrmReply> {
  static styles = [tokens, focusRing, figureCardStyles, css`
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
  `];

  @property({ attribute: false }) now = Date.now();

  protected readonly unknownNames = ['Active conversations', 'Reply time', 'AI response quality', 'Completion rate'];

  protected head() {
    return { id: 'crm-h', icon: MessagesSquare, heading: 'Conversations' };
  }

  protected renderData(d: CrmReply) {
    const del = d.deliveries;
    return html`
      <div class="tiles">
        <div class="tile" data-figure="active"><div class="name"><oc-icon .icon=${MessagesSquare}></oc-icon>Active conversations</div>
          <div class="n">${formatCount(d.activeConversations.length)}</div><div class="sub">open now</div></div>
        <div class="tile" data-figure="reply"><div class="name"><oc-icon .icon=${Timer}></oc-icon>Reply time</div>
          ${d.replyMs ? html`<div class="n">${formatMs(d.replyMs.p95)}</div><div class="sub">p95 · avg ${formatMs(d.replyMs.avg)}</div>`
            : html`<div class="n">${renderUnknownFigure('No replies in this period')}</div><div class="sub">no replies</div>`}</div>
        <div class="tile" data-figure="quality"><div class="name"><oc-icon .icon=${Star}></oc-icon>AI response quality</div>
          ${d.aiQualityAvg !== null && d.aiQualityAvg !== undefined ? html`<div class="n">${d.aiQualityAvg.toFixed(1)}<span class="sub"> / 5</span></div><div class="sub">average rating</div>`
            : html`<div class="n">${renderUnknownFigure('No rated AI replies in this period')}</div><div class="sub">no rated replies</div>`}</div>
        <div class="tile" data-figure="completion"><div class="name"><oc-icon .icon=${CircleCheck}></oc-icon>Completion rate</div>
          ${d.completionRate !== null && d.completionRate !== undefined ? html`<div class="n">${formatPercent(d.completionRate)}</div>`
            : html`<div class="n">${renderUnknownFigure('No conversation ended in this period')}</div>`}
          <div class="sub">${formatCount(d.completed)} completed · ${formatCount(d.abandoned)} abandoned</div></div>
        <div class="tile" data-figure="deliveries"><div class="name"><oc-icon .icon=${Send}></oc-icon>Delivery rate</div>
          ${del.deliveryRate !== null && del.deliveryRate !== undefined ? html`<div class="n">${formatPercent(del.deliveryRate)}</div>`
            : html`<div class="n">${renderUnknownFigure('Nothing sent in this period')}</div>`}
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
