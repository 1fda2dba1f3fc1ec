// The runs read API over HTTP: history with filters and cursor, run detail with tree and timeline, logs by
// seq, performance from the journal, the live `agents` snapshot — and 400/404 in the error shape on bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { startAdminGateway, tokenClient, type AdminGateway, type Reply, type TestClient } from '../support/test-gateway.js';
import type { AgentEvent, AgentEventType } from '../../gateway/domain/agents/types.js';

let t: AdminGateway;
let admin: TestClient;
let viewer: TestClient;
let ingest: TestClient;

// Producer times an hour ago by the real clock: performance counts runs of the last N days from now.
const T0 = Date.now() - 3_600_000;
let n = 0;
function ev(type: AgentEventType, runId: string, agent: string, fields: Partial<AgentEvent> = {}): AgentEvent {
  n += 1;
  return { id: `ra-${n}`, type, runId, agent, ts: new Date(T0 + n * 1000).toISOString(), ...fields };
}

async function send(events: AgentEvent[]): Promise<void> {
  const res = await ingest.post('/api/ingest/events', { events });
  assert.is(res.status, 202, res.text);
  assert.equal(res.body.rejected, []);
}

function assertError(res: Reply, status: number, code: string): void {
  assert.is(res.status, status, res.text);
  assert.equal(Object.keys(res.body), ['error']);
  assert.is(res.body.error.code, code);
}

test.before(async () => {
  t = await startAdminGateway();
  admin = t.admin;
  viewer = await tokenClient(t.base, admin, 'viewer');
  ingest = await tokenClient(t.base, admin, 'viewer', 'ingest');
  // A content-engine run with two children (one failed), and five standalone image-creator runs.
  await send([ev('run.started', 'engine-1', 'content-engine', { seq: 0 })]);
  await send([
    ev('run.started', 'gen-1', 'content-generator', { seq: 0, parentRunId: 'engine-1' }),
    ev('run.progress', 'gen-1', 'content-generator', { seq: 1, progress: { done: 3, total: 4 }, metrics: { apiCalls: 7, tokens: 1200 } }),
    ev('run.completed', 'gen-1', 'content-generator', { seq: 2 }),
    ev('run.started', 'comp-1', 'compliance-validator', { seq: 0, parentRunId: 'engine-1' }),
    ev('run.failed', 'comp-1', 'compliance-validator', { seq: 1, error: { message: 'advisor 3 failed SEBI check' } }),
  ]);
  for (let i = 0; i < 5; i++) {
    const id = `img-${i}`;
    await send([
      ev('run.started', id, 'image-creator', { seq: 0 }),
      ...Array.from({ length: 3 }, (_, k) => ev('run.log', id, 'image-creator', { seq: k + 1, message: `${id} line ${k + 1}` })),
      ev('run.completed', id, 'image-creator', { seq: 9, metrics: { apiCalls: 2, tokens: 10 } }),
    ]);
  }
});

test.after(async () => {
  await t?.close();
});

test('GET /api/agents/runs lists newest first with filters, and pages with a cursor', async () => {
  const all = await viewer.get('/api/agents/runs');
  assert.is(all.status, 200);
  assert.equal(all.body.runs.map((r: any) => r.runId), ['img-4', 'img-3', 'img-2', 'img-1', 'img-0', 'comp-1', 'gen-1', 'engine-1']);
  assert.is(all.body.nextCursor, null);
  assert.not.ok('appliedIds' in all.body.runs[0]);

  const images = await viewer.get('/api/agents/runs?agent=image-creator&limit=2');
  assert.equal(images.body.runs.map((r: any) => r.runId), ['img-4', 'img-3']);
  const next = await viewer.get(`/api/agents/runs?agent=image-creator&limit=2&cursor=${images.body.nextCursor}`);
  assert.equal(next.body.runs.map((r: any) => r.runId), ['img-2', 'img-1']);
  const last = await viewer.get(`/api/agents/runs?agent=image-creator&limit=2&cursor=${next.body.nextCursor}`);
  assert.equal(last.body.runs.map((r: any) => r.runId), ['img-0']);
  assert.is(last.body.nextCursor, null);

  const failed = await viewer.get('/api/agents/runs?status=error');
  assert.equal(failed.body.runs.map((r: any) => r.runId), ['comp-1']);
  const open = await viewer.get('/api/agents/runs?status=processing');
  assert.equal(open.body.runs.map((r: any) => r.runId), ['engine-1']);
  const since = await viewer.get(`/api/agents/runs?since=${encodeURIComponent(new Date(T0 + 10_000).toISOString())}&limit=500`);
  assert.ok(since.body.runs.every((r: any) => Date.parse(r.startedAt) >= T0 + 10_000));
  assert.ok(since.body.runs.length > 0 && since.body.runs.length < 8);
});

test('bad list parameters are 400 with field details', async () => {
  for (const q of ['status=exploded', 'limit=0', 'limit=501', 'limit=abc', 'since=yesterday', 'agent=Bad%20Name', 'cursor=%25%25%25']) {
    const res = await viewer.get(`/api/agents/runs?${q}`);
    assertError(res, 400, 'validation_failed');
  }
});

