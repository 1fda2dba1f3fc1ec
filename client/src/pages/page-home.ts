// The home screen: problems first, then system gauges, processes, services and today's pipeline. The only
// element here that talks to the API and the live store; everything below it takes data as properties.
// Nothing on it needs Shoelace or a chart library to paint: the process action dialog is imported on first use.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { Cpu, MemoryStick, HardDrive, Gauge, Timer, RefreshCw, CircleCheck, Workflow } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { api } from '../api/api-client.js';
import { liveStore, type ConnectionState, type LiveFrame } from '../live/live-store.js';
import { formatBytes, formatClock, formatDuration } from '../app/time-format.js';
import type { ProcessInfo, ProcessOp, ProcessActionDetail, ProcessesState } from '../components/process-table.js';
import type { ServiceMap } from '../components/service-list.js';
import { findProblems, latestSystem, mergeSamples, processesFromHealth, type HealthBody, type ProcessesView,
  type SystemSample } from './home-data.js';
import '../components/oc-icon.js';
import '../components/state-badge.js';
import '../components/metric-gauge.js';
import '../components/spark-line.js';
import '../components/process-table.js';
import '../components/service-list.js';
import '../components/offline-banner.js';
import '../components/pipeline-strip.js';
import '../components/webhook-widget-row.js';
import type { OperationsToday } from './agents-data.js';
import type { LoadsFirstData } from '../app/first-load.js';

/** Older than this while the live connection is not live = stale. */
const STALE_AFTER_MS = 15_000;
const PULL_TRIGGER_PX = 70;
/** Today's pipeline is refetched this often (it changes with agent runs, not every second). */
const OPERATIONS_EVERY_MS = 60_000;

interface PendingAction { name: string; op: ProcessOp; instances: number }

@customElement('page-home')
export class PageHome extends LitElement implements LoadsFirstData {
  /** The first refresh (first-load.ts): the shell shows the page once it has settled. */
  firstLoad: Promise<unknown> | null = null;

  static styles = [tokens, focusRing, css`
    :host { display: block; padding: var(--oc-gap); box-sizing: border-box; max-width: 1440px; margin: 0 auto; min-width: 0; }
    .top { display: flex; align-items: center; gap: 0.75rem; flex-wrap: wrap; margin-bottom: var(--oc-gap); }
    h1 { font-size: 1.35rem; margin: 0; }
    h2 { font-size: 1.05rem; margin: 0; }
    .top .refresh { margin-left: auto; }
    .refresh { display: inline-flex; align-items: center; gap: 0.4rem; min-height: var(--oc-tap); padding: 0 0.9rem;
      border-radius: 8px; border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg); font: inherit; cursor: pointer; }
    .refresh[aria-busy='true'] oc-icon { animation: spin 1s linear infinite; }
    @keyframes spin { to { transform: rotate(360deg); } }
    @media (prefers-reduced-motion: reduce) { .refresh[aria-busy='true'] oc-icon { animation: none; } }
    .pull { text-align: center; color: var(--oc-fg-muted); font-size: 0.85rem; overflow: hidden; }
    .layout { display: grid; gap: 1rem; grid-template-columns: minmax(0, 1fr); }
    .side { display: grid; gap: 1rem; align-content: start; min-width: 0; }
    @media (min-width: 1024px) {
      .layout { grid-template-columns: minmax(0, 2fr) minmax(320px, 1fr); }
      .full { grid-column: 1 / -1; }
    }
    .card { background: var(--oc-surface); border: 1px solid var(--oc-border); border-radius: var(--oc-radius); padding: 0.9rem; min-width: 0; }
    .card > header { display: flex; align-items: baseline; justify-content: space-between; gap: 0.5rem; flex-wrap: wrap; margin-bottom: 0.7rem; }
    .fresh { font-size: 0.8rem; color: var(--oc-fg-muted); }
    .fresh.stale { color: var(--oc-stale); font-weight: 600; }
    .card.stale { border-style: dashed; }
    .gauges { display: grid; gap: 0.6rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 140px), 1fr)); }
    @media (min-width: 1024px) { .gauges { grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); } }
    /* Until the first status, only the problems card shows: its list (of any length) then goes in without moving the rest. */
    .layout.pending > :not(.problems) { visibility: hidden; }
    .problems ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.4rem; }
    .problems li { display: flex; align-items: center; gap: 0.6rem; flex-wrap: wrap; min-height: var(--oc-tap); }
    .problems a { color: var(--oc-fg); font-weight: 600; }
    .problems .detail { color: var(--oc-fg-muted); font-size: 0.875rem; overflow-wrap: anywhere; }
    .problems.has { border-color: var(--oc-bad); }
    .calm { display: flex; align-items: center; gap: 0.5rem; color: var(--oc-ok); font-weight: 600; margin: 0; }
    .calm.unknown { color: var(--oc-fg-muted); }
    .error { color: var(--oc-bad); margin: 0 0 0.5rem; }
    .pipeline p { margin: 0.5rem 0 0; color: var(--oc-fg-muted); }
    offline-banner { margin-bottom: var(--oc-gap); }
  `];

