// Holds the live run states (open runs + the most recent finished ones): validates and journals ingested
// events, applies and publishes them once they are in the journal file and acknowledges them once fsync'd,
// keeps per-run log rings, publishes coalesced `run` frames and keyed `run.log` frames, crashes silent runs,
// and snapshots for fast restarts.
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { Journal, StagedAppend } from '../../store/journal.js';
import type { WorkerPool } from '../../pool/worker-pool.js';
import { ApiError } from '../../http/api-error.js';
import { crashEvent, isTerminal, summarize } from './run-reducer.js';
import { validateEvent } from './event-schema.js';
import { RunFold, AGENT_EVENTS_STREAM, MAX_FINISHED_RUNS, recoverRuns, compareKeys, sortKeyOf, type ReplayResult, type SortKey } from './run-recovery.js';
import type { ScheduleSource } from './operations-today.js';
import { RunLogBuffer, type RunLogLine } from './run-log-buffer.js';
import { storeRun, writeSnapshot } from './run-snapshot.js';
import { RunFrameCoalescer } from './run-frame-coalescer.js';
import type { AgentEvent, RunState, RunSummary } from './types.js';
import { RunOwners, RUN_NOT_YOURS, ownershipProblem, stampTrigger, type RunWriter } from './run-writer.js';

export const MAX_INGEST_BATCH = 1000;
// Events remembered as applied-but-not-fsync'd (only an fsync failure adds one).
const MAX_NOT_DURABLE = 100_000;
// Rings of finished runs beyond this many are dropped (their lines are still in the journal).
const MAX_FINISHED_LOG_RINGS = 200;

export type RunPublish = (topic: 'agents' | 'logs', type: string, data: unknown, opts?: { key?: string; immediate?: boolean }) => void;

export interface RunServiceOptions {
  journal: Journal;
  journalDir: string;
  pool: WorkerPool;
  clock: Clock;
  logger: Logger;
  snapshotFile: string;
  heartbeatTimeoutMs: number;
  snapshotIntervalMs: number;
  watchdogIntervalMs?: number;
  maxFinished?: number;
  coalesceMs?: number;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  /** `code`: invalid_event (the item breaks the schema) or run_not_yours (run-writer.ts). */
  rejected: Array<{ index: number; error: string; code: string }>;
}

export interface AgentsSnapshot {
  agents: unknown[];
  openRuns: RunSummary[];
}

const idKey = (runId: string, id: string) => `${runId}\u0000${id}`;

export class RunService {
  #fold: RunFold;
  readonly #logs = new Map<string, RunLogBuffer>();
  readonly #finishedRings: string[] = [];
  /** Events applied whose fsync failed: a retry journals them again (without applying them again) and only then
   *  counts as accepted, so no acknowledged event skipped its fsync. */
  readonly #notDurable = new Set<string>();
  /** Events being journalled right now: a second copy arriving meanwhile is a duplicate too. */
  readonly #inFlight = new Set<string>();
  /** Owners of held runs and of runs that in-flight batches create. */
  readonly #owners = new RunOwners((runId) => this.#fold.runs.get(runId));
  readonly #listeners = new Set<(run: RunState) => void>();
  readonly #coalescer: RunFrameCoalescer;
  #publish: RunPublish = () => {};
  #agentsView: () => unknown[] = () => [];
  #definitions: () => readonly ScheduleSource[] = () => [];
  #lastReceivedMs = 0;
  #journalTs: string | null = null;
  #dirty = false;
  #snapshotting: Promise<void> = Promise.resolve();
  #timers: NodeJS.Timeout[] = [];
  #recovery: Omit<ReplayResult, 'runs'> | null = null;
  // Ingest waits for recovery: applying to a half-rebuilt set would break dedupe and ordering.
  #ready = false;
  #readyGate: { promise: Promise<void>; resolve(): void; reject(err: unknown): void };

