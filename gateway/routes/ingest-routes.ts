// Ingest routes: handlers and their access-table rows, spread into route-table.ts.
// POST /api/ingest/events: ingest-scope tokens of any role, or API tokens / sessions of role operator and up.
// Each writes only the runs it started (a launch token: its launch's run and child runs), see run-writer.ts.
import type { RouteSpec } from './route-table.js';
import type { Ctx, Services } from '../http/services.js';
import { badRequest, jsonLimitError } from '../http/api-error.js';
import { batchLimitProblem } from '../domain/agents/event-schema.js';
import { principalWriter } from '../domain/agents/run-writer.js';

export async function ingestEvents(ctx: Ctx, s: Services): Promise<void> {
  const body = ctx.request.body as unknown;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray((body as { events?: unknown }).events)) {
    throw badRequest('The body must be {"events": [AgentEvent, ...]}.', [{ field: 'events', problem: 'must be an array' }]);
  }
  const events = (body as { events: unknown[] }).events;
  const tooMuch = batchLimitProblem(events);
  if (tooMuch) throw jsonLimitError(tooMuch, 'batch');
  const writer = principalWriter(ctx.state.principal!, (tokenId) => s.launcher.launchOfToken(tokenId));
  const result = await s.runs.ingest(events, writer);
  const notYours = result.rejected.filter((r) => r.code === 'run_not_yours').length;
  ctx.state.auditDetail = `accepted ${result.accepted}, duplicates ${result.duplicates}, rejected ${result.rejected.length}${notYours ? ` (${notYours} run_not_yours)` : ''}`;
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
