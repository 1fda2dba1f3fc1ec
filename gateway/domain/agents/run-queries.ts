// Read side of the runs: history (newest first, memory first, the journal via the pool beyond it), a run with
// its tree and timeline, its log lines by seq, per-agent performance, and today's operation status.
import { badRequest, notFound } from '../../http/api-error.js';
import { summarize } from './run-reducer.js';
import { aggregateTree, timeline } from './run-tree.js';
import { compareKeys, reviveRun, sortKeyOf, type SortKey } from './run-recovery.js';
import type { RunService } from './run-service.js';
import type { RunLogLine } from './run-log-buffer.js';
import { businessDate, businessDayBounds, computeOperationsToday, type OperationsToday, type ScheduleSource } from './operations-today.js';
import type { AgentPerformance } from '../../../workers/agent-stats.js';
import type { RunState, RunStatus, RunSummary, RunTimelineEntry, RunTreeNode } from './types.js';

/** The run service plus what its read side needs (the pool and the journal directory). */
export type RunQueryDeps = Pick<RunService, 'runs' | 'get' | 'horizon' | 'logsFromMemory' | 'pool' | 'journalDir'>;

export interface RunListQuery {
  agent?: string;
  status?: RunStatus;
  since?: string;
  limit: number;
  cursor?: string;
}

export function encodeRunCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeRunCursor(cursor: string): SortKey {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<SortKey>;
    if (Number.isFinite(key.t) && typeof key.r === 'string') return { t: key.t!, r: key.r };
  } catch {
    // fall through to the refusal below
  }
  throw badRequest('The cursor is not one this server handed out.', [{ field: 'cursor', problem: 'invalid' }]);
}

export async function listRuns(d: RunQueryDeps, q: RunListQuery): Promise<{ runs: RunSummary[]; nextCursor: string | null }> {
  const before = q.cursor ? decodeRunCursor(q.cursor) : undefined;
  const since = q.since ? Date.parse(q.since) : -Infinity;
  const horizon = d.horizon;
  // Above the horizon memory holds every run there is; below it the journal is the authority.
  const fromMemory: Array<{ run: RunState; key: SortKey }> = [];
  for (const run of d.runs().values()) {
    if ((q.agent && run.agent !== q.agent) || (q.status && run.status !== q.status)) continue;
    const key = sortKeyOf(run);
    if (key.t < since || (before && compareKeys(before, key) >= 0) || (horizon && compareKeys(horizon, key) <= 0)) continue;
    fromMemory.push({ run, key });
  }
  fromMemory.sort((a, b) => compareKeys(a.key, b.key));
  const page = fromMemory.slice(0, q.limit).map(({ run }) => summarize(run));
  let more = fromMemory.length > q.limit;
  if (!more && page.length < q.limit && horizon) {
    const last = page.at(-1);
    const older = await d.pool.run<{ runs: RunSummary[]; more: boolean }>('agent-replay', {
      mode: 'list',
      journalDir: d.journalDir,
      from: q.since,
      agent: q.agent,
      status: q.status,
      before: last ? sortKeyOf(last) : before,
      limit: q.limit - page.length,
      exclude: [],
    });
    page.push(...older.runs);
    more = older.more;
  }
  const last = page.at(-1);
  return { runs: page, nextCursor: more && last ? encodeRunCursor(sortKeyOf(last)) : null };
}

export interface RunDetail {
  run: RunSummary;
  children: RunSummary[];
  tree: RunTreeNode;
  timeline: RunTimelineEntry[];
}

export async function runDetail(d: RunQueryDeps, runId: string): Promise<RunDetail> {
  let runs: ReadonlyMap<string, RunState> = d.runs();
  if (!runs.has(runId)) {
    const found = await d.pool.run<{ runs: RunState[] }>('agent-replay', { mode: 'tree', journalDir: d.journalDir, runId });
    runs = new Map(found.runs.map((r) => [r.runId, reviveRun(r)]));
  }
  const run = runs.get(runId);
  const tree = run ? aggregateTree(runs, runId) : null;
  if (!run || !tree) throw notFound(`No run with id "${runId}".`);
  const children = run.children.flatMap((id) => {
    const child = runs.get(id);
    return child ? [summarize(child)] : [];
  });
  return { run: tree.run, children, tree, timeline: timeline(runs, runId) };
}

export interface RunLogsPage {
  lines: RunLogLine[];
  nextAfter: number;
  hasMore: boolean;
}

export async function runLogs(d: RunQueryDeps, runId: string, after: number, limit: number): Promise<RunLogsPage> {
  let page = d.logsFromMemory(runId, after, limit);
  if (!page) {
    const found = await d.pool.run<{ found: boolean; lines: RunLogLine[]; hasMore: boolean }>('agent-replay', { mode: 'logs', journalDir: d.journalDir, runId, after, limit });
    if (!found.found && !d.get(runId)) throw notFound(`No run with id "${runId}".`);
    page = found;
  }
  return { lines: page.lines, nextAfter: page.lines.at(-1)?.seq ?? after, hasMore: page.hasMore };
}

export async function agentPerformance(d: RunQueryDeps, days: number, now: number): Promise<{ days: number; agents: AgentPerformance[] }> {
  const result = await d.pool.run<{ agents: AgentPerformance[] }>('agent-stats', { journalDir: d.journalDir, from: now - days * 86_400_000 });
  return { days, agents: result.agents };
}

/** Today's stages from memory; another day's from the journal (the runs that started in it). */
export async function operationsFor(d: RunQueryDeps, definitions: readonly ScheduleSource[], now: number, date?: string): Promise<OperationsToday> {
  const today = businessDate(now);
  const day = date ?? today;
  let runs: RunSummary[] | RunState[] = [...d.runs().values()];
  if (day !== today) {
    const { start, end } = businessDayBounds(day);
    if (start > now) runs = [];
    else {
      const found = await d.pool.run<{ runs: RunSummary[] }>('agent-replay', { mode: 'day', journalDir: d.journalDir, from: new Date(start).toISOString(), to: new Date(end).toISOString() });
      runs = found.runs;
    }
  }
  return computeOperationsToday({ date: day, now, runs, definitions });
}

export function operationsNow(d: Pick<RunQueryDeps, 'runs'>, definitions: readonly ScheduleSource[], now: number): OperationsToday {
  return computeOperationsToday({ date: businessDate(now), now, runs: [...d.runs().values()], definitions });
}