  constructor(private readonly o: RunServiceOptions) {
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => undefined); // observed by ingest calls, if any
    this.#readyGate = { promise, resolve, reject };
    this.#fold = new RunFold(o.maxFinished ?? MAX_FINISHED_RUNS);
    // Already rate-limited and batched on the coalescer's beat: no need to wait for the hub's tick too.
    this.#coalescer = new RunFrameCoalescer((run) => this.#publish('agents', 'run', summarize(run), { immediate: true }), o.coalesceMs ?? 250);
  }

  setPublisher(publish: RunPublish): void {
    this.#publish = publish;
  }

  /** Hook for the agent registry: the `agents` list of the live snapshot (as GET /api/agents). */
  setAgentsView(view: () => unknown[]): void {
    this.#agentsView = view;
  }

  /** Called with every changed run state (after it is durable); returns an unsubscribe function. */
  onChange(listener: (run: RunState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Rebuilds the runs (snapshot + journal replay in the pool), crashes silent runs, starts the timers. */
  async start(): Promise<void> {
    let replay: ReplayResult;
    try {
      replay = await recoverRuns({ pool: this.o.pool, journalDir: this.o.journalDir, snapshotFile: this.o.snapshotFile, maxFinished: this.o.maxFinished });
    } catch (err) {
      this.#readyGate.reject(new ApiError(503, 'runs_unavailable', 'Agent runs could not be rebuilt from the journal; see the server log.'));
      throw err;
    }
    const { runs, ...recovery } = replay;
    this.#recovery = recovery;
    for (const problem of recovery.problems) this.o.logger.warn({ problem }, 'agent runs: snapshot not used');
    this.#fold = new RunFold(this.o.maxFinished ?? MAX_FINISHED_RUNS, runs, recovery.horizon);
    this.#journalTs = recovery.journalTs;
    this.#lastReceivedMs = recovery.journalTs ? Date.parse(recovery.journalTs) : 0;
    this.#ready = true;
    this.#readyGate.resolve();
    await this.checkHeartbeats();
    const every = (ms: number, fn: () => Promise<unknown>, what: string) => {
      const timer = setInterval(() => void fn().catch((err: unknown) => this.o.logger.warn({ err }, what)), ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(this.o.watchdogIntervalMs ?? Math.min(5000, this.o.heartbeatTimeoutMs / 4), () => this.checkHeartbeats(), 'heartbeat watchdog failed');
    every(this.o.snapshotIntervalMs, () => this.snapshot(), 'run snapshot failed');
  }

  /** What recovery found at start (for logs and tests). */
  get recovery(): Omit<ReplayResult, 'runs'> | null {
    return this.#recovery;
  }

  /**
   * Validates each item and checks that `writer` may write its run (run-writer.ts), journals the accepted ones
   * in one append, applies and publishes them once written, answers once durable.
   */
  async ingest(items: unknown, writer: RunWriter): Promise<IngestResult> {
    if (!Array.isArray(items)) throw new ApiError(400, 'validation_failed', 'The body must be {"events": [...]}.', [{ field: 'events', problem: 'must be an array' }]);
    if (items.length > MAX_INGEST_BATCH) {
      throw new ApiError(413, 'batch_too_large', `A batch holds at most ${MAX_INGEST_BATCH} events; this one has ${items.length}.`, { max: MAX_INGEST_BATCH, got: items.length });
    }
    if (!this.#ready) await this.#readyGate.promise;
    const rejected: IngestResult['rejected'] = [];
    const accepted: AgentEvent[] = [];
    const rewrites: AgentEvent[] = [];
    const keys: string[] = [];
    const created = new Set<string>();
    let duplicates = 0;
    for (let index = 0; index < items.length; index++) {
      const checked = validateEvent(items[index]);
      if (!checked.ok) {
        rejected.push({ index, error: checked.error, code: 'invalid_event' });
        continue;
      }
      const problem = ownershipProblem(writer, checked.event, this.#owners);
      if (problem) {
        rejected.push({ index, error: problem, code: RUN_NOT_YOURS });
        continue;
      }
      const event = stampTrigger(writer, checked.event);
      const key = idKey(event.runId, event.id);
      if (this.#inFlight.has(key)) {
        duplicates++;
        continue;
      }
      if (this.#notDurable.has(key)) {
        // Applied before, but its fsync failed: journal it again (it is not applied twice).
        this.#inFlight.add(key);
        keys.push(key);
        rewrites.push(event);
        continue;
      }
      if (this.#fold.runs.get(event.runId)?.appliedIds.has(event.id)) {
        duplicates++;
        continue;
      }
      if (!this.#fold.runs.has(event.runId) && !created.has(event.runId)) {
        this.#owners.claim(event.runId, writer.owner);
        created.add(event.runId);
      }
      this.#inFlight.add(key); // also catches a repeat later in this same batch
      keys.push(key);
      accepted.push(event);
    }
    try {
      const applied = await this.#commit(accepted, keys, writer.owner, rewrites);
      return { accepted: applied + rewrites.length, duplicates: duplicates + accepted.length - applied, rejected };
    } finally {
      this.#owners.release(created);
    }
  }

  /** Journals a crash for an open run (process died, heartbeats stopped); false when it had already ended. */
  async crash(runId: string, reason: string): Promise<boolean> {
    if (!this.#ready) await this.#readyGate.promise;
    const run = this.#fold.runs.get(runId);
    if (!run || isTerminal(run.status)) return false;
    const event = crashEvent(run, reason, this.#receivedAt());
    const key = idKey(runId, event.id);
    if (this.#inFlight.has(key)) return false;
    this.#inFlight.add(key);
    return (await this.#commit([event], [key], null)) === 1;
  }

  /** Crashes every open run with no sign of life for heartbeatTimeoutMs (by the injected clock). */
  async checkHeartbeats(): Promise<string[]> {
    const now = this.o.clock.now();
    const silent: string[] = [];
    for (const run of this.#fold.runs.values()) {
      if (isTerminal(run.status)) continue;
      const lastSign = Math.max(Date.parse(run.lastHeartbeatAt), Date.parse(run.lastEventAt));
      if (now - lastSign > this.o.heartbeatTimeoutMs) silent.push(run.runId);
    }
    const seconds = Math.round(this.o.heartbeatTimeoutMs / 1000);
    const crashed = await Promise.all(silent.map((id) => this.crash(id, `No heartbeat or event for more than ${seconds} s`)));
    return silent.filter((_, i) => crashed[i]);
  }

  /** For the read side (run-queries.ts): history beyond memory is folded from the journal in the pool. */
  get pool(): WorkerPool {
    return this.o.pool;
  }

  get journalDir(): string {
    return this.o.journalDir;
  }

  get(runId: string): RunState | undefined {
    return this.#fold.runs.get(runId);
  }

  /** Every run held in memory (read-only view). */
  runs(): ReadonlyMap<string, RunState> {
    return this.#fold.runs;
  }

  /** Newest sort key of a run dropped from memory (null: memory holds every run): older history is in the journal. */
  get horizon(): SortKey | null {
    return this.#fold.horizon;
  }

  openRuns(): RunState[] {
    const open: RunState[] = [];
    for (const run of this.#fold.runs.values()) if (!isTerminal(run.status)) open.push(run);
    return open;
  }

  /** An agent's runs held in memory, newest first (the scheduler's "last run" and missed-run checks). */
  listRecent(query: { agent: string }): RunState[] {
    const runs: RunState[] = [];
    for (const run of this.#fold.runs.values()) if (run.agent === query.agent) runs.push(run);
    return runs.sort((a, b) => compareKeys(sortKeyOf(a), sortKeyOf(b)));
  }

  /** Hook for the agent registry: schedules, for today's operation status. */
  setDefinitions(list: () => readonly ScheduleSource[]): void {
    this.#definitions = list;
  }

  definitions(): readonly ScheduleSource[] {
    return this.#definitions();
  }

  /** The `agents` topic snapshot: the agent list (from the registry hook) and every open run. */
  agentsSnapshot(): AgentsSnapshot {
    return { agents: this.#agentsView(), openRuns: this.openRuns().map(summarize) };
  }

  /** Log lines after `after` from the run's memory ring; null when the ring does not reach back that far. */
  logsFromMemory(runId: string, after: number, limit: number): { lines: RunLogLine[]; hasMore: boolean } | null {
    const run = this.#fold.runs.get(runId);
    if (run && after >= run.logCount) return { lines: [], hasMore: false };
    return this.#logs.get(runId)?.after(after, limit) ?? null;
  }

  /** Writes the snapshot (atomically) when something changed since the last one. */
  snapshot(force = false): Promise<void> {
    const next = this.#snapshotting.then(async () => {
      if (!this.#dirty && !force) return;
      this.#dirty = false;
      // Taken synchronously: every run reflects exactly the events up to #journalTs.
      const data = { version: 1 as const, writtenAt: new Date(this.o.clock.now()).toISOString(), journalTs: this.#journalTs, horizon: this.#fold.horizon, runs: [...this.#fold.runs.values()].map(storeRun) };
      try {
        // Events are applied once written, before their fsync: let the fsync of every event counted above run
        // before the snapshot is written.
        await this.o.journal.flush();
        await writeSnapshot(this.o.snapshotFile, data);
      } catch (err) {
        this.#dirty = true;
        throw err;
      }
    });
    this.#snapshotting = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    this.#coalescer.flush();
    this.#coalescer.stop();
    await this.snapshot().catch((err: unknown) => this.o.logger.warn({ err }, 'final run snapshot failed'));
  }

  // Journal time never goes backwards, so replay from a snapshot's journalTs misses nothing.
  #receivedAt(): string {
    this.#lastReceivedMs = Math.max(this.o.clock.now(), this.#lastReceivedMs);
    return new Date(this.#lastReceivedMs).toISOString();
  }

  /**
   * Events are applied (and so shown) once they are written to the journal file, which a crash of the gateway
   * keeps; they are acknowledged once fsync'd, which a power loss keeps too. If the fsync fails the producer gets
   * 503 and retries; the events it already saw applied are then duplicates by id and change nothing.
   */
  async #commit(events: AgentEvent[], keys: string[], owner: string | null, rewrites: AgentEvent[] = []): Promise<number> {
    if (events.length === 0 && rewrites.length === 0) return 0;
    const receivedAt = this.#receivedAt();
    try {
      let staged: StagedAppend;
      try {
        // The owner goes on each line: replay gives a run the owner of the line that created it.
        const line = owner === null ? (event: AgentEvent) => ({ ts: receivedAt, event }) : (event: AgentEvent) => ({ ts: receivedAt, event, owner });
        staged = this.o.journal.appendStaged(AGENT_EVENTS_STREAM, [...rewrites, ...events].map(line));
        await staged.written;
      } catch (err) {
        this.o.logger.error({ err, owner }, 'agent events not journalled');
        throw new ApiError(503, 'journal_unavailable', 'The events could not be stored durably; nothing was accepted. Retry later.');
      }
      let applied = 0;
      for (const event of events) if (this.#apply(event, receivedAt, owner)) applied++;
      this.#journalTs = receivedAt;
      this.#dirty = true;
      this.#fold.trim();
      this.#dropEvictedRings();
      try {
        await staged.durable;
      } catch (err) {
        this.o.logger.error({ err, owner }, 'agent events written but not fsync\'d');
        for (const event of [...rewrites, ...events]) this.#markNotDurable(idKey(event.runId, event.id));
        throw new ApiError(503, 'journal_unavailable', 'The events could not be confirmed durable. Retry them: they are shown already and will not be applied twice.');
      }
      for (const event of rewrites) this.#notDurable.delete(idKey(event.runId, event.id));
      return applied;
    } finally {
      for (const key of keys) this.#inFlight.delete(key);
    }
  }

  #markNotDurable(key: string): void {
    this.#notDurable.add(key);
    // Only fsync failures add here; a disk that keeps failing must not grow memory without bound.
    if (this.#notDurable.size > MAX_NOT_DURABLE) this.#notDurable.delete(this.#notDurable.values().next().value!);
  }

  #apply(event: AgentEvent, receivedAt: string, owner: string | null): boolean {
    const changed = this.#fold.apply(event, receivedAt, owner);
    if (changed.length === 0) return false;
    const run = changed[0]!;
    if (event.type === 'run.log') this.#log(run, { seq: run.logCount, ts: event.ts, level: event.level ?? 'info', message: event.message ?? '' });
    if (isTerminal(run.status) && !this.#finishedRings.includes(run.runId) && this.#logs.has(run.runId)) this.#finishedRings.push(run.runId);
    for (const state of changed) {
      this.#coalescer.update(state);
      for (const listener of this.#listeners) {
        try {
          listener(state);
        } catch (err) {
          this.o.logger.warn({ err }, 'run change listener failed'); // a listener must not undo a durable event
        }
      }
    }
    return true;
  }

  #log(run: RunState, line: RunLogLine): void {
    let ring = this.#logs.get(run.runId);
    if (!ring) this.#logs.set(run.runId, (ring = new RunLogBuffer()));
    ring.push(line);
    this.#publish('logs', 'run.log', { runId: run.runId, ...line }, { key: run.runId });
  }

  #dropEvictedRings(): void {
    while (this.#finishedRings.length > MAX_FINISHED_LOG_RINGS) this.#logs.delete(this.#finishedRings.shift()!);
    if (this.#logs.size > this.#fold.runs.size) {
      for (const runId of this.#logs.keys()) if (!this.#fold.runs.has(runId)) this.#logs.delete(runId);
    }
  }
}
