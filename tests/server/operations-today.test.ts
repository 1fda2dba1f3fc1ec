// Today's operation status: the pure stage computation (no data vs zero, pending/late against schedules in
// Asia/Kolkata, running/done/failed from runs, the business day across UTC midnight) and the HTTP route.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { businessDate, businessDayBounds, computeOperationsToday, isBusinessDate, type DayRun, type ScheduleSource } from '../../gateway/domain/agents/operations-today.js';
import { startAdminGateway, tokenClient, ManualClock, type AdminGateway, type TestClient } from '../support/test-gateway.js';
import type { AgentEvent, AgentEventType } from '../../gateway/domain/agents/types.js';

const IST = (local: string) => Date.parse(`${local}+05:30`);
const iso = (ms: number) => new Date(ms).toISOString();

const PIPELINE: ScheduleSource[] = [
  { name: 'content-engine', parent: null, schedule: { crons: ['30 20 * * *', '0 5 * * *'], timezone: 'Asia/Kolkata', enabled: true } },
  { name: 'content-orchestrator', parent: 'content-engine', schedule: null },
  { name: 'content-generator', parent: 'content-orchestrator', schedule: null },
  { name: 'compliance-validator', parent: 'content-orchestrator', schedule: null },
  { name: 'distribution-manager', parent: 'content-orchestrator', schedule: null },
  { name: 'approval-guardian', parent: 'content-engine', schedule: { crons: ['0 23 * * *'], timezone: 'Asia/Kolkata', enabled: true } },
];

function run(agent: string, startLocal: string, fields: Partial<DayRun> = {}): DayRun {
  return { runId: `${agent}-${startLocal}`, agent, status: 'completed', startedAt: iso(IST(startLocal)), queuedAt: iso(IST(startLocal)), endedAt: null, metrics: {}, ...fields };
}

const stage = (result: ReturnType<typeof computeOperationsToday>, name: string) => result.stages.find((s) => s.stage === name)!;

test('with no runs and no schedules every stage says no_data with null counts, never zeros', () => {
  const r = computeOperationsToday({ date: '2026-11-25', now: IST('2026-11-25T12:00:00'), runs: [], definitions: [] });
  assert.is(r.timezone, 'Asia/Kolkata');
  assert.equal(r.stages.map((s) => s.stage), ['generation', 'compliance', 'approval', 'distribution', 'engagement']);
  for (const s of r.stages) {
    assert.is(s.state, 'no_data', s.stage);
    assert.is(s.counts, null, s.stage);
  }
  assert.equal(r.advisors, []);
});

test('a scheduled stage is pending before its time and late once the grace period passes without a run', () => {
  const early = computeOperationsToday({ date: '2026-11-25', now: IST('2026-11-25T04:00:00'), runs: [], definitions: PIPELINE });
  assert.is(stage(early, 'generation').state, 'pending');
  assert.is(stage(early, 'generation').window!.startsAt, iso(IST('2026-11-25T05:00:00')), 'timed by the content-engine schedule');
  const afterGrace = computeOperationsToday({ date: '2026-11-25', now: IST('2026-11-25T05:11:00'), runs: [], definitions: PIPELINE });
  assert.is(stage(afterGrace, 'generation').state, 'late');
  assert.match(stage(afterGrace, 'generation').detail, /05:00/);
  assert.is(stage(afterGrace, 'approval').state, 'pending', 'approval is at 23:00');
  assert.is(stage(afterGrace, 'engagement').state, 'no_data');
});

test('counts are metric sums over the day; running, done and failed follow the runs', () => {
  const now = IST('2026-11-25T05:30:00');
  const runs = [
    run('content-generator', '2026-11-25T05:01:00', { status: 'processing', metrics: { generated: 12 } }),
    run('compliance-validator', '2026-11-25T05:02:00', { status: 'completed', metrics: { passed: 10, failed: 2 } }),
    run('distribution-manager', '2026-11-25T05:03:00', { status: 'error', metrics: { delivered: 3, failed: 1 } }),
  ];
  const r = computeOperationsToday({ date: '2026-11-25', now, runs, definitions: PIPELINE });
  assert.equal([stage(r, 'generation').state, stage(r, 'generation').counts], ['running', { generated: 12 }]);
  assert.equal([stage(r, 'compliance').state, stage(r, 'compliance').counts], ['done', { passed: 10, failed: 2 }]);
  assert.equal([stage(r, 'distribution').state, stage(r, 'distribution').counts], ['failed', { delivered: 3, failed: 1, pending: 0 }]);
  assert.is(stage(r, 'distribution').runs, 1);
});

