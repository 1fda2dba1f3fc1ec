// Applies a route's access rule: authentication, token scope, minimum role, then CSRF and Origin
// checks for cookie-authenticated state-changing requests.
import { timingSafeEqual } from 'node:crypto';
import type { Next } from 'koa';
import type { Ctx } from '../http/services.js';
import type { Role } from './role.js';
import { roleAtLeast } from './role.js';
import { ApiError } from '../http/api-error.js';

export type Access = 'public' | Role;
export type Scope = 'api' | 'ingest';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function originAllowed(origin: string | undefined, host: string | undefined, protocol: string, publicOrigin?: string): boolean {
  if (!origin) return true;
  if (publicOrigin && origin === publicOrigin) return true;
  return host !== undefined && (origin === `${protocol}://${host}` || origin === `http://${host}` || origin === `https://${host}`);
}

function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `scopeAccess` overrides the minimum role for a scope (e.g. ingest tokens of any role on the ingest route). */
export function enforceAccess(access: Access, scopes: readonly Scope[], publicOrigin?: string, scopeAccess?: Partial<Record<Scope, Access>>) {
  return async function checkAccess(ctx: Ctx, next: Next): Promise<void> {
    const unsafe = !SAFE_METHODS.has(ctx.method);
    const principal = ctx.state.principal;
    const viaCookie = !principal || principal.kind === 'session';
    // Browsers always send Origin on cross-site unsafe requests; a mismatch is a forged request.
    if (unsafe && viaCookie && !originAllowed(ctx.get('origin') || undefined, ctx.host, ctx.protocol, publicOrigin)) {
      throw new ApiError(403, 'origin_mismatch', 'The request came from another site (Origin does not match).');
    }
    if (access === 'public') return next();
    if (!principal) throw new ApiError(401, 'unauthenticated', 'Sign in first (or send an API token).');
    if (!scopes.includes(principal.scope)) {
      throw new ApiError(403, 'token_scope', `A token with scope "${principal.scope}" cannot call this route.`);
    }
    const need = scopeAccess?.[principal.scope] ?? access;
    if (need !== 'public' && !roleAtLeast(principal.role, need)) {
      throw new ApiError(403, 'forbidden', `This needs the ${need} role; you are ${principal.role}.`);
    }
    if (unsafe && principal.kind === 'session') {
      const expected = ctx.session?.csrfToken;
      const sent = ctx.get('x-csrf-token');
      if (typeof expected !== 'string' || !sent || !tokensEqual(sent, expected)) {
        throw new ApiError(403, 'csrf_failed', 'Missing or wrong X-CSRF-Token header (get it from GET /api/auth/me).');
      }
    }
    return next();
  };
}

/**
 * Refuses every route not marked for it while the session's user must replace a generated first password
 * (only sign-out, "who am I" and the change itself are marked). Tokens are never in that state.
 */
export async function requirePasswordChanged(ctx: Ctx, next: Next): Promise<void> {
  if (ctx.state.principal?.mustChangePassword) {
    throw new ApiError(403, 'password_change_required', 'Choose a new password first (POST /api/auth/password); until then only that, sign-out and GET /api/auth/me are allowed.');
  }
  return next();
}
