// Worker task: folds the agent-events journal through the run reducer (the same RunFold as live ingest).
// Modes: 'recover' (snapshot + journal after it → the runs to hold in memory), 'list' (runs beyond memory for
// the history), 'tree' (one run and its descendants), 'day' (runs started in a time range), 'logs' (a run's lines).
import { scanStream, JournalIssues } from '../gateway/store/journal-scan.js';
import type { JournalIssue } from '../gateway/store/journal-reader.js';
import { RunFold, AGENT_EVENTS_STREAM, compareKeys, sortKeyOf, type ReplayResult, type SortKey } from '../gateway/domain/agents/run-recovery.js';
import { readSnapshot, restoreRun } from '../gateway/domain/agents/run-snapshot.js';
import { applyEvent, plainRunState, summarize } from '../gateway/domain/agents/run-reducer.js';
import type { RunLogLine } from '../gateway/domain/agents/run-log-buffer.js';
import type { AgentEvent, RunState, RunStatus, RunSummary } from '../gateway/domain/agents/types.js';

const PAGE = 5000;

export type ReplayPayload =
  | { mode: 'recover'; journalDir: string; snapshotFile: string; maxFinished: number }
  | { mode: 'list'; journalDir: string; from?: string; agent?: string; status?: RunStatus; before?: SortKey; limit: number; exclude: string[] }
  | { mode: 'tree'; journalDir: string; runId: string }
  | { mode: 'day'; journalDir: string; from: string; to: string }
  | { mode: 'logs'; journalDir: string; runId: string; after: number; limit: number };

/** What every mode returns besides its answer: the lines it had to leave out (set aside by the gateway). */
export interface ReplayIssues {
  journalIssues: JournalIssue[];
  journalIssuesMore: number;
}

// Lines were validated before they were journalled; a cheap shape check guards against a hand-edited file
// without paying for a full schema parse per event on every replay. A line failing it, or whose replay
// throws, is reported and left out; the rest replays.
function isEventLine(item: Record<string, unknown>): item is { ts: string; event: AgentEvent; owner?: string } {
  const e = item.event as Partial<AgentEvent> | undefined;
  return typeof e === 'object' && e !== null && typeof e.id === 'string' && typeof e.runId === 'string' && typeof e.type === 'string' && typeof e.agent === 'string';
}

