// Pure shaping of the agent viewer's data: the API's shapes as the client reads them, live `run` frames
// folded into agents / run lists / timelines, performance rows, trigger params and API field errors.
import type { AgentLaunch, AgentSchedule, RunStatus, RunSummary, LogLevel } from '../../../gateway/domain/agents/types.js';
import { formatDuration } from '../app/time-format.js';

export type { RunStatus, RunSummary, LogLevel };

/** GET /api/agents item (docs/api.md, AgentOverview); `currentRun` is used when the gateway sends it. */
export interface AgentView {
  name: string; parent: string | null; description: string; children: string[];
  schedule: AgentSchedule | null; launch: AgentLaunch | null; example: boolean;
  state: RunStatus | 'idle'; currentRunId: string | null; lastRun: RunSummary | null; nextRunAt: string | null;
  currentRun?: RunSummary | null;
}
export interface TimelineEntry { runId: string; agent: string; status: RunStatus; startedAt: string | null; endedAt: string | null; depth: number; degraded?: boolean }
export interface RunDetail {
  run: RunSummary & { trigger: RunSummary['trigger'] };
  children: RunSummary[];
  timeline: TimelineEntry[];
}
export interface LogLine { seq: number; ts: string; level: LogLevel | string; message: string }
export interface LogPage { lines: LogLine[]; nextAfter: number | null; hasMore: boolean }
export interface PerformanceEntry { agent: string; runs: number; successRate: number | null; p50Ms: number | null; p95Ms: number | null; apiCalls: number | null; tokens: number | null }
export interface PerformanceRow { agent: string; week: PerformanceEntry | null; month: PerformanceEntry | null }
export interface ScheduleView { agent: string; crons: string[]; timezone: string; enabled: boolean; nextRunAt: string | null; lastRun: RunSummary | null; missed: Array<{ expectedAt: string }> }
export type StageName = 'generation' | 'compliance' | 'approval' | 'distribution' | 'engagement';
export type StageState = 'no_data' | 'pending' | 'running' | 'done' | 'late' | 'failed';
export interface StageView { stage: StageName; state: StageState; counts: Record<string, number> | null; window: { startsAt: string; endsAt: string } | null; detail: string }
export interface OperationsToday { date: string; timezone: string; stages: StageView[]; advisors: unknown[]; generatedAt?: string }

/** Older than this while the live connection is not live = stale. */
export const STALE_AFTER_MS = 15_000;
export const OPEN_STATUSES: readonly RunStatus[] = ['queued', 'processing'];
export const RUN_STATUS_FILTERS: readonly RunStatus[] = ['queued', 'processing', 'completed', 'error', 'cancelled', 'crashed'];
export const STAGE_ORDER: readonly StageName[] = ['generation', 'compliance', 'approval', 'distribution', 'engagement'];

export function isOpen(status: string): boolean {
  return status === 'queued' || status === 'processing';
}
export function isFailed(status: string): boolean {
  return status === 'error' || status === 'crashed';
}

/** The state an agent or run is shown in: a degraded open run says so. */
export function displayState(status: string, degraded = false): string {
  return degraded && isOpen(status) ? 'degraded' : status;
}

/** When a run began (or was queued), for ordering newest first. */
export function runTime(run: Pick<RunSummary, 'startedAt' | 'queuedAt' | 'lastEventAt'>): number {
  return Date.parse(run.startedAt ?? run.queuedAt ?? run.lastEventAt ?? '') || 0;
}

/**
 * What an agent is shown as: its open run's state (or degraded), else its last run's outcome (so a failed
 * last run stays visible after the gateway calls the agent idle), else idle.
 */
export function agentDisplayState(agent: AgentView): string {
  const current = currentRunOf(agent);
  if (current && isOpen(current.status)) return displayState(current.status, current.degraded);
  if (isOpen(agent.state)) return agent.state;
  return agent.lastRun && !isOpen(agent.lastRun.status) ? agent.lastRun.status : 'idle';
}

/** The agent's open run: sent as `currentRun`, or the `lastRun` when that is the current one. */
export function currentRunOf(agent: AgentView): RunSummary | null {
  if (agent.currentRun) return agent.currentRun;
  if (agent.currentRunId && agent.lastRun?.runId === agent.currentRunId) return agent.lastRun;
  return null;
}

/** Folds a live run summary into the agents: the current run while open, the last run once finished. */
export function applyRunToAgents(agents: readonly AgentView[], run: RunSummary): AgentView[] {
  const index = agents.findIndex((a) => a.name === run.agent);
  if (index < 0) return agents as AgentView[];
  const agent = agents[index]!;
  let next: AgentView;
  if (isOpen(run.status)) {
    const newest = !agent.lastRun || agent.lastRun.runId === run.runId || runTime(run) >= runTime(agent.lastRun);
    next = { ...agent, state: run.status, currentRunId: run.runId, currentRun: run, lastRun: newest ? run : agent.lastRun };
  } else {
    const wasCurrent = agent.currentRunId === null || agent.currentRunId === run.runId;
    const newer = !agent.lastRun || agent.lastRun.runId === run.runId || runTime(run) >= runTime(agent.lastRun);
    next = {
      ...agent,
      lastRun: newer ? run : agent.lastRun,
      ...(wasCurrent ? { state: 'idle' as const, currentRunId: null, currentRun: null } : {}),
    };
  }
  const copy = agents.slice();
  copy[index] = next;
  return copy;
}

