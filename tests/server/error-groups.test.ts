// The error-group reducer: fingerprints ignore what varies between occurrences (numbers, ids, paths, quoted
// values, line numbers of the top frame) and keep what tells errors apart; counts, hours, occurrences, eviction.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  applyErrors,
  emptyErrorGroups,
  errorTemplate,
  fingerprintEntry,
  groupDetail,
  listGroups,
  topStackFrame,
  MAX_OCCURRENCES,
} from '../../gateway/domain/logs/error-groups.js';
import type { ErrorEntryInput, FingerprintedError } from '../../gateway/domain/logs/error-groups.js';

const T0 = Date.parse('2026-11-25T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function entry(message: string, at: number, over: Partial<ErrorEntryInput> = {}): ErrorEntryInput {
  return { ts: iso(at), level: 'error', source: 'pm2:api:err', file: '/var/log/api-error.log', offset: 0, message, ...over };
}
function fp(message: string, at = T0, over: Partial<ErrorEntryInput> = {}): FingerprintedError {
  const f = fingerprintEntry(entry(message, at, over));
  if (!f) throw new Error('expected an error entry');
  return f;
}

test('the template replaces numbers, uuids, hex ids, paths, quoted values and times', () => {
  assert.is(
    errorTemplate('User 4711 not found in /srv/app/data/users.json (request 3f2a9c1e-1b2c-4d5e-8f90-123456789abc)'),
    'User <n> not found in <path> (request <uuid>)',
  );
  assert.is(errorTemplate('Object 0x7ffd3a and 5f3e9a0c1d2b4e6f missing for "alice@example.com"'), 'Object <hex> and <hex> missing for <str>');
  assert.is(errorTemplate("can't open 'db-7' at 2026-11-25T10:00:01.123Z"), "can't open <str> at <time>");
  assert.is(errorTemplate('first line\n    at stack (x.js:1:2)'), 'first line', 'only the first line counts');
});

test('the same error with other ids gets one fingerprint; a different message or top frame another', () => {
  const a = fp('Timeout after 3000 ms calling /api/users/17');
  const b = fp('Timeout after 5000 ms calling /api/users/99');
  const c = fp('Connection refused calling /api/users/17');
  assert.is(a.fingerprint, b.fingerprint);
  assert.is.not(a.fingerprint, c.fingerprint);
  const s1 = fp('TypeError: x is undefined\n    at render (/app/src/view.js:10:5)\n    at main (/app/src/index.js:3:1)');
  const s2 = fp('TypeError: x is undefined\n    at render (/app/src/view.js:12:9)\n    at other (/app/src/o.js:1:1)');
  const s3 = fp('TypeError: x is undefined\n    at save (/app/src/store.js:10:5)');
  assert.is(s1.fingerprint, s2.fingerprint, 'line and column numbers of the top frame do not split a group');
  assert.is.not(s1.fingerprint, s3.fingerprint, 'another top frame is another group');
  assert.is(s1.topFrame, 'at render (/app/src/view.js)');
});

test('the top frame is also found in Python tracebacks; an entry without a stack has none', () => {
  assert.is(topStackFrame('Traceback (most recent call last):\n  File "/app/run.py", line 12, in main\n    go()'), 'File "/app/run.py", in main');
  assert.is(topStackFrame('just one line'), null);
});

test('only error and fatal entries are fingerprinted', () => {
  for (const level of ['trace', 'debug', 'info', 'warn', null] as const) assert.is(fingerprintEntry(entry('boom 1', T0, { level })), null, String(level));
  assert.is(fingerprintEntry(entry('boom', T0, { level: 'fatal' }))?.level, 'fatal');
});

test('groups count occurrences, keep first/last seen, sources, the latest sample and the highest level', () => {
  let state = emptyErrorGroups();
  state = applyErrors(state, [fp('Disk 1 full', T0), fp('Disk 2 full', T0 + 60_000, { source: 'pm2:worker:err', level: 'fatal' })]);
  state = applyErrors(state, [fp('Disk 3 full', T0 - 60_000)]); // a backfilled older one
  const [g] = listGroups(state, T0 + 60_000);
  assert.is(g!.count, 3);
  assert.is(g!.firstSeen, iso(T0 - 60_000));
  assert.is(g!.lastSeen, iso(T0 + 60_000));
  assert.is(g!.sample, 'Disk 2 full', 'the sample is the latest occurrence');
  assert.is(g!.level, 'fatal');
  assert.equal(g!.sources, ['pm2:api:err', 'pm2:worker:err']);
});