test('a stage still running long after its schedule is late; a new fire time without a new run is late', () => {
  const stuck = computeOperationsToday({
    date: '2026-11-25',
    now: IST('2026-11-25T08:00:00'),
    runs: [run('content-generator', '2026-11-25T05:01:00', { status: 'processing' })],
    definitions: PIPELINE,
  });
  assert.is(stage(stuck, 'generation').state, 'late');
  const evening = computeOperationsToday({
    date: '2026-11-25',
    now: IST('2026-11-25T21:00:00'),
    runs: [run('content-generator', '2026-11-25T05:01:00', { status: 'completed', metrics: { generated: 5 } })],
    definitions: PIPELINE,
  });
  assert.is(stage(evening, 'generation').state, 'late', 'the 20:30 run did not start');
  assert.equal(stage(evening, 'generation').counts, { generated: 5 }, 'the morning counts still show');
});

test('the business day is the day in Asia/Kolkata: runs just after local midnight (18:30 UTC) belong to the next day', () => {
  assert.equal(businessDayBounds('2026-11-25'), { start: Date.parse('2026-11-24T18:30:00Z'), end: Date.parse('2026-11-25T18:30:00Z') });
  assert.is(businessDate(Date.parse('2026-11-24T18:29:59Z')), '2026-11-24');
  assert.is(businessDate(Date.parse('2026-11-24T18:30:00Z')), '2026-11-25');
  const runs = [
    run('content-generator', '2026-11-24T23:59:00', { metrics: { generated: 100 } }),
    run('content-generator', '2026-11-25T00:01:00', { metrics: { generated: 7 } }),
  ];
  const r = computeOperationsToday({ date: '2026-11-25', now: IST('2026-11-25T01:00:00'), runs, definitions: [] });
  assert.equal(stage(r, 'generation').counts, { generated: 7 });
  assert.ok(isBusinessDate('2026-11-25'));
  for (const bad of ['2026-02-30', '2026-13-01', '25-11-2026', '2026-11-25T00:00:00Z', '']) assert.not.ok(isBusinessDate(bad), bad);
});

// ---- HTTP ----

let t: AdminGateway;
let viewer: TestClient;
let ingest: TestClient;
const clock = new ManualClock(Date.parse('2026-11-25T00:00:00Z')); // 05:30 in Asia/Kolkata

test.before(async () => {
  t = await startAdminGateway({}, { clock });
  viewer = await tokenClient(t.base, t.admin, 'viewer');
  ingest = await tokenClient(t.base, t.admin, 'viewer', 'ingest');
  t.gw.services.runs.setDefinitions(() => PIPELINE);
});

test.after(async () => {
  await t?.close();
});

let n = 0;
function ev(type: AgentEventType, runId: string, agent: string, fields: Partial<AgentEvent> = {}): AgentEvent {
  n += 1;
  return { id: `ot-${n}`, type, runId, agent, ts: iso(clock.now() - 60_000 + n), ...fields };
}

test('GET /api/operations/today reports the stages of the current business day, also inside /api/health', async () => {
  const sent = await ingest.post('/api/ingest/events', {
    events: [ev('run.started', 'gen-a', 'content-generator', { seq: 0 }), ev('run.completed', 'gen-a', 'content-generator', { seq: 1, metrics: { generated: 9 } })],
  });
  assert.is(sent.status, 202);
  const res = await viewer.get('/api/operations/today');
  assert.is(res.status, 200, res.text);
  assert.is(res.body.date, '2026-11-25');
  assert.is(res.body.timezone, 'Asia/Kolkata');
  assert.equal(res.body.stages.find((s: any) => s.stage === 'generation').counts, { generated: 9 });
  assert.is(res.body.stages.find((s: any) => s.stage === 'generation').state, 'done');
  assert.is(res.body.stages.find((s: any) => s.stage === 'engagement').state, 'no_data');
  const health = await viewer.get('/api/health');
  assert.is(health.body.operations.date, '2026-11-25');
  assert.is(health.body.operations.stages.length, 5);
  assert.ok(['ok', 'late', 'failed'].includes(health.body.operations.state));
});

test('another date is computed from the journal; an invalid date is 400 in the error shape', async () => {
  clock.advance(2 * 86_400_000);
  const past = await viewer.get('/api/operations/today?date=2026-11-25');
  assert.is(past.status, 200, past.text);
  assert.equal(past.body.stages.find((s: any) => s.stage === 'generation').counts, { generated: 9 });
  const today = await viewer.get('/api/operations/today');
  assert.is(today.body.date, '2026-11-27');
  for (const bad of ['2026-02-30', 'tomorrow', '2026-11-25T00:00:00Z']) {
    const res = await viewer.get(`/api/operations/today?date=${encodeURIComponent(bad)}`);
    assert.is(res.status, 400, bad);
    assert.equal(Object.keys(res.body), ['error']);
    assert.is(res.body.error.code, 'validation_failed');
  }
});

test.run();