  @state() private health: HealthBody | null = null;
  @state() private history: SystemSample[] = [];
  @state() private procs: ProcessesView = { state: 'unknown', observedAt: null, processes: null, fromHealth: true };
  @state() private downSince: string | number | null = null;
  @state() private userRole: string | null = null;
  @state() private connection: ConnectionState = liveStore.connection;
  @state() private now = Date.now();
  @state() private refreshing = false;
  @state() private loadError = '';
  @state() private action: PendingAction | null = null;
  @state() private pull = 0;
  @state() private ops: OperationsToday | null = null;
  @state() private opsError = '';
  @state() private opsAt: number | null = null;
  /** The action dialog's module has loaded (it is imported on the first action). */
  @state() private dialogLoaded = false;

  /** Sparkline series, rebuilt only when the history changes (the page re-renders every few seconds). */
  private series = { cpu: [] as number[], memory: [] as number[], data: [] as number[], root: [] as number[], load: [] as number[] };
  private unsubscribe: Array<() => void> = [];
  private ticker: ReturnType<typeof setInterval> | null = null;
  private pullStartY: number | null = null;
  private lastProblemCount = -1;
  private readonly onConnection = () => { this.connection = liveStore.connection; this.now = Date.now(); };

  connectedCallback(): void {
    super.connectedCallback();
    liveStore.addEventListener('connection', this.onConnection);
    this.connection = liveStore.connection;
    this.unsubscribe = [
      liveStore.subscribe('status', (f) => this.onStatusFrame(f)),
      liveStore.subscribe('processes', (f) => this.onProcessesFrame(f)),
    ];
    // Staleness depends on the clock: re-evaluate every few seconds.
    this.ticker = setInterval(() => {
      this.now = Date.now();
      if (this.opsAt !== null && this.now - this.opsAt > OPERATIONS_EVERY_MS) void this.loadOperations();
    }, 5_000);
    this.addEventListener('touchstart', this.onTouchStart, { passive: true });
    this.addEventListener('touchmove', this.onTouchMove, { passive: true });
    this.addEventListener('touchend', this.onTouchEnd);
    this.firstLoad = this.refresh();
    api.me().then((me) => { this.userRole = me.user.role; }, () => { this.userRole = null; });
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    liveStore.removeEventListener('connection', this.onConnection);
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
    this.removeEventListener('touchstart', this.onTouchStart);
    this.removeEventListener('touchmove', this.onTouchMove);
    this.removeEventListener('touchend', this.onTouchEnd);
  }

  /** Fetches the status snapshot and the hour of samples (the service worker answers /api/health offline). */
  async refresh(): Promise<void> {
    this.refreshing = true;
    const [health, metrics] = await Promise.allSettled([
      api.get<HealthBody>('/api/health'),
      api.get<{ samples: SystemSample[] }>('/api/metrics/system?minutes=60'),
      this.loadOperations(),
      this.renderRoot.querySelector('webhook-widget-row')?.refresh(),
    ]);
    if (health.status === 'fulfilled') { this.applyHealth(health.value); this.loadError = ''; }
    else this.loadError = health.reason instanceof Error ? health.reason.message : 'The status could not be loaded.';
    if (metrics.status === 'fulfilled') this.history = mergeSamples(this.history, metrics.value.samples);
    this.now = Date.now();
    this.refreshing = false;
  }

  private async loadOperations(): Promise<void> {
    this.opsAt = Date.now();
    try {
      this.ops = await api.get<OperationsToday>('/api/operations/today');
      this.opsError = '';
    } catch (err) {
      this.opsError = err instanceof Error ? err.message : 'request failed';
    }
  }

