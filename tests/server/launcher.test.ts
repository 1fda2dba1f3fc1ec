// The launcher with real child processes: the JSON-lines stdout protocol, logs from plain stdout and stderr,
// exit codes, timeout and cancel stopping a whole process tree, the concurrency limit and per-launch tokens.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Launcher } from '../../gateway/domain/agents/launcher.js';
import type { AgentDefinition, AgentLaunch } from '../../gateway/domain/agents/types.js';
import { ApiError } from '../../gateway/http/api-error.js';
import { systemClock } from '../../gateway/clock.js';
import { MemoryRunSink, MemoryTokens, pidGone } from '../support/agent-fakes.js';
import type { RunWriter } from '../../gateway/domain/agents/run-writer.js';

const outside: RunWriter = { owner: 'token:outside', name: 'token:outside', startsRuns: true };

const scripts = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-launcher-'));
const write = (name: string, body: string) => fs.writeFileSync(path.join(scripts, name), body);

write(
  'events.mjs',
  `const p = (o) => console.log(JSON.stringify(o));
p({ type: 'run.progress', seq: 1, progress: { done: 1, total: 2, label: 'half way' } });
console.log('a plain line');
console.error('careful: a warning');
p({ type: 'run.metric', seq: 2, metrics: { apiCalls: 3 } });
console.log(JSON.stringify({ level: 30, msg: 'a pino line is a log, not an event' }));
p({ type: 'run.log', seq: 3, message: JSON.stringify({ runId: process.env.RUN_ID, url: process.env.DASHBOARD_INGEST_URL,
  token: process.env.DASHBOARD_INGEST_TOKEN, parent: process.env.PARENT_RUN_ID, params: process.env.RUN_PARAMS,
  secret: process.env.SESSION_SECRET ?? null, custom: process.env.CUSTOM ?? null }) });
p({ type: 'run.progress', seq: 4, progress: { done: 5, total: 2 } });
`,
);
// Nested JSON is written as text: JSON.stringify itself recurses and fails a few thousand levels down.
write(
  'deep.mjs',
  `const nest = (n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
console.log('{"type":"run.progress","seq":1,"progress":{"done":0,"total":2},"x":' + nest(2000) + '}');
console.log('{"type":"run.started","runId":"deep-child","agent":"child-agent","parentRunId":"' + process.env.RUN_ID + '","ts":"2026-11-25T10:00:00Z","trigger":{"kind":"parent","params":' + nest(33) + '}}');
console.log(JSON.stringify({ type: 'run.progress', seq: 2, progress: { done: 1, total: 2 } }));
`,
);
// Reports its end at once but keeps running (with a grandchild), as a producer that lies or hangs would.
write(
  'ends-early.mjs',
  `import { spawn } from 'node:child_process';
const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
grandchild.on('spawn', () => {
  console.log(JSON.stringify({ type: 'run.log', seq: 1, message: 'pids ' + process.pid + ' ' + grandchild.pid }));
  console.log(JSON.stringify({ type: 'run.completed', seq: 2 }));
});
setInterval(() => {}, 1000);
`,
);
write('fails.mjs', `console.error('opening the sheet'); console.error('quota exceeded'); process.exit(3);`);
write('reports-failure.mjs', `console.log(JSON.stringify({ type: 'run.failed', error: { message: 'no advisors' } }));`);
// Leader + grandchild in one process group; with "stubborn" both ignore SIGTERM, so only KILL ends them.
write(
  'tree.mjs',
  `import { spawn } from 'node:child_process';
const stubborn = process.argv[2] === 'stubborn';
const code = (stubborn ? "process.on('SIGTERM', () => {});" : '') + 'setInterval(() => {}, 1000);';
const grandchild = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
if (stubborn) process.on('SIGTERM', () => {});
grandchild.on('spawn', () => console.log(JSON.stringify({ type: 'run.log', message: 'pids ' + process.pid + ' ' + grandchild.pid })));
setInterval(() => {}, 1000);
`,
);

