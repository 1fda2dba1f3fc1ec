// One run: its state, progress, metrics and error, the timeline of it and its children (growing live), and
// its log streamed by seq (topic `logs` filtered to this run; history from the logs endpoint). Operators can
// cancel an open run after a confirmation; a failed run is one tap from its error lines.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { ArrowLeft, CircleCheck, CircleStop, CircleX, ScrollText } from 'lucide';
import '@shoelace-style/shoelace/dist/components/dialog/dialog.js';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import '@shoelace-style/shoelace/dist/components/spinner/spinner.js';
import { tokens, focusRing } from '../styles/theme.js';
import { api } from '../api/api-client.js';
import { liveStore, type ConnectionState, type LiveFrame, type LiveStore } from '../live/live-store.js';
import { liveContext } from '../live/live-context.js';
import { watchPageLiveness } from '../live/page-liveness.js';
import { formatClock, formatDuration, formatRelative } from '../app/time-format.js';
import {
  displayState, formatCount, humanizeKey, STALE_AFTER_MS, isFailed, isOpen, upsertTimeline,
  type LogLine, type LogPage, type RunDetail, type RunSummary, type TimelineEntry,
} from './agents-data.js';
import type { RunLog } from '../components/run-log.js';
import '../components/oc-icon.js';
import '../components/state-badge.js';
import '../components/run-timeline.js';
import '../components/run-log.js';
import type { LoadsFirstData } from '../app/first-load.js';

const LOG_PAGE = 1000;
const MAX_LOG_PAGES = 50;
type CancelPhase = 'closed' | 'confirm' | 'running' | 'done' | 'failed';

interface RouteLocation { params?: Record<string, string | string[]>; search?: string; pathname?: string }

@customElement('page-run')
export class PageRun extends LitElement implements LoadsFirstData {
  /** The run's first detail and log page (first-load.ts): the shell shows the page once they have settled. */
  firstLoad: Promise<unknown> | null = null;

  static styles = [tokens, focusRing, css`
    :host { display: block; padding: var(--oc-gap); box-sizing: border-box; max-width: 1440px; margin: 0 auto; min-width: 0; }
    .top { display: flex; align-items: center; gap: 0.5rem 0.75rem; flex-wrap: wrap; margin-bottom: var(--oc-gap); }
    h1 { font-size: 1.3rem; margin: 0; overflow-wrap: anywhere; }
    h2 { font-size: 1.05rem; margin: 0; }
    .back { display: inline-flex; align-items: center; gap: 0.3rem; min-height: var(--oc-tap); color: var(--oc-fg); }
    .btn { display: inline-flex; align-items: center; gap: 0.4rem; min-height: var(--oc-tap); padding: 0 0.9rem; border-radius: 8px;
      border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg); font: inherit; cursor: pointer; }
    .btn.danger { color: var(--oc-bad); border-color: var(--oc-bad); font-weight: 600; }
    .top .cancel { margin-left: auto; }
    .fresh { font-size: 0.8rem; color: var(--oc-fg-muted); }
    .fresh.stale { color: var(--oc-stale); font-weight: 600; }
    .layout { display: grid; gap: 1rem; grid-template-columns: minmax(0, 1fr); }
    .col { display: grid; gap: 1rem; align-content: start; min-width: 0; }
    @media (min-width: 1024px) { .layout { grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); align-items: start; } }
    .card { background: var(--oc-surface); border: 1px solid var(--oc-border); border-radius: var(--oc-radius); padding: 0.9rem; min-width: 0; }
    .card.stale { border-style: dashed; }
    .card > header { display: flex; align-items: baseline; justify-content: space-between; gap: 0.5rem; flex-wrap: wrap; margin-bottom: 0.7rem; }
    dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.35rem 0.8rem; margin: 0; font-size: 0.9rem; }
    dt { color: var(--oc-fg-muted); } dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
    dd a { color: var(--oc-accent); }
    progress { width: min(100%, 18rem); height: 0.65rem; accent-color: var(--oc-accent); vertical-align: middle; }
    .failure { border: 2px solid var(--oc-bad); background: var(--oc-bad-bg); color: var(--oc-fg); }
    .failure h2 { color: var(--oc-bad); display: flex; align-items: center; gap: 0.4rem; }
    .failure p { margin: 0.4rem 0 0.6rem; overflow-wrap: anywhere; }
    .error { color: var(--oc-bad); margin: 0 0 0.5rem; }
    .outcome { display: flex; gap: 0.5rem; align-items: center; font-weight: 600; }
    .outcome.ok { color: var(--oc-ok); } .outcome.bad { color: var(--oc-bad); }
    sl-button::part(base) { min-height: var(--oc-tap); }
    run-log { --run-log-height: min(62vh, 40rem); }
  `];

