// Worker task: per-agent performance over the last N days, folded from the agent-events journal through the
// run reducer: runs started in the window, success rate of the finished ones, duration p50/p95, API calls, tokens.
import { scanStream, JournalIssues } from '../gateway/store/journal-scan.js';
import type { JournalIssue } from '../gateway/store/journal-reader.js';
import { RunFold, AGENT_EVENTS_STREAM } from '../gateway/domain/agents/run-recovery.js';
import { isTerminal, summarize } from '../gateway/domain/agents/run-reducer.js';
import type { AgentEvent, RunSummary } from '../gateway/domain/agents/types.js';

export interface AgentStatsPayload {
  journalDir: string;
  /** ms epoch: runs started at or after it count. */
  from: number;
}

export interface AgentPerformance {
  agent: string;
  runs: number;
  finished: number;
  completed: number;
  failed: number;
  /** completed / finished; null when no run has finished. */
  successRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  apiCalls: number;
  tokens: number;
}

// Runs that started shortly before the window still deliver their start event: read a day earlier so a run's
// whole life is folded, then count only those that started inside the window.
const LEAD_MS = 24 * 3_600_000;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function performanceOf(runs: Iterable<RunSummary>, from: number): AgentPerformance[] {
  const byAgent = new Map<string, RunSummary[]>();
  for (const run of runs) {
    const started = Date.parse(run.startedAt ?? run.queuedAt ?? '');
    if (!(started >= from)) continue;
    const list = byAgent.get(run.agent);
    if (list) list.push(run);
    else byAgent.set(run.agent, [run]);
  }
  return [...byAgent.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([agent, list]) => {
      const finished = list.filter((r) => isTerminal(r.status));
      const completed = finished.filter((r) => r.status === 'completed').length;
      const durations = finished.map((r) => r.durationMs).filter((d): d is number => d !== null).sort((a, b) => a - b);
      const sum = (name: string) => list.reduce((total, r) => total + (r.metrics[name] ?? 0), 0);
      return {
        agent,
        runs: list.length,
        finished: finished.length,
        completed,
        failed: finished.length - completed,
        successRate: finished.length === 0 ? null : completed / finished.length,
        p50Ms: percentile(durations, 50),
        p95Ms: percentile(durations, 95),
        apiCalls: sum('apiCalls'),
        tokens: sum('tokens'),
      };
    });
}

export default async function agentStats({ payload }: { payload: AgentStatsPayload }): Promise<{ agents: AgentPerformance[]; journalIssues: JournalIssue[]; journalIssuesMore: number }> {
  const fold = new RunFold(Number.MAX_SAFE_INTEGER);
  const issues = new JournalIssues();
  const from = new Date(payload.from - LEAD_MS).toISOString();
  await scanStream(payload.journalDir, { stream: AGENT_EVENTS_STREAM, order: 'asc', from }, issues, (item, where) => {
    const event = item.event as AgentEvent | undefined;
    if (typeof event?.id !== 'string' || typeof event.runId !== 'string') return void issues.invalid(AGENT_EVENTS_STREAM, where, 'not an agent event line');
    try {
      fold.apply(event, item.ts, typeof item.owner === 'string' ? item.owner : null);
    } catch (err) {
      issues.invalid(AGENT_EVENTS_STREAM, where, `replay failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500));
    }
  });
  return { agents: performanceOf([...fold.runs.values()].map(summarize), payload.from), journalIssues: issues.list, journalIssuesMore: issues.more };
}
