// PM2 processes, worst first, as a table (or cards when narrower than 700 px), with per-row actions for
// operators. Never an empty table for an unreachable PM2: that is said in words, with the error and since when.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { RotateCw, RefreshCw, Square, Play, ServerCrash, FileText } from 'lucide';
import type { IconNode } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { formatBytes, formatClock, formatDuration } from '../app/time-format.js';
import { stateSeverity } from './state-badge.js';
import './state-badge.js';
import './oc-icon.js';
import { processLogsHref } from '../app/log-links.js';

/** As the gateway's pm2-source reports it (docs/api.md, ProcessInfo). */
export interface ProcessInfo {
  name: string; pmId: number; status: string; cpu: number; memory: number; restarts: number;
  uptimeSeconds: number | null; pid: number | null; outLogPath?: string; errLogPath?: string;
  execPath?: string; mode?: 'fork' | 'cluster';
}
export type ProcessOp = 'restart' | 'reload' | 'stop' | 'start';
export interface ProcessActionDetail { name: string; op: ProcessOp }
/** up = list read; down = PM2 unreachable; unknown = nothing heard yet (loading). */
export type ProcessesState = 'up' | 'down' | 'unknown';

const OP_LOOK: Record<ProcessOp, { word: string; icon: IconNode }> = {
  restart: { word: 'Restart', icon: RotateCw },
  reload: { word: 'Reload', icon: RefreshCw },
  stop: { word: 'Stop', icon: Square },
  start: { word: 'Start', icon: Play },
};

/** Worst first (errored, stopped … online), then by name and instance. */
export function sortWorstFirst(processes: readonly ProcessInfo[]): ProcessInfo[] {
  return [...processes].sort((a, b) => stateSeverity(a.status) - stateSeverity(b.status)
    || a.name.localeCompare(b.name) || a.pmId - b.pmId);
}

/** Actions that make sense for a status: a running process can be restarted/reloaded/stopped, others started. */
export function opsFor(status: string): ProcessOp[] {
  if (status === 'online' || status === 'launching') return ['restart', 'reload', 'stop'];
  if (status === 'errored') return ['restart', 'start'];
  return ['start'];
}

const NARROW_PX = 700;

@customElement('process-table')
export class ProcessTable extends LitElement {
  static styles = [tokens, focusRing, css`
    :host { display: block; min-width: 0; }
    table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th, td { text-align: left; padding: 0.5rem 0.5rem; border-bottom: 1px solid var(--oc-border); vertical-align: middle; }
    th { font-size: 0.8rem; color: var(--oc-fg-muted); font-weight: 600; }
    td.num, th.num { text-align: right; white-space: nowrap; }
    .name { font-weight: 600; min-width: 8rem; overflow-wrap: break-word; }
    th.name { color: var(--oc-fg); font-size: inherit; }
    .name a { color: inherit; display: inline-flex; align-items: center; gap: 0.3rem; min-height: 2rem; --oc-icon-size: 0.9em; }
    .name a oc-icon { opacity: 0.6; }
    .instance { margin-left: 0.35rem; color: var(--oc-fg-muted); font-weight: 400; }
    .actions { display: flex; flex-wrap: wrap; gap: 0.35rem; }
    td .actions { flex-wrap: nowrap; }
    .scroll { overflow-x: auto; }
    button {
      display: inline-flex; align-items: center; gap: 0.3rem; min-height: var(--oc-tap); min-width: var(--oc-tap);
      padding: 0 0.6rem; border-radius: 8px; border: 1px solid var(--oc-border); background: var(--oc-surface-2);
      color: var(--oc-fg); font: inherit; font-size: 0.875rem; cursor: pointer; --oc-icon-size: 1em;
    }
    button:hover { border-color: var(--oc-accent); }
    button.stop { color: var(--oc-bad); }
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.6rem; }
    li.card { border: 1px solid var(--oc-border); border-radius: var(--oc-radius); padding: 0.7rem; background: var(--oc-surface); }
    .card-head { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; flex-wrap: wrap; }
    dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(5.2rem, 1fr)); gap: 0.4rem 0.8rem; margin: 0.6rem 0; }
    dt { font-size: 0.75rem; color: var(--oc-fg-muted); }
    dd { margin: 0; font-variant-numeric: tabular-nums; }
    .message { display: flex; gap: 0.6rem; align-items: flex-start; padding: 0.9rem; border-radius: var(--oc-radius); }
    .message.bad { color: var(--oc-bad); background: var(--oc-bad-bg); border: 1px solid currentColor; font-weight: 600; }
    .message.calm { color: var(--oc-fg-muted); border: 1px dashed var(--oc-border); }
    :host([stale]) table, :host([stale]) ul { opacity: 0.6; filter: grayscale(1); }
    .vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  `];

  @property({ attribute: false }) processes: ProcessInfo[] | null = null;
  @property() state: ProcessesState = 'unknown';
  /** Why PM2 could not be read (state 'down'). */
  @property() error = '';
  /** When PM2 became unreachable (ISO or ms). */
  @property({ attribute: false }) since: string | number | null = null;
  /** Operators and admins get action buttons. */
  @property({ type: Boolean }) canAct = false;
  @property({ type: Boolean, reflect: true }) stale = false;
  /** Force the card layout regardless of width (otherwise chosen from the element's own width). */
  @property({ type: Boolean }) cards = false;

