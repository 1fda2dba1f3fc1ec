// Resolves who is calling: a bearer API token, else the cookie session. Never rejects by itself —
// the route's access rule decides (public routes must still work for anonymous callers).
import type { Next } from 'koa';
import type { Ctx, Services } from '../http/services.js';
import type { Principal } from './principal.js';
import { ApiError } from '../http/api-error.js';

export function authenticate(s: Services) {
  return async function resolvePrincipal(ctx: Ctx, next: Next): Promise<void> {
    const header = ctx.get('authorization');
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const principal = m ? s.tokens.authenticate(m[1]!) : null;
      if (!principal) throw new ApiError(401, 'invalid_token', 'The API token is unknown, revoked, expired or malformed.');
      ctx.state.principal = principal;
      return next();
    }
    const principal = sessionPrincipal(ctx, s);
    if (principal) ctx.state.principal = principal;
    return next();
  };
}

function sessionPrincipal(ctx: Ctx, s: Services): Principal | null {
  const session = ctx.session;
  const username = session && typeof session.username === 'string' ? session.username : null;
  if (!session || !username) return null;
  // The role is read from the user record each time, so a role change or a disable applies at once.
  const user = s.users.get(username);
  if (!user || user.disabled) {
    ctx.session = null;
    return null;
  }
  const sessionId = session.externalKey;
  return {
    kind: 'session', id: `user:${user.username}`, username: user.username, role: user.role, scope: 'api',
    ...(sessionId ? { sessionId } : {}),
    ...(user.mustChangePassword ? { mustChangePassword: true } : {}),
  };
}