function def(name: string, launch: Partial<AgentLaunch> & { args: string[] }): AgentDefinition {
  return {
    name,
    parent: null,
    description: '',
    example: false,
    schedule: null,
    launch: { command: 'node', cwd: scripts, timeoutSeconds: 30, maxConcurrent: 1, ...launch },
  };
}

const DEFS = new Map<string, AgentDefinition>(
  [
    def('events-agent', { args: ['events.mjs'], env: { CUSTOM: 'yes' } }),
    def('failing-agent', { args: ['fails.mjs'] }),
    def('deep-agent', { args: ['deep.mjs'] }),
    def('reporting-agent', { args: ['reports-failure.mjs'] }),
    def('tree-agent', { args: ['tree.mjs'], timeoutSeconds: 1 }),
    def('stubborn-agent', { args: ['tree.mjs', 'stubborn'], timeoutSeconds: 60 }),
    def('ends-early-agent', { args: ['ends-early.mjs'], timeoutSeconds: 5 }),
    def('missing-binary', { args: [], command: path.join(scripts, 'no-such-program') }),
    { name: 'external-agent', parent: null, description: '', example: false, schedule: null, launch: null },
  ].map((d) => [d.name, d]),
);

function setup(killGraceMs = 5000, logLines: string[] | null = null) {
  const runs = new MemoryRunSink();
  const tokens = new MemoryTokens();
  const launcher = new Launcher({
    registry: {
      require: (name: string) => {
        const d = DEFS.get(name);
        if (!d) throw new ApiError(404, 'agent_not_found', name);
        return d;
      },
    },
    runs,
    tokens,
    clock: systemClock,
    logger: logLines ? pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) }) : pino({ level: 'silent' }),
    ingestUrl: () => 'http://127.0.0.1:9/',
    appRoot: scripts,
    killGraceMs,
    baseEnv: { PATH: process.env.PATH, SESSION_SECRET: 'must-not-leak', DASHBOARD_ADMIN_PASSWORD: 'nor-this' },
  });
  return { runs, tokens, launcher };
}

async function pidsOf(runs: MemoryRunSink, runId: string): Promise<number[]> {
  const isPids = () => runs.logsOf(runId).some((e) => e.message?.startsWith('pids '));
  await runs.waitFor(isPids);
  return runs.logsOf(runId).find((e) => e.message?.startsWith('pids '))!.message!.slice(5).split(' ').map(Number);
}

async function rejectsWith(promise: Promise<unknown>, status: number, code: string): Promise<void> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, ApiError);
    assert.is((err as ApiError).status, status);
    assert.is((err as ApiError).code, code);
    return;
  }
  assert.unreachable(`expected ${status} ${code}`);
}

test('JSON lines on stdout become events; plain stdout is an info log, stderr a warning; exit 0 completes the run', async () => {
  const { runs, tokens, launcher } = setup();
  const { runId } = await launcher.trigger('events-agent', { kind: 'manual', by: 'alice', params: { date: '2026-11-26' } });
  await launcher.whenEnded(runId);
  const run = runs.get(runId)!;
  assert.is(run.status, 'completed');
  assert.equal(run.trigger, { kind: 'manual', by: 'alice', params: { date: '2026-11-26' } });
  assert.ok(runs.events.some((e) => e.runId === runId && e.progress?.label === 'half way' && e.seq === 1), 'stdout progress taken');
  assert.is(run.progress?.total, 2);
  assert.equal(run.metrics, { apiCalls: 3 });
  const logs = runs.logsOf(runId);
  const levelOf = (text: string) => logs.find((e) => e.message?.includes(text))?.level;
  assert.is(levelOf('a plain line'), 'info');
  assert.is(levelOf('careful: a warning'), 'warn');
  assert.is(levelOf('a pino line is a log'), 'info');
  // The invalid progress (done > total) is refused and said so in the log, not dropped silently.
  assert.ok(logs.some((e) => e.level === 'warn' && e.message?.includes('ignored an event from stdout') && e.message.includes('progress.done')));
  const env = JSON.parse(logs.find((e) => e.message?.startsWith('{"runId"'))!.message!);
  assert.is(env.runId, runId);
  assert.is(env.url, 'http://127.0.0.1:9/');
  assert.is(env.parent, '');
  assert.equal(JSON.parse(env.params), { date: '2026-11-26' });
  assert.is(env.custom, 'yes');
  assert.is(env.secret, null, 'the gateway secrets are not passed on');
  // A per-launch ingest token was handed over and is revoked once the run ended.
  assert.match(env.token, /^secret-tok\d+$/);
  assert.is(tokens.list().length, 0);
  assert.equal(tokens.revoked, [env.token.slice('secret-'.length)]);
  const ids = runs.events.filter((e) => e.runId === runId && e.id.includes(':launcher:')).map((e) => e.type);
  assert.is(ids[0], 'run.started');
  assert.is(ids.at(-1), 'run.completed');
});

