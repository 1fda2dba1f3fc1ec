// Who writes run events and which runs they may write. Every run records the owner that started it; a writer
// writes only runs of its own owner, adds child runs only under them, and the trigger (attribution) of a run a
// producer starts is set here from the writer, never taken from the event.
import type { Principal } from '../../auth/principal.js';
import type { AgentEvent, RunState, RunTrigger } from './types.js';

export interface RunWriter {
  /** Recorded as the owner of the runs it starts: `launch:<runId>`, `token:<id>` or `user:<name>`. */
  owner: string;
  /** Shown as trigger.by on the top-level runs it starts. */
  name: string;
  /** May start top-level runs; a launch writes only its launched run and child runs below it. */
  startsRuns: boolean;
  /** The dashboard's own start of a launched run: its trigger (manual by whom, schedule) stands. */
  keepsTrigger?: boolean;
}

export const RUN_NOT_YOURS = 'run_not_yours';

/** The writer of a launched run and of everything its process tree reports (stdout or its launch token). */
export function launchWriter(runId: string): RunWriter {
  return { owner: `launch:${runId}`, name: `launch:${runId}`, startsRuns: false };
}

/**
 * The writer behind an ingest request. A launch token writes as its launch; any other ingest or API token and
 * any session (operator and up) is a producer of its own: it may start runs and writes only those.
 */
export function principalWriter(principal: Principal, launchOfToken: (tokenId: string) => string | undefined): RunWriter {
  const launchRunId = principal.tokenId ? launchOfToken(principal.tokenId) : undefined;
  if (launchRunId !== undefined) return launchWriter(launchRunId);
  return { owner: principal.id, name: principal.username, startsRuns: true };
}

export interface OwnerLookup {
  /** The owner of a run held now or being created by a batch in flight; undefined when unknown. */
  ownerOf(runId: string): string | null | undefined;
}

/**
 * Why `writer` may not write `event`, or null when it may. A run it did not start is not its (runs recorded
 * before owners existed included); a new run or a new parent link must hang under a run of its own — or under
 * a run not seen yet (events of several processes may arrive out of order), which the fold links only when
 * the parent turns out to have the same owner.
 */
export function ownershipProblem(writer: RunWriter, event: AgentEvent, runs: OwnerLookup): string | null {
  const owner = runs.ownerOf(event.runId);
  if (owner !== undefined && owner !== writer.owner) {
    return `run "${event.runId}" was started by another producer; a token or session writes only the runs it started`;
  }
  const parent = event.parentRunId;
  if (parent !== undefined) {
    const parentOwner = runs.ownerOf(parent);
    if (parentOwner !== undefined && parentOwner !== writer.owner) {
      return `parent run "${parent}" was started by another producer; child runs go only under runs of the same token or session`;
    }
  } else if (owner === undefined && !writer.startsRuns) {
    return `a launch token may write only its launched run and child runs under it (give parentRunId); "${event.runId}" is neither`;
  }
  return null;
}

/**
 * The event as it is journalled: every run.started carries the server's attribution (external by the writer, or
 * parent when the event names one), keeping only the producer's params; other events lose any trigger. A pure
 * function of writer and event, so a retried event is journalled exactly as the first time.
 */
export function stampTrigger(writer: RunWriter, event: AgentEvent): AgentEvent {
  if (writer.keepsTrigger || (event.type !== 'run.started' && event.trigger === undefined)) return event;
  const { trigger: sent, ...rest } = event;
  if (event.type !== 'run.started') return rest;
  const trigger: RunTrigger = event.parentRunId !== undefined ? { kind: 'parent' } : { kind: 'external', by: writer.name };
  if (sent?.params) trigger.params = sent.params;
  return { ...rest, trigger };
}

/**
 * Who owns each run: the recorded owner of a run held now, else the writer of an in-flight batch creating it
 * (not applied yet), so two writers racing cannot both create one run.
 */
export class RunOwners implements OwnerLookup {
  readonly #pending = new Map<string, { owner: string; batches: number }>();

  constructor(private readonly held: (runId: string) => Pick<RunState, 'owner'> | undefined) {}

  ownerOf(runId: string): string | null | undefined {
    const run = this.held(runId);
    return run ? ownerOfRun(run) : this.#pending.get(runId)?.owner;
  }

  /** Held until release, also when another in-flight batch of the same writer holds it too. */
  claim(runId: string, owner: string): void {
    const claim = this.#pending.get(runId);
    if (claim) claim.batches++;
    else this.#pending.set(runId, { owner, batches: 1 });
  }

  release(runIds: Iterable<string>): void {
    for (const runId of runIds) {
      const claim = this.#pending.get(runId);
      if (claim && --claim.batches === 0) this.#pending.delete(runId);
    }
  }
}

/** A run's owner as recorded (null for runs journalled before owners were recorded). */
export function ownerOfRun(run: Pick<RunState, 'owner'>): string | null {
  return run.owner ?? null;
}
