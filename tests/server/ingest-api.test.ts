// POST /api/ingest/events over HTTP: who may ingest (ingest-scope tokens of any role, operator+ otherwise),
// batch and body limits, per-item rejections and duplicates — every refusal in the error shape with nothing stored.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signedInAs, startAdminGateway, tokenClient, TestClient, type AdminGateway, type Reply } from '../support/test-gateway.js';
import type { AgentEvent, AgentEventType } from '../../gateway/domain/agents/types.js';

let t: AdminGateway;
let admin: TestClient;
let ingest: TestClient;

test.before(async () => {
  t = await startAdminGateway();
  admin = t.admin;
  ingest = await tokenClient(t.base, admin, 'viewer', 'ingest');
});

test.after(async () => {
  await t?.close();
});

let n = 0;
function ev(type: AgentEventType, runId: string, fields: Partial<AgentEvent> = {}): AgentEvent {
  n += 1;
  return { id: `ia-${n}`, type, runId, agent: 'content-generator', ts: new Date(Date.UTC(2026, 10, 25, 10, 0, n)).toISOString(), ...fields };
}

/** Every agent event line on disk (flushes first: the service awaits durability before answering anyway). */
function storedEvents(): any[] {
  const dir = path.join(t.dataDir, 'journal', 'agent-events');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).event));
}

function assertError(res: Reply, status: number, code: string): void {
  assert.is(res.status, status, res.text);
  assert.equal(Object.keys(res.body), ['error']);
  assert.is(res.body.error.code, code);
  assert.type(res.body.error.message, 'string');
}

async function refusedAndNothingStored(res: Promise<Reply>, status: number, code: string): Promise<void> {
  const before = storedEvents().length;
  const runsBefore = t.gw.services.runs.runs().size;
  assertError(await res, status, code);
  assert.is(storedEvents().length, before, 'no event stored');
  assert.is(t.gw.services.runs.runs().size, runsBefore, 'no run changed');
}

test('an ingest token with the viewer role may ingest: 202 with accepted, duplicates and rejected', async () => {
  const res = await ingest.post('/api/ingest/events', { events: [ev('run.started', 'ia-run-1', { seq: 0 }), ev('run.progress', 'ia-run-1', { seq: 1, progress: { done: 2, total: 10 } })] });
  assert.is(res.status, 202, res.text);
  assert.equal(res.body, { accepted: 2, duplicates: 0, rejected: [] });
  assert.is(t.gw.services.runs.get('ia-run-1')?.progress?.done, 2);
});

test('api tokens and sessions need the operator role; a viewer api token and anonymous callers are refused', async () => {
  const viewerToken = await tokenClient(t.base, admin, 'viewer');
  await refusedAndNothingStored(viewerToken.post('/api/ingest/events', { events: [ev('run.started', 'ia-no-1')] }), 403, 'forbidden');
  await refusedAndNothingStored(new TestClient(t.base).post('/api/ingest/events', { events: [ev('run.started', 'ia-no-2')] }), 401, 'unauthenticated');
  const viewerSession = await signedInAs(t.base, admin, 'viewer', 'ingest-viewer');
  await refusedAndNothingStored(viewerSession.post('/api/ingest/events', { events: [ev('run.started', 'ia-no-3')] }), 403, 'forbidden');

  const operatorToken = await tokenClient(t.base, admin, 'operator');
  assert.is((await operatorToken.post('/api/ingest/events', { events: [ev('run.started', 'ia-op-1')] })).status, 202);
  const operatorSession = await signedInAs(t.base, admin, 'operator', 'ingest-operator');
  assert.is((await operatorSession.post('/api/ingest/events', { events: [ev('run.started', 'ia-op-2')] })).status, 202);
  const noCsrf = await signedInAs(t.base, admin, 'operator', 'ingest-operator-2');
  noCsrf.csrf = null;
  await refusedAndNothingStored(noCsrf.post('/api/ingest/events', { events: [ev('run.started', 'ia-no-4')] }), 403, 'csrf_failed');
});