test('GET /api/agents/runs/:runId gives the run, its children, the aggregated tree and the timeline', async () => {
  const res = await viewer.get('/api/agents/runs/engine-1');
  assert.is(res.status, 200);
  assert.is(res.body.run.runId, 'engine-1');
  assert.is(res.body.run.status, 'processing');
  assert.is(res.body.run.degraded, true, 'a failed child degrades the open parent');
  assert.equal(res.body.children.map((c: any) => c.runId), ['gen-1', 'comp-1']);
  assert.equal(res.body.tree.children.map((c: any) => c.run.runId), ['gen-1', 'comp-1']);
  assert.equal(res.body.tree.progress, { done: 4, total: 5 }, 'gen-1 4/4 (completed) + comp-1 0/1');
  assert.equal(res.body.timeline.map((e: any) => [e.runId, e.depth, e.status]), [
    ['engine-1', 0, 'processing'],
    ['gen-1', 1, 'completed'],
    ['comp-1', 1, 'error'],
  ]);
  const child = await viewer.get('/api/agents/runs/comp-1');
  assert.is(child.body.run.error.message, 'advisor 3 failed SEBI check');
  assertError(await viewer.get('/api/agents/runs/no-such-run'), 404, 'not_found');
});

test('GET /api/agents/runs/:runId/logs pages by seq with after/limit; 404 for an unknown run; 400 for bad params', async () => {
  const first = await viewer.get('/api/agents/runs/img-2/logs?limit=2');
  assert.is(first.status, 200);
  assert.equal(first.body.lines.map((l: any) => [l.seq, l.level, l.message]), [
    [1, 'info', 'img-2 line 1'],
    [2, 'info', 'img-2 line 2'],
  ]);
  assert.is(first.body.nextAfter, 2);
  assert.is(first.body.hasMore, true);
  const rest = await viewer.get(`/api/agents/runs/img-2/logs?after=${first.body.nextAfter}`);
  assert.equal(rest.body.lines.map((l: any) => l.seq), [3]);
  assert.is(rest.body.hasMore, false);
  const none = await viewer.get('/api/agents/runs/img-2/logs?after=3');
  assert.equal(none.body, { lines: [], nextAfter: 3, hasMore: false });
  assertError(await viewer.get('/api/agents/runs/nope/logs'), 404, 'not_found');
  assertError(await viewer.get('/api/agents/runs/img-2/logs?after=-1'), 400, 'validation_failed');
  assertError(await viewer.get('/api/agents/runs/img-2/logs?limit=0'), 400, 'validation_failed');
});

test('GET /api/agents/performance computes success rate, p50/p95, API calls and tokens per agent over 7 or 30 days', async () => {
  const res = await viewer.get('/api/agents/performance?days=30');
  assert.is(res.status, 200);
  const byAgent = Object.fromEntries(res.body.agents.map((a: any) => [a.agent, a]));
  assert.is(byAgent['image-creator'].runs, 5);
  assert.is(byAgent['image-creator'].successRate, 1);
  assert.is(byAgent['image-creator'].apiCalls, 10);
  assert.is(byAgent['image-creator'].tokens, 50);
  assert.is(byAgent['image-creator'].p50Ms, 4000, 'run.started → run.completed: 4 s by the producer clock');
  assert.is(byAgent['image-creator'].p95Ms, 4000);
  assert.is(byAgent['compliance-validator'].successRate, 0);
  assert.is(byAgent['content-engine'].successRate, null, 'no finished run yet');
  assert.is((await viewer.get('/api/agents/performance')).body.days, 7);
  assertError(await viewer.get('/api/agents/performance?days=14'), 400, 'validation_failed');
});

test('the agents topic snapshot lists the open runs; run frames follow', async () => {
  const token = (await admin.post('/api/tokens', { name: 'ws-viewer', scope: 'api', role: 'viewer' })).body.token;
  const ws = new WebSocket(`${t.base.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
  const frames: any[] = [];
  const got = (pred: (f: any) => boolean) =>
    new Promise<any>((resolve) => {
      const found = frames.find(pred);
      if (found) return resolve(found);
      const onMessage = () => {
        const f = frames.find(pred);
        if (f) {
          ws.off('message', onMessage);
          resolve(f);
        }
      };
      ws.on('message', onMessage);
    });
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ op: 'subscribe', topics: ['agents'] }));
  const snapshot = await got((f) => f.topic === 'agents' && f.type === 'snapshot');
  assert.equal(snapshot.data.openRuns.map((r: any) => r.runId), ['engine-1']);
  assert.ok(Array.isArray(snapshot.data.agents));
  await send([ev('run.completed', 'engine-1', 'content-engine', { seq: 5 })]);
  const frame = await got((f) => f.topic === 'agents' && f.type === 'run' && f.data.runId === 'engine-1');
  assert.is(frame.data.status, 'completed');
  ws.close();
  await new Promise((r) => ws.once('close', r));
});

test.run();
