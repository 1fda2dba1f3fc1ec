// The run service with a real journal and worker pool: validation and per-item rejection with nothing stored,
// duplicates, written-before-visible and durable-before-acknowledged ordering, coalesced run frames, keyed log frames, the heartbeat watchdog
// (injected clock), parent links and degraded parents, log rings, and history beyond memory via the journal.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunServiceOptions } from '../../gateway/domain/agents/run-service.js';
import { listRuns, runDetail, runLogs } from '../../gateway/domain/agents/run-queries.js';
import { closeRunServices, openRunService, producer, type RunServiceHarness as Harness } from '../support/run-service-harness.js';
import type { AgentEvent, AgentEventType, RunSummary } from '../../gateway/domain/agents/types.js';
import { gateFsync, untilHeld } from '../support/fsync-gate.js';

const harness = (options: Partial<RunServiceOptions> = {}): Promise<Harness> => openRunService({ options });

test.after(closeRunServices);

let n = 0;
function ev(type: AgentEventType, runId: string, fields: Partial<AgentEvent> = {}): AgentEvent {
  n += 1;
  return { id: `ev-${n}`, type, runId, agent: 'content-generator', ts: new Date(Date.parse('2026-11-25T10:00:00Z') + n * 1000).toISOString(), ...fields };
}