  @state() private narrow = false;
  private resizeObserver: ResizeObserver | null = null;

  connectedCallback(): void {
    super.connectedCallback();
    // The element's own width decides (a side-by-side pane on desktop can be narrow too), not the viewport.
    this.resizeObserver = new ResizeObserver((entries) => {
      const width = entries[0]?.contentRect.width ?? 0;
      const narrow = width < NARROW_PX;
      // Re-render in the next frame: switching layout inside the callback resizes the element again
      // within the same frame ("ResizeObserver loop completed with undelivered notifications").
      if (width > 0 && narrow !== this.narrow) requestAnimationFrame(() => { this.narrow = narrow; });
    });
    this.resizeObserver.observe(this);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
  }

  render() {
    if (this.state === 'down') {
      const since = this.since !== null ? `, since ${formatClock(this.since)}` : '';
      return html`<div class="message bad" role="alert"><oc-icon .icon=${ServerCrash}></oc-icon>
        <span>PM2 unreachable — ${this.error || 'no answer from the PM2 daemon'}${since}</span></div>`;
    }
    if (this.state === 'unknown' || this.processes === null) {
      return html`<div class="message calm" role="status"><state-badge state="unknown"></state-badge>
        <span>Loading processes…</span></div>`;
    }
    if (this.processes.length === 0) {
      return html`<div class="message calm" role="status">No processes under PM2</div>`;
    }
    const rows = sortWorstFirst(this.processes);
    return this.cards || this.narrow ? this.renderCards(rows) : this.renderTable(rows);
  }

  private renderTable(rows: ProcessInfo[]) {
    return html`<div class="scroll"><table>
      <thead><tr>
        <th scope="col">Name</th><th scope="col">Status</th><th scope="col" class="num">CPU</th>
        <th scope="col" class="num">Memory</th><th scope="col" class="num">Restarts</th>
        <th scope="col" class="num">Uptime</th><th scope="col" class="num">PID</th>
        ${this.canAct ? html`<th scope="col">Actions</th>` : nothing}
      </tr></thead>
      <tbody>${rows.map((p) => html`<tr data-name=${p.name}>
        <th scope="row" class="name">${this.renderName(p)}</th>
        <td><state-badge state=${p.status}></state-badge></td>
        <td class="num">${p.cpu} %</td>
        <td class="num">${formatBytes(p.memory)}</td>
        <td class="num">${p.restarts}</td>
        <td class="num">${this.uptime(p)}</td>
        <td class="num">${p.pid ?? '—'}</td>
        ${this.canAct ? html`<td>${this.renderActions(p, true)}</td>` : nothing}
      </tr>`)}</tbody>
    </table></div>`;
  }

  private renderCards(rows: ProcessInfo[]) {
    return html`<ul>${rows.map((p) => html`<li class="card" data-name=${p.name}>
      <div class="card-head"><span class="name">${this.renderName(p)}</span><state-badge state=${p.status}></state-badge></div>
      <dl>
        <div><dt>CPU</dt><dd>${p.cpu} %</dd></div>
        <div><dt>Memory</dt><dd>${formatBytes(p.memory)}</dd></div>
        <div><dt>Restarts</dt><dd>${p.restarts}</dd></div>
        <div><dt>Uptime</dt><dd>${this.uptime(p)}</dd></div>
        <div><dt>PID</dt><dd>${p.pid ?? '—'}</dd></div>
      </dl>
      ${this.canAct ? this.renderActions(p) : nothing}
    </li>`)}</ul>`;
  }

  private renderName(p: ProcessInfo) {
    // One tap from a process to its logs.
    const instance = p.mode === 'cluster' ? html`<span class="instance">#${p.pmId}</span>` : nothing;
    return html`<a class="logs" href=${processLogsHref(p.name)} title="Open the logs of ${p.name}">${p.name}<oc-icon
      .icon=${FileText}></oc-icon><span class="vh">(logs)</span></a>${instance}`;
  }

  private uptime(p: ProcessInfo): string {
    return p.uptimeSeconds === null || p.status !== 'online' ? '—' : formatDuration(p.uptimeSeconds);
  }

  /** In the table the buttons are icon-only (the word stays the accessible name and the tooltip) so the
   *  name and figures keep their room; cards have space for the words. */
  private renderActions(p: ProcessInfo, compact = false) {
    return html`<div class="actions">${opsFor(p.status).map((op) => html`<button type="button" class=${op}
      data-op=${op} title=${compact ? `${OP_LOOK[op].word} ${p.name}` : ''} @click=${() => this.emit(p.name, op)}>
      <oc-icon .icon=${OP_LOOK[op].icon}></oc-icon>${compact
        ? html`<span class="vh">${OP_LOOK[op].word} ${p.name}</span>`
        : html`${OP_LOOK[op].word}<span class="vh"> ${p.name}</span>`}</button>`)}</div>`;
  }

  private emit(name: string, op: ProcessOp): void {
    this.dispatchEvent(new CustomEvent<ProcessActionDetail>('process-action', { detail: { name, op }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'process-table': ProcessTable }
  interface HTMLElementEventMap { 'process-action': CustomEvent<ProcessActionDetail> }
}
