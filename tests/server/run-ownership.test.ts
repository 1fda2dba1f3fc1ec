// Which runs an ingest writer may write, through a real gateway with real launched processes: a launch token
// writes only its launch's run and the child runs under it, a general ingest token only the runs it started,
// attribution comes from the server, and cancel ends a launched process group whatever its run's state says.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startAdminGateway, tokenClient, signedInAs, TestClient, type AdminGateway, type Reply } from '../support/test-gateway.js';
import { pidGone } from '../support/agent-fakes.js';
import { createAgentRun, type IngestProblem } from '../../agents/sdk/index.js';
import type { AgentEvent, AgentEventType, RunState, RunTrigger } from '../../gateway/domain/agents/types.js';

const scripts = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-owner-'));
const handoff = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-owner-handoff-'));
// A launched agent that hands its launch token and the pids of its group to the test, says "ready" and keeps
// running (with a grandchild in its process group) until it is stopped.
fs.writeFileSync(
  path.join(scripts, 'holder.mjs'),
  `import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
grandchild.on('spawn', () => {
  const info = { token: process.env.DASHBOARD_INGEST_TOKEN, pids: [process.pid, grandchild.pid] };
  fs.writeFileSync(path.join(process.env.HANDOFF_DIR, process.env.RUN_ID + '.json'), JSON.stringify(info), { mode: 0o600 });
  console.log(JSON.stringify({ type: 'run.log', seq: 1, message: 'ready' }));
});
setInterval(() => {}, 1000);
`,
);

let t: AdminGateway;
let admin: TestClient;
let operator: TestClient;

test.before(async () => {
  t = await startAdminGateway();
  admin = t.admin;
  operator = await signedInAs(t.base, admin, 'operator');
  for (const name of ['holder-a', 'holder-b']) {
    const launch = { command: 'node', args: ['holder.mjs'], cwd: scripts, env: { HANDOFF_DIR: handoff }, timeoutSeconds: 600, maxConcurrent: 3 };
    const res = await admin.post('/api/agents', { name, launch });
    assert.is(res.status, 201, res.text);
  }
});

test.after(async () => {
  await t?.close();
  fs.rmSync(scripts, { recursive: true, force: true });
  fs.rmSync(handoff, { recursive: true, force: true });
});

let n = 0;
function ev(type: AgentEventType, runId: string, fields: Partial<AgentEvent> = {}): AgentEvent {
  n += 1;
  return { id: `own-${n}`, type, runId, agent: 'content-engine', ts: new Date(Date.UTC(2026, 10, 25, 10, 0, n)).toISOString(), ...fields };
}

/** Resolves with the run once the predicate holds for it (checked now and at every change of the run service). */
function untilRun(runId: string, predicate: (run: RunState) => boolean): Promise<RunState> {
  const runs = t.gw.services.runs;
  return new Promise((resolve) => {
    const now = runs.get(runId);
    if (now && predicate(now)) return resolve(now);
    const stop = runs.onChange((run) => {
      if (run.runId === runId && predicate(run)) {
        stop();
        resolve(run);
      }
    });
  });
}

interface Launched {
  runId: string;
  client: TestClient;
  pids: number[];
}

/** Triggers a holder agent and waits until it is running and has handed over its launch token. */
async function launch(agent: string): Promise<Launched> {
  const res = await operator.post(`/api/agents/${agent}/trigger`, {});
  assert.is(res.status, 202, res.text);
  const runId: string = res.body.runId;
  await untilRun(runId, (run) => run.activity === 'ready');
  const info = JSON.parse(fs.readFileSync(path.join(handoff, `${runId}.json`), 'utf8')) as { token: string; pids: number[] };
  const client = new TestClient(t.base);
  client.bearer = info.token;
  client.origin = null;
  return { runId, client, pids: info.pids };
}

