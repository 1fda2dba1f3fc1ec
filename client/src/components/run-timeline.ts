// A run and its children as start/end bars on a shared time axis (plain CSS): open runs grow to `now`,
// each row says its state in words, and each bar links to its run.
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { tokens, focusRing } from '../styles/theme.js';
import { formatClock, formatDuration } from '../app/time-format.js';
import { stateLook } from './state-badge.js';
import { displayState, timelineLayout, type TimelineEntry, type TimelineRow } from '../pages/agents-data.js';
import './oc-icon.js';

@customElement('run-timeline')
export class RunTimeline extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: block; min-width: 0; }
    .axis, .row { display: grid; grid-template-columns: minmax(7rem, 32%) minmax(0, 1fr); gap: 0.5rem; align-items: center; }
    .axis { font-size: 0.72rem; color: var(--oc-fg-muted); font-variant-numeric: tabular-nums; }
    .ticks, .track { position: relative; height: 1.2rem; }
    .tick { position: absolute; top: 0; transform: translateX(-50%); white-space: nowrap; }
    .row { min-height: 2.2rem; border-top: 1px solid var(--oc-border); }
    .label { display: grid; grid-template-columns: auto minmax(0, 1fr); column-gap: 0.3rem; align-items: center; min-width: 0;
      font-size: 0.85rem; padding: 0.2rem 0 0.2rem calc(var(--depth) * 0.7rem); }
    .label a { color: var(--oc-fg); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; display: block; min-height: 1.4rem; line-height: 1.4rem; }
    .label oc-icon { --oc-icon-size: 1em; grid-row: 1 / span 2; }
    .word { font-size: 0.72rem; color: var(--oc-fg-muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .track { height: 1.4rem; background: var(--oc-surface-2); border-radius: 4px; }
    .gridline { position: absolute; top: 0; bottom: 0; width: 1px; background: var(--oc-border); }
    .bar { position: absolute; top: 0.2rem; bottom: 0.2rem; min-width: 3px; border-radius: 4px; display: block; }
    .bar.ok { background: var(--oc-ok); }
    .bar.bad { background: var(--oc-bad); }
    .bar.warn { background: var(--oc-warn); }
    .bar.busy { background: var(--oc-accent); }
    .bar.calm, .bar.unknown, .bar.stale { background: var(--oc-fg-muted); }
    /* An open bar's right end is drawn as a fading edge: it is still growing. */
    .bar.open { border-top-right-radius: 0; border-bottom-right-radius: 0;
      mask-image: linear-gradient(90deg, #000 calc(100% - 10px), rgba(0,0,0,0.35)); }
    .ok .label oc-icon { color: var(--oc-ok); } .bad .label oc-icon { color: var(--oc-bad); }
    .warn .label oc-icon { color: var(--oc-warn); } .busy .label oc-icon { color: var(--oc-accent); }
    .queued { font-size: 0.75rem; color: var(--oc-fg-muted); }
    .empty { color: var(--oc-fg-muted); margin: 0; }
  `];

  @property({ attribute: false }) entries: TimelineEntry[] = [];
  /** Where open bars end (the page ticks it while runs are open). */
  @property({ attribute: false }) now = Date.now();

  render() {
    if (this.entries.length === 0) return html`<p class="empty">No timeline yet.</p>`;
    const layout = timelineLayout(this.entries, this.now);
    // Labels too close to either end would collide with the start time or overflow the card.
    const ticks = layout.ticks.filter((t) => t.pct >= 8 && t.pct <= 92);
    const withSeconds = layout.endMs - layout.startMs < 5 * 60_000;
    const tickLabel = (ms: number) => formatClock(ms).slice(0, withSeconds ? 8 : 5);
    return html`<div role="table" aria-label="Timeline of the run and its children">
      <div class="axis" role="row" aria-hidden="true"><span>${formatClock(layout.startMs)}</span>
        <div class="ticks">${ticks.map((t) => html`<span class="tick" style="left:${t.pct}%">${tickLabel(t.ms)}</span>`)}</div></div>
      ${layout.rows.map((r) => this.renderRow(r, ticks))}
    </div>`;
  }

  private renderRow(r: TimelineRow, ticks: ReadonlyArray<{ pct: number }>) {
    const state = displayState(r.status, r.degraded);
    const look = stateLook(state);
    const endMs = r.open ? this.now : Date.parse(r.endedAt ?? '');
    const seconds = r.started ? (endMs - Date.parse(r.startedAt!)) / 1000 : null;
    const title = r.started
      ? `${r.agent}: ${look.word}, ${formatClock(r.startedAt!)}–${r.open ? 'now' : formatClock(r.endedAt!)} (${formatDuration(seconds)})`
      : `${r.agent}: ${look.word}, not started`;
    return html`<div class="row ${look.tone}" role="row" data-run=${r.runId}>
      <div class="label" role="rowheader" style="--depth:${r.depth}">
        <oc-icon .icon=${look.icon}></oc-icon><a href="/agents/runs/${encodeURIComponent(r.runId)}" title=${r.agent}>${r.agent}</a>
        <span class="word">${look.word}${r.started ? ` · ${formatDuration(seconds)}` : ''}</span></div>
      <div class="track" role="cell" title=${title}>
        ${ticks.map((t) => html`<span class="gridline" style="left:${t.pct}%" aria-hidden="true"></span>`)}
        ${r.started ? html`<span class="bar ${look.tone} ${r.open ? 'open' : ''}" style="left:${r.leftPct}%;width:${r.widthPct}%"
          data-left=${r.leftPct} data-width=${r.widthPct}></span>` : html`<span class="queued">not started</span>`}
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'run-timeline': RunTimeline }
}
