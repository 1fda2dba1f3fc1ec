// Shared shapes of the agent pipeline: the ingest event (docs/api.md "Ingest"), a run's state as the reducer
// keeps it, the summary sent to clients, and an agent's definition as stored in lowdb.

export const EVENT_TYPES = [
  'run.started',
  'run.progress',
  'run.log',
  'run.metric',
  'run.completed',
  'run.failed',
  'run.cancelled',
  'run.heartbeat',
  // Written by the dashboard itself (heartbeat watchdog, launcher): a process died or went silent.
  'run.crashed',
] as const;
export type AgentEventType = (typeof EVENT_TYPES)[number];

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface AgentEvent {
  /** Idempotency key: the same id twice changes nothing. */
  id: string;
  type: AgentEventType;
  runId: string;
  agent: string;
  parentRunId?: string;
  /** Producer's per-run counter; orders events within a run (arrival order when absent). */
  seq?: number;
  /** Producer's clock (ISO-8601). */
  ts: string;
  progress?: { done: number; total: number; label?: string };
  level?: LogLevel;
  message?: string;
  /** Latest values (not increments): a later event's value replaces an earlier one. */
  metrics?: Record<string, number>;
  error?: { message: string; code?: string };
  /** Optional free-form trigger info on run.started. */
  trigger?: RunTrigger;
}

export const RUN_STATUSES = ['queued', 'processing', 'completed', 'error', 'cancelled', 'crashed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_STATUSES: readonly RunStatus[] = ['completed', 'error', 'cancelled', 'crashed'];

export interface RunTrigger {
  kind: 'manual' | 'schedule' | 'external' | 'parent';
  by?: string;
  scheduledFor?: string;
  params?: Record<string, unknown>;
}

export interface RunProgress {
  done: number;
  total: number;
  label?: string;
}

export interface RunState {
  runId: string;
  agent: string;
  parentRunId: string | null;
  status: RunStatus;
  /** A child failed while this run goes on. */
  degraded: boolean;
  queuedAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  /** Arrival time (dashboard clock) of the last event and of the last heartbeat-ish sign of life. */
  lastEventAt: string;
  lastHeartbeatAt: string;
  progress: RunProgress | null;
  /** Seq of the event that set the "latest" fields (progress, activity, metrics, open status). */
  lastSeq: number;
  /** Highest seq seen at all (for arrival-order events without seq). */
  maxSeq: number;
  activity: string | null;
  metrics: Record<string, number>;
  error: { message: string; code?: string } | null;
  logCount: number;
  /** Child run ids in order of first appearance. */
  children: string[];
  trigger: RunTrigger | null;
  /** Every applied event id: duplicates change nothing. */
  appliedIds: ReadonlySet<string>;
  /** Who started the run (run-writer.ts): only that writer may write it. Null or absent on runs recorded
   *  before owners were (those only the dashboard writes). Not part of RunSummary. */
  owner?: string | null;
  /** Seq of the event that set each "latest" field (run-reducer.ts keeps it; absent on states from
   *  elsewhere → every field counts as set at `lastSeq`). Not part of RunSummary. */
  fieldSeqs?: RunFieldSeqs;
}

/** Per-field ordering, so a late lower-seq event fills what nothing newer set and overrides nothing newer
 *  (the final state does not depend on arrival order). `start` is the LOWEST seq that set startedAt. */
export interface RunFieldSeqs {
  start: number;
  progress: number;
  activity: number;
  metrics: Record<string, number>;
}

/** What clients receive (no appliedIds, no owner). */
export type RunSummary = Omit<RunState, 'appliedIds' | 'owner'> & { durationMs: number | null };

/** A run with its descendants (run-tree.ts aggregateTree): progress summed over the subtree, degraded when a
 *  descendant is error|crashed while this run is still open. */
export interface RunTreeNode {
  run: RunSummary;
  progress: { done: number; total: number };
  degraded: boolean;
  children: RunTreeNode[];
}

/** One bar of a run's timeline (run-tree.ts timeline), depth-first from the root (depth 0). */
export interface RunTimelineEntry {
  runId: string;
  agent: string;
  status: RunStatus;
  startedAt: string | null;
  endedAt: string | null;
  depth: number;
}

export interface AgentLaunch {
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  timeoutSeconds: number;
  maxConcurrent: number;
}

export interface AgentSchedule {
  crons: string[];
  timezone: string;
  enabled: boolean;
}

export interface AgentDefinition {
  name: string;
  parent: string | null;
  description: string;
  launch: AgentLaunch | null;
  schedule: AgentSchedule | null;
  /** Seeded example agents are labelled as such in the UI. */
  example: boolean;
}
