// Cleanup of rotated log files: across every source (POST /api/logs/cleanup, with a dry run) and, on a
// timer, of the gateway's own rotated logs past LOG_RETENTION_DAYS. A live file is never a candidate:
// only files listed as rotated whose names look rotated (`*.gz`, `*.N`, `*-YYYY-MM-DD*`,
// `*__YYYY-MM-DD_HH-mm-ss*`), and never a path that is the live file of any source.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ApiError } from '../../http/api-error.js';
import type { LogSources } from '../../sources/log-sources.js';
import { looksRotated } from '../../sources/rotated-files.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export const cleanupRequestSchema = z
  .object({
    olderThanDays: z.number().int().min(1).max(3650),
    dryRun: z.boolean().default(true),
  })
  .strict();
export type CleanupRequest = z.infer<typeof cleanupRequestSchema>;

export interface CleanupCandidate {
  path: string;
  /** Source id. */
  source: string;
  size: number;
  mtime: string;
}

export interface CleanupResult {
  dryRun: boolean;
  olderThanDays: number;
  /** Oldest first. */
  files: CleanupCandidate[];
  totalBytes: number;
  /** How many files were removed (0 on a dry run). */
  deleted: number;
}

/** Validates a cleanup request body (ApiError 400 invalid_input listing each field). */
export function parseCleanupRequest(body: unknown): CleanupRequest {
  const parsed = cleanupRequestSchema.safeParse(body ?? {});
  if (!parsed.success) {
    throw new ApiError(
      400,
      'invalid_input',
      'The cleanup request is invalid: olderThanDays must be an integer from 1 to 3650, and dryRun a boolean.',
      parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', problem: i.message })),
    );
  }
  return parsed.data;
}

export interface CleanupOptions {
  olderThanDays: number;
  dryRun: boolean;
  now: number;
  /** Only these source ids; default every source. */
  sourceIds?: string[];
}

/** The rotated files older than olderThanDays, oldest first; removes them unless dryRun. */
export async function cleanupRotatedLogs(logSources: LogSources, opts: CleanupOptions): Promise<CleanupResult> {
  const cutoff = opts.now - opts.olderThanDays * DAY_MS;
  const { sources } = await logSources.list();
  const live = new Set<string>();
  for (const source of sources) for (const f of source.files) if (!f.rotated) live.add(f.path);
  const wanted = opts.sourceIds ? new Set(opts.sourceIds) : null;

  const seen = new Set<string>();
  const candidates: CleanupCandidate[] = [];
  for (const source of sources) {
    if (wanted && !wanted.has(source.id)) continue;
    for (const f of source.files) {
      if (!f.rotated || live.has(f.path) || seen.has(f.path) || !looksRotated(path.basename(f.path))) continue;
      if (Date.parse(f.mtime) >= cutoff) continue;
      seen.add(f.path);
      candidates.push({ path: f.path, source: source.id, size: f.size, mtime: f.mtime });
    }
  }
  candidates.sort((a, b) => a.mtime.localeCompare(b.mtime) || a.path.localeCompare(b.path));

  let deleted = 0;
  const removed: CleanupCandidate[] = [];
  if (!opts.dryRun) {
    for (const c of candidates) {
      // Checked again right before removal: a plain file (not a symlink), still old enough.
      const st = await fs.lstat(c.path).catch(() => null);
      if (!st || !st.isFile() || st.mtimeMs >= cutoff) continue;
      try {
        await fs.unlink(c.path);
        deleted += 1;
        removed.push({ ...c, size: st.size });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    logSources.invalidate();
  }
  const files = opts.dryRun ? candidates : removed;
  return {
    dryRun: opts.dryRun,
    olderThanDays: opts.olderThanDays,
    files,
    totalBytes: files.reduce((sum, f) => sum + f.size, 0),
    deleted,
  };
}

/** LOG_RETENTION_DAYS: removes the gateway's own rotated logs older than `days`. */
export function removeExpiredSelfLogs(logSources: LogSources, days: number, now: number): Promise<CleanupResult> {
  return cleanupRotatedLogs(logSources, { olderThanDays: days, dryRun: false, now, sourceIds: ['self'] });
}
