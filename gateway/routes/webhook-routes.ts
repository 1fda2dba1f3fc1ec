// WhatsApp webhook routes (docs/webhook.md "Dashboard side"): status, button and CRM figures of a range,
// and the newest stored events. All viewer; rows are spread into route-table.ts.
import { z } from 'zod';
import type { RouteSpec } from './route-table.js';
import type { Ctx, Services } from '../http/services.js';
import { parseInput } from '../domain/validation.js';
import { decodeCursor } from '../store/journal.js';
import { badRequest } from '../http/api-error.js';

const single = (v: unknown): unknown => (Array.isArray(v) ? v[v.length - 1] : v);

const rangeSchema = z.object({
  range: z.preprocess(single, z.enum(['day', 'week', 'month'], { error: 'range must be day, week or month' })).default('day'),
  date: z
    .preprocess(
      single,
      z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD').refine((d) => {
        const ms = Date.parse(`${d}T00:00:00Z`);
        return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === d;
      }, 'date is not a calendar day'),
    )
    .optional(),
});

const eventsSchema = z.object({
  limit: z.preprocess(single, z.coerce.number().int().min(1).max(500)).default(50),
  before: z.preprocess(single, z.string().min(1).max(1000)).optional(),
});

async function status(ctx: Ctx, s: Services): Promise<void> {
  ctx.set('Cache-Control', 'no-store');
  ctx.body = s.webhook.status();
}

async function buttons(ctx: Ctx, s: Services): Promise<void> {
  const q = parseInput(rangeSchema, ctx.query, 'query');
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await s.webhook.buttons(q.range, q.date);
}

async function crm(ctx: Ctx, s: Services): Promise<void> {
  const q = parseInput(rangeSchema, ctx.query, 'query');
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await s.webhook.crm(q.range, q.date);
}

async function events(ctx: Ctx, s: Services): Promise<void> {
  const q = parseInput(eventsSchema, ctx.query, 'query');
  if (q.before !== undefined) {
    try {
      if (decodeCursor(q.before).order !== 'desc') throw new RangeError('wrong order');
    } catch {
      throw badRequest('The query has invalid fields: before (not a nextBefore value of this list).', [{ field: 'before', problem: 'not a nextBefore value of this list' }]);
    }
  }
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await s.webhook.events(q.limit, q.before);
}

export const WEBHOOK_ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/api/webhook/status', access: 'viewer', handler: status },
  { method: 'GET', path: '/api/webhook/buttons', access: 'viewer', handler: buttons },
  { method: 'GET', path: '/api/webhook/crm', access: 'viewer', handler: crm },
  { method: 'GET', path: '/api/webhook/events', access: 'viewer', handler: events },
];
