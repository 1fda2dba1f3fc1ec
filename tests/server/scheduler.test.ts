// Schedules in Asia/Kolkata with an injected clock: next fire times across midnight, fire times in a window,
// missed-run detection with a grace period (recorded once, also across restarts), and what firing does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { fireTimesBetween, missedFireTimes, nextFireTime, type RunRecord } from '../../gateway/domain/agents/schedule-times.js';
import { Scheduler, SCHEDULE_STREAM, type MissedRun } from '../../gateway/domain/agents/scheduler.js';
import { AgentRegistry } from '../../gateway/domain/agents/agent-registry.js';
import { openDb, type Db } from '../../gateway/store/db.js';
import { ApiError } from '../../gateway/http/api-error.js';
import type { RunTrigger } from '../../gateway/domain/agents/types.js';
import { ManualClock } from '../support/test-gateway.js';

const IST = 'Asia/Kolkata';
const ENGINE = { crons: ['30 20 * * *', '0 5 * * *'], timezone: IST };
const GUARDIAN = { crons: ['0 23 * * *'], timezone: IST };
/** An IST wall-clock time as a Date. */
const ist = (local: string) => new Date(`${local}+05:30`);
const iso = (local: string) => ist(local).toISOString();

test('from 23:59 IST the content-engine next runs at 05:00 IST the next day, then 20:30', () => {
  const from = ist('2026-11-25T23:59:00');
  const first = nextFireTime(ENGINE, from)!;
  assert.is(first.toISOString(), '2026-11-25T23:30:00.000Z'); // 05:00 IST on the 26th
  assert.is(nextFireTime(ENGINE, first)!.toISOString(), iso('2026-11-26T20:30:00'));
});

test('a fire time is exclusive: at exactly 20:30 IST the next is 05:00 IST, and 23:00 IST moves to the next day', () => {
  assert.is(nextFireTime(ENGINE, ist('2026-11-26T20:30:00'))!.toISOString(), iso('2026-11-27T05:00:00'));
  assert.is(nextFireTime(GUARDIAN, ist('2026-11-26T23:00:00'))!.toISOString(), iso('2026-11-27T23:00:00'));
  assert.is(nextFireTime(GUARDIAN, ist('2026-11-26T22:59:59'))!.toISOString(), iso('2026-11-26T23:00:00'));
});

test('the same cron in UTC fires 5 h 30 min later than in Asia/Kolkata', () => {
  const from = new Date('2026-11-24T20:00:00Z'); // 01:30 IST on the 25th, 20:00 UTC on the 24th
  const inIst = nextFireTime({ crons: ['0 5 * * *'], timezone: IST }, from)!;
  const inUtc = nextFireTime({ crons: ['0 5 * * *'], timezone: 'UTC' }, from)!;
  assert.is(inUtc.getTime() - inIst.getTime(), 5.5 * 3600_000);
});

test('fire times in a window across midnight IST are merged over crons and ascending', () => {
  const times = fireTimesBetween(ENGINE, ist('2026-11-25T20:00:00'), ist('2026-11-26T21:00:00')).map((d) => d.toISOString());
  assert.equal(times, [iso('2026-11-25T20:30:00'), iso('2026-11-26T05:00:00'), iso('2026-11-26T20:30:00')]);
});

const run = (runId: string, startedAt: string | null, trigger: RunTrigger | null = null, queuedAt = startedAt): RunRecord => ({
  runId,
  agent: 'content-engine',
  status: 'completed',
  queuedAt,
  startedAt,
  endedAt: null,
  trigger,
});

