// The agent definition, trigger/cancel and schedule routes through a real gateway: roles, bad input refused
// with details and nothing stored, unknown agents, and the example content-engine pipeline run end to end.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signedInAs, startAdminGateway, type AdminGateway, type Reply, type TestClient } from '../support/test-gateway.js';
import { exampleLaunch } from '../../gateway/domain/agents/agent-seed.js';

let t: AdminGateway;
let admin: TestClient;
let operator: TestClient;
let viewer: TestClient;

test.before(async () => {
  t = await startAdminGateway();
  admin = t.admin;
  operator = await signedInAs(t.base, admin, 'operator');
  viewer = await signedInAs(t.base, admin, 'viewer');
});
test.after(async () => {
  await t?.close();
});

const stored = () => JSON.stringify(t.gw.db.read().agents);

function assertError(res: Reply, status: number, code: string): void {
  assert.is(res.status, status, res.text);
  assert.is(res.body.error.code, code, res.text);
  assert.type(res.body.error.message, 'string');
}

test('GET /api/agents lists the seeded tree with state, last run and next run; env values stay hidden', async () => {
  await admin.request('PUT', '/api/agents/revision-handler', { launch: { ...exampleLaunch('revision-handler'), env: { LLM_API_KEY: 'sk-secret' } } });
  const res = await viewer.get('/api/agents');
  assert.is(res.status, 200);
  const byName = new Map(res.body.agents.map((a: { name: string }) => [a.name, a]));
  assert.is(byName.size, 11);
  const engine = byName.get('content-engine') as Record<string, any>;
  assert.equal(engine.children, ['content-orchestrator', 'approval-guardian', 'revision-handler', 'analytics-tracker']);
  assert.is(engine.state, 'idle');
  assert.is(engine.lastRun, null);
  assert.is(engine.example, true);
  // ManualClock-free gateway: next run is some future 20:30 or 05:00 IST.
  assert.ok(['15:00', '23:30'].includes(new Date(engine.nextRunAt).toISOString().slice(11, 16)));
  const reviser = byName.get('revision-handler') as Record<string, any>;
  assert.equal(reviser.launch.envKeys, ['LLM_API_KEY']);
  assert.not.ok(res.text.includes('sk-secret'));
});

test('POST /api/agents (admin) creates; bad input is 400 with details and stores nothing; lower roles are 403', async () => {
  const before = stored();
  const bad = await admin.post('/api/agents', { name: 'Bad Name', launch: { command: '', timeoutSeconds: -1 }, schedule: { crons: ['99 * * * *'] } });
  assertError(bad, 400, 'validation_failed');
  const fields = bad.body.error.details.map((d: { field: string }) => d.field);
  for (const f of ['name', 'launch.command', 'launch.timeoutSeconds', 'schedule.crons.0']) assert.ok(fields.includes(f), `details name ${f}: ${fields}`);
  assertError(await admin.post('/api/agents', { name: 'orphan-agent', parent: 'nobody' }), 400, 'validation_failed');
  assertError(await admin.post('/api/agents', { name: 'content-engine' }), 409, 'agent_exists');
  assertError(await operator.post('/api/agents', { name: 'lead-scorer' }), 403, 'forbidden');
  assert.is(stored(), before);
  const created = await admin.post('/api/agents', { name: 'lead-scorer', parent: 'analytics-tracker', description: 'Scores leads' });
  assert.is(created.status, 201, created.text);
  assert.is(created.body.agent.parent, 'analytics-tracker');
  const list = await viewer.get('/api/agents');
  assert.ok(list.body.agents.find((a: { name: string }) => a.name === 'analytics-tracker').children.includes('lead-scorer'));
});

