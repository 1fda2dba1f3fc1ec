// Log search routes: GET /api/logs/search (worker-pool search, newest first, cursor paging, cancellation)
// and GET /api/logs/context (the entries around a hit). Rows are spread into route-table.ts.
import { z } from 'zod';
import type { RouteSpec } from './route-table.js';
import type { Ctx, Services } from '../http/services.js';
import { ApiError } from '../http/api-error.js';
import { parseInput } from '../domain/validation.js';
import { LEVELS } from '../domain/logs/log-levels.js';
import { SearchAbortedError, type LogSearchRequest } from '../domain/logs/log-search.js';

// The log center's contract names bad parameters invalid_input (docs/log-center.md).
function parseQuery<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  try {
    return parseInput(schema, input, 'query');
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) throw new ApiError(400, 'invalid_input', err.message, err.details);
    throw err;
  }
}

const single = (v: unknown): unknown => (Array.isArray(v) ? v[v.length - 1] : v);
const flag = z.preprocess(single, z.enum(['0', '1']).default('0')).transform((v) => v === '1');
const time = z.preprocess(single, z.string().trim().min(1).transform((v, ctx) => {
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'an ISO-8601 time or epoch milliseconds' });
    return z.NEVER;
  }
  return ms;
}));

const searchSchema = z.object({
  q: z.preprocess(single, z.string().max(1000, 'at most 1000 characters')).default(''),
  regex: flag,
  case: flag,
  level: z.preprocess(single, z.enum(LEVELS as [string, ...string[]])).optional(),
  source: z.preprocess(single, z.string().max(20_000)).optional(),
  from: time.optional(),
  to: time.optional(),
  limit: z.preprocess(single, z.coerce.number().int().min(1).max(500)).default(100),
  cursor: z.preprocess(single, z.string().min(1).max(1_000_000)).optional(),
}).refine((v) => v.from === undefined || v.to === undefined || v.from <= v.to, { message: 'from must not be after to', path: ['from'] });

export async function searchLogs(ctx: Ctx, s: Services): Promise<void> {
  const p = parseQuery(searchSchema, ctx.query);
  const req: LogSearchRequest = {
    q: p.q,
    regex: p.regex,
    caseSensitive: p.case,
    level: (p.level as LogSearchRequest['level']) ?? null,
    sources: p.source ? [...new Set(p.source.split(',').map((x) => x.trim()).filter(Boolean))] : null,
    from: p.from ?? null,
    to: p.to ?? null,
    limit: p.limit,
    cursor: p.cursor ?? null,
  };
  s.logSearch.prepare(req); // invalid_regex / invalid_cursor before any file is touched
  const principal = ctx.state.principal;
  const owner = principal ? `${principal.id}:${principal.sessionId ?? principal.tokenId ?? ''}` : 'anonymous';
  const header = (name: string): string | undefined => {
    const v = ctx.get(name);
    return v === '' ? undefined : v;
  };
  // 429 too_many_searches when this user already runs the most searches one user may run at once.
  const run = s.logSearch.registry.begin(owner, principal?.id ?? 'anonymous', header('X-Search-Id'), header('X-Search-Replaces'));
  ctx.set('X-Search-Id', run.id);
  ctx.set('Cache-Control', 'no-store');
  const onClose = (): void => {
    if (!ctx.res.writableFinished) run.abort();
  };
  ctx.res.once('close', onClose);
  try {
    ctx.body = await s.logSearch.search(req, run.signal);
  } catch (err) {
    if (err instanceof SearchAbortedError) {
      // Nobody may be listening any more; if someone is (a replaced search), say so plainly.
      throw new ApiError(409, 'search_cancelled', 'This search was cancelled: the client went away or started a search that replaces it.');
    }
    throw err;
  } finally {
    ctx.res.off('close', onClose);
    run.end();
  }
}

const contextSchema = z.object({
  file: z.preprocess(single, z.string().min(1).max(4096)),
  offset: z.preprocess(single, z.coerce.number().int().min(0, 'must not be negative')),
  before: z.preprocess(single, z.coerce.number().int().min(0).max(200)).default(20),
  after: z.preprocess(single, z.coerce.number().int().min(0).max(200)).default(20),
});

export async function logContext(ctx: Ctx, s: Services): Promise<void> {
  const p = parseQuery(contextSchema, ctx.query);
  const resolved = await s.logSources.resolve(p.file); // 400 invalid_path for relative or `..` paths
  if (!resolved) throw new ApiError(404, 'not_found', `"${p.file}" is not a file of any log source.`);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await s.logSearch.context(resolved, p.offset, p.before, p.after);
}

export const LOG_SEARCH_ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/api/logs/search', access: 'viewer', handler: searchLogs },
  { method: 'GET', path: '/api/logs/context', access: 'viewer', handler: logContext },
];