test('a fire time is missed only when no run began within the grace period (or was triggered for it)', () => {
  const w = { since: ist('2026-11-25T12:00:00'), now: ist('2026-11-26T06:00:00'), graceMs: 10 * 60_000 };
  const missedAll = missedFireTimes(ENGINE, [], w).map((d) => d.toISOString());
  assert.equal(missedAll, [iso('2026-11-25T20:30:00'), iso('2026-11-26T05:00:00')]);
  const onTime = [run('a', iso('2026-11-25T20:39:00')), run('b', iso('2026-11-26T04:59:30'))];
  assert.equal(missedFireTimes(ENGINE, onTime, w), []);
  const late = [run('a', iso('2026-11-25T20:41:00')), run('b', iso('2026-11-26T04:58:00'))];
  assert.is(missedFireTimes(ENGINE, late, w).length, 2);
  const triggered = [run('a', null, { kind: 'schedule', scheduledFor: iso('2026-11-25T20:30:00') }, iso('2026-11-25T21:00:00'))];
  assert.equal(missedFireTimes(ENGINE, triggered, w).map((d) => d.toISOString()), [iso('2026-11-26T05:00:00')]);
});

test('a fire time still inside the grace period is not missed yet', () => {
  const w = { since: ist('2026-11-25T12:00:00'), now: ist('2026-11-25T20:39:59'), graceMs: 10 * 60_000 };
  assert.equal(missedFireTimes(ENGINE, [], w), []);
  assert.is(missedFireTimes(ENGINE, [], { ...w, now: ist('2026-11-25T20:40:00') }).length, 1);
});

// --- the Scheduler with a real db, a fake launcher and journal ---------------------------------------------

interface Rig {
  db: Db;
  dir: string;
  clock: ManualClock;
  registry: AgentRegistry;
  runs: RunRecord[];
  journal: { stream: string; record: Record<string, unknown> }[];
  triggers: { agent: string; trigger: RunTrigger }[];
  busy: boolean;
  scheduler(recorded?: MissedRun[], timers?: boolean): Scheduler;
}

async function rig(startAt: string): Promise<Rig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-sched-'));
  const db = await openDb(path.join(dir, 'db.json'));
  const registry = new AgentRegistry(db);
  await registry.ensureSeeded();
  const r: Rig = {
    db,
    dir,
    clock: new ManualClock(ist(startAt).getTime()),
    registry,
    runs: [],
    journal: [],
    triggers: [],
    busy: false,
    scheduler(recorded = [], timers = false) {
      return new Scheduler({
        registry,
        launcher: {
          trigger: async (agent, trigger) => {
            if (r.busy) throw new ApiError(409, 'agent_busy', 'busy');
            r.triggers.push({ agent, trigger });
            return { runId: `run-${r.triggers.length}` };
          },
        },
        runs: { listRecent: ({ agent }) => r.runs.filter((x) => x.agent === agent).reverse() },
        db,
        journal: { append: async (stream, record) => (r.journal.push({ stream, record }), { ts: '', ...record }) },
        readRecordedMissed: async () => recorded,
        clock: r.clock,
        logger: pino({ level: 'silent' }),
        graceMs: 10 * 60_000,
        timers,
      });
    },
  };
  return r;
}

const missedIn = (r: Rig) => r.journal.filter((j) => j.stream === SCHEDULE_STREAM && j.record.type === 'schedule.missed').map((j) => `${j.record.agent}@${j.record.expectedAt}:${j.record.reason}`);

test('fire times before a schedule became active are not missed; later ones without a run are, once', async () => {
  const r = await rig('2026-11-25T21:00:00'); // installed after today's 20:30
  const s = r.scheduler();
  await s.start();
  assert.equal(missedIn(r), []);
  r.runs.push({ ...run('g', iso('2026-11-25T23:00:05')), agent: 'approval-guardian' }); // guardian ran at 23:00
  r.clock.ms = ist('2026-11-26T05:09:00').getTime(); // 05:00 fire, grace not over
  assert.equal(await s.scanMissed(), []);
  r.clock.ms = ist('2026-11-26T05:10:30').getTime();
  const found = await s.scanMissed();
  assert.equal(found.map((m) => m.agent), ['content-engine']);
  assert.equal(missedIn(r), [`content-engine@${iso('2026-11-26T05:00:00')}:not_started`]);
  await s.scanMissed();
  assert.is(missedIn(r).length, 1, 'recorded once');
  assert.equal(s.list().find((v) => v.agent === 'content-engine')!.missed, [{ expectedAt: iso('2026-11-26T05:00:00'), reason: 'not_started' }]);
  s.stop();
  fs.rmSync(r.dir, { recursive: true, force: true });
});

