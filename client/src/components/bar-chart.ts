// A bar chart (hourly clicks, daily chat volume…) with its table one tap away. ECharts is imported dynamically
// (./bar-chart-echarts.js) so it never weighs on the initial bundle; the accessible name sums the data up in words.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { Table2, ChartColumn } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import type { BarChartHandle, BarSeries } from './bar-chart-echarts.js';
import { LazyChartController } from './lazy-chart-controller.js';
import './oc-icon.js';

export type { BarSeries } from './bar-chart-echarts.js';

const PALETTE = {
  light: ['#2457c5', '#b45309', '#0f766e', '#7c3aed'],
  dark: ['#7aa7ff', '#f2b24c', '#3fd0b8', '#c9b5ff'],
};

/** "Clicks per hour: 42 in all; most at 14:00 (9)" — or says there is no data. */
export function summariseBars(label: string, categories: readonly string[], series: readonly BarSeries[], unit = ''): string {
  const totals = categories.map((_, i) => series.reduce((sum, s) => sum + (Number.isFinite(s.values[i]) ? s.values[i]! : 0), 0));
  const all = totals.reduce((a, b) => a + b, 0);
  if (categories.length === 0 || series.length === 0) return `${label}: no data`;
  const u = unit ? ` ${unit}` : '';
  if (all === 0) return `${label}: none`;
  let top = 0;
  totals.forEach((t, i) => { if (t > totals[top]!) top = i; });
  return `${label}: ${all.toLocaleString('en-IN')}${u} in all; most at ${categories[top]} (${totals[top]!.toLocaleString('en-IN')})`;
}

@customElement('bar-chart')
export class BarChartElement extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: block; min-width: 0; }
    .head { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; flex-wrap: wrap; }
    .title { font-size: 0.875rem; font-weight: 600; color: var(--oc-fg-muted); }
    .toggle { display: inline-flex; align-items: center; gap: 0.3rem; min-height: var(--oc-tap); padding: 0 0.7rem; border-radius: 8px;
      border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg); font: inherit; font-size: 0.85rem; cursor: pointer; --oc-icon-size: 1em; }
    .frame { position: relative; width: 100%; height: var(--bar-chart-height, 220px); }
    .chart { position: absolute; inset: 0; }
    :host([stale]) .frame { filter: grayscale(1); }
    .table-wrap { max-height: var(--bar-chart-height, 220px); overflow: auto; border: 1px solid var(--oc-border); border-radius: 8px; }
    table { border-collapse: collapse; width: 100%; font-size: 0.85rem; font-variant-numeric: tabular-nums; }
    th, td { padding: 0.3rem 0.5rem; text-align: right; border-bottom: 1px solid var(--oc-surface-2); }
    th:first-child, td:first-child { text-align: left; }
    thead th { position: sticky; top: 0; background: var(--oc-surface); color: var(--oc-fg-muted); font-weight: 600; }
    [hidden] { display: none !important; }
  `];

  /** What the chart shows, e.g. "Clicks per hour" — its title and the start of its accessible name. */
  @property() label = '';
  @property({ attribute: false }) categories: string[] = [];
  @property({ attribute: false }) series: BarSeries[] = [];
  @property({ type: Boolean }) stacked = false;
  @property() unit = '';
  /** Drawn greyed: the values are the last known ones. */
  @property({ type: Boolean, reflect: true }) stale = false;
  /** Shows the table instead of the chart. */
  @property({ type: Boolean, reflect: true, attribute: 'show-table' }) showTable = false;

  @query('.chart') private chartEl!: HTMLDivElement;

  private readonly chart = new LazyChartController(this, {
    name: 'bar-chart',
    load: () => import('./bar-chart-echarts.js').then((m) => m.initBarChart),
    container: () => this.chartEl,
    draw: (chart) => this.draw(chart),
  });
  private drawn = false;

  /** Resolves once the chart module has loaded and drawn (tests await it). */
  get chartReady(): Promise<void> {
    return this.chart.ready;
  }

  /** The data as the chart got it last (tests read it). */
  get drawnData(): { categories: string[]; series: BarSeries[] } | null {
    return this.drawn ? { categories: this.categories, series: this.series } : null;
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.drawn = false;
  }

  protected updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('showTable') && !this.showTable) this.chart.handle?.resize();
    if (changed.has('categories') || changed.has('series') || changed.has('stale') || changed.has('stacked')) this.chart.redraw();
  }

  render() {
    const summary = summariseBars(this.label, this.categories, this.series, this.unit);
    return html`<div class="head">
        <span class="title">${this.label}</span>
        <button type="button" class="toggle" aria-pressed=${this.showTable ? 'true' : 'false'} @click=${() => { this.showTable = !this.showTable; }}>
          <oc-icon .icon=${this.showTable ? ChartColumn : Table2}></oc-icon>${this.showTable ? 'Chart' : 'Table'}</button>
      </div>
      <div class="frame" role="img" aria-label=${summary} ?hidden=${this.showTable}><div class="chart" aria-hidden="true"></div></div>
      ${this.showTable ? this.renderTable() : nothing}`;
  }

  private renderTable() {
    const multi = this.series.length > 1;
    return html`<div class="table-wrap" tabindex="0" role="region" aria-label="${this.label} as a table">
      <table>
        <thead><tr><th scope="col"></th>${this.series.map((s) => html`<th scope="col">${s.name}</th>`)}${multi ? html`<th scope="col">Total</th>` : nothing}</tr></thead>
        <tbody>${this.categories.map((c, i) => html`<tr><th scope="row">${c}</th>${this.series.map((s) => html`<td>${(s.values[i] ?? 0).toLocaleString('en-IN')}</td>`)}${multi
          ? html`<td>${this.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0).toLocaleString('en-IN')}</td>` : nothing}</tr>`)}</tbody>
      </table></div>`;
  }

  private draw(chart: BarChartHandle): void {
    const style = getComputedStyle(this);
    const dark = style.colorScheme.includes('dark');
    // Stale bars keep their hues (the series stay told apart) and are greyed by the frame's filter.
    const palette = PALETTE[dark ? 'dark' : 'light'];
    chart.update(
      { categories: this.categories, series: this.series, stacked: this.stacked, unit: this.unit },
      {
        series: palette,
        text: style.getPropertyValue('--oc-fg-muted').trim() || '#5a6270',
        grid: style.getPropertyValue('--oc-border').trim() || '#d5d9e0',
        tooltipBg: style.getPropertyValue('--oc-surface').trim() || '#ffffff',
        stale: this.stale,
      },
    );
    this.drawn = true;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'bar-chart': BarChartElement }
}
