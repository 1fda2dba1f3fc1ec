// Runs agents on their cron schedules (croner jobs, timezone aware) and records missed runs: a fire time in
// the last 24 h that no run answered within the grace period (the dashboard was down, or the run never started).
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { Db } from '../../store/db.js';
import type { Journal } from '../../store/journal.js';
import { ApiError } from '../../http/api-error.js';
import type { AgentRegistry } from './agent-registry.js';
import type { Launcher } from './launcher.js';
import type { AgentDefinition, AgentSchedule } from './types.js';
import { missedFireTimes, nextFireTime, scheduleKey, type RunRecord } from './schedule-times.js';

export const SCHEDULE_STREAM = 'schedule-events';
/** db.settings key: when each enabled schedule (by pattern+timezone) became active, so a new schedule does
 *  not report the fire times before it existed as missed, while downtime of the dashboard still does. */
const ACTIVATION_KEY = 'agentScheduleActivation';
const LOOKBACK_MS = 24 * 3600_000;
/** How long recorded misses stay listed. */
const MISSED_KEEP_MS = 7 * 24 * 3600_000;

export interface MissedRun {
  agent: string;
  expectedAt: string;
  detectedAt: string;
  /** The dashboard was not running at the fire time, or it was and no run began in time. */
  reason: 'dashboard_down' | 'not_started';
}

export interface ScheduleView {
  agent: string;
  crons: string[];
  timezone: string;
  enabled: boolean;
  nextRunAt: string | null;
  lastRun: LastRun | null;
  missed: { expectedAt: string; reason: MissedRun['reason'] }[];
}

/** The last run with its outcome, as schedules list it. */
export type LastRun = Pick<RunRecord, 'runId' | 'status' | 'startedAt' | 'endedAt' | 'trigger'>;

function lastRunOf(run: RunRecord | undefined): LastRun | null {
  return run ? { runId: run.runId, status: run.status, startedAt: run.startedAt, endedAt: run.endedAt, trigger: run.trigger } : null;
}

export interface RunHistory {
  /** The agent's recent runs (at least the last 24 h), newest first. */
  listRecent(query: { agent: string }): readonly RunRecord[];
}

export interface SchedulerOptions {
  registry: Pick<AgentRegistry, 'list' | 'get' | 'onChange'>;
  launcher: Pick<Launcher, 'trigger'>;
  runs: RunHistory;
  db: Db;
  journal: Pick<Journal, 'append'>;
  /** Misses recorded by earlier gateway processes (journal), so a restart neither forgets nor repeats them. */
  readRecordedMissed?: (sinceIso: string) => Promise<MissedRun[]>;
  clock: Clock;
  logger: Logger;
  graceMs: number;
  scanIntervalMs?: number;
  /** false: plan no croner timers (tests call fire() themselves). */
  timers?: boolean;
}

type Activation = Record<string, { key: string; since: string }>;