test('an ingest token cannot call the other API routes', async () => {
  assertError(await ingest.get('/api/agents/runs'), 403, 'token_scope');
  assertError(await ingest.get('/api/health'), 403, 'token_scope');
});

test('a body that is not {events: [...]} is 400 and stores nothing', async () => {
  for (const body of [{}, { events: 'x' }, { events: { 0: ev('run.started', 'ia-bad') } }, [ev('run.started', 'ia-bad')]]) {
    await refusedAndNothingStored(ingest.post('/api/ingest/events', body), 400, 'validation_failed');
  }
  await refusedAndNothingStored(ingest.post('/api/ingest/events', '{"events": ['), 400, 'invalid_json');
  await refusedAndNothingStored(ingest.post('/api/ingest/events', 'events=1', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
});

test('more than 1000 events is 413 batch_too_large; a body over 1 MiB is 413 too; nothing is stored', async () => {
  const many = Array.from({ length: 1001 }, (_, i) => ev('run.log', 'ia-big', { message: `line ${i}` }));
  await refusedAndNothingStored(ingest.post('/api/ingest/events', { events: many }), 413, 'batch_too_large');
  const huge = Array.from({ length: 200 }, () => ev('run.log', 'ia-huge', { message: 'x'.repeat(6000) }));
  await refusedAndNothingStored(ingest.post('/api/ingest/events', { events: huge }), 413, 'payload_too_large');
  const exactly1000 = Array.from({ length: 1000 }, (_, i) => ev('run.log', 'ia-1000', { seq: i, message: `line ${i}` }));
  const ok = await ingest.post('/api/ingest/events', { events: exactly1000 });
  assert.is(ok.status, 202);
  assert.is(ok.body.accepted, 1000);
});

test('invalid items are rejected with their index and reason and are not stored; the valid ones are', async () => {
  const before = storedEvents().length;
  const good1 = ev('run.started', 'ia-mix', { seq: 0 });
  const good2 = ev('run.log', 'ia-mix', { seq: 1, message: 'ok' });
  const items = [
    good1,
    { ...ev('run.progress', 'ia-mix'), progress: { done: -1, total: 3 } },
    { ...ev('run.started', 'ia-mix'), type: 'run.exploded' },
    { ...ev('run.started', 'ia-mix'), ts: 'yesterday' },
    { ...ev('run.crashed', 'ia-mix') }, // only the dashboard declares crashes
    { ...ev('run.started', 'ia-mix'), extra: true },
    null,
    good2,
  ];
  const res = await ingest.post('/api/ingest/events', { events: items });
  assert.is(res.status, 202);
  assert.is(res.body.accepted, 2);
  assert.equal(res.body.rejected.map((r: { index: number }) => r.index), [1, 2, 3, 4, 5, 6]);
  for (const r of res.body.rejected) assert.type(r.error, 'string');
  const stored = storedEvents();
  assert.is(stored.length, before + 2);
  assert.equal(stored.slice(-2).map((e) => e.id), [good1.id, good2.id]);
});

test('a duplicate id is reported in duplicates, changes nothing and is not stored again', async () => {
  const started = ev('run.started', 'ia-dup', { seq: 0 });
  assert.is((await ingest.post('/api/ingest/events', { events: [started] })).body.accepted, 1);
  const state = t.gw.services.runs.get('ia-dup');
  const before = storedEvents().length;
  const res = await ingest.post('/api/ingest/events', { events: [started, started] });
  assert.equal(res.body, { accepted: 0, duplicates: 2, rejected: [] });
  assert.is(storedEvents().length, before);
  assert.is(t.gw.services.runs.get('ia-dup'), state);
});

test('each ingest request is audited with its counts', async () => {
  const res = await admin.get('/api/audit?action=agent.ingest&limit=5');
  assert.is(res.status, 200);
  assert.ok(res.body.items.length > 0);
  assert.match(res.body.items[0].detail, /accepted \d+, duplicates \d+, rejected \d+/);
});

test.run();
