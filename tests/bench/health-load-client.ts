// Child process of the health benchmark: the load generator, run on a core of its own (health-load.ts
// starts it under `taskset`). Open loop (open-loop.ts) or closed loop (autocannon), as BENCH_LOAD_SPEC says;
// prints the result as one JSON line.
import autocannon from 'autocannon';
import { runOpenLoop, type OpenLoopOptions, type OpenLoopResult } from './open-loop.js';

export interface ClosedLoopOptions {
  url: string;
  headers: Record<string, string>;
  connections: number;
  warmupSeconds: number;
  seconds: number;
}

export interface ClosedLoopResult {
  connections: number;
  /** Every request this run made, warm-up included. */
  requests: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export type LoadSpec = ({ kind: 'open' } & OpenLoopOptions) | ({ kind: 'closed' } & ClosedLoopOptions);
export type LoadResult = ({ kind: 'open' } & OpenLoopResult) | ({ kind: 'closed' } & ClosedLoopResult);

async function closedLoop(o: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const warm = o.warmupSeconds > 0 ? await autocannon({ url: o.url, connections: o.connections, duration: o.warmupSeconds, headers: o.headers }) : null;
  const r = await autocannon({ url: o.url, connections: o.connections, duration: o.seconds, headers: o.headers });
  return {
    connections: o.connections,
    requests: r.requests.sent + (warm?.requests.sent ?? 0),
    reqPerSec: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

const spec = JSON.parse(process.env.BENCH_LOAD_SPEC ?? 'null') as LoadSpec | null;
if (!spec) throw new Error('BENCH_LOAD_SPEC is not set');
const result: LoadResult = spec.kind === 'open' ? { kind: 'open', ...(await runOpenLoop(spec)) } : { kind: 'closed', ...(await closedLoop(spec)) };
process.stdout.write(`${JSON.stringify(result)}\n`);
