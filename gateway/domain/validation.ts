// Shared input validation: zod schemas in, ApiError (400, field details) out; the same for the JSON limits
// (json-limits.ts) of free-form fields.
import { z } from 'zod';
import { badRequest, jsonLimitError } from '../http/api-error.js';
import { checkJsonLimits, type JsonLimits } from '../json-limits.js';

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

/** Throws jsonLimitError when `value` breaks its limits. */
export function assertJsonLimits(value: unknown, field: string, limits: JsonLimits = {}, what = 'request'): void {
  const problem = checkJsonLimits(value, field, limits);
  if (problem) throw jsonLimitError(problem, what);
}
