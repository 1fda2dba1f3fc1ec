// Shared input validation: zod schemas in, ApiError (400, field details) out.
import { z } from 'zod';
import { badRequest } from '../http/api-error.js';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', problem: i.message }));
  throw badRequest(`The ${what} has invalid fields: ${details.map((d) => `${d.field} (${d.problem})`).join(', ')}.`, details);
}

export const usernameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{1,31}$/, 'use 2–32 lowercase letters, digits, dot, dash or underscore');
export const roleSchema = z.enum(['viewer', 'operator', 'admin']);
export const passwordSchema = z.string().min(8, 'at least 8 characters').max(200, 'at most 200 characters');

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});
