// The metrics roll-up fold (workers/metrics-rollup.ts) on fixed data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rollup } from '../../workers/metrics-rollup.js';
import type { SystemSample } from '../../gateway/sources/system-metrics.js';

const T0 = Date.parse('2024-05-01T12:00:00.000Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

function sample(seconds: number, cpu: number, memory: number, dataDisk: number | null): SystemSample {
  return {
    ts: at(seconds),
    cpu: { percent: cpu, cores: 4 },
    load: [0.1, 0.2, 0.3],
    memory: { totalBytes: 1000, usedBytes: memory * 10, percent: memory },
    disk: [
      ...(dataDisk === null ? [] : [{ label: 'data' as const, path: '/srv/data', totalBytes: 100, usedBytes: dataDisk, percent: dataDisk }]),
      { label: 'root', path: '/', totalBytes: 100, usedBytes: 99, percent: 99 },
    ],
    uptimeSeconds: 100,
  };
}

test('no samples and no range give no buckets', () => {
  assert.equal(rollup([], 10), []);
});

test('splits the span into equal time buckets with min/avg/max per metric', () => {
  const samples = [sample(0, 10, 40, 70), sample(10, 30, 42, 70), sample(20, 50, 44, 71), sample(30, 70, 46, 72), sample(40, 90, 48, 80)];
  const buckets = rollup(samples, 2);
  assert.is(buckets.length, 2);
  assert.equal(buckets[0], {
    from: at(0), to: at(20), count: 2,
    cpu: { min: 10, avg: 20, max: 30 }, memory: { min: 40, avg: 41, max: 42 }, dataDisk: { min: 70, avg: 70, max: 70 },
  });
  // The last bucket includes the span's end.
  assert.equal(buckets[1], {
    from: at(20), to: at(40), count: 3,
    cpu: { min: 50, avg: 70, max: 90 }, memory: { min: 44, avg: 46, max: 48 }, dataDisk: { min: 71, avg: 74.33333333333333, max: 80 },
  });
});

test('input order does not matter', () => {
  const samples = [sample(0, 10, 40, 70), sample(10, 30, 42, 70), sample(20, 50, 44, 71), sample(30, 70, 46, 72)];
  assert.equal(rollup([...samples].reverse(), 3), rollup(samples, 3));
});

test('a gap in the data is an empty bucket with null stats, not zeros', () => {
  const buckets = rollup([sample(0, 10, 40, 70), sample(30, 20, 50, 70)], 3);
  assert.equal(buckets.map((b) => b.count), [1, 0, 1]);
  assert.equal(buckets[1], { from: at(10), to: at(20), count: 0, cpu: null, memory: null, dataDisk: null });
});

test('an explicit range keeps its buckets and drops samples outside it', () => {
  const buckets = rollup([sample(-5, 99, 99, 99), sample(5, 10, 40, 70), sample(65, 99, 99, 99)], 6, { from: T0, to: T0 + 60_000 });
  assert.is(buckets.length, 6);
  assert.equal(buckets.map((b) => b.count), [1, 0, 0, 0, 0, 0]);
  assert.equal(buckets[0]!.cpu, { min: 10, avg: 10, max: 10 });
  assert.is(buckets[5]!.to, at(60));
});

test('samples without a data disk count for cpu and memory but leave dataDisk null', () => {
  const [bucket] = rollup([sample(0, 10, 40, null), sample(1, 20, 50, null)], 1);
  assert.is(bucket!.count, 2);
  assert.equal(bucket!.cpu, { min: 10, avg: 15, max: 20 });
  assert.is(bucket!.dataDisk, null);
});

test('samples at one instant all fall in the first bucket', () => {
  const buckets = rollup([sample(0, 10, 40, 70), sample(0, 20, 40, 70)], 3);
  assert.equal(buckets.map((b) => b.count), [2, 0, 0]);
});

test('unparseable timestamps and non-finite readings are skipped', () => {
  const broken = { ...sample(5, 10, 40, 70), ts: 'not a date' };
  const nan = sample(5, Number.NaN, 40, 70);
  const [bucket] = rollup([sample(0, 10, 40, 70), broken, nan, sample(10, 30, 40, 70)], 1);
  assert.is(bucket!.count, 3);
  assert.equal(bucket!.cpu, { min: 10, avg: 20, max: 30 });
});

test('a bucket count that is not a positive integer is refused', () => {
  assert.throws(() => rollup([sample(0, 1, 1, 1)], 0), RangeError);
  assert.throws(() => rollup([sample(0, 1, 1, 1)], 2.5), RangeError);
});

test.run();
