// The files a search covers, each with its scan state: which source it belongs to, its identity, how far
// down it has been scanned and how new its unscanned part can be. Built from the source list, or from a cursor.
import fs from 'node:fs/promises';
import { ApiError } from '../../http/api-error.js';
import type { LogSources } from '../../sources/log-sources.js';
import type { ChunkHit } from './chunk-scan.js';
import type { SearchCursor } from './search-cursor.js';

export interface SearchFile {
  /** Fixed order of the file in this search: breaks ties between equal timestamps. */
  rank: number;
  source: string;
  path: string;
  compressed: boolean;
  dev: number;
  ino: number;
  /** Every entry starting at or above `end` has been examined (and its hits queued or returned). */
  end: number;
  /** No entry below `end` is newer than this (epoch ms): the file's mtime until a chunk tells better. */
  bound: number;
  /** Hits found but not yet returned, newest (highest offset) first. */
  queue: ChunkHit[];
  /** Lowest offset handed to a worker. */
  dispatchedTo: number;
  /** Chunks scanned in this search (the first ones are small, so page 1 comes fast). */
  chunks: number;
  /** Bumped when queued work is thrown away: results of an older generation are ignored. */
  generation: number;
  done: boolean;
}

export interface FileSelection {
  sources: string[] | null;
  from: number | null;
}

/** Stands for "to the end" in a gzip file, whose decompressed size is known only once it is read. */
export const WHOLE_FILE = Number.MAX_SAFE_INTEGER;

interface Listed { source: string; path: string; compressed: boolean; mtimeMs: number }

async function listFiles(logSources: LogSources, sel: FileSelection): Promise<Listed[]> {
  const { sources } = await logSources.list();
  if (sel.sources) {
    const known = new Set(sources.map((s) => s.id));
    const unknown = sel.sources.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new ApiError(400, 'unknown_source', `Unknown log source${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`, { unknown });
    }
  }
  const wanted = sel.sources ? new Set(sel.sources) : null;
  const out: Listed[] = [];
  const seen = new Set<string>();
  for (const s of sources) {
    if (wanted && !wanted.has(s.id)) continue;
    for (const f of s.files) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      out.push({ source: s.id, path: f.path, compressed: f.compressed, mtimeMs: Date.parse(f.mtime) });
    }
  }
  return out;
}

function fresh(rank: number, l: Listed, st: { dev: number; ino: number; size: number; mtimeMs: number }, end: number, bound: number): SearchFile {
  return {
    rank, source: l.source, path: l.path, compressed: l.compressed, dev: st.dev, ino: st.ino,
    end, bound, queue: [], dispatchedTo: end, chunks: 0, generation: 0, done: end <= 0,
  };
}

/** Page 1: every file of the selected sources, at its current size. Files last written before `from` are skipped. */
export async function filesForNewSearch(logSources: LogSources, sel: FileSelection): Promise<SearchFile[]> {
  const listed = await listFiles(logSources, sel);
  // All at once: one stat after the other costs a round trip to the thread pool each.
  const stats = await Promise.all(listed.map((l) => fs.stat(l.path).catch(() => null)));
  const files: SearchFile[] = [];
  for (const [i, l] of listed.entries()) {
    const st = stats[i];
    if (!st || !st.isFile()) continue;
    // Entries cannot be newer than the file's last write.
    if (sel.from !== null && st.mtimeMs < sel.from) continue;
    const end = l.compressed ? WHOLE_FILE : st.size;
    files.push(fresh(files.length, l, st, end, st.mtimeMs));
  }
  return files;
}

/** A later page: the cursor's files, found again by device and inode (a rotated file has a new name). */
export async function filesFromCursor(logSources: LogSources, sel: FileSelection, cursor: SearchCursor): Promise<SearchFile[]> {
  const listed = await listFiles(logSources, sel);
  const byIdentity = new Map<string, { l: Listed; st: { dev: number; ino: number; size: number; mtimeMs: number } }>();
  const stats = await Promise.all(listed.map((l) => fs.stat(l.path).catch(() => null)));
  for (const [i, l] of listed.entries()) {
    const st = stats[i];
    if (st?.isFile()) byIdentity.set(`${st.dev}:${st.ino}`, { l, st });
  }
  const files: SearchFile[] = [];
  for (const c of cursor.f) {
    const found = byIdentity.get(`${c.d}:${c.i}`);
    if (!found) continue; // deleted, or no longer a file of the selected sources
    const end = found.l.compressed ? Math.min(c.e, WHOLE_FILE) : Math.min(c.e, found.st.size);
    files.push(fresh(files.length, found.l, found.st, end, c.b));
  }
  return files;
}
