// DATA_DIR/sessions.json: the signed-in sessions, so a restart signs nobody out. Each session is kept
// under the SHA-256 of its cookie key, never the key itself: reading the file does not let anyone in.
import { DurableJsonFile, isPlainObject } from './durable-json-file.js';

export interface StoredSession {
  /** SHA-256 (hex) of the session's cookie key. */
  id: string;
  data: Record<string, unknown>;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionFileData {
  version: 1;
  /** When this content was taken from memory (the gateway's clock, ms). */
  savedAt: number;
  sessions: StoredSession[];
}

function sessionProblem(value: unknown): string | null {
  if (!isPlainObject(value)) return 'not an object';
  if (typeof value.id !== 'string' || !/^[0-9a-f]{64}$/.test(value.id)) return '"id" is not a SHA-256 hex digest';
  if (!isPlainObject(value.data)) return '"data" is not an object';
  if (!Number.isFinite(value.createdAt) || !Number.isFinite(value.lastSeenAt)) return '"createdAt"/"lastSeenAt" are not numbers';
  return null;
}

export function sessionFileProblem(value: unknown): string | null {
  if (!isPlainObject(value)) return 'top level is not a JSON object';
  if (value.version !== 1) return `unsupported version ${JSON.stringify(value.version)} (expected 1)`;
  if (!Number.isFinite(value.savedAt)) return '"savedAt" is not a number';
  if (!Array.isArray(value.sessions)) return '"sessions" is not an array';
  for (const [i, s] of value.sessions.entries()) {
    const problem = sessionProblem(s);
    if (problem) return `session ${i}: ${problem}`;
  }
  return null;
}

export function sessionFile(file: string): DurableJsonFile<SessionFileData> {
  return new DurableJsonFile<SessionFileData>(file, sessionFileProblem);
}
