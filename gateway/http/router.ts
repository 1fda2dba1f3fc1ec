// Builds the @koa/router from the route table: audit → access → first-password check → handler, in that
// order, so refused attempts at state-changing routes are audited too.
import Router from '@koa/router';
import type { Services, AppState, Ctx } from './services.js';
import type { RouteSpec } from '../routes/route-table.js';
import { enforceAccess, requirePasswordChanged } from '../auth/access.js';
import { auditAction } from './audit-middleware.js';

export function buildRouter(routes: readonly RouteSpec[], s: Services): Router<AppState> {
  const router = new Router<AppState>();
  for (const spec of routes) {
    const chain = [
      ...(spec.audit ? [auditAction(spec.audit, s)] : []),
      enforceAccess(spec.access, spec.scopes ?? ['api'], s.config.publicOrigin, spec.scopeAccess),
      ...(spec.allowsPendingPasswordChange ? [] : [requirePasswordChanged]),
      (ctx: Ctx) => spec.handler(ctx, s),
    ];
    // @koa/router's overloads do not narrow a computed method name; the chain is typed above.
    (router as unknown as Record<string, (path: string, ...mw: unknown[]) => void>)[spec.method.toLowerCase()]!(spec.path, ...chain);
  }
  return router;
}
