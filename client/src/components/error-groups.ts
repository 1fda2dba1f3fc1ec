// Errors grouped by fingerprint (GET /api/logs/groups): most recent first, each with its count, when it was first
// and last seen, its sources, an hour-by-hour strip of the last 24 hours, and its recent occurrences on demand.
// Emits `group-toggle` {fingerprint}, `group-search` {q} and `log-open` {hit} (an occurrence).
import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { ChevronDown, ChevronRight, Search } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { formatClock, formatRelative } from '../app/time-format.js';
import { entryTime } from './log-list.js';
import type { ErrorGroup, Occurrence } from '../pages/page-logs-data.js';
import './oc-icon.js';
import './log-level-badge.js';

/** The text a group's search looks for: the sample's first line (cut to a searchable length). */
export function groupSearchText(g: ErrorGroup): string {
  return (g.sample.split('\n')[0] ?? '').trim().slice(0, 200);
}

@customElement('error-groups')
export class ErrorGroups extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: block; min-width: 0; }
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.5rem; }
    li.group { border: 1px solid var(--oc-border); border-left: 4px solid var(--oc-bad); border-radius: 8px; padding: 0.5rem 0.6rem; min-width: 0;
      background: var(--oc-surface); }
    .head { display: flex; flex-wrap: wrap; align-items: center; gap: 0.3rem 0.5rem; }
    .count { font-weight: 700; font-variant-numeric: tabular-nums; }
    .when { color: var(--oc-fg-muted); font-size: 0.8rem; }
    .tpl { font: 0.8rem/1.45 var(--oc-mono); margin: 0.3rem 0; white-space: pre-wrap; overflow-wrap: anywhere;
      display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 3; overflow: hidden; }
    .frame { font: 0.75rem var(--oc-mono); color: var(--oc-fg-muted); overflow-wrap: anywhere; margin: 0 0 0.3rem; }
    .foot { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem; }
    .sources { color: var(--oc-fg-muted); font-size: 0.8rem; overflow-wrap: anywhere; flex: 1 1 8rem; }
    svg.hours { width: 96px; height: 20px; flex: none; color: var(--oc-bad); }
    .btn { display: inline-flex; align-items: center; gap: 0.3rem; min-height: var(--oc-tap); padding: 0 0.65rem; border-radius: 8px;
      border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg); font: inherit; font-size: 0.85rem; cursor: pointer; }
    ol.occ { list-style: none; margin: 0.4rem 0 0; padding: 0; display: grid; gap: 0.1rem; max-height: 14rem; overflow: auto; }
    ol.occ a { display: flex; gap: 0.5rem; min-height: 2.2rem; align-items: center; color: var(--oc-accent); font-size: 0.8rem; overflow-wrap: anywhere; }
    .muted { color: var(--oc-fg-muted); margin: 0; }
    .error { color: var(--oc-bad); margin: 0; }
  `];

  @property({ attribute: false }) groups: ErrorGroup[] = [];
  @property({ type: Boolean }) loading = false;
  @property() error = '';
  /** E.g. "still indexing 12 MB": shown above the list. */
  @property() note = '';
  /** The fingerprint whose occurrences are shown. */
  @property() expanded = '';
  @property({ attribute: false }) occurrences: Occurrence[] | null = null;
  @property({ attribute: false }) now = Date.now();

  render() {
    return html`${this.note ? html`<p class="muted" role="status">${this.note}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.loading && this.groups.length === 0 ? html`<p class="muted" role="status">Loading error groups…</p>` : nothing}
      ${!this.loading && !this.error && this.groups.length === 0 ? html`<p class="muted">No errors in this window.</p>` : nothing}
      <ul aria-label="Error groups">${this.groups.map((g) => this.renderGroup(g))}</ul>`;
  }

  private renderGroup(g: ErrorGroup) {
    const open = this.expanded === g.fingerprint;
    return html`<li class="group" data-fingerprint=${g.fingerprint}>
      <div class="head"><log-level-badge .level=${g.level ?? 'error'}></log-level-badge>
        <span class="count">${g.count.toLocaleString('en-IN')} ×</span>
        <span class="when">last seen ${formatRelative(g.lastSeen, this.now)} (${formatClock(g.lastSeen)}) · first ${formatRelative(g.firstSeen, this.now)}</span></div>
      <p class="tpl">${g.template}</p>
      ${g.topFrame ? html`<p class="frame">${g.topFrame}</p>` : nothing}
      <div class="foot">
        ${this.renderHours(g.hourly)}
        <span class="sources">${g.sources.join(', ')}</span>
        <button type="button" class="btn search" @click=${() => this.emit('group-search', { q: groupSearchText(g) })}>
          <oc-icon .icon=${Search}></oc-icon>Search</button>
        <button type="button" class="btn toggle" aria-expanded=${String(open)} @click=${() => this.emit('group-toggle', { fingerprint: open ? '' : g.fingerprint })}>
          <oc-icon .icon=${open ? ChevronDown : ChevronRight}></oc-icon>Occurrences</button>
      </div>
      ${open ? this.renderOccurrences() : nothing}
    </li>`;
  }

  private renderOccurrences() {
    if (this.occurrences === null) return html`<p class="muted" role="status">Loading occurrences…</p>`;
    if (this.occurrences.length === 0) return html`<p class="muted">No occurrences kept.</p>`;
    return html`<ol class="occ" aria-label="Recent occurrences">${this.occurrences.map((o) => html`<li>
      <a href="/logs?${new URLSearchParams({ file: o.file, offset: String(o.offset) })}" @click=${(e: MouseEvent) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey) return;
        e.preventDefault();
        this.emit('log-open', { hit: { ...o, level: null, message: '', length: 0 } });
      }}><span>${entryTime(o.ts, this.now)}</span><span>${o.source}</span></a></li>`)}</ol>`;
  }

  /** 24 bars, oldest first; the label reads the counts out. */
  private renderHours(hourly: number[]) {
    const max = Math.max(1, ...hourly);
    const total = hourly.reduce((a, b) => a + b, 0);
    return html`<svg class="hours" viewBox="0 0 96 20" role="img" aria-label="${total} in the last 24 hours, hour by hour: ${hourly.join(', ')}">
      ${hourly.map((n, i) => svg`<rect x=${i * 4} y=${20 - (n / max) * 20} width="3" height=${n === 0 ? 0.5 : (n / max) * 20} fill="currentColor" opacity=${n === 0 ? 0.35 : 1}></rect>`)}
    </svg>`;
  }

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'error-groups': ErrorGroups }
}
