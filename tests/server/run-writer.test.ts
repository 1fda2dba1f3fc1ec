// Run ownership in the run service with a real journal and worker pool: each run records its writer, the
// binding survives a restart (journal replay alone and snapshot + replay), runs journalled before owners were
// recorded are nobody's, two writers racing to create one run cannot both win, and the fold never links a
// child under another owner's run.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../support/test-gateway.js';
import { closeRunServices, openRunService, scratchDir, type RunServiceHarness } from '../support/run-service-harness.js';
import { RunFold } from '../../gateway/domain/agents/run-recovery.js';
import { launchWriter, type RunWriter } from '../../gateway/domain/agents/run-writer.js';
import type { AgentEvent, AgentEventType } from '../../gateway/domain/agents/types.js';

test.after(closeRunServices);

const alpha: RunWriter = { owner: 'token:alpha', name: 'token:alpha-agent', startsRuns: true };
const beta: RunWriter = { owner: 'token:beta', name: 'token:beta-agent', startsRuns: true };

let n = 0;
function ev(type: AgentEventType, runId: string, fields: Partial<AgentEvent> = {}): AgentEvent {
  n += 1;
  return { id: `rw-${n}`, type, runId, agent: 'content-generator', ts: new Date(Date.UTC(2026, 10, 25, 9, 0, n)).toISOString(), ...fields };
}

const open = (dir: string, clock: ManualClock): Promise<RunServiceHarness> => openRunService({ dir, clock });

async function assertBound(h: RunServiceHarness, runId: string, owner: RunWriter, other: RunWriter): Promise<void> {
  assert.is(h.runs.get(runId)!.owner, owner.owner);
  const before = h.runs.get(runId);
  const refused = await h.runs.ingest([ev('run.completed', runId)], other);
  assert.is(refused.accepted, 0);
  assert.equal(refused.rejected.map((r) => r.code), ['run_not_yours']);
  assert.is(h.runs.get(runId), before, 'unchanged');
  const child = await h.runs.ingest([ev('run.started', `${runId}-intruder`, { parentRunId: runId })], other);
  assert.equal(child.rejected.map((r) => r.code), ['run_not_yours']);
  assert.is(h.runs.get(`${runId}-intruder`), undefined);
}

test('the owner of a run survives a restart from the journal alone and from snapshot + journal', async () => {
  const dir = scratchDir('oc-owner-restart-');
  const clock = new ManualClock();
  const a = await open(dir, clock);
  await a.runs.ingest([ev('run.started', 'kept-1', { seq: 0 }), ev('run.started', 'kept-1-child', { parentRunId: 'kept-1' })], alpha);
  await a.runs.ingest([ev('run.started', 'kept-2', { seq: 0 })], beta);
  await a.abandon(); // no snapshot: the journal alone rebuilds

  const b = await open(dir, clock);
  assert.is(b.runs.recovery!.snapshotRuns, 0);
  await assertBound(b, 'kept-1', alpha, beta);
  await assertBound(b, 'kept-1-child', alpha, beta);
  await assertBound(b, 'kept-2', beta, alpha);
  assert.equal(b.runs.get('kept-1')!.children, ['kept-1-child']);
  await b.runs.snapshot(true);
  clock.advance(1000);
  await b.runs.ingest([ev('run.started', 'kept-3', { seq: 0 })], alpha); // after the snapshot: replayed
  await b.abandon();

  const snapshot = JSON.parse(fs.readFileSync(path.join(dir, 'snapshots', 'agent-runs.json'), 'utf8')) as { runs: { runId: string; owner: string }[] };
  assert.is(snapshot.runs.find((r) => r.runId === 'kept-2')!.owner, 'token:beta');
  const c = await open(dir, clock);
  assert.ok(c.runs.recovery!.snapshotRuns > 0, 'started from the snapshot');
  await assertBound(c, 'kept-1', alpha, beta);
  await assertBound(c, 'kept-2', beta, alpha);
  await assertBound(c, 'kept-3', alpha, beta);
  // The owner still writes its runs.
  assert.equal(await c.runs.ingest([ev('run.completed', 'kept-1')], alpha), { accepted: 1, duplicates: 0, rejected: [] });
  await c.close();
});