test('PUT /api/agents/:name (admin) edits; unknown agent 404; a cycle or a rename 400 with nothing stored', async () => {
  const ok = await admin.request('PUT', '/api/agents/lead-scorer', { description: 'Scores inbound leads' });
  assert.is(ok.status, 200, ok.text);
  assert.is(ok.body.agent.description, 'Scores inbound leads');
  const before = stored();
  assertError(await admin.request('PUT', '/api/agents/no-such-agent', { description: 'x' }), 404, 'agent_not_found');
  assertError(await admin.request('PUT', '/api/agents/content-engine', { parent: 'content-generator' }), 400, 'validation_failed');
  assertError(await admin.request('PUT', '/api/agents/lead-scorer', { name: 'lead-ranker' }), 400, 'validation_failed');
  assertError(await admin.request('PUT', '/api/agents/lead-scorer', {}), 400, 'validation_failed');
  assertError(await operator.request('PUT', '/api/agents/lead-scorer', { description: 'x' }), 403, 'forbidden');
  assert.is(stored(), before);
});

test('a definition read with GET and sent back with PUT keeps its secret environment; envKeys drops the rest', async () => {
  const launch = { command: 'node', args: ['agent.js'], env: { API_KEY: 'secret-1', REGION: 'in' }, timeoutSeconds: 60, maxConcurrent: 1 };
  assert.is((await admin.post('/api/agents', { name: 'env-keeper', launch })).status, 201);
  const read = (await admin.get('/api/agents')).body.agents.find((a: { name: string }) => a.name === 'env-keeper');
  assert.equal(read.launch.envKeys.sort(), ['API_KEY', 'REGION']);
  assert.is(read.launch.env, undefined, 'values are never sent out');
  const back = await admin.request('PUT', '/api/agents/env-keeper', { launch: read.launch });
  assert.is(back.status, 200, back.text);
  assert.equal(t.gw.db.read().agents!.find((a) => a.name === 'env-keeper')!.launch!.env, { API_KEY: 'secret-1', REGION: 'in' });
  // Keep one key, set a new one, drop the other.
  const edit = await admin.request('PUT', '/api/agents/env-keeper', { launch: { ...read.launch, envKeys: ['API_KEY'], env: { MODE: 'fast' } } });
  assert.is(edit.status, 200, edit.text);
  assert.equal(t.gw.db.read().agents!.find((a) => a.name === 'env-keeper')!.launch!.env, { API_KEY: 'secret-1', MODE: 'fast' });
  // A bad name among envKeys is refused with nothing changed.
  const before = stored();
  assertError(await admin.request('PUT', '/api/agents/env-keeper', { launch: { ...read.launch, envKeys: ['bad name'] } }), 400, 'validation_failed');
  assert.is(stored(), before);
});

test('an edit of the launch command is audited with the old and new command, args, cwd and env names, never env values', async () => {
  const launch = { command: 'node', args: ['old.js', '--fast'], cwd: 'agents', env: { API_KEY: 'sk-old-secret', REGION: 'in' }, timeoutSeconds: 60, maxConcurrent: 1 };
  const created = await admin.post('/api/agents', { name: 'audited-agent', launch });
  assert.is(created.status, 201, created.text);
  const edit = { command: 'python3', args: ['new.py'], env: { API_KEY: 'sk-new-secret', MODE: 'safe' }, timeoutSeconds: 60, maxConcurrent: 1 };
  assert.is((await admin.request('PUT', '/api/agents/audited-agent', { description: 'x', launch: edit })).status, 200);
  const res = await admin.get('/api/audit?action=agent.update&limit=5');
  assert.is(res.status, 200, res.text);
  const entry = res.body.items.find((i: { target?: string }) => i.target === 'audited-agent');
  assert.ok(entry, res.text);
  assert.equal(entry.detail.split('; '), [
    'description,launch',
    'launch.command: "node" → "python3"',
    'launch.args: ["old.js","--fast"] → ["new.py"]',
    'launch.cwd: "agents" → (none)',
    'launch.env: {API_KEY, REGION} → {API_KEY, MODE} (values not recorded, changed: API_KEY)',
  ]);
  const createdEntry = (await admin.get('/api/audit?action=agent.create&limit=20')).body.items.find((i: { target?: string }) => i.target === 'audited-agent');
  assert.match(createdEntry.detail, /^launch\.command: \(none\) → "node"; launch\.args: \(none\) → \["old\.js","--fast"\]; launch\.cwd: \(none\) → "agents"; launch\.env: \{\} → \{API_KEY, REGION\}/);
  // An edit that leaves the launch alone says only which fields it changed.
  assert.is((await admin.request('PUT', '/api/agents/audited-agent', { description: 'y' })).status, 200);
  assert.is((await admin.get('/api/audit?action=agent.update&limit=1')).body.items[0].detail, 'description');
  const all = JSON.stringify((await admin.get('/api/audit?limit=500')).body);
  for (const secret of ['sk-old-secret', 'sk-new-secret']) assert.not.ok(all.includes(secret), `${secret} is in the audit trail`);
});

