// Agent definitions in lowdb: the seeded default pipeline, admin edits checked against the whole tree
// (nothing stored when refused), and the validation rules for launch commands, crons and timezones.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentRegistry } from '../../gateway/domain/agents/agent-registry.js';
import { createAgentSchema, cronProblem, timezoneProblem, updateAgentSchema } from '../../gateway/domain/agents/agent-schema.js';
import { openDb, type Db } from '../../gateway/store/db.js';
import { ApiError } from '../../gateway/http/api-error.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
let dir: string;
let db: Db;
let registry: AgentRegistry;

test.before.each(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-registry-'));
  db = await openDb(path.join(dir, 'db.json'));
  registry = new AgentRegistry(db);
  await registry.ensureSeeded();
});
test.after.each(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function refused(promise: Promise<unknown>, status: number, code: string): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, ApiError);
    assert.is((err as ApiError).status, status, (err as Error).message);
    assert.is((err as ApiError).code, code);
    return err as ApiError;
  }
  throw new Error(`expected ${status} ${code}`);
}

const input = (fields: Record<string, unknown>) => createAgentSchema.parse(fields);

test('the default pipeline is seeded with parents, schedules in Asia/Kolkata and labelled example launch commands', () => {
  const agents = registry.list();
  assert.equal(agents.map((a) => a.name), [
    'content-engine',
    'content-orchestrator',
    'content-strategist',
    'fatigue-checker',
    'content-generator',
    'image-creator',
    'compliance-validator',
    'distribution-manager',
    'approval-guardian',
    'revision-handler',
    'analytics-tracker',
  ]);
  assert.equal(registry.childrenOf('content-engine'), ['content-orchestrator', 'approval-guardian', 'revision-handler', 'analytics-tracker']);
  assert.is(registry.childrenOf('content-orchestrator').length, 6);
  assert.equal(registry.get('content-engine')!.schedule, { crons: ['30 20 * * *', '0 5 * * *'], timezone: 'Asia/Kolkata', enabled: true });
  assert.equal(registry.get('approval-guardian')!.schedule, { crons: ['0 23 * * *'], timezone: 'Asia/Kolkata', enabled: true });
  assert.is(registry.get('content-generator')!.schedule, null);
  for (const agent of agents) {
    assert.ok(agent.example, `${agent.name} is labelled as an example`);
    assert.ok(agent.description.length > 0);
    assert.equal(agent.launch!.args.slice(0, 2), ['--import', 'tsx']);
    assert.is(agent.launch!.command, 'node');
    assert.ok(fs.existsSync(path.join(ROOT, agent.launch!.args[2]!)), `${agent.launch!.args[2]} exists`);
  }
});

test('seeding happens once: an emptied list stays empty after a restart', async () => {
  for (const name of [...registry.list()].reverse().map((a) => a.name)) await registry.remove(name);
  assert.equal(registry.list(), []);
  const reopened = new AgentRegistry(await openDb(path.join(dir, 'db.json')));
  assert.is(await reopened.ensureSeeded(), false);
  assert.equal(reopened.list(), []);
});

test('create adds a definition; a duplicate name is 409 and an unknown parent 400, storing nothing', async () => {
  const listener: string[] = [];
  registry.onChange((agents) => listener.push(`${agents.length}`));
  const created = await registry.create(input({ name: 'lead-scorer', parent: 'content-engine', description: 'Scores leads' }));
  assert.equal(created, { name: 'lead-scorer', parent: 'content-engine', description: 'Scores leads', launch: null, schedule: null, example: false });
  assert.equal(listener, ['12']);
  const before = JSON.stringify(db.read());
  await refused(registry.create(input({ name: 'lead-scorer' })), 409, 'agent_exists');
  const err = await refused(registry.create(input({ name: 'orphan', parent: 'nobody' })), 400, 'validation_failed');
  assert.equal(err.details, [{ field: 'parent', problem: 'no agent named "nobody"' }]);
  assert.is(JSON.stringify(db.read()), before);
  assert.equal(listener, ['12']);
});

test('update changes only the fields sent; cycles, self-parenting and renames are refused with nothing stored', async () => {
  const { agent: updated, previous } = await registry.update('image-creator', updateAgentSchema.parse({ description: 'Visuals', launch: null }));
  assert.is(previous.launch?.command, 'node', 'the definition it replaced');
  assert.is(updated.description, 'Visuals');
  assert.is(updated.launch, null);
  assert.is(updated.parent, 'content-orchestrator');
  const before = JSON.stringify(db.read());
  await refused(registry.update('content-engine', updateAgentSchema.parse({ parent: 'content-generator' })), 400, 'validation_failed');
  await refused(registry.update('content-engine', updateAgentSchema.parse({ parent: 'content-engine' })), 400, 'validation_failed');
  await refused(registry.update('content-engine', updateAgentSchema.parse({ name: 'engine-2', description: 'x' })), 400, 'validation_failed');
  await refused(registry.update('nobody', updateAgentSchema.parse({ description: 'x' })), 404, 'agent_not_found');
  assert.is(JSON.stringify(db.read()), before);
});

test('remove refuses an agent that is a parent (409) and removes a leaf', async () => {
  const err = await refused(registry.remove('content-orchestrator'), 409, 'agent_has_children');
  assert.is((err.details as { children: string[] }).children.length, 6);
  await registry.remove('analytics-tracker');
  assert.is(registry.get('analytics-tracker'), undefined);
  await refused(registry.remove('analytics-tracker'), 404, 'agent_not_found');
});

test('cron patterns: five fields (or @nicknames), valid ranges, must fire; timezones must be IANA names', () => {
  assert.is(cronProblem('30 20 * * *'), null);
  assert.is(cronProblem('@daily'), null);
  assert.match(cronProblem('61 * * * *')!, /not a valid cron pattern/);
  assert.match(cronProblem('* * * *')!, /exactly 5 fields/);
  assert.match(cronProblem('0 30 20 * * *')!, /exactly 5 fields/);
  assert.match(cronProblem('0 0 30 2 *')!, /never fires/);
  assert.is(timezoneProblem('Asia/Kolkata'), null);
  assert.is(timezoneProblem('UTC'), null);
  assert.match(timezoneProblem('Mars/Olympus_Mons')!, /unknown timezone/);
});

test('definition input: names, launch limits and reserved environment variables are checked', () => {
  assert.not.ok(createAgentSchema.safeParse({ name: 'Bad Name' }).success);
  assert.not.ok(createAgentSchema.safeParse({ name: 'x' }).success, 'two characters at least (the ingest rule)');
  assert.not.ok(createAgentSchema.safeParse({ name: 'ok-name', launch: { command: 'node', timeoutSeconds: 0 } }).success);
  assert.not.ok(createAgentSchema.safeParse({ name: 'ok-name', launch: { command: 'node', env: { RUN_ID: 'x' } } }).success);
  assert.not.ok(createAgentSchema.safeParse({ name: 'ok-name', unknownField: 1 }).success);
  const parsed = createAgentSchema.parse({ name: 'ok-name', launch: { command: 'node' }, schedule: { crons: ['0 5 * * *'] } });
  assert.equal(parsed.launch, { command: 'node', args: [], timeoutSeconds: 3600, maxConcurrent: 1 });
  assert.equal(parsed.schedule, { crons: ['0 5 * * *'], timezone: 'Asia/Kolkata', enabled: true });
});

test.run();