export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #jobs: Cron[] = [];
  /** agent → expectedAt ISO → miss */
  readonly #missed = new Map<string, Map<string, MissedRun>>();
  #startedAt = 0;
  readonly #nextRuns = new Map<string, { key: string; from: number; at: number | null; iso: string | null }>();
  #scanTimer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #scanning: Promise<MissedRun[]> | null = null;
  /** Activation updates after definition changes, one after another. */
  #activating: Promise<void> = Promise.resolve();

  constructor(options: SchedulerOptions) {
    this.#o = options;
  }

  async start(): Promise<void> {
    this.#startedAt = this.#o.clock.now();
    const since = new Date(this.#startedAt - MISSED_KEEP_MS).toISOString();
    for (const miss of (await this.#o.readRecordedMissed?.(since).catch((err: unknown) => {
      this.#o.logger.warn({ err }, 'scheduler: could not read earlier missed runs');
      return [];
    })) ?? []) {
      this.#remember(miss);
    }
    await this.#syncActivation();
    this.#plan();
    this.#unsubscribe = this.#o.registry.onChange(() => {
      this.#plan();
      this.#activating = this.#activating
        .then(() => this.#syncActivation())
        .catch((err: unknown) => this.#o.logger.warn({ err }, 'scheduler: activation update failed'));
    });
    await this.scanMissed();
    this.#scanTimer = setInterval(() => void this.scanMissed(), this.#o.scanIntervalMs ?? 60_000);
    this.#scanTimer.unref();
  }

  stop(): void {
    clearInterval(this.#scanTimer);
    this.#unsubscribe?.();
    for (const job of this.#jobs.splice(0)) job.stop();
  }

  /** Resolves when the reaction to the latest definition change is stored. */
  settled(): Promise<void> {
    return this.#activating;
  }

  /** Number of live croner jobs (one per cron pattern of each enabled schedule). */
  jobCount(): number {
    return this.#jobs.length;
  }

  nextRunAt(agent: string): string | null {
    const schedule = this.#o.registry.get(agent)?.schedule;
    if (!schedule?.enabled) return null;
    // Every agents snapshot asks this for every agent; a timezone-aware next run costs ~0.1 ms, so it is kept
    // until it passes (or the schedule changes) instead of being worked out a thousand times on a reconnect wave.
    const now = this.#o.clock.now();
    const key = scheduleKey(schedule);
    const cached = this.#nextRuns.get(agent);
    if (cached && cached.key === key && cached.from <= now && (cached.at === null || now < cached.at)) return cached.iso;
    const next = nextFireTime(schedule, new Date(now));
    const entry = { key, from: now, at: next?.getTime() ?? null, iso: next?.toISOString() ?? null };
    this.#nextRuns.set(agent, entry);
    return entry.iso;
  }

  list(): ScheduleView[] {
    return this.#o.registry
      .list()
      .filter((a): a is AgentDefinition & { schedule: AgentSchedule } => a.schedule !== null)
      .map((a) => ({
        agent: a.name,
        crons: [...a.schedule.crons],
        timezone: a.schedule.timezone,
        enabled: a.schedule.enabled,
        nextRunAt: this.nextRunAt(a.name),
        lastRun: lastRunOf(this.#o.runs.listRecent({ agent: a.name })[0]),
        missed: this.missedOf(a.name).map(({ expectedAt, reason }) => ({ expectedAt, reason })),
      }));
  }

  /** Recorded misses of an agent in the last 7 days, newest first. */
  missedOf(agent: string): MissedRun[] {
    const cutoff = this.#o.clock.now() - MISSED_KEEP_MS;
    return [...(this.#missed.get(agent)?.values() ?? [])]
      .filter((m) => Date.parse(m.expectedAt) >= cutoff)
      .sort((a, b) => b.expectedAt.localeCompare(a.expectedAt));
  }

  /** What a croner job does at a fire time: launch the agent (if the dashboard can) and journal the outcome. */
  async fire(agent: string, scheduledFor: Date): Promise<void> {
    const def = this.#o.registry.get(agent);
    if (!def?.schedule?.enabled) return;
    const at = scheduledFor.toISOString();
    // An agent without a launch command runs on its own; its schedule only sets what "on time" means.
    if (!def.launch) return;
    try {
      const { runId } = await this.#o.launcher.trigger(agent, { kind: 'schedule', by: 'scheduler', scheduledFor: at });
      await this.#o.journal.append(SCHEDULE_STREAM, { type: 'schedule.fired', agent, scheduledFor: at, runId });
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 'launch_failed';
      this.#o.logger.warn({ err, agent, scheduledFor: at }, 'scheduler: scheduled run not started');
      await this.#o.journal
        .append(SCHEDULE_STREAM, { type: 'schedule.skipped', agent, scheduledFor: at, reason: code, message: (err as Error).message })
        .catch(() => undefined);
    }
  }

  /** Records fire times of the last 24 h that no run answered within the grace period; returns the new ones. */
  scanMissed(): Promise<MissedRun[]> {
    // One scan at a time: overlapping scans would record the same miss twice.
    this.#scanning ??= this.#scan().finally(() => (this.#scanning = null));
    return this.#scanning;
  }

  async #scan(): Promise<MissedRun[]> {
    const now = this.#o.clock.now();
    const activation = this.#activation();
    const found: MissedRun[] = [];
    for (const agent of this.#o.registry.list()) {
      const schedule = agent.schedule;
      const active = activation[agent.name];
      if (!schedule?.enabled || !active || active.key !== scheduleKey(schedule)) continue;
      const since = new Date(Math.max(now - LOOKBACK_MS, Date.parse(active.since)));
      const runs = this.#o.runs.listRecent({ agent: agent.name });
      for (const at of missedFireTimes(schedule, runs, { since, now: new Date(now), graceMs: this.#o.graceMs })) {
        const expectedAt = at.toISOString();
        if (this.#missed.get(agent.name)?.has(expectedAt)) continue;
        const miss: MissedRun = {
          agent: agent.name,
          expectedAt,
          detectedAt: new Date(now).toISOString(),
          reason: at.getTime() < this.#startedAt ? 'dashboard_down' : 'not_started',
        };
        try {
          await this.#o.journal.append(SCHEDULE_STREAM, { type: 'schedule.missed', ...miss });
          this.#remember(miss);
          found.push(miss);
        } catch (err) {
          this.#o.logger.warn({ err, miss }, 'scheduler: could not record a missed run');
        }
      }
    }
    return found;
  }

  #remember(miss: MissedRun): void {
    let byTime = this.#missed.get(miss.agent);
    if (!byTime) this.#missed.set(miss.agent, (byTime = new Map()));
    byTime.set(miss.expectedAt, miss);
  }

  #activation(): Activation {
    const stored = this.#o.db.read().settings[ACTIVATION_KEY];
    return typeof stored === 'object' && stored !== null ? (stored as Activation) : {};
  }

  /** New or changed enabled schedules become active now; disabled or removed ones are forgotten. */
  async #syncActivation(): Promise<void> {
    const current = this.#activation();
    const now = new Date(this.#o.clock.now()).toISOString();
    const next: Activation = {};
    for (const a of this.#o.registry.list()) {
      if (!a.schedule?.enabled) continue;
      const key = scheduleKey(a.schedule);
      next[a.name] = current[a.name]?.key === key ? current[a.name]! : { key, since: now };
    }
    if (JSON.stringify(next) === JSON.stringify(current)) return;
    await this.#o.db.update((d) => {
      d.settings[ACTIVATION_KEY] = next;
    });
  }

  #plan(): void {
    for (const job of this.#jobs.splice(0)) job.stop();
    if (this.#o.timers === false) return;
    for (const agent of this.#o.registry.list()) {
      const schedule = agent.schedule;
      if (!schedule?.enabled || !agent.launch) continue;
      for (const pattern of schedule.crons) {
        const job: Cron = new Cron(pattern, { timezone: schedule.timezone, protect: true, unref: true }, () => {
          // Croner fires at the planned minute; its currentRun is that planned time, not "a few ms later".
          const planned = job.currentRun() ?? new Date(Math.floor(Date.now() / 60_000) * 60_000);
          void this.fire(agent.name, planned);
        });
        this.#jobs.push(job);
      }
    }
  }
}
