// Server-side session store for koa-session: the cookie carries only a signed random key.
// Idle and absolute timeouts are enforced here, so an expired session simply is not found.
// Sessions are held under the SHA-256 of their key (the form they are saved in, see store/session-file.ts);
// the key itself stays in memory only, for sessions used since this start.
import type { Clock } from '../clock.js';
import type { StoredSession } from '../store/session-file.js';
import { hashSecret } from './api-tokens.js';

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
  /** The cookie key, once a request has shown it (never saved). */
  key?: string;
}

export interface SessionStoreOptions {
  clock: Clock;
  idleMs: number;
  absoluteMs: number;
  maxSessions?: number;
  /**
   * A session was created, changed or ended: persist now. koa-session's set and destroy wait for it.
   * Rejects when the write failed (the state in memory stands; the next write takes it).
   */
  onChange?: () => Promise<void>;
}


export class SessionStore {
  readonly #entries = new Map<string, Entry>();
  // Cookie key → its hash, for keys seen lately: every request of a session looks it up, and the hash of a
  // key never changes. Only keys whose cookie signature verified get here; at most maxSessions are kept.
  readonly #ids = new Map<string, string>();
  readonly #opts: SessionStoreOptions & { maxSessions: number };
  #revision = 0;

  constructor(opts: SessionStoreOptions) {
    this.#opts = { maxSessions: 10_000, ...opts };
  }

  #idOf(key: string): string {
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = hashSecret(key);
      if (this.#ids.size >= this.#opts.maxSessions) this.#ids.clear();
      this.#ids.set(key, id);
    }
    return id;
  }

  /** koa-session store API. */
  get = async (key: string): Promise<Record<string, unknown> | undefined> => this.peek(key, true);

  set = async (key: string, sess: Record<string, unknown>): Promise<void> => {
    const now = this.#opts.clock.now();
    const id = this.#idOf(key);
    const existing = this.#entries.get(id);
    if (!existing && this.#entries.size >= this.#opts.maxSessions) this.#evictOldest();
    this.#entries.set(id, { data: sess, createdAt: existing?.createdAt ?? now, lastSeenAt: now, key });
    // A sign-in that could not be written still works; a restart before the next write only asks for a new one.
    await this.#changed().catch(() => undefined);
  };

  /**
   * koa-session store API (also used when a sign-in replaces the old session): ends the session in memory; a
   * failed write is retried by the next flush, as for a sign-in.
   */
  destroy = async (key: string): Promise<void> => {
    await this.end(key).catch(() => undefined);
  };

  /**
   * A sign-out: ends the session at once, in memory, and rejects when that could not be written, because until
   * a later write succeeds a restart would bring the session back, so it must not be reported as done.
   */
  async end(key: string): Promise<void> {
    const id = this.#idOf(key);
    this.#ids.delete(key);
    if (this.#entries.delete(id)) await this.#changed();
  }

  /** Looks a session up (used at WebSocket upgrade too); `touch` extends the idle timeout. */
  peek(key: string, touch: boolean): Record<string, unknown> | undefined {
    const entry = this.#live(this.#idOf(key), this.#opts.clock.now());
    if (!entry) return undefined;
    entry.key = key;
    if (touch) {
      entry.lastSeenAt = this.#opts.clock.now();
      this.#revision++;
    }
    return entry.data;
  }

  /**
   * Ends every session of a user (password change, disable, delete); `key` is the cookie key when known
   * in memory. Always persisted, even when nothing matched, so the saved file is newer than the user change
   * that caused the call (what `survivesRestart` in persistent-sessions.ts compares).
   */
  destroyWhere(predicate: (data: Record<string, unknown>, key: string | undefined) => boolean): number {
    let removed = 0;
    for (const [id, entry] of this.#entries) {
      if (predicate(entry.data, entry.key)) {
        this.#entries.delete(id);
        removed++;
      }
    }
    // A failed write needs no answer here: the user change that called this ends these sessions at a
    // restart anyway (its time is past the file's savedAt, or the user is gone).
    void this.#changed().catch(() => undefined);
    return removed;
  }

  sweep(): void {
    const now = this.#opts.clock.now();
    for (const id of [...this.#entries.keys()]) this.#live(id, now);
  }

  /** The unexpired sessions, as saved. */
  records(): StoredSession[] {
    const now = this.#opts.clock.now();
    const out: StoredSession[] = [];
    for (const [id, e] of this.#entries) {
      if (!this.#expired(e, now)) out.push({ id, data: e.data, createdAt: e.createdAt, lastSeenAt: e.lastSeenAt });
    }
    return out;
  }

  /** Takes back saved sessions (at start); expired ones are dropped. Returns how many were taken. */
  restore(records: readonly StoredSession[]): number {
    const now = this.#opts.clock.now();
    let restored = 0;
    for (const r of records) {
      const entry: Entry = { data: r.data, createdAt: r.createdAt, lastSeenAt: r.lastSeenAt };
      if (this.#expired(entry, now) || this.#entries.size >= this.#opts.maxSessions) continue;
      this.#entries.set(r.id, entry);
      restored++;
    }
    return restored;
  }

  /** Grows on every change, activity included: the saver compares it with what it last wrote. */
  get revision(): number {
    return this.#revision;
  }

  get size(): number {
    return this.#entries.size;
  }

  #expired(e: Entry, now: number): boolean {
    return now - e.lastSeenAt > this.#opts.idleMs || now - e.createdAt > this.#opts.absoluteMs;
  }

  #live(id: string, now: number): Entry | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (this.#expired(entry, now)) {
      this.#entries.delete(id);
      this.#revision++;
      return undefined;
    }
    return entry;
  }

  async #changed(): Promise<void> {
    this.#revision++;
    await this.#opts.onChange?.();
  }

  #evictOldest(): void {
    let oldestId: string | undefined;
    let oldest = Infinity;
    for (const [id, e] of this.#entries) if (e.lastSeenAt < oldest) { oldest = e.lastSeenAt; oldestId = id; }
    if (oldestId) this.#entries.delete(oldestId);
  }
}
