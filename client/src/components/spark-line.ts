// A small trend line beside a current value. ECharts is imported dynamically (./spark-line-chart.js) so it
// never weighs on the initial bundle; the element's accessible name states the trend in words.
import { LitElement, css, html } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { SparkChart } from './spark-line-chart.js';
import { LazyChartController } from './lazy-chart-controller.js';

/** "CPU last hour: min 3 %, max 41 %, now 12 %" — or says there is no data yet. */
export function summariseTrend(label: string, values: readonly number[], unit = '', decimals = 0): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return `${label}: no data yet`;
  const fmt = (v: number) => `${v.toFixed(decimals)}${unit ? ` ${unit}` : ''}`;
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const now = finite[finite.length - 1]!;
  return `${label}: min ${fmt(min)}, max ${fmt(max)}, now ${fmt(now)}`;
}

@customElement('spark-line')
export class SparkLine extends LitElement {
  static styles = css`
    :host { display: block; height: var(--spark-height, 32px); min-width: 0; }
    .frame { position: relative; width: 100%; height: 100%; }
    .chart { position: absolute; inset: 0; }
  `;

  @property({ attribute: false }) values: number[] = [];
  /** What the line shows, e.g. "CPU last hour" — the start of the accessible name. */
  @property() label = '';
  @property() unit = '';
  @property({ type: Number }) decimals = 0;
  /** Fixed y range (e.g. 0–100 for percentages); null fits the data. */
  @property({ attribute: false }) min: number | null = null;
  @property({ attribute: false }) max: number | null = null;
  /** Draw in the stale grey: the values stopped arriving. */
  @property({ type: Boolean, reflect: true }) stale = false;

  @query('.chart') private chartEl!: HTMLDivElement;

  private readonly chart = new LazyChartController(this, {
    name: 'spark-line',
    load: () => import('./spark-line-chart.js').then((m) => m.initSparkChart),
    container: () => this.chartEl,
    draw: (chart) => this.draw(chart),
  });

  /** Resolves once the chart is drawn (tests and callers that need the canvas can await it). */
  get chartReady(): Promise<void> {
    return this.chart.ready;
  }

  render() {
    return html`<div class="frame" role="img" aria-label=${summariseTrend(this.label, this.values, this.unit, this.decimals)}>
      <div class="chart" aria-hidden="true"></div>
    </div>`;
  }

  protected updated(): void {
    this.chart.redraw();
  }

  private draw(chart: SparkChart): void {
    const style = getComputedStyle(this);
    const line = (this.stale ? style.getPropertyValue('--oc-stale') : style.getPropertyValue('--oc-accent')).trim() || '#2457c5';
    chart.update({ values: this.values, min: this.min, max: this.max }, { line, area: line });
  }
}

declare global {
  interface HTMLElementTagNameMap { 'spark-line': SparkLine }
}
