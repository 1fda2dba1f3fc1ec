// Worker task: downsamples SystemSample[] into N equal time buckets with min/avg/max of CPU %, memory %
// and data-disk % (for sparklines). `rollup` is the pure fold; the default export is the Piscina task.
import type { MessagePort } from 'node:worker_threads';
import type { SystemSample } from '../gateway/sources/system-metrics.js';

export interface Stat { min: number; avg: number; max: number }
export interface RollupBucket {
  from: string;            // ISO, inclusive
  to: string;              // ISO, exclusive (the last bucket includes its end)
  count: number;           // samples that fell in the bucket; 0 = a gap in the data
  cpu: Stat | null;
  memory: Stat | null;
  dataDisk: Stat | null;   // null too when no sample in the bucket had a 'data' disk
}
export interface RollupRange { from: number; to: number } // ms epoch; default: first to last sample
export interface MetricsRollupPayload { samples: SystemSample[]; buckets: number; range?: RollupRange }

interface Acc { min: number; max: number; sum: number; n: number }

export function rollup(samples: readonly SystemSample[], buckets: number, range?: RollupRange): RollupBucket[] {
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be a positive integer, got ${buckets}`);
  const timed = samples
    .map((sample) => ({ sample, t: Date.parse(sample.ts) }))
    .filter(({ t }) => Number.isFinite(t));
  if (timed.length === 0 && !range) return [];

  // Loops, not Math.min(...spread): a day of samples would overflow the argument stack.
  let first = Infinity;
  let last = -Infinity;
  for (const { t } of timed) {
    if (t < first) first = t;
    if (t > last) last = t;
  }
  const from = range?.from ?? first;
  const to = range?.to ?? last;
  if (!(to >= from)) throw new RangeError('range.to must not be before range.from');
  const width = (to - from) / buckets;

  const accs = Array.from({ length: buckets }, () => ({ cpu: newAcc(), memory: newAcc(), dataDisk: newAcc(), count: 0 }));
  for (const { sample, t } of timed) {
    if (t < from || t > to) continue;
    // width 0 (one instant): everything lands in the first bucket.
    const index = width > 0 ? Math.min(buckets - 1, Math.floor((t - from) / width)) : 0;
    const acc = accs[index]!;
    acc.count++;
    add(acc.cpu, sample.cpu.percent);
    add(acc.memory, sample.memory.percent);
    const data = sample.disk.find((d) => d.label === 'data');
    if (data) add(acc.dataDisk, data.percent);
  }

  return accs.map((acc, i) => ({
    from: new Date(from + width * i).toISOString(),
    to: new Date(i === buckets - 1 ? to : from + width * (i + 1)).toISOString(),
    count: acc.count,
    cpu: stat(acc.cpu),
    memory: stat(acc.memory),
    dataDisk: stat(acc.dataDisk),
  }));
}

export default async function metricsRollup({ payload }: { payload: MetricsRollupPayload; port?: MessagePort }): Promise<RollupBucket[]> {
  return rollup(payload.samples, payload.buckets, payload.range);
}

function newAcc(): Acc {
  return { min: Infinity, max: -Infinity, sum: 0, n: 0 };
}
function add(acc: Acc, value: number): void {
  if (!Number.isFinite(value)) return; // a broken reading must not poison the whole bucket
  acc.min = Math.min(acc.min, value);
  acc.max = Math.max(acc.max, value);
  acc.sum += value;
  acc.n++;
}
function stat(acc: Acc): Stat | null {
  return acc.n === 0 ? null : { min: acc.min, avg: acc.sum / acc.n, max: acc.max };
}