function journalLines(h: Harness): any[] {
  const streamDir = path.join(h.dir, 'journal', 'agent-events');
  if (!fs.existsSync(streamDir)) return [];
  return fs
    .readdirSync(streamDir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => fs.readFileSync(path.join(streamDir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
}

test('valid events are journalled as {ts, event} before they are applied; invalid items are rejected by index and not stored', async () => {
  const h = await harness();
  const good = ev('run.started', 'r-a', { seq: 0 });
  const result = await h.runs.ingest([good, { id: 'x', type: 'run.started' }, ev('run.progress', 'r-a', { seq: 1, progress: { done: 5, total: 2 } }), 'nope'], producer);
  assert.is(result.accepted, 1);
  assert.is(result.duplicates, 0);
  assert.equal(result.rejected.map((r) => r.index), [1, 2, 3]);
  assert.match(result.rejected[1]!.error, /progress/);
  const lines = journalLines(h);
  assert.is(lines.length, 1);
  // The line names its writer (the run's owner) and the trigger is the server's, not the producer's.
  const stamped = { ...good, trigger: { kind: 'external', by: 'token:test-producer' } };
  assert.equal(lines[0], { ts: new Date(h.clock.now()).toISOString(), event: stamped, owner: 'token:test-producer' });
  assert.is(h.runs.get('r-a')?.status, 'processing');
  await h.close();
});

test('a duplicate event id is acknowledged as a duplicate and stored once, also when repeated inside one batch', async () => {
  const h = await harness();
  const started = ev('run.started', 'r-d', { seq: 0 });
  const progress = ev('run.progress', 'r-d', { seq: 1, progress: { done: 1, total: 4 } });
  assert.equal(await h.runs.ingest([started, progress, progress], producer), { accepted: 2, duplicates: 1, rejected: [] });
  const before = h.runs.get('r-d');
  assert.equal(await h.runs.ingest([started, progress], producer), { accepted: 0, duplicates: 2, rejected: [] });
  assert.is(h.runs.get('r-d'), before, 'the state object is unchanged');
  // Two requests racing with the same id: the second sees the first in flight.
  const again = ev('run.log', 'r-d', { seq: 2, message: 'hello' });
  const [a, b] = await Promise.all([h.runs.ingest([again], producer), h.runs.ingest([again], producer)]);
  assert.is(a.accepted + b.accepted, 1);
  assert.is(a.duplicates + b.duplicates, 1);
  assert.is(journalLines(h).length, 3);
  await h.close();
});

test('a batch over 1000 events is refused whole with 413 batch_too_large and nothing is stored', async () => {
  const h = await harness();
  const batch = Array.from({ length: 1001 }, (_, i) => ev('run.log', 'r-big', { message: `line ${i}` }));
  try {
    await h.runs.ingest(batch, producer);
    assert.unreachable('should refuse');
  } catch (err: any) {
    assert.is(err.status, 413);
    assert.is(err.code, 'batch_too_large');
  }
  assert.is(journalLines(h).length, 0);
  assert.is(h.runs.get('r-big'), undefined);
  await h.close();
});

test('a journal failure acknowledges nothing, applies nothing and answers 503', async () => {
  const h = await harness();
  await h.journal.close();
  try {
    await h.runs.ingest([ev('run.started', 'r-j')], producer);
    assert.unreachable('should fail');
  } catch (err: any) {
    assert.is(err.status, 503);
    assert.is(err.code, 'journal_unavailable');
  }
  assert.is(h.runs.get('r-j'), undefined);
  await h.runs.close();
  await h.pool.close();
});

test('an event is shown once written, before its fsync; after a failed fsync the retry is journalled again, not applied again', async () => {
  const h = await harness();
  const started = ev('run.started', 'r-f', { seq: 0 });
  const gate = await gateFsync(h.dir);
  let answer: Promise<unknown>;
  try {
    answer = h.runs.ingest([started], producer).then(
      () => 'acknowledged',
      (err: any) => `${err.status} ${err.code}`,
    );
    await untilHeld(gate);
    assert.is(h.runs.get('r-f')?.status, 'processing', 'applied while the fsync is still running');
    assert.is(journalLines(h).length, 1, 'it is in the journal file');
    assert.ok(h.frames.some((f) => f.topic === 'agents' && f.type === 'run' && f.data.runId === 'r-f'), 'and published');
    gate.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
  } finally {
    gate.restore();
  }
  assert.is(await answer, '503 journal_unavailable', 'not acknowledged without the fsync');
  const framesBefore = h.frames.filter((f) => f.topic === 'agents' && f.type === 'run' && f.data.runId === 'r-f').length;
  const retry = await h.runs.ingest([started], producer);
  assert.equal({ accepted: retry.accepted, duplicates: retry.duplicates }, { accepted: 1, duplicates: 0 }, 'stored durably this time');
  assert.equal(journalLines(h).map((l) => l.event.id), [started.id, started.id], 'written again (replay ignores the repeat by id)');
  assert.is(h.runs.get('r-f')?.status, 'processing');
  await new Promise((r) => setTimeout(r, 20));
  assert.is(h.frames.filter((f) => f.topic === 'agents' && f.type === 'run' && f.data.runId === 'r-f').length, framesBefore, 'not applied again');
  const again = await h.runs.ingest([started], producer);
  assert.equal({ accepted: again.accepted, duplicates: again.duplicates }, { accepted: 0, duplicates: 1 }, 'once durable, a repeat is a duplicate');
  assert.is(journalLines(h).length, 2);
  await h.close();
});

test('run frames are coalesced per run (latest state wins) while a terminal transition goes out at once', async () => {
  const h = await harness({ coalesceMs: 200 });
  await h.runs.ingest([ev('run.started', 'r-c', { seq: 0 })], producer);
  for (let i = 1; i <= 30; i++) await h.runs.ingest([ev('run.progress', 'r-c', { seq: i, progress: { done: i, total: 100 } })], producer);
  const runFrames = () => h.frames.filter((f) => f.topic === 'agents' && f.type === 'run' && f.data.runId === 'r-c');
  assert.ok(runFrames().length <= 2, `at most the first frame (and one due) so far, got ${runFrames().length}`);
  // The held-back latest state goes out within the interval.
  const deadline = Date.now() + 2000;
  while (runFrames().at(-1)?.data.progress?.done !== 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.is(runFrames().at(-1)!.data.progress.done, 30);
  const count = runFrames().length;
  await h.runs.ingest([ev('run.completed', 'r-c', { seq: 31 })], producer);
  assert.is(runFrames().length, count + 1, 'terminal frame sent immediately');
  assert.is(runFrames().at(-1)!.data.status, 'completed');
  assert.not.ok('appliedIds' in runFrames().at(-1)!.data, 'frames carry RunSummary');
  await h.close();
});

test('log lines are kept in a per-run ring and published as run.log frames keyed by run id', async () => {
  const h = await harness();
  await h.runs.ingest([ev('run.started', 'r-l', { seq: 0 }), ...Array.from({ length: 5 }, (_, i) => ev('run.log', 'r-l', { seq: i + 1, level: 'warn', message: `m${i + 1}` }))], producer);
  const logFrames = h.frames.filter((f) => f.topic === 'logs');
  assert.equal(logFrames.map((f) => [f.type, f.key, f.data.seq, f.data.message]), [1, 2, 3, 4, 5].map((s) => ['run.log', 'r-l', s, `m${s}`]));
  const page = await runLogs(h.runs, 'r-l', 2, 2);
  assert.equal(page.lines.map((l) => l.message), ['m3', 'm4']);
  assert.is(page.nextAfter, 4);
  assert.is(page.hasMore, true);
  const rest = await runLogs(h.runs, 'r-l', 4, 100);
  assert.equal(rest, { lines: [{ seq: 5, ts: rest.lines[0]!.ts, level: 'warn', message: 'm5' }], nextAfter: 5, hasMore: false });
  await h.close();
});

test('an open run with no heartbeat past the timeout is crashed by a journalled run.crashed event crash:<runId>', async () => {
  const h = await harness({ heartbeatTimeoutMs: 120_000 });
  await h.runs.ingest([ev('run.started', 'r-h', { seq: 0 }), ev('run.started', 'r-alive', { seq: 0 })], producer);
  h.clock.advance(100_000);
  assert.equal(await h.runs.checkHeartbeats(), []);
  await h.runs.ingest([ev('run.heartbeat', 'r-alive')], producer);
  h.clock.advance(30_000);
  assert.equal(await h.runs.checkHeartbeats(), ['r-h']);
  const crashed = h.runs.get('r-h')!;
  assert.is(crashed.status, 'crashed');
  assert.match(crashed.error!.message, /heartbeat/);
  assert.is(h.runs.get('r-alive')!.status, 'processing');
  const crashLine = journalLines(h).find((l) => l.event.type === 'run.crashed');
  assert.is(crashLine.event.id, 'crash:r-h');
  assert.equal(await h.runs.checkHeartbeats(), [], 'a crashed run is not crashed again');
  await h.close();
});

test('children are linked to their parent (also when they arrive first) and a failed child marks the open parent degraded', async () => {
  const h = await harness();
  await h.runs.ingest([ev('run.started', 'child-1', { seq: 0, parentRunId: 'parent', agent: 'compliance-validator' })], producer);
  await h.runs.ingest([ev('run.started', 'parent', { seq: 0, agent: 'content-engine' }), ev('run.started', 'child-2', { seq: 0, parentRunId: 'parent' })], producer);
  assert.equal(h.runs.get('parent')!.children, ['child-1', 'child-2']);
  await h.runs.ingest([ev('run.failed', 'child-1', { seq: 1, error: { message: 'SEBI check failed' } })], producer);
  const parent = h.runs.get('parent')!;
  assert.is(parent.degraded, true);
  assert.is(parent.status, 'processing', 'a failed child does not end the parent');
  const detail = await runDetail(h.runs, 'parent');
  assert.equal(detail.children.map((c) => c.runId), ['child-1', 'child-2']);
  assert.equal(detail.timeline.map((t) => [t.runId, t.depth]), [['parent', 0], ['child-1', 1], ['child-2', 1]]);
  assert.is(detail.tree.degraded, true);
  await h.close();
});

test('history beyond the runs held in memory is read from the journal, newest first, each run exactly once', async () => {
  const h = await harness({ maxFinished: 3 });
  // 300 finished runs: memory keeps the most recent ones, the rest only the journal has.
  for (let i = 0; i < 300; i++) {
    const id = `old-${String(i).padStart(3, '0')}`;
    await h.runs.ingest([ev('run.started', id, { seq: 0, agent: i % 2 ? 'image-creator' : 'content-generator' }), ev('run.completed', id, { seq: 1 })], producer);
  }
  assert.ok(h.runs.runs().size < 300, `memory trimmed (${h.runs.runs().size})`);
  assert.ok(h.runs.horizon !== null);
  const seen: RunSummary[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const res = await listRuns(h.runs, { limit: 40, cursor });
    seen.push(...res.runs);
    if (!res.nextCursor) break;
    cursor = res.nextCursor;
  }
  assert.is(seen.length, 300);
  assert.is(new Set(seen.map((r) => r.runId)).size, 300);
  assert.equal(seen.map((r) => r.runId), [...seen.map((r) => r.runId)].sort().reverse(), 'newest first');
  const filtered = await listRuns(h.runs, { limit: 500, agent: 'image-creator' });
  assert.is(filtered.runs.length, 150);
  // An evicted run's detail and logs come from the journal too.
  const detail = await runDetail(h.runs, 'old-000');
  assert.is(detail.run.status, 'completed');
  await h.close();
});

test.run();