/** Attaches known open runs to agents whose `currentRunId` names them (the HTTP list carries only the id). */
export function attachOpenRuns(agents: readonly AgentView[], openRuns: Iterable<RunSummary>): AgentView[] {
  let result = agents as AgentView[];
  for (const run of openRuns) result = applyRunToAgents(result, run);
  return result;
}

export interface RunFilter { agent: string; status: string }

export function matchesFilter(run: RunSummary, filter: RunFilter): boolean {
  return (!filter.agent || run.agent === filter.agent) && (!filter.status || run.status === filter.status);
}

/** Replaces a run in a newest-first list, or inserts it when it matches the filter; capped at `max`. */
export function upsertRun(runs: readonly RunSummary[], run: RunSummary, filter: RunFilter, max = 200): RunSummary[] {
  const index = runs.findIndex((r) => r.runId === run.runId);
  if (index >= 0) {
    if (!matchesFilter(run, filter)) return runs.filter((r) => r.runId !== run.runId);
    const copy = runs.slice();
    copy[index] = run;
    return copy;
  }
  if (!matchesFilter(run, filter)) return runs as RunSummary[];
  const at = runs.findIndex((r) => runTime(r) < runTime(run));
  const copy = runs.slice();
  copy.splice(at < 0 ? copy.length : at, 0, run);
  return copy.slice(0, max);
}

/** Updates or adds a run in a timeline: a new child goes right after its parent's subtree. */
export function upsertTimeline(entries: readonly TimelineEntry[], run: RunSummary): TimelineEntry[] {
  const entry = (depth: number): TimelineEntry => ({ runId: run.runId, agent: run.agent, status: run.status,
    startedAt: run.startedAt ?? run.queuedAt, endedAt: run.endedAt, depth, degraded: run.degraded });
  const index = entries.findIndex((e) => e.runId === run.runId);
  if (index >= 0) {
    const copy = entries.slice();
    copy[index] = entry(entries[index]!.depth);
    return copy;
  }
  const parentIndex = entries.findIndex((e) => e.runId === run.parentRunId);
  if (parentIndex < 0) return entries as TimelineEntry[];
  const parentDepth = entries[parentIndex]!.depth;
  let at = parentIndex + 1;
  while (at < entries.length && entries[at]!.depth > parentDepth) at += 1;
  const copy = entries.slice();
  copy.splice(at, 0, entry(parentDepth + 1));
  return copy;
}

export interface TimelineRow extends TimelineEntry { leftPct: number; widthPct: number; open: boolean; started: boolean }
export interface TimelineLayout { startMs: number; endMs: number; rows: TimelineRow[]; ticks: Array<{ ms: number; pct: number }> }

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const TICK_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600].map((s) => s * 1000);

/** Bars as percentages of the span from the first start to the last end (open runs end at `now`). */
export function timelineLayout(entries: readonly TimelineEntry[], now: number): TimelineLayout {
  const starts = entries.map((e) => Date.parse(e.startedAt ?? '')).filter(Number.isFinite);
  const endOf = (e: TimelineEntry) => {
    const end = Date.parse(e.endedAt ?? '');
    return Number.isFinite(end) ? end : now;
  };
  const startMs = starts.length ? Math.min(...starts) : now;
  const endMs = Math.max(startMs + 1000, ...entries.filter((e) => e.startedAt).map(endOf));
  const span = endMs - startMs;
  const rows = entries.map((e): TimelineRow => {
    const start = Date.parse(e.startedAt ?? '');
    const open = isOpen(e.status);
    if (!Number.isFinite(start)) return { ...e, leftPct: 0, widthPct: 0, open, started: false };
    const end = Math.max(start, open ? now : endOf(e));
    return { ...e, leftPct: round3(((start - startMs) / span) * 100), widthPct: round3(((end - start) / span) * 100), open, started: true };
  });
  const step = TICK_STEPS_MS.find((s) => span / s <= 4) ?? 43_200_000;
  const ticks: Array<{ ms: number; pct: number }> = [];
  for (let t = Math.ceil(startMs / step) * step; t <= endMs; t += step) ticks.push({ ms: t, pct: round3(((t - startMs) / span) * 100) });
  return { startMs, endMs, rows, ticks };
}

/** One row per agent with its 7- and 30-day figures; worst 7-day success rate first. */
export function mergePerformance(week: readonly PerformanceEntry[], month: readonly PerformanceEntry[]): PerformanceRow[] {
  const names = new Set([...week.map((p) => p.agent), ...month.map((p) => p.agent)]);
  const rows = [...names].map((agent) => ({ agent, week: week.find((p) => p.agent === agent) ?? null, month: month.find((p) => p.agent === agent) ?? null }));
  const rate = (r: PerformanceRow) => (r.week && r.week.runs > 0 && r.week.successRate !== null ? r.week.successRate : 2);
  return rows.sort((a, b) => rate(a) - rate(b) || a.agent.localeCompare(b.agent));
}

