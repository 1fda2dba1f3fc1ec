// Unusable journal lines are reported with their place by the reader, set aside once by the quarantine (0600,
// copy cut at 1 MiB, non-UTF-8 kept as base64), also when a read at any later time meets them through the
// pool; and a replay that fails as a whole leaves the gateway started, degraded, and saying so.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readJournal } from '../../gateway/store/journal-reader.js';
import { JournalQuarantine, reportingJournalIssues } from '../../gateway/store/journal-quarantine.js';
import { createWorkerPool } from '../../gateway/pool/worker-pool.js';
import type { JournalPage } from '../../gateway/store/journal.js';
import { startAdminGateway, ManualClock } from '../support/test-gateway.js';
import { nestedText } from '../support/deep-json.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-quarantine-'));
let counter = 0;
const tempDir = (): string => fs.mkdtempSync(path.join(tmpRoot, `q${++counter}-`));

test.after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

const SEGMENT = '2026-11-25.jsonl';
const ts = (s: number) => `2026-11-25T10:00:${String(s).padStart(2, '0')}.000Z`;

function plant(dir: string, stream: string, lines: Array<string | Buffer>): number[] {
  fs.mkdirSync(path.join(dir, stream), { recursive: true });
  const offsets: number[] = [];
  let at = 0;
  const parts: Buffer[] = [];
  for (const line of lines) {
    const buf = Buffer.isBuffer(line) ? line : Buffer.from(line);
    offsets.push(at);
    parts.push(buf, Buffer.from('\n'));
    at += buf.length + 1;
  }
  fs.writeFileSync(path.join(dir, stream, SEGMENT), Buffer.concat(parts));
  return offsets;
}

function capture(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { logger: pino({ level: 'warn' }, { write: (l: string) => void lines.push(JSON.parse(l)) }), lines };
}

test('the reader reports each unusable line with its segment, offset, length and reason, in both orders', async () => {
  const dir = tempDir();
  const deep = `{"ts":"${ts(2)}","x":${nestedText(65)}}`;
  const lines = [`{"ts":"${ts(1)}","n":1}`, deep, 'not json', '[1,2]', `{"n":"no ts"}`, `{"ts":"${ts(3)}","x":${nestedText(63)}}`];
  const offsets = plant(dir, 'events', lines);
  const asc = await readJournal(dir, { stream: 'events', order: 'asc', limit: 10, locate: true });
  assert.equal(asc.items.map((i) => i.ts), [ts(1), ts(3)]);
  assert.is(asc.skippedLines, 4);
  assert.equal(
    asc.journalIssues.map((i) => [i.stream, i.segment, i.offset, i.bytes, i.kind, i.reason]),
    [
      ['events', SEGMENT, offsets[1], Buffer.byteLength(deep), 'corrupt', 'nested deeper than 64 levels'],
      ['events', SEGMENT, offsets[2], 8, 'corrupt', 'not JSON'],
      ['events', SEGMENT, offsets[3], 5, 'corrupt', 'not a JSON object with a string ts'],
      ['events', SEGMENT, offsets[4], 13, 'corrupt', 'not a JSON object with a string ts'],
    ],
  );
  assert.equal(asc.positions, { segments: [SEGMENT, SEGMENT], offsets: [offsets[0], offsets[5]], bytes: [Buffer.byteLength(lines[0]!), Buffer.byteLength(lines[5]!)] });
  const desc = await readJournal(dir, { stream: 'events', order: 'desc', limit: 10 });
  assert.equal(desc.journalIssues.map((i) => i.offset), [offsets[4], offsets[3], offsets[2], offsets[1]]);
  assert.is(desc.positions, undefined, 'positions only when asked for');
});

