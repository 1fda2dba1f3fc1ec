// The fold of journalled events into the set of runs (parent links, degraded ancestors, eviction of old
// finished runs) — used by live ingest AND by the restart replay in a worker, so both give the same state —
// and recoverRuns(), which has the worker rebuild the runs from the snapshot plus the journal after it.
import { applyEvent, isTerminal } from './run-reducer.js';
import { restoreIds } from './applied-ids.js';
import type { AgentEvent, RunState } from './types.js';
import type { WorkerPool } from '../../pool/worker-pool.js';

export const AGENT_EVENTS_STREAM = 'agent-events';
export const MAX_FINISHED_RUNS = 2000;
// Eviction scans every run: do it once per this many extra runs, not on every event.
const TRIM_SLACK = 200;

/** One journal line of the agent-events stream. */
export interface AgentJournalLine {
  ts: string;
  event: AgentEvent;
  /** The writer's owner id (run-writer.ts); it becomes the owner of a run this line creates. */
  owner?: string;
}

export interface SortKey {
  t: number;
  r: string;
}

/** Runs sort newest first by start (queued time before any start), then by id. */
export function sortKeyOf(run: Pick<RunState, 'startedAt' | 'queuedAt' | 'runId'>): SortKey {
  const t = Date.parse(run.startedAt ?? run.queuedAt ?? '');
  return { t: Number.isFinite(t) ? t : 0, r: run.runId };
}

/** Negative when `a` comes first (is newer). */
export function compareKeys(a: SortKey, b: SortKey): number {
  return b.t - a.t || (a.r < b.r ? 1 : a.r > b.r ? -1 : 0);
}

export class RunFold {
  readonly runs = new Map<string, RunState>();
  /** Children seen before their parent: parentRunId → child ids, linked when the parent appears. */
  readonly #orphans = new Map<string, string[]>();
  readonly #maxFinished: number;
  #trimAt: number;
  #evicted = 0;
  #horizon: SortKey | null;

  constructor(maxFinished = MAX_FINISHED_RUNS, initial: Iterable<RunState> = [], horizon: SortKey | null = null) {
    this.#maxFinished = maxFinished;
    this.#horizon = horizon;
    for (const run of initial) this.runs.set(run.runId, run);
    for (const run of this.runs.values()) {
      if (run.parentRunId && !this.runs.has(run.parentRunId)) this.#addOrphan(run.parentRunId, run.runId);
    }
    this.#trimAt = this.runs.size + maxFinished + TRIM_SLACK;
  }

  /** How many finished runs were dropped from memory so far (older runs are then only in the journal). */
  get evicted(): number {
    return this.#evicted;
  }

  /** The newest sort key of any dropped run: above it, memory holds every run there is. */
  get horizon(): SortKey | null {
    return this.#horizon;
  }

  /**
   * Applies one event (`owner`: who wrote it, the owner of a run it creates). Returns the runs that changed
   * (the event's run first, then any parent that gained a child or turned degraded), or [] for a duplicate.
   */
  apply(event: AgentEvent, receivedAt: string, owner: string | null = null): RunState[] {
    const prev = this.runs.get(event.runId);
    const next = applyEvent(prev, event, receivedAt, owner);
    if (next === prev) return [];
    this.runs.set(next.runId, next);
    const changed: RunState[] = [next];
    if (!prev) this.#adoptOrphans(next, changed);
    if (next.parentRunId && next.parentRunId !== prev?.parentRunId) this.#linkToParent(next, changed);
    const failedNow = (next.status === 'error' || next.status === 'crashed') && prev?.status !== next.status;
    if (failedNow) this.#degradeAncestors(next, changed);
    return changed;
  }

