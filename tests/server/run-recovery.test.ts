// Restart recovery: snapshot + journal replay (in the worker pool, through the same reducer) gives the state
// the live service had; a bad snapshot is set aside and the journal alone rebuilds; journalled crashes replay;
// and a real gateway killed with SIGKILL during ingest comes back with every acknowledged event.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { summarize } from '../../gateway/domain/agents/run-reducer.js';
import { ManualClock, signedInAdmin, tokenClient, type TestClient } from '../support/test-gateway.js';
import { startGateway, type RunningGateway } from '../support/gateway-process.js';
import { closeRunServices, openRunService, producer, scratchDir, type RunServiceHarness } from '../support/run-service-harness.js';
import type { AgentEvent, AgentEventType, RunState } from '../../gateway/domain/agents/types.js';

const gateways: RunningGateway[] = [];

test.after(async () => {
  for (const g of gateways) await g.stop().catch(() => undefined);
  await closeRunServices();
});

const tempDir = () => scratchDir('oc-recovery-');

let n = 0;
function ev(type: AgentEventType, runId: string, fields: Partial<AgentEvent> = {}): AgentEvent {
  n += 1;
  return { id: `rc-${n}`, type, runId, agent: 'content-generator', ts: new Date(Date.UTC(2026, 10, 25, 9, 0, 0, n * 10)).toISOString(), ...fields };
}

/** A run service on `dir` (a restart when one ran there before). */
const open = (dir: string, clock: ManualClock, heartbeatTimeoutMs = 120_000): Promise<RunServiceHarness> =>
  openRunService({ dir, clock, options: { heartbeatTimeoutMs } });

/** Stops timers without the final snapshot, as a crash would. */
const abandon = (i: RunServiceHarness): Promise<void> => i.abandon();

const plain = (runs: ReadonlyMap<string, RunState>) =>
  Object.fromEntries([...runs.values()].map((r) => [r.runId, { ...summarize(r), ids: [...r.appliedIds].sort() }]));

function workload(prefix: string, runCount: number, steps: number): AgentEvent[][] {
  const batches: AgentEvent[][] = [];
  batches.push([ev('run.started', `${prefix}-root`, { seq: 0, agent: 'content-engine' })]);
  for (let step = 0; step < steps; step++) {
    const batch: AgentEvent[] = [];
    for (let r = 0; r < runCount; r++) {
      const runId = `${prefix}-${r}`;
      if (step === 0) batch.push(ev('run.started', runId, { seq: 0, parentRunId: `${prefix}-root` }));
      // Out of order on purpose: seq decides, not arrival.
      batch.push(ev('run.progress', runId, { seq: step * 2 + 2, progress: { done: step + 1, total: steps } }));
      batch.push(ev('run.log', runId, { seq: step * 2 + 1, message: `${runId} step ${step}` }));
      if (step === steps - 1 && r % 3 === 0) batch.push(ev('run.failed', runId, { seq: 1000, error: { message: 'boom' } }));
    }
    batches.push(batch);
  }
  return batches;
}

test('snapshot + replay of the journal after it rebuilds exactly the live state', async () => {
  const dir = tempDir();
  const clock = new ManualClock();
  const a = await open(dir, clock);
  const batches = workload('s', 6, 8);
  for (const [i, batch] of batches.entries()) {
    await a.runs.ingest(batch, producer);
    clock.advance(1000);
    if (i === 3) await a.runs.snapshot(true);
  }
  const live = plain(a.runs.runs());
  await abandon(a);

  const b = await open(dir, clock);
  assert.ok(b.runs.recovery!.snapshotRuns > 0, 'started from the snapshot');
  assert.ok(b.runs.recovery!.replayedEvents > 0, 'and replayed the journal after it');
  assert.equal(plain(b.runs.runs()), live);
  // Ingest continues where it left off: an old id is still a duplicate.
  assert.equal(await b.runs.ingest([batches[2]![0]!], producer), { accepted: 0, duplicates: 1, rejected: [] });
  await abandon(b);
});

test('an unreadable snapshot is set aside and the journal alone rebuilds the same state', async () => {
  const dir = tempDir();
  const clock = new ManualClock();
  const a = await open(dir, clock);
  for (const batch of workload('j', 3, 4)) await a.runs.ingest(batch, producer);
  await a.runs.snapshot(true);
  const live = plain(a.runs.runs());
  await abandon(a);
  const file = path.join(dir, 'snapshots', 'agent-runs.json');
  fs.writeFileSync(file, '{"version": 1, "runs": [tru');
  const b = await open(dir, clock);
  assert.equal(b.runs.recovery!.snapshotRuns, 0);
  assert.match(b.runs.recovery!.problems.join(' '), /set aside/);
  assert.ok(fs.readdirSync(path.dirname(file)).some((f) => f.startsWith('agent-runs.json.bad-')));
  assert.equal(plain(b.runs.runs()), live);
  await abandon(b);
});

