// Reading the audit trail (admin), newest first, filtered and paged.
import { z } from 'zod';
import type { Ctx, Services } from '../http/services.js';
import { parseInput } from '../domain/validation.js';

const querySchema = z.object({
  actor: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  since: z.string().datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

export async function listAudit(ctx: Ctx, s: Services): Promise<void> {
  const q = parseInput(querySchema, ctx.query, 'query');
  const res = await s.audit.query(q);
  ctx.body = { items: res.items, nextCursor: res.nextCursor };
}
