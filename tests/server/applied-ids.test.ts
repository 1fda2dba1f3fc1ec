// A finished run's applied ids are sealed into sorted hashes: duplicates are still recognised (also after a
// snapshot round trip and a worker-style clone), late events still count, and the stored form is small.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SealedIds, restoreIds, storeIds } from '../../gateway/domain/agents/applied-ids.js';
import { applyEvent, plainRunState } from '../../gateway/domain/agents/run-reducer.js';
import { reviveRun } from '../../gateway/domain/agents/run-recovery.js';
import { restoreRun, storeRun } from '../../gateway/domain/agents/run-snapshot.js';
import type { AgentEvent, AgentEventType, RunState } from '../../gateway/domain/agents/types.js';

const RECEIVED = '2026-11-25T15:00:00.000Z';
let n = 0;
function ev(type: AgentEventType, fields: Partial<AgentEvent> = {}): AgentEvent {
  n += 1;
  return { id: `evt-${n}-${'x'.repeat(24)}`, type, runId: 'r1', agent: 'content-engine', ts: RECEIVED, ...fields };
}

function finishedRun(logs: number): { state: RunState; ids: string[] } {
  const events = [ev('run.started', { seq: 0 }), ...Array.from({ length: logs }, (_, i) => ev('run.log', { seq: i + 1, message: `line ${i}` })), ev('run.completed', { seq: logs + 1 })];
  let state: RunState | undefined;
  for (const e of events) state = applyEvent(state, e, RECEIVED);
  return { state: state!, ids: events.map((e) => e.id) };
}

test('the run ends sealed: every applied id is still a duplicate, late events still count once', () => {
  const { state, ids } = finishedRun(2000);
  assert.instance(state.appliedIds, SealedIds);
  assert.is(state.appliedIds.size, 2002);
  for (const id of ids) assert.is(applyEvent(state, { ...ev('run.log', { message: 'again' }), id }, RECEIVED), state, `${id} is a duplicate`);
  const late = ev('run.log', { seq: 9000, message: 'late line' });
  const after = applyEvent(state, late, RECEIVED);
  assert.is(after.logCount, state.logCount + 1);
  assert.is(after.status, 'completed');
  assert.is(applyEvent(after, late, RECEIVED), after, 'the late event is recognised when re-sent');
  assert.not.ok(state.appliedIds.has(late.id), 'the earlier version does not see the late id');
});

test('sealed ids survive the snapshot and the worker clone and keep deduplicating', () => {
  const { state, ids } = finishedRun(300);
  const late = ev('run.metric', { seq: 400, metrics: { tokens: 5 } });
  const withLate = applyEvent(state, late, RECEIVED);
  const fromSnapshot = restoreRun(JSON.parse(JSON.stringify(storeRun(withLate))));
  const fromWorker = reviveRun(structuredClone(plainRunState(withLate)));
  for (const restored of [fromSnapshot, fromWorker]) {
    assert.is(restored.appliedIds.size, withLate.appliedIds.size);
    for (const id of [...ids, late.id]) assert.ok(restored.appliedIds.has(id), `${id} kept`);
    assert.not.ok(restored.appliedIds.has('never-sent'));
    assert.equal([...restored.appliedIds].sort(), [...withLate.appliedIds].sort());
    assert.is(applyEvent(restored, late, RECEIVED), restored);
  }
});

test('sealing early or late enumerates the same keys (replay order does not change the state)', () => {
  const ids = Array.from({ length: 50 }, (_, i) => `id-${i}`);
  let early: ReadonlySet<string> = SealedIds.seal(ids.slice(0, 10));
  for (const id of ids.slice(10)) early = (early as SealedIds).with(id);
  const late = SealedIds.seal(ids);
  assert.equal([...early].sort(), [...late].sort());
  assert.is(early.size, late.size);
});

test('the stored form takes about 11 bytes an id instead of the id itself', () => {
  const { state } = finishedRun(5000);
  const sealedBytes = JSON.stringify(storeIds(state.appliedIds)).length;
  const plainBytes = JSON.stringify([...restoreIds(Array.from({ length: 5002 }, (_, i) => `evt-${i}-${'x'.repeat(24)}`))]).length;
  assert.ok(sealedBytes < 5002 * 12, `sealed ${sealedBytes} bytes`);
  assert.ok(sealedBytes * 3 < plainBytes, `sealed ${sealedBytes} vs ids ${plainBytes}`);
});

test.run();