test('stdout events nested too deep are refused, counted and logged; the lines after them are still read', async () => {
  const logLines: string[] = [];
  const { runs, launcher } = setup(5000, logLines);
  const { runId } = await launcher.trigger('deep-agent', { kind: 'manual' });
  await launcher.whenEnded(runId);
  const run = runs.get(runId)!;
  assert.is(run.status, 'completed');
  assert.ok(runs.events.some((e) => e.runId === runId && e.seq === 2 && e.progress?.done === 1), 'the event after the refused ones was taken');
  assert.is(runs.get('deep-child'), undefined, 'the child run with too-deep params was not created');
  const refusals = runs.logsOf(runId).filter((e) => e.level === 'warn' && e.message?.startsWith('ignored an event from stdout'));
  assert.is(refusals.length, 2);
  assert.match(refusals[0]!.message!, 'the line nests deeper than 64 levels');
  assert.match(refusals[1]!.message!, 'nests deeper than 32 levels');
  const logged = logLines.map((l) => JSON.parse(l) as { msg: string; refused?: number; runId?: string }).filter((l) => l.msg.startsWith('launcher: event from stdout refused'));
  assert.equal(logged.map((l) => [l.runId, l.refused]), [[runId, 1], [runId, 2]]);
});

test('a non-zero exit ends the run as error naming the exit code and the last stderr line', async () => {
  const { runs, launcher } = setup();
  const { runId } = await launcher.trigger('failing-agent', { kind: 'manual' });
  await launcher.whenEnded(runId);
  const run = runs.get(runId)!;
  assert.is(run.status, 'error');
  assert.equal(run.error, { message: 'process exited with code 3: quota exceeded', code: 'exit_code' });
});

test("the process's own terminal event stands even when it exits with 0", async () => {
  const { runs, launcher } = setup();
  const { runId } = await launcher.trigger('reporting-agent', { kind: 'manual' });
  await launcher.whenEnded(runId);
  assert.is(runs.get(runId)!.status, 'error');
  assert.equal(runs.get(runId)!.error, { message: 'no advisors' });
});

test('a command that cannot be started ends the run as error spawn_failed', async () => {
  const { runs, tokens, launcher } = setup();
  const { runId } = await launcher.trigger('missing-binary', { kind: 'manual' });
  await launcher.whenEnded(runId);
  assert.is(runs.get(runId)!.status, 'error');
  assert.is(runs.get(runId)!.error?.code, 'spawn_failed');
  assert.is(tokens.list().length, 0);
});

test('a timeout stops the whole process tree (leader and grandchild) and ends the run "timed out after 1 s"', async () => {
  const { runs, launcher } = setup();
  const { runId } = await launcher.trigger('tree-agent', { kind: 'schedule', scheduledFor: '2026-11-26T15:00:00.000Z' });
  const pids = await pidsOf(runs, runId);
  assert.is(pids.length, 2);
  await launcher.whenEnded(runId);
  assert.is(runs.get(runId)!.status, 'error');
  assert.equal(runs.get(runId)!.error, { message: 'timed out after 1 s', code: 'timeout' });
  for (const pid of pids) assert.ok(pidGone(pid), `pid ${pid} still alive`);
});

