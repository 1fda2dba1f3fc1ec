// Admin management of user accounts (docs/api.md "Sign-in, users and tokens").
import { z } from 'zod';
import type { Ctx, Services } from '../http/services.js';
import { parseInput, passwordSchema, roleSchema, usernameSchema } from '../domain/validation.js';

const createSchema = z.object({ username: usernameSchema, password: passwordSchema, role: roleSchema }).strict();
const patchSchema = z
  .object({ role: roleSchema.optional(), password: passwordSchema.optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one of role, password, disabled');

function endSessionsOf(username: string, s: Services): void {
  s.sessions.destroyWhere((d) => d.username === username);
  s.disconnectLive((p) => p.username === username);
}

export async function listUsers(ctx: Ctx, s: Services): Promise<void> {
  ctx.body = { users: s.users.list() };
}

export async function createUser(ctx: Ctx, s: Services): Promise<void> {
  const input = parseInput(createSchema, ctx.request.body, 'user');
  ctx.state.auditTarget = input.username;
  ctx.status = 201;
  ctx.body = { user: await s.users.create(input) };
}

export async function patchUser(ctx: Ctx, s: Services): Promise<void> {
  const username = ctx.params.username!;
  const changes = parseInput(patchSchema, ctx.request.body, 'user change');
  const user = await s.users.update(username, changes);
  if (changes.disabled || changes.password !== undefined || changes.role !== undefined) endSessionsOf(username, s);
  ctx.state.auditDetail = Object.keys(changes).join(',');
  ctx.body = { user };
}

export async function deleteUser(ctx: Ctx, s: Services): Promise<void> {
  const username = ctx.params.username!;
  await s.users.remove(username);
  endSessionsOf(username, s);
  ctx.status = 204;
}
