// Today's pipeline status (generation → compliance → approval → distribution → engagement) for one business
// day: a pure function of the day's runs, the agent schedules and "now". Stages with no source say no_data.
import type { Cron } from 'croner';
import { parsedCron } from './schedule-times.js';
import type { AgentDefinition, RunStatus } from './types.js';

export const BUSINESS_TIMEZONE = 'Asia/Kolkata';
export const STAGE_NAMES = ['generation', 'compliance', 'approval', 'distribution', 'engagement'] as const;
export type StageName = (typeof STAGE_NAMES)[number];
export type StageState = 'no_data' | 'pending' | 'running' | 'done' | 'late' | 'failed';

export interface StageStatus {
  stage: StageName;
  state: StageState;
  /** Metric sums over the day's runs of the stage's agent; null when nothing fed the stage (not zeros). */
  counts: Record<string, number> | null;
  window: { startsAt: string; endsAt: string } | null;
  detail: string;
  agent: string | null;
  runs: number;
  lastRunId: string | null;
}

export interface OperationsToday {
  date: string;
  timezone: string;
  stages: StageStatus[];
  advisors: never[];
}

/** The fields of a run this computation reads (RunState and RunSummary both fit). */
export interface DayRun {
  runId: string;
  agent: string;
  status: RunStatus;
  startedAt: string | null;
  queuedAt: string | null;
  endedAt: string | null;
  metrics: Record<string, number>;
}

export type ScheduleSource = Pick<AgentDefinition, 'name' | 'parent' | 'schedule'>;

export interface OperationsInput {
  date: string; // YYYY-MM-DD in the business timezone
  now: number;
  runs: readonly DayRun[];
  definitions: readonly ScheduleSource[];
  timezone?: string;
  /** A scheduled stage whose run has not started this long after its fire time is late. */
  startGraceMinutes?: number;
  /** …and one still running this long after its fire time is late too. */
  finishWithinMinutes?: number;
}

const STAGE_SOURCES: ReadonlyArray<{ stage: StageName; agent: string | null; counts: string[] }> = [
  { stage: 'generation', agent: 'content-generator', counts: ['generated'] },
  { stage: 'compliance', agent: 'compliance-validator', counts: ['passed', 'failed'] },
  { stage: 'approval', agent: 'approval-guardian', counts: ['approved', 'rejected', 'pendingApproval'] },
  { stage: 'distribution', agent: 'distribution-manager', counts: ['delivered', 'failed', 'pending'] },
  { stage: 'engagement', agent: null, counts: [] },
];

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isBusinessDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

