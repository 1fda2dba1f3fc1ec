// Start-up of the real gateway process on a journal with lines planted by hand (nested 2,000 levels deep, not
// JSON, not an event): it starts, replays the good events, sets the bad lines aside in the quarantine files
// (0600, with their source and reason), counts them in /api/health and logs them without dumping them; a
// restart counts them once. Also the reproduction of the issue: an event accepted before the JSON limits
// existed stopped every later start.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signIn, startGateway, type RunningGateway } from '../support/gateway-process.js';
import { nestedText } from '../support/deep-json.js';
import { applyEvent } from '../../gateway/domain/agents/run-reducer.js';
import { storeRun } from '../../gateway/domain/agents/run-snapshot.js';
import type { AgentEvent } from '../../gateway/domain/agents/types.js';

const scratch: string[] = [];
const running = new Set<RunningGateway>();

test.after(async () => {
  for (const g of running) await g.stop();
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

async function start(dataDir: string): Promise<RunningGateway & { get(p: string): Promise<any> }> {
  const g = await startGateway({ BCRYPT_COST: '4' }, { fromSources: true, dataDir });
  running.add(g);
  const cookie = await signIn(g.base, g.adminPassword);
  return {
    ...g,
    async get(p: string) {
      const res = await fetch(g.base + p, { headers: { cookie } });
      return { status: res.status, body: await res.json() };
    },
  };
}

async function stop(g: RunningGateway): Promise<void> {
  await g.stop();
  running.delete(g);
}

// Set as each test starts (uvu loads every file of a run first): the runs planted must be fresh for the
// heartbeat watchdog.
let now = Date.now();
const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();
let today = iso(0).slice(0, 10);

test.before.each(() => {
  now = Date.now();
  today = iso(0).slice(0, 10);
});

function agentLine(offsetMs: number, event: Record<string, unknown>): string {
  return JSON.stringify({ ts: iso(offsetMs), event: { agent: 'content-generator', ts: iso(offsetMs), ...event } });
}

/** Writes segment files by hand, as an operator's editor or a disk fault would leave them. */
function plant(dataDir: string, stream: string, lines: string[]): string {
  const dir = path.join(dataDir, 'journal', stream);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${today}.jsonl`);
  fs.appendFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

function quarantined(dataDir: string, stream: string): any[] {
  const file = path.join(dataDir, 'journal', 'quarantine', `${stream}.jsonl`);
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

test('a journal with a deep line, an unparsable line and a non-event planted by hand: the gateway starts, replays the rest, sets them aside and counts them', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-recovery-'));
  scratch.push(dataDir);
  const deepParams = nestedText(2000);
  const deepLine = agentLine(-50_000, { id: 'd-1', type: 'run.started', runId: 'r-deep', trigger: { kind: 'manual', params: { p: '@@' } } }).replace('"@@"', deepParams);
  const garbage = `{"ts":"${iso(-40_000)}","event":{"id":"g-1","type":"run.sta`;
  const notAnEvent = JSON.stringify({ ts: iso(-35_000), event: { id: 7, note: 'hand-edited' } });
  const lines = [
    agentLine(-60_000, { id: 'a-1', type: 'run.started', runId: 'r-good' }),
    deepLine,
    garbage,
    notAnEvent,
    agentLine(-30_000, { id: 'a-2', type: 'run.completed', runId: 'r-good' }),
    agentLine(-20_000, { id: 'b-1', type: 'run.started', runId: 'r-open' }),
  ];
  const segment = plant(dataDir, 'agent-events', lines);
  const offsets = lines.map((_, i) => lines.slice(0, i).reduce((sum, l) => sum + Buffer.byteLength(l) + 1, 0));
  // The webhook store rebuilds from its own stream at every start, configured or not.
  plant(dataDir, 'webhook-events', [`{"ts":"${iso(-10_000)}","type":"button_click","at":${now},"origin":null,"event":${nestedText(3000)}}`]);
  const segmentBefore = fs.readFileSync(segment);

  const g = await start(dataDir);
  const health = await g.get('/api/health');
  assert.is(health.status, 200);
  assert.equal(health.body.startup, { state: 'ok', problems: [] });
  const j = health.body.journal;
  assert.equal([j.quarantined, j.corrupt, j.invalid, j.torn], [4, 3, 1, 0]);
  assert.type(j.lastAt, 'string');

  // The good events were replayed; the deep run never was.
  assert.is((await g.get('/api/agents/runs/r-good')).body.run.status, 'completed');
  const open = await g.get('/api/agents/runs?status=processing');
  assert.ok(JSON.stringify(open.body).includes('r-open'), JSON.stringify(open.body).slice(0, 500));
  assert.is((await g.get('/api/agents/runs/r-deep')).status, 404);

  // The quarantine holds each bad line once, with where it came from and why; the segment is untouched.
  const agentQ = quarantined(dataDir, 'agent-events');
  assert.equal(
    agentQ.map((e) => [e.segment, e.offset, e.bytes, e.kind]),
    [
      [`${today}.jsonl`, offsets[1], Buffer.byteLength(deepLine), 'corrupt'],
      [`${today}.jsonl`, offsets[2], Buffer.byteLength(garbage), 'corrupt'],
      [`${today}.jsonl`, offsets[3], Buffer.byteLength(notAnEvent), 'invalid'],
    ],
  );
  assert.equal(agentQ.map((e) => e.reason.split(' ')[0]), ['nested', 'not', 'not']);
  assert.is(agentQ[0].line, deepLine, 'the whole line is kept');
  assert.is(agentQ[1].line, garbage);
  assert.is(quarantined(dataDir, 'webhook-events').length, 1);
  for (const f of ['agent-events.jsonl', 'webhook-events.jsonl']) {
    assert.is(fs.statSync(path.join(dataDir, 'journal', 'quarantine', f)).mode & 0o777, 0o600, f);
  }
  assert.ok(fs.readFileSync(segment).equals(segmentBefore), 'the journal segment is not rewritten');

  // Logged, with a short preview instead of the line.
  const log = fs.readFileSync(path.join(dataDir, 'logs', 'ops-center.log'), 'utf8');
  const setAside = log.split('\n').filter((l) => l.includes('line set aside (quarantine)'));
  assert.is(setAside.length, 4, log.slice(0, 2000));
  for (const l of setAside) assert.ok(l.length < 2000, `a log line of ${l.length} characters`);

  // Reading the journal later (history beyond memory is folded again) meets the same lines: not counted twice.
  assert.is((await g.get('/api/agents/performance?days=7')).status, 200);
  assert.is((await g.get('/api/health')).body.journal.quarantined, 4);

  // A restart on the same data starts again and still counts each line once.
  await stop(g);
  const again = await start(dataDir);
  const j2 = (await again.get('/api/health')).body.journal;
  assert.equal([j2.quarantined, j2.corrupt, j2.invalid], [4, 3, 1]);
  assert.is(quarantined(dataDir, 'agent-events').length, 3);
  await stop(again);
});

test('a run snapshot written before the limits, holding a run with deep params, is set aside and the runs rebuilt from the journal', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-recovery-'));
  scratch.push(dataDir);
  const good = agentLine(-30_000, { id: 's-1', type: 'run.started', runId: 'r-kept' });
  const deepText = agentLine(-20_000, { id: 's-2', type: 'run.started', runId: 'r-deep', trigger: { kind: 'manual', params: { p: '@@' } } }).replace('"@@"', nestedText(2000));
  plant(dataDir, 'agent-events', [good, deepText]);
  // What the gateway kept in memory and snapshotted when it still accepted such an event.
  const deepLine = JSON.parse(deepText) as { ts: string; event: AgentEvent };
  const goodLine = JSON.parse(good) as { ts: string; event: AgentEvent };
  const runs = [applyEvent(undefined, goodLine.event, goodLine.ts), applyEvent(undefined, deepLine.event, deepLine.ts)].map(storeRun);
  const snapshotFile = path.join(dataDir, 'snapshots', 'agent-runs.json');
  fs.mkdirSync(path.dirname(snapshotFile), { recursive: true });
  fs.writeFileSync(snapshotFile, JSON.stringify({ version: 1, writtenAt: iso(-10_000), journalTs: deepLine.ts, horizon: null, runs }));

  const g = await start(dataDir);
  const health = (await g.get('/api/health')).body;
  assert.is(health.startup.state, 'ok');
  assert.is(health.journal.quarantined, 1);
  assert.is((await g.get('/api/agents/runs/r-kept')).body.run.status, 'processing');
  assert.is((await g.get('/api/agents/runs/r-deep')).status, 404);
  assert.ok(fs.readdirSync(path.dirname(snapshotFile)).some((f) => f.startsWith('agent-runs.json.bad-')), 'the old snapshot is kept aside');
  const log = fs.readFileSync(path.join(dataDir, 'logs', 'ops-center.log'), 'utf8');
  assert.match(log, 'nests deeper than 64 levels');
  await stop(g);
});

test.run();
