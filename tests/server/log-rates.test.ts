// The per-minute rate reducer: counts by minute, source and level, a pure fold that keeps 24 hours.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyRates, countEntries, emptyLogRates, rateBuckets, MINUTE_MS } from '../../gateway/domain/logs/log-rates.js';

const T0 = Date.parse('2026-11-25T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

test('entries are counted by minute, source and level (unknown level included)', () => {
  const counts = countEntries([
    { ts: iso(T0 + 1_000), source: 'a', level: 'error' },
    { ts: iso(T0 + 59_999), source: 'a', level: 'error' },
    { ts: iso(T0 + 60_000), source: 'a', level: 'error' },
    { ts: iso(T0 + 2_000), source: 'b', level: null },
    { ts: 'not a time', source: 'b', level: 'info' },
  ]);
  const state = applyRates(emptyLogRates(), counts, T0 + 2 * MINUTE_MS);
  assert.equal(rateBuckets(state), [
    { t: iso(T0), source: 'a', level: 'error', count: 2 },
    { t: iso(T0), source: 'b', level: null, count: 1 },
    { t: iso(T0 + MINUTE_MS), source: 'a', level: 'error', count: 1 },
  ]);
});

test('counts of the same cell add up across batches, and the old state stays as it was', () => {
  const one = applyRates(emptyLogRates(), [{ minute: T0, source: 'a', level: 'warn', count: 3 }], T0);
  const frozen = JSON.stringify(one);
  const two = applyRates(one, [{ minute: T0, source: 'a', level: 'warn', count: 4 }], T0);
  assert.is(JSON.stringify(one), frozen);
  assert.equal(rateBuckets(two), [{ t: iso(T0), source: 'a', level: 'warn', count: 7 }]);
});

test('minutes older than 24 hours are dropped, on arrival and as time goes on', () => {
  const H = 3_600_000;
  let state = applyRates(emptyLogRates(), [
    { minute: T0 - 25 * H, source: 'a', level: 'info', count: 1 },
    { minute: T0 - 23 * H, source: 'a', level: 'info', count: 2 },
    { minute: T0, source: 'a', level: 'info', count: 3 },
  ], T0);
  assert.equal(rateBuckets(state).map((b) => b.count), [2, 3]);
  state = applyRates(state, [], T0 + 2 * H);
  assert.equal(rateBuckets(state).map((b) => b.count), [3]);
});

test('buckets are filtered by time range and sources', () => {
  const state = applyRates(emptyLogRates(), [
    { minute: T0, source: 'a', level: 'info', count: 1 },
    { minute: T0 + MINUTE_MS, source: 'b', level: 'info', count: 2 },
    { minute: T0 + 2 * MINUTE_MS, source: 'a', level: 'error', count: 3 },
  ], T0 + 2 * MINUTE_MS);
  assert.equal(rateBuckets(state, { sources: ['a'] }).map((b) => b.count), [1, 3]);
  // A minute is in the range when it overlaps it: the one holding `from` is included.
  assert.equal(rateBuckets(state, { from: T0 + 30_000, to: T0 + MINUTE_MS }).map((b) => b.count), [1, 2]);
  assert.equal(rateBuckets(state, { from: T0 + MINUTE_MS, to: T0 + MINUTE_MS + 59_999 }).map((b) => b.count), [2]);
});

test.run();