test('DELETE /api/agents/:name (admin): a parent is 409, a leaf goes, unknown is 404', async () => {
  assertError(await admin.request('DELETE', '/api/agents/content-orchestrator'), 409, 'agent_has_children');
  assertError(await operator.request('DELETE', '/api/agents/lead-scorer'), 403, 'forbidden');
  assert.is((await admin.request('DELETE', '/api/agents/lead-scorer')).status, 204);
  assertError(await admin.request('DELETE', '/api/agents/lead-scorer'), 404, 'agent_not_found');
});

test('GET /api/schedules (viewer) lists schedules with next run and missed runs; PUT (admin) validates cron and timezone', async () => {
  const list = await viewer.get('/api/schedules');
  assert.is(list.status, 200);
  assert.equal(list.body.schedules.map((s: { agent: string }) => s.agent), ['content-engine', 'approval-guardian']);
  const guardian = list.body.schedules[1];
  assert.equal([guardian.crons, guardian.timezone, guardian.enabled, guardian.lastRun, guardian.missed], [['0 23 * * *'], 'Asia/Kolkata', true, null, []]);
  assert.is(new Date(guardian.nextRunAt).toISOString().slice(11, 16), '17:30');

  const before = stored();
  const badCron = await admin.request('PUT', '/api/schedules/approval-guardian', { cron: ['0 23 * * *', '0 25 * * *'], timezone: 'Asia/Kolkata', enabled: true });
  assertError(badCron, 400, 'validation_failed');
  assert.equal(badCron.body.error.details.map((d: { field: string }) => d.field), ['cron.1']);
  const badZone = await admin.request('PUT', '/api/schedules/approval-guardian', { cron: '0 23 * * *', timezone: 'Asia/Mumbai', enabled: true });
  assertError(badZone, 400, 'validation_failed');
  assert.match(badZone.body.error.details[0].problem, /unknown timezone/);
  assertError(await admin.request('PUT', '/api/schedules/no-such-agent', { cron: '0 23 * * *' }), 404, 'agent_not_found');
  assertError(await operator.request('PUT', '/api/schedules/approval-guardian', { cron: '0 22 * * *' }), 403, 'forbidden');
  assert.is(stored(), before);

  const ok = await admin.request('PUT', '/api/schedules/approval-guardian', { cron: '0 22 * * *', timezone: 'UTC', enabled: true });
  assert.is(ok.status, 200, ok.text);
  assert.equal([ok.body.schedule.crons, ok.body.schedule.timezone], [['0 22 * * *'], 'UTC']);
  assert.is(new Date(ok.body.schedule.nextRunAt).toISOString().slice(11, 16), '22:00');
  const off = await admin.request('PUT', '/api/schedules/approval-guardian', { cron: '0 23 * * *', enabled: false });
  assert.equal([off.body.schedule.enabled, off.body.schedule.nextRunAt, off.body.schedule.timezone], [false, null, 'Asia/Kolkata']);
});