test('the quarantine copies each line once (0600), logs a short preview, and keeps its counts across a reopen', async () => {
  const dir = tempDir();
  const long = `{"ts":"${ts(1)}","pad":"${'y'.repeat(3000)}",`; // unparsable and long
  const offsets = plant(dir, 'events', [long, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]);
  const clock = new ManualClock();
  const { logger, lines } = capture();
  const q = await JournalQuarantine.open(dir, { clock, logger });
  const page = await readJournal(dir, { stream: 'events', order: 'asc', limit: 10 });
  assert.is(page.journalIssues.length, 2);
  await q.setAside(page.journalIssues);
  await q.setAside(page.journalIssues); // met again by a later read
  assert.equal(q.stats(), { quarantined: 2, corrupt: 2, invalid: 0, lastAt: new Date(clock.now()).toISOString() });
  const file = path.join(dir, 'quarantine', 'events.jsonl');
  assert.is(fs.statSync(file).mode & 0o777, 0o600);
  const entries = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.is(entries.length, 2);
  assert.equal([entries[0].offset, entries[0].line], [offsets[0], long]);
  assert.equal([entries[1].offset, entries[1].base64, entries[1].line], [offsets[1], Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'), undefined]);
  const logged = lines.filter((l) => l.msg === 'journal: line set aside (quarantine)');
  assert.is(logged.length, 2);
  assert.ok(String(logged[0]!.preview).length < 300, 'the log shows the start of the line only');
  assert.ok(!JSON.stringify(lines).includes('y'.repeat(500)));

  const reopened = await JournalQuarantine.open(dir, { clock, logger });
  await reopened.setAside(page.journalIssues);
  assert.is(reopened.stats().quarantined, 2);
  assert.is(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 2);
});

test('a line over 1 MiB is copied cut at 1 MiB and marked truncated', async () => {
  const dir = tempDir();
  const huge = 'z'.repeat(1024 * 1024 + 10);
  plant(dir, 'events', [huge]);
  const q = await JournalQuarantine.open(dir, { clock: new ManualClock(), logger: pino({ level: 'silent' }) });
  const page = await readJournal(dir, { stream: 'events', order: 'asc', limit: 10 });
  await q.setAside(page.journalIssues);
  const [entry] = fs.readFileSync(path.join(dir, 'quarantine', 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.equal([entry.bytes, entry.line.length, entry.truncated], [huge.length, 1024 * 1024, true]);
});

test('"quarantine" is not a stream name, so no stream can write into the quarantine', async () => {
  let refused = false;
  try {
    await readJournal(tempDir(), { stream: 'quarantine', order: 'asc', limit: 1 });
  } catch (err) {
    refused = err instanceof TypeError;
  }
  assert.ok(refused);
});

test('a read at any time through the pool sets aside what it met: journal-read pages and fold tasks alike', async () => {
  const dir = tempDir();
  plant(dir, 'audit', [`{"ts":"${ts(1)}","action":"ok"}`, `{"ts":"${ts(2)}","action":${nestedText(100)}}`]);
  plant(dir, 'agent-events', [`{"ts":"${ts(3)}","event":{"id":"e1","runId":"r1","type":"run.started","agent":"content-generator","ts":"${ts(3)}"}}`, `{"ts":"${ts(4)}","event":"hand-edited"}`]);
  const q = await JournalQuarantine.open(dir, { clock: new ManualClock(), logger: pino({ level: 'silent' }) });
  const pool = reportingJournalIssues(createWorkerPool({ taskTimeoutMs: 30_000, maxThreads: 1 }), q);
  try {
    const page = await pool.run<JournalPage>('journal-read', { dir, query: { stream: 'audit', order: 'desc', limit: 10 } });
    assert.is(page.items.length, 1);
    assert.equal(q.stats().quarantined, 1, 'set aside before the caller got the page');
    const tree = await pool.run<{ runs: Array<{ runId: string }> }>('agent-replay', { mode: 'tree', journalDir: dir, runId: 'r1' });
    assert.equal(tree.runs.map((r) => r.runId), ['r1']);
    assert.equal([q.stats().quarantined, q.stats().invalid], [2, 1]);
  } finally {
    await pool.close();
  }
});

test('an agent-runs replay that fails as a whole: the gateway still starts, /api/health says degraded, ingest answers 503', async () => {
  const dataDir = tempDir();
  // A file where the stream's directory belongs: every read of the stream fails.
  fs.mkdirSync(path.join(dataDir, 'journal'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'journal', 'agent-events'), 'not a directory');
  const { logger, lines } = capture();
  const t = await startAdminGateway({ DATA_DIR: dataDir }, { logger });
  try {
    const health = await t.admin.get('/api/health');
    assert.is(health.status, 200);
    assert.is(health.body.startup.state, 'degraded');
    assert.equal(health.body.startup.problems.map((p: { part: string }) => p.part), ['agent runs']);
    assert.match(health.body.startup.problems[0].error, 'ENOTDIR');
    assert.ok(lines.some((l) => String(l.msg).startsWith('start-up: agent runs could not start')));
    const ingest = await t.admin.post('/api/ingest/events', { events: [{ id: 'x', type: 'run.started', runId: 'x-run', agent: 'content-generator', ts: ts(1) }] });
    assert.is(ingest.status, 503, ingest.text);
    assert.is(ingest.body.error.code, 'runs_unavailable');
    assert.is((await t.admin.get('/api/agents')).status, 200, 'the rest of the API answers');
  } finally {
    await t.close();
  }
});

test.run();
