// One system figure (CPU, memory, a disk, load, uptime): a big number with its unit, a bar, a sparkline slot,
// and its freshness. Unknown is "—" with a reason (never 0); stale values are greyed with "stale since HH:MM".
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { IconNode } from 'lucide';
import { Clock, TriangleAlert, CircleX } from 'lucide';
import { tokens } from '../styles/theme.js';
import { formatClock } from '../app/time-format.js';
import './oc-icon.js';

export type GaugeLevel = 'normal' | 'high' | 'critical';

/** Where a percentage sits against the warn/bad thresholds. */
export function gaugeLevel(percent: number | null, warnAt: number, badAt: number): GaugeLevel {
  if (percent === null || !Number.isFinite(percent)) return 'normal';
  if (percent >= badAt) return 'critical';
  if (percent >= warnAt) return 'high';
  return 'normal';
}

@customElement('metric-gauge')
export class MetricGauge extends LitElement {
  static styles = [tokens, css`
    :host { display: block; min-width: 0; }
    .gauge {
      display: grid; gap: 0.35rem; padding: 0.75rem; border: 1px solid var(--oc-border); border-radius: var(--oc-radius);
      background: var(--oc-surface); height: 100%; box-sizing: border-box;
    }
    .head { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem; color: var(--oc-fg-muted); font-size: 0.875rem; font-weight: 600; }
    .head .level { margin-left: auto; display: inline-flex; align-items: center; gap: 0.25rem; --oc-icon-size: 1em; }
    .high .level { color: var(--oc-warn); }
    .critical .level { color: var(--oc-bad); }
    .figure { display: flex; align-items: baseline; gap: 0.25rem; font-variant-numeric: tabular-nums; min-height: 2.2rem; }
    .value { font-size: 1.75rem; font-weight: 700; line-height: 1.1; }
    .unit { font-size: 0.95rem; color: var(--oc-fg-muted); }
    .unknown .value { color: var(--oc-unknown); cursor: help; }
    .detail, .reason, .fresh { font-size: 0.8rem; color: var(--oc-fg-muted); overflow-wrap: anywhere; }
    .bar { height: 6px; border-radius: 3px; background: var(--oc-surface-2); overflow: hidden; }
    .fill { height: 100%; background: var(--oc-accent); border-radius: 3px; }
    .high .fill { background: var(--oc-warn); }
    .critical .fill { background: var(--oc-bad); }
    .stale .value, .stale .fill, .stale .unit { color: var(--oc-stale); }
    .stale .fill { background: var(--oc-stale); }
    .stale .figure, .stale ::slotted(*) { opacity: 0.75; }
    .stale-mark { display: inline-flex; align-items: center; gap: 0.25rem; color: var(--oc-stale); font-size: 0.8rem; font-weight: 600; --oc-icon-size: 1em; }
    .vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
  `];

  @property() label = '';
  @property({ attribute: false }) icon?: IconNode;
  /** The figure; a number is shown with `decimals`, a string as is; null = unknown. */
  @property({ attribute: false }) value: number | string | null = null;
  @property() unit = '';
  @property({ type: Number }) decimals = 0;
  /** 0–100 for the bar; null draws no bar. */
  @property({ attribute: false }) percent: number | null = null;
  @property({ type: Number }) warnAt = 80;
  @property({ type: Number }) badAt = 90;
  /** A line under the figure, e.g. "12.1 GB of 31.3 GB". */
  @property() detail = '';
  /** Why the value is unknown, shown on hover/tap and to screen readers. */
  @property() reason = 'No sample received yet';
  /** When the figure was measured (ISO or ms). */
  @property({ attribute: false }) observedAt: string | number | null = null;
  @property({ type: Boolean, reflect: true }) stale = false;
  /** When the figure stopped being fresh; defaults to observedAt. */
  @property({ attribute: false }) staleSince: string | number | null = null;

  render() {
    const unknown = this.value === null || (typeof this.value === 'number' && !Number.isFinite(this.value));
    const level = unknown || this.stale ? 'normal' : gaugeLevel(this.percent, this.warnAt, this.badAt);
    const classes = ['gauge', level, unknown ? 'unknown' : '', this.stale ? 'stale' : ''].join(' ');
    return html`<div class=${classes} part="gauge" role="group" aria-label=${this.label}>
      <div class="head">
        ${this.icon ? html`<oc-icon .icon=${this.icon}></oc-icon>` : nothing}
        <span>${this.label}</span>
        ${level !== 'normal' ? html`<span class="level"><oc-icon .icon=${level === 'critical' ? CircleX : TriangleAlert}></oc-icon>${level}</span>` : nothing}
      </div>
      ${unknown ? this.renderUnknown() : this.renderFigure()}
      ${!unknown && this.percent !== null ? html`<div class="bar" aria-hidden="true">
        <div class="fill" style="width:${Math.max(0, Math.min(100, this.percent))}%"></div></div>` : nothing}
      ${this.detail && !unknown ? html`<div class="detail">${this.detail}</div>` : nothing}
      <slot name="spark"></slot>
      ${this.renderFreshness()}
    </div>`;
  }

  private renderFigure() {
    const text = typeof this.value === 'number' ? this.value.toFixed(this.decimals) : String(this.value);
    return html`<div class="figure"><span class="value">${text}</span>${this.unit ? html`<span class="unit">${this.unit}</span>` : nothing}</div>`;
  }

  private renderUnknown() {
    return html`<div class="figure">
      <span class="value" title=${this.reason} aria-hidden="true">—</span><span class="vh">Unknown: ${this.reason}</span>
    </div>
    <div class="reason" aria-hidden="true">${this.reason}</div>`;
  }

  private renderFreshness() {
    const since = this.staleSince ?? this.observedAt;
    if (this.stale) {
      return html`<div class="stale-mark"><oc-icon .icon=${Clock}></oc-icon>${since !== null ? `stale since ${formatClock(since)}` : 'stale'}</div>`;
    }
    if (this.observedAt === null) return nothing;
    return html`<div class="fresh">updated ${formatClock(this.observedAt)}</div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'metric-gauge': MetricGauge }
}
