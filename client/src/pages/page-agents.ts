// The Agents section: the live agent tree (left on desktop), the selected agent's detail with a manual
// trigger for operators, recent runs with filters and per-agent performance. Talks to the API and the live
// store (topic `agents`); the elements below it take data as properties.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { CalendarClock, Pencil, Play, Plus, RefreshCw, ScrollText, Trash2 } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { pageFrame } from '../styles/page-frame.js';
import { api } from '../api/api-client.js';
import { liveStore, type ConnectionState, type LiveFrame, type LiveStore } from '../live/live-store.js';
import { liveContext } from '../live/live-context.js';
import { PageLivenessController } from '../live/page-liveness.js';
import { freshnessNote } from './page-freshness.js';
import { formatClock, formatRelative } from '../app/time-format.js';
import {
  applyRunToAgents, attachOpenRuns, STALE_AFTER_MS, describeLaunch, agentDisplayState, currentRunOf, isFailed, isOpen, mergePerformance, upsertRun, describeCron,
  type AgentView, type PerformanceEntry, type PerformanceRow, type RunFilter, type RunSummary,
} from './agents-data.js';
import { runHref } from '../components/run-history.js';
import type { AgentSelectDetail } from '../components/agent-tree.js';
import '../components/oc-icon.js';
import '../components/state-badge.js';
import '../components/agent-tree.js';
import '../components/run-history.js';
import '../components/agent-performance.js';
import '../components/trigger-dialog.js';
import '../components/agent-editor.js';
import '../components/agent-delete-dialog.js';
import type { AgentCreateBody, AgentSavedDetail, AgentUpdateBody } from '../components/agent-editor.js';
import type { AgentDeletedDetail } from '../components/agent-delete-dialog.js';
import type { LoadsFirstData } from '../app/first-load.js';

const RUNS_PAGE = 50;

interface AgentsSnapshot { agents: AgentView[]; openRuns?: RunSummary[] }

/** The run list's query string for a filter (and a cursor for older pages). */
export function runsQuery(filter: RunFilter, cursor?: string | null): string {
  const q = new URLSearchParams({ limit: String(RUNS_PAGE) });
  if (filter.agent) q.set('agent', filter.agent);
  if (filter.status) q.set('status', filter.status);
  if (cursor) q.set('cursor', cursor);
  return `/api/agents/runs?${q}`;
}

@customElement('page-agents')
export class PageAgents extends LitElement implements LoadsFirstData {
  /** The first refresh (first-load.ts): the shell shows the page once it has settled. */
  firstLoad: Promise<unknown> | null = null;

  static styles = [tokens, focusRing, pageFrame, css`
    .top .links { margin-left: auto; display: flex; gap: 0.5rem; flex-wrap: wrap; }
    .btn { display: inline-flex; align-items: center; gap: 0.4rem; min-height: var(--oc-tap); padding: 0 0.9rem; border-radius: 8px;
      border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg); font: inherit; cursor: pointer; text-decoration: none; }
    .btn.primary { background: var(--oc-accent); border-color: var(--oc-accent); color: var(--oc-bg); font-weight: 600; }
    .layout { display: grid; gap: 1rem; grid-template-columns: minmax(0, 1fr); }
    .detail-col { display: grid; gap: 1rem; align-content: start; min-width: 0; }
    @media (min-width: 1024px) {
      .layout { grid-template-columns: minmax(320px, 2fr) minmax(0, 3fr); align-items: start; }
      .tree-card { position: sticky; top: var(--oc-gap); max-height: calc(100vh - 6rem); overflow: auto; }
    }
    .card { background: var(--oc-surface); border: 1px solid var(--oc-border); border-radius: var(--oc-radius); padding: 0.9rem; min-width: 0; }
    .card.stale { border-style: dashed; }
    .card > header { display: flex; align-items: baseline; justify-content: space-between; gap: 0.5rem; flex-wrap: wrap; margin-bottom: 0.7rem; }
    .error { color: var(--oc-bad); margin: 0 0 0.5rem; }
    .agent-actions { display: flex; gap: 0.5rem; flex-wrap: wrap; }
    .agent-head { display: flex; align-items: center; gap: 0.5rem; flex-wrap: wrap; }
    .desc { color: var(--oc-fg-muted); margin: 0.4rem 0 0.6rem; line-height: 1.4; }
    dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.35rem 0.8rem; margin: 0 0 0.7rem; font-size: 0.9rem; }
    dt { color: var(--oc-fg-muted); } dd { margin: 0; overflow-wrap: anywhere; }
    dd a { color: var(--oc-accent); }
    .fail-link { color: var(--oc-bad); font-weight: 600; display: inline-flex; align-items: center; gap: 0.3rem; --oc-icon-size: 1em; }
    progress { width: min(100%, 16rem); height: 0.6rem; accent-color: var(--oc-accent); vertical-align: middle; }
    .hint { color: var(--oc-fg-muted); margin: 0; }
    .pending { visibility: hidden; }
    agent-tree.loading { display: none; }
  `];

