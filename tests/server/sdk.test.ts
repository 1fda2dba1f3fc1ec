// The agent SDK against a real HTTP ingest stand-in on 127.0.0.1:0: batching, retry with backoff after 5xx,
// idempotent ids (a lost acknowledgement never double-counts), heartbeats, child runs, stdout mode.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { createAgentRun, createAgentRunFromEnv, StdoutTransport, type IngestProblem } from '../../agents/sdk/index.js';
import type { AgentEvent } from '../../gateway/domain/agents/types.js';

/** A minimal ingest endpoint: dedupes by id like the dashboard; `plan` scripts answers per request. */
class IngestStandIn {
  readonly requests: { auth: string | undefined; events: AgentEvent[] }[] = [];
  readonly stored = new Map<string, AgentEvent>();
  /** Per request (in order): 'ok', '503' (nothing stored), 'lost-ack' (stored, then 503), '400', '429'. */
  plan: string[] = [];
  #waiters: { n: number; resolve: () => void }[] = [];
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const events = (JSON.parse(body) as { events: AgentEvent[] }).events;
      this.requests.push({ auth: req.headers.authorization, events });
      const step = this.plan.shift() ?? 'ok';
      let accepted = 0;
      let duplicates = 0;
      if (step === 'ok' || step === 'lost-ack') {
        for (const e of events) {
          if (this.stored.has(e.id)) duplicates++;
          else (this.stored.set(e.id, e), accepted++);
        }
      }
      if (step === 'ok') res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted, duplicates, rejected: [] }));
      else if (step === '400') res.writeHead(400).end('{"error":{"code":"validation_failed","message":"bad"}}');
      else if (step === '429') res.writeHead(429, { 'retry-after': '0' }).end('{}');
      else res.writeHead(503).end('{"error":{"code":"unavailable","message":"busy"}}');
      this.#waiters = this.#waiters.filter((w) => (this.requests.length >= w.n ? (w.resolve(), false) : true));
    });
  });

  url = '';
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  requestsReached(n: number): Promise<void> {
    if (this.requests.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const fastRetry = { retryBaseMs: 5, retryMaxMs: 20 };
let ingest: IngestStandIn;

test.before.each(async () => {
  ingest = new IngestStandIn();
  await ingest.start();
});
test.after.each(async () => {
  await ingest.close();
});

test('events are batched: up to maxBatch per request, in order, with the bearer token', async () => {
  const run = createAgentRun({ agent: 'content-generator', url: ingest.url, token: 'tok-1', runId: 'run-1', heartbeatMs: 0, http: { maxBatch: 100, flushIntervalMs: 1000 } });
  run.start();
  for (let i = 1; i <= 248; i++) run.progress(i, 248, `advisor ${i}`);
  await run.finish('done');
  await run.close();
  assert.equal(
    ingest.requests.map((r) => r.events.length),
    [100, 100, 50],
  );
  assert.ok(ingest.requests.every((r) => r.auth === 'Bearer tok-1'));
  const all = ingest.requests.flatMap((r) => r.events);
  assert.equal(all.map((e) => e.seq), Array.from({ length: 250 }, (_, i) => i + 1));
  assert.is(all[0]!.type, 'run.started');
  assert.is(all.at(-1)!.type, 'run.completed');
  assert.is(new Set(all.map((e) => e.id)).size, 250);
});

test('events within the flush interval share one request', async () => {
  const run = createAgentRun({ agent: 'content-generator', url: ingest.url, token: 't', heartbeatMs: 0, http: { flushIntervalMs: 30 } });
  run.start();
  run.log('one');
  run.log('two');
  await ingest.requestsReached(1);
  assert.equal(ingest.requests[0]!.events.map((e) => e.type), ['run.started', 'run.log', 'run.log']);
  await run.close();
});

test('after a 503 the same batch is retried with the same ids until it is taken', async () => {
  ingest.plan = ['503', '503', 'ok'];
  const run = createAgentRun({ agent: 'distribution-manager', url: ingest.url, token: 't', heartbeatMs: 0, http: fastRetry });
  run.start();
  run.progress(1, 2);
  await run.finish();
  assert.is(ingest.requests.length, 3);
  const ids = ingest.requests.map((r) => r.events.map((e) => e.id).join(','));
  assert.is(new Set(ids).size, 1, 'every attempt carries the same ids');
  assert.is(ingest.stored.size, 3);
  await run.close();
});

test('a lost acknowledgement (stored, then 503) is retried without double-counting', async () => {
  ingest.plan = ['lost-ack', 'ok'];
  const problems: IngestProblem[] = [];
  const run = createAgentRun({ agent: 'analytics-tracker', url: ingest.url, token: 't', heartbeatMs: 0, http: { ...fastRetry, onProblem: (p) => problems.push(p) } });
  run.start();
  run.count('apiCalls', 5);
  await run.finish();
  assert.is(ingest.requests.length, 2);
  assert.is(ingest.stored.size, 2, 'started + completed, each once');
  const completed = [...ingest.stored.values()].find((e) => e.type === 'run.completed')!;
  assert.equal(completed.metrics, { apiCalls: 5 });
  assert.equal(problems, []);
  await run.close();
});

test('429 is retried; a 400 is not retried and is reported', async () => {
  ingest.plan = ['429', 'ok', '400'];
  const problems: IngestProblem[] = [];
  const run = createAgentRun({ agent: 'revision-handler', url: ingest.url, token: 't', heartbeatMs: 0, http: { ...fastRetry, onProblem: (p) => problems.push(p) } });
  run.start();
  await run.flush();
  run.log('refused');
  await run.flush();
  assert.is(ingest.requests.length, 3);
  assert.is(problems.length, 1);
  assert.is(problems[0]!.kind, 'refused');
  assert.is(problems[0]!.status, 400);
  await run.close();
});

test('a batch is given up after maxRetries and reported, later events still flow', async () => {
  ingest.plan = ['503', '503', '503'];
  const problems: IngestProblem[] = [];
  const run = createAgentRun({ agent: 'image-creator', url: ingest.url, token: 't', heartbeatMs: 0, http: { ...fastRetry, maxRetries: 2, onProblem: (p) => problems.push(p) } });
  run.start();
  await run.flush();
  assert.is(problems[0]?.kind, 'gave_up');
  run.log('after');
  await run.flush();
  assert.equal([...ingest.stored.values()].map((e) => e.message), ['after']);
  await run.close();
});

test('heartbeats go out on a timer after start and stop at finish', async () => {
  const run = createAgentRun({ agent: 'approval-guardian', url: ingest.url, token: 't', heartbeatMs: 10, http: { flushIntervalMs: 5 } });
  run.start();
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if ([...ingest.stored.values()].filter((e) => e.type === 'run.heartbeat').length >= 2) (clearInterval(check), resolve());
    }, 5);
  });
  await run.finish();
  const count = ingest.stored.size;
  await new Promise((resolve) => setTimeout(resolve, 40)); // no event to await: proving that nothing more comes
  await run.flush();
  assert.is(ingest.stored.size, count);
  await run.close();
});

