// Pure views over a run and its descendants: the tree with progress summed over each subtree and the
// "degraded" flag (a descendant failed while the run goes on), and the depth-first timeline of start/end bars.
import { isTerminal, summarize } from './run-reducer.js';
import type { RunState, RunTimelineEntry, RunTreeNode } from './types.js';

type Runs = ReadonlyMap<string, RunState>;

/**
 * The tree under `rootRunId` (null when the root is unknown). Progress of a node = its own progress plus its
 * children's subtree progress; a child without a known total counts as one unit (0/1, 1/1 once completed),
 * the root without progress adds nothing of its own. Children missing from `runs` are left out; a cycle in
 * the children lists is cut at the repeated run.
 */
export function aggregateTree(runs: Runs, rootRunId: string): RunTreeNode | null {
  const root = runs.get(rootRunId);
  if (!root) return null;
  return build(runs, root, true, new Set([rootRunId])).node;
}

/** Every run of the tree depth-first (a parent before its children, children in order of appearance). */
export function timeline(runs: Runs, rootRunId: string): RunTimelineEntry[] {
  const entries: RunTimelineEntry[] = [];
  const visited = new Set<string>();
  const visit = (runId: string, depth: number): void => {
    const run = runs.get(runId);
    if (!run || visited.has(runId)) return;
    visited.add(runId);
    entries.push({ runId, agent: run.agent, status: run.status, startedAt: run.startedAt, endedAt: run.endedAt, depth });
    for (const childId of run.children) visit(childId, depth + 1);
  };
  visit(rootRunId, 0);
  return entries;
}

interface Built {
  node: RunTreeNode;
  /** Some run in this subtree (this one included) is error|crashed. */
  failedWithin: boolean;
}

function build(runs: Runs, run: RunState, isRoot: boolean, visited: Set<string>): Built {
  const progress = ownProgress(run, isRoot);
  const children: RunTreeNode[] = [];
  let failedBelow = false;
  for (const childId of run.children) {
    const child = runs.get(childId);
    if (!child || visited.has(childId)) continue;
    visited.add(childId);
    const built = build(runs, child, false, visited);
    children.push(built.node);
    progress.done += built.node.progress.done;
    progress.total += built.node.progress.total;
    failedBelow ||= built.failedWithin;
  }
  const degraded = (run.degraded || failedBelow) && !isTerminal(run.status);
  return {
    node: { run: { ...summarize(run), degraded }, progress, degraded, children },
    failedWithin: failedBelow || run.status === 'error' || run.status === 'crashed',
  };
}

function ownProgress(run: RunState, isRoot: boolean): { done: number; total: number } {
  if (run.progress && run.progress.total > 0) return { done: run.progress.done, total: run.progress.total };
  if (isRoot) return { done: 0, total: 0 };
  return { done: run.status === 'completed' ? 1 : 0, total: 1 };
}
