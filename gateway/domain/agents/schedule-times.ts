// Pure schedule arithmetic over croner (timezone aware): the next fire time, the fire times in a window, and
// which expected fire times had no run starting within the grace period (missed runs).
import { Cron } from 'croner';
import type { AgentSchedule, RunState } from './types.js';

export type ScheduleTimes = Pick<AgentSchedule, 'crons' | 'timezone'>;
/** What missed-run detection needs to know about a run (RunState and RunSummary both fit). */
export type RunRecord = Pick<RunState, 'runId' | 'agent' | 'status' | 'queuedAt' | 'startedAt' | 'endedAt' | 'trigger'>;

/** A run starting up to this long BEFORE its fire time still counts (clock skew, an external cron firing early). */
const EARLY_TOLERANCE_MS = 60_000;
/** Bounds a pathological pattern ("* * * * *" over a day = 1440 fires) per cron. */
const MAX_FIRES_PER_CRON = 2000;

// Parsing a pattern costs far more than asking a parsed one for its next run, and the same few schedules are
// asked on every agents snapshot: parsed crons are kept by pattern and timezone (bounded; cleared when full).
const parsed = new Map<string, Cron>();
const MAX_PARSED = 500;

/** The parsed cron of a pattern in a timezone (throws like `new Cron` on a bad pattern). */
export function parsedCron(pattern: string, timezone: string): Cron {
  const key = `${timezone}\u0000${pattern}`;
  let cron = parsed.get(key);
  if (!cron) {
    if (parsed.size >= MAX_PARSED) parsed.clear();
    cron = new Cron(pattern, { timezone });
    parsed.set(key, cron);
  }
  return cron;
}

function cronsOf(schedule: ScheduleTimes): Cron[] {
  return schedule.crons.map((pattern) => parsedCron(pattern, schedule.timezone));
}

/** The earliest fire time strictly after `from` over all of the schedule's crons; null if none fires again. */
export function nextFireTime(schedule: ScheduleTimes, from: Date): Date | null {
  let best: Date | null = null;
  for (const cron of cronsOf(schedule)) {
    const next = cron.nextRun(from);
    if (next && (best === null || next < best)) best = next;
  }
  return best;
}

/** Every fire time in (from, to], ascending, duplicates across crons merged. */
export function fireTimesBetween(schedule: ScheduleTimes, from: Date, to: Date): Date[] {
  const times = new Map<number, Date>();
  for (const cron of cronsOf(schedule)) {
    let at: Date | null = from;
    for (let i = 0; i < MAX_FIRES_PER_CRON; i++) {
      at = cron.nextRun(at);
      if (!at || at > to) break;
      times.set(at.getTime(), at);
    }
  }
  return [...times.values()].sort((a, b) => a.getTime() - b.getTime());
}

/** When a run began: its start, else when it was queued (a run the launcher queued but never saw start). */
function runBeganAt(run: RunRecord): number {
  return Date.parse(run.startedAt ?? run.queuedAt ?? '');
}

/** True when some run answers the fire time: triggered for it, or begun within [at - 1 min, at + grace]. */
export function fireTimeAnswered(at: Date, runs: readonly RunRecord[], graceMs: number): boolean {
  const iso = at.toISOString();
  const t = at.getTime();
  return runs.some((run) => {
    if (run.trigger?.scheduledFor === iso) return true;
    const began = runBeganAt(run);
    return Number.isFinite(began) && began >= t - EARLY_TOLERANCE_MS && began <= t + graceMs;
  });
}

export interface MissedWindow {
  /** Only fire times after this count (the schedule's activation, or now - lookback). */
  since: Date;
  now: Date;
  graceMs: number;
}

/** Expected fire times in (since, now - grace] that no run answered. */
export function missedFireTimes(schedule: ScheduleTimes, runs: readonly RunRecord[], w: MissedWindow): Date[] {
  const until = new Date(w.now.getTime() - w.graceMs);
  if (until <= w.since) return [];
  return fireTimesBetween(schedule, w.since, until).filter((at) => !fireTimeAnswered(at, runs, w.graceMs));
}

/** A stable key for "the same schedule": a changed pattern or timezone restarts missed-run detection. */
export function scheduleKey(schedule: AgentSchedule): string {
  return JSON.stringify([schedule.crons, schedule.timezone]);
}
