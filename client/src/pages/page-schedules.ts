// Schedules: per agent its cron times and timezone, next run, last run with its outcome and missed runs
// (worst first); admins edit a schedule in place. Talks to the API and the live store (topic `agents`, for
// last-run outcomes as they happen).
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { ArrowLeft, CalendarClock, CalendarOff, Pencil, RefreshCw, TriangleAlert } from 'lucide';
import { tokens, focusRing } from '../styles/theme.js';
import { pageFrame } from '../styles/page-frame.js';
import { api, ApiClientError } from '../api/api-client.js';
import { liveStore, type ConnectionState, type LiveFrame, type LiveStore } from '../live/live-store.js';
import { liveContext } from '../live/live-context.js';
import { PageLivenessController } from '../live/page-liveness.js';
import { freshnessNote } from './page-freshness.js';
import { formatClock, formatRelative } from '../app/time-format.js';
import { describeCron, fieldErrors, isFailed, isOpen, runTime, STALE_AFTER_MS, type RunSummary, type ScheduleView } from './agents-data.js';
import { runHref } from '../components/run-history.js';
import type { ScheduleSaveDetail, ScheduleValue } from '../components/schedule-editor.js';
import '../components/oc-icon.js';
import '../components/state-badge.js';
import '../components/schedule-editor.js';
import type { LoadsFirstData } from '../app/first-load.js';

/** Missed runs first, then failed last runs, then the soonest next run. */
export function sortSchedules(list: readonly ScheduleView[]): ScheduleView[] {
  const rank = (s: ScheduleView) => (s.missed.length ? 0 : s.lastRun && isFailed(s.lastRun.status) ? 1 : 2);
  const next = (s: ScheduleView) => Date.parse(s.nextRunAt ?? '') || Number.MAX_SAFE_INTEGER;
  return [...list].sort((a, b) => rank(a) - rank(b) || next(a) - next(b) || a.agent.localeCompare(b.agent));
}

@customElement('page-schedules')
export class PageSchedules extends LitElement implements LoadsFirstData {
  /** The first refresh (first-load.ts): the shell shows the page once it has settled. */
  firstLoad: Promise<unknown> | null = null;

  static styles = [tokens, focusRing, pageFrame, css`
    :host { max-width: 1200px; }
    h2 { overflow-wrap: anywhere; }
    .back { display: inline-flex; align-items: center; gap: 0.3rem; min-height: var(--oc-tap); color: var(--oc-fg); }
    .btn { display: inline-flex; align-items: center; gap: 0.4rem; min-height: var(--oc-tap); padding: 0 0.9rem; border-radius: 8px;
      border: 1px solid var(--oc-border); background: var(--oc-surface); color: var(--oc-fg); font: inherit; cursor: pointer; }
    .top .refresh { margin-left: auto; }
    ul.list { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.8rem; grid-template-columns: minmax(0, 1fr); }
    @media (min-width: 1024px) { ul.list { grid-template-columns: repeat(2, minmax(0, 1fr)); } li.editing { grid-column: 1 / -1; } }
    li.card { background: var(--oc-surface); border: 1px solid var(--oc-border); border-radius: var(--oc-radius); padding: 0.9rem; min-width: 0; }
    li.card.missed { border: 2px solid var(--oc-warn); }
    li.card.stale { border-style: dashed; }
    .head { display: flex; align-items: center; gap: 0.5rem; flex-wrap: wrap; margin-bottom: 0.6rem; }
    .head .edit { margin-left: auto; }
    .enabled { display: inline-flex; align-items: center; gap: 0.3rem; font-size: 0.85rem; font-weight: 600; --oc-icon-size: 1em; }
    .enabled.off { color: var(--oc-fg-muted); }
    dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.35rem 0.8rem; margin: 0; font-size: 0.9rem; }
    dt { color: var(--oc-fg-muted); } dd { margin: 0; overflow-wrap: anywhere; }
    dd a { color: var(--oc-accent); }
    code { font-family: var(--oc-mono); font-size: 0.8rem; color: var(--oc-fg-muted); margin-left: 0.4rem; white-space: nowrap; }
    .missed-list { color: var(--oc-warn); font-weight: 600; display: flex; gap: 0.3rem; align-items: flex-start; --oc-icon-size: 1em; }
    .missed-list ul { margin: 0; padding-left: 1rem; font-weight: 400; }
    schedule-editor { margin-top: 0.8rem; }
    .error { color: var(--oc-bad); margin: 0 0 0.5rem; }
    .saved { color: var(--oc-ok); font-weight: 600; margin: 0 0 0.5rem; }
    .empty { color: var(--oc-fg-muted); }
  `];

  @consume({ context: liveContext }) @property({ attribute: false }) live: LiveStore = liveStore;

  @state() schedules: ScheduleView[] = [];
  @state() private loaded = false;
  @state() private userRole: string | null = null;
  @state() private connection: ConnectionState = 'offline';
  @state() private now = Date.now();
  @state() private updatedAt: number | null = null;
  @state() private loadError = '';
  @state() editing = '';
  @state() private saving = false;
  /** The schedule as it was when editing began (a stable object: a new one would reset the editor). */
  @state() private editValue: ScheduleValue = { crons: [], timezone: 'Asia/Kolkata', enabled: true };
  @state() private saveErrors: Record<string, string> = {};
  @state() private saveError = '';
  @state() private savedNote = '';

  private readonly liveness = new PageLivenessController(this, { tickMs: 10_000, topics: { agents: (f) => this.onAgentsFrame(f) } });

