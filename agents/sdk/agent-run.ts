// The agent author's handle on one run: start, progress, log, metrics, heartbeat, finish/fail, and child runs.
// Every event gets a unique id when it is created, so however often a batch is retried it counts once.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AgentEvent, LogLevel, RunTrigger } from '../../gateway/domain/agents/types.js';
import { HttpTransport, StdoutTransport, type EventTransport, type HttpTransportOptions } from './transport.js';

export interface AgentRunOptions {
  agent: string;
  /** Dashboard base URL and an ingest token; without both, events go to stdout as JSON lines. */
  url?: string;
  token?: string;
  /** Given by the dashboard (RUN_ID) when it launched the process; a new id otherwise. */
  runId?: string;
  parentRunId?: string;
  /** Share one transport between runs (child() does); default: built from url/token. */
  transport?: EventTransport;
  http?: Partial<Omit<HttpTransportOptions, 'url' | 'token'>>;
  /** Automatic heartbeat period after start(); 0 turns it off. Default 15 s. */
  heartbeatMs?: number;
  /**
   * For a run another process drives (a child process given this runId): events carry no seq, so the
   * dashboard orders them by arrival instead of mixing two producers' counters.
   */
  observer?: boolean;
  now?: () => Date;
}

export interface AgentRun {
  readonly runId: string;
  readonly agent: string;
  readonly parentRunId: string | undefined;
  start(message?: string, trigger?: RunTrigger): void;
  progress(done: number, total: number, label?: string): void;
  log(message: string, level?: LogLevel): void;
  /** Sets metrics to these values now (metrics are latest values, not increments). */
  metric(values: Record<string, number>): void;
  /** Adds to a running total, sent with the next progress/log/finish (or flush); returns the total. */
  count(name: string, by?: number): number;
  heartbeat(): void;
  finish(message?: string): Promise<void>;
  fail(error: unknown, code?: string): Promise<void>;
  cancelled(message?: string): Promise<void>;
  flush(): Promise<void>;
  /** A run whose parent is this one; it shares this run's transport. */
  child(agent: string, options?: { runId?: string; observer?: boolean }): AgentRun;
  /** Flushes and stops the heartbeat and the transport (call once, at the end of the process). */
  close(): Promise<void>;
}

export function createAgentRun(options: AgentRunOptions): AgentRun {
  const transport =
    options.transport ??
    (options.url && options.token ? new HttpTransport({ ...options.http, url: options.url, token: options.token }) : new StdoutTransport());
  return new Run(options, transport);
}

/** Reads DASHBOARD_INGEST_URL, DASHBOARD_INGEST_TOKEN, RUN_ID and PARENT_RUN_ID, as the dashboard sets them. */
export function createAgentRunFromEnv(agent: string, env: NodeJS.ProcessEnv = process.env, extra: Partial<AgentRunOptions> = {}): AgentRun {
  return createAgentRun({
    agent,
    url: env.DASHBOARD_INGEST_URL || undefined,
    token: env.DASHBOARD_INGEST_TOKEN || undefined,
    runId: env.RUN_ID || undefined,
    parentRunId: env.PARENT_RUN_ID || undefined,
    ...extra,
  });
}

class Run implements AgentRun {
  readonly runId: string;
  readonly agent: string;
  readonly parentRunId: string | undefined;
  /** Makes ids unique per handle: a parent's observer handle and the child process may share a runId. */
  readonly #nonce = randomBytes(4).toString('hex');
  readonly #counts = new Map<string, number>();
  readonly #dirty = new Set<string>();
  #seq = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #ended = false;

  constructor(
    private readonly o: AgentRunOptions,
    private readonly transport: EventTransport,
  ) {
    this.runId = o.runId ?? randomUUID();
    this.agent = o.agent;
    this.parentRunId = o.parentRunId;
  }

  start(message?: string, trigger?: RunTrigger): void {
    this.#send('run.started', { ...(message ? { message } : {}), ...(trigger ? { trigger } : {}) });
    const every = this.o.heartbeatMs ?? 15_000;
    if (every > 0 && !this.#heartbeat) {
      this.#heartbeat = setInterval(() => this.heartbeat(), every);
      // A forgotten finish() must not keep the process alive.
      this.#heartbeat.unref();
    }
  }

  progress(done: number, total: number, label?: string): void {
    this.#send('run.progress', { progress: label === undefined ? { done, total } : { done, total, label } }, true);
  }

  log(message: string, level: LogLevel = 'info'): void {
    this.#send('run.log', { message, level }, true);
  }

  metric(values: Record<string, number>): void {
    this.#send('run.metric', { metrics: { ...this.#takeDirty(), ...values } });
  }

  count(name: string, by = 1): number {
    const total = (this.#counts.get(name) ?? 0) + by;
    this.#counts.set(name, total);
    this.#dirty.add(name);
    return total;
  }

  heartbeat(): void {
    if (!this.#ended) this.#send('run.heartbeat', {});
  }

  async finish(message?: string): Promise<void> {
    await this.#end('run.completed', message ? { message } : {});
  }

  async fail(error: unknown, code?: string): Promise<void> {
    const text = error instanceof Error ? error.message : String(error);
    await this.#end('run.failed', { error: { message: text || 'failed', ...(code ? { code } : {}) } });
  }

  async cancelled(message?: string): Promise<void> {
    await this.#end('run.cancelled', message ? { message } : {});
  }

  async flush(): Promise<void> {
    if (this.#dirty.size > 0) this.#send('run.metric', {}, true);
    await this.transport.flush();
  }

  child(agent: string, options: { runId?: string; observer?: boolean } = {}): AgentRun {
    return new Run({ ...this.o, agent, parentRunId: this.runId, runId: options.runId, observer: options.observer ?? false }, this.transport);
  }

  async close(): Promise<void> {
    this.#stopHeartbeat();
    if (this.#dirty.size > 0) this.#send('run.metric', {}, true);
    await this.transport.close();
  }

  async #end(type: AgentEvent['type'], fields: Partial<AgentEvent>): Promise<void> {
    this.#stopHeartbeat();
    this.#send(type, fields, true);
    this.#ended = true;
    await this.transport.flush();
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  #takeDirty(): Record<string, number> {
    const metrics: Record<string, number> = {};
    for (const name of this.#dirty) metrics[name] = this.#counts.get(name)!;
    this.#dirty.clear();
    return metrics;
  }

  #send(type: AgentEvent['type'], fields: Partial<AgentEvent>, withCounts = false): void {
    const seq = ++this.#seq;
    const counts = withCounts ? this.#takeDirty() : {};
    const metrics = { ...counts, ...fields.metrics };
    this.transport.send({
      id: `${this.runId}:${this.#nonce}:${seq}`,
      type,
      runId: this.runId,
      agent: this.agent,
      ...(this.parentRunId ? { parentRunId: this.parentRunId } : {}),
      ...(this.o.observer ? {} : { seq }),
      ts: (this.o.now?.() ?? new Date()).toISOString(),
      ...fields,
      ...(Object.keys(metrics).length > 0 ? { metrics } : {}),
    });
  }
}