/** Success rate as the gateway sends it (a fraction 0–1) → "93 %"; "—" without runs. */
export function formatRate(entry: PerformanceEntry | null): string {
  if (!entry || entry.runs === 0 || entry.successRate === null || !Number.isFinite(entry.successRate)) return '—';
  return `${Math.round(entry.successRate * 100)} %`;
}

/** "850 ms", "12.4 s", "3 min 05 s"; "—" for none. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

const numberFormat = new Intl.NumberFormat('en-IN');
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : numberFormat.format(n);
}

/** "pendingApproval" → "pending approval". */
export function humanizeKey(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
}

export type ParamsResult = { ok: true; params: Record<string, unknown> | undefined } | { ok: false; error: string };

/** The trigger's optional parameters: empty = none; otherwise a JSON object (not an array or a value). */
export function parseParams(text: string): ParamsResult {
  if (text.trim() === '') return { ok: true, params: undefined };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `Not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: 'Parameters must be a JSON object, e.g. {"advisor": "ARN-1234"}.' };
  }
  return { ok: true, params: value as Record<string, unknown> };
}

function normaliseField(key: string): string {
  return key.replace(/\[(\d+)\]/g, '.$1').replace(/^crons?\b/, 'cron').replace(/^timeZone$/, 'timezone').replace(/^\./, '');
}
function messageOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(messageOf).filter(Boolean).join('; ') || null;
  if (value && typeof value === 'object') {
    // The gateway's validation details say `problem`; other shapes say `message`.
    const v = value as { message?: unknown; problem?: unknown };
    if (typeof v.problem === 'string') return v.problem;
    if (typeof v.message === 'string') return v.message;
  }
  return null;
}

/**
 * Per-field messages from an API error's `details`, whatever of the usual forms it takes:
 * `{field: message}`, `{fields|fieldErrors|errors: …}`, or issues `[{path|field, problem|message}]` (the gateway's
 * validation sends `[{field: 'cron.1', problem}]`).
 * Keys are normalised: `cron` (all), `cron.N` (one expression), `timezone`, `enabled`.
 */
export function fieldErrors(details: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!details || typeof details !== 'object') return out;
  if (Array.isArray(details)) {
    for (const issue of details) {
      if (!issue || typeof issue !== 'object') continue;
      const i = issue as { path?: unknown; field?: unknown; key?: unknown; index?: unknown };
      const path = Array.isArray(i.path) ? i.path.join('.') : (i.path ?? i.field ?? i.key);
      const message = messageOf(i);
      if (typeof path !== 'string' || !message) continue;
      const key = normaliseField(typeof i.index === 'number' && !/\.\d+$/.test(path) ? `${path}.${i.index}` : path);
      out[key] = out[key] ? `${out[key]}; ${message}` : message;
    }
    return out;
  }
  const record = details as Record<string, unknown>;
  for (const nested of ['fields', 'fieldErrors', 'errors', 'issues']) {
    if (record[nested] && typeof record[nested] === 'object') return fieldErrors(record[nested]);
  }
  for (const [key, value] of Object.entries(record)) {
    if (Array.isArray(value) && value.some((v) => v && typeof v === 'object' && 'index' in v)) {
      for (const v of value as Array<{ index?: unknown; message?: unknown }>) {
        if (typeof v.index === 'number' && typeof v.message === 'string') out[`${normaliseField(key)}.${v.index}`] = v.message;
      }
      continue;
    }
    const message = messageOf(value);
    if (message) out[normaliseField(key)] = message;
  }
  return out;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "30 20 * * *" → "every day at 20:30"; anything less simple is shown as written. */
export function describeCron(expr: string): string {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) return expr;
  const [min, hour, dom, mon, dow] = parts as [string, string, string, string, string];
  if (!/^\d{1,2}$/.test(min) || !/^\d{1,2}$/.test(hour) || dom !== '*' || mon !== '*') return expr;
  const at = `${hour.padStart(2, '0')}:${min.padStart(2, '0')}`;
  if (dow === '*') return `every day at ${at}`;
  if (/^[0-6](,[0-6])*$/.test(dow)) return `${dow.split(',').map((d) => WEEKDAYS[Number(d)]).join(', ')} at ${at}`;
  if (dow === '1-5') return `weekdays at ${at}`;
  return expr;
}

/** What a manual trigger will start, in words, for the confirmation. */
export function describeLaunch(agent: Pick<AgentView, 'name' | 'launch' | 'children'>): string {
  const parts: string[] = [];
  if (agent.launch) parts.push(`It launches \`${[agent.launch.command, ...agent.launch.args].join(' ')}\``);
  else parts.push('It asks the gateway to launch it');
  if (agent.children.length) parts.push(`which runs ${agent.children.join(', ')}`);
  const timeout = agent.launch ? `; it is stopped after ${formatDuration(agent.launch.timeoutSeconds)} at the latest` : '';
  return `${parts.join(' ')}${timeout}.`;
}
