// Click-to-Unlock button analytics for a range: clicks by button type, the hourly distribution (ECharts, lazy),
// clicks per day for a week or month, click response time avg/p95, success rate and the most engaged advisors.
// Takes the /api/webhook/buttons reply as data; stale figures stay shown, greyed and dated, never zeroed.
import { LitElement, css, html, nothing, unsafeCSS } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { MousePointerClick, Timer, CircleCheck } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { formatClock } from '../app/time-format.js';
import {
  BUTTON_TYPES, BUTTON_WORDS, formatCount, formatMs, formatPercent, periodWords, whoOf,
  type ButtonsReply, type Freshness,
} from '../pages/webhook-data.js';
import { freshnessStyles, renderFreshness, renderNotConfigured } from './webhook-freshness.js';
import type { BarSeries } from './bar-chart.js';
import { BUTTON_ICONS } from './webhook-event-look.js';
import './oc-icon.js';
import './bar-chart.js';


const HOURS = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`);

/** The hourly rows as chart series, one per button type, 24 values each (missing hours are 0 clicks). */
export function hourlySeries(hourly: ButtonsReply['hourly']): BarSeries[] {
  return BUTTON_TYPES.map((b) => {
    const values = new Array<number>(24).fill(0);
    for (const row of hourly ?? []) if (row.hour >= 0 && row.hour < 24) values[row.hour] = row[b] ?? 0;
    return { name: BUTTON_WORDS[b], values };
  });
}

@customElement('button-analytics')
export class ButtonAnalytics extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: block; min-width: 0; }
    header { display: flex; align-items: baseline; justify-content: space-between; gap: 0.5rem; flex-wrap: wrap; margin-bottom: 0.7rem; }
    h2 { font-size: 1.05rem; margin: 0; display: inline-flex; align-items: center; gap: 0.4rem; }
    .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 9.5rem), 1fr)); gap: 0.6rem; margin-bottom: 0.8rem; }
    .tile { border: 1px solid var(--oc-border); border-radius: 8px; padding: 0.5rem 0.65rem; min-width: 0; }
    .tile .name { display: flex; align-items: center; gap: 0.35rem; font-size: 0.8rem; color: var(--oc-fg-muted); font-weight: 600; --oc-icon-size: 1.05em; }
    .tile .n { font-size: 1.45rem; font-weight: 700; font-variant-numeric: tabular-nums; }
    .tile .sub { font-size: 0.8rem; color: var(--oc-fg-muted); }
    .tile.total { background: var(--oc-surface-2); }
    :host([stale]) .tile .n { color: var(--oc-stale); }
    .unknown { color: var(--oc-unknown); cursor: help; }
    .charts { display: grid; gap: 0.9rem; grid-template-columns: minmax(0, 1fr); margin-bottom: 0.8rem; }
    h3 { font-size: 0.95rem; margin: 0 0 0.4rem; }
    table { border-collapse: collapse; width: 100%; font-size: 0.875rem; font-variant-numeric: tabular-nums; }
    th, td { padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--oc-surface-2); text-align: right; }
    th:nth-child(2), td:nth-child(2) { text-align: left; }
    thead th { color: var(--oc-fg-muted); font-weight: 600; }
    .muted { color: var(--oc-fg-muted); margin: 0; }
    .error { color: var(--oc-bad); margin: 0 0 0.5rem; }
    .vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
    ${unsafeCSS(freshnessStyles)}
  `];

  @property({ attribute: false }) data: ButtonsReply | null = null;
  @property({ attribute: false }) freshness: Freshness = { kind: 'unknown', reason: 'Not received yet' };
  /** A failed refresh (the last data, if any, stays shown). */
  @property() error = '';
  @property() heading = 'Button clicks';
  @property({ type: Boolean, reflect: true }) stale = false;

  protected willUpdate(): void {
    this.stale = this.freshness.kind === 'stale';
  }

  render() {
    const d = this.data;
    const f = this.freshness;
    const period = d ? periodWords(d.range, d.from, d.to) : '';
    return html`<header>
        <h2 id="buttons-h"><oc-icon .icon=${MousePointerClick}></oc-icon>${this.heading}${period ? html` <span class="muted">· ${period}</span>` : nothing}</h2>
        ${renderFreshness(f, d ? `live · ${formatClock(d.generatedAt)}` : 'live')}
      </header>
      ${this.error && d ? html`<p class="error" role="alert">Refresh failed — ${this.error}. Showing the figures from ${formatClock(d.generatedAt)}.</p>` : nothing}
      ${f.kind === 'not_configured' ? renderNotConfigured() : !d ? this.renderUnknown() : this.renderData(d)}`;
  }

  private renderUnknown() {
    const reason = this.error ? `Could not be loaded — ${this.error}` : this.freshness.kind === 'unknown' ? this.freshness.reason : 'Not received yet';
    return html`<div class="tiles">${['Total', ...BUTTON_TYPES.map((b) => BUTTON_WORDS[b])].map((name) => html`<div class="tile">
      <div class="name">${name}</div><div class="n"><span class="unknown" title=${reason} aria-hidden="true">—</span><span class="vh">Unknown: ${reason}</span></div>
    </div>`)}</div><p class="muted">${reason}</p>`;
  }

  private renderData(d: ButtonsReply) {
    const total = d.clicks.total;
    const share = (n: number) => (total > 0 ? formatPercent(n / total, 0) : '');
    const stale = this.stale;
    return html`
      <div class="tiles" role="list" aria-label="Clicks by button">
        <div class="tile total" role="listitem" data-button="total"><div class="name"><oc-icon .icon=${MousePointerClick}></oc-icon>All buttons</div>
          <div class="n">${formatCount(total)}</div><div class="sub">clicks</div></div>
        ${BUTTON_TYPES.map((b) => html`<div class="tile" role="listitem" data-button=${b}>
          <div class="name"><oc-icon .icon=${BUTTON_ICONS[b]}></oc-icon>${BUTTON_WORDS[b]}</div>
          <div class="n">${formatCount(d.clicks[b])}</div><div class="sub">${share(d.clicks[b] ?? 0) || 'clicks'}</div></div>`)}
        <div class="tile" role="listitem" data-figure="response"><div class="name"><oc-icon .icon=${Timer}></oc-icon>Response time</div>
          ${d.responseMs ? html`<div class="n">${formatMs(d.responseMs.p95)}</div><div class="sub">p95 · avg ${formatMs(d.responseMs.avg)}</div>`
            : html`<div class="n"><span class="unknown" title="No clicks answered in this period" aria-hidden="true">—</span><span class="vh">Unknown: no clicks answered in this period</span></div><div class="sub">no clicks answered</div>`}</div>
        <div class="tile" role="listitem" data-figure="success"><div class="name"><oc-icon .icon=${CircleCheck}></oc-icon>Success rate</div>
          ${d.successRate !== null && d.successRate !== undefined ? html`<div class="n">${formatPercent(d.successRate)}</div><div class="sub">clicks answered without error</div>`
            : html`<div class="n"><span class="unknown" title="No clicks in this period" aria-hidden="true">—</span><span class="vh">Unknown: no clicks in this period</span></div><div class="sub">no clicks</div>`}</div>
      </div>
      <div class="charts">
        <bar-chart class="hourly" label=${d.range === 'day' ? 'Clicks per hour' : 'Clicks per hour, last day of the period'} unit="clicks" stacked
          .categories=${HOURS} .series=${hourlySeries(d.hourly)} ?stale=${stale}></bar-chart>
        ${d.range !== 'day' && d.daily?.length ? html`<bar-chart class="daily" label="Clicks per day" unit="clicks"
          .categories=${d.daily.map((x) => x.date.slice(5))} .series=${[{ name: 'Clicks', values: d.daily.map((x) => x.total) }]} ?stale=${stale}></bar-chart>` : nothing}
      </div>
      <h3 id="advisors-h">Top advisors by engagement</h3>
      ${d.topAdvisors.length === 0 ? html`<p class="muted">No advisor clicked in this period.</p>` : html`<table aria-labelledby="advisors-h">
        <thead><tr><th scope="col">#</th><th scope="col">Advisor</th><th scope="col">Clicks</th><th scope="col">Last click</th></tr></thead>
        <tbody>${d.topAdvisors.map((a, i) => html`<tr><td>${i + 1}</td><td>${whoOf(a)}</td><td>${formatCount(a.clicks)}</td><td>${formatClock(a.lastClickAt)}</td></tr>`)}</tbody>
      </table>`}`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'button-analytics': ButtonAnalytics }
}
