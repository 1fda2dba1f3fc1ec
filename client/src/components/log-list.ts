// Log entries as a virtualised list (only the rows in view are in the DOM, so 10,000+ lines stay smooth).
// Search results come newest first; in tail mode lines are appended at the end (rows already drawn are kept),
// the view follows the newest line until the user scrolls up, and while paused new lines are held and counted.
// Keyboard: j/k or arrows move between entries, Enter or o opens the active one with its context.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { virtualize, virtualizerRef, type VirtualizerHostElement } from '@lit-labs/virtualizer/virtualize.js';
import { ArrowDown, Link, ListTree, Pause } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { getBusinessTimeZone } from '../app/time-format.js';
import { hitKey, type LogHit } from '../pages/page-logs-data.js';
import { TailFollowController } from './tail-follow-controller.js';
import './oc-icon.js';
import './log-level-badge.js';

/** A message longer than this is cut in the list (the context view shows it whole). */
const ROW_TEXT_MAX = 2000;

export interface LogOpenDetail { hit: LogHit }

let dayFormat: Intl.DateTimeFormat | null = null;
let clockFormat: Intl.DateTimeFormat | null = null;
let formatZone = '';
/** "14:02:11" for today (business zone), "3 Jan 14:02:11" for another day. */
export function entryTime(ts: string, now: number = Date.now()): string {
  const ms = Date.parse(ts);
  if (!Number.isFinite(ms)) return '—';
  const zone = getBusinessTimeZone();
  if (!dayFormat || formatZone !== zone) {
    formatZone = zone;
    dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: zone, day: 'numeric', month: 'short' });
    clockFormat = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  }
  const clock = clockFormat!.format(ms);
  const day = dayFormat.format(ms);
  return day === dayFormat.format(now) ? clock : `${day} ${clock}`;
}

/** The last part of a path ("api-out.log"): what tells entries of one source apart in a row. */
export function fileName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1) || file;
}

/** Splits text around the matches of the query, for highlighting (case-insensitive unless asked). */
export function matchParts(text: string, q: string, regex: boolean, caseSensitive: boolean): Array<{ text: string; hit: boolean }> {
  if (!q) return [{ text, hit: false }];
  let re: RegExp;
  try {
    re = new RegExp(regex ? q : q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), caseSensitive ? 'g' : 'gi');
  } catch {
    return [{ text, hit: false }];
  }
  const parts: Array<{ text: string; hit: boolean }> = [];
  let last = 0;
  for (let m = re.exec(text), n = 0; m && n < 50; m = re.exec(text), n += 1) {
    if (m[0] === '') { re.lastIndex += 1; continue; }
    if (m.index > last) parts.push({ text: text.slice(last, m.index), hit: false });
    parts.push({ text: m[0], hit: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), hit: false });
  return parts;
}

