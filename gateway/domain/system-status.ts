// The live status of the machine and its PM2 processes: samples on a timer, keeps the last hour for
// sparklines (rebuilt from the journal after a restart), polls PM2, and publishes changes to the hub.
import type { Clock } from '../clock.js';
import type { Journal } from '../store/journal.js';
import type { WorkerPool } from '../pool/worker-pool.js';
import type { SystemSample } from '../sources/system-metrics.js';
import type { Pm2Source, ProcessInfo } from '../sources/pm2-source.js';
import type { Logger } from 'pino';
import { ApiError } from '../http/api-error.js';
import { buildHealth, type HealthBody, type JournalHealth, type ProcessesState, type ServiceStatus } from './health-snapshot.js';
import type { StartupHealth } from './startup-report.js';
import type { OperationsToday } from './agents/operations-today.js';

export type Publish = (topic: 'status' | 'processes', type: string, data: unknown) => void;

/** How old the /api/health body may be when nothing it reports has said it changed (see healthBytes). */
export const HEALTH_MAX_AGE_MS = 1000;

export interface SystemStatusOptions {
  sampler: { sample(): Promise<SystemSample> };
  pm2: Pm2Source;
  journal: Journal;
  pool: WorkerPool;
  journalDir: string;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  historyMs?: number;
}

export class SystemStatus {
  #publish: Publish = () => {};
  #history: SystemSample[] = [];
  #processes: ProcessesState = { state: 'unknown', observedAt: null, processes: null };
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  // The serialised /api/health body, shared by every request for up to a second (it is the hottest route).
  #healthBytes: { body: Buffer; at: number } | null = null;
  #operations: (() => OperationsToday) | null = null;
  #webhook: (() => ServiceStatus) | null = null;
  #startup: (() => { journal: JournalHealth; startup: StartupHealth }) | null = null;
  readonly #historyMs: number;

  constructor(private readonly o: SystemStatusOptions) {
    this.#historyMs = o.historyMs ?? 60 * 60_000;
  }

  setPublisher(publish: Publish): void {
    this.#publish = publish;
  }

  /** Today's pipeline stages for the `operations` field (agent runs + schedules). */
  setOperationsSource(source: () => OperationsToday): void {
    this.#operations = source;
  }

  /** The webhook connector's entry of `services` (docs/webhook.md). */
  setWebhookSource(source: () => ServiceStatus): void {
    this.#webhook = source;
    this.#healthBytes = null;
  }

  /** The `journal` and `startup` entries: lines set aside, and parts that could not start. */
  setStartupSource(source: () => { journal: JournalHealth; startup: StartupHealth }): void {
    this.#startup = source;
    this.#healthBytes = null;
  }

  /** The next /api/health is built afresh (something it reports changed outside this class). */
  invalidateHealth(): void {
    this.#healthBytes = null;
  }

  async start(): Promise<void> {
    await this.#restoreHistory().catch((err: unknown) => this.o.logger.warn({ err }, 'could not restore metric history'));
    this.#running = true;
    await this.tick();
    this.#timer = setInterval(() => void this.tick(), this.o.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One sampling round: system sample and PM2 list, in parallel. */
  async tick(): Promise<void> {
    await Promise.all([this.#sampleSystem(), this.refreshProcesses()]);
    this.#publish('status', 'health', this.health());
  }

  async refreshProcesses(): Promise<ProcessesState> {
    const observedAt = new Date(this.o.clock.now()).toISOString();
    try {
      const processes = await this.o.pm2.list();
      this.#processes = { state: 'up', observedAt, processes };
    } catch (err) {
      const detail = err instanceof ApiError ? err.message : String(err);
      // Keep the last list for context, but say plainly that PM2 is not answering.
      this.#processes = { state: 'down', observedAt, processes: null, error: detail, lastKnown: this.#processes.processes ?? this.#processes.lastKnown ?? null };
    }
    this.#healthBytes = null;
    this.#publish('processes', 'processes', this.#processes);
    return this.#processes;
  }

  processes(): ProcessesState {
    return this.#processes;
  }

  latest(): SystemSample | null {
    return this.#history.at(-1) ?? null;
  }

  history(minutes = 60): SystemSample[] {
    const since = this.o.clock.now() - minutes * 60_000;
    return this.#history.filter((s) => Date.parse(s.ts) >= since);
  }

  /**
   * The /api/health body as UTF-8 JSON bytes, one Buffer shared by every caller until it is rebuilt: after a
   * system sample, a PM2 poll or an invalidateHealth() at once, and otherwise once it is HEALTH_MAX_AGE_MS old
   * (what is read when it is built, today's operations and the webhook state, is at most that old). The body
   * is the same for every caller allowed to read it: it holds nothing about who asks.
   */
  healthBytes(): Buffer {
    const now = this.o.clock.now();
    if (!this.#healthBytes || now - this.#healthBytes.at >= HEALTH_MAX_AGE_MS || now < this.#healthBytes.at) {
      this.#healthBytes = { body: Buffer.from(JSON.stringify(this.health())), at: now };
    }
    return this.#healthBytes.body;
  }

  health(): HealthBody {
    return buildHealth({
      now: this.o.clock.now(),
      intervalMs: this.o.intervalMs,
      latest: this.latest(),
      processes: this.#processes,
      operations: this.#operationsNow(),
      webhook: this.#webhook?.() ?? null,
      ...(this.#startup ? this.#startup() : {}),
    });
  }

  #operationsNow(): OperationsToday | null {
    if (!this.#operations) return null;
    try {
      return this.#operations();
    } catch (err) {
      this.o.logger.warn({ err }, 'operations status failed'); // the rest of /api/health still answers
      return null;
    }
  }

  /** Tells the hub what a new subscriber needs first. */
  snapshot(topic: 'status' | 'processes'): unknown {
    return topic === 'status' ? { ...this.health(), history: this.history(60) } : this.#processes;
  }

  async #sampleSystem(): Promise<void> {
    try {
      const sample = await this.o.sampler.sample();
      this.#history.push(sample);
      this.#healthBytes = null;
      const cutoff = this.o.clock.now() - this.#historyMs;
      while (this.#history.length && Date.parse(this.#history[0]!.ts) < cutoff) this.#history.shift();
      void this.o.journal.append('metrics', { kind: 'system', ...sample }).catch((err: unknown) => this.o.logger.warn({ err }, 'metric sample not journalled'));
      if (this.#running) this.#publish('status', 'system.sample', sample);
    } catch (err) {
      this.o.logger.warn({ err }, 'system sample failed');
    }
  }

  async #restoreHistory(): Promise<void> {
    const from = new Date(this.o.clock.now() - this.#historyMs).toISOString();
    let cursor: string | undefined;
    const restored: SystemSample[] = [];
    for (let page = 0; page < 20; page++) {
      const res = await this.o.pool.run<{ items: Array<SystemSample & { kind?: string }>; nextCursor: string | null }>('journal-read', {
        dir: this.o.journalDir,
        query: { stream: 'metrics', order: 'asc', from, limit: 500, cursor, match: { kind: 'system' } },
      });
      for (const { kind: _kind, ...s } of res.items) restored.push(s as SystemSample);
      if (!res.nextCursor) break;
      cursor = res.nextCursor;
    }
    this.#history = restored;
  }
}

export type { ProcessInfo };
