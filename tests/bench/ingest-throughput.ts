// Durable ingest throughput: POST /api/ingest/events in batches of 100 realistic events (progress, logs,
// metrics over ~200 open runs, per-run seq) with 4, 16 and 64 requests in flight. Every accepted event is
// journalled (fsync'd) before the 202, so this is the rate of durable, applied, published events.
// autocannon drives the load from this process; the gateway runs from dist/ in its own.
import autocannon from 'autocannon';
import { mb, rssBytes, signIn, startGateway } from '../support/gateway-process.js';
import { BenchRun, INGEST_BENCH_ENV, agentJournalBytes, cpuSeconds, createIngestToken, round1, type IngestReply } from './ingest-support.js';

export interface ThroughputRow {
  inFlight: number;
  seconds: number;
  batches: number;
  eventsPerSec: number;
  batchP50Ms: number;
  batchP99Ms: number;
  journalMB: number;
  bytesPerEvent: number;
  rejected: number;
  non2xx: number;
  errors: number;
  /** CPU the gateway process used per wall second (100 = one core busy). */
  gatewayCpuPct: number;
  /** Events per CPU-second of the gateway: what one free core would sustain (less sensitive to a busy machine). */
  eventsPerGatewayCpuSec: number;
}

const BATCH = 100;
const RUNS = 200;

async function post(base: string, token: string, events: unknown[]): Promise<IngestReply> {
  const res = await fetch(`${base}/api/ingest/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  if (res.status !== 202) throw new Error(`ingest failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as IngestReply;
}

/** One load level: start RUNS fresh runs, drive them flat out for `seconds`, then complete them. */
async function level(base: string, token: string, dataDir: string, pid: number, inFlight: number, seconds: number, label: string): Promise<ThroughputRow> {
  const runs = Array.from({ length: RUNS }, (_, i) => new BenchRun(`bench-${label}-${i}`, i, 1_000_000));
  for (let i = 0; i < RUNS; i += BATCH) await post(base, token, runs.slice(i, i + BATCH).map((r) => r.started()));
  let cursor = 0;
  const nextBody = () => {
    const events = new Array(BATCH);
    for (let i = 0; i < BATCH; i++) events[i] = runs[cursor++ % RUNS]!.next();
    return JSON.stringify({ events });
  };
  let accepted = 0;
  let rejected = 0;
  const journalBefore = agentJournalBytes(dataDir);
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  const result = await autocannon({
    url: base,
    connections: inFlight,
    pipelining: 1,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/api/ingest/events',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: nextBody() }),
        onResponse: (status, body) => {
          if (status !== 202) return;
          const reply = JSON.parse(body) as IngestReply;
          accepted += reply.accepted;
          rejected += reply.rejected.length + reply.duplicates;
        },
      },
    ],
  });
  const wallS = (performance.now() - started) / 1000;
  const journalBytes = agentJournalBytes(dataDir) - journalBefore;
  const gatewayCpu = (cpuSeconds(pid) - cpuBefore) / wallS;
  for (let i = 0; i < RUNS; i += BATCH) await post(base, token, runs.slice(i, i + BATCH).map((r) => r.completed()));
  return {
    inFlight,
    seconds,
    batches: result.requests.total,
    eventsPerSec: Math.round(accepted / wallS),
    batchP50Ms: result.latency.p50,
    batchP99Ms: result.latency.p99,
    journalMB: round1(journalBytes / 1024 / 1024),
    bytesPerEvent: accepted ? Math.round(journalBytes / accepted) : 0,
    rejected,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    gatewayCpuPct: Math.round(gatewayCpu * 100),
    eventsPerGatewayCpuSec: gatewayCpu > 0 ? Math.round(accepted / wallS / gatewayCpu) : 0,
  };
}

export interface ThroughputResult {
  rows: ThroughputRow[];
  rssIdle: number;
  rssAfter: number;
}

export async function measureIngestThroughput(seconds: number, inFlightLevels = [4, 16, 64], nodeArgs: string[] = []): Promise<ThroughputResult> {
  const gw = await startGateway({ ...INGEST_BENCH_ENV }, { nodeArgs });
  try {
    const cookie = await signIn(gw.base, gw.adminPassword);
    const token = await createIngestToken(gw.base, cookie);
    const rssIdle = rssBytes(gw.child.pid!);
    await level(gw.base, token, gw.dataDir, gw.child.pid!, 16, 2, 'warmup');
    const rows: ThroughputRow[] = [];
    for (const inFlight of inFlightLevels) rows.push(await level(gw.base, token, gw.dataDir, gw.child.pid!, inFlight, seconds, `c${inFlight}`));
    return { rows, rssIdle, rssAfter: rssBytes(gw.child.pid!) };
  } finally {
    await gw.stop();
  }
}

export function printThroughput(r: ThroughputResult): void {
  console.log('Durable ingest, POST /api/ingest/events in batches of 100 (run.started per run, then progress/log/metric with per-run seq over 200 runs); autocannon in this process, gateway in its own (target ≥ 20,000 events/s):');
  console.table(r.rows.map((row) => ({ ...row, target: row.eventsPerSec >= 20_000 ? 'met' : 'MISSED' })));
  console.log('gatewayCpuPct: CPU the gateway got per wall second (100 = one core); well under 100 with p50 latency up means the machine, not the gateway, was the limit.');
  console.log(`Gateway RSS: ${mb(r.rssIdle)} idle → ${mb(r.rssAfter)} after the ingest runs\n`);
}