test('cancel ends the run as cancelled at once and KILLs a tree that ignores SIGTERM after the grace period', async () => {
  const { runs, launcher } = setup(300);
  const { runId } = await launcher.trigger('stubborn-agent', { kind: 'manual' });
  const pids = await pidsOf(runs, runId);
  const reply = await launcher.cancel(runId, 'bob');
  assert.equal(reply, { runId, status: 'cancelled', process: 'killed' });
  await launcher.whenEnded(runId);
  for (const pid of pids) assert.ok(pidGone(pid), `pid ${pid} still alive`);
  assert.is(runs.get(runId)!.status, 'cancelled');
  await rejectsWith(launcher.cancel(runId), 409, 'run_finished');
});

test('a trigger at the concurrency limit is refused with 409 agent_busy; after the run ends the agent is free', async () => {
  const { runs, launcher } = setup(300);
  const first = await launcher.trigger('stubborn-agent', { kind: 'manual' });
  await rejectsWith(launcher.trigger('stubborn-agent', { kind: 'manual' }), 409, 'agent_busy');
  await pidsOf(runs, first.runId);
  await launcher.cancel(first.runId);
  await launcher.whenEnded(first.runId);
  const second = await launcher.trigger('events-agent', { kind: 'manual' });
  await launcher.whenEnded(second.runId);
  assert.is(runs.get(second.runId)!.status, 'completed');
});

test('an open run reported by the agent itself (not launched here) occupies it too', async () => {
  const { runs, launcher } = setup();
  await runs.ingest([{ id: 'x1', type: 'run.started', runId: 'outside-1', agent: 'events-agent', ts: new Date().toISOString() }], outside);
  await rejectsWith(launcher.trigger('events-agent', { kind: 'manual' }), 409, 'agent_busy');
});

test('unknown agent 404, no launch command 422, cancel of an unknown run 404 and of a foreign run 409', async () => {
  const { runs, launcher } = setup();
  await rejectsWith(launcher.trigger('nobody', { kind: 'manual' }), 404, 'agent_not_found');
  await rejectsWith(launcher.trigger('external-agent', { kind: 'manual' }), 422, 'no_launch_command');
  await rejectsWith(launcher.cancel('no-such-run'), 404, 'run_not_found');
  await runs.ingest([{ id: 'y1', type: 'run.started', runId: 'outside-2', agent: 'external-agent', ts: new Date().toISOString() }], outside);
  await rejectsWith(launcher.cancel('outside-2'), 409, 'not_cancellable');
});

test('close() stops running trees and ends their runs as errors "dashboard shut down"', async () => {
  const { runs, launcher } = setup(300);
  const { runId } = await launcher.trigger('stubborn-agent', { kind: 'manual' });
  const pids = await pidsOf(runs, runId);
  await launcher.close();
  assert.is(runs.get(runId)!.status, 'error');
  assert.is(runs.get(runId)!.error?.code, 'shutdown');
  for (const pid of pids) assert.ok(pidGone(pid));
  await rejectsWith(launcher.trigger('events-agent', { kind: 'manual' }), 503, 'shutting_down');
});

test('close() also stops a process whose run already reported its end; the reported end stays', async () => {
  const { runs, launcher } = setup(300);
  const { runId } = await launcher.trigger('ends-early-agent', { kind: 'manual' });
  const pids = await pidsOf(runs, runId);
  await runs.waitFor(() => runs.get(runId)?.status === 'completed');
  await launcher.close();
  for (const pid of pids) assert.ok(pidGone(pid), `pid ${pid} still alive`);
  assert.is(runs.get(runId)!.status, 'completed');
  assert.ok(runs.logsOf(runId).some((e) => e.level === 'warn' && e.message === 'stopped because the dashboard shut down'));
});

test.after(() => {
  fs.rmSync(scripts, { recursive: true, force: true });
});

test.run();