  /** The live store (the shell provides it; tests hand in their own). */
  @consume({ context: liveContext }) @property({ attribute: false }) live: LiveStore = liveStore;

  @state() agents: AgentView[] = [];
  @state() runs: RunSummary[] = [];
  @state() private runsCursor: string | null = null;
  @state() private runsLoading = false;
  @state() private filter: RunFilter = { agent: '', status: '' };
  @state() private performance: PerformanceRow[] = [];
  @state() private perfLoading = true;
  @state() selected = '';
  @state() private userRole: string | null = null;
  @state() private connection: ConnectionState = 'offline';
  @state() private now = Date.now();
  @state() private updatedAt: number | null = null;
  @state() private loadError = '';
  @state() private refreshing = false;
  @state() private triggerOpen = false;
  @state() private editorOpen = false;
  @state() private createOpen = false;
  @state() private deleteOpen = false;
  /** The agent the delete dialog asks about (kept while it shows the outcome). */
  @state() private deleteTarget: AgentView | null = null;

  private openRuns = new Map<string, RunSummary>();
  private readonly liveness = new PageLivenessController(this, { tickMs: 5_000, topics: { agents: (f) => this.onAgentsFrame(f) } });

  connectedCallback(): void {
    // Before super: the liveness controller starts there, and the selection is known to the first frame.
    this.selected = new URLSearchParams(window.location.search).get('agent') ?? '';
    this.filter = { agent: this.selected, status: '' };
    super.connectedCallback();
    this.firstLoad = this.refresh();
  }

  async refresh(): Promise<void> {
    this.refreshing = true;
    const [agents] = await Promise.allSettled([
      api.get<{ agents: AgentView[] }>('/api/agents'),
      this.loadRuns(),
      this.loadPerformance(),
    ]);
    if (agents.status === 'fulfilled') {
      this.setAgents(agents.value.agents);
      this.loadError = '';
      this.updatedAt = Date.now();
    } else {
      this.loadError = agents.reason instanceof Error ? agents.reason.message : 'The agents could not be loaded.';
    }
    this.now = Date.now();
    this.refreshing = false;
  }

  private setAgents(agents: AgentView[]): void {
    // Open runs we know of (live or from the run list) fill in the progress the agent list only names by id.
    this.agents = attachOpenRuns(agents, [...this.openRuns.values()].filter((r) => agents.some((a) => a.currentRunId === r.runId)));
  }

  private async loadRuns(more = false): Promise<void> {
    this.runsLoading = true;
    try {
      const reply = await api.get<{ runs: RunSummary[]; nextCursor: string | null }>(runsQuery(this.filter, more ? this.runsCursor : null));
      this.runs = more ? [...this.runs, ...reply.runs.filter((r) => !this.runs.some((x) => x.runId === r.runId))] : reply.runs;
      this.runsCursor = reply.nextCursor;
      for (const run of reply.runs) if (isOpen(run.status) && !this.openRuns.has(run.runId)) this.openRuns.set(run.runId, run);
      if (this.agents.length) this.agents = attachOpenRuns(this.agents, reply.runs.filter((r) => isOpen(r.status)
        && this.agents.some((a) => a.currentRunId === r.runId && !a.currentRun)));
    } finally {
      this.runsLoading = false;
    }
  }

  private async loadPerformance(): Promise<void> {
    this.perfLoading = true;
    try {
      const [week, month] = await Promise.all([
        api.get<{ agents: PerformanceEntry[] }>('/api/agents/performance?days=7'),
        api.get<{ agents: PerformanceEntry[] }>('/api/agents/performance?days=30'),
      ]);
      this.performance = mergePerformance(week.agents, month.agents);
    } finally {
      this.perfLoading = false;
    }
  }

  private onAgentsFrame(frame: LiveFrame): void {
    if (frame.type === 'snapshot') {
      const data = frame.data as AgentsSnapshot;
      this.openRuns = new Map((data.openRuns ?? []).map((r) => [r.runId, r]));
      if (Array.isArray(data.agents)) this.agents = attachOpenRuns(data.agents, this.openRuns.values());
      for (const run of data.openRuns ?? []) this.runs = upsertRun(this.runs, run, this.filter);
    } else if (frame.type === 'run') {
      const run = frame.data as RunSummary;
      if (isOpen(run.status)) this.openRuns.set(run.runId, run); else this.openRuns.delete(run.runId);
      this.agents = applyRunToAgents(this.agents, run);
      this.runs = upsertRun(this.runs, run, this.filter);
    } else {
      return;
    }
    this.updatedAt = Date.now();
    this.now = this.updatedAt;
  }

