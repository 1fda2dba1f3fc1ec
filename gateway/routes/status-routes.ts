// Liveness, the full status snapshot, metric history, PM2 processes and their actions.
import etag from 'etag';
import { z } from 'zod';
import type { Ctx, Services } from '../http/services.js';
import { parseInput } from '../domain/validation.js';
import { ApiError } from '../http/api-error.js';

const OPS = ['start', 'stop', 'restart', 'reload'] as const;
const historySchema = z.object({ minutes: z.coerce.number().int().min(1).max(1440).default(60) });

/** 503 until start-up has finished and again once shutdown began, so PM2 and balancers wait or drain. */
export async function liveness(ctx: Ctx, s: Services): Promise<void> {
  ctx.set('Cache-Control', 'no-store');
  const state = s.lifecycle();
  ctx.status = state === 'ready' ? 200 : 503;
  ctx.body = { status: state === 'ready' ? 'ok' : state };
}

// The ETag of each health body; a body is shared by every request until it is rebuilt (about once a second).
const healthTags = new WeakMap<Buffer, string>();

/**
 * The cached snapshot bytes (SystemStatus.healthBytes), with an ETag: a caller that sends it back in
 * If-None-Match gets 304 while the snapshot is unchanged. Only after the access rule, like the body.
 */
export async function health(ctx: Ctx, s: Services): Promise<void> {
  const body = s.status.healthBytes();
  let tag = healthTags.get(body);
  if (tag === undefined) healthTags.set(body, (tag = etag(body)));
  ctx.set('Cache-Control', 'no-store');
  ctx.set('ETag', tag);
  ctx.set('Content-Type', 'application/json; charset=utf-8');
  ctx.body = body;
  if (ctx.fresh) {
    ctx.status = 304;
    ctx.body = null;
  }
}

export async function systemHistory(ctx: Ctx, s: Services): Promise<void> {
  const { minutes } = parseInput(historySchema, ctx.query, 'query');
  ctx.body = { samples: s.status.history(minutes) };
}

export async function listProcesses(ctx: Ctx, s: Services): Promise<void> {
  ctx.body = await s.pm2.list();
}

export async function processAction(ctx: Ctx, s: Services): Promise<void> {
  const op = ctx.params.op as (typeof OPS)[number];
  if (!OPS.includes(op)) throw new ApiError(404, 'not_found', `Unknown process action "${ctx.params.op}"; use ${OPS.join(', ')}.`);
  ctx.state.auditDetail = op;
  const process = await s.pm2.action(ctx.params.name!, op);
  void s.status.refreshProcesses();
  ctx.body = { process };
}
