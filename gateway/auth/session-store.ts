// Server-side session store for koa-session: the cookie carries only a signed random key.
// Idle and absolute timeouts are enforced here, so an expired session simply is not found.
import type { Clock } from '../clock.js';

export interface SessionData {
  username: string;
  csrfToken: string;
  createdAt: number;
  [key: string]: unknown;
}

interface Entry {
  data: Record<string, unknown>;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionStoreOptions {
  clock: Clock;
  idleMs: number;
  absoluteMs: number;
  maxSessions?: number;
}

export class SessionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #opts: Required<SessionStoreOptions>;

  constructor(opts: SessionStoreOptions) {
    this.#opts = { maxSessions: 10_000, ...opts };
  }

  /** koa-session store API. */
  get = async (key: string): Promise<Record<string, unknown> | undefined> => this.peek(key, true);

  set = async (key: string, sess: Record<string, unknown>): Promise<void> => {
    const now = this.#opts.clock.now();
    const existing = this.#entries.get(key);
    if (!existing && this.#entries.size >= this.#opts.maxSessions) this.#evictOldest();
    this.#entries.set(key, { data: sess, createdAt: existing?.createdAt ?? now, lastSeenAt: now });
  };

  destroy = async (key: string): Promise<void> => {
    this.#entries.delete(key);
  };

  /** Looks a session up (used at WebSocket upgrade too); `touch` extends the idle timeout. */
  peek(key: string, touch: boolean): Record<string, unknown> | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const now = this.#opts.clock.now();
    if (now - entry.lastSeenAt > this.#opts.idleMs || now - entry.createdAt > this.#opts.absoluteMs) {
      this.#entries.delete(key);
      return undefined;
    }
    if (touch) entry.lastSeenAt = now;
    return entry.data;
  }

  /** Ends every session of a user (password change, disable, delete); returns their keys. */
  destroyWhere(predicate: (data: Record<string, unknown>, key: string) => boolean): string[] {
    const removed: string[] = [];
    for (const [key, entry] of this.#entries) {
      if (predicate(entry.data, key)) {
        this.#entries.delete(key);
        removed.push(key);
      }
    }
    return removed;
  }

  sweep(): void {
    for (const key of [...this.#entries.keys()]) this.peek(key, false);
  }

  get size(): number {
    return this.#entries.size;
  }

  #evictOldest(): void {
    let oldestKey: string | undefined;
    let oldest = Infinity;
    for (const [key, e] of this.#entries) if (e.lastSeenAt < oldest) { oldest = e.lastSeenAt; oldestKey = key; }
    if (oldestKey) this.#entries.delete(oldestKey);
  }
}
