// GET /api/agents and the `agents` live snapshot: each definition with its children, its current state and
// last run (from the run service's memory) and its next scheduled run.
import { isTerminal, summarize } from './run-reducer.js';
import type { AgentDefinition, AgentLaunch, AgentSchedule, RunState, RunStatus, RunSummary } from './types.js';
import type { RunHistory } from './scheduler.js';
import type { RunRecord } from './schedule-times.js';

export interface AgentOverview {
  name: string;
  parent: string | null;
  description: string;
  children: string[];
  schedule: AgentSchedule | null;
  /** Environment values may be secrets (API keys): only their names are shown. */
  launch: PublicLaunch | null;
  example: boolean;
  /** The newest open run's status, or idle. */
  state: RunStatus | 'idle';
  currentRunId: string | null;
  /** The newest run (the current one while running). */
  lastRun: RunSummary | null;
  nextRunAt: string | null;
}

export type PublicLaunch = Omit<AgentLaunch, 'env'> & { envKeys: string[] };

export function publicLaunch(launch: AgentLaunch): PublicLaunch {
  const { env, ...rest } = launch;
  return { ...rest, envKeys: Object.keys(env ?? {}) };
}

export interface RunMemory {
  runs(): ReadonlyMap<string, RunState>;
}

const beganAt = (run: Pick<RunState, 'startedAt' | 'queuedAt'>) => run.startedAt ?? run.queuedAt ?? '';
const newestFirst = (a: RunState, b: RunState) => beganAt(b).localeCompare(beganAt(a));

/** The agents' runs held in memory (open + recent finished), newest first. */
export function runsByAgent(memory: RunMemory): Map<string, RunState[]> {
  const byAgent = new Map<string, RunState[]>();
  for (const run of memory.runs().values()) {
    const list = byAgent.get(run.agent);
    if (list) list.push(run);
    else byAgent.set(run.agent, [run]);
  }
  for (const list of byAgent.values()) list.sort(newestFirst);
  return byAgent;
}

/** The scheduler's view of run history: the run service keeps every open run and the recent finished ones. */
export function runHistoryOf(memory: RunMemory): RunHistory {
  return {
    listRecent: ({ agent }): RunRecord[] => [...memory.runs().values()].filter((r) => r.agent === agent).sort(newestFirst),
  };
}

export function describeAgents(
  definitions: readonly AgentDefinition[],
  memory: RunMemory,
  nextRunAt: (agent: string) => string | null,
): AgentOverview[] {
  const byAgent = runsByAgent(memory);
  return definitions.map((def) => {
    const runs = byAgent.get(def.name) ?? [];
    const current = runs.find((r) => !isTerminal(r.status)) ?? null;
    const last = runs[0] ?? null;
    return {
      name: def.name,
      parent: def.parent,
      description: def.description,
      children: definitions.filter((d) => d.parent === def.name).map((d) => d.name),
      schedule: def.schedule,
      launch: def.launch ? publicLaunch(def.launch) : null,
      example: def.example,
      state: current ? current.status : 'idle',
      currentRunId: current?.runId ?? null,
      lastRun: last ? summarize(last) : null,
      nextRunAt: nextRunAt(def.name),
    };
  });
}