  private get stale(): boolean {
    return this.connection !== 'live' && this.updatedAt !== null && this.now - this.updatedAt > STALE_AFTER_MS;
  }

  /** Only admins change agent definitions. */
  get canEdit(): boolean {
    return this.userRole === 'admin';
  }

  private get canTrigger(): boolean {
    return this.userRole === 'operator' || this.userRole === 'admin';
  }

  render() {
    const stale = this.stale;
    const agent = this.agents.find((a) => a.name === this.selected) ?? null;
    // Until the first answer the tree says so, and what is below it stays invisible: the tree's rows would push it down.
    const loaded = this.updatedAt !== null || this.loadError !== '';
    return html`<div class="top">
        <h1>Agents</h1>${freshnessNote(this.updatedAt, stale)}
        <div class="links">
          ${this.canEdit ? html`<button class="btn new-agent" type="button" @click=${() => { this.createOpen = true; }}>
            <oc-icon .icon=${Plus}></oc-icon>New agent</button>` : nothing}
          <a class="btn" href="/agents/schedules"><oc-icon .icon=${CalendarClock}></oc-icon>Schedules</a>
          <button class="btn refresh" type="button" aria-busy=${String(this.refreshing)} @click=${() => this.refresh()}>
            <oc-icon .icon=${RefreshCw}></oc-icon>${this.refreshing ? 'Refreshing…' : 'Refresh'}</button>
        </div>
      </div>
      ${this.loadError ? html`<p class="error" role="alert">Agents could not be loaded — ${this.loadError}</p>` : nothing}
      <div class="layout">
        <section class="card tree-card ${stale ? 'stale' : ''}" aria-labelledby="tree-h">
          <header><h2 id="tree-h">Hierarchy</h2></header>
          ${loaded ? nothing : html`<p class="hint" role="status">Loading agents…</p>`}
          <agent-tree class=${loaded ? '' : 'loading'} .agents=${this.agents} selected=${this.selected} .now=${this.now} ?stale=${stale}
            @agent-select=${this.onSelect}></agent-tree>
        </section>
        <div class="detail-col ${loaded ? '' : 'pending'}">
          ${agent ? this.renderAgent(agent, stale) : html`<p class="hint">Select an agent to see its details and start it.</p>`}
          <section class="card ${stale ? 'stale' : ''}" aria-labelledby="runs-h">
            <header><h2 id="runs-h">Recent runs</h2></header>
            <run-history .runs=${this.runs} .agentNames=${this.agents.map((a) => a.name)} .filter=${this.filter}
              ?hasMore=${this.runsCursor !== null} ?loading=${this.runsLoading} ?stale=${stale} .now=${this.now}
              @run-filter-change=${this.onFilter} @runs-more=${() => this.loadRuns(true).catch(() => undefined)}></run-history>
          </section>
          <section class="card" aria-labelledby="perf-h">
            <header><h2 id="perf-h">Performance</h2></header>
            <agent-performance .rows=${this.performance} ?loading=${this.perfLoading}></agent-performance>
          </section>
        </div>
      </div>
      <trigger-dialog .open=${this.triggerOpen} agent=${agent?.name ?? ''} description=${agent ? describeLaunch(agent) : ''}
        .perform=${this.perform} @trigger-closed=${() => { this.triggerOpen = false; }}></trigger-dialog>
      ${this.canEdit ? html`<agent-editor .open=${this.editorOpen} .agent=${agent} .agents=${this.agents} .perform=${this.saveAgent}
        @agent-saved=${(e: CustomEvent<{ ok: boolean }>) => { if (e.detail.ok) void this.refresh(); }}
        @agent-editor-closed=${() => { this.editorOpen = false; }}></agent-editor>
      <agent-editor class="create" mode="create" .open=${this.createOpen} .agents=${this.agents} .create=${this.createAgent}
        @agent-saved=${this.onCreated} @agent-editor-closed=${() => { this.createOpen = false; }}></agent-editor>
      <agent-delete-dialog .open=${this.deleteOpen} .agent=${this.deleteTarget} .perform=${this.deleteAgent}
        @agent-deleted=${this.onDeleted} @agent-delete-closed=${() => { this.deleteOpen = false; this.deleteTarget = null; }}></agent-delete-dialog>` : nothing}`;
  }

