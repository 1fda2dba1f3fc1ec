// The periodic snapshot of run states (DATA_DIR/snapshots/agent-runs.json): written atomically (temp file,
// fsync, rename, fsync of the directory) so a kill at any moment leaves either the old or the new file.
import fs from 'node:fs/promises';
import path from 'node:path';
import { makePrivateFile, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../store/private-files.js';
import { isStoredIds, restoreIds, storeIds, type StoredIds } from './applied-ids.js';
import type { RunState } from './types.js';
import { MAX_DOCUMENT_DEPTH, tooDeep } from '../../json-limits.js';

/** A RunState as JSON can hold it (the applied ids as an array, or sealed hashes once the run ended). */
export type StoredRunState = Omit<RunState, 'appliedIds'> & { appliedIds: StoredIds };

export interface RunSnapshot {
  version: 1;
  writtenAt: string;
  /**
   * Journal time (receivedAt) of the last event applied to these states. Every event journalled later has a
   * ts at or after it (the service keeps receivedAt monotonic), so replay starts there; the overlap at the
   * same millisecond is absorbed by the applied-id dedupe.
   */
  journalTs: string | null;
  runs: StoredRunState[];
  /** Newest sort key of a run dropped from memory (run-recovery.ts RunFold.horizon); absent when none. */
  horizon?: { t: number; r: string } | null;
}

export function storeRun(state: RunState): StoredRunState {
  return { ...state, appliedIds: storeIds(state.appliedIds) };
}

/** A snapshot from before owners were recorded gives owner null (such runs only the dashboard writes). */
export function restoreRun(stored: StoredRunState): RunState {
  return { ...stored, owner: stored.owner ?? null, appliedIds: restoreIds(stored.appliedIds) };
}

export async function writeSnapshot(file: string, snapshot: RunSnapshot): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await fs.open(temp, 'w', PRIVATE_FILE_MODE);
  try {
    await handle.chmod(PRIVATE_FILE_MODE); // a temp file left by a crash keeps its own mode otherwise
    await handle.writeFile(JSON.stringify(snapshot));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, file);
  const dirHandle = await fs.open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

export type SnapshotRead = { snapshot: RunSnapshot | null; problem?: string };

/**
 * Missing file → no snapshot (replay the whole journal). An unreadable or malformed one is set aside as
 * `<file>.bad-<ms>` and ignored: the journal alone can rebuild everything, only slower.
 */
export async function readSnapshot(file: string): Promise<SnapshotRead> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { snapshot: null };
    return { snapshot: null, problem: `could not read ${file}: ${(err as Error).message}` };
  }
  try {
    const parsed = JSON.parse(text) as Partial<RunSnapshot>;
    if (parsed.version !== 1 || !Array.isArray(parsed.runs) || !(parsed.journalTs === null || typeof parsed.journalTs === 'string')) {
      throw new Error('not a version 1 run snapshot');
    }
    for (const run of parsed.runs) {
      if (typeof run?.runId !== 'string' || !isStoredIds(run.appliedIds)) throw new Error('a run entry is malformed');
    }
    // Written before trigger params were bounded, a run could hold a value too deep to leave the worker.
    if (tooDeep(parsed, MAX_DOCUMENT_DEPTH)) throw new Error(`it nests deeper than ${MAX_DOCUMENT_DEPTH} levels`);
    return { snapshot: parsed as RunSnapshot };
  } catch (err) {
    const aside = `${file}.bad-${Date.now()}`;
    await fs.rename(file, aside).then(() => makePrivateFile(aside)).catch(() => undefined);
    return { snapshot: null, problem: `${file} set aside: ${(err as Error).message}` };
  }
}