test('a run journalled before owners were recorded is written by no producer, and its state is unchanged', async () => {
  const dir = scratchDir('oc-owner-legacy-');
  const clock = new ManualClock();
  const streamDir = path.join(dir, 'journal', 'agent-events');
  fs.mkdirSync(streamDir, { recursive: true });
  const line = { ts: new Date(clock.now() - 60_000).toISOString(), event: ev('run.started', 'legacy-1', { seq: 0 }) };
  fs.writeFileSync(path.join(streamDir, '2026-11-25.jsonl'), `${JSON.stringify(line)}\n`);
  const h = await open(dir, clock);
  const before = h.runs.get('legacy-1')!;
  assert.is(before.owner, null);
  for (const writer of [alpha, launchWriter('legacy-1')]) {
    const res = await h.runs.ingest([ev('run.completed', 'legacy-1')], writer);
    assert.equal(res.rejected.map((r) => r.code), ['run_not_yours']);
  }
  assert.is(h.runs.get('legacy-1'), before);
  await h.close();
});

test('two writers creating the same new run at once: one owns it, the other is refused', async () => {
  const h = await openRunService();
  const [first, second] = await Promise.all([
    h.runs.ingest([ev('run.started', 'contested', { seq: 0 }), ev('run.log', 'contested', { seq: 1, message: 'alpha here' })], alpha),
    h.runs.ingest([ev('run.started', 'contested', { seq: 0 }), ev('run.log', 'contested', { seq: 1, message: 'beta here' })], beta),
  ]);
  assert.equal([first.accepted, second.accepted], [2, 0]);
  assert.equal(second.rejected.map((r) => [r.index, r.code]), [[0, 'run_not_yours'], [1, 'run_not_yours']]);
  const run = h.runs.get('contested')!;
  assert.is(run.owner, 'token:alpha');
  assert.is(run.activity, 'alpha here');
  assert.is(run.logCount, 1);
  await h.close();
});

test('a launch writes its run and children below it, but may not start a top-level run', async () => {
  const h = await openRunService();
  const launch = launchWriter('launched-1');
  // The dashboard starts the launched run (as the launcher does) …
  const start = await h.runs.ingest([ev('run.started', 'launched-1', { seq: 0, trigger: { kind: 'manual', by: 'alice' } })], { ...launch, startsRuns: true, keepsTrigger: true });
  assert.equal(start, { accepted: 1, duplicates: 0, rejected: [] });
  assert.equal(h.runs.get('launched-1')!.trigger, { kind: 'manual', by: 'alice' });
  // … and the process tree reports under it.
  const tree = await h.runs.ingest(
    [
      ev('run.log', 'launched-1', { message: 'working', trigger: { kind: 'manual', by: 'admin' } }),
      ev('run.started', 'launched-1-a', { parentRunId: 'launched-1' }),
      ev('run.started', 'launched-1-a-1', { parentRunId: 'launched-1-a' }),
      ev('run.started', 'top-level', {}),
    ],
    launch,
  );
  assert.is(tree.accepted, 3);
  assert.equal(tree.rejected.map((r) => [r.index, r.code]), [[3, 'run_not_yours']]);
  assert.equal(h.runs.get('launched-1')!.trigger, { kind: 'manual', by: 'alice' }, 'the dashboard trigger stands');
  assert.equal(h.runs.get('launched-1-a-1')!.trigger, { kind: 'parent' });
  assert.equal(h.runs.get('launched-1-a')!.children, ['launched-1-a-1']);
  assert.is(h.runs.get('top-level'), undefined);
  await h.close();
});

test("the fold links a child (also one that arrived before its parent) only under a run of the child's owner", () => {
  const fold = new RunFold();
  const at = '2026-11-25T10:00:00.000Z';
  // An orphan of beta's naming alpha's future run, then alpha's run and its own orphan-turned-child.
  fold.apply(ev('run.started', 'graft', { parentRunId: 'parent-1' }), at, 'token:beta');
  fold.apply(ev('run.failed', 'graft', { error: { message: 'x' } }), at, 'token:beta');
  fold.apply(ev('run.started', 'own-early', { parentRunId: 'parent-1' }), at, 'token:alpha');
  fold.apply(ev('run.started', 'parent-1'), at, 'token:alpha');
  assert.equal(fold.runs.get('parent-1')!.children, ['own-early']);
  assert.is(fold.runs.get('parent-1')!.degraded, false, "beta's failure does not degrade alpha's run");
  // A late link to an existing parent of another owner is not made either.
  fold.apply(ev('run.started', 'graft-2', { parentRunId: 'parent-1' }), at, 'token:beta');
  fold.apply(ev('run.failed', 'graft-2', { error: { message: 'y' } }), at, 'token:beta');
  assert.equal(fold.runs.get('parent-1')!.children, ['own-early']);
  assert.is(fold.runs.get('parent-1')!.degraded, false);
});

test.run();
