// AgentEvent validation: every field's rule with the message an agent author sees, strict unknown fields,
// and run.crashed accepted only from the dashboard (stored schema), never from producers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { producerEventSchema, storedEventSchema, validateEvent } from '../../gateway/domain/agents/event-schema.js';
import { EVENT_TYPES } from '../../gateway/domain/agents/types.js';

const valid = {
  id: 'evt-1',
  type: 'run.progress',
  runId: 'run_2024-05-01:ce.1',
  agent: 'content-generator',
  parentRunId: 'parent-1',
  seq: 0,
  ts: '2024-05-01T20:30:00.123+05:30',
  progress: { done: 1, total: 3, label: 'advisor 1' },
  level: 'info',
  message: 'working',
  metrics: { apiCalls: 2, 'tokens.in': 1.5, t_2: 0 },
  error: { message: 'soft', code: 'E1' },
};

/** The one-line error for `valid` with `patch` applied (undefined values delete the field). */
function errorOf(patch: Record<string, unknown>, schema = producerEventSchema): string {
  const input: Record<string, unknown> = { ...valid, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete input[k];
  const result = validateEvent(input, schema);
  if (result.ok) throw new Error(`expected ${JSON.stringify(patch)} to be refused`);
  return result.error;
}

const accepts = (patch: Record<string, unknown>, schema = producerEventSchema) => {
  const input: Record<string, unknown> = { ...valid, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete input[k];
  const result = validateEvent(input, schema);
  assert.ok(result.ok, result.ok ? '' : result.error);
};

test('a complete valid event is accepted and returned unchanged', () => {
  const result = validateEvent(valid);
  assert.ok(result.ok);
  if (result.ok) assert.equal(result.event, valid);
});

test('a minimal event of each producer type is accepted', () => {
  const needs: Record<string, Record<string, unknown>> = {
    'run.progress': { progress: { done: 0, total: 0 } },
    'run.log': { message: '' },
    'run.metric': { metrics: { apiCalls: 1 } },
  };
  for (const type of EVENT_TYPES.filter((t) => t !== 'run.crashed')) {
    const event = { id: 'x', type, runId: 'r', agent: 'ab', ts: '2024-05-01T00:00:00Z', ...needs[type] };
    const result = validateEvent(event);
    assert.ok(result.ok, `${type}: ${result.ok ? '' : result.error}`);
  }
});

test('run.crashed is refused from producers but accepted in the stored schema', () => {
  assert.match(errorOf({ type: 'run.crashed' }), /^type: type must be one of run\.started, .*run\.heartbeat$/);
  assert.not.match(errorOf({ type: 'run.crashed' }), /run\.crashed/);
  accepts({ type: 'run.crashed' }, storedEventSchema);
  assert.match(errorOf({ type: 'run.exploded' }, storedEventSchema), /type must be one of .*run\.crashed/);
});

test('id must be 1..200 characters', () => {
  assert.is(errorOf({ id: '' }), 'id: id must not be empty');
  assert.is(errorOf({ id: 'x'.repeat(201) }), 'id: id must be at most 200 characters');
  assert.is(errorOf({ id: 7 }), 'id: id must be a string');
  assert.is(errorOf({ id: undefined }), 'id: id must be a string');
  accepts({ id: 'x'.repeat(200) });
});

test('runId and parentRunId must be 1..100 of A-Z a-z 0-9 . _ : -', () => {
  for (const bad of ['', 'has space', 'slash/no', 'x'.repeat(101), 'ü']) {
    assert.is(errorOf({ runId: bad }), 'runId: runId must be 1–100 characters of A-Z a-z 0-9 . _ : -', bad);
  }
  assert.is(errorOf({ parentRunId: 'a b' }), 'parentRunId: parentRunId must be 1–100 characters of A-Z a-z 0-9 . _ : -');
  assert.is(errorOf({ parentRunId: valid.runId }), 'parentRunId: parentRunId must differ from runId');
  accepts({ runId: 'x'.repeat(100), parentRunId: undefined });
});

test('agent must be a lower-case name of 2..40 characters starting with a letter', () => {
  for (const bad of ['a', 'Content', '1abc', 'a_b', 'x'.repeat(41)]) {
    assert.is(errorOf({ agent: bad }), 'agent: agent must be 2–40 characters of a-z 0-9 -, starting with a letter', bad);
  }
  accepts({ agent: 'a1' });
  accepts({ agent: 'a'.repeat(40) });
});

test('seq must be a non-negative integer and is optional', () => {
  assert.is(errorOf({ seq: -1 }), 'seq: seq must be ≥ 0');
  assert.is(errorOf({ seq: 1.5 }), 'seq: seq must be an integer');
  assert.is(errorOf({ seq: '3' }), 'seq: seq must be a number');
  assert.match(errorOf({ seq: 2 ** 60 }), /^seq: /);
  accepts({ seq: undefined });
});

test('ts must be ISO-8601 with an offset', () => {
  for (const bad of ['2024-05-01T20:30:00', '2024-05-01', 'yesterday', '2024-02-30T00:00:00Z', '2024-05-01 20:30:00Z']) {
    assert.match(errorOf({ ts: bad }), /^ts: ts must be ISO-8601 with seconds and an offset/, bad);
  }
  assert.is(errorOf({ ts: 5 }), 'ts: ts must be an ISO-8601 string');
  accepts({ ts: '2024-05-01T15:00:00Z' });
  accepts({ ts: '2024-05-01T15:00:00.5-03:00' });
});

test('progress needs done ≤ total, both ≥ 0, and no unknown fields', () => {
  assert.is(errorOf({ progress: { done: 4, total: 3 } }), 'progress.done: progress.done must not exceed progress.total');
  assert.is(errorOf({ progress: { done: -1, total: 3 } }), 'progress.done: progress.done must be ≥ 0');
  assert.match(errorOf({ progress: { done: 0, total: -1 } }), /progress\.total: progress\.total must be ≥ 0/);
  assert.is(errorOf({ progress: { done: 1 } }), 'progress.total: progress.total must be a number');
  assert.is(errorOf({ progress: 5 }), 'progress: progress must be an object {done, total, label?}');
  assert.is(errorOf({ progress: { done: 1, total: 2, pct: 50 } }), 'progress: unknown field "pct" in progress');
  assert.is(errorOf({ progress: { done: 1, total: 2, label: 'x'.repeat(501) } }), 'progress.label: progress.label must be at most 500 characters');
  accepts({ progress: { done: 3, total: 3 } });
});

test('level must be one of debug, info, warn, error', () => {
  assert.is(errorOf({ level: 'fatal' }), 'level: level must be debug, info, warn or error');
  for (const level of ['debug', 'info', 'warn', 'error']) accepts({ level });
});

test('message is limited to 8 KiB of UTF-8', () => {
  accepts({ message: 'x'.repeat(8192) });
  assert.is(errorOf({ message: 'x'.repeat(8193) }), 'message: message must be at most 8192 bytes');
  assert.is(errorOf({ message: 'é'.repeat(4097) }), 'message: message must be at most 8192 bytes', 'bytes, not characters');
  assert.is(errorOf({ message: 42 }), 'message: message must be a string');
});

test('metrics: at most 50 finite numbers with well-formed names', () => {
  const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`m${i}`, i]));
  accepts({ metrics: fifty });
  assert.is(errorOf({ metrics: { ...fifty, m50: 1 } }), 'metrics: metrics may hold at most 50 values per event');
  for (const bad of ['1abc', '_x', 'a b', 'x'.repeat(65), '']) {
    assert.match(errorOf({ metrics: { [bad]: 1 } }), /metric names must start with a letter and be at most 64 characters/, bad);
  }
  assert.is(errorOf({ metrics: { apiCalls: 'many' } }), 'metrics.apiCalls: metric values must be finite numbers');
  assert.is(errorOf({ metrics: { apiCalls: Infinity } }), 'metrics.apiCalls: metric values must be finite numbers');
  assert.is(errorOf({ metrics: { apiCalls: NaN } }), 'metrics.apiCalls: metric values must be finite numbers');
  assert.is(errorOf({ metrics: [1] }), 'metrics: metrics must be an object {name: number}');
  accepts({ metrics: { ['x'.repeat(64)]: -1.5 } });
});