  private renderAgent(a: AgentView, stale: boolean) {
    const run = currentRunOf(a);
    const last = a.lastRun && a.lastRun.runId !== run?.runId ? a.lastRun : null;
    return html`<section class="card agent ${stale ? 'stale' : ''}" aria-labelledby="agent-h">
      <header><div class="agent-head"><h2 id="agent-h">${a.name}</h2>
        <state-badge state=${agentDisplayState(a)}></state-badge></div>
        <span class="agent-actions">${this.canTrigger && a.launch ? html`<button class="btn primary trigger" type="button" @click=${() => { this.triggerOpen = true; }}>
          <oc-icon .icon=${Play}></oc-icon>Start now</button>` : nothing}
        ${this.canEdit ? html`<button class="btn edit" type="button" @click=${() => { this.editorOpen = true; }}>
          <oc-icon .icon=${Pencil}></oc-icon>Edit</button>
          <button class="btn delete" type="button" @click=${() => { this.deleteTarget = a; this.deleteOpen = true; }}>
          <oc-icon .icon=${Trash2}></oc-icon>Delete</button>` : nothing}</span></header>
      ${a.description ? html`<p class="desc">${a.description}</p>` : nothing}
      <dl>
        ${run ? html`<dt>Current run</dt><dd><a href=${runHref(run.runId)}>started ${formatClock(run.startedAt ?? run.queuedAt ?? '')}</a>
          ${run.progress ? html` · <progress max=${run.progress.total} .value=${run.progress.done} aria-hidden="true"></progress>
            ${run.progress.done} / ${run.progress.total}` : nothing}${run.activity ? html`<div>${run.activity}</div>` : nothing}</dd>` : nothing}
        ${run && !last ? nothing : html`<dt>${run ? 'Previous run' : 'Last run'}</dt><dd>${last ? html`<state-badge state=${last.status}></state-badge>
          <a href=${runHref(last.runId)}>${formatRelative(last.endedAt ?? last.startedAt ?? '', this.now)}</a>
          ${isFailed(last.status) ? html` · <a class="fail-link" href=${runHref(last.runId, true)}><oc-icon .icon=${ScrollText}></oc-icon>error lines</a>` : nothing}`
          : 'never run'}</dd>`}
        <dt>Schedule</dt><dd>${a.schedule && a.schedule.crons.length
          ? html`${a.schedule.enabled ? '' : 'disabled · '}${a.schedule.crons.map(describeCron).join('; ')} (${a.schedule.timezone})`
          : 'none'}</dd>
        ${a.nextRunAt ? html`<dt>Next run</dt><dd>${formatClock(a.nextRunAt)} (${formatRelative(a.nextRunAt, this.now)})</dd>` : nothing}
        ${a.children.length ? html`<dt>Runs</dt><dd>${a.children.join(', ')}</dd>` : nothing}
        ${!a.launch ? html`<dt>Launch</dt><dd>reports on its own (no launch command), so it cannot be started from here</dd>` : nothing}
      </dl>
    </section>`;
  }

  private onSelect = (e: CustomEvent<AgentSelectDetail>) => this.select(e.detail.name);

  /** Shows an agent's detail ('' for none) and filters the run list to it; the address keeps the choice. */
  private select(name: string): void {
    this.selected = name;
    const url = new URL(window.location.href);
    if (name) url.searchParams.set('agent', name); else url.searchParams.delete('agent');
    window.history.replaceState(window.history.state, '', url);
    this.filter = { ...this.filter, agent: name };
    void this.loadRuns().catch(() => undefined);
  }

  /** A new agent: re-read the list (the live snapshot carries runs, not definitions) and show it. */
  private onCreated = (e: CustomEvent<AgentSavedDetail>) => {
    if (!e.detail.ok) return;
    this.select(e.detail.agent);
    void this.refresh();
  };

  private onDeleted = (e: CustomEvent<AgentDeletedDetail>) => {
    if (!e.detail.ok) return;
    if (this.selected === e.detail.agent) this.select('');
    void this.refresh();
  };

  private onFilter = (e: CustomEvent<RunFilter>) => {
    this.filter = e.detail;
    void this.loadRuns().catch(() => undefined);
  };

  private saveAgent = async (agent: string, body: AgentUpdateBody): Promise<unknown> =>
    api.request<unknown>(`/api/agents/${encodeURIComponent(agent)}`, { method: 'PUT', body });

  private createAgent = async (body: AgentCreateBody): Promise<unknown> => api.post<unknown>('/api/agents', body);

  private deleteAgent = async (agent: string): Promise<unknown> =>
    api.request<unknown>(`/api/agents/${encodeURIComponent(agent)}`, { method: 'DELETE' });

  private perform = async (agent: string, params: Record<string, unknown> | undefined): Promise<{ runId: string }> =>
    api.post<{ runId: string }>(`/api/agents/${encodeURIComponent(agent)}/trigger`, params ? { params } : {});
}

declare global {
  interface HTMLElementTagNameMap { 'page-agents': PageAgents }
}
