// Searches in flight by owner (a session or token) and id, so a new search can cancel the one it replaces
// (header X-Search-Replaces) and a client that goes away cancels its own; and per user, to cap how many run at once.
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../http/api-error.js';

interface Running {
  controller: AbortController;
  user: string;
}

export interface SearchRegistryOptions {
  /** Searches one user (principal) may have running at once; default 2. */
  perUser?: number;
  /** Sent as Retry-After when a user is at the limit (about how long a search can run); default 2. */
  retryAfterSeconds?: number;
}

export class SearchRegistry {
  private readonly running = new Map<string, Running>();
  private readonly perUser: number;
  private readonly retryAfterSeconds: number;

  constructor(o: SearchRegistryOptions = {}) {
    this.perUser = Math.max(1, o.perUser ?? 2);
    this.retryAfterSeconds = Math.max(1, Math.ceil(o.retryAfterSeconds ?? 2));
  }

  /**
   * Registers a search of `owner` (a session or token) by `user` (the principal, whose searches are counted
   * together); `replaces` names an earlier search of the same owner, which is aborted and no longer counts.
   * Throws 429 too_many_searches when the user already has the limit running.
   */
  begin(owner: string, user: string, id: string | undefined, replaces: string | undefined): { id: string; signal: AbortSignal; abort(): void; end(): void } {
    if (replaces) this.cancel(`${owner}\n${replaces}`, 'replaced by a newer search');
    const searchId = id && /^[\w.:-]{1,100}$/.test(id) ? id : randomUUID();
    const key = `${owner}\n${searchId}`;
    this.cancel(key, 'replaced by a newer search with the same id');
    const count = this.countOf(user);
    if (count >= this.perUser) {
      throw new ApiError(
        429,
        'too_many_searches',
        `You already have ${count} searches running, the most one user may run at once. Wait for one to finish (or cancel it), then search again.`,
        { limit: this.perUser, retryAfterSeconds: this.retryAfterSeconds },
        { 'Retry-After': String(this.retryAfterSeconds) },
      );
    }
    const entry: Running = { controller: new AbortController(), user };
    this.running.set(key, entry);
    // The slot is free the moment the search is cancelled: what it still runs in the pool is bounded (queued
    // chunks leave the queue, a running one ends within the regex time limit).
    const release = (): void => {
      if (this.running.get(key) === entry) this.running.delete(key);
    };
    return {
      id: searchId,
      signal: entry.controller.signal,
      abort: () => {
        entry.controller.abort(new Error('the client went away'));
        release();
      },
      end: release,
    };
  }

  get size(): number {
    return this.running.size;
  }

  /** Searches `user` has running now. */
  countOf(user: string): number {
    let n = 0;
    for (const r of this.running.values()) if (r.user === user) n++;
    return n;
  }

  private cancel(key: string, why: string): void {
    const entry = this.running.get(key);
    if (!entry) return;
    entry.controller.abort(new Error(why));
    this.running.delete(key);
  }
}
