// The webhook's link history, poll counts (uptimePct24h) and refusal counts survive a dashboard restart: they
// are journalled and rebuilt in the pool on the same data directory, with an injected clock. The time the
// dashboard was not running shows as `unknown` (after a clean stop and after a crash), a window of 24 h bounds
// what is rebuilt, and garbage or torn journal lines are skipped without losing the others.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { Journal } from '../../gateway/store/journal.js';
import { createWorkerPool, type WorkerPool } from '../../gateway/pool/worker-pool.js';
import { WebhookEventStore } from '../../gateway/domain/webhook/event-store.js';
import { WebhookConnector } from '../../gateway/domain/webhook/connector.js';
import { WebhookService, type WebhookStatus } from '../../gateway/domain/webhook/webhook-service.js';
import { NOT_RUNNING, type HistorySpan } from '../../gateway/domain/webhook/link-history.js';
import type { HealthOutcome } from '../../gateway/sources/webhook-client.js';
import { waitFor } from '../support/wait-for.js';
import { fakeWebhookClient } from '../support/webhook-fake-client.js';

const T0 = Date.parse('2026-11-25T06:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const STARTED = '2026-11-25T05:00:00.000Z';
const iso = (ms: number) => new Date(ms).toISOString();
const UP: HealthOutcome = { ok: true, latencyMs: 12, health: { status: 'healthy', type: 'Button Click Handler', startedAt: STARTED, uptimeSeconds: 60, messagesProcessed: 0 } };
const DOWN: HealthOutcome = { ok: false, kind: 'refused', detail: 'connect ECONNREFUSED', latencyMs: null };
const TIMEOUT: HealthOutcome = { ok: false, kind: 'timeout', detail: 'no answer within 5 s', latencyMs: null };

let pool: WorkerPool;
let dir: string;
let now = T0;
const clock = { now: () => now };

interface Running {
  service: WebhookService;
  connector: WebhookConnector;
  journal: Journal;
  warnings: Array<Record<string, unknown>>;
  /** Polls in turn, each at its time (ms after T0) and answered with its outcome (the first one answers start's). */
  polls(steps: Array<[number, HealthOutcome]>): Promise<void>;
  frame(text: string): Promise<void>;
  close(): Promise<void>;
  /** Ends the process without stopping the service: only what was journalled so far remains. */
  crash(): Promise<void>;
}

async function open(): Promise<Running> {
  const journal = await Journal.open(dir, { clock });
  const warnings: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as Record<string, unknown>) });
  let pending: ((o: HealthOutcome) => void) | null = null;
  const fake = fakeWebhookClient(() => new Promise<HealthOutcome>((resolve) => (pending = resolve)), STARTED);
  const client = fake.client;
  const store = new WebhookEventStore({ journal, journalDir: dir, pool, clock, logger });
  const connector = new WebhookConnector({ client, store, pool, clock, logger, pollMs: MIN });
  const service = new WebhookService(store, connector, clock);
  await service.start();
  // Answers the health call under way (the one start() makes first, or that of a new poll).
  const answer = async (outcome: HealthOutcome) => {
    const done = connector.poll();
    const resolve = await waitFor('a health call', () => pending);
    pending = null;
    resolve(outcome);
    await done;
  };
  const release = () => {
    pending?.(TIMEOUT); // the stopped connector ignores it
    pending = null;
  };
  return {
    service,
    connector,
    journal,
    warnings,
    async polls(steps) {
      for (const [at, outcome] of steps) {
        now = T0 + at;
        await answer(outcome);
      }
    },
    async frame(text) {
      const h = await waitFor('the event stream', () => fake.stream());
      h.onFrame(text);
    },
    async close() {
      const stopping = service.stop();
      release();
      await stopping;
      await journal.close();
    },
    async crash() {
      await journal.flush();
      await journal.close();
      const stopping = service.stop(); // its appends now fail: nothing more reaches the files
      release();
      await stopping;
    },
  };
}

/** Status figures that must come back after a restart. */
const kept = (s: WebhookStatus) => ({ uptimePct24h: s.uptimePct24h, rejected: s.rejected });

/** The spans before a stop at `stopAt`, as they read after a restart at `restartAt` (nothing polled yet). */
function afterRestart(before: HistorySpan[], stopAt: number, restartAt: number): HistorySpan[] {
  return [
    ...before.slice(0, -1),
    { ...before.at(-1)!, to: iso(stopAt) },
    { state: 'unknown', from: iso(stopAt), to: iso(restartAt), detail: NOT_RUNNING },
    { state: 'stale', from: iso(restartAt), to: null, detail: 'Not polled yet.' },
  ];
}

