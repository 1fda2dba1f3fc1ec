// One entry with the entries around it in its file (GET /api/logs/context): the entry itself marked, earlier
// and later entries a tap away, a link to copy, and the whole message (stack traces included).
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { ChevronDown, ChevronUp, Link, X } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { formatBytes } from '../app/time-format.js';
import { entryTime } from './log-list.js';
import type { ContextReply, LogHit } from '../pages/page-logs-data.js';
import './oc-icon.js';
import './log-level-badge.js';

export interface ContextMoreDetail { direction: 'before' | 'after' }

@customElement('log-context')
export class LogContext extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: block; min-width: 0; }
    header { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 0.6rem; margin-bottom: 0.5rem; }
    h3 { margin: 0; font-size: 1rem; flex: 1 1 100%; min-width: 0; }
    .src { font-weight: 400; color: var(--oc-fg-muted); font-size: 0.85rem; overflow-wrap: anywhere; }
    .file { display: block; font: 0.75rem var(--oc-mono); color: var(--oc-fg-muted); overflow-wrap: anywhere; font-weight: 400; }
    .btn { display: inline-flex; align-items: center; gap: 0.3rem; min-height: var(--oc-tap); padding: 0 0.7rem; border-radius: 8px;
      border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg); font: inherit; font-size: 0.85rem; cursor: pointer; }
    .btn.more { width: 100%; justify-content: center; margin: 0.3rem 0; }
    ol { list-style: none; margin: 0; padding: 0; max-height: var(--log-context-height, min(60vh, 36rem)); overflow: auto;
      border: 1px solid var(--oc-border); border-radius: var(--oc-radius); background: var(--oc-bg); }
    li { display: grid; grid-template-columns: auto auto minmax(0, 1fr); gap: 0.1rem 0.5rem; padding: 0.3rem 0.5rem; font-size: 0.8rem;
      border-bottom: 1px solid var(--oc-surface-2); align-items: start; }
    li.hit { background: var(--oc-surface-2); outline: 2px solid var(--oc-accent); outline-offset: -2px; }
    li.hit .tag { grid-column: 1 / -1; font-weight: 700; color: var(--oc-accent); font-size: 0.72rem; text-transform: uppercase; }
    time { color: var(--oc-fg-muted); font-family: var(--oc-mono); white-space: nowrap; }
    time.inferred { font-style: italic; }
    pre { grid-column: 1 / -1; margin: 0; font-family: var(--oc-mono); white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.45; }
    .edge { color: var(--oc-fg-muted); font-size: 0.8rem; text-align: center; padding: 0.3rem; }
    .error { color: var(--oc-bad); margin: 0; }
    .muted { color: var(--oc-fg-muted); margin: 0; }
    @media (min-width: 600px) { pre { grid-column: 3; } }
  `];

  @property({ attribute: false }) data: ContextReply | null = null;
  @property({ type: Boolean }) loading = false;
  @property() error = '';
  /** The entry asked for (shown while loading, and what "Copy link" links to). */
  @property({ attribute: false }) hit: Pick<LogHit, 'file' | 'offset'> | null = null;

  protected updated(changed: Map<PropertyKey, unknown>): void {
    // Bring the entry itself into view inside the list (not the page).
    if (changed.has('data') && this.data) {
      const list = this.renderRoot.querySelector<HTMLElement>('ol');
      const hit = this.renderRoot.querySelector<HTMLElement>('li.hit');
      if (list && hit) list.scrollTop = Math.max(0, hit.offsetTop - list.offsetTop - list.clientHeight / 3);
    }
  }

  render() {
    const d = this.data;
    const file = d?.file ?? this.hit?.file ?? '';
    return html`<header>
        <h3>Context${d ? html` <span class="src">· ${d.source}</span>` : nothing}<span class="file">${file}${this.hit ? ` @ byte ${this.hit.offset}` : ''}</span></h3>
        ${this.hit ? html`<button type="button" class="btn copy" @click=${this.copy}><oc-icon .icon=${Link}></oc-icon>Copy link</button>` : nothing}
        <button type="button" class="btn close" aria-label="Close context" @click=${() => this.emit('context-close')}><oc-icon .icon=${X}></oc-icon>Close</button>
      </header>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.loading && !d ? html`<p class="muted" role="status">Loading the entries around it…</p>` : nothing}
      ${d ? this.renderEntries(d) : nothing}`;
  }

  private renderEntries(d: ContextReply) {
    return html`
      ${d.hasBefore ? html`<button type="button" class="btn more before" ?disabled=${this.loading} @click=${() => this.more('before')}>
        <oc-icon .icon=${ChevronUp}></oc-icon>Earlier entries</button>` : html`<div class="edge">start of the file</div>`}
      <ol aria-label="Entries around the hit">
        ${d.entries.map((e, i) => html`<li class=${i === d.hitIndex ? 'hit' : ''} data-offset=${e.offset} aria-current=${i === d.hitIndex ? 'true' : 'false'}>
          ${i === d.hitIndex ? html`<span class="tag">this entry</span>` : nothing}
          <time datetime=${e.ts} class=${e.tsInferred ? 'inferred' : ''}>${e.tsInferred ? '~' : ''}${entryTime(e.ts)}</time>
          <log-level-badge .level=${e.level}></log-level-badge>
          <pre>${e.message}</pre>
        </li>`)}
      </ol>
      ${d.hasAfter ? html`<button type="button" class="btn more after" ?disabled=${this.loading} @click=${() => this.more('after')}>
        <oc-icon .icon=${ChevronDown}></oc-icon>Later entries</button>` : html`<div class="edge">end of the file${d.entries.length
          ? ` (${formatBytes(d.entries[d.entries.length - 1]!.offset + d.entries[d.entries.length - 1]!.length)} read)` : ''}</div>`}`;
  }

  private more(direction: 'before' | 'after'): void {
    this.dispatchEvent(new CustomEvent<ContextMoreDetail>('context-more', { detail: { direction }, bubbles: true, composed: true }));
  }

  private copy = () => {
    if (this.hit) this.dispatchEvent(new CustomEvent('log-copy-link', { detail: { hit: this.hit }, bubbles: true, composed: true }));
  };

  private emit(type: string): void {
    this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'log-context': LogContext }
}