test('a crash from the heartbeat watchdog is journalled, so replay crashes the run the same way', async () => {
  const dir = tempDir();
  const clock = new ManualClock();
  const a = await open(dir, clock, 60_000);
  await a.runs.ingest([ev('run.started', 'silent', { seq: 0 })], producer);
  clock.advance(61_000);
  assert.equal(await a.runs.checkHeartbeats(), ['silent']);
  const live = plain(a.runs.runs());
  await abandon(a);
  const b = await open(dir, clock, 60_000);
  assert.is(b.runs.get('silent')!.status, 'crashed');
  assert.equal(plain(b.runs.runs()), live);
  await abandon(b);
});

test('open runs that went silent while the dashboard was down are crashed at start', async () => {
  const dir = tempDir();
  const clock = new ManualClock();
  const a = await open(dir, clock, 60_000);
  await a.runs.ingest([ev('run.started', 'orphan', { seq: 0 })], producer);
  await abandon(a);
  clock.advance(10 * 60_000);
  const b = await open(dir, clock, 60_000);
  assert.is(b.runs.get('orphan')!.status, 'crashed');
  await abandon(b);
});

// ---- a real gateway process, SIGKILLed during ingest ----

async function allRuns(client: TestClient): Promise<Record<string, unknown>> {
  const res = await client.get('/api/agents/runs?limit=500');
  assert.is(res.status, 200, res.text);
  return Object.fromEntries(res.body.runs.map((r: { runId: string }) => [r.runId, r]));
}

test('after kill -9 during ingest, a restart on the same data has every acknowledged event and the same runs', async () => {
  const dataDir = tempDir();
  const env = { RATE_LIMIT_PER_MINUTE: '1000000', AGENT_SNAPSHOT_SECONDS: '0.2', BCRYPT_COST: '4' };
  const first = await startGateway(env, { fromSources: true, dataDir });
  gateways.push(first);
  const reader = await signedInAdmin(first.base, first.adminPassword);
  const client = await tokenClient(first.base, reader, 'viewer', 'ingest');

  // Phase 1: settled runs, read back before the kill.
  for (const batch of workload('p1', 10, 5)) assert.is((await client.post('/api/ingest/events', { events: batch })).status, 202);
  await new Promise((r) => setTimeout(r, 400)); // let at least one snapshot be written
  const before = await allRuns(reader);

  // Phase 2: other runs, four requests in flight, killed after some acknowledgements.
  const acked: AgentEvent[][] = [];
  const batches = workload('p2', 25, 60).map((b) => b.slice(0, 100));
  let next = 0;
  let killed = false;
  const worker = async () => {
    while (!killed && next < batches.length) {
      const batch = batches[next++]!;
      try {
        const res = await client.post('/api/ingest/events', { events: batch });
        if (res.status === 202) acked.push(batch);
      } catch {
        return; // connection cut by the kill
      }
      if (acked.length >= 20 && !killed) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    }
  };
  const exited = new Promise((r) => first.child.once('exit', r));
  await Promise.all([worker(), worker(), worker(), worker()]);
  await exited;
  assert.ok(acked.length >= 20, `acknowledged ${acked.length} batches before the kill`);

  const second = await startGateway(env, { fromSources: true, dataDir });
  gateways.push(second);
  const reader2 = await signedInAdmin(second.base, second.adminPassword);
  const after = await allRuns(reader2);
  for (const [runId, run] of Object.entries(before)) assert.equal(after[runId], run, `run ${runId} as before the kill`);

  // Every acknowledged log line is there, in each run's log.
  const expected = new Map<string, Set<string>>();
  for (const batch of acked) {
    for (const e of batch) {
      if (e.type !== 'run.log') continue;
      if (!expected.has(e.runId)) expected.set(e.runId, new Set());
      expected.get(e.runId)!.add(e.message!);
    }
  }
  for (const [runId, messages] of expected) {
    const res = await reader2.get(`/api/agents/runs/${runId}/logs?limit=2000`);
    assert.is(res.status, 200, res.text);
    const have = new Set(res.body.lines.map((l: { message: string }) => l.message));
    for (const m of messages) assert.ok(have.has(m), `${runId}: acknowledged line "${m}" survived`);
  }
  await second.stop();
});

test.run();
