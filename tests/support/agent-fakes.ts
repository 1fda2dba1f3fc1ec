// Test doubles for the agent launcher: a run sink that validates and folds events through the real reducer
// (what RunService does, minus the journal), an in-memory token service, and pid helpers for process trees.
import { validateEvent } from '../../gateway/domain/agents/event-schema.js';
import { applyEvent, crashEvent, isTerminal, linkChild } from '../../gateway/domain/agents/run-reducer.js';
import type { IngestOutcome, RunSink } from '../../gateway/domain/agents/launch-output.js';
import type { RunWriter } from '../../gateway/domain/agents/run-writer.js';
import type { AgentEvent, RunState } from '../../gateway/domain/agents/types.js';
import { isZombie } from '../../gateway/domain/agents/process-tree.js';
import type { PublicToken } from '../../gateway/domain/api-token-service.js';

export class MemoryRunSink implements RunSink {
  readonly runs = new Map<string, RunState>();
  readonly events: AgentEvent[] = [];
  readonly writers: RunWriter[] = [];
  #waiters: { predicate: () => boolean; resolve: () => void }[] = [];

  async ingest(items: unknown[], writer: RunWriter): Promise<IngestOutcome> {
    const outcome: IngestOutcome = { accepted: 0, duplicates: 0, rejected: [] };
    items.forEach((item, index) => {
      const checked = validateEvent(item);
      if (!checked.ok) return void outcome.rejected.push({ index, error: checked.error });
      if (this.#apply(checked.event)) outcome.accepted++;
      else outcome.duplicates++;
    });
    this.writers.push(writer);
    this.#wake();
    return outcome;
  }

  async crash(runId: string, reason: string): Promise<boolean> {
    const run = this.runs.get(runId);
    if (!run || isTerminal(run.status)) return false;
    this.#apply(crashEvent(run, reason, new Date().toISOString()));
    this.#wake();
    return true;
  }

  get(runId: string): RunState | undefined {
    return this.runs.get(runId);
  }

  openRuns(): RunState[] {
    return [...this.runs.values()].filter((r) => !isTerminal(r.status));
  }

  logsOf(runId: string): AgentEvent[] {
    return this.events.filter((e) => e.runId === runId && e.type === 'run.log');
  }

  /** Resolves once the predicate holds (checked after every ingest). */
  waitFor(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ predicate, resolve }));
  }

  #apply(event: AgentEvent): boolean {
    const before = this.runs.get(event.runId);
    const after = applyEvent(before, event, new Date().toISOString());
    if (after === before) return false;
    this.runs.set(event.runId, after);
    this.events.push(event);
    const parent = event.parentRunId ? this.runs.get(event.parentRunId) : undefined;
    if (parent) this.runs.set(parent.runId, linkChild(parent, event.runId));
    return true;
  }

  #wake(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.predicate()) return true;
      w.resolve();
      return false;
    });
  }
}

export class MemoryTokens {
  readonly tokens = new Map<string, PublicToken & { secret: string }>();
  readonly revoked: string[] = [];
  #n = 0;

  async create(input: { name: string; scope: 'api' | 'ingest'; role: 'viewer' | 'operator' | 'admin'; expiresAt?: string }, createdBy: string) {
    const id = `tok${++this.#n}`;
    const record = { id, name: input.name, scope: input.scope, role: input.role, prefix: 'x', createdAt: new Date().toISOString(), createdBy, secret: `secret-${id}` };
    this.tokens.set(id, record);
    return { id, token: record.secret, record };
  }

  async revoke(id: string): Promise<void> {
    this.tokens.delete(id);
    this.revoked.push(id);
  }

  list(): PublicToken[] {
    return [...this.tokens.values()];
  }
}

/** True when the pid no longer names a live process (a zombie waiting to be reaped counts as gone). */
export function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  return isZombie(pid);
}
