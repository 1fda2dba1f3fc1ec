// Keeps the session store in DATA_DIR/sessions.json so a restart (deploy, pm2 restart, crash) signs nobody
// out. Sign-in and sign-out are written at once (the request waits for the write); activity ("last seen")
// only by the periodic flush and at close, so a restart loses at most one flush interval of idle time.
// A failed write is logged and retried by the next change or flush; a sign-out it held back is reported as
// not saved (SessionStore.destroy rejects). Every write holds the whole store, so a session ended in memory
// is gone from the file at the first write that succeeds.
// An unreadable file is reported and the gateway starts with no sessions; the next write replaces the file.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { UserRecord } from '../store/db.js';
import { sessionFile, type SessionFileData } from '../store/session-file.js';
import { SessionStore } from './session-store.js';

/** How often expired sessions are dropped and activity is written. */
export const SESSION_FLUSH_MS = 60_000;

export interface PersistentSessionsOptions {
  file: string;
  clock: Clock;
  logger: Logger;
  idleMs: number;
  absoluteMs: number;
  maxSessions?: number;
  /** The user a session belongs to, as it is now. */
  user: (username: string) => Pick<UserRecord, 'disabled' | 'updatedAt'> | undefined;
  flushMs?: number;
}

/**
 * Whether a saved session may continue after a restart: its user still exists, is enabled, and was not
 * changed after the file was saved — a password reset, disable or role change made offline
 * (`npm run user`) ends the user's sessions as the same change through the API does.
 */
export function survivesRestart(data: Record<string, unknown>, savedAt: number, user: PersistentSessionsOptions['user']): boolean {
  const found = typeof data.username === 'string' ? user(data.username) : undefined;
  return found !== undefined && !found.disabled && Date.parse(found.updatedAt) <= savedAt;
}

export class PersistentSessions {
  readonly store: SessionStore;
  readonly #file: ReturnType<typeof sessionFile>;
  readonly #o: PersistentSessionsOptions;
  #savedRevision: number;
  #writing: Promise<void> | null = null;
  #queued: Promise<void> | null = null;
  #timer: NodeJS.Timeout | undefined;

  static async open(o: PersistentSessionsOptions): Promise<PersistentSessions> {
    const file = sessionFile(o.file);
    let saved: SessionFileData | null | 'unreadable';
    try {
      saved = await file.read();
    } catch (err) {
      o.logger.warn({ file: o.file, err }, 'sessions file unreadable; starting with no sessions (everyone signs in again)');
      saved = 'unreadable';
    }
    return new PersistentSessions(o, file, saved);
  }

  private constructor(o: PersistentSessionsOptions, file: ReturnType<typeof sessionFile>, saved: SessionFileData | null | 'unreadable') {
    this.#o = o;
    this.#file = file;
    this.store = new SessionStore({
      clock: o.clock,
      idleMs: o.idleMs,
      absoluteMs: o.absoluteMs,
      ...(o.maxSessions ? { maxSessions: o.maxSessions } : {}),
      onChange: () => this.save(),
    });
    const content = saved === 'unreadable' ? null : saved;
    const sessions = content?.sessions ?? [];
    const restored = this.store.restore(sessions.filter((s) => survivesRestart(s.data, content?.savedAt ?? 0, o.user)));
    // Anything dropped (expired, ended offline, an unreadable file) is written away at the next flush.
    this.#savedRevision = saved !== 'unreadable' && restored === sessions.length ? this.store.revision : -1;
  }

  /** Starts the periodic flush (expired sessions dropped, activity written). */
  start(): void {
    this.#timer ??= setInterval(() => {
      this.store.sweep();
      if (this.store.revision !== this.#savedRevision) this.save().catch(() => undefined); // logged; the next flush retries
    }, this.#o.flushMs ?? SESSION_FLUSH_MS).unref();
  }

  /** Stops the flush and writes what is not written yet (a failure is logged, not thrown: shutdown goes on). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const last = this.store.revision !== this.#savedRevision ? this.save() : (this.#queued ?? this.#writing);
    await last?.catch(() => undefined);
  }

  /**
   * Writes the store: one write at a time, and at most one more queued, which takes the latest state.
   * Rejects when the write fails (logged here); the state in memory stands and the next change or flush retries.
   */
  save(): Promise<void> {
    if (this.#queued) return this.#queued;
    if (!this.#writing) return this.#begin();
    this.#queued = this.#writing.catch(() => undefined).then(() => {
      this.#queued = null;
      return this.#begin();
    });
    return this.#queued;
  }

  #begin(): Promise<void> {
    const revision = this.store.revision;
    const content: SessionFileData = { version: 1, savedAt: this.#o.clock.now(), sessions: this.store.records() };
    const writing: Promise<void> = this.#file
      .write(content)
      .then(
        () => {
          this.#savedRevision = revision;
        },
        (err: unknown) => {
          this.#o.logger.warn({ file: this.#o.file, err }, 'could not save sessions');
          throw err;
        },
      )
      .finally(() => {
        if (this.#writing === writing) this.#writing = null;
      });
    this.#writing = writing;
    return writing;
  }
}
