// The run state machine (pure): creation, seq ordering, sticky terminal states, duplicates, heartbeats,
// crash marking, summaries, and order-independence checked over seeded random permutations.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppliedIds } from '../../gateway/domain/agents/applied-ids.js';
import { applyEvent, crashEvent, isTerminal, linkChild, markCrashed, summarize } from '../../gateway/domain/agents/run-reducer.js';
import type { AgentEvent, AgentEventType, RunState } from '../../gateway/domain/agents/types.js';
import { RUN_STATUSES } from '../../gateway/domain/agents/types.js';
import { rngFrom } from '../../webhook/simulator.js';

const T0 = Date.parse('2024-05-01T15:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const RECEIVED = at(1000);

let nextId = 0;
function ev(type: AgentEventType, fields: Partial<AgentEvent> = {}): AgentEvent {
  nextId += 1;
  return { id: `e${nextId}`, type, runId: 'r1', agent: 'content-generator', ts: at(fields.seq ?? nextId), ...fields };
}

/** Applies events in order, each received one second after the previous. */
function fold(events: AgentEvent[], start?: RunState, receivedAt?: (i: number) => string): RunState {
  let state = start;
  events.forEach((event, i) => {
    state = applyEvent(state, event, receivedAt ? receivedAt(i) : at(500 + i));
  });
  return state!;
}

test('run.started on an unknown run creates it processing, startedAt = event ts, times from the dashboard clock', () => {
  const state = applyEvent(undefined, ev('run.started', { seq: 0, ts: at(1) }), at(2));
  assert.is(state.runId, 'r1');
  assert.is(state.agent, 'content-generator');
  assert.is(state.status, 'processing');
  assert.is(state.startedAt, at(1));
  assert.is(state.queuedAt, at(1));
  assert.is(state.endedAt, null);
  assert.is(state.lastEventAt, at(2));
  assert.is(state.lastHeartbeatAt, at(2));
  assert.equal([state.progress, state.activity, state.error, state.parentRunId, state.trigger], [null, null, null, null, null]);
  assert.equal(state.metrics, {});
  assert.equal(state.children, []);
  assert.is(state.logCount, 0);
  assert.is(state.maxSeq, 0);
  assert.ok(state.appliedIds.has(state.appliedIds.values().next().value!));
});

test('a heartbeat on an unknown run creates it queued; heartbeats never start a queued run', () => {
  const first = applyEvent(undefined, ev('run.heartbeat', { ts: at(1) }), at(2));
  assert.is(first.status, 'queued');
  assert.is(first.startedAt, null);
  const second = applyEvent(first, ev('run.heartbeat', { ts: at(3) }), at(4));
  assert.is(second.status, 'queued');
});

test('run.heartbeat refreshes lastHeartbeatAt and lastEventAt only', () => {
  const running = fold([ev('run.started', { seq: 0 }), ev('run.progress', { seq: 1, progress: { done: 1, total: 4, label: 'advisor 1' } })]);
  const after = applyEvent(running, ev('run.heartbeat', { seq: 2, ts: at(9) }), at(777));
  assert.is(after.lastHeartbeatAt, at(777));
  assert.is(after.lastEventAt, at(777));
  const { lastHeartbeatAt: _a, lastEventAt: _b, appliedIds: _c, maxSeq: _d, fieldSeqs: _e, ...rest } = after;
  const { lastHeartbeatAt: _f, lastEventAt: _g, appliedIds: _h, maxSeq: _i, fieldSeqs: _j, ...before } = running;
  assert.equal(rest, before);
});

test('other events refresh lastEventAt but not lastHeartbeatAt', () => {
  const started = applyEvent(undefined, ev('run.started', { seq: 0 }), at(10));
  const logged = applyEvent(started, ev('run.log', { seq: 1, message: 'hi' }), at(20));
  assert.is(logged.lastEventAt, at(20));
  assert.is(logged.lastHeartbeatAt, at(10));
});

for (const type of ['run.progress', 'run.log', 'run.metric'] as const) {
  test(`${type} moves a queued run to processing with startedAt = its ts`, () => {
    const queued = applyEvent(undefined, ev('run.heartbeat', { seq: 0, ts: at(1) }), at(1));
    const fields: Partial<AgentEvent> = { seq: 1, ts: at(5), progress: { done: 0, total: 3 }, message: 'go', metrics: { apiCalls: 1 } };
    const state = applyEvent(queued, ev(type, fields), at(6));
    assert.is(state.status, 'processing');
    assert.is(state.startedAt, at(5));
  });
}

test('a progress event as the very first event creates a processing run (work is visibly happening)', () => {
  const state = applyEvent(undefined, ev('run.progress', { seq: 3, ts: at(3), progress: { done: 1, total: 2 } }), at(4));
  assert.is(state.status, 'processing');
  assert.is(state.startedAt, at(3));
  assert.equal(state.progress, { done: 1, total: 2 });
});

test('a lower-seq run.started arriving after a progress sets the earlier startedAt; a later start does not', () => {
  const state = fold([
    ev('run.progress', { seq: 2, ts: at(20), progress: { done: 1, total: 2 } }),
    ev('run.started', { seq: 0, ts: at(10) }),
    ev('run.log', { seq: 3, ts: at(30), message: 'x' }),
  ]);
  assert.is(state.startedAt, at(10));
  assert.is(state.queuedAt, at(10), 'queuedAt is the earliest producer time seen');
});

test('a lower-seq progress never overrides newer progress', () => {
  const state = fold([
    ev('run.started', { seq: 0 }),
    ev('run.progress', { seq: 5, progress: { done: 5, total: 10 } }),
    ev('run.progress', { seq: 3, progress: { done: 3, total: 10 } }),
  ]);
  assert.equal(state.progress, { done: 5, total: 10 });
  assert.is(state.lastSeq, 5);
  assert.is(state.maxSeq, 5);
});

test('a lower-seq progress fills progress when nothing newer set it, even after newer logs', () => {
  const state = fold([
    ev('run.started', { seq: 0 }),
    ev('run.log', { seq: 4, message: 'newer log' }),
    ev('run.progress', { seq: 2, progress: { done: 2, total: 10, label: 'older label' } }),
  ]);
  assert.equal(state.progress, { done: 2, total: 10, label: 'older label' });
  assert.is(state.activity, 'newer log', 'the older label does not replace the newer log line');
});

test('a lower-seq log still counts in logCount but does not become the activity', () => {
  const state = fold([ev('run.started', { seq: 0 }), ev('run.log', { seq: 5, message: 'five' }), ev('run.log', { seq: 2, message: 'two' })]);
  assert.is(state.logCount, 2);
  assert.is(state.activity, 'five');
});

test('activity is the latest (by seq) log message or progress label', () => {
  const base = [ev('run.started', { seq: 0 }), ev('run.log', { seq: 1, message: 'fetching advisors' })];
  assert.is(fold(base).activity, 'fetching advisors');
  const labelled = fold([...base, ev('run.progress', { seq: 2, progress: { done: 1, total: 3, label: 'advisor 1 of 3' } })]);
  assert.is(labelled.activity, 'advisor 1 of 3');
  const unlabelled = fold([...base, ev('run.progress', { seq: 2, progress: { done: 1, total: 3 } })]);
  assert.is(unlabelled.activity, 'fetching advisors', 'a progress without label keeps the activity');
});

test('metrics keep the value of the highest seq per name; new names from older events are added', () => {
  const state = fold([
    ev('run.started', { seq: 0 }),
    ev('run.metric', { seq: 1, metrics: { apiCalls: 1 } }),
    ev('run.metric', { seq: 3, metrics: { tokens: 300 } }),
    ev('run.metric', { seq: 2, metrics: { apiCalls: 2, tokens: 200, generated: 7 } }),
  ]);
  assert.equal(state.metrics, { apiCalls: 2, tokens: 300, generated: 7 });
});

test('events without seq are ordered by arrival: each counts as newer than everything so far', () => {
  const state = fold([
    ev('run.started', { seq: 0 }),
    ev('run.progress', { seq: 5, progress: { done: 5, total: 10 } }),
    ev('run.progress', { progress: { done: 6, total: 10 } }),
  ]);
  assert.equal(state.progress, { done: 6, total: 10 });
  assert.is(state.maxSeq, 6);
  const noSeqs = fold([
    ev('run.started', {}),
    ev('run.progress', { progress: { done: 1, total: 2 } }),
    ev('run.progress', { progress: { done: 2, total: 2 } }),
  ]);
  assert.equal(noSeqs.progress, { done: 2, total: 2 });
  assert.is(noSeqs.maxSeq, 2);
});

test('run.completed ends the run: endedAt = ts, progress done = total when the total is known', () => {
  const state = fold([
    ev('run.started', { seq: 0 }),
    ev('run.progress', { seq: 1, progress: { done: 7, total: 10, label: 'x' } }),
    ev('run.completed', { seq: 2, ts: at(50) }),
  ]);
  assert.is(state.status, 'completed');
  assert.is(state.endedAt, at(50));
  assert.equal(state.progress, { done: 10, total: 10, label: 'x' });
  assert.is(state.error, null);
  const noProgress = fold([ev('run.started', { seq: 0 }), ev('run.completed', { seq: 1 })]);
  assert.is(noProgress.progress, null, 'an unknown total stays unknown');
});

test('run.failed ends in error with its error, or its message when it has no error object', () => {
  const failed = fold([ev('run.started', { seq: 0 }), ev('run.failed', { seq: 1, ts: at(9), error: { message: 'quota', code: 'E429' } })]);
  assert.is(failed.status, 'error');
  assert.is(failed.endedAt, at(9));
  assert.equal(failed.error, { message: 'quota', code: 'E429' });
  const byMessage = fold([ev('run.started', { seq: 0 }), ev('run.failed', { seq: 1, message: 'boom' })]);
  assert.equal(byMessage.error, { message: 'boom' });
  const bare = fold([ev('run.started', { seq: 0 }), ev('run.failed', { seq: 1 })]);
  assert.equal(bare.error, { message: 'Run failed' });
});

test('run.cancelled and run.crashed end the run with their status', () => {
  const cancelled = fold([ev('run.started', { seq: 0 }), ev('run.cancelled', { seq: 1, ts: at(3) })]);
  assert.equal([cancelled.status, cancelled.endedAt, cancelled.error], ['cancelled', at(3), null]);
  const crashed = fold([ev('run.started', { seq: 0 }), ev('run.crashed', { seq: 1, ts: at(4), error: { message: 'exit 137' } })]);
  assert.equal([crashed.status, crashed.endedAt, crashed.error], ['crashed', at(4), { message: 'exit 137' }]);
});

test('a terminal event as the first event creates the run already ended', () => {
  const state = applyEvent(undefined, ev('run.completed', { seq: 9, ts: at(9) }), at(10));
  assert.is(state.status, 'completed');
  assert.is(state.endedAt, at(9));
  assert.is(state.startedAt, null);
  assert.is(summarize(state).durationMs, null);
});

test('after a terminal event a late progress (any seq) never reopens the run or changes its progress', () => {
  const done = fold([ev('run.started', { seq: 0 }), ev('run.progress', { seq: 1, progress: { done: 3, total: 4 } }), ev('run.completed', { seq: 2, ts: at(20) })]);
  for (const seq of [1, 3, 100]) {
    const late = applyEvent(done, ev('run.progress', { seq, ts: at(30), progress: { done: 0, total: 99, label: 'late' } }), at(31));
    assert.is(late.status, 'completed');
    assert.is(late.endedAt, at(20));
    assert.equal(late.progress, { done: 4, total: 4 });
    assert.is(late.activity, null, 'a late progress label does not become the activity of a finished run');
  }
});

test('after a terminal event another terminal event changes nothing of status, endedAt or error', () => {
  const failed = fold([ev('run.started', { seq: 0 }), ev('run.failed', { seq: 1, ts: at(5), error: { message: 'first' } })]);
  const events = [
    ev('run.completed', { seq: 2, ts: at(6) }),
    ev('run.cancelled', { seq: 3, ts: at(7) }),
    ev('run.crashed', { seq: 4, ts: at(8), error: { message: 'later' } }),
  ];
  const after = fold(events, failed);
  assert.equal([after.status, after.endedAt, after.error], ['error', at(5), { message: 'first' }]);
});

test('after a terminal event logs and metrics still accumulate', () => {
  const done = fold([ev('run.started', { seq: 0 }), ev('run.metric', { seq: 1, metrics: { apiCalls: 1 } }), ev('run.completed', { seq: 2 })]);
  const after = fold([ev('run.log', { seq: 3, message: 'flushed late' }), ev('run.metric', { seq: 4, metrics: { apiCalls: 5, tokens: 9 } })], done);
  assert.is(after.status, 'completed');
  assert.is(after.logCount, 1);
  assert.is(after.activity, 'flushed late');
  assert.equal(after.metrics, { apiCalls: 5, tokens: 9 });
});

test('a terminal event with a lower seq than the latest open event still ends the run (a run ends once)', () => {
  const state = fold([
    ev('run.started', { seq: 0 }),
    ev('run.progress', { seq: 8, progress: { done: 8, total: 10 } }),
    ev('run.failed', { seq: 5, ts: at(5), error: { message: 'died at 5' } }),
  ]);
  assert.is(state.status, 'error');
  assert.is(state.endedAt, at(5));
  assert.equal(state.progress, { done: 8, total: 10 });
  const again = applyEvent(state, ev('run.progress', { seq: 9, progress: { done: 9, total: 10 } }), at(900));
  assert.is(again.status, 'error');
  assert.equal(again.progress, { done: 8, total: 10 });
});

test('a duplicate event id returns the identical state object (===), whenever it arrives', () => {
  const started = ev('run.started', { seq: 0 });
  const progress = ev('run.progress', { seq: 1, progress: { done: 1, total: 2 } });
  const completed = ev('run.completed', { seq: 2 });
  const s1 = applyEvent(undefined, started, at(1));
  assert.is(applyEvent(s1, started, at(2)), s1);
  const s2 = applyEvent(s1, progress, at(3));
  assert.is(applyEvent(s2, started, at(4)), s2);
  assert.is(applyEvent(s2, { ...progress, progress: { done: 0, total: 9 } }, at(4)), s2, 'same id, different body: still a duplicate');
  const s3 = applyEvent(s2, completed, at(5));
  for (const dup of [started, progress, completed]) assert.is(applyEvent(s3, dup, at(6)), s3);
  assert.is(s3.appliedIds.size, 3);
});

test('a duplicate heartbeat changes nothing, not even lastHeartbeatAt', () => {
  const beat = ev('run.heartbeat', { seq: 1 });
  const s1 = fold([ev('run.started', { seq: 0 }), beat]);
  assert.is(applyEvent(s1, beat, at(9999)), s1);
});

test('parentRunId comes from the first event that carries it and is never replaced', () => {
  const state = fold([
    ev('run.heartbeat', { seq: 0 }),
    ev('run.started', { seq: 1, parentRunId: 'parent-1' }),
    ev('run.log', { seq: 2, message: 'x', parentRunId: 'other' }),
  ]);
  assert.is(state.parentRunId, 'parent-1');
});

test('trigger comes from the first event carrying it', () => {
  const state = fold([
    ev('run.started', { seq: 0, trigger: { kind: 'schedule', scheduledFor: at(0) } }),
    ev('run.started', { seq: 1, trigger: { kind: 'manual', by: 'alice' } }),
  ]);
  assert.equal(state.trigger, { kind: 'schedule', scheduledFor: at(0) });
});

test('applyEvent never mutates the state or the event it is given', () => {
  const deepFreeze = <T>(value: T): T => {
    if (value && typeof value === 'object' && !(value instanceof AppliedIds) && !Object.isFrozen(value)) {
      Object.freeze(value);
      for (const inner of Object.values(value)) deepFreeze(inner);
    }
    return value;
  };
  let state = deepFreeze(fold([ev('run.started', { seq: 0 }), ev('run.metric', { seq: 1, metrics: { a: 1 } })]));
  const before = JSON.stringify(state);
  const events = [
    ev('run.progress', { seq: 2, progress: { done: 1, total: 2, label: 'l' } }),
    ev('run.metric', { seq: 3, metrics: { a: 2, b: 3 } }),
    ev('run.log', { seq: 4, message: 'm' }),
    ev('run.completed', { seq: 5 }),
    ev('run.log', { seq: 6, message: 'after' }),
  ].map(deepFreeze);
  const original = state;
  for (const event of events) state = deepFreeze(applyEvent(state, event, at(600)));
  assert.is(JSON.stringify(original), before);
  assert.is(original.appliedIds.size, 2);
  assert.not.ok(original.appliedIds.has(events[0]!.id));
  assert.is(state.status, 'completed');
});

test('applying to an older version of a state does not leak ids between the branches', () => {
  const s1 = fold([ev('run.started', { seq: 0 })]);
  const a = ev('run.log', { seq: 1, message: 'a' });
  const b = ev('run.log', { seq: 1, message: 'b' });
  const branchA = applyEvent(s1, a, at(1));
  const branchB = applyEvent(s1, b, at(1));
  assert.ok(branchA.appliedIds.has(a.id) && !branchA.appliedIds.has(b.id));
  assert.ok(branchB.appliedIds.has(b.id) && !branchB.appliedIds.has(a.id));
  assert.not.ok(s1.appliedIds.has(a.id) || s1.appliedIds.has(b.id));
  assert.equal([...branchB.appliedIds].length, 2);
  assert.is(applyEvent(branchA, b, at(2)).logCount, 2, 'b is new to branch A');
});

test('a state restored with a native Set of ids and no per-field seqs keeps deduplicating and ordering', () => {
  const live = fold([ev('run.started', { seq: 0 }), ev('run.progress', { seq: 4, progress: { done: 4, total: 9 } }), ev('run.metric', { seq: 4, metrics: { x: 1 } })]);
  const { fieldSeqs: _seqs, ...withoutSeqs } = live;
  const restored: RunState = { ...withoutSeqs, appliedIds: new Set(live.appliedIds) };
  const someId = [...live.appliedIds][1]!;
  assert.is(applyEvent(restored, ev('run.log', { id: someId, message: 'dup' }), at(1)), restored);
  const older = applyEvent(restored, ev('run.progress', { seq: 2, progress: { done: 2, total: 9 }, metrics: { x: 0, y: 2 } }), at(2));
  assert.equal(older.progress, { done: 4, total: 9 });
  assert.equal(older.metrics, { x: 1, y: 2 });
});

test('an event of another run is refused loudly (a caller bug)', () => {
  const state = fold([ev('run.started', { seq: 0 })]);
  assert.throws(() => applyEvent(state, ev('run.log', { runId: 'r2', message: 'x' }), at(1)), /r2/);
});

test('markCrashed turns an open run crashed with endedAt and the reason; a finished run is returned as is', () => {
  const open = fold([ev('run.started', { seq: 0 }), ev('run.progress', { seq: 1, progress: { done: 1, total: 3 } })]);
  const crashed = markCrashed(open, 'no heartbeat for 120 s', at(300));
  assert.is(crashed.status, 'crashed');
  assert.is(crashed.endedAt, at(300));
  assert.equal(crashed.error, { message: 'no heartbeat for 120 s', code: 'crashed' });
  assert.equal(crashed.progress, { done: 1, total: 3 }, 'a crash does not pretend the work was done');
  assert.is(markCrashed(crashed, 'again', at(400)), crashed);
  const completed = fold([ev('run.started', { seq: 0 }), ev('run.completed', { seq: 1 })]);
  assert.is(markCrashed(completed, 'late', at(5)), completed);
});

test('markCrashed equals applying crashEvent (what the journal replays), and the journalled crash is then a duplicate', () => {
  const open = fold([ev('run.started', { seq: 0 }), ev('run.log', { seq: 1, message: 'x' })]);
  const event = crashEvent(open, 'process exited', at(60));
  assert.is(event.id, 'crash:r1');
  assert.is(event.type, 'run.crashed');
  const viaMark = markCrashed(open, 'process exited', at(60));
  const viaReplay = applyEvent(open, event, at(60));
  assert.equal(summarize(viaMark), summarize(viaReplay));
  assert.is(applyEvent(viaMark, event, at(61)), viaMark);
});

test('isTerminal is true exactly for completed, error, cancelled and crashed', () => {
  assert.equal(
    RUN_STATUSES.filter((s) => isTerminal(s)),
    ['completed', 'error', 'cancelled', 'crashed'],
  );
});

test('summarize drops appliedIds and fieldSeqs, copies collections, and gives durationMs once ended', () => {
  const open = fold([ev('run.started', { seq: 0, ts: at(10) }), ev('run.metric', { seq: 1, metrics: { a: 1 } })]);
  const openSummary = summarize(open);
  assert.is(openSummary.durationMs, null);
  assert.not.ok('appliedIds' in openSummary);
  assert.not.ok('fieldSeqs' in openSummary);
  assert.ok(openSummary.metrics !== open.metrics && openSummary.children !== open.children);
  const ended = applyEvent(open, ev('run.completed', { seq: 2, ts: at(72.5) }), at(80));
  assert.is(summarize(ended).durationMs, 62_500);
  assert.equal(JSON.parse(JSON.stringify(summarize(ended))), summarize(ended), 'plain JSON data');
});

test('linkChild appends a child once, in order, without touching the parent it was given', () => {
  const parent = fold([ev('run.started', { seq: 0 })]);
  const one = linkChild(parent, 'c1');
  const two = linkChild(one, 'c2');
  assert.equal(two.children, ['c1', 'c2']);
  assert.equal(parent.children, []);
  assert.is(linkChild(two, 'c1'), two);
  assert.is(applyEvent(two, ev('run.log', { seq: 1, message: 'x' }), at(1)).children, two.children, 'events keep the children list');
});

// ---- order independence over seeded random permutations ----

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A realistic run with unique seqs: start, interleaved progress/logs/metrics/heartbeats, one terminal last. */
function scenario(random: () => number, terminal: AgentEventType): AgentEvent[] {
  const events: AgentEvent[] = [ev('run.started', { seq: 0, ts: at(0), parentRunId: 'root' })];
  const total = 3 + Math.floor(random() * 8);
  let seq = 1;
  for (let done = 1; done <= total; done++) {
    events.push(ev('run.progress', { seq: seq++, progress: { done, total, ...(random() < 0.5 ? { label: `advisor ${done}` } : {}) } }));
    if (random() < 0.6) events.push(ev('run.log', { seq: seq++, level: 'info', message: `line ${seq}` }));
    if (random() < 0.5) events.push(ev('run.metric', { seq: seq++, metrics: { apiCalls: done * 2, ...(random() < 0.5 ? { [`m${done % 3}`]: seq } : {}) } }));
    if (random() < 0.3) events.push(ev('run.heartbeat', { seq: seq++ }));
  }
  events.push(ev(terminal, { seq: seq++, ...(terminal === 'run.failed' ? { error: { message: 'quota' } } : {}) }));
  return events;
}

/** Everything of a state, appliedIds as a sorted list (receivedAt is constant in these checks). */
function comparable(state: RunState): unknown {
  return { ...state, appliedIds: [...state.appliedIds].sort() };
}

test('any arrival order (with duplicates mixed in) ends in the same status, endedAt, error, logs, metrics and start', () => {
  const random = rngFrom(20240501);
  const terminals: AgentEventType[] = ['run.completed', 'run.failed', 'run.cancelled'];
  for (let round = 0; round < 200; round++) {
    const events = scenario(random, terminals[round % terminals.length]!);
    const inOrder = fold(events, undefined, () => RECEIVED);
    const mixed = shuffle(events, random);
    for (let d = 0; d < 3; d++) mixed.splice(Math.floor(random() * mixed.length), 0, events[Math.floor(random() * events.length)]!);
    const permuted = fold(mixed, undefined, () => RECEIVED);
    const pick = (s: RunState) => ({
      status: s.status,
      endedAt: s.endedAt,
      error: s.error,
      logCount: s.logCount,
      metrics: s.metrics,
      startedAt: s.startedAt,
      queuedAt: s.queuedAt,
      parentRunId: s.parentRunId,
      maxSeq: s.maxSeq,
      ids: [...s.appliedIds].sort(),
    });
    assert.equal(pick(permuted), pick(inOrder), `round ${round}`);
  }
});

test('when the terminal event arrives last, any order of the other events gives exactly the in-order state', () => {
  const random = rngFrom(7);
  const terminals: AgentEventType[] = ['run.completed', 'run.failed', 'run.cancelled'];
  for (let round = 0; round < 200; round++) {
    const events = scenario(random, terminals[round % terminals.length]!);
    const terminal = events[events.length - 1]!;
    const inOrder = fold(events, undefined, () => RECEIVED);
    const permuted = fold([...shuffle(events.slice(0, -1), random), terminal], undefined, () => RECEIVED);
    assert.equal(comparable(permuted), comparable(inOrder), `round ${round}`);
    // Still open (no terminal yet): the same holds for the open state.
    const openInOrder = fold(events.slice(0, -1), undefined, () => RECEIVED);
    const openPermuted = fold(shuffle(events.slice(0, -1), random), undefined, () => RECEIVED);
    assert.equal(comparable(openPermuted), comparable(openInOrder), `open, round ${round}`);
  }
});

test('a long run stays cheap to fold: 20 000 events keep every id and dedupe in O(1)', () => {
  let state = applyEvent(undefined, ev('run.started', { seq: 0 }), RECEIVED);
  const ids: string[] = [];
  for (let i = 1; i <= 20_000; i++) {
    const event = ev('run.log', { seq: i, message: `line ${i}` });
    ids.push(event.id);
    state = applyEvent(state, event, RECEIVED);
  }
  assert.is(state.appliedIds.size, 20_001);
  assert.is(state.logCount, 20_000);
  assert.ok(ids.every((id) => state.appliedIds.has(id)));
});

test.run();
