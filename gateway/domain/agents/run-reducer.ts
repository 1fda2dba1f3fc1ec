// The run state machine as a pure fold: applyEvent(state, event) → state. Live ingest, the launcher and the
// restart replay all go through it, so a run's state depends only on its events, never on arrival timing.
import { AppliedIds, SealedIds, restoreIds } from './applied-ids.js';
import type { AgentEvent, AgentEventType, RunFieldSeqs, RunState, RunStatus, RunSummary } from './types.js';
import { TERMINAL_STATUSES } from './types.js';

/** Events that show the run is doing work: they move a queued run to processing. */
const STARTING_TYPES: ReadonlySet<AgentEventType> = new Set(['run.started', 'run.progress', 'run.log', 'run.metric']);

const TERMINAL_BY_TYPE: Partial<Record<AgentEventType, RunStatus>> = {
  'run.completed': 'completed',
  'run.failed': 'error',
  'run.cancelled': 'cancelled',
  'run.crashed': 'crashed',
};

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * The state after `event`; never mutates `state`. A duplicate id returns `state` itself (===).
 * "Latest" fields (progress, activity, each metric, startedAt) follow the event seq per field, so a late
 * lower-seq event fills what nothing newer set but overrides nothing newer. Terminal statuses are sticky:
 * the first terminal event ends the run whatever its seq; afterwards status, endedAt, progress and error stay,
 * while logs and metrics still accumulate.
 */
export function applyEvent(state: RunState | undefined, event: AgentEvent, receivedAt: string, owner: string | null = null): RunState {
  if (state?.appliedIds.has(event.id)) return state;
  if (state && state.runId !== event.runId) {
    throw new RangeError(`event ${event.id} of run ${event.runId} applied to run ${state.runId}`);
  }
  // The owner is fixed by the event that creates the run (its journal line says who wrote it).
  const base = state ?? newRun(event, receivedAt, owner);
  // Without a producer seq, arrival order decides: the event counts as newer than everything so far.
  const seq = event.seq ?? base.maxSeq + 1;
  const seqs: RunFieldSeqs = { ...fieldSeqsOf(base) };
  const next: RunState = {
    ...base,
    appliedIds: restoreIds(base.appliedIds).with(event.id),
    fieldSeqs: seqs,
    lastEventAt: receivedAt,
    maxSeq: Math.max(base.maxSeq, seq),
  };
  if (next.parentRunId === null && event.parentRunId) next.parentRunId = event.parentRunId;
  // The earliest producer time seen, so the value does not depend on which event happened to arrive first.
  if (next.queuedAt === null || Date.parse(event.ts) < Date.parse(next.queuedAt)) next.queuedAt = event.ts;
  if (event.type === 'run.heartbeat') {
    next.lastHeartbeatAt = receivedAt;
    return next;
  }
  if (next.trigger === null && event.trigger) next.trigger = event.trigger;

  const endedBefore = isTerminal(base.status);
  let setLatest = false;
  if (STARTING_TYPES.has(event.type)) {
    if (!endedBefore && next.status === 'queued') {
      next.status = 'processing';
      setLatest = true;
    }
    // The earliest sign of work (by seq) is the start; run.started is normally that event.
    if (next.startedAt === null || seq < seqs.start) {
      next.startedAt = event.ts;
      seqs.start = seq;
    }
  }
  if (event.progress && !endedBefore && seq > seqs.progress) {
    const { done, total, label } = event.progress;
    next.progress = label === undefined ? { done, total } : { done, total, label };
    seqs.progress = seq;
    setLatest = true;
  }
  const activity = event.type === 'run.log' ? event.message : endedBefore ? undefined : event.progress?.label;
  if (activity !== undefined && seq > seqs.activity) {
    next.activity = activity;
    seqs.activity = seq;
    setLatest = true;
  }
  if (event.metrics && applyMetrics(next, seqs, event.metrics, seq)) setLatest = true;
  if (event.type === 'run.log') next.logCount = base.logCount + 1;

  const terminal = TERMINAL_BY_TYPE[event.type];
  if (terminal && !endedBefore) {
    endRun(next, terminal, event);
    // Late logs and metrics still count, so duplicates must still be recognised, but compactly (applied-ids.ts).
    next.appliedIds = SealedIds.seal(next.appliedIds);
    setLatest = true;
  }
  if (setLatest) next.lastSeq = Math.max(base.lastSeq, seq);
  return next;
}