  @consume({ context: liveContext }) @property({ attribute: false }) live: LiveStore = liveStore;
  /** Set by @vaadin/router. */
  @property({ attribute: false }) location?: RouteLocation;
  /** The run shown (from the route, or set directly). */
  @property() runId = '';

  @state() detail: RunDetail | null = null;
  @state() private timeline: TimelineEntry[] = [];
  @state() private userRole: string | null = null;
  @state() private connection: ConnectionState = 'offline';
  @state() private now = Date.now();
  @state() private updatedAt: number | null = null;
  @state() private loadError = '';
  @state() private logNote = 'loading the log…';
  @state() private cancelPhase: CancelPhase = 'closed';
  @state() private cancelOutcome = '';

  @query('run-log') private runLog?: RunLog;

  private unsubscribe: Array<() => void> = [];
  private stopLiveness: (() => void) | null = null;
  private logFetch: Promise<void> | null = null;
  private logRefetch = false;

  connectedCallback(): void {
    super.connectedCallback();
    this.stopLiveness = watchPageLiveness(this.live, 1_000, (change) => Object.assign(this, change));
    if (this.currentRunId()) this.open(this.currentRunId());
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopLiveness?.();
    this.stopLiveness = null;
    this.close();
  }

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    if ((changed.has('location') || changed.has('runId')) && this.isConnected) {
      const id = this.currentRunId();
      if (id && id !== this.openedId) this.open(id);
    }
  }

  private openedId = '';

  private currentRunId(): string {
    const param = this.location?.params?.runId;
    return (Array.isArray(param) ? param[0] : param) || this.runId;
  }

  /** Starts showing a run: subscriptions first (so no line falls between history and live), then the fetches. */
  private open(runId: string): void {
    this.close();
    this.openedId = runId;
    this.detail = null;
    this.timeline = [];
    this.runLog?.clear();
    this.unsubscribe = [
      this.live.subscribe('agents', (f) => this.onAgentsFrame(f)),
      this.live.subscribe('logs', (f) => this.onLogsFrame(f), { filter: { runIds: [runId] } }),
    ];
    this.firstLoad = Promise.allSettled([this.load(), this.fetchLogs()]);
    const search = this.location?.search ?? window.location.search;
    if (new URLSearchParams(search).get('log') === 'errors') void this.showErrors();
  }

  private close(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
  }

  async load(): Promise<void> {
    const runId = this.openedId;
    try {
      const detail = await api.get<RunDetail>(`/api/agents/runs/${encodeURIComponent(runId)}`);
      if (runId !== this.openedId) return;
      this.detail = detail;
      this.timeline = detail.timeline?.length ? detail.timeline
        : [{ runId, agent: detail.run.agent, status: detail.run.status, startedAt: detail.run.startedAt, endedAt: detail.run.endedAt, depth: 0 }];
      this.loadError = '';
      this.updatedAt = Date.now();
    } catch (err) {
      this.loadError = err instanceof Error ? err.message : 'The run could not be loaded.';
    }
  }

  /** Loads the log after the last line held; a second call while one runs fetches again once it is done. */
  fetchLogs(): Promise<void> {
    if (this.logFetch) {
      this.logRefetch = true;
      return this.logFetch;
    }
    this.logFetch = (async () => {
      do {
        this.logRefetch = false;
        await this.fetchLogPages();
      } while (this.logRefetch);
    })().finally(() => { this.logFetch = null; });
    return this.logFetch;
  }

  private async fetchLogPages(): Promise<void> {
    const runId = this.openedId;
    await this.updateComplete;
    try {
      for (let page = 0; page < MAX_LOG_PAGES; page += 1) {
        const after = this.runLog?.lastSeq ?? null;
        const q = new URLSearchParams({ limit: String(LOG_PAGE) });
        if (after !== null) q.set('after', String(after));
        const reply = await api.get<LogPage>(`/api/agents/runs/${encodeURIComponent(runId)}/logs?${q}`);
        if (runId !== this.openedId) return;
        this.runLog?.addLines(reply.lines);
        if (!reply.hasMore || reply.lines.length === 0) break;
      }
      this.logNote = '';
    } catch (err) {
      this.logNote = `log history unavailable — ${err instanceof Error ? err.message : 'request failed'}`;
    }
  }

  private onAgentsFrame(frame: LiveFrame): void {
    if (frame.type !== 'run') return;
    const run = frame.data as RunSummary;
    if (!this.detail) return;
    const inTree = run.runId === this.openedId || this.timeline.some((e) => e.runId === run.runId || e.runId === run.parentRunId);
    if (!inTree) return;
    if (run.runId === this.openedId) this.detail = { ...this.detail, run: { ...this.detail.run, ...run } };
    else if (run.parentRunId === this.openedId) {
      const children = this.detail.children.filter((c) => c.runId !== run.runId);
      this.detail = { ...this.detail, children: [...children, run] };
    }
    this.timeline = upsertTimeline(this.timeline, run);
    this.updatedAt = Date.now();
  }

  private onLogsFrame(frame: LiveFrame): void {
    // A (re)subscription's snapshot: lines may have been missed meanwhile, so read on from the last one held.
    if (frame.type === 'snapshot') { void this.fetchLogs(); return; }
    if (frame.type !== 'run.log') return;
    const line = frame.data as LogLine & { runId?: string };
    if (line.runId !== this.openedId) return;
    this.runLog?.addLines([{ seq: line.seq, ts: line.ts, level: line.level, message: line.message }]);
    this.updatedAt = Date.now();
  }

  /** The failed run's cause: only error lines, scrolled into view. */
  async showErrors(): Promise<void> {
    await this.updateComplete;
    const log = this.runLog;
    if (!log) return;
    log.errorsOnly = true;
    await log.updateComplete;
    log.scrollIntoView({ block: 'start', behavior: 'smooth' });
    log.shadowRoot?.querySelector<HTMLElement>('.scroller')?.focus({ preventScroll: true });
  }

  private get stale(): boolean {
    return this.connection !== 'live' && this.updatedAt !== null && this.now - this.updatedAt > STALE_AFTER_MS;
  }

  private get canCancel(): boolean {
    return (this.userRole === 'operator' || this.userRole === 'admin') && !!this.detail && isOpen(this.detail.run.status);
  }

  render() {
    const d = this.detail;
    const stale = this.stale;
    return html`<div class="top">
        <a class="back" href="/agents"><oc-icon .icon=${ArrowLeft}></oc-icon>Agents</a>
        <h1>${d ? d.run.agent : 'Run'} <small class="fresh">${this.openedId}</small></h1>
        ${d ? html`<state-badge state=${displayState(d.run.status, d.run.degraded)}></state-badge>` : nothing}
        ${this.freshness()}
        ${this.canCancel ? html`<button class="btn danger cancel" type="button" @click=${() => { this.cancelPhase = 'confirm'; }}>
          <oc-icon .icon=${CircleStop}></oc-icon>Cancel run</button>` : nothing}
      </div>
      ${this.loadError ? html`<p class="error" role="alert">The run could not be loaded — ${this.loadError}</p>` : nothing}
      <div class="layout">
        <div class="col">
          ${d && isFailed(d.run.status) ? this.renderFailure(d.run) : nothing}
          ${d ? this.renderSummary(d.run, stale) : nothing}
          <section class="card ${stale ? 'stale' : ''}" aria-labelledby="timeline-h">
            <header><h2 id="timeline-h">Timeline</h2></header>
            <run-timeline .entries=${this.timeline} .now=${this.now}></run-timeline>
          </section>
        </div>
        <section class="card" aria-labelledby="log-h">
          <header><h2 id="log-h">Log</h2></header>
          <run-log note=${this.logNote}></run-log>
        </section>
      </div>
      ${this.renderCancelDialog()}`;
  }

  private freshness() {
    if (this.updatedAt === null) return html`<span class="fresh">not received yet</span>`;
    return this.stale
      ? html`<span class="fresh stale">stale since ${formatClock(this.updatedAt)} — live connection lost</span>`
      : html`<span class="fresh">updated ${formatClock(this.updatedAt)}</span>`;
  }

  private renderFailure(run: RunSummary) {
    return html`<section class="card failure" aria-labelledby="failure-h">
      <h2 id="failure-h"><oc-icon .icon=${CircleX}></oc-icon>${run.status === 'crashed' ? 'Crashed' : 'Failed'}${run.endedAt ? ` at ${formatClock(run.endedAt)}` : ''}</h2>
      <p>${run.error?.message ?? 'No error message was reported.'}${run.error?.code ? ` (${run.error.code})` : ''}</p>
      <button class="btn show-errors" type="button" @click=${() => this.showErrors()}><oc-icon .icon=${ScrollText}></oc-icon>Show the error lines</button>
    </section>`;
  }

  private renderSummary(run: RunDetail['run'], stale: boolean) {
    const started = run.startedAt ?? run.queuedAt;
    const open = isOpen(run.status);
    const seconds = open && started ? (this.now - Date.parse(started)) / 1000 : run.durationMs !== null ? run.durationMs / 1000 : null;
    const metrics = Object.entries(run.metrics ?? {});
    return html`<section class="card ${stale ? 'stale' : ''}" aria-labelledby="summary-h">
      <header><h2 id="summary-h">Run</h2></header>
      <dl>
        <dt>Started</dt><dd>${started ? html`${formatClock(started)} (${formatRelative(started, this.now)})` : 'not yet'}</dd>
        <dt>${open ? 'Running for' : 'Took'}</dt><dd>${formatDuration(seconds)}${run.endedAt ? ` · ended ${formatClock(run.endedAt)}` : ''}</dd>
        ${run.progress ? html`<dt>Progress</dt><dd><progress max=${run.progress.total} .value=${Math.min(run.progress.done, run.progress.total)} aria-hidden="true"></progress>
          ${run.progress.done} / ${run.progress.total}${run.progress.label ? ` ${run.progress.label}` : ''}</dd>` : nothing}
        ${run.activity && open ? html`<dt>Doing</dt><dd>${run.activity}</dd>` : nothing}
        ${run.trigger ? html`<dt>Trigger</dt><dd>${run.trigger.kind}${run.trigger.by ? ` by ${run.trigger.by}` : ''}${run.trigger.scheduledFor ? ` for ${formatClock(run.trigger.scheduledFor)}` : ''}</dd>` : nothing}
        ${run.parentRunId ? html`<dt>Part of</dt><dd><a href="/agents/runs/${encodeURIComponent(run.parentRunId)}">parent run</a></dd>` : nothing}
        ${metrics.map(([k, v]) => html`<dt>${humanizeKey(k)}</dt><dd>${formatCount(v)}</dd>`)}
      </dl>
    </section>`;
  }

  private renderCancelDialog() {
    const agent = this.detail?.run.agent ?? 'this run';
    const phase = this.cancelPhase;
    const body = phase === 'running' ? html`<div class="outcome" role="status"><sl-spinner></sl-spinner>Cancelling…</div>`
      : phase === 'done' ? html`<div class="outcome ok" role="status"><oc-icon .icon=${CircleCheck}></oc-icon>${this.cancelOutcome}</div>`
      : phase === 'failed' ? html`<div class="outcome bad" role="alert"><oc-icon .icon=${CircleX}></oc-icon>${this.cancelOutcome}</div>`
      : html`<p>Cancel this ${agent} run? Its process and everything it started are stopped (TERM, then KILL after 5 s);
          open child runs end as cancelled. This cannot be undone — start it again if needed.</p>`;
    const footer = phase === 'confirm'
      ? html`<sl-button slot="footer" @click=${() => { this.cancelPhase = 'closed'; }}>Keep running</sl-button>
        <sl-button slot="footer" variant="danger" class="confirm-cancel" @click=${() => this.cancelRun()}>Cancel run</sl-button>`
      : phase === 'running' ? html`<sl-button slot="footer" disabled>Working…</sl-button>`
      : html`<sl-button slot="footer" variant="primary" @click=${() => { this.cancelPhase = 'closed'; }}>Close</sl-button>`;
    return html`<sl-dialog label="Cancel ${agent}" ?open=${phase !== 'closed'}
      @sl-request-close=${(e: Event) => { if (this.cancelPhase === 'running') e.preventDefault(); }}
      @sl-after-hide=${(e: Event) => { if ((e.target as Element).tagName === 'SL-DIALOG' && this.cancelPhase !== 'running') this.cancelPhase = 'closed'; }}>
      ${body}${footer}</sl-dialog>`;
  }

  async cancelRun(): Promise<void> {
    if (this.cancelPhase !== 'confirm') return;
    this.cancelPhase = 'running';
    try {
      const reply = await api.post<{ runId: string; status: string }>(`/api/agents/runs/${encodeURIComponent(this.openedId)}/cancel`);
      this.cancelOutcome = `Cancel sent — the run is now ${reply.status}.`;
      this.cancelPhase = 'done';
      void this.load();
    } catch (err) {
      this.cancelOutcome = `The run was not cancelled: ${err instanceof Error ? err.message : 'the request failed'}`;
      this.cancelPhase = 'failed';
    }
  }
}

declare global {
  interface HTMLElementTagNameMap { 'page-run': PageRun }
}
