// The audit trail: who did what, to what, from where, with which outcome — appended to the journal,
// read back newest first through the worker pool (reading segment files is not event-loop work).
import type { Journal } from '../store/journal.js';
import type { WorkerPool } from '../pool/worker-pool.js';

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
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  since?: string;
  limit: number;
  cursor?: string;
}

export class AuditTrail {
  constructor(
    private readonly journal: Journal,
    private readonly pool: WorkerPool,
    private readonly journalDir: string,
  ) {}

  record(entry: AuditEntry): Promise<unknown> {
    return this.journal.append('audit', { ...entry });
  }

  async query(q: AuditQuery, signal?: AbortSignal): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
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