  connectedCallback(): void {
    super.connectedCallback();
    this.firstLoad = this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      const reply = await api.get<{ schedules: ScheduleView[] }>('/api/schedules');
      this.schedules = reply.schedules;
      this.loadError = '';
      this.updatedAt = Date.now();
    } catch (err) {
      this.loadError = err instanceof Error ? err.message : 'The schedules could not be loaded.';
    }
    this.loaded = true;
    this.now = Date.now();
  }

  private onAgentsFrame(frame: LiveFrame): void {
    if (frame.type !== 'run') return;
    const run = frame.data as RunSummary;
    if (isOpen(run.status)) return;
    const i = this.schedules.findIndex((s) => s.agent === run.agent);
    const current = this.schedules[i];
    if (!current || (current.lastRun && current.lastRun.runId !== run.runId && runTime(current.lastRun) > runTime(run))) return;
    const next = this.schedules.slice();
    next[i] = { ...current, lastRun: run };
    this.schedules = next;
    this.updatedAt = Date.now();
  }

  private get stale(): boolean {
    return this.connection !== 'live' && this.updatedAt !== null && this.now - this.updatedAt > STALE_AFTER_MS;
  }

  render() {
    const isAdmin = this.userRole === 'admin';
    return html`<div class="top">
        <a class="back" href="/agents"><oc-icon .icon=${ArrowLeft}></oc-icon>Agents</a>
        <h1>Schedules</h1>${freshnessNote(this.updatedAt, this.stale)}
        <button class="btn refresh" type="button" @click=${() => this.refresh()}><oc-icon .icon=${RefreshCw}></oc-icon>Refresh</button>
      </div>
      ${this.loadError ? html`<p class="error" role="alert">Schedules could not be loaded — ${this.loadError}</p>` : nothing}
      ${this.savedNote ? html`<p class="saved" role="status">${this.savedNote}</p>` : nothing}
      ${this.loaded && this.schedules.length === 0 && !this.loadError ? html`<p class="empty">No agent has a schedule.</p>` : nothing}
      <ul class="list">${sortSchedules(this.schedules).map((s) => this.renderSchedule(s, isAdmin))}</ul>`;
  }

  private renderSchedule(s: ScheduleView, isAdmin: boolean) {
    const editing = this.editing === s.agent;
    return html`<li class="card ${s.missed.length ? 'missed' : ''} ${editing ? 'editing' : ''} ${this.stale ? 'stale' : ''}" data-agent=${s.agent}>
      <div class="head"><h2>${s.agent}</h2>
        ${s.enabled ? html`<span class="enabled"><oc-icon .icon=${CalendarClock}></oc-icon>enabled</span>`
          : html`<span class="enabled off"><oc-icon .icon=${CalendarOff}></oc-icon>disabled</span>`}
        ${isAdmin && !editing ? html`<button class="btn edit" type="button" aria-label="Edit the schedule of ${s.agent}"
          @click=${() => this.startEdit(s)}><oc-icon .icon=${Pencil}></oc-icon>Edit</button>` : nothing}</div>
      <dl>
        <dt>Runs</dt><dd>${s.crons.length ? s.crons.map((c) => html`<div>${describeCron(c)} <code>${c}</code></div>`) : 'no times set'}
          <div class="fresh">${s.timezone}</div></dd>
        <dt>Next run</dt><dd>${s.enabled && s.nextRunAt ? html`${formatClock(s.nextRunAt)} (${formatRelative(s.nextRunAt, this.now)})` : s.enabled ? '—' : 'none (disabled)'}</dd>
        <dt>Last run</dt><dd>${s.lastRun ? html`<state-badge state=${s.lastRun.status}></state-badge>
          <a href=${runHref(s.lastRun.runId, isFailed(s.lastRun.status))}>${formatRelative(s.lastRun.startedAt ?? s.lastRun.queuedAt ?? '', this.now)}</a>` : 'never run'}</dd>
        ${s.missed.length ? html`<dt>Missed</dt><dd class="missed-list"><oc-icon .icon=${TriangleAlert}></oc-icon>
          <span>${s.missed.length} missed run${s.missed.length === 1 ? '' : 's'} in the last 24 h
          <ul>${s.missed.map((m) => html`<li>expected ${formatClock(m.expectedAt)} (${formatRelative(m.expectedAt, this.now)})</li>`)}</ul></span></dd>` : nothing}
      </dl>
      ${editing ? html`<schedule-editor agent=${s.agent} .value=${this.editValue}
        .errors=${this.saveErrors} formError=${this.saveError} ?saving=${this.saving}
        @schedule-save=${this.onSave} @schedule-cancel=${() => { this.editing = ''; }}></schedule-editor>` : nothing}
    </li>`;
  }

  private startEdit(s: ScheduleView): void {
    this.editing = s.agent;
    this.editValue = { crons: [...s.crons], timezone: s.timezone, enabled: s.enabled };
    this.saveErrors = {};
    this.saveError = '';
    this.savedNote = '';
  }

  private onSave = async (e: CustomEvent<ScheduleSaveDetail>) => {
    const { agent, crons, timezone, enabled } = e.detail;
    this.saving = true;
    this.saveErrors = {};
    this.saveError = '';
    try {
      await api.request(`/api/schedules/${encodeURIComponent(agent)}`, { method: 'PUT', body: { cron: crons, timezone, enabled } });
      this.editing = '';
      this.savedNote = `Saved the schedule of ${agent}.`;
      await this.refresh();
    } catch (err) {
      const fields = err instanceof ApiClientError ? fieldErrors(err.details) : {};
      this.saveErrors = fields;
      this.saveError = Object.keys(fields).length ? '' : (err instanceof Error ? err.message : 'The schedule could not be saved.');
    } finally {
      this.saving = false;
    }
  };
}

declare global {
  interface HTMLElementTagNameMap { 'page-schedules': PageSchedules }
}