  private applyHealth(body: HealthBody): void {
    // A cached (older) body must never replace a newer one that arrived live.
    if (this.health && Date.parse(body.generatedAt) < Date.parse(this.health.generatedAt)) return;
    this.health = body;
    const fromHealth = processesFromHealth(body);
    const current = this.procs;
    if (current.fromHealth || Date.parse(fromHealth.observedAt ?? '') > Date.parse(current.observedAt ?? '')) this.setProcs(fromHealth);
  }

  private onStatusFrame(frame: LiveFrame): void {
    if (frame.type === 'snapshot') {
      const data = frame.data as HealthBody & { history?: SystemSample[] };
      this.applyHealth(data);
      this.history = mergeSamples(this.history, data.history ?? []);
    } else if (frame.type === 'system.sample') {
      this.history = mergeSamples(this.history, [frame.data as SystemSample]);
    } else if (frame.type === 'health') {
      this.applyHealth(frame.data as HealthBody);
    }
  }

  private onProcessesFrame(frame: LiveFrame): void {
    if (frame.type !== 'snapshot' && frame.type !== 'processes') return;
    const data = frame.data as { state: ProcessesState; observedAt: string | null; processes: ProcessInfo[] | null; error?: string };
    this.setProcs({ ...data, fromHealth: false });
  }

  private setProcs(next: ProcessesView): void {
    if (next.state === 'down' && this.procs.state !== 'down') this.downSince = next.since ?? next.observedAt ?? Date.now();
    if (next.state !== 'down') this.downSince = null;
    this.procs = next;
  }

  private isStale(observedAt: string | number | null | undefined): boolean {
    if (observedAt === null || observedAt === undefined || this.connection === 'live') return false;
    const ms = typeof observedAt === 'number' ? observedAt : Date.parse(observedAt);
    return Number.isFinite(ms) && this.now - ms > STALE_AFTER_MS;
  }