/** Cleanup: cancel; should the cancel be refused, end the group directly so the test does not wait for the timeout. */
async function cancelAndWait(l: Launched): Promise<void> {
  const res = await operator.post(`/api/agents/runs/${l.runId}/cancel`);
  if (res.status !== 202) {
    try {
      process.kill(-l.pids[0]!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await t.gw.services.launcher.whenEnded(l.runId);
}

function agentEventLines(): any[] {
  const dir = path.join(t.dataDir, 'journal', 'agent-events');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
}

function rejectedAs(res: Reply, code: string, indexes: number[]): void {
  assert.is(res.status, 202, res.text);
  assert.is(res.body.accepted, 0, res.text);
  assert.equal(res.body.rejected.map((r: { index: number }) => r.index), indexes);
  for (const r of res.body.rejected) {
    assert.is(r.code, code, res.text);
    assert.type(r.error, 'string');
  }
}

test("a launch token cannot complete, fail or log into another launch's run: run_not_yours, nothing stored or changed", async () => {
  const a = await launch('holder-a');
  const b = await launch('holder-b');
  try {
    const before = t.gw.services.runs.get(b.runId)!;
    const lines = agentEventLines().length;
    const forged = [
      ev('run.log', b.runId, { agent: 'holder-b', message: 'written by a' }),
      ev('run.failed', b.runId, { agent: 'holder-b', error: { message: 'forged' } }),
      ev('run.completed', b.runId, { agent: 'holder-b' }),
    ];
    rejectedAs(await a.client.post('/api/ingest/events', { events: forged }), 'run_not_yours', [0, 1, 2]);
    assert.is(agentEventLines().length, lines, 'nothing journalled');
    assert.is(t.gw.services.runs.get(b.runId), before, 'the other run is unchanged');
    assert.is(before.status, 'processing');
    // Its own run it may write.
    const own = await a.client.post('/api/ingest/events', { events: [ev('run.log', a.runId, { agent: 'holder-a', message: 'mine' })] });
    assert.equal(own.body, { accepted: 1, duplicates: 0, rejected: [] });
  } finally {
    await cancelAndWait(a);
    await cancelAndWait(b);
  }
});

test('a launch token may add child runs under its launch, but cannot start a top-level run nor hang a child under a foreign run', async () => {
  const a = await launch('holder-a');
  const b = await launch('holder-b');
  try {
    const child = `${a.runId}-child`;
    const grandchild = `${a.runId}-grandchild`;
    const ok = await a.client.post('/api/ingest/events', {
      events: [
        ev('run.started', child, { agent: 'content-generator', parentRunId: a.runId }),
        ev('run.started', grandchild, { agent: 'image-creator', parentRunId: child }),
        ev('run.completed', grandchild, { agent: 'image-creator' }),
      ],
    });
    assert.equal(ok.body, { accepted: 3, duplicates: 0, rejected: [] });
    assert.equal(t.gw.services.runs.get(a.runId)!.children, [child]);
    assert.equal(t.gw.services.runs.get(child)!.children, [grandchild]);

    const runsBefore = t.gw.services.runs.runs().size;
    const bBefore = t.gw.services.runs.get(b.runId)!;
    const refused = await a.client.post('/api/ingest/events', {
      events: [
        ev('run.started', 'invented-top-level', { agent: 'content-engine' }),
        ev('run.started', 'under-b', { agent: 'content-generator', parentRunId: b.runId }),
        // Its own child re-parented under the other launch.
        ev('run.log', child, { agent: 'content-generator', parentRunId: b.runId, message: 'move me' }),
      ],
    });
    rejectedAs(refused, 'run_not_yours', [0, 1, 2]);
    assert.is(t.gw.services.runs.runs().size, runsBefore, 'no run created');
    assert.is(t.gw.services.runs.get(b.runId), bBefore, 'the other launch gained no child');
    assert.is(t.gw.services.runs.get(child)!.parentRunId, a.runId);
    // The other launch's token cannot write the first launch's child either.
    rejectedAs(await b.client.post('/api/ingest/events', { events: [ev('run.completed', child, { agent: 'content-generator' })] }), 'run_not_yours', [0]);
  } finally {
    await cancelAndWait(a);
    await cancelAndWait(b);
  }
});

test('an ingest token starts runs and writes only its own; another token completing or logging into them is refused', async () => {
  const first = await tokenClient(t.base, admin, 'viewer', 'ingest');
  const second = await tokenClient(t.base, admin, 'viewer', 'ingest');
  const started = await first.post('/api/ingest/events', { events: [ev('run.started', 'ext-1', { seq: 0 }), ev('run.started', 'ext-1-child', { agent: 'content-generator', parentRunId: 'ext-1' })] });
  assert.equal(started.body, { accepted: 2, duplicates: 0, rejected: [] });
  const before = t.gw.services.runs.get('ext-1')!;
  const lines = agentEventLines().length;
  const forged = [ev('run.completed', 'ext-1'), ev('run.log', 'ext-1', { message: 'hi' }), ev('run.failed', 'ext-1-child', { agent: 'content-generator', error: { message: 'no' } }), ev('run.started', 'ext-2', { parentRunId: 'ext-1' })];
  rejectedAs(await second.post('/api/ingest/events', { events: forged }), 'run_not_yours', [0, 1, 2, 3]);
  assert.is(agentEventLines().length, lines);
  assert.is(t.gw.services.runs.get('ext-1'), before);
  assert.is(t.gw.services.runs.get('ext-1-child')!.status, 'processing');
  // An operator session and an operator API token are producers like any other: only their own runs.
  const session = await signedInAs(t.base, admin, 'operator', 'ingest-op');
  rejectedAs(await session.post('/api/ingest/events', { events: [ev('run.completed', 'ext-1')] }), 'run_not_yours', [0]);
  const adminToken = await tokenClient(t.base, admin, 'admin');
  rejectedAs(await adminToken.post('/api/ingest/events', { events: [ev('run.completed', 'ext-1')] }), 'run_not_yours', [0]);
  const done = await first.post('/api/ingest/events', { events: [ev('run.completed', 'ext-1')] });
  assert.equal(done.body, { accepted: 1, duplicates: 0, rejected: [] });
  assert.is(t.gw.services.runs.get('ext-1')!.status, 'completed');
});

test('the SDK reports a run_not_yours rejection to onProblem, naming the code', async () => {
  const owner = await tokenClient(t.base, admin, 'viewer', 'ingest');
  assert.equal((await owner.post('/api/ingest/events', { events: [ev('run.started', 'sdk-owned', { seq: 0 })] })).body.rejected, []);
  const other = await admin.post('/api/tokens', { name: 'sdk-other', scope: 'ingest', role: 'viewer' });
  const problems: IngestProblem[] = [];
  const run = createAgentRun({ agent: 'content-engine', url: t.base, token: other.body.token, runId: 'sdk-owned', heartbeatMs: 0, http: { onProblem: (p) => problems.push(p) } });
  await run.finish();
  await run.close();
  assert.is(problems.length, 1);
  assert.is(problems[0]!.kind, 'rejected');
  assert.match(problems[0]!.message, /\[run_not_yours\] run "sdk-owned" was started by another producer/);
  assert.is(t.gw.services.runs.get('sdk-owned')!.status, 'processing');
});

test("an ingest token cannot attribute a run to admin or to the schedule: the trigger says which token started it", async () => {
  const res = await admin.post('/api/tokens', { name: 'outside-engine', scope: 'ingest', role: 'viewer' });
  const producer = new TestClient(t.base);
  producer.bearer = res.body.token;
  producer.origin = null;
  const trigger: RunTrigger = { kind: 'manual', by: 'admin', scheduledFor: '2026-11-25T15:00:00Z', params: { date: '2026-11-25' } };
  const posted = await producer.post('/api/ingest/events', { events: [ev('run.started', 'by-admin-1', { seq: 0, trigger })] });
  assert.equal(posted.body, { accepted: 1, duplicates: 0, rejected: [] });
  const expected = { kind: 'external', by: 'token:outside-engine', params: { date: '2026-11-25' } };
  assert.equal(t.gw.services.runs.get('by-admin-1')!.trigger, expected);
  const detail = await admin.get('/api/agents/runs/by-admin-1');
  assert.equal(detail.body.run.trigger, expected);
  // A later event's trigger changes nothing either.
  await producer.post('/api/ingest/events', { events: [ev('run.log', 'by-admin-1', { seq: 1, message: 'x', trigger: { kind: 'manual', by: 'admin' } })] });
  assert.equal(t.gw.services.runs.get('by-admin-1')!.trigger, expected);
  // A child run is attributed to its parent.
  await producer.post('/api/ingest/events', { events: [ev('run.started', 'by-admin-1-c', { agent: 'content-orchestrator', parentRunId: 'by-admin-1', trigger })] });
  assert.equal(t.gw.services.runs.get('by-admin-1-c')!.trigger, { kind: 'parent', params: { date: '2026-11-25' } });
});

test('cancel ends the launched process group although the run already says completed (forged by its own token): 202', async () => {
  const a = await launch('holder-a');
  const done = await a.client.post('/api/ingest/events', { events: [ev('run.completed', a.runId, { agent: 'holder-a', seq: 2 })] });
  assert.equal(done.body, { accepted: 1, duplicates: 0, rejected: [] });
  assert.is(t.gw.services.runs.get(a.runId)!.status, 'completed');
  for (const pid of a.pids) assert.not.ok(pidGone(pid), `pid ${pid} runs on after the forged end`);
  const res = await operator.post(`/api/agents/runs/${a.runId}/cancel`);
  if (res.status !== 202) await cancelAndWait(a);
  assert.is(res.status, 202, res.text);
  assert.is(res.body.runId, a.runId);
  assert.is(res.body.status, 'completed', 'the reported end stays');
  assert.ok(['terminated', 'killed'].includes(res.body.process), res.text);
  await t.gw.services.launcher.whenEnded(a.runId);
  for (const pid of a.pids) assert.ok(pidGone(pid), `pid ${pid} still alive`);
  // Finished with no live process: 409 as before.
  const again = await operator.post(`/api/agents/runs/${a.runId}/cancel`);
  assert.is(again.status, 409, again.text);
  assert.is(again.body.error.code, 'run_finished');
});

test.run();
