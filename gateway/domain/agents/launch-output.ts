// The process protocol of launched agents: their environment, their stdout (a JSON line whose `type` is a run
// event is an event, runId/agent/id/ts filled in; anything else a log) and the ordered hand-off to the run service.
import type { AgentEvent, AgentLaunch, LogLevel, RunState } from './types.js';
import { EVENT_TYPES } from './types.js';
import { MAX_DOCUMENT_DEPTH, tooDeep } from '../../json-limits.js';
import type { RunWriter } from './run-writer.js';

/** Log lines longer than this are cut (the ingest schema allows 8 KiB per message; 4 bytes a char at worst). */
const MAX_LINE_CHARS = 2000;

/** Of the gateway's environment only these reach an agent: secrets (session secret, admin password) do not. */
const PASSED_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'SHELL', 'NODE_ENV'];

/** A launched agent's environment: the harmless part of the gateway's, the definition's, then the run's own. */
export function launchEnv(base: NodeJS.ProcessEnv, spec: AgentLaunch, runVars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of PASSED_ENV) if (base[key] !== undefined) env[key] = base[key];
  return Object.assign(env, spec.env, runVars);
}

export interface IngestOutcome {
  accepted: number;
  duplicates: number;
  rejected: { index: number; error: string; code?: string }[];
}

/** What the launcher needs from the run service (gateway/domain/agents/run-service.ts implements it). */
export interface RunSink {
  ingest(events: unknown[], writer: RunWriter): Promise<IngestOutcome>;
  get(runId: string): RunState | undefined;
  openRuns(): Iterable<Pick<RunState, 'runId' | 'agent'>>;
  /** Journals the dashboard's own run.crashed for an open run (a producer may not send that type). */
  crash(runId: string, reason: string): Promise<boolean>;
}

export interface LineContext {
  runId: string;
  agent: string;
  now: () => string;
  /** Ids of the launcher's own events: `<runId>:launcher:<n>`. */
  nextId: () => string;
  /** Ids for stdout events that came without one: `<runId>:stdout:<line>`. */
  stdoutId: () => string;
}

const PRODUCER_TYPES = new Set<string>(EVENT_TYPES.filter((t) => t !== 'run.crashed'));

function clip(text: string): string {
  return text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}… (${text.length - MAX_LINE_CHARS} more characters)` : text;
}

export function logEvent(ctx: LineContext, level: LogLevel, message: string): AgentEvent {
  return { id: ctx.nextId(), type: 'run.log', runId: ctx.runId, agent: ctx.agent, ts: ctx.now(), level, message: clip(message) };
}

/** What one stdout line is: a run event, an event refused before validation (with why), or nothing. */
export type StdoutLine = { event: AgentEvent } | { refused: string } | null;

/** One stdout line → an event (plain lines become info logs), a refused event, or nothing (blank line). */
export function parseStdoutLine(line: string, ctx: LineContext): StdoutLine {
  const trimmed = line.trim();
  if (trimmed === '') return null;
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      parsed = undefined;
    }
    // Structured logs of other libraries (pino, bunyan) are JSON too; only run events have a run.* type.
    if (typeof parsed === 'object' && parsed !== null && PRODUCER_TYPES.has(String((parsed as { type?: unknown }).type))) {
      // Refused whole, before anything walks or copies it (its free-form params have tighter limits in the schema).
      if (tooDeep(parsed, MAX_DOCUMENT_DEPTH)) return { refused: `the line nests deeper than ${MAX_DOCUMENT_DEPTH} levels` };
      const fields = parsed as Partial<AgentEvent> & Record<string, unknown>;
      const runId = typeof fields.runId === 'string' ? fields.runId : ctx.runId;
      // The agent name is known only for the launched run; a child run's line must name its agent itself.
      const agent = typeof fields.agent === 'string' ? fields.agent : runId === ctx.runId ? ctx.agent : undefined;
      const event = {
        ...fields,
        id: typeof fields.id === 'string' ? fields.id : ctx.stdoutId(),
        runId,
        ...(agent === undefined ? {} : { agent }),
        ts: typeof fields.ts === 'string' ? fields.ts : ctx.now(),
      } as AgentEvent;
      return { event };
    }
  }
  return { event: logEvent(ctx, 'info', line) };
}

/**
 * Feeds events to the run service strictly in order, one batch in flight: lines that arrive while a batch is
 * being journalled form the next batch (natural group commit under load, one event per batch when idle). An
 * event pushed with another writer (the dashboard's own start of the run) goes in a batch of its own kind.
 */
export class OrderedIngest {
  readonly #pending: { event: AgentEvent; writer: RunWriter }[] = [];
  #draining: Promise<void> | null = null;

  constructor(
    private readonly sink: RunSink,
    private readonly writer: RunWriter,
    private readonly onRejected: (event: AgentEvent, error: string) => void,
    private readonly onFailure: (err: unknown) => void,
    private readonly maxBatch = 500,
  ) {}

  get backlog(): number {
    return this.#pending.length;
  }

  push(...events: AgentEvent[]): void {
    this.pushAs(this.writer, ...events);
  }

  pushAs(writer: RunWriter, ...events: AgentEvent[]): void {
    for (const event of events) this.#pending.push({ event, writer });
    this.#draining ??= this.#drain();
  }

  /** Resolves once everything pushed so far is journalled (or refused). */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const writer = this.#pending[0]!.writer;
        let size = 1;
        while (size < this.maxBatch && size < this.#pending.length && this.#pending[size]!.writer === writer) size++;
        const batch = this.#pending.splice(0, size).map((p) => p.event);
        try {
          const outcome = await this.sink.ingest(batch, writer);
          for (const r of outcome.rejected) {
            const event = batch[r.index];
            if (event) this.onRejected(event, r.error);
          }
        } catch (err) {
          this.onFailure(err);
        }
      }
    } finally {
      this.#draining = null;
    }
  }
}