/** Opens again at `restartAt` and checks that the status is the one before the stop at `stopAt`, plus the gap. */
async function reopenAt(restartAt: number, before: WebhookStatus, stopAt: number): Promise<Running> {
  now = restartAt;
  const w = await open();
  try {
    const after = w.service.status();
    assert.equal(kept(after), kept(before));
    assert.equal(after.history24h, afterRestart(before.history24h, stopAt, restartAt));
  } catch (err) {
    await w.close();
    throw err;
  }
  return w;
}

/** Feeds a morning: up, down twice, up, stale after a quiet spell, up; two malformed and one unknown frame. */
async function feedMorning(w: Running): Promise<void> {
  await w.polls([[30_000, UP], [MIN, UP], [2 * MIN, DOWN], [3 * MIN, DOWN], [4 * MIN, UP], [7 * MIN, UP]]);
  now = T0 + 12 * MIN;
  w.connector.tick(); // 5 minutes without a poll: stale
  await w.polls([[13 * MIN, UP]]);
  await w.frame('{"not json');
  await w.frame(JSON.stringify({ id: 'x1', seq: 1, ts: iso(now), type: 'button_click' }));
  await w.frame(JSON.stringify({ id: 'x2', seq: 2, ts: iso(now), type: 'sticker' }));
  await waitFor('3 refused', () => {
    const r = w.service.status().rejected;
    return r.malformed === 2 && r.unknown === 1;
  });
}

test.before(() => {
  pool = createWorkerPool({ maxThreads: 2, taskTimeoutMs: 30_000 });
});

test.after(async () => {
  await pool.close();
});

test.before.each(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-webhook-link-'));
  now = T0;
});

