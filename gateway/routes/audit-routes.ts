// Reading the audit trail (admin), newest first, filtered and paged.
import { z } from 'zod';
import type { Ctx, Services } from '../http/services.js';
import { parseInput } from '../domain/validation.js';
import { ApiError } from '../http/api-error.js';
import { decodeCursor } from '../store/journal-reader.js';

const querySchema = z.object({
  actor: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  since: z.string().datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

export async function listAudit(ctx: Ctx, s: Services): Promise<void> {
  const q = parseInput(querySchema, ctx.query, 'query');
  // A cursor the reader would reject is the caller's mistake (400), not a failed task (500).
  if (q.cursor !== undefined && !isDescendingCursor(q.cursor)) {
    throw new ApiError(400, 'invalid_cursor', 'The cursor is malformed; pass the nextCursor of the previous page unchanged.', [
      { field: 'cursor', problem: 'not a cursor from this list' },
    ]);
  }
  const res = await s.audit.query(q);
  ctx.body = { items: res.items, nextCursor: res.nextCursor };
}

function isDescendingCursor(cursor: string): boolean {
  try {
    return decodeCursor(cursor).order === 'desc';
  } catch {
    return false;
  }
}
