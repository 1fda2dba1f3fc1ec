// Shared input validation: zod schemas in, ApiError (400, field details) out; the same for the JSON limits
// (json-limits.ts) of free-form fields.
import { z } from 'zod';
import { badRequest, jsonLimitError } from '../http/api-error.js';
import { checkJsonLimits, type JsonLimits } from '../json-limits.js';
import { passwordProblems } from './password-policy.js';

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
/** A new password (create, change, reset): the whole policy, each problem its own field error. */
export const passwordSchema = z.string().superRefine((value, ctx) => {
  for (const problem of passwordProblems(value)) ctx.addIssue({ code: 'custom', message: problem });
});

// Control (Cc), format (Cf: bidi overrides, zero-width characters), surrogate (Cs) and private-use (Co) characters
// and the line and paragraph separators: invisible or reordering in a list, a log line or the audit trail.
// Unassigned code points (Cn) pass: a newer emoji must not be refused by an older Unicode table.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]/u;
export const PRINTABLE_PROBLEM = 'printable characters only (no control, format or bidi characters, no line breaks)';
export const isPrintable = (value: string): boolean => !UNPRINTABLE.test(value);

/** A display name someone typed (token names, …): trimmed, 1–max characters, printable. */
export const printableNameSchema = (max: number) => z.string().trim().min(1).max(max).refine(isPrintable, PRINTABLE_PROBLEM);
export const tokenNameSchema = printableNameSchema(80);

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

/** Throws jsonLimitError when `value` breaks its limits. */
export function assertJsonLimits(value: unknown, field: string, limits: JsonLimits = {}, what = 'request'): void {
  const problem = checkJsonLimits(value, field, limits);
  if (problem) throw jsonLimitError(problem, what);
}
