// Small mutable state (users, tokens, settings) in one JSON file through lowdb. Every commit is an atomic
// temp file + fsync + rename, updates are serialised, and a file that fails to load is never overwritten.
import fs from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { DurableJsonFile, isPlainObject } from './durable-json-file.js';
import { PRIVATE_DIR_MODE } from './private-files.js';
import type { Role } from '../auth/role.js';
import type { AgentDefinition } from '../domain/agents/types.js';

export interface UserRecord {
  username: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
  passwordChangedAt: string;
  /** Set on the first admin made with a generated password: every route but the password change is refused. */
  mustChangePassword?: true;
}

export interface TokenRecord {
  id: string;
  name: string;
  scope: 'api' | 'ingest';
  role: Role;
  hash: string;
  prefix: string;
  createdAt: string;
  createdBy: string;
  expiresAt?: string;
  lastUsedAt?: string;
}

export interface DbData {
  version: 1;
  users: UserRecord[];
  tokens: TokenRecord[];
  settings: Record<string, unknown>;
  /** Agent definitions (agent-registry.ts); absent until seeded on first start. */
  agents?: AgentDefinition[];
}

export class DbOpenError extends Error {
  readonly file: string;
  constructor(file: string, cause: unknown) {
    super(`cannot open database ${file}: ${describeCause(cause)}`, { cause });
    this.name = 'DbOpenError';
    this.file = file;
  }
}

/** A commit that could not be written (disk full, read-only, I/O error): nothing changed, in memory or on disk. */
export class DbWriteError extends Error {
  readonly file: string;
  /** The errno code of the failed write (ENOSPC for a full disk), when there is one. */
  readonly code: string | undefined;
  constructor(file: string, cause: unknown) {
    super(`cannot save database ${file}: ${describeCause(cause)}`, { cause });
    this.name = 'DbWriteError';
    this.file = file;
    this.code = (cause as NodeJS.ErrnoException | undefined)?.code;
  }

  /** ENOSPC, or EDQUOT (the user's quota on the disk is used up). */
  get diskFull(): boolean {
    return this.code === 'ENOSPC' || this.code === 'EDQUOT';
  }
}

export interface Db {
  readonly file: string;
  /** Current committed state, deep-frozen: mutate only inside update(). */
  read(): Readonly<DbData>;
  /** Serialised; fn runs on a copy, and only a successful fn + durable write replaces the state. */
  update<T>(fn: (draft: DbData) => T): Promise<T>;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}

export function defaultDbData(): DbData {
  return { version: 1, users: [], tokens: [], settings: {} };
}

/** Minimal shape check: enough that code reading the state can trust the containers it walks. */
function shapeProblem(value: unknown): string | null {
  if (!isPlainObject(value)) return 'top level is not a JSON object';
  if (value.version !== 1) return `unsupported version ${JSON.stringify(value.version)} (expected 1)`;
  for (const key of ['users', 'tokens'] as const) {
    const list = value[key];
    if (!Array.isArray(list)) return `"${key}" is not an array`;
    if (!list.every(isPlainObject)) return `"${key}" holds an entry that is not an object`;
  }
  if (!isPlainObject(value.settings)) return '"settings" is not an object';
  if (value.agents !== undefined && (!Array.isArray(value.agents) || !value.agents.every(isPlainObject))) {
    return '"agents" is not an array of objects';
  }
  return null;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

class LowDb implements Db {
  readonly file: string;
  readonly #low: Low<DbData>;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: string, low: Low<DbData>) {
    this.file = file;
    this.#low = low;
    deepFreeze(low.data);
  }

  read(): Readonly<DbData> {
    return this.#low.data;
  }

  update<T>(fn: (draft: DbData) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const draft = structuredClone(this.#low.data) as DbData;
      // An async fn is awaited before the commit, so its rejection also changes nothing.
      const result = await fn(draft);
      // Commit exactly what a reopen would read back (no undefined fields, no Dates, no objects still owned
      // by the caller), so memory never differs from disk.
      const committed = JSON.parse(JSON.stringify(draft)) as DbData;
      const problem = shapeProblem(committed);
      if (problem) throw new TypeError(`db update would break the state: ${problem}`);
      try {
        await this.#low.adapter.write(committed);
      } catch (err) {
        throw new DbWriteError(this.file, err);
      }
      this.#low.data = deepFreeze(committed);
      return result as T;
    };
    const done = this.#queue.then(run);
    // The chain must survive a failed update, or every later update would fail with it.
    this.#queue = done.catch(() => undefined);
    return done;
  }
}

export async function openDb(file: string): Promise<Db> {
  const absolute = path.resolve(file);
  const defaults = defaultDbData();
  const low = new Low<DbData>(new DurableJsonFile<DbData>(absolute, shapeProblem), defaults);
  try {
    await fs.mkdir(path.dirname(absolute), { recursive: true, mode: PRIVATE_DIR_MODE });
    await low.read();
    // lowdb keeps the default object when the adapter reports a missing file.
    if (low.data === defaults) await low.write();
  } catch (err) {
    throw new DbOpenError(absolute, err);
  }
  return new LowDb(absolute, low);
}