test.after.each(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('after a restart the history, uptimePct24h and refusal counts are what they were; the down-time is unknown', async () => {
  const first = await open();
  await feedMorning(first);
  now = T0 + 14 * MIN;
  const before = first.service.status();
  assert.equal(
    before.history24h.map((s) => [s.state, s.from, s.to]),
    [
      ['stale', iso(T0), iso(T0 + 30_000)],
      ['up', iso(T0 + 30_000), iso(T0 + 2 * MIN)],
      ['down', iso(T0 + 2 * MIN), iso(T0 + 4 * MIN)],
      ['up', iso(T0 + 4 * MIN), iso(T0 + 12 * MIN)],
      ['stale', iso(T0 + 12 * MIN), iso(T0 + 13 * MIN)],
      ['up', iso(T0 + 13 * MIN), null],
    ],
  );
  assert.is(before.history24h[2]!.detail, '/health: connect ECONNREFUSED');
  assert.is(before.uptimePct24h, Math.round((5 / 7) * 10_000) / 100);
  const stopAt = now;
  await first.close();

  const restartAt = stopAt + HOUR;
  const second = await reopenAt(restartAt, before, stopAt);
  try {
    const after = second.service.status();
    assert.is(after.state, 'stale', 'a restart never claims up');
    assert.is(second.service.serviceStatus().state, 'unknown');
    assert.equal(second.warnings, [], 'nothing skipped');
    // Watching again: the first poll counts on top of the restored ones.
    await second.polls([[restartAt + MIN - T0, DOWN]]);
    const polled = second.service.status();
    assert.is(polled.uptimePct24h, Math.round((5 / 8) * 10_000) / 100);
    assert.equal(polled.history24h.at(-1), { state: 'down', from: iso(now), to: null, detail: '/health: connect ECONNREFUSED' });
    await second.polls([[restartAt + 2 * MIN - T0, UP]]);
    await second.frame('[]');
    await waitFor('another malformed', () => second.service.status().rejected.malformed === 3);
    now = restartAt + 3 * MIN;
  } finally {
    await second.close();
  }

  // A third start on the same data: both runs are there, each down-time unknown.
  now = restartAt + 13 * MIN;
  const third = await open();
  try {
    const s = third.service.status();
    assert.equal(s.rejected, { malformed: 3, unknown: 1 });
    assert.is(s.uptimePct24h, Math.round((6 / 9) * 10_000) / 100);
    assert.equal(
      s.history24h.slice(-6).map((x) => [x.state, x.from, x.to]),
      [
        ['unknown', iso(stopAt), iso(restartAt)],
        ['stale', iso(restartAt), iso(restartAt + MIN)],
        ['down', iso(restartAt + MIN), iso(restartAt + 2 * MIN)],
        ['up', iso(restartAt + 2 * MIN), iso(restartAt + 3 * MIN)],
        ['unknown', iso(restartAt + 3 * MIN), iso(now)],
        ['stale', iso(now), null],
      ],
    );
  } finally {
    await third.close();
  }
});

test('after a crash, what was journalled comes back and the time since the last line is unknown', async () => {
  const first = await open();
  await first.polls([
    [30_000, UP], // journalled with the change to up
    [MIN, DOWN], // journalled with the change to down
    [2 * MIN, UP], // journalled with the change to up
    [3 * MIN, UP], // the same bucket, no change: counted in memory only
    [6 * MIN, UP], // a new bucket: the last one's counts are journalled
    [7 * MIN, UP], // the same bucket, no change: counted in memory only
  ]);
  now = T0 + 8 * MIN;
  await first.frame('{');
  await waitFor('1 refused', () => first.service.status().rejected.malformed === 1);
  await first.crash();

  now = T0 + 30 * MIN;
  const second = await open();
  try {
    const s = second.service.status();
    assert.equal(
      s.history24h.map((x) => [x.state, x.from, x.to]),
      [
        ['stale', iso(T0), iso(T0 + 30_000)],
        ['up', iso(T0 + 30_000), iso(T0 + MIN)],
        ['down', iso(T0 + MIN), iso(T0 + 2 * MIN)],
        ['up', iso(T0 + 2 * MIN), iso(T0 + 6 * MIN)],
        ['unknown', iso(T0 + 6 * MIN), iso(now)], // the newest line: the counts of the bucket that ended at 6 min
        ['stale', iso(now), null],
      ],
      'unknown from the last journalled line, not up until the restart',
    );
    assert.is(s.uptimePct24h, 75, 'the counts of the first bucket (3 good of 4); the bucket under way at the crash is lost');
    assert.equal(s.rejected, { malformed: 1, unknown: 0 }, 'refusals are journalled in the next turn');
  } finally {
    await second.close();
  }
});

test('only the last 24 h are rebuilt: older polls are left out, the state in force at the window start is clipped', async () => {
  const first = await open();
  await first.polls([[30_000, UP], [MIN, DOWN]]);
  await first.frame('{');
  await waitFor('1 refused', () => first.service.status().rejected.malformed === 1);
  now = T0 + 2 * MIN;
  await first.close();

  now = T0 + 2 * MIN + 25 * HOUR;
  const second = await open();
  try {
    const s = second.service.status();
    assert.is(s.uptimePct24h, null, 'no poll within the last 24 h');
    assert.equal(s.history24h, [
      { state: 'unknown', from: iso(now - 24 * HOUR), to: iso(now), detail: NOT_RUNNING },
      { state: 'stale', from: iso(now), to: null, detail: 'Not polled yet.' },
    ]);
    assert.equal(s.rejected, { malformed: 1, unknown: 0 }, 'refusals are kept as long as the journal keeps them');
  } finally {
    await second.close();
  }
});

test('garbage and torn journal lines are skipped (and logged) without losing the others', async () => {
  const first = await open();
  await feedMorning(first);
  now = T0 + 14 * MIN;
  const before = first.service.status();
  const stopAt = now;
  await first.close();

  const day = iso(T0).slice(0, 10);
  const spoil = (stream: string, garbage: string[]) => {
    const file = path.join(dir, stream, `${day}.jsonl`);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    assert.ok(lines.length >= 1, `${stream} has lines`);
    const middle = Math.floor(lines.length / 2);
    const spoilt = [...lines.slice(0, middle), ...garbage, ...lines.slice(middle)];
    // The last line is torn: no newline, cut mid-way (set aside when the journal opens).
    fs.writeFileSync(file, spoilt.join('\n') + '\n' + '{"ts":"2026-11-25T06:14:00.000Z","kind":"po');
  };
  spoil('webhook-link', [
    'not json at all',
    JSON.stringify({ ts: iso(T0 + 5 * MIN), kind: 'polls', bucket: T0, good: 9, total: 2 }), // more good than polled
    JSON.stringify({ ts: iso(T0 + 5 * MIN), kind: 'state', state: 'sideways', detail: null }),
    JSON.stringify({ ts: iso(T0 + 5 * MIN), kind: 'lunch' }),
  ]);
  spoil('webhook-rejects', ['{"ts":"2026-11-25T06:05:00.000Z","malformed":', JSON.stringify({ ts: iso(T0 + 5 * MIN), malformed: -4, unknown: 1 })]);

  const second = await reopenAt(stopAt + HOUR, before, stopAt);
  try {
    assert.is(second.journal.recovery.tornLines.length, 2, 'both torn tails set aside at open');
    const skipped = second.warnings.filter((w) => typeof w.skippedLines === 'number');
    assert.equal(
      skipped.map((w) => [w.msg, w.skippedLines]).sort(),
      [
        ['webhook events and refusal counts: unreadable journal lines skipped', 2],
        ['webhook link history: unreadable journal lines skipped', 4],
      ],
    );
  } finally {
    await second.close();
  }
});

test.run();
