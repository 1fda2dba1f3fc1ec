// A small trend line beside a current value, drawn as SVG in the element itself (no chart library: the home
// screen shows several and must not wait for one); the element's accessible name states the trend in words.
import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { SPARK_HEIGHT, sparkGeometry } from './spark-line-geometry.js';

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
  // Colours come from the page's tokens, so the line follows dark/light (and the user's override) by itself.
  static styles = css`
    :host { display: block; height: var(--spark-height, 32px); min-width: 0; --spark-colour: var(--oc-accent, #2457c5); }
    :host([stale]) { --spark-colour: var(--oc-stale, #6b6f78); }
    .frame { position: relative; width: 100%; height: 100%; }
    svg { position: absolute; inset: 2px 1px; width: calc(100% - 2px); height: calc(100% - 4px); overflow: visible; }
    .line { fill: none; stroke: var(--spark-colour); stroke-width: 1.5; stroke-linejoin: round; stroke-linecap: round; }
    .area { fill: var(--spark-colour); fill-opacity: 0.12; stroke: none; }
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

  render() {
    const g = sparkGeometry(this.values, this.min, this.max);
    return html`<div class="frame" role="img" aria-label=${summariseTrend(this.label, this.values, this.unit, this.decimals)}>
      <svg aria-hidden="true" viewBox="0 0 ${g.width} ${SPARK_HEIGHT}" preserveAspectRatio="none">${g.line ? svg`
        <path class="area" d=${g.area}></path>
        <path class="line" d=${g.line} vector-effect="non-scaling-stroke"></path>` : ''}</svg>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'spark-line': SparkLine }
}