test('trigger (operator) → 202 runId; busy → 409 agent_busy; cancel → 202 cancelled, again → 409; roles and unknowns', async () => {
  const sleeper = {
    name: 'sleeper-agent',
    launch: { command: 'node', args: ['-e', "console.log(JSON.stringify({type:'run.progress',seq:1,progress:{done:0,total:1}})); setInterval(() => {}, 1000)"], timeoutSeconds: 60 },
  };
  assert.is((await admin.post('/api/agents', sleeper)).status, 201);
  assert.is((await admin.post('/api/agents', { name: 'outside-agent' })).status, 201);
  assertError(await viewer.post('/api/agents/sleeper-agent/trigger', {}), 403, 'forbidden');
  assertError(await operator.post('/api/agents/no-such-agent/trigger', {}), 404, 'agent_not_found');
  assertError(await operator.post('/api/agents/outside-agent/trigger', {}), 422, 'no_launch_command');
  assertError(await operator.post('/api/agents/sleeper-agent/trigger', { params: 'nope' }), 400, 'validation_failed');

  const started = await operator.post('/api/agents/sleeper-agent/trigger', { params: { reason: 'test' } });
  assert.is(started.status, 202, started.text);
  const { runId } = started.body;
  assertError(await operator.post('/api/agents/sleeper-agent/trigger', {}), 409, 'agent_busy');
  const agents = await viewer.get('/api/agents');
  const row = agents.body.agents.find((a: { name: string }) => a.name === 'sleeper-agent');
  assert.equal([row.state, row.currentRunId, row.lastRun.trigger], ['processing', runId, { kind: 'manual', by: 'operator-user', params: { reason: 'test' } }]);

  assertError(await viewer.post(`/api/agents/runs/${runId}/cancel`), 403, 'forbidden');
  const cancelled = await operator.post(`/api/agents/runs/${runId}/cancel`);
  assert.is(cancelled.status, 202, cancelled.text);
  assert.equal(cancelled.body, { runId, status: 'cancelled', process: 'terminated' });
  await t.gw.services.launcher.whenEnded(runId);
  assertError(await operator.post(`/api/agents/runs/${runId}/cancel`), 409, 'run_finished');
  assertError(await operator.post('/api/agents/runs/no-such-run/cancel'), 404, 'run_not_found');
  // The per-launch ingest token is gone with the run.
  const tokens = await admin.get('/api/tokens');
  assert.not.ok(tokens.body.tokens.some((tk: { name: string }) => tk.name.startsWith('launch:')));
});

test('the example content-engine runs its orchestrator and the six steps in order, reporting over the ingest API', async () => {
  const env = { EXAMPLE_SPEED: '200', EXAMPLE_FAILURE_RATE: '0', EXAMPLE_SEED: '42' };
  const put = await admin.request('PUT', '/api/agents/content-engine', { launch: { ...exampleLaunch('content-engine'), env } });
  assert.is(put.status, 200, put.text);
  const started = await operator.post('/api/agents/content-engine/trigger', {});
  assert.is(started.status, 202, started.text);
  const rootId: string = started.body.runId;
  await t.gw.services.launcher.whenEnded(rootId);
  const runs = t.gw.services.runs;
  const root = runs.get(rootId)!;
  assert.is(root.status, 'completed', JSON.stringify(root.error));
  assert.is(root.children.length, 1);
  const orchestrator = runs.get(root.children[0]!)!;
  assert.is(orchestrator.agent, 'content-orchestrator');
  assert.is(orchestrator.status, 'completed');
  const steps = orchestrator.children.map((id) => runs.get(id)!);
  assert.equal(steps.map((s) => s.agent), ['content-strategist', 'fatigue-checker', 'content-generator', 'image-creator', 'compliance-validator', 'distribution-manager']);
  assert.ok(steps.every((s) => s.status === 'completed'), steps.map((s) => `${s.agent}:${s.status}`).join(' '));
  const generator = steps[2]!;
  assert.is(generator.metrics.generated, 11, 'one unit per active advisor');
  assert.ok(generator.metrics.apiCalls! >= 11 && generator.metrics.tokens! > 11 * 1000);
  assert.equal(generator.progress, { done: 11, total: 11, label: 'Writing for: done' });
  const compliance = steps[4]!;
  assert.is(compliance.metrics.passed! + (compliance.metrics.failed ?? 0), 11);
  const tokens = await admin.get('/api/tokens');
  assert.not.ok(tokens.body.tokens.some((tk: { name: string }) => tk.name.startsWith('launch:')));
});

test.run();