test('error needs a message ≤ 4 KiB and an optional code, nothing else', () => {
  assert.is(errorOf({ error: { message: 'x'.repeat(4097) } }), 'error.message: error.message must be at most 4096 bytes');
  assert.is(errorOf({ error: { message: '' } }), 'error.message: error.message must not be empty');
  assert.is(errorOf({ error: { code: 'E1' } }), 'error.message: error.message must be a string');
  assert.is(errorOf({ error: 'boom' }), 'error: error must be an object {message, code?}');
  assert.is(errorOf({ error: { message: 'x', stack: '...' } }), 'error: unknown field "stack" in error');
  accepts({ error: { message: 'x'.repeat(4096) } });
});

test('trigger is optional and validated', () => {
  accepts({ type: 'run.started', trigger: { kind: 'schedule', scheduledFor: '2024-05-01T15:00:00Z', params: { dryRun: true } } });
  assert.is(errorOf({ trigger: { kind: 'cron' } }), 'trigger.kind: trigger.kind must be manual, schedule, external or parent');
  assert.is(errorOf({ trigger: { kind: 'manual', who: 'x' } }), 'trigger: unknown field "who" in trigger');
});

test('unknown top-level fields are refused, naming them', () => {
  assert.is(errorOf({ proggress: 1 }), 'unknown field "proggress" in the event');
  assert.is(errorOf({ a: 1, b: 2 }), 'unknown fields "a", "b" in the event');
});

test('each type must carry the field it is about', () => {
  assert.is(errorOf({ type: 'run.progress', progress: undefined }), 'progress: run.progress needs progress {done, total}');
  assert.is(errorOf({ type: 'run.log', message: undefined }), 'message: run.log needs a message');
  assert.is(errorOf({ type: 'run.metric', metrics: {} }), 'metrics: run.metric needs at least one metric');
});

test('a non-object item is refused with one clear message; several problems are all reported', () => {
  for (const bad of [null, 'event', 42, [valid]]) {
    const result = validateEvent(bad);
    assert.not.ok(result.ok);
    if (!result.ok) assert.is(result.error, 'an event must be an object');
  }
  const result = validateEvent({ ...valid, seq: -1, agent: 'X', ts: 'now' });
  assert.not.ok(result.ok);
  if (!result.ok) {
    assert.equal(result.issues.map((i) => i.path).sort(), ['agent', 'seq', 'ts']);
    assert.is(result.error.split('; ').length, 3);
  }
});

test.run();