async function forEachEvent(
  journalDir: string,
  range: { from?: string; to?: string },
  issues: JournalIssues,
  fn: (event: AgentEvent, receivedAt: string, owner: string | null) => boolean | void,
): Promise<number> {
  let count = 0;
  await scanStream(journalDir, { stream: AGENT_EVENTS_STREAM, order: 'asc', limit: PAGE, from: range.from, to: range.to }, issues, (item, where) => {
    if (!isEventLine(item)) return void issues.invalid(AGENT_EVENTS_STREAM, where, 'not an agent event line {ts, event: {id, runId, type, agent, …}}');
    let goOn: boolean | void;
    try {
      goOn = fn(item.event, item.ts, typeof item.owner === 'string' ? item.owner : null);
    } catch (err) {
      return void issues.invalid(AGENT_EVENTS_STREAM, where, `replay failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500));
    }
    count++;
    return goOn;
  });
  return count;
}

const reported = (issues: JournalIssues): ReplayIssues => ({ journalIssues: issues.list, journalIssuesMore: issues.more });

async function recover(p: Extract<ReplayPayload, { mode: 'recover' }>): Promise<ReplayResult & ReplayIssues> {
  const issues = new JournalIssues();
  const { snapshot, problem } = await readSnapshot(p.snapshotFile);
  const fold = new RunFold(p.maxFinished, (snapshot?.runs ?? []).map(restoreRun), snapshot?.horizon ?? null);
  let journalTs = snapshot?.journalTs ?? null;
  // Lines at the snapshot's own millisecond may or may not be in it: the applied-id dedupe sorts that out.
  const replayedEvents = await forEachEvent(p.journalDir, { from: journalTs ?? undefined }, issues, (event, receivedAt, owner) => {
    fold.apply(event, receivedAt, owner);
    fold.trim();
    journalTs = receivedAt;
  });
  return {
    runs: [...fold.runs.values()].map(plainRunState),
    journalTs,
    snapshotRuns: snapshot?.runs.length ?? 0,
    replayedEvents,
    evicted: fold.evicted,
    horizon: fold.horizon,
    problems: problem ? [problem] : [],
    ...reported(issues),
  };
}

async function foldAll(journalDir: string, issues: JournalIssues, range: { from?: string; to?: string } = {}): Promise<Map<string, RunState>> {
  // No eviction here: these queries are about runs that memory no longer holds.
  const fold = new RunFold(Number.MAX_SAFE_INTEGER);
  await forEachEvent(journalDir, range, issues, (event, receivedAt, owner) => void fold.apply(event, receivedAt, owner));
  return fold.runs;
}

async function list(p: Extract<ReplayPayload, { mode: 'list' }>): Promise<{ runs: RunSummary[]; more: boolean } & ReplayIssues> {
  const issues = new JournalIssues();
  const runs = await foldAll(p.journalDir, issues, { from: p.from });
  const exclude = new Set(p.exclude);
  const since = p.from ? Date.parse(p.from) : -Infinity;
  const picked = [...runs.values()]
    .filter((r) => !exclude.has(r.runId) && (!p.agent || r.agent === p.agent) && (!p.status || r.status === p.status))
    .map((r) => ({ r, key: sortKeyOf(r) }))
    .filter(({ key }) => key.t >= since && (!p.before || compareKeys(p.before, key) < 0))
    .sort((a, b) => compareKeys(a.key, b.key));
  return { runs: picked.slice(0, p.limit).map(({ r }) => summarize(r)), more: picked.length > p.limit, ...reported(issues) };
}

async function tree(p: Extract<ReplayPayload, { mode: 'tree' }>): Promise<{ runs: RunState[] } & ReplayIssues> {
  const issues = new JournalIssues();
  const runs = await foldAll(p.journalDir, issues);
  const out: RunState[] = [];
  const visit = (id: string): void => {
    const run = runs.get(id);
    if (!run || out.some((r) => r.runId === id)) return;
    out.push(plainRunState(run));
    for (const child of run.children) visit(child);
  };
  visit(p.runId);
  return { runs: out, ...reported(issues) };
}

async function day(p: Extract<ReplayPayload, { mode: 'day' }>): Promise<{ runs: RunSummary[] } & ReplayIssues> {
  const issues = new JournalIssues();
  const runs = await foldAll(p.journalDir, issues, { from: p.from });
  const from = Date.parse(p.from);
  const to = Date.parse(p.to);
  return {
    runs: [...runs.values()]
      .filter((r) => {
        const t = sortKeyOf(r).t;
        return t >= from && t < to;
      })
      .map(summarize),
    ...reported(issues),
  };
}

async function logs(p: Extract<ReplayPayload, { mode: 'logs' }>): Promise<{ found: boolean; lines: RunLogLine[]; hasMore: boolean } & ReplayIssues> {
  const issues = new JournalIssues();
  let state: RunState | undefined;
  const lines: RunLogLine[] = [];
  let hasMore = false;
  await forEachEvent(p.journalDir, {}, issues, (event, receivedAt) => {
    if (event.runId !== p.runId) return;
    const before = state?.logCount ?? 0;
    state = applyEvent(state, event, receivedAt);
    if (state.logCount === before || state.logCount <= p.after) return;
    if (lines.length === p.limit) {
      hasMore = true;
      return false;
    }
    lines.push({ seq: state.logCount, ts: event.ts, level: event.level ?? 'info', message: event.message ?? '' });
  });
  return { found: state !== undefined, lines, hasMore, ...reported(issues) };
}

export default async function agentReplay({ payload }: { payload: ReplayPayload }): Promise<unknown> {
  switch (payload.mode) {
    case 'recover':
      return recover(payload);
    case 'list':
      return list(payload);
    case 'tree':
      return tree(payload);
    case 'day':
      return day(payload);
    case 'logs':
      return logs(payload);
  }
}
