// The webhook link's last 24 h as one bar (like a heartbeat bar): a span per state, as wide as it lasted (tiny
// ones still visible), each state with its colour, its pattern and, where there is room, its word; a legend and
// the summary in words. The spans are one tab stop: arrow keys move between them and the line below says the
// chosen one's state, start, end, duration and reason. Says plainly when the history cannot be shown.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { IconNode } from 'lucide';
import { ChevronLeft, ChevronRight, CircleDashed, Clock } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { formatClock } from '../app/time-format.js';
import { stateLook } from './state-badge.js';
import {
  HISTORY_WINDOW_MS, spanWords, stripSpans, stripWord, summaryWords, timeWords, type HistoryView, type StripSpan, type StripState,
} from '../pages/webhook-history.js';
import './oc-icon.js';
import './state-badge.js';

const LEGEND: readonly StripState[] = ['up', 'degraded', 'down', 'stale', 'unknown', 'none'];
const iconOf = (s: StripState): IconNode => (s === 'none' ? CircleDashed : stateLook(s).icon);

@customElement('uptime-strip')
export class UptimeStrip extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: block; min-width: 0; }
    .summary { margin: 0 0 0.6rem; line-height: 1.45; }
    .unavailable { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; margin: 0; color: var(--oc-fg-muted); }
    .stale-note { display: flex; gap: 0.4rem; align-items: flex-start; margin: 0 0 0.6rem; padding: 0.45rem 0.65rem; border-radius: 8px;
      border: 1px dashed var(--oc-stale); background: var(--oc-stale-bg); font-size: 0.875rem; --oc-icon-size: 1.1em; }
    .stale-note oc-icon { color: var(--oc-stale); }
    .bar { display: flex; width: 100%; height: var(--oc-tap); border-radius: 6px; overflow: hidden; box-sizing: border-box;
      border: 1px solid var(--oc-border); background: var(--oc-surface-2); }
    .stale .bar { opacity: 0.55; filter: grayscale(0.6); }
    .seg { flex: var(--grow) 1 0; min-width: min(6px, calc(50% / var(--n))); position: relative; display: flex; align-items: center;
      justify-content: center; container-type: inline-size; cursor: pointer; outline-offset: -3px; }
    /* The chosen span is marked above and below, leaving its own colour and pattern visible however narrow it is. */
    .seg[aria-selected='true']::before, .seg[aria-selected='true']::after { content: ''; position: absolute; left: 0; right: 0;
      height: 4px; background: var(--oc-fg); }
    .seg[aria-selected='true']::before { top: 0; } .seg[aria-selected='true']::after { bottom: 0; }
    .seg:focus-visible { outline: 3px solid var(--oc-focus); z-index: 1; }
    .word { display: none; font-size: 0.72rem; font-weight: 600; line-height: 1.3; padding: 0 0.3em; border-radius: 4px;
      background: var(--oc-surface); color: var(--oc-fg); white-space: nowrap; }
    @container (min-width: 4.5rem) { .word { display: inline-block; } }
    /* Each state has its own pattern as well as its colour, so it reads without colour too. */
    .p-up { background: var(--oc-ok); }
    .p-degraded { background: repeating-linear-gradient(135deg, var(--oc-warn) 0 4px, var(--oc-warn-bg) 4px 7px); }
    .p-down { background: repeating-linear-gradient(45deg, transparent 0 3px, var(--oc-bad-bg) 3px 4px),
      repeating-linear-gradient(-45deg, var(--oc-bad) 0 3px, var(--oc-bad-bg) 3px 4px); }
    .p-stale { background: radial-gradient(circle, var(--oc-stale) 1.4px, transparent 1.8px) 0 0 / 6px 6px, var(--oc-stale-bg); }
    .p-unknown { background: repeating-linear-gradient(90deg, var(--oc-unknown) 0 2px, var(--oc-unknown-bg) 2px 6px); }
    .p-none { background: var(--oc-surface-2); }
    /* Three equal thirds around the middle label, so "12 h ago" sits at the bar's true midpoint whatever the outer widths. */
    .axis { display: grid; grid-template-columns: minmax(0, 1fr) auto minmax(0, 1fr); gap: 0.5rem; font-size: 0.72rem;
      color: var(--oc-fg-muted); font-variant-numeric: tabular-nums; margin-top: 0.2rem; }
    .axis .mid { text-align: center; } .axis .end { text-align: right; }
    .detail { display: flex; align-items: center; gap: 0.4rem; margin-top: 0.5rem; }
    .detail .line { flex: 1; min-width: 0; margin: 0; font-size: 0.875rem; overflow-wrap: anywhere; display: flex; gap: 0.35rem; align-items: flex-start;
      --oc-icon-size: 1.1em; }
    .step { flex: none; display: inline-flex; align-items: center; justify-content: center; width: var(--oc-tap); height: var(--oc-tap);
      border-radius: 8px; border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg); cursor: pointer; padding: 0; }
    .step[aria-disabled='true'] { opacity: 0.4; cursor: default; }
    .legend { display: flex; flex-wrap: wrap; gap: 0.3rem 0.9rem; list-style: none; margin: 0.6rem 0 0; padding: 0; font-size: 0.8rem;
      color: var(--oc-fg-muted); }
    .legend li { display: inline-flex; align-items: center; gap: 0.3rem; --oc-icon-size: 1em; }
    .swatch { width: 1.1rem; height: 0.8rem; border-radius: 3px; border: 1px solid var(--oc-border); }
    .t-ok { color: var(--oc-ok); } .t-warn { color: var(--oc-warn); } .t-bad { color: var(--oc-bad); }
    .t-stale { color: var(--oc-stale); } .t-unknown, .t-calm { color: var(--oc-unknown); }
    .vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  `];

  /** What to draw: the history (ending now, or as of a time when stale) or why there is none (see historyView). */
  @property({ attribute: false }) view: HistoryView = { kind: 'unavailable', reason: 'Waiting for the webhook status…', loading: true };

  /** A moment inside the chosen span, or null to follow the newest one. */
  @state() private chosenAt: number | null = null;
  /** Said to screen readers when the step buttons move the choice (the bar itself moves focus, which is read). */
  @state() private announce = '';

  private spans: StripSpan[] = [];
  /** Whether a span had focus before this update (a span leaving the window takes its focus with it). */
  private focusInBar = false;

  protected willUpdate(changed: PropertyValues<this>): void {
    const active = this.shadowRoot?.activeElement ?? null;
    this.focusInBar = !!active && !!this.renderRoot.querySelector('.bar')?.contains(active);
    if (changed.has('view')) {
      const v = this.view;
      this.spans = v.kind === 'unavailable' ? [] : stripSpans(v.history, v.end) ?? [];
    }
  }

  /** The index of the chosen span. */
  get selectedIndex(): number {
    const at = this.chosenAt;
    const i = at === null ? -1 : this.spans.findIndex((s) => s.from <= at && at < s.to);
    return i >= 0 ? i : this.spans.length - 1;
  }

  private choose(i: number): void {
    const s = this.spans[i];
    if (!s) return;
    // The newest span grows with the clock: following it means choosing "the newest", not a moment.
    this.chosenAt = i === this.spans.length - 1 ? null : s.to - 1;
  }

  private async chooseAndFocus(i: number): Promise<void> {
    this.choose(i);
    this.announce = '';
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.seg[aria-selected="true"]')?.focus();
  }

  private onKey = (e: KeyboardEvent) => {
    const last = this.spans.length - 1;
    const i = this.selectedIndex;
    const to = ({ ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: last } as Record<string, number>)[e.key];
    if (to === undefined) return;
    e.preventDefault();
    void this.chooseAndFocus(Math.max(0, Math.min(last, to)));
  };

  /** Focus stays on the chosen span: when a new span arrives while following the newest, or the window slides. */
  protected updated(): void {
    if (!this.focusInBar) return;
    const chosen = this.renderRoot.querySelector<HTMLElement>('.seg[aria-selected="true"]');
    if (chosen && this.shadowRoot!.activeElement !== chosen) chosen.focus();
  }

  private step(by: number): void {
    const to = this.selectedIndex + by;
    // At either end the button stays focusable (aria-disabled) and does nothing.
    if (to < 0 || to > this.spans.length - 1) return;
    this.choose(to);
    const v = this.view;
    const s = this.spans[this.selectedIndex];
    this.announce = s && v.kind !== 'unavailable' ? spanWords(s, v.end, v.asOf) : '';
  }

  render() {
    const v = this.view;
    if (v.kind === 'unavailable') {
      return html`<p class="unavailable" role="status"><state-badge state="unknown"></state-badge>
        <span>${v.loading ? v.reason : `History unavailable. ${v.reason}`}</span></p>`;
    }
    const spans = this.spans;
    const sel = this.selectedIndex;
    const chosen = spans[sel];
    const present = new Set(spans.map((s) => s.state));
    return html`<div class=${v.kind === 'stale' ? 'stale' : ''}>
      ${v.kind === 'stale' ? html`<p class="stale-note" role="status"><oc-icon .icon=${Clock}></oc-icon>
        <span>Stale: the last known history, as of ${formatClock(v.asOf)} — ${v.reason}.</span></p>` : nothing}
      <p class="summary" id="summary">${summaryWords(spans, v.end)}</p>
      <div class="bar" role="listbox" aria-orientation="horizontal" aria-describedby="summary" @keydown=${this.onKey}
        aria-label="The webhook link's states over the last 24 hours, oldest first: ${spans.length} span${spans.length === 1 ? '' : 's'}. Arrow keys move between them.">
        ${repeat(spans, (s) => s.from, (s, i) => {
          const words = spanWords(s, v.end, v.asOf);
          return html`<span class="seg p-${s.state}" role="option" style="--grow:${(s.to - s.from) / 60_000};--n:${spans.length}"
            data-state=${s.state} data-ms=${s.to - s.from} tabindex=${i === sel ? 0 : -1} aria-selected=${i === sel ? 'true' : 'false'}
            aria-label=${words} title=${words} @click=${() => void this.chooseAndFocus(i)}><span class="word" aria-hidden="true">${stripWord(s.state)}</span></span>`;
        })}
      </div>
      <div class="axis" aria-hidden="true"><span>${timeWords(v.end - HISTORY_WINDOW_MS, v.end)}</span><span class="mid">12 h ago</span>
        <span class="end">${v.kind === 'stale' ? `as of ${formatClock(v.end)}` : 'now'}</span></div>
      <div class="detail">
        <button class="step prev" type="button" aria-label="Earlier span" aria-disabled=${sel <= 0 ? 'true' : 'false'} @click=${() => this.step(-1)}>
          <oc-icon .icon=${ChevronLeft}></oc-icon></button>
        <p class="line t-${chosen ? this.tone(chosen.state) : 'calm'}" aria-hidden="true">${chosen
          ? html`<oc-icon .icon=${iconOf(chosen.state)}></oc-icon><span>${spanWords(chosen, v.end, v.asOf)}</span>` : nothing}</p>
        <button class="step next" type="button" aria-label="Later span" aria-disabled=${sel >= spans.length - 1 ? 'true' : 'false'} @click=${() => this.step(1)}>
          <oc-icon .icon=${ChevronRight}></oc-icon></button>
        <span class="vh" aria-live="polite">${this.announce}</span>
      </div>
      <ul class="legend" aria-label="Legend">
        ${LEGEND.filter((s) => s !== 'none' || present.has('none')).map((s) => html`<li data-legend=${s}>
          <span class="swatch p-${s}" aria-hidden="true"></span><oc-icon class="t-${this.tone(s)}" .icon=${iconOf(s)}></oc-icon>${stripWord(s)}</li>`)}
      </ul>
    </div>`;
  }

  private tone(s: StripState): string {
    return s === 'none' ? 'calm' : stateLook(s).tone;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'uptime-strip': UptimeStrip }
}
