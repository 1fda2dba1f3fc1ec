// The webhook's events as they arrive, newest first, in a virtualised list (only rows in view are in the DOM).
// Scrolling away from the top pauses the feed: new events are held and counted until the reader goes back up
// (or presses "Show N new"); the Pause button does the same on purpose. Each event's kind is said in words with
// an icon; message texts never reach the dashboard, only their lengths.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { virtualize } from '@lit-labs/virtualizer/virtualize.js';
import { ArrowUp, Pause, Play, History } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { formatClock } from '../app/time-format.js';
import { eventDetail, eventTitle, mergeEvents, type WebhookEvent } from '../pages/webhook-data.js';
import { eventIcon, eventTone } from './webhook-event-look.js';
import './oc-icon.js';

/** Further from the top than this counts as "reading older events": the feed holds new ones. */
const TOP_SLACK_PX = 8;

@customElement('webhook-event-feed')
export class WebhookEventFeed extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: flex; flex-direction: column; gap: 0.5rem; min-width: 0; position: relative; }
    .bar { display: flex; align-items: center; gap: 0.5rem; flex-wrap: wrap; }
    .bar .count { font-size: 0.8rem; color: var(--oc-fg-muted); margin-right: auto; }
    .bar .count.held { color: var(--oc-warn); font-weight: 600; }
    button { display: inline-flex; align-items: center; gap: 0.35rem; min-height: var(--oc-tap); padding: 0 0.8rem; border-radius: 8px;
      border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg); font: inherit; font-size: 0.875rem; cursor: pointer; --oc-icon-size: 1em; }
    button.pause[aria-pressed='true'] { color: var(--oc-warn); border-color: var(--oc-warn); font-weight: 600; }
    .frame { position: relative; }
    .scroller { height: var(--feed-height, min(60vh, 36rem)); min-height: 12rem; overflow: auto; border: 1px solid var(--oc-border);
      border-radius: var(--oc-radius); background: var(--oc-surface); scrollbar-gutter: stable; }
    .row { display: grid; grid-template-columns: auto minmax(0, 1fr) auto; grid-template-areas: 'icon title time' 'icon detail seq';
      gap: 0.05rem 0.5rem; padding: 0.4rem 0.6rem; width: 100%; box-sizing: border-box; border-bottom: 1px solid var(--oc-surface-2); font-size: 0.85rem; }
    .row oc-icon { grid-area: icon; align-self: center; color: var(--oc-accent); --oc-icon-size: 1.2rem; }
    .row.bad { box-shadow: inset 3px 0 0 var(--oc-bad); } .row.bad oc-icon { color: var(--oc-bad); }
    .row.warn { box-shadow: inset 3px 0 0 var(--oc-warn); } .row.warn oc-icon { color: var(--oc-warn); }
    .title { grid-area: title; font-weight: 600; overflow-wrap: anywhere; }
    .detail { grid-area: detail; color: var(--oc-fg-muted); overflow-wrap: anywhere; font-size: 0.8rem; }
    time { grid-area: time; font-family: var(--oc-mono); color: var(--oc-fg-muted); white-space: nowrap; font-variant-numeric: tabular-nums; }
    .seq { grid-area: seq; font-family: var(--oc-mono); color: var(--oc-fg-muted); font-size: 0.75rem; text-align: right; }
    .empty { position: absolute; top: 0.8rem; left: 0.8rem; right: 0.8rem; color: var(--oc-fg-muted); pointer-events: none; margin: 0; }
    .float { position: absolute; top: 0.6rem; left: 50%; transform: translateX(-50%); border-color: var(--oc-accent); background: var(--oc-accent);
      color: var(--oc-bg); font-weight: 600; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.25); white-space: nowrap; z-index: 1; }
    .older { align-self: center; }
  `];

  /** Held on purpose (the Pause button); scrolling away from the top also holds. */
  @property({ type: Boolean, reflect: true }) paused = false;
  /** Whether older events can be asked for (`feed-load-older`). */
  @property({ type: Boolean }) hasOlder = false;
  @property({ type: Boolean }) loadingOlder = false;
  @property() emptyText = 'No events yet.';
  /** Keeps at most this many events (older ones can be loaded again). */
  @property({ type: Number }) maxEvents = 2000;

  @state() private items: WebhookEvent[] = [];
  /** The reader scrolled down to older events. */
  @state() scrolledAway = false;
  @state() private heldCount = 0;

  @query('.scroller') private scrollerEl?: HTMLElement | null;
  #held: WebhookEvent[] = [];

  get events(): readonly WebhookEvent[] { return this.items; }
  /** New events waiting while paused or scrolled away. */
  get held(): number { return this.#held.length; }
  get holding(): boolean { return this.paused || this.scrolledAway; }

  /** Replaces every event (history from the gateway, newest first). */
  setEvents(events: readonly WebhookEvent[]): void {
    this.#held = [];
    this.heldCount = 0;
    this.items = mergeEvents([], events, this.maxEvents);
  }

  /** Live events: shown at the top, or held (and counted) while the feed holds. Returns how many were new. */
  addEvents(events: readonly WebhookEvent[]): number {
    const known = new Set([...this.items, ...this.#held].map((e) => e.id));
    const fresh = events.filter((e) => e && typeof e.id === 'string' && !known.has(e.id));
    if (fresh.length === 0) return 0;
    if (this.holding) {
      this.#held = mergeEvents(this.#held, fresh, this.maxEvents);
      this.heldCount = this.#held.length;
    } else {
      this.items = mergeEvents(this.items, fresh, this.maxEvents);
    }
    return fresh.length;
  }

  /** Older events (a "load older" page), added at the end. */
  addOlder(events: readonly WebhookEvent[]): void {
    this.items = mergeEvents(this.items, events, Math.max(this.maxEvents, this.items.length + events.length));
  }

  /** Shows the held events and goes back to the top (the newest). */
  async showLatest(): Promise<void> {
    this.paused = false;
    this.scrolledAway = false;
    this.#release();
    await this.updateComplete;
    if (this.scrollerEl) this.scrollerEl.scrollTop = 0;
  }

  #release(): void {
    if (this.#held.length === 0) return;
    this.items = mergeEvents(this.items, this.#held, this.maxEvents);
    this.#held = [];
    this.heldCount = 0;
  }

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    if ((changed.has('paused') || changed.has('scrolledAway')) && !this.holding) this.#release();
  }

  render() {
    const n = this.heldCount;
    const countText = n > 0 ? `${n} new event${n === 1 ? '' : 's'} held` : `${this.items.length} event${this.items.length === 1 ? '' : 's'}`;
    return html`<div class="bar">
        <span class="count ${n > 0 ? 'held' : ''}" role="status" aria-live="polite">${countText}${this.holding ? (this.paused ? ' · paused' : ' · paused while you read') : ''}</span>
        <button type="button" class="pause" aria-pressed=${this.paused ? 'true' : 'false'} @click=${this.togglePause}>
          <oc-icon .icon=${this.paused ? Play : Pause}></oc-icon>${this.paused ? 'Resume' : 'Pause'}</button>
      </div>
      <div class="frame">
        ${this.items.length === 0 ? html`<p class="empty" role="status">${this.emptyText}</p>` : nothing}
        ${this.holding && n > 0 ? html`<button type="button" class="float" @click=${() => this.showLatest()}>
          <oc-icon .icon=${ArrowUp}></oc-icon>Show ${n} new</button>` : nothing}
        <div class="scroller" tabindex="0" role="list" aria-label="Webhook events, newest first" @scroll=${this.onScroll}>
          ${virtualize({ items: this.items, keyFunction: (e: WebhookEvent) => e.id, renderItem: (e: WebhookEvent) => this.renderRow(e), scroller: true })}
        </div>
      </div>
      ${this.hasOlder ? html`<button type="button" class="older" ?disabled=${this.loadingOlder}
        @click=${() => this.dispatchEvent(new CustomEvent('feed-load-older', { bubbles: true, composed: true }))}>
        <oc-icon .icon=${History}></oc-icon>${this.loadingOlder ? 'Loading…' : 'Load older events'}</button>` : nothing}`;
  }

  private renderRow(e: WebhookEvent) {
    const detail = eventDetail(e);
    return html`<div class="row ${eventTone(e)}" role="listitem" data-id=${e.id} data-type=${e.type}>
      <oc-icon .icon=${eventIcon(e)}></oc-icon>
      <span class="title">${eventTitle(e)}</span>
      <time datetime=${e.ts} title=${e.ts}>${formatClock(e.ts)}</time>
      <span class="detail">${detail}</span>
      <span class="seq">#${e.seq}</span>
    </div>`;
  }

  private togglePause = () => {
    if (this.paused) void this.showLatest();
    else this.paused = true;
  };

  private onScroll = () => {
    const el = this.scrollerEl;
    if (!el) return;
    const away = el.scrollTop > TOP_SLACK_PX;
    if (away !== this.scrolledAway) this.scrolledAway = away;
  };
}

declare global {
  interface HTMLElementTagNameMap { 'webhook-event-feed': WebhookEventFeed }
}
