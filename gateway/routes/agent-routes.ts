// Agent routes: handlers and their access-table rows, spread into route-table.ts.
import { z } from 'zod';
import type { RouteSpec } from './route-table.js';
import type { Ctx, Services } from '../http/services.js';
import { parseInput } from '../domain/validation.js';
import { jsonLimitError } from '../http/api-error.js';
import { paramsProblem } from '../domain/agents/event-schema.js';
import { createAgentSchema, definitionLimitProblem, updateAgentSchema } from '../domain/agents/agent-schema.js';
import { describeAgents, publicLaunch } from '../domain/agents/agent-overview.js';
import { launchChanges } from '../domain/agents/launch-audit.js';
import type { AgentDefinition } from '../domain/agents/types.js';
import { RUN_STATUSES } from '../domain/agents/types.js';
import { agentPerformance, listRuns, runDetail, runLogs } from '../domain/agents/run-queries.js';

// --- Definitions, trigger and cancel (registry + launcher) -------------------------------------------------

const triggerSchema = z.object({ params: z.record(z.string(), z.unknown()).optional() }).strict();

/** An admin sees the definition as stored, environment values included (they edit it). */
const definitionBody = (def: AgentDefinition) => ({ ...def, launch: def.launch ? { ...publicLaunch(def.launch), env: def.launch.env ?? {} } : null });

export async function listAgents(ctx: Ctx, s: Services): Promise<void> {
  ctx.body = { agents: describeAgents(s.agents.list(), s.runs, (name) => s.scheduler.nextRunAt(name)) };
}

function assertDefinitionLimits(body: unknown): void {
  const problem = definitionLimitProblem(body);
  if (problem) throw jsonLimitError(problem, 'agent definition');
}

export async function createAgent(ctx: Ctx, s: Services): Promise<void> {
  assertDefinitionLimits(ctx.request.body);
  const input = parseInput(createAgentSchema, ctx.request.body, 'agent definition');
  ctx.state.auditTarget = input.name;
  const agent = await s.agents.create(input);
  // A new launch command is as much worth auditing as an edited one.
  const launch = launchChanges(null, agent.launch);
  if (launch.length > 0) ctx.state.auditDetail = launch.join('; ');
  ctx.status = 201;
  ctx.body = { agent: definitionBody(agent) };
}

export async function updateAgent(ctx: Ctx, s: Services): Promise<void> {
  assertDefinitionLimits(ctx.request.body);
  const changes = parseInput(updateAgentSchema, ctx.request.body, 'agent definition');
  ctx.state.auditDetail = Object.keys(changes).join(',');
  const { agent, previous } = await s.agents.update(ctx.params.name!, changes);
  ctx.state.auditDetail = [ctx.state.auditDetail, ...launchChanges(previous.launch, agent.launch)].join('; ');
  ctx.body = { agent: definitionBody(agent) };
}

export async function deleteAgent(ctx: Ctx, s: Services): Promise<void> {
  await s.agents.remove(ctx.params.name!);
  ctx.status = 204;
}

export async function triggerAgent(ctx: Ctx, s: Services): Promise<void> {
  const name = ctx.params.name!;
  const { params } = parseInput(triggerSchema, ctx.request.body, 'trigger');
  const tooMuch = params === undefined ? null : paramsProblem(params);
  if (tooMuch) throw jsonLimitError(tooMuch, 'trigger');
  const by = ctx.state.principal?.username;
  const { runId } = await s.launcher.trigger(name, { kind: 'manual', ...(by ? { by } : {}), ...(params ? { params } : {}) });
  ctx.state.auditDetail = runId;
  ctx.status = 202;
  ctx.body = { runId };
}

export async function cancelRun(ctx: Ctx, s: Services): Promise<void> {
  const runId = ctx.params.runId!;
  ctx.state.auditTarget = runId;
  const outcome = await s.launcher.cancel(runId, ctx.state.principal?.username);
  ctx.state.auditDetail = `${outcome.status}; process ${outcome.process}`;
  ctx.status = 202;
  ctx.body = outcome;
}

const DEFINITION_ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/api/agents', access: 'viewer', handler: listAgents },
  { method: 'POST', path: '/api/agents', access: 'admin', audit: 'agent.create', handler: createAgent },
  { method: 'PUT', path: '/api/agents/:name', access: 'admin', audit: 'agent.update', handler: updateAgent },
  { method: 'DELETE', path: '/api/agents/:name', access: 'admin', audit: 'agent.delete', handler: deleteAgent },
  { method: 'POST', path: '/api/agents/:name/trigger', access: 'operator', audit: 'agent.trigger', handler: triggerAgent },
  { method: 'POST', path: '/api/agents/runs/:runId/cancel', access: 'operator', audit: 'agent.cancel', handler: cancelRun },
];

// --- end of definitions, trigger and cancel --------------------------------------------------------------------

// --- Runs: history, detail with tree and timeline, logs, performance (run service) ---------------------------

const runListSchema = z
  .object({
    agent: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'an agent name (a-z 0-9 -)').optional(),
    status: z.enum(RUN_STATUSES).optional(),
    since: z.iso.datetime({ offset: true, error: 'an ISO-8601 time with an offset, e.g. 2026-11-25T00:00:00Z' }).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(500).optional(),
  });
const runLogsSchema = z
  .object({
    after: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(2000).default(500),
  });
const performanceSchema = z.object({ days: z.enum(['7', '30'], { error: 'days must be 7 or 30' }).default('7') });

export async function listRunsRoute(ctx: Ctx, s: Services): Promise<void> {
  ctx.body = await listRuns(s.runs, parseInput(runListSchema, ctx.query, 'query'));
}

export async function runDetailRoute(ctx: Ctx, s: Services): Promise<void> {
  ctx.body = await runDetail(s.runs, ctx.params.runId!);
}

export async function runLogsRoute(ctx: Ctx, s: Services): Promise<void> {
  const { after, limit } = parseInput(runLogsSchema, ctx.query, 'query');
  ctx.body = await runLogs(s.runs, ctx.params.runId!, after, limit);
}

export async function performanceRoute(ctx: Ctx, s: Services): Promise<void> {
  const { days } = parseInput(performanceSchema, ctx.query, 'query');
  ctx.body = await agentPerformance(s.runs, Number(days), s.clock.now());
}

const RUN_ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/api/agents/runs', access: 'viewer', handler: listRunsRoute },
  { method: 'GET', path: '/api/agents/runs/:runId', access: 'viewer', handler: runDetailRoute },
  { method: 'GET', path: '/api/agents/runs/:runId/logs', access: 'viewer', handler: runLogsRoute },
  { method: 'GET', path: '/api/agents/performance', access: 'viewer', handler: performanceRoute },
];

// --- end of runs -------------------------------------------------------------------------------------------

export const AGENT_ROUTES: RouteSpec[] = [...DEFINITION_ROUTES, ...RUN_ROUTES];
