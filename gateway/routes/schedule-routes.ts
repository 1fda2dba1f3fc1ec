// Schedule routes: handlers and their access-table rows, spread into route-table.ts.
import type { RouteSpec } from './route-table.js';
import type { Ctx, Services } from '../http/services.js';
import { parseInput } from '../domain/validation.js';
import { badRequest } from '../http/api-error.js';
import { cronProblem, schedulePutSchema } from '../domain/agents/agent-schema.js';

export async function listSchedules(ctx: Ctx, s: Services): Promise<void> {
  ctx.body = { schedules: s.scheduler.list() };
}

export async function putSchedule(ctx: Ctx, s: Services): Promise<void> {
  const agent = ctx.params.agent!;
  ctx.state.auditTarget = agent;
  s.agents.require(agent);
  const input = parseInput(schedulePutSchema, ctx.request.body, 'schedule');
  const crons = typeof input.cron === 'string' ? [input.cron] : input.cron;
  // Each pattern alone was valid; check it once more in the chosen timezone (a DST gap can make a time vanish).
  const details = crons.flatMap((pattern, i) => {
    const problem = cronProblem(pattern, input.timezone);
    return problem ? [{ field: typeof input.cron === 'string' ? 'cron' : `cron.${i}`, problem }] : [];
  });
  if (details.length > 0) throw badRequest(`The schedule has invalid fields: ${details.map((d) => d.problem).join(', ')}.`, details);
  await s.agents.setSchedule(agent, { crons, timezone: input.timezone, enabled: input.enabled });
  ctx.state.auditDetail = `${crons.join(' | ')} ${input.timezone}${input.enabled ? '' : ' (disabled)'}`;
  ctx.body = { schedule: s.scheduler.list().find((v) => v.agent === agent) ?? null };
}

export const SCHEDULE_ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/api/schedules', access: 'viewer', handler: listSchedules },
  { method: 'PUT', path: '/api/schedules/:agent', access: 'admin', audit: 'schedule.update', handler: putSchedule },
];
