// The JSON limits at the HTTP boundaries: deep or oversized free-form fields in ingest events, trigger params
// and agent definitions, and any request body nested past the floor, are refused with 400 in the error shape
// and nothing stored changes (journal, runs, definitions).
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signedInAs, startAdminGateway, tokenClient, TestClient, type AdminGateway, type Reply } from '../support/test-gateway.js';
import { nested, nestedText } from '../support/deep-json.js';
import { MAX_DOCUMENT_DEPTH, MAX_JSON_DEPTH } from '../../gateway/json-limits.js';
import { MAX_PARAMS_BYTES } from '../../gateway/domain/agents/event-schema.js';

let t: AdminGateway;
let admin: TestClient;
let operator: TestClient;
let ingest: TestClient;

test.before(async () => {
  t = await startAdminGateway();
  admin = t.admin;
  operator = await signedInAs(t.base, admin, 'operator');
  ingest = await tokenClient(t.base, admin, 'viewer', 'ingest');
  const sleeper = { name: 'limits-agent', launch: { command: 'node', args: ['-e', 'setInterval(() => {}, 1000)'], timeoutSeconds: 60 } };
  const created = await admin.post('/api/agents', sleeper);
  if (created.status !== 201) throw new Error(created.text);
});

test.after(async () => {
  await t?.close();
});

/** The agent-events journal as bytes on disk (the service answers only once its appends are written). */
function agentJournal(): string {
  const dir = path.join(t.dataDir, 'journal', 'agent-events');
  if (!fs.existsSync(dir)) return '';
  return fs
    .readdirSync(dir)
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('');
}

const definitions = () => JSON.stringify(t.gw.db.read().agents);

function assertRefused(res: Reply, code: string, field: string): void {
  assert.is(res.status, 400, res.text);
  assert.equal(Object.keys(res.body), ['error']);
  assert.is(res.body.error.code, code, res.text);
  assert.type(res.body.error.message, 'string');
  assert.is(res.body.error.details[0].field, field, res.text);
  assert.type(res.body.error.details[0].problem, 'string');
}

/** Sends the request and checks that the journal, the runs and the definitions are as they were. */
async function refusedChangingNothing(send: () => Promise<Reply>, code: string, field: string): Promise<void> {
  const journal = agentJournal();
  const runs = t.gw.services.runs.runs().size;
  const defs = definitions();
  assertRefused(await send(), code, field);
  assert.is(agentJournal(), journal, 'the agent-events journal is unchanged');
  assert.is(t.gw.services.runs.runs().size, runs, 'no run created');
  assert.equal(t.gw.services.launcher.activeRunIds(), [], 'nothing launched');
  assert.is(definitions(), defs, 'definitions unchanged');
}

let n = 0;
const eventText = (paramsJson: string) =>
  JSON.stringify({ id: `jl-${++n}`, type: 'run.started', runId: `jl-run-${n}`, agent: 'content-generator', ts: '2026-11-25T10:00:00Z', trigger: { kind: 'manual', params: { p: '@@' } } }).replace('"@@"', paramsJson);

test('ingest: params nested 2,000 levels deep are 400 json_too_deep and nothing is stored', async () => {
  const body = `{"events":[${eventText(nestedText(2000))}]}`;
  await refusedChangingNothing(() => ingest.post('/api/ingest/events', body), 'json_too_deep', 'events.0.trigger.params.p.a.a.a.…');
});

test('ingest: params one level past MAX_JSON_DEPTH (under the body floor) refuse the whole batch, the good event too', async () => {
  const good = eventText('1');
  const deep = eventText(JSON.stringify(nested(MAX_JSON_DEPTH)));
  await refusedChangingNothing(() => ingest.post('/api/ingest/events', `{"events":[${good},${deep}]}`), 'json_too_deep', 'events.1.trigger.params.p.a.a.a.a.a.a.a.…');
});

