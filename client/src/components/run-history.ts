// Recent runs, newest first, with agent/status filters: each row links to its run, and a failed run links
// straight to its error log lines. The page fetches; filter changes go up as `run-filter-change`.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { ScrollText } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { formatClock, formatDuration, formatRelative } from '../app/time-format.js';
import { displayState, isFailed, isOpen, RUN_STATUS_FILTERS, type RunFilter, type RunSummary } from '../pages/agents-data.js';
import './state-badge.js';
import './oc-icon.js';

export type RunFilterDetail = RunFilter;

/** Link to a run; `errors` opens it on its error lines. */
export function runHref(runId: string, errors = false): string {
  return `/agents/runs/${encodeURIComponent(runId)}${errors ? '?log=errors' : ''}`;
}

@customElement('run-history')
export class RunHistory extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: block; min-width: 0; }
    form { display: flex; gap: 0.5rem; flex-wrap: wrap; margin-bottom: 0.6rem; }
    label { display: grid; gap: 0.15rem; font-size: 0.75rem; color: var(--oc-fg-muted); flex: 1 1 9rem; }
    select { min-height: var(--oc-tap); border-radius: 8px; border: 1px solid var(--oc-border); background: var(--oc-surface);
      color: var(--oc-fg); font: inherit; font-size: 0.9rem; padding: 0 0.5rem; }
    ul { list-style: none; margin: 0; padding: 0; }
    li { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 0.2rem 0.6rem; padding: 0.55rem 0.2rem;
      border-top: 1px solid var(--oc-border); align-items: center; }
    .what { display: flex; align-items: center; gap: 0.5rem; flex-wrap: wrap; min-width: 0; }
    .what a { color: var(--oc-fg); font-weight: 600; min-height: 2rem; display: inline-flex; align-items: center; overflow-wrap: anywhere; }
    .meta { grid-column: 1 / -1; display: flex; gap: 0.3rem 0.9rem; flex-wrap: wrap; font-size: 0.8rem; color: var(--oc-fg-muted);
      font-variant-numeric: tabular-nums; }
    .errors { display: inline-flex; align-items: center; gap: 0.3rem; color: var(--oc-bad); font-weight: 600; font-size: 0.85rem;
      min-height: var(--oc-tap); padding: 0 0.4rem; --oc-icon-size: 1em; }
    .error-text { grid-column: 1 / -1; color: var(--oc-bad); font-size: 0.8rem; overflow-wrap: anywhere; }
    .empty { color: var(--oc-fg-muted); margin: 0.4rem 0; }
    .more { min-height: var(--oc-tap); margin-top: 0.5rem; padding: 0 1rem; border-radius: 8px; border: 1px solid var(--oc-border);
      background: var(--oc-surface); color: var(--oc-fg); font: inherit; cursor: pointer; }
    :host([stale]) ul { opacity: 0.65; }
  `];

  @property({ attribute: false }) runs: RunSummary[] = [];
  /** Agent names for the filter. */
  @property({ attribute: false }) agentNames: string[] = [];
  @property({ attribute: false }) filter: RunFilter = { agent: '', status: '' };
  @property({ type: Boolean }) hasMore = false;
  @property({ type: Boolean }) loading = false;
  @property({ type: Boolean, reflect: true }) stale = false;
  @property({ attribute: false }) now = Date.now();

  render() {
    return html`<form @change=${this.onChange} @submit=${(e: Event) => e.preventDefault()}>
        <label>Agent<select name="agent" .value=${this.filter.agent}>
          <option value="" ?selected=${!this.filter.agent}>All agents</option>
          ${this.agentNames.map((n) => html`<option value=${n} ?selected=${n === this.filter.agent}>${n}</option>`)}</select></label>
        <label>Status<select name="status" .value=${this.filter.status}>
          <option value="" ?selected=${!this.filter.status}>Any status</option>
          ${RUN_STATUS_FILTERS.map((s) => html`<option value=${s} ?selected=${s === this.filter.status}>${s}</option>`)}</select></label>
      </form>
      ${this.runs.length === 0
        ? html`<p class="empty">${this.loading ? 'Loading runs…' : 'No runs match these filters.'}</p>`
        : html`<ul>${this.runs.map((r) => this.renderRun(r))}</ul>`}
      ${this.hasMore ? html`<button class="more" type="button" ?disabled=${this.loading}
        @click=${() => this.dispatchEvent(new CustomEvent('runs-more', { bubbles: true, composed: true }))}>${this.loading ? 'Loading…' : 'Load older runs'}</button>` : nothing}`;
  }

  private renderRun(r: RunSummary) {
    const started = r.startedAt ?? r.queuedAt;
    const open = isOpen(r.status);
    const seconds = r.durationMs !== null && r.durationMs !== undefined ? r.durationMs / 1000
      : started && open ? (this.now - Date.parse(started)) / 1000 : null;
    const failed = isFailed(r.status);
    return html`<li data-run=${r.runId}>
      <div class="what"><state-badge state=${displayState(r.status, r.degraded)}></state-badge>
        <a href=${runHref(r.runId)}>${r.agent}</a></div>
      ${failed ? html`<a class="errors" href=${runHref(r.runId, true)}><oc-icon .icon=${ScrollText}></oc-icon>error lines</a>` : html`<span></span>`}
      <div class="meta">
        <span>${started ? html`${formatClock(started)} (${formatRelative(started, this.now)})` : 'not started'}</span>
        <span>${open ? 'running for ' : ''}${formatDuration(seconds)}</span>
        ${r.progress ? html`<span>${r.progress.done} / ${r.progress.total}${r.progress.label ? ` ${r.progress.label}` : ''}</span>` : nothing}
        ${r.trigger ? html`<span>${r.trigger.kind}${r.trigger.by ? ` by ${r.trigger.by}` : ''}</span>` : nothing}
      </div>
      ${failed && r.error?.message ? html`<div class="error-text">${r.error.message}</div>` : nothing}
    </li>`;
  }

  private onChange = (e: Event) => {
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const filter: RunFilter = { agent: String(data.get('agent') ?? ''), status: String(data.get('status') ?? '') };
    this.filter = filter;
    this.dispatchEvent(new CustomEvent<RunFilterDetail>('run-filter-change', { detail: filter, bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap { 'run-history': RunHistory }
}
