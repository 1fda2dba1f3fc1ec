// Log center routes for the digest (docs/log-center.md): error groups, one group with its occurrences, and the
// per-minute rates. Their rows are spread into route-table.ts.
import { z } from 'zod';
import type { RouteSpec } from './route-table.js';
import type { Ctx, Services } from '../http/services.js';
import { ApiError } from '../http/api-error.js';

// ISO-8601 time or epoch ms.
const time = z
  .string()
  .max(40)
  .transform((v, ctx) => {
    const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(t)) {
      ctx.addIssue({ code: 'custom', message: 'an ISO-8601 time or epoch milliseconds' });
      return z.NEVER;
    }
    return t;
  });

const sourceList = z
  .string()
  .max(10_000)
  .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0))
  .refine((list) => list.length <= 200, 'at most 200 source ids');

const rangeQuery = { from: time.optional(), to: time.optional(), source: sourceList.optional() };
const groupsQuery = z.object({ ...rangeQuery, limit: z.coerce.number().int().min(1).max(500).default(50) });
const ratesQuery = z.object(rangeQuery);
const fingerprintParam = z.string().min(1).max(64);

// The log center's error code for bad parameters (docs/log-center.md), with each field's problem.
function parseQuery<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) {
    const value = result.data as { from?: number; to?: number };
    if (value.from !== undefined && value.to !== undefined && value.from > value.to) {
      throw new ApiError(400, 'invalid_input', 'The query has invalid fields: from (must not be after to).', [{ field: 'from', problem: 'must not be after to' }]);
    }
    return result.data;
  }
  const details = result.error.issues.map((i) => ({ field: i.path.join('.') || '(query)', problem: i.message }));
  throw new ApiError(400, 'invalid_input', `The query has invalid fields: ${details.map((d) => `${d.field} (${d.problem})`).join(', ')}.`, details);
}

export async function listErrorGroups(ctx: Ctx, s: Services): Promise<void> {
  const q = parseQuery(groupsQuery, ctx.query);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = s.logDigest.groups({ from: q.from, to: q.to, sources: q.source, limit: q.limit });
}

export async function getErrorGroup(ctx: Ctx, s: Services): Promise<void> {
  const parsed = fingerprintParam.safeParse(ctx.params.fingerprint);
  const detail = parsed.success ? s.logDigest.group(parsed.data) : null;
  if (!detail) throw new ApiError(404, 'not_found', `No error group has the fingerprint "${String(ctx.params.fingerprint).slice(0, 64)}".`);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = detail;
}

export async function getLogRates(ctx: Ctx, s: Services): Promise<void> {
  const q = parseQuery(ratesQuery, ctx.query);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = s.logDigest.rates({ from: q.from, to: q.to, sources: q.source });
}

export const LOG_DIGEST_ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/api/logs/groups', access: 'viewer', handler: listErrorGroups },
  { method: 'GET', path: '/api/logs/groups/:fingerprint', access: 'viewer', handler: getErrorGroup },
  { method: 'GET', path: '/api/logs/rates', access: 'viewer', handler: getLogRates },
];