  private get canAct(): boolean {
    return this.userRole === 'operator' || this.userRole === 'admin';
  }

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (!changed.has('history')) return;
    const h = this.history;
    const disk = (s: SystemSample, label: string) => s.disk.find((d) => d.label === label)?.percent ?? Number.NaN;
    this.series = {
      cpu: h.map((s) => s.cpu.percent), memory: h.map((s) => s.memory.percent),
      data: h.map((s) => disk(s, 'data')), root: h.map((s) => disk(s, 'root')), load: h.map((s) => s.load[0]),
    };
  }

  protected updated(): void {
    // The shell shows the open-problem count; it may listen for this rather than recompute it.
    const count = findProblems(this.health, this.procs).length;
    if (count !== this.lastProblemCount) {
      this.lastProblemCount = count;
      this.dispatchEvent(new CustomEvent('problem-count', { detail: { count }, bubbles: true, composed: true }));
    }
  }

  render() {
    const system = latestSystem(this.health, this.history);
    const asOf = Math.max(Date.parse(this.health?.generatedAt ?? '') || 0, Date.parse(system?.ts ?? '') || 0);
    // A device without network is said to be offline at once; a connection that is merely reconnecting
    // is flagged once the data is stale.
    const offline = this.health !== null && this.connection !== 'live' && (!navigator.onLine || this.isStale(asOf));
    return html`
      ${offline ? html`<offline-banner .asOf=${asOf} .connection=${this.connection}></offline-banner>` : nothing}
      ${this.pull > 0 ? html`<div class="pull" style="height:${Math.min(this.pull, PULL_TRIGGER_PX)}px" aria-hidden="true">
        ${this.pull >= PULL_TRIGGER_PX ? 'Release to refresh' : 'Pull to refresh'}</div>` : nothing}
      <div class="top">
        <h1>Status</h1>
        <button class="refresh" type="button" aria-busy=${this.refreshing ? 'true' : 'false'} @click=${() => this.refresh()}>
          <oc-icon .icon=${RefreshCw}></oc-icon>${this.refreshing ? 'Refreshing…' : 'Refresh'}</button>
      </div>
      <div class="layout ${this.health === null && !this.loadError ? 'pending' : ''}">
        ${this.renderProblems()}
        ${this.renderGauges(system)}
        <webhook-widget-row class="full"></webhook-widget-row>
        ${this.renderProcesses()}
        <div class="side">${this.renderServices()}${this.renderPipeline()}</div>
      </div>
      ${this.dialogLoaded ? html`<process-action-dialog .open=${this.action !== null} name=${this.action?.name ?? ''}
        op=${this.action?.op ?? 'restart'} .instances=${this.action?.instances ?? 1} .perform=${this.perform}
        @process-action-done=${() => this.refresh()} @process-action-closed=${() => { this.action = null; }}></process-action-dialog>` : nothing}`;
  }

  private freshness(observedAt: string | number | null | undefined) {
    if (observedAt === null || observedAt === undefined) return html`<span class="fresh">not received yet</span>`;
    return this.isStale(observedAt)
      ? html`<span class="fresh stale">stale since ${formatClock(observedAt)}</span>`
      : html`<span class="fresh">updated ${formatClock(observedAt)}</span>`;
  }

  private renderProblems() {
    const problems = findProblems(this.health, this.procs);
    const stale = this.isStale(this.health?.generatedAt);
    let body;
    if (this.loadError && !this.health) body = html`<p class="error" role="alert">Status could not be loaded — ${this.loadError}</p>`;
    else if (!this.health) body = html`<p class="calm unknown"><state-badge state="unknown"></state-badge>Status not known yet</p>`;
    else if (problems.length === 0) body = html`<p class="calm"><oc-icon .icon=${CircleCheck}></oc-icon>No problems${stale ? ' (last known)' : ''}</p>`;
    else body = html`<ul>${problems.map((p) => html`<li>
        <state-badge state=${p.state}></state-badge>
        ${p.href ? html`<a href=${p.href}>${p.title}</a>` : html`<strong>${p.title}</strong>`}
        ${p.detail ? html`<span class="detail">${p.detail}</span>` : nothing}
      </li>`)}</ul>`;
    return html`<section class="card problems full ${problems.length ? 'has' : ''} ${stale ? 'stale' : ''}" aria-labelledby="problems-h">
      <header><h2 id="problems-h">Problems${problems.length ? ` (${problems.length})` : ''}</h2>${this.freshness(this.health?.generatedAt)}</header>
      ${body}
    </section>`;
  }

  private renderGauges(system: (SystemSample & { observedAt?: string }) | null) {
    const observedAt = system ? (system.observedAt ?? system.ts) : null;
    const stale = this.isStale(observedAt);
    // The card header says when the figures were measured; each gauge only adds "stale since" when stale.
    const reason = this.loadError && !system ? `Status could not be loaded — ${this.loadError}` : 'No system sample received yet';
    const series = this.series;
    const disk = (label: 'data' | 'root') => system?.disk.find((d) => d.label === label) ?? null;
    const diskGauge = (label: 'data' | 'root', title: string) => {
      const d = disk(label);
      return html`<metric-gauge label=${title} .icon=${HardDrive} .value=${d ? d.percent : null} unit="%" .percent=${d ? d.percent : null}
        detail=${d ? `${formatBytes(d.usedBytes)} of ${formatBytes(d.totalBytes)} · ${d.path}` : ''}
        reason=${system && !d ? `The ${label} disk was not measured` : reason}
        .staleSince=${observedAt} ?stale=${stale}>
        <spark-line slot="spark" label="${title} last hour" unit="%" .values=${series[label]} .min=${0} .max=${100} ?stale=${stale}></spark-line>
      </metric-gauge>`;
    };
    const cores = system?.cpu.cores ?? 1;
    // The bar is full at twice the core count: "high" once runnable work exceeds the cores, "critical" at twice.
    const loadPercent = system ? Math.min(100, (system.load[0] / (2 * cores)) * 100) : null;
    return html`<section class="card full ${stale ? 'stale' : ''}" aria-labelledby="system-h">
      <header><h2 id="system-h">System</h2>${this.freshness(observedAt)}</header>
      <div class="gauges">
        <metric-gauge label="CPU" .icon=${Cpu} .value=${system?.cpu.percent ?? null} unit="%" .percent=${system?.cpu.percent ?? null}
          detail=${system ? `${system.cpu.cores} cores` : ''} reason=${reason} .staleSince=${observedAt} ?stale=${stale}>
          <spark-line slot="spark" label="CPU last hour" unit="%" .values=${series.cpu} .min=${0} .max=${100} ?stale=${stale}></spark-line>
        </metric-gauge>
        <metric-gauge label="Memory" .icon=${MemoryStick} .value=${system?.memory.percent ?? null} unit="%" .percent=${system?.memory.percent ?? null}
          detail=${system ? `${formatBytes(system.memory.usedBytes)} of ${formatBytes(system.memory.totalBytes)}` : ''}
          reason=${reason} .staleSince=${observedAt} ?stale=${stale}>
          <spark-line slot="spark" label="Memory last hour" unit="%" .values=${series.memory} .min=${0} .max=${100} ?stale=${stale}></spark-line>
        </metric-gauge>
        ${diskGauge('data', 'Data disk')}
        ${diskGauge('root', 'Root disk')}
        <metric-gauge label="Load average" .icon=${Gauge} .value=${system?.load[0] ?? null} .decimals=${2} .percent=${loadPercent}
          .warnAt=${50} .badAt=${100} detail=${system ? `5 min ${system.load[1].toFixed(2)} · 15 min ${system.load[2].toFixed(2)} · ${cores} cores` : ''}
          reason=${reason} .staleSince=${observedAt} ?stale=${stale}>
          <spark-line slot="spark" label="Load average last hour" .decimals=${2} .values=${series.load} .min=${0} ?stale=${stale}></spark-line>
        </metric-gauge>
        <metric-gauge label="Uptime" .icon=${Timer} .value=${system ? formatDuration(system.uptimeSeconds) : null}
          detail=${system ? 'since the machine booted' : ''} reason=${reason} .staleSince=${observedAt} ?stale=${stale}></metric-gauge>
      </div>
    </section>`;
  }

  private renderProcesses() {
    const p = this.procs;
    const stale = p.state !== 'down' && this.isStale(p.observedAt);
    return html`<section class="card ${stale ? 'stale' : ''}" aria-labelledby="processes-h" id="processes">
      <header><h2 id="processes-h">Processes</h2>${this.freshness(p.observedAt)}</header>
      <process-table .processes=${p.processes} .state=${p.state} .error=${p.error ?? ''} .since=${this.downSince}
        ?canAct=${this.canAct} ?stale=${stale} @process-action=${this.onProcessAction}></process-table>
    </section>`;
  }

  private renderServices() {
    const generatedAt = this.health?.generatedAt;
    const stale = this.isStale(generatedAt);
    const services: ServiceMap | null = this.health?.services ?? null;
    return html`<section class="card ${stale ? 'stale' : ''}" aria-labelledby="services-h">
      <header><h2 id="services-h">Services</h2>${this.freshness(generatedAt)}</header>
      <service-list .services=${services} ?stale=${stale}></service-list>
    </section>`;
  }

  private renderPipeline() {
    const asOf = this.ops ? (this.ops.generatedAt ?? this.opsAt) : null;
    const stale = this.opsError !== '' && this.ops !== null;
    return html`<section class="card pipeline ${stale ? 'stale' : ''}" aria-labelledby="pipeline-h">
      <header><h2 id="pipeline-h"><oc-icon .icon=${Workflow}></oc-icon> Today's pipeline</h2>${stale
        ? html`<span class="fresh stale">stale since ${formatClock(asOf ?? '')}</span>` : this.freshness(asOf)}</header>
      <pipeline-strip .data=${this.ops} error=${this.ops ? '' : this.opsError} ?stale=${stale}></pipeline-strip>
    </section>`;
  }

  private onProcessAction = async (e: CustomEvent<ProcessActionDetail>) => {
    const { name, op } = e.detail;
    const instances = this.procs.processes?.filter((p) => p.name === name).length || 1;
    // The dialog is drawn closed first, so it opens with its animation and takes the focus.
    if (!this.dialogLoaded) {
      try {
        await import('../components/process-action-dialog.js');
      } catch (err) {
        console.warn('page-home: the action dialog could not be loaded', err); // offline with an old cache: no action
        return;
      }
      this.dialogLoaded = true;
      await this.updateComplete;
    }
    this.action = { name, op, instances };
  };

  private perform = async (name: string, op: ProcessOp): Promise<ProcessInfo> => {
    const reply = await api.post<{ process: ProcessInfo }>(`/api/processes/${encodeURIComponent(name)}/${op}`);
    return reply.process;
  };

  // Pull to refresh: a downward drag that starts with nothing scrolled refetches.
  private onTouchStart = (e: TouchEvent) => {
    const scrolled = e.composedPath().some((n) => n instanceof Element && n.scrollTop > 0) || window.scrollY > 0;
    this.pullStartY = scrolled || this.refreshing ? null : (e.touches[0]?.clientY ?? null);
  };

  private onTouchMove = (e: TouchEvent) => {
    if (this.pullStartY === null) return;
    this.pull = Math.max(0, (e.touches[0]?.clientY ?? 0) - this.pullStartY);
  };

  private onTouchEnd = () => {
    if (this.pull >= PULL_TRIGGER_PX) void this.refresh();
    this.pullStartY = null;
    this.pull = 0;
  };
}

declare global {
  interface HTMLElementTagNameMap { 'page-home': PageHome }
}