/** The event the dashboard journals when a run's process died or went silent (id `crash:<runId>`), so that
 *  replaying the journal crashes the run exactly as markCrashed did. */
export function crashEvent(state: RunState, reason: string, at: string): AgentEvent {
  return {
    id: `crash:${state.runId}`,
    type: 'run.crashed',
    runId: state.runId,
    agent: state.agent,
    ts: at,
    error: { message: reason, code: 'crashed' },
  };
}

/** An open run → crashed at `at`; a finished run is returned unchanged (===). */
export function markCrashed(state: RunState, reason: string, at: string): RunState {
  if (isTerminal(state.status)) return state;
  return applyEvent(state, crashEvent(state, reason, at), at);
}

/** Adds a child run id (caller-maintained, in order of first appearance); the same object when present. */
export function linkChild(parent: RunState, childRunId: string): RunState {
  if (parent.children.includes(childRunId)) return parent;
  return { ...parent, children: [...parent.children, childRunId] };
}

/** What clients see: no id set, no per-field seqs, no owner, plus the duration once the run has ended. */
export function summarize(state: RunState): RunSummary {
  const { appliedIds: _ids, fieldSeqs: _seqs, owner: _owner, ...visible } = state;
  let durationMs: number | null = null;
  if (state.startedAt !== null && state.endedAt !== null) {
    durationMs = Math.max(0, Date.parse(state.endedAt) - Date.parse(state.startedAt));
    if (!Number.isFinite(durationMs)) durationMs = null;
  }
  return { ...visible, children: [...state.children], metrics: { ...state.metrics }, durationMs };
}

/** A copy safe for postMessage/structured clone (worker results): appliedIds as a native Set (or sealed data). */
export function plainRunState(state: RunState): RunState {
  const ids = state.appliedIds;
  // A sealed set travels as its stored form; restoreIds (run-recovery.ts reviveRun) turns either back.
  return { ...state, appliedIds: ids instanceof SealedIds ? (ids.toJSON() as unknown as ReadonlySet<string>) : new Set(ids) };
}

function newRun(event: AgentEvent, receivedAt: string, owner: string | null): RunState {
  return {
    runId: event.runId,
    owner,
    agent: event.agent,
    parentRunId: null,
    status: 'queued',
    degraded: false,
    queuedAt: event.ts,
    startedAt: null,
    endedAt: null,
    lastEventAt: receivedAt,
    lastHeartbeatAt: receivedAt, // the first event is the first sign of life, whatever its type
    progress: null,
    lastSeq: -1,
    maxSeq: -1,
    activity: null,
    metrics: {},
    error: null,
    logCount: 0,
    children: [],
    trigger: null,
    appliedIds: AppliedIds.empty(),
    fieldSeqs: { start: -1, progress: -1, activity: -1, metrics: {} },
  };
}

// A state from elsewhere (e.g. an older snapshot) without per-field seqs: everything counts as set at lastSeq.
function fieldSeqsOf(state: RunState): RunFieldSeqs {
  if (state.fieldSeqs) return state.fieldSeqs;
  const metrics: Record<string, number> = {};
  for (const name of Object.keys(state.metrics)) metrics[name] = state.lastSeq;
  return { start: -1, progress: state.lastSeq, activity: state.lastSeq, metrics };
}

function applyMetrics(next: RunState, seqs: RunFieldSeqs, metrics: Record<string, number>, seq: number): boolean {
  let values: Record<string, number> | undefined;
  let metricSeqs: Record<string, number> | undefined;
  for (const [name, value] of Object.entries(metrics)) {
    const setAt = Object.hasOwn(seqs.metrics, name) ? seqs.metrics[name]! : undefined;
    if (setAt !== undefined && seq <= setAt) continue;
    values ??= { ...next.metrics };
    metricSeqs ??= { ...seqs.metrics };
    values[name] = value;
    metricSeqs[name] = seq;
  }
  if (!values || !metricSeqs) return false;
  next.metrics = values;
  seqs.metrics = metricSeqs;
  return true;
}

function endRun(next: RunState, status: RunStatus, event: AgentEvent): void {
  next.status = status;
  next.endedAt = event.ts;
  if (status === 'completed' && next.progress) {
    next.progress = { ...next.progress, done: next.progress.total };
  }
  if (status === 'error' || status === 'crashed') {
    const fallback = status === 'error' ? 'Run failed' : 'Run crashed';
    next.error = event.error ? { ...event.error } : { message: event.message ?? fallback };
  }
}
