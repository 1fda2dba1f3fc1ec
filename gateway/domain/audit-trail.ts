// The audit trail: who did what, to what, from where, with which outcome — appended to the journal,
// read back newest first through the worker pool (reading segment files is not event-loop work).
// Refused anonymous requests are summed per IP, action and reason a minute (audit-refusals.ts).
import type { Journal } from '../store/journal.js';
import type { WorkerPool } from '../pool/worker-pool.js';
import type { Clock } from '../clock.js';
import { RefusalAggregator } from './audit-refusals.js';

export interface AuditEntry {
  ts?: string;
  actor: string;
  action: string;
  target?: string;
  outcome: 'ok' | 'denied' | 'failed';
  status: number;
  ip: string;
  userAgent?: string;
  detail?: string;
  /** Summed refusals of anonymous callers: how many this line stands for (1 on a bucket's first line). */
  count?: number;
  /** On a summed line after the first: when the first and the last of the refusals it counts came. */
  firstAt?: string;
  lastAt?: string;
  /** On a summed line: the distinct targets its refusals named (at most 10), when more than one. */
  targets?: string[];
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  since?: string;
  limit: number;
  cursor?: string;
}

export class AuditTrail {
  private readonly refusals: RefusalAggregator;

  constructor(
    private readonly journal: Journal,
    private readonly pool: WorkerPool,
    private readonly journalDir: string,
    clock: Clock,
    onError: (err: unknown) => void,
  ) {
    this.refusals = new RefusalAggregator({
      clock,
      write: (entries) => this.journal.appendMany('audit', entries.map((e) => ({ ...e }))),
      onError,
    });
  }

  record(entry: AuditEntry): Promise<unknown> {
    return this.journal.append('audit', { ...entry });
  }

  /** A refused request of an anonymous caller: summed with its like (same IP, action and reason) a minute. */
  recordAnonymousRefusal(entry: AuditEntry): Promise<unknown> {
    return this.refusals.record(entry);
  }

  /** Writes the refusals summed so far and stops summing (shutdown). */
  close(): Promise<void> {
    return this.refusals.close();
  }

  async query(q: AuditQuery, signal?: AbortSignal): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    // Counts summed so far are written first, so the answer is up to date.
    await this.refusals.flush();
    await this.journal.flush();
    const match: Record<string, string> = {};
    if (q.actor) match.actor = q.actor;
    if (q.action) match.action = q.action;
    return this.pool.run('journal-read', {
      dir: this.journalDir,
      query: { stream: 'audit', order: 'desc', limit: q.limit, cursor: q.cursor, from: q.since, match },
    }, { signal });
  }
}
