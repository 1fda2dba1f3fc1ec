// Admin management of API tokens; the secret is in the creation response only.
import { z } from 'zod';
import type { Ctx, Services } from '../http/services.js';
import { parseInput, roleSchema, tokenNameSchema } from '../domain/validation.js';
import { badRequest } from '../http/api-error.js';

const createSchema = z
  .object({
    name: tokenNameSchema,
    scope: z.enum(['api', 'ingest']),
    role: roleSchema.optional(),
    expiresAt: z.string().datetime({ offset: true }).optional(),
  })
  .strict();

export async function listTokens(ctx: Ctx, s: Services): Promise<void> {
  ctx.body = { tokens: s.tokens.list() };
}

export async function createToken(ctx: Ctx, s: Services): Promise<void> {
  const input = parseInput(createSchema, ctx.request.body, 'token');
  if (input.expiresAt && Date.parse(input.expiresAt) <= s.clock.now()) {
    throw badRequest('expiresAt is in the past.', [{ field: 'expiresAt', problem: 'must be in the future' }]);
  }
  const created = await s.tokens.create({ ...input, role: input.role ?? 'viewer' }, ctx.state.principal!.username);
  ctx.state.auditTarget = created.id;
  ctx.status = 201;
  ctx.body = { ...created.record, token: created.token };
}

export async function revokeToken(ctx: Ctx, s: Services): Promise<void> {
  const id = ctx.params.id!;
  await s.tokens.revoke(id);
  s.disconnectLive((p) => p.tokenId === id);
  ctx.status = 204;
}
