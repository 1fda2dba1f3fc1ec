// Shared by the ingest benchmarks: an ingest token minted as admin, realistic agent events with per-run seq,
// and the size of the agent-events journal stream.
import fs from 'node:fs';
import path from 'node:path';
import type { AgentEvent } from '../../gateway/domain/agents/types.js';

/** Rate limits raised for the ingest benchmarks (the limiter still runs on every request). */
export const INGEST_BENCH_ENV = {
  RATE_LIMIT_PER_MINUTE: '100000000',
  INGEST_RATE_LIMIT_PER_MINUTE: '100000000',
  METRICS_INTERVAL_SECONDS: '5',
} as const;

export const RAISED_LIMITS_NOTE = `RATE_LIMIT_PER_MINUTE and INGEST_RATE_LIMIT_PER_MINUTE raised to ${INGEST_BENCH_ENV.INGEST_RATE_LIMIT_PER_MINUTE} (the limiter still runs on every request)`;

/** Creates a token with scope 'ingest' through the admin API (cookie session + CSRF token + Origin). */
export async function createIngestToken(base: string, cookie: string, name = 'bench-ingest'): Promise<string> {
  const me = await fetch(`${base}/api/auth/me`, { headers: { cookie } });
  const { csrfToken } = (await me.json()) as { csrfToken: string | null };
  if (!csrfToken) throw new Error('no CSRF token from /api/auth/me');
  const res = await fetch(`${base}/api/tokens`, {
    method: 'POST',
    headers: { cookie, origin: base, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify({ name, scope: 'ingest' }),
  });
  if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Bytes of the `agent-events` journal stream under a gateway's data directory. */
export function agentJournalBytes(dataDir: string): number {
  const dir = path.join(dataDir, 'journal', 'agent-events');
  if (!fs.existsSync(dir)) return 0;
  let bytes = 0;
  for (const f of fs.readdirSync(dir)) bytes += fs.statSync(path.join(dir, f)).size;
  return bytes;
}

const AGENTS = ['content-generator', 'compliance-validator', 'distribution-manager', 'approval-guardian'];

/** One producer-side run: hands out events with a rising per-run seq, like the agent SDK would. */
export class BenchRun {
  seq = 0;
  done = 0;
  readonly agent: string;
  constructor(
    readonly runId: string,
    index: number,
    readonly total: number,
  ) {
    this.agent = AGENTS[index % AGENTS.length]!;
  }

  #base(type: AgentEvent['type']): AgentEvent {
    const seq = ++this.seq;
    return { id: `${this.runId}:${seq}`, type, runId: this.runId, agent: this.agent, seq, ts: new Date().toISOString() };
  }

  started(): AgentEvent {
    return { ...this.#base('run.started'), trigger: { kind: 'external', by: 'bench' } };
  }

  progress(): AgentEvent {
    this.done = Math.min(this.total, this.done + 1);
    return { ...this.#base('run.progress'), progress: { done: this.done, total: this.total, label: `advisor ${this.done}` } };
  }

  log(): AgentEvent {
    return { ...this.#base('run.log'), level: 'info', message: `processed advisor ${this.done} of ${this.total}: drafted 3 posts, 2 passed compliance` };
  }

  metric(): AgentEvent {
    return { ...this.#base('run.metric'), metrics: { apiCalls: this.seq * 3, tokens: this.seq * 1250 } };
  }

  /** The realistic mix after run.started: half progress, a third logs, the rest metrics. */
  next(): AgentEvent {
    const r = this.seq % 6;
    return r < 3 ? this.progress() : r < 5 ? this.log() : this.metric();
  }

  /** Completing a run shows its progress as full (run-reducer endRun), so the final state is done = total. */
  completed(): AgentEvent {
    this.done = this.total;
    return { ...this.#base('run.completed'), progress: { done: this.total, total: this.total } };
  }
}

export interface IngestReply {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; error: string }>;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const round1 = (n: number) => Math.round(n * 10) / 10;
