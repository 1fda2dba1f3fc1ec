// Operations routes: handlers and their access-table rows, spread into route-table.ts.
import { z } from 'zod';
import type { RouteSpec } from './route-table.js';
import type { Ctx, Services } from '../http/services.js';
import { parseInput } from '../domain/validation.js';
import { operationsFor } from '../domain/agents/run-queries.js';
import { isBusinessDate } from '../domain/agents/operations-today.js';

const todaySchema = z.object({ date: z.string().refine(isBusinessDate, 'a calendar date as YYYY-MM-DD').optional() });

export async function operationsToday(ctx: Ctx, s: Services): Promise<void> {
  const { date } = parseInput(todaySchema, ctx.query, 'query');
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await operationsFor(s.runs, s.runs.definitions(), s.clock.now(), date);
}

export const OPERATIONS_ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/api/operations/today', access: 'viewer', handler: operationsToday },
];
