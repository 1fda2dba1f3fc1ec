// Sign-in, sign-out, "who am I" (with the CSRF token) and changing one's own password.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Ctx, Services } from '../http/services.js';
import { isPrintable, parseInput, passwordSchema, PRINTABLE_PROBLEM } from '../domain/validation.js';
import { InvalidCredentialsError } from '../domain/users.js';
import { ApiError, unavailable } from '../http/api-error.js';

// Sign-in takes any password up to the old limit (accounts made before the policy must still sign in), and a
// username that could be stored: a refused one never reaches the audit trail.
const loginSchema = z.object({ username: z.string().min(1).max(64).refine(isPrintable, PRINTABLE_PROBLEM), password: z.string().min(1).max(200) });
const passwordChangeSchema = z
  .object({ currentPassword: z.string().min(1).max(200), newPassword: passwordSchema })
  // Keeping a generated first password (it sits in a file) or a known one is no change at all.
  .refine((v) => v.newPassword !== v.currentPassword, { path: ['newPassword'], message: 'must differ from the current password' });

export async function login(ctx: Ctx, s: Services): Promise<void> {
  const { username, password } = parseInput(loginSchema, ctx.request.body, 'sign-in');
  ctx.state.auditTarget = username;
  // Counted before the password check: a failure stays counted, a success is given back.
  const attempt = await s.loginThrottle.begin(username, ctx.ip);
  const user = await s.users.verify(username, password);
  if (!user) throw new InvalidCredentialsError();
  await attempt.succeeded();
  // A new session id at every sign-in: a planted pre-login cookie is worthless.
  await ctx.session!.regenerate();
  ctx.session!.username = user.username;
  ctx.session!.csrfToken = randomBytes(24).toString('base64url');
  ctx.session!.createdAt = s.clock.now();
  const mustChangePassword = user.mustChangePassword === true;
  ctx.state.principal = {
    kind: 'session', id: `user:${user.username}`, username: user.username, role: user.role, scope: 'api',
    ...(mustChangePassword ? { mustChangePassword: true } : {}),
  };
  // The sign-in succeeds either way; with mustChangePassword every other route answers 403 until it is changed.
  ctx.body = { user: { username: user.username, role: user.role }, mustChangePassword };
}

export async function logout(ctx: Ctx, s: Services): Promise<void> {
  const sessionId = ctx.state.principal?.sessionId;
  // koa-session clears the cookie and ends the session when the request is done, whatever happens here.
  ctx.session = null;
  if (sessionId) {
    s.disconnectLive((p) => p.sessionId === sessionId);
    // Ended here rather than by koa-session, so a write that failed is answered plainly.
    await s.sessions.end(sessionId).catch(() => {
      throw unavailable(
        'sign_out_not_saved',
        'You are signed out, but the sign-out could not be saved yet. It is saved at the next successful write; a server restart before then would bring this session back.',
      );
    });
  }
  ctx.status = 204;
}

export async function me(ctx: Ctx): Promise<void> {
  ctx.body = whoAmI(ctx);
}

function whoAmI(ctx: Ctx) {
  const p = ctx.state.principal!;
  return {
    user: { username: p.username, role: p.role, kind: p.kind },
    csrfToken: p.kind === 'session' ? ctx.session?.csrfToken ?? null : null,
    mustChangePassword: p.mustChangePassword === true,
  };
}

/**
 * `GET /api/auth/session`: what `GET /api/auth/me` answers when signed in, and 200 `{user: null}` when not — the
 * sign-in page asks it of visitors who are mostly signed out, so that is an answer, not an error. An ingest
 * token is nobody here (it may call only the ingest API).
 */
export async function session(ctx: Ctx): Promise<void> {
  const p = ctx.state.principal;
  ctx.body = p && p.scope === 'api' ? whoAmI(ctx) : { user: null, csrfToken: null, mustChangePassword: false };
}

export async function changeOwnPassword(ctx: Ctx, s: Services): Promise<void> {
  const p = ctx.state.principal!;
  if (p.kind !== 'session') throw new ApiError(403, 'session_required', 'Only a signed-in user can change their password (not an API token).');
  const { currentPassword, newPassword } = parseInput(passwordChangeSchema, ctx.request.body, 'password change');
  ctx.state.auditTarget = p.username;
  if (!(await s.users.verify(p.username, currentPassword))) {
    throw new ApiError(400, 'wrong_password', 'The current password is wrong.', [{ field: 'currentPassword', problem: 'does not match' }]);
  }
  await s.users.update(p.username, { password: newPassword });
  // Other sessions of this user end; this one continues.
  const keep = p.sessionId;
  s.sessions.destroyWhere((d, key) => d.username === p.username && key !== keep);
  s.disconnectLive((x) => x.username === p.username && x.sessionId !== keep);
  ctx.status = 204;
}