@customElement('log-list')
export class LogList extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: flex; flex-direction: column; min-width: 0; position: relative; }
    .scroller { height: var(--log-list-height, min(62vh, 40rem)); min-height: 12rem; overflow: auto; scrollbar-gutter: stable;
      border: 1px solid var(--oc-border); border-radius: var(--oc-radius); background: var(--oc-surface); font-size: 0.8rem; }
    .row { display: grid; grid-template-columns: auto auto minmax(0, 1fr) auto; grid-template-areas: 'time level source actions' 'msg msg msg msg';
      gap: 0.1rem 0.5rem; padding: 0.25rem 0.5rem; width: 100%; box-sizing: border-box; border-bottom: 1px solid var(--oc-surface-2);
      align-items: center; cursor: pointer; }
    .row.lvl-error, .row.lvl-fatal { box-shadow: inset 3px 0 0 var(--oc-bad); }
    .row.lvl-warn { box-shadow: inset 3px 0 0 var(--oc-warn); }
    .row.active { background: var(--oc-surface-2); outline: 2px solid var(--oc-accent); outline-offset: -2px; }
    time { grid-area: time; color: var(--oc-fg-muted); font-family: var(--oc-mono); font-variant-numeric: tabular-nums; white-space: nowrap; }
    time.inferred { font-style: italic; }
    log-level-badge { grid-area: level; }
    .source { grid-area: source; color: var(--oc-fg-muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: 0.75rem; }
    .actions { grid-area: actions; display: flex; gap: 0.2rem; }
    .actions button { display: inline-flex; align-items: center; gap: 0.25rem; min-height: 2rem; min-width: 2rem; padding: 0 0.45rem; border-radius: 6px;
      border: 1px solid transparent; background: transparent; color: var(--oc-fg-muted); font: inherit; font-size: 0.75rem; cursor: pointer; }
    .row.active .actions button, .actions button:hover, .actions button:focus-visible { border-color: var(--oc-border); color: var(--oc-fg); }
    @media (max-width: 599px) { .actions .word { display: none; } }
    .msg { grid-area: msg; font-family: var(--oc-mono); white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.45; margin: 0;
      display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 4; overflow: hidden; }
    mark { background: var(--oc-warn-bg); color: inherit; outline: 1px solid var(--oc-warn); border-radius: 2px; }
    @media (min-width: 900px) {
      .row { grid-template-columns: 5.2rem auto 9rem minmax(0, 1fr) auto; grid-template-areas: 'time level source msg actions'; align-items: start; }
      .actions { opacity: 0.75; }
    }
    .empty { position: absolute; margin: 0.8rem 0 0 0.8rem; z-index: 1; pointer-events: none; color: var(--oc-fg-muted); font-family: var(--oc-font); }
    .float { position: absolute; right: 1rem; bottom: 1rem; display: inline-flex; align-items: center; gap: 0.35rem; min-height: var(--oc-tap);
      padding: 0 0.9rem; border-radius: 8px; border: 1px solid var(--oc-accent); background: var(--oc-accent); color: var(--oc-bg);
      font: inherit; font-weight: 600; cursor: pointer; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.25); }
    .float.paused { background: var(--oc-warn-bg); color: var(--oc-fg); border-color: var(--oc-warn); }
  `];

  /** `search`: newest first, as the gateway returns them. `tail`: appended at the end, following the newest. */
  @property({ reflect: true }) mode: 'search' | 'tail' = 'search';
  /** Tail only: lines that arrive are held (and counted) instead of shown. */
  @property({ type: Boolean, reflect: true }) paused = false;
  /** What to say when there are no entries. */
  @property() emptyText = 'No entries.';
  /** The query, for highlighting matches. */
  @property() highlight = '';
  @property({ type: Boolean }) highlightRegex = false;
  @property({ type: Boolean }) highlightCase = false;
  /** Tail only: the oldest lines are let go beyond this many (search to find them again). */
  @property({ type: Number }) maxLines = 20_000;

  @state() private items: LogHit[] = [];
  @state() activeIndex = -1;
  @state() private pendingCount = 0;

  @query('.scroller') private scrollerEl?: HTMLElement | null;
  readonly #follow = new TailFollowController(this, () => this.scrollerEl, () => this.mode === 'tail');

  #all: LogHit[] = [];
  #keys = new Set<string>();
  #pending: LogHit[] = [];
  #dirty = false;

  /** False once the user scrolled up in tail mode: new lines are counted instead of scrolled to. */
  get following(): boolean { return this.#follow.following; }
  get unseen(): number { return this.#follow.unseen; }
  get lines(): readonly LogHit[] { return this.#all; }
  /** Tail lines held while paused. */
  get pending(): number { return this.#pending.length; }
  get active(): LogHit | null { return this.#all[this.activeIndex] ?? null; }

  /** Replaces every entry (a new search). */
  setLines(lines: readonly LogHit[]): void {
    this.#all = [];
    this.#keys.clear();
    this.#pending = [];
    this.pendingCount = 0;
    this.#follow.setFollowing(true);
    this.activeIndex = -1;
    this.#append(lines);
    this.#dirty = true;
    this.requestUpdate();
    if (this.scrollerEl) this.scrollerEl.scrollTop = 0;
  }

  /** Appends entries at the end (an older page of hits, or new tail lines); duplicates are ignored. Returns how many were new. */
  addLines(lines: readonly LogHit[]): number {
    if (this.paused && this.mode === 'tail') {
      let held = 0;
      for (const l of lines) {
        if (this.#keys.has(hitKey(l))) continue;
        this.#pending.push(l);
        held += 1;
      }
      if (this.#pending.length > this.maxLines) this.#pending.splice(0, this.#pending.length - this.maxLines);
      this.pendingCount = this.#pending.length;
      return held;
    }
    const added = this.#append(lines);
    if (added > 0) {
      if (this.mode === 'tail') this.#follow.countArrived(added);
      this.#dirty = true;
      this.requestUpdate();
    }
    return added;
  }

  clear(): void {
    this.setLines([]);
  }

  #append(lines: readonly LogHit[]): number {
    let added = 0;
    for (const l of lines) {
      const key = hitKey(l);
      if (this.#keys.has(key)) continue;
      this.#keys.add(key);
      this.#all.push(l);
      added += 1;
    }
    if (this.mode === 'tail' && this.#all.length > this.maxLines) {
      const gone = this.#all.splice(0, this.#all.length - this.maxLines);
      for (const l of gone) this.#keys.delete(hitKey(l));
      if (this.activeIndex >= 0) this.activeIndex = Math.max(-1, this.activeIndex - gone.length);
    }
    return added;
  }

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('paused') && !this.paused && this.#pending.length) {
      const held = this.#pending;
      this.#pending = [];
      this.pendingCount = 0;
      this.#append(held);
      this.#dirty = true;
    }
    // A new array only when entries changed: rows are keyed by file+offset, so drawn rows stay as they are.
    if (this.#dirty) {
      this.items = this.#all.slice();
      this.#dirty = false;
    }
  }

  protected updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('items') && this.mode === 'tail' && this.following) this.#follow.scrollToEndSoon();
  }

  /** Moves the active entry by `delta` (j/k), scrolling it into view. */
  async move(delta: number): Promise<void> {
    if (this.#all.length === 0) return;
    const from = this.activeIndex < 0 ? (delta > 0 ? -1 : this.#all.length) : this.activeIndex;
    this.activeIndex = Math.min(this.#all.length - 1, Math.max(0, from + delta));
    if (this.mode === 'tail' && this.activeIndex < this.#all.length - 1 && this.following) this.#follow.setFollowing(false);
    await this.updateComplete;
    this.#reveal(this.activeIndex);
  }

  /** Opens the active entry (Enter / o). */
  openActive(): void {
    const hit = this.active;
    if (hit) this.#emitOpen(hit);
  }

  /** Makes the entry at `index` active and shows it. */
  async select(index: number): Promise<void> {
    this.activeIndex = index;
    await this.updateComplete;
    this.#reveal(index);
  }

  focusList(): void {
    this.scrollerEl?.focus();
  }

  jumpToLatest(): Promise<void> {
    return this.#follow.jumpToLatest();
  }

  #reveal(index: number): void {
    const host = this.scrollerEl as VirtualizerHostElement | null | undefined;
    const el = host?.[virtualizerRef]?.element(index);
    el?.scrollIntoView({ block: 'nearest' });
  }

  #emitOpen(hit: LogHit): void {
    this.dispatchEvent(new CustomEvent<LogOpenDetail>('log-open', { detail: { hit }, bubbles: true, composed: true }));
  }

  #emitCopy(hit: LogHit): void {
    this.dispatchEvent(new CustomEvent<LogOpenDetail>('log-copy-link', { detail: { hit }, bubbles: true, composed: true }));
  }

  private onKeyDown = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const origin = e.composedPath()[0] as HTMLElement | undefined;
    const onButton = origin?.tagName === 'BUTTON';
    if (e.key === 'j' || e.key === 'ArrowDown') { e.preventDefault(); void this.move(1); }
    else if (e.key === 'k' || e.key === 'ArrowUp') { e.preventDefault(); void this.move(-1); }
    else if (e.key === 'Home' && !onButton) { e.preventDefault(); void this.select(0); }
    else if (e.key === 'End' && !onButton) { e.preventDefault(); void this.select(this.#all.length - 1); }
    else if ((e.key === 'Enter' && !onButton) || e.key === 'o') { e.preventDefault(); this.openActive(); }
  };

  render() {
    const tail = this.mode === 'tail';
    return html`${this.items.length === 0 ? html`<div class="empty" role="status">${this.emptyText}</div>` : nothing}
      <div class="scroller" tabindex="0" role="list" aria-label=${tail ? 'Live log lines' : 'Search results'}
        aria-describedby="keys" @keydown=${this.onKeyDown} @scroll=${this.#follow.onScroll} @rangeChanged=${this.#follow.onLayout}>
        ${virtualize({ items: this.items, keyFunction: (h: LogHit) => hitKey(h), renderItem: (h: LogHit, i: number) => this.renderRow(h, i), scroller: true })}
      </div>
      <span id="keys" hidden>j and k move between entries, Enter opens one with its context.</span>
      ${this.renderFloat(tail)}`;
  }

  private renderFloat(tail: boolean) {
    if (!tail) return nothing;
    if (this.paused && this.pendingCount > 0) {
      return html`<button type="button" class="float paused" @click=${() => this.dispatchEvent(new CustomEvent('log-resume', { bubbles: true, composed: true }))}>
        <oc-icon .icon=${Pause}></oc-icon>Paused — ${this.pendingCount} new line${this.pendingCount === 1 ? '' : 's'}, resume</button>`;
    }
    if (!this.following) {
      return html`<button type="button" class="float" @click=${() => this.jumpToLatest()}><oc-icon .icon=${ArrowDown}></oc-icon>${this.#follow.jumpLabel}</button>`;
    }
    return nothing;
  }

  private renderRow(h: LogHit, i: number) {
    const active = i === this.activeIndex;
    const tab = active ? 0 : -1;
    const text = h.message.length > ROW_TEXT_MAX ? `${h.message.slice(0, ROW_TEXT_MAX)}…` : h.message;
    const parts = this.highlight ? matchParts(text, this.highlight, this.highlightRegex, this.highlightCase) : null;
    return html`<div class="row lvl-${h.level ?? 'unknown'} ${active ? 'active' : ''}" role="listitem" id="row-${i}" data-offset=${h.offset}
        aria-current=${active ? 'true' : 'false'} @click=${(e: Event) => this.onRowClick(e, i)} @dblclick=${() => this.#emitOpen(h)}>
      <time datetime=${h.ts} class=${h.tsInferred ? 'inferred' : ''} title=${h.tsInferred ? 'time taken from a later entry' : h.ts}>${h.tsInferred ? '~' : ''}${entryTime(h.ts)}</time>
      <log-level-badge .level=${h.level}></log-level-badge>
      <span class="source" title="${h.source} · ${h.file}">${fileName(h.file)}</span>
      <p class="msg">${parts ? parts.map((p) => (p.hit ? html`<mark>${p.text}</mark>` : p.text)) : text}</p>
      <span class="actions">
        <button type="button" class="open" tabindex=${tab} aria-label="Show context" title="Show context (Enter)" @click=${(e: Event) => { e.stopPropagation(); this.activeIndex = i; this.#emitOpen(h); }}>
          <oc-icon .icon=${ListTree}></oc-icon><span class="word">Context</span></button>
        <button type="button" class="copy" tabindex=${tab} aria-label="Copy link to this entry" title="Copy link" @click=${(e: Event) => { e.stopPropagation(); this.#emitCopy(h); }}>
          <oc-icon .icon=${Link}></oc-icon></button>
      </span>
    </div>`;
  }

  private onRowClick(e: Event, i: number): void {
    if ((e.target as HTMLElement).closest?.('button')) return;
    this.activeIndex = i;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'log-list': LogList }
}
