// Ingest routes: handlers and their access-table rows, spread into route-table.ts.
// POST /api/ingest/events: ingest-scope tokens of any role, or API tokens / sessions of role operator and up.
import type { RouteSpec } from './route-table.js';
import type { Ctx, Services } from '../http/services.js';
import { badRequest, jsonLimitError } from '../http/api-error.js';
import { batchLimitProblem } from '../domain/agents/event-schema.js';

export async function ingestEvents(ctx: Ctx, s: Services): Promise<void> {
  const body = ctx.request.body as unknown;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray((body as { events?: unknown }).events)) {
    throw badRequest('The body must be {"events": [AgentEvent, ...]}.', [{ field: 'events', problem: 'must be an array' }]);
  }
  const events = (body as { events: unknown[] }).events;
  const tooMuch = batchLimitProblem(events);
  if (tooMuch) throw jsonLimitError(tooMuch, 'batch');
  const result = await s.runs.ingest(events, ctx.state.principal?.id ?? 'ingest');
  ctx.state.auditDetail = `accepted ${result.accepted}, duplicates ${result.duplicates}, rejected ${result.rejected.length}`;
  ctx.status = 202;
  ctx.body = result;
}

export const INGEST_ROUTES: RouteSpec[] = [
  {
    method: 'POST',
    path: '/api/ingest/events',
    access: 'operator',
    scopes: ['api', 'ingest'],
    // Ingest tokens are minted for agents (usually with the viewer role): their scope is their permission.
    scopeAccess: { ingest: 'viewer' },
    audit: 'agent.ingest',
    handler: ingestEvents,
  },
];
