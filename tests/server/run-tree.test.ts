// Run tree views (pure): progress summed over subtrees, "degraded" while a descendant failed, the
// depth-first timeline, and robustness against missing children and cycles.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyEvent, linkChild } from '../../gateway/domain/agents/run-reducer.js';
import { aggregateTree, timeline } from '../../gateway/domain/agents/run-tree.js';
import type { AgentEvent, AgentEventType, RunState, RunTreeNode } from '../../gateway/domain/agents/types.js';

const T0 = Date.parse('2024-05-01T15:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

let nextId = 0;
/** A run built from [type, fields] steps with seqs in order. */
function run(runId: string, agent: string, steps: [AgentEventType, Partial<AgentEvent>?][], parentRunId?: string): RunState {
  let state: RunState | undefined;
  steps.forEach(([type, fields], seq) => {
    const event: AgentEvent = { id: `t${++nextId}`, type, runId, agent, seq, ts: at(seq), ...(parentRunId ? { parentRunId } : {}), ...fields };
    state = applyEvent(state, event, at(seq));
  });
  return state!;
}

function runsOf(...states: RunState[]): Map<string, RunState> {
  return new Map(states.map((s) => [s.runId, s]));
}

/** Links children to parents the way RunService does. */
function link(parent: RunState, ...children: RunState[]): RunState {
  return children.reduce((p, c) => linkChild(p, c.runId), parent);
}

const started: [AgentEventType, Partial<AgentEvent>?] = ['run.started'];
const progress = (done: number, total: number): [AgentEventType, Partial<AgentEvent>] => ['run.progress', { progress: { done, total } }];

test('an unknown root gives null and an empty timeline', () => {
  assert.is(aggregateTree(new Map(), 'nope'), null);
  assert.equal(timeline(new Map(), 'nope'), []);
});

test('a lone root shows its own progress; without progress it shows 0/0', () => {
  const withProgress = run('root', 'content-engine', [started, progress(2, 5)]);
  assert.equal(aggregateTree(runsOf(withProgress), 'root')!.progress, { done: 2, total: 5 });
  const without = run('root', 'content-engine', [started]);
  const node = aggregateTree(runsOf(without), 'root')!;
  assert.equal(node.progress, { done: 0, total: 0 });
  assert.equal(node.children, []);
  assert.is(node.degraded, false);
  assert.is(node.run.runId, 'root');
});

test('children progress is summed into the parent together with its own', () => {
  const a = run('a', 'content-generator', [started, progress(3, 10)], 'root');
  const b = run('b', 'image-creator', [started, progress(1, 4)], 'root');
  const root = link(run('root', 'content-orchestrator', [started, progress(1, 2)]), a, b);
  const tree = aggregateTree(runsOf(root, a, b), 'root')!;
  assert.equal(tree.progress, { done: 5, total: 16 });
  assert.equal(tree.children.map((c) => [c.run.runId, c.progress]), [['a', { done: 3, total: 10 }], ['b', { done: 1, total: 4 }]]);
});

test('a child without a total counts as 0/1 until it completes, then 1/1', () => {
  const open = run('a', 'fatigue-checker', [started], 'root');
  const done = run('b', 'content-strategist', [started, ['run.completed']], 'root');
  const failed = run('c', 'image-creator', [started, ['run.failed', { error: { message: 'x' } }]], 'root');
  const root = link(run('root', 'content-orchestrator', [started]), open, done, failed);
  const tree = aggregateTree(runsOf(root, open, done, failed), 'root')!;
  assert.equal(tree.progress, { done: 1, total: 3 });
  assert.equal(tree.children.map((c) => c.progress), [{ done: 0, total: 1 }, { done: 1, total: 1 }, { done: 0, total: 1 }]);
});

test('grandchildren count through their parent: the root sums the whole subtree', () => {
  const leaf1 = run('l1', 'content-generator', [started, progress(4, 4), ['run.completed']], 'mid');
  const leaf2 = run('l2', 'compliance-validator', [started, progress(1, 4)], 'mid');
  const mid = link(run('mid', 'content-orchestrator', [started], 'root'), leaf1, leaf2);
  const root = link(run('root', 'content-engine', [started]), mid);
  const tree = aggregateTree(runsOf(root, mid, leaf1, leaf2), 'root')!;
  // mid has no total of its own: it is one unit (0/1) plus its children's 5/8.
  assert.equal(tree.children[0]!.progress, { done: 5, total: 9 });
  assert.equal(tree.progress, { done: 5, total: 9 });
});

test('a failed child makes the open parent degraded without ending it', () => {
  const bad = run('a', 'compliance-validator', [started, ['run.failed', { error: { message: 'SEBI rule 4' } }]], 'root');
  const good = run('b', 'content-generator', [started, progress(1, 2)], 'root');
  const root = link(run('root', 'content-orchestrator', [started]), bad, good);
  const tree = aggregateTree(runsOf(root, bad, good), 'root')!;
  assert.is(tree.degraded, true);
  assert.is(tree.run.degraded, true, 'the summary carries the flag too');
  assert.is(tree.run.status, 'processing');
  assert.is(tree.children[0]!.degraded, false, 'the failed run itself is ended, not degraded');
  assert.is(tree.children[1]!.degraded, false, 'a healthy sibling is not degraded');
});

test('a crashed grandchild degrades every open ancestor', () => {
  const crashed = run('g', 'image-creator', [started, ['run.crashed', { error: { message: 'exit 137' } }]], 'mid');
  const mid = link(run('mid', 'content-orchestrator', [started], 'root'), crashed);
  const root = link(run('root', 'content-engine', [started]), mid);
  const tree = aggregateTree(runsOf(root, mid, crashed), 'root')!;
  assert.is(tree.degraded, true);
  assert.is(tree.children[0]!.degraded, true);
});

test('a finished parent is not degraded, and cancelled or completed children never degrade', () => {
  const bad = run('a', 'compliance-validator', [started, ['run.failed']], 'root');
  const finishedRoot = link(run('root', 'content-orchestrator', [started, ['run.completed']]), bad);
  assert.is(aggregateTree(runsOf(finishedRoot, bad), 'root')!.degraded, false);
  const cancelled = run('c', 'image-creator', [started, ['run.cancelled']], 'root');
  const openRoot = link(run('root', 'content-orchestrator', [started]), cancelled);
  assert.is(aggregateTree(runsOf(openRoot, cancelled), 'root')!.degraded, false);
});

test('children missing from the map are left out; a cycle is cut at the repeated run', () => {
  const child = link(run('a', 'content-generator', [started, progress(1, 2)], 'root'), { runId: 'root' } as RunState);
  const root = link(run('root', 'content-engine', [started]), child, { runId: 'ghost' } as RunState);
  const runs = runsOf(root, child);
  const tree = aggregateTree(runs, 'root')!;
  const ids = (node: RunTreeNode): string[] => [node.run.runId, ...node.children.flatMap(ids)];
  assert.equal(ids(tree), ['root', 'a']);
  assert.equal(tree.progress, { done: 1, total: 2 });
  assert.equal(timeline(runs, 'root').map((e) => e.runId), ['root', 'a']);
});

test('timeline lists the tree depth-first with status, times and depth', () => {
  const l1 = run('l1', 'content-generator', [started, ['run.completed']], 'mid');
  const l2 = run('l2', 'image-creator', [started], 'mid');
  const mid = link(run('mid', 'content-orchestrator', [started], 'root'), l1, l2);
  const side = run('side', 'approval-guardian', [['run.heartbeat']], 'root');
  const root = link(run('root', 'content-engine', [started]), mid, side);
  const entries = timeline(runsOf(root, mid, l1, l2, side), 'root');
  assert.equal(
    entries.map((e) => [e.runId, e.depth, e.status]),
    [
      ['root', 0, 'processing'],
      ['mid', 1, 'processing'],
      ['l1', 2, 'completed'],
      ['l2', 2, 'processing'],
      ['side', 1, 'queued'],
    ],
  );
  assert.equal(entries[2], { runId: 'l1', agent: 'content-generator', status: 'completed', startedAt: at(0), endedAt: at(1), depth: 2 });
  assert.is(entries[4]!.startedAt, null);
  assert.equal(timeline(runsOf(root, mid, l1, l2, side), 'mid').map((e) => [e.runId, e.depth]), [['mid', 0], ['l1', 1], ['l2', 1]]);
});

test('aggregateTree nodes carry plain summaries (no id sets) with durations', () => {
  const child = run('a', 'content-generator', [started, ['run.completed']], 'root');
  const root = link(run('root', 'content-engine', [started]), child);
  const tree = aggregateTree(runsOf(root, child), 'root')!;
  assert.not.ok('appliedIds' in tree.run);
  assert.is(tree.children[0]!.run.durationMs, 1000);
  assert.equal(JSON.parse(JSON.stringify(tree)), tree);
});

test.run();