test('after a restart, fire times while the dashboard was down are missed as dashboard_down; earlier records are not repeated', async () => {
  const r = await rig('2026-11-25T21:00:00');
  const first = r.scheduler();
  await first.start();
  r.clock.ms = ist('2026-11-26T05:20:00').getTime();
  const before = await first.scanMissed();
  first.stop();
  // Down from 05:20 until 23:30: the 20:30 content run and the 23:00 approval never happened.
  r.clock.ms = ist('2026-11-26T23:30:00').getTime();
  const second = r.scheduler(before);
  await second.start();
  assert.equal(missedIn(r), [
    // recorded by the first process
    `content-engine@${iso('2026-11-26T05:00:00')}:not_started`,
    `approval-guardian@${iso('2026-11-25T23:00:00')}:not_started`,
    // found by the second one at its start
    `content-engine@${iso('2026-11-26T20:30:00')}:dashboard_down`,
    `approval-guardian@${iso('2026-11-26T23:00:00')}:dashboard_down`,
  ]);
  assert.is(new Set(missedIn(r)).size, missedIn(r).length, 'no miss recorded twice');
  second.stop();
  fs.rmSync(r.dir, { recursive: true, force: true });
});

test('a changed schedule restarts detection; a disabled one reports nothing and has no next run', async () => {
  const r = await rig('2026-11-25T21:00:00');
  const s = r.scheduler();
  await s.start();
  await r.registry.setSchedule('content-engine', { crons: ['0 6 * * *'], timezone: IST, enabled: true });
  await r.registry.setSchedule('approval-guardian', { crons: ['0 23 * * *'], timezone: IST, enabled: false });
  await s.settled();
  assert.is(s.nextRunAt('content-engine'), iso('2026-11-26T06:00:00'));
  assert.is(s.nextRunAt('approval-guardian'), null);
  r.clock.ms = ist('2026-11-26T07:00:00').getTime();
  await s.scanMissed();
  assert.equal(missedIn(r), [`content-engine@${iso('2026-11-26T06:00:00')}:not_started`]);
  s.stop();
  fs.rmSync(r.dir, { recursive: true, force: true });
});

test('firing launches the agent with kind schedule and the planned time; a busy agent is journalled as skipped', async () => {
  const r = await rig('2026-11-26T20:30:00');
  const s = r.scheduler();
  await s.fire('content-engine', ist('2026-11-26T20:30:00'));
  assert.equal(r.triggers, [{ agent: 'content-engine', trigger: { kind: 'schedule', by: 'scheduler', scheduledFor: iso('2026-11-26T20:30:00') } }]);
  assert.equal(r.journal.at(-1)!.record, { type: 'schedule.fired', agent: 'content-engine', scheduledFor: iso('2026-11-26T20:30:00'), runId: 'run-1' });
  r.busy = true;
  await s.fire('content-engine', ist('2026-11-27T05:00:00'));
  assert.is(r.journal.at(-1)!.record.type, 'schedule.skipped');
  assert.is(r.journal.at(-1)!.record.reason, 'agent_busy');
  fs.rmSync(r.dir, { recursive: true, force: true });
});

test('one croner job per cron of each enabled schedule; stop() removes them all', async () => {
  const r = await rig('2026-11-25T21:00:00');
  const s = r.scheduler([], true);
  await s.start();
  assert.is(s.jobCount(), 3); // content-engine ×2, approval-guardian ×1
  await r.registry.setSchedule('approval-guardian', null);
  assert.is(s.jobCount(), 2);
  s.stop();
  assert.is(s.jobCount(), 0);
  fs.rmSync(r.dir, { recursive: true, force: true });
});

test.run();
