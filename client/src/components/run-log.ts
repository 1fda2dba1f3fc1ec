// A run's log as a virtualised stream: lines are appended by seq (rows already drawn are kept, never redrawn
// from the start), the view follows the tail until the user scrolls up, then offers "N new lines — jump to latest".
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { virtualize } from '@lit-labs/virtualizer/virtualize.js';
import { ArrowDown } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { formatClock } from '../app/time-format.js';
import type { LogLine } from '../pages/agents-data.js';
import { TailFollowController } from './tail-follow-controller.js';
import './oc-icon.js';

function lowerBound(lines: readonly LogLine[], seq: number): number {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lines[mid]!.seq < seq) lo = mid + 1; else hi = mid;
  }
  return lo;
}
const isError = (l: LogLine) => l.level === 'error';

@customElement('run-log')
export class RunLog extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: flex; flex-direction: column; min-width: 0; position: relative; }
    .bar { display: flex; align-items: center; gap: 0.4rem; flex-wrap: wrap; margin-bottom: 0.4rem; }
    .bar button, .jump { min-height: var(--oc-tap); padding: 0 0.8rem; border-radius: 8px; border: 1px solid var(--oc-border);
      background: var(--oc-surface); color: var(--oc-fg); font: inherit; font-size: 0.85rem; cursor: pointer; }
    .bar button[aria-pressed='true'] { border-color: var(--oc-accent); box-shadow: inset 0 -3px 0 var(--oc-accent); font-weight: 600; }
    .bar .note { color: var(--oc-fg-muted); font-size: 0.8rem; margin-left: auto; }
    .scroller { height: var(--run-log-height, min(60vh, 36rem)); min-height: 12rem; overflow: auto; scrollbar-gutter: stable; border: 1px solid var(--oc-border);
      border-radius: var(--oc-radius); background: var(--oc-surface); font-family: var(--oc-mono); font-size: 0.8rem; }
    .line { display: grid; grid-template-columns: auto 3.6rem minmax(0, 1fr); gap: 0.6rem; padding: 0.15rem 0.6rem; width: 100%;
      box-sizing: border-box; line-height: 1.45; }
    .line time { color: var(--oc-fg-muted); font-variant-numeric: tabular-nums; }
    .level { font-weight: 700; text-transform: uppercase; font-size: 0.72rem; padding-top: 0.1rem; }
    .msg { white-space: pre-wrap; overflow-wrap: anywhere; }
    .lvl-error { background: var(--oc-bad-bg); } .lvl-error .level { color: var(--oc-bad); }
    .lvl-warn .level { color: var(--oc-warn); } .lvl-info .level { color: var(--oc-accent); }
    .lvl-debug .level, .lvl-debug .msg { color: var(--oc-fg-muted); }
    .empty { position: absolute; margin: 3.6rem 0 0 0.8rem; z-index: 1; padding: 0.4rem; pointer-events: none; color: var(--oc-fg-muted); font-family: var(--oc-font); }
    .jump { position: absolute; right: 1rem; bottom: 1rem; display: inline-flex; align-items: center; gap: 0.35rem;
      background: var(--oc-accent); color: var(--oc-bg); border-color: var(--oc-accent); font-weight: 600;
      box-shadow: 0 2px 8px rgba(0, 0, 0, 0.25); }
  `];

  /** Show only error lines (one tap from a failed run to its cause). */
  @property({ type: Boolean, attribute: 'errors-only', reflect: true }) errorsOnly = false;
  /** A word on the state of the stream (loading, history unavailable…), shown above it. */
  @property() note = '';

  @state() private items: LogLine[] = [];

  @query('.scroller') private scrollerEl?: HTMLElement | null;
  readonly #follow = new TailFollowController(this, () => this.scrollerEl);

  #all: LogLine[] = [];
  #errors: LogLine[] = [];
  #seqs = new Set<number>();
  #dirty = false;

  /** False once the user scrolled up: new lines are counted instead of scrolled to. */
  get following(): boolean { return this.#follow.following; }
  get unseen(): number { return this.#follow.unseen; }

  /** Every line held, in seq order. */
  get lines(): readonly LogLine[] { return this.#all; }
  get lastSeq(): number | null { return this.#all.length ? this.#all[this.#all.length - 1]!.seq : null; }
  get errorCount(): number { return this.#errors.length; }

  /** Adds lines (any order, duplicates by seq ignored); returns how many were new. */
  addLines(lines: readonly LogLine[]): number {
    let added = 0;
    let addedShown = 0;
    for (const line of lines) {
      if (typeof line?.seq !== 'number' || this.#seqs.has(line.seq)) continue;
      this.#seqs.add(line.seq);
      added += 1;
      const last = this.#all[this.#all.length - 1];
      if (!last || last.seq < line.seq) this.#all.push(line);
      else this.#all.splice(lowerBound(this.#all, line.seq), 0, line);
      if (isError(line)) {
        const lastError = this.#errors[this.#errors.length - 1];
        if (!lastError || lastError.seq < line.seq) this.#errors.push(line);
        else this.#errors.splice(lowerBound(this.#errors, line.seq), 0, line);
      }
      if (!this.errorsOnly || isError(line)) addedShown += 1;
    }
    if (added > 0) {
      this.#follow.countArrived(addedShown);
      this.#dirty = true;
      this.requestUpdate();
    }
    return added;
  }

  /** Forgets every line (another run). */
  clear(): void {
    this.#all = [];
    this.#errors = [];
    this.#seqs.clear();
    this.#follow.setFollowing(true);
    this.#dirty = true;
    this.requestUpdate();
  }

  /** Back to the tail, following again. */
  jumpToLatest(): Promise<void> {
    return this.#follow.jumpToLatest();
  }

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    // A new array only when lines changed: the virtualizer keys rows by seq, so drawn rows stay as they are.
    if (this.#dirty || changed.has('errorsOnly')) {
      this.items = (this.errorsOnly ? this.#errors : this.#all).slice();
      this.#dirty = false;
    }
    if (changed.has('errorsOnly') && changed.get('errorsOnly') !== undefined) this.#follow.setFollowing(!this.errorsOnly);
  }

  protected updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('items') && this.following) this.#follow.scrollToEndSoon();
    // The error view starts at the first error (the cause usually comes first), not at the end.
    if (changed.has('errorsOnly') && this.errorsOnly) this.#follow.scrollToStart();
  }

  render() {
    const count = this.#all.length;
    return html`<div class="bar" role="toolbar" aria-label="Log view">
        <button type="button" aria-pressed=${String(!this.errorsOnly)} @click=${() => { this.errorsOnly = false; }}>All lines (${count})</button>
        <button type="button" class="errors" aria-pressed=${String(this.errorsOnly)} @click=${() => { this.errorsOnly = true; }}>Errors (${this.#errors.length})</button>
        <span class="note" role="status">${this.note || (this.following ? 'following the latest lines' : 'paused — scrolled up')}</span>
      </div>
      ${this.items.length === 0 ? html`<div class="empty">${this.errorsOnly ? 'No error lines.' : 'No log lines yet.'}</div>` : nothing}
      <div class="scroller" tabindex="0" role="log" aria-live="off" aria-label="Log lines" @scroll=${this.#follow.onScroll}
        @rangeChanged=${this.#follow.onLayout} @visibilityChanged=${this.#follow.onLayout}>
        ${virtualize({ items: this.items, keyFunction: (l: LogLine) => l.seq, renderItem: (l: LogLine) => this.renderLine(l), scroller: true })}
      </div>
      ${!this.following ? html`<button type="button" class="jump" @click=${() => this.jumpToLatest()}>
        <oc-icon .icon=${ArrowDown}></oc-icon>${this.#follow.jumpLabel}</button>` : nothing}`;
  }

  private renderLine(l: LogLine) {
    const level = String(l.level || 'info');
    return html`<div class="line lvl-${level}" data-seq=${l.seq}><time datetime=${l.ts}>${formatClock(l.ts)}</time>
      <span class="level">${level}</span><span class="msg">${l.message}</span></div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'run-log': RunLog }
}