test('child() makes a run under this one on the same transport; counts travel with the next event', async () => {
  const run = createAgentRun({ agent: 'content-orchestrator', url: ingest.url, token: 't', runId: 'parent-1', heartbeatMs: 0 });
  run.start();
  const child = run.child('content-generator');
  child.start();
  child.count('generated');
  child.count('generated');
  child.progress(2, 12, 'Meera Iyer');
  await child.finish();
  await run.finish();
  await run.close();
  const events = [...ingest.stored.values()];
  const childEvents = events.filter((e) => e.runId === child.runId);
  assert.ok(child.runId !== 'parent-1');
  assert.ok(childEvents.every((e) => e.parentRunId === 'parent-1' && e.agent === 'content-generator'));
  assert.equal(childEvents.find((e) => e.type === 'run.progress')!.metrics, { generated: 2 });
  assert.ok(events.filter((e) => e.runId === 'parent-1').every((e) => e.parentRunId === undefined));
});

test('an observer handle sends no seq (arrival order) and its ids differ from the run owner', async () => {
  const run = createAgentRun({ agent: 'content-engine', url: ingest.url, token: 't', heartbeatMs: 0 });
  const observer = run.child('content-orchestrator', { observer: true });
  const owner = createAgentRun({ agent: 'content-orchestrator', url: ingest.url, token: 't', runId: observer.runId, heartbeatMs: 0 });
  owner.start();
  await owner.flush();
  await observer.fail('exited with 1');
  const events = [...ingest.stored.values()].filter((e) => e.runId === observer.runId);
  assert.is(events.length, 2);
  assert.is(events[1]!.seq, undefined);
  await owner.close();
  await run.close();
});

test('without URL and token the events are JSON lines on stdout (the launched-process protocol)', async () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c));
  const run = createAgentRunFromEnv('fatigue-checker', { RUN_ID: 'r-9', PARENT_RUN_ID: '' }, { transport: new StdoutTransport(out), heartbeatMs: 0 });
  run.start();
  run.log('hello', 'warn');
  await run.finish();
  const lines = text.trim().split('\n').map((l) => JSON.parse(l) as AgentEvent);
  assert.equal(lines.map((l) => [l.type, l.runId, l.seq]), [['run.started', 'r-9', 1], ['run.log', 'r-9', 2], ['run.completed', 'r-9', 3]]);
  assert.is(lines[0]!.parentRunId, undefined);
  await run.close();
});

test.run();
