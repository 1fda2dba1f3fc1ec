// Click-to-Unlock button analytics for a range: clicks by button type, the hourly distribution (ECharts, lazy),
// clicks per day for a week or month, click response time avg/p95, success rate and the most engaged advisors.
// Takes the /api/webhook/buttons reply as data; stale figures stay shown, greyed and dated, never zeroed.
import { css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { MousePointerClick, Timer, CircleCheck } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { formatClock } from '../app/time-format.js';
import { BUTTON_TYPES, BUTTON_WORDS, formatCount, formatMs, formatPercent, whoOf, type ButtonsReply } from '../pages/webhook-data.js';
import { FigureCard, figureCardStyles } from './figure-card.js';
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
export class ButtonAnalytics extends FigureCard<ButtonsReply> {
  static styles = [tokens, focusRing, figureCardStyles, css`
    .tile.total { background: var(--oc-surface-2); }
    .charts { display: grid; gap: 0.9rem; grid-template-columns: minmax(0, 1fr); margin-bottom: 0.8rem; }
    table { border-collapse: collapse; width: 100%; font-size: 0.875rem; font-variant-numeric: tabular-nums; }
    th, td { padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--oc-surface-2); text-align: right; }
    th:nth-child(2), td:nth-child(2) { text-align: left; }
    thead th { color: var(--oc-fg-muted); font-weight: 600; }
  `];

  @property() heading = 'Button clicks';

  protected readonly unknownNames = ['Total', ...BUTTON_TYPES.map((b) => BUTTON_WORDS[b])];

  protected head() {
    return { id: 'buttons-h', icon: MousePointerClick, heading: this.heading };
  }

  protected renderData(d: ButtonsReply) {
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