/** Offset (ms) of `timezone` from UTC at the instant `ms`. */
function zoneOffset(ms: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The business date (YYYY-MM-DD) of an instant. */
export function businessDate(ms: number, timezone = BUSINESS_TIMEZONE): string {
  return new Date(ms + zoneOffset(ms, timezone)).toISOString().slice(0, 10);
}

/** [start, end) of a business day as UTC ms. */
export function businessDayBounds(date: string, timezone = BUSINESS_TIMEZONE): { start: number; end: number } {
  const midnightAsUtc = Date.parse(`${date}T00:00:00Z`);
  const start = midnightAsUtc - zoneOffset(midnightAsUtc, timezone);
  const nextMidnightAsUtc = midnightAsUtc + 86_400_000;
  const end = nextMidnightAsUtc - zoneOffset(nextMidnightAsUtc, timezone);
  return { start, end };
}

function runStart(run: DayRun): number {
  return Date.parse(run.startedAt ?? run.queuedAt ?? '') || NaN;
}

/** The schedule that times a stage: its agent's own, else its nearest scheduled ancestor's (e.g. content-engine). */
function governingSchedule(agent: string, definitions: readonly ScheduleSource[]): { agent: string; crons: string[]; timezone: string } | null {
  const byName = new Map(definitions.map((d) => [d.name, d]));
  const seen = new Set<string>();
  for (let d = byName.get(agent); d && !seen.has(d.name); d = d.parent ? byName.get(d.parent) : undefined) {
    seen.add(d.name);
    if (d.schedule?.enabled && d.schedule.crons.length > 0) return { agent: d.name, crons: d.schedule.crons, timezone: d.schedule.timezone };
  }
  return null;
}

function firesWithin(crons: string[], timezone: string, start: number, end: number): number[] {
  const fires: number[] = [];
  for (const pattern of crons) {
    let cron: Cron;
    try {
      cron = parsedCron(pattern, timezone);
    } catch {
      continue; // a bad pattern is refused by the schedule editor; here it just times nothing
    }
    for (let next = cron.nextRun(new Date(start - 1)); next && next.getTime() < end; next = cron.nextRun(next)) fires.push(next.getTime());
  }
  return fires.sort((a, b) => a - b);
}

function clock(ms: number, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}

export function computeOperationsToday(input: OperationsInput): OperationsToday {
  const timezone = input.timezone ?? BUSINESS_TIMEZONE;
  const grace = (input.startGraceMinutes ?? 10) * 60_000;
  const finishWithin = (input.finishWithinMinutes ?? 120) * 60_000;
  const { start, end } = businessDayBounds(input.date, timezone);
  const now = Math.min(input.now, end); // a past day is judged as of its end
  const dayRuns = input.runs.filter((r) => {
    const t = runStart(r);
    return t >= start && t < end;
  });

  const stages = STAGE_SOURCES.map((source): StageStatus => {
    const base = { stage: source.stage, agent: source.agent, runs: 0, lastRunId: null };
    if (!source.agent) {
      return { ...base, state: 'no_data', counts: null, window: null, detail: 'No source feeds this stage yet (engagement arrives with the webhook integration).' };
    }
    const agent = source.agent;
    const runs = dayRuns.filter((r) => r.agent === agent).sort((a, b) => runStart(a) - runStart(b));
    const schedule = governingSchedule(agent, input.definitions);
    const fires = schedule ? firesWithin(schedule.crons, schedule.timezone, start, end) : [];
    const due = fires.filter((f) => f <= now).at(-1);
    const upcoming = fires.find((f) => f > now);
    const windowStart = due ?? upcoming;
    const window = windowStart === undefined ? null : { startsAt: new Date(windowStart).toISOString(), endsAt: new Date(windowStart + finishWithin).toISOString() };
    const at = (ms: number) => `${clock(ms, timezone)} (${schedule!.agent})`;

    if (runs.length === 0) {
      if (due !== undefined && now > due + grace) {
        return { ...base, state: 'late', counts: null, window, detail: `No ${agent} run has started since the ${at(due)} schedule.` };
      }
      if (windowStart !== undefined) {
        return { ...base, state: 'pending', counts: null, window, detail: `Waiting for the ${at(windowStart)} schedule.` };
      }
      return { ...base, state: 'no_data', counts: null, window: null, detail: `No ${agent} run on ${input.date}.` };
    }

    const counts: Record<string, number> = {};
    for (const name of source.counts) counts[name] = runs.reduce((sum, r) => sum + (r.metrics[name] ?? 0), 0);
    const last = runs.at(-1)!;
    const summary = { ...base, counts, window, runs: runs.length, lastRunId: last.runId };
    const open = runs.filter((r) => r.status === 'queued' || r.status === 'processing');
    if (due !== undefined && now > due + grace && !runs.some((r) => runStart(r) >= due - grace)) {
      return { ...summary, state: 'late', detail: `No ${agent} run has started since the ${at(due)} schedule.` };
    }
    if (open.length > 0) {
      if (due !== undefined && now > due + finishWithin && open.some((r) => runStart(r) <= due + finishWithin)) {
        return { ...summary, state: 'late', detail: `${agent} is still running ${Math.round((now - due) / 60_000)} min after the ${at(due)} schedule.` };
      }
      return { ...summary, state: 'running', detail: `${agent} is running (${open.length} open run${open.length === 1 ? '' : 's'}).` };
    }
    if (last.status === 'error' || last.status === 'crashed' || last.status === 'cancelled') {
      return { ...summary, state: 'failed', detail: `The last ${agent} run ended ${last.status === 'error' ? 'with an error' : last.status}.` };
    }
    return { ...summary, state: 'done', detail: `${runs.length} ${agent} run${runs.length === 1 ? '' : 's'} completed.` };
  });

  return { date: input.date, timezone, stages, advisors: [] };
}