  /** Drops the oldest finished runs beyond maxFinished (by end time); open runs always stay. */
  trim(): void {
    if (this.runs.size < this.#trimAt) return;
    const finished: RunState[] = [];
    for (const run of this.runs.values()) if (isTerminal(run.status)) finished.push(run);
    const excess = finished.length - this.#maxFinished;
    if (excess > 0) {
      finished.sort((a, b) => endKey(a) - endKey(b));
      for (let i = 0; i < excess; i++) {
        const run = finished[i]!;
        this.runs.delete(run.runId);
        const key = sortKeyOf(run);
        if (!this.#horizon || compareKeys(key, this.#horizon) < 0) this.#horizon = key;
      }
      this.#evicted += excess;
    }
    this.#trimAt = this.runs.size + TRIM_SLACK;
  }

  #addOrphan(parentId: string, childId: string): void {
    const list = this.#orphans.get(parentId);
    if (list) list.push(childId);
    else this.#orphans.set(parentId, [childId]);
  }

  #linkToParent(child: RunState, changed: RunState[]): void {
    const parentId = child.parentRunId!;
    const parent = this.runs.get(parentId);
    if (!parent) return this.#addOrphan(parentId, child.runId);
    // A child hangs only under a run of the same owner: nobody grafts runs onto another producer's tree.
    if (!sameOwner(parent, child) || parent.children.includes(child.runId)) return;
    let updated: RunState = { ...parent, children: [...parent.children, child.runId] };
    if ((child.status === 'error' || child.status === 'crashed') && !isTerminal(updated.status)) updated = { ...updated, degraded: true };
    this.runs.set(parentId, updated);
    changed.push(updated);
  }

  #adoptOrphans(parent: RunState, changed: RunState[]): void {
    const ids = this.#orphans.get(parent.runId);
    if (!ids) return;
    this.#orphans.delete(parent.runId);
    const adopted = ids.filter((id) => {
      const child = this.runs.get(id);
      return child !== undefined && sameOwner(parent, child);
    });
    if (adopted.length === 0) return;
    const children = [...parent.children];
    for (const id of adopted) if (!children.includes(id)) children.push(id);
    const degraded = adopted.some((id) => {
      const s = this.runs.get(id)?.status;
      return s === 'error' || s === 'crashed';
    });
    const updated: RunState = { ...parent, children, degraded: parent.degraded || (degraded && !isTerminal(parent.status)) };
    this.runs.set(parent.runId, updated);
    changed[0] = updated;
  }

  // A failed descendant marks every still-open ancestor degraded; it does not end them.
  #degradeAncestors(run: RunState, changed: RunState[]): void {
    const seen = new Set<string>([run.runId]);
    for (let id = run.parentRunId; id && !seen.has(id); ) {
      seen.add(id);
      const ancestor = this.runs.get(id);
      if (!ancestor || !sameOwner(ancestor, run)) return;
      if (!ancestor.degraded && !isTerminal(ancestor.status)) {
        const updated = { ...ancestor, degraded: true };
        this.runs.set(id, updated);
        const at = changed.findIndex((r) => r.runId === id);
        if (at >= 0) changed[at] = updated;
        else changed.push(updated);
      }
      id = ancestor.parentRunId;
    }
  }
}

function sameOwner(a: RunState, b: RunState): boolean {
  return (a.owner ?? null) === (b.owner ?? null);
}

function endKey(run: RunState): number {
  const t = Date.parse(run.endedAt ?? run.lastEventAt);
  return Number.isFinite(t) ? t : 0;
}

/** Worker results carry appliedIds as a native Set; give them back the shared-map form the reducer extends. */
export function reviveRun(run: RunState): RunState {
  return { ...run, owner: run.owner ?? null, appliedIds: restoreIds(run.appliedIds) };
}

export interface ReplayResult {
  runs: RunState[];
  /** receivedAt of the last journal line applied (the snapshot or the replay), null when there was none. */
  journalTs: string | null;
  snapshotRuns: number;
  replayedEvents: number;
  evicted: number;
  horizon: SortKey | null;
  problems: string[];
}

export interface RecoverOptions {
  pool: WorkerPool;
  journalDir: string;
  snapshotFile: string;
  maxFinished?: number;
  timeoutMs?: number;
}

/** Rebuilds the run states in the worker pool (workers/agent-replay.ts) through the same reducer and fold. */
export async function recoverRuns(o: RecoverOptions): Promise<ReplayResult> {
  const result = await o.pool.run<ReplayResult>(
    'agent-replay',
    { mode: 'recover', journalDir: o.journalDir, snapshotFile: o.snapshotFile, maxFinished: o.maxFinished ?? MAX_FINISHED_RUNS },
    { timeoutMs: o.timeoutMs },
  );
  return { ...result, runs: result.runs.map(reviveRun) };
}