test('ingest: params over the byte budget are 400 field_too_large naming the event', async () => {
  const big = JSON.stringify('x'.repeat(MAX_PARAMS_BYTES));
  await refusedChangingNothing(() => ingest.post('/api/ingest/events', `{"events":[${eventText(big)}]}`), 'field_too_large', 'events.0.trigger.params');
});

test('ingest: params just within both limits are accepted and kept', async () => {
  const res = await ingest.post('/api/ingest/events', `{"events":[${eventText(JSON.stringify(nested(MAX_JSON_DEPTH - 1)))}]}`);
  assert.is(res.status, 202, res.text);
  assert.equal(res.body, { accepted: 1, duplicates: 0, rejected: [] });
  assert.equal(t.gw.services.runs.get(`jl-run-${n}`)?.trigger?.params, { p: nested(MAX_JSON_DEPTH - 1) });
});

test('trigger: params nested 2,000 levels deep are 400 json_too_deep and no run is launched or journalled', async () => {
  const body = `{"params":{"p":${nestedText(2000)}}}`;
  await refusedChangingNothing(() => operator.post('/api/agents/limits-agent/trigger', body), 'json_too_deep', 'params.p.a.a.a.a.a.a.…');
});

test('trigger: params 33 levels deep or over 16 KiB are refused; nothing launched', async () => {
  await refusedChangingNothing(() => operator.post('/api/agents/limits-agent/trigger', { params: nested(MAX_JSON_DEPTH + 1) as Record<string, unknown> }), 'json_too_deep', 'params.a.a.a.a.a.a.a.a.…');
  await refusedChangingNothing(() => operator.post('/api/agents/limits-agent/trigger', { params: { text: 'x'.repeat(MAX_PARAMS_BYTES) } }), 'field_too_large', 'params');
});

test('agent definitions: a deep field, a launch over 64 KiB or over 100 variables are refused; definitions unchanged', async () => {
  await refusedChangingNothing(() => admin.post('/api/agents', `{"name":"deep-agent","description":${nestedText(2000)}}`), 'json_too_deep', 'description.a.a.a.a.a.a.a.…');
  await refusedChangingNothing(() => admin.post('/api/agents', { name: 'deep-agent', launch: { command: 'node', env: nested(MAX_JSON_DEPTH) } }), 'json_too_deep', 'launch.env.a.a.a.a.a.a.…');
  const hugeEnv = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`VAR_${i}`, 'v'.repeat(9000)]));
  await refusedChangingNothing(() => admin.post('/api/agents', { name: 'huge-agent', launch: { command: 'node', env: hugeEnv } }), 'field_too_large', 'launch');
  await refusedChangingNothing(() => admin.request('PUT', '/api/agents/limits-agent', { launch: { command: 'node', env: hugeEnv } }), 'field_too_large', 'launch');
  await refusedChangingNothing(() => admin.request('PUT', '/api/agents/limits-agent', `{"description":${nestedText(40)}}`), 'json_too_deep', 'description.a.a.a.a.a.a.a.…');
  const manyVars = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`VAR_${i}`, 'v']));
  const tooMany = await admin.request('PUT', '/api/agents/limits-agent', { launch: { command: 'node', env: manyVars } });
  assert.is(tooMany.status, 400, tooMany.text);
  assert.is(tooMany.body.error.code, 'validation_failed');
  assert.ok(tooMany.body.error.details.some((d: { field: string; problem: string }) => d.field === 'launch.env' && /at most 100/.test(d.problem)), tooMany.text);
});

test('any route: a body nested past the floor is 400 json_too_deep before the route sees it', async () => {
  const res = await new TestClient(t.base).post('/api/auth/login', `{"username":"admin","password":${nestedText(MAX_DOCUMENT_DEPTH + 1)}}`);
  assertRefused(res, 'json_too_deep', 'password.a.a.a.a.a.a.a.…');
  const me = await new TestClient(t.base).get('/api/auth/me');
  assert.is(me.status, 401, 'no session was made');
});

test.run();