test('the reducer is pure: the old state is unchanged', () => {
  const before = applyErrors(emptyErrorGroups(), [fp('E 1', T0)]);
  const snapshot = JSON.stringify(before);
  const after = applyErrors(before, [fp('E 2', T0 + 1000), fp('Other', T0)]);
  assert.is(JSON.stringify(before), snapshot);
  assert.is(Object.keys(after.groups).length, 2);
});

test('hourly holds 24 counts ending with the current hour; older hours fall out', () => {
  const H = 3_600_000;
  let state = emptyErrorGroups();
  state = applyErrors(state, [fp('E', T0 - 30 * H), fp('E', T0 - 23 * H), fp('E', T0 - 2 * H), fp('E', T0 - 2 * H + 1), fp('E', T0 + 5 * 60_000)]);
  const [g] = listGroups(state, T0 + 10 * 60_000);
  assert.is(g!.hourly.length, 24);
  assert.is(g!.hourly[23], 1, 'this hour');
  assert.is(g!.hourly[21], 2, 'two hours ago');
  assert.is(g!.hourly[0], 1, '23 hours ago is the oldest bucket');
  assert.is(g!.hourly.reduce((a, b) => a + b, 0), 4, 'the one 30 hours ago is counted but in no bucket');
  assert.is(g!.count, 5);
  // Later, the same state seen from 3 hours on: the buckets shift.
  const [later] = listGroups(state, T0 + 3 * H);
  assert.is(later!.hourly[23 - 3], 1);
});

test('occurrences keep the latest 100, returned newest first', () => {
  const errors = Array.from({ length: 130 }, (_, i) => fp(`E ${i}`, T0 + i * 1000, { offset: i * 10 }));
  const state = applyErrors(emptyErrorGroups(), errors);
  const detail = groupDetail(state, errors[0]!.fingerprint, T0)!;
  assert.is(detail.occurrences.length, MAX_OCCURRENCES);
  assert.equal(detail.occurrences[0], { ts: iso(T0 + 129_000), source: 'pm2:api:err', file: '/var/log/api-error.log', offset: 1290 });
  assert.is(detail.occurrences[99]!.offset, 300);
  assert.is(detail.group.count, 130);
  assert.is(groupDetail(state, 'ffffffffffffffff', T0), null, 'unknown fingerprint');
  assert.is(groupDetail(state, '__proto__', T0), null);
});

test('past the bound, the groups seen least recently are dropped', () => {
  const errors = Array.from({ length: 6 }, (_, i) => fp(`Distinct failure kind ${'abcdef'[i]}`, T0 + i * 1000));
  const state = applyErrors(emptyErrorGroups(), errors, 4);
  const kept = listGroups(state, T0).map((g) => g.template);
  assert.equal(kept, ['Distinct failure kind f', 'Distinct failure kind e', 'Distinct failure kind d', 'Distinct failure kind c']);
});

test('listGroups filters by time range, source and limit, most recent first', () => {
  const state = applyErrors(emptyErrorGroups(), [
    fp('Alpha', T0, { source: 'a' }),
    fp('Beta', T0 + 10_000, { source: 'b' }),
    fp('Gamma', T0 + 20_000, { source: 'a' }),
  ]);
  assert.equal(listGroups(state, T0).map((g) => g.template), ['Gamma', 'Beta', 'Alpha']);
  assert.equal(listGroups(state, T0, { sources: ['a'] }).map((g) => g.template), ['Gamma', 'Alpha']);
  assert.equal(listGroups(state, T0, { from: T0 + 5_000, to: T0 + 15_000 }).map((g) => g.template), ['Beta']);
  assert.equal(listGroups(state, T0, { limit: 1 }).map((g) => g.template), ['Gamma']);
});

test.run();
