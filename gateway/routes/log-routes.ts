// Log center routes owned here: the list of sources and the cleanup of rotated files. Their rows are
// spread into route-table.ts; the search and context routes live in log-search-routes.ts.
import type { RouteSpec } from './route-table.js';
import type { Ctx, Services } from '../http/services.js';
import { cleanupRotatedLogs, parseCleanupRequest } from '../domain/logs/log-retention.js';

export async function listLogSources(ctx: Ctx, s: Services): Promise<void> {
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await s.logSources.list();
}

export async function cleanupLogs(ctx: Ctx, s: Services): Promise<void> {
  // Validated before anything is looked at: a bad body deletes nothing.
  const { olderThanDays, dryRun } = parseCleanupRequest(ctx.request.body);
  const result = await cleanupRotatedLogs(s.logSources, { olderThanDays, dryRun, now: s.clock.now() });
  ctx.state.auditTarget = `olderThanDays=${olderThanDays}`;
  ctx.state.auditDetail = dryRun
    ? `dry run: ${result.files.length} files, ${result.totalBytes} bytes`
    : `deleted ${result.deleted} files, ${result.totalBytes} bytes`;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = result;
}

export const LOG_ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/api/logs/sources', access: 'viewer', handler: listLogSources },
  { method: 'POST', path: '/api/logs/cleanup', access: 'admin', audit: 'logs.cleanup', handler: cleanupLogs },
];
