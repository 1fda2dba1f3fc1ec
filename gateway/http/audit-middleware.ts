// Writes every state-changing request to the audit trail with its outcome, including refused ones (those of
// anonymous callers summed per IP, action and reason a minute).
import type { Next } from 'koa';
import type { Ctx, Services } from './services.js';
import { ApiError } from './api-error.js';

export function auditAction(action: string, s: Services) {
  return async function audit(ctx: Ctx, next: Next): Promise<void> {
    let status = 500;
    let failure: unknown;
    try {
      await next();
      status = ctx.status;
    } catch (err) {
      failure = err;
      status = err instanceof ApiError ? err.status : 500;
    }
    const p = ctx.state.principal;
    const params = ctx.params ?? {};
    const target = ctx.state.auditTarget ?? params.name ?? params.username ?? params.id ?? undefined;
    const outcome = status < 400 ? 'ok' : status === 401 || status === 403 || status === 429 ? 'denied' : 'failed';
    const detail = ctx.state.auditDetail ?? (failure instanceof ApiError ? failure.code : undefined);
    // A refused anonymous caller is summed with its like (audit-refusals.ts): a flood of them cannot bury the trail.
    const write = !p && outcome === 'denied' ? s.audit.recordAnonymousRefusal.bind(s.audit) : s.audit.record.bind(s.audit);
    try {
      await write({
        actor: p ? p.username : 'anonymous',
        action,
        ...(target ? { target } : {}),
        outcome,
        status,
        ip: ctx.ip,
        ...(ctx.get('user-agent') ? { userAgent: ctx.get('user-agent').slice(0, 200) } : {}),
        ...(detail ? { detail } : {}),
      });
    } catch (err) {
      s.logger.error({ err, action }, 'audit write failed');
    }
    if (failure) throw failure;
  };
}
