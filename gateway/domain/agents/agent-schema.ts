// Validation of agent definitions and schedules as admins send them: names, launch commands, cron patterns
// (parsed by croner, so what is accepted here is exactly what the scheduler can run) and IANA timezones.
import { Cron } from 'croner';
import { z } from 'zod';
import { checkJsonLimits, MAX_JSON_DEPTH, type JsonLimitProblem } from '../../json-limits.js';

export const DEFAULT_TIMEZONE = 'Asia/Kolkata';
/** A definition is kept in db.json, rewritten whole on every change: its launch (command, args, env) is bounded. */
export const MAX_LAUNCH_BYTES = 64 * 1024;
export const MAX_ENV_VARS = 100;

/** The ingest API's agent-name rule (event-schema.ts), so every defined agent can report runs. */
export const agentNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,39}$/, 'use 2–40 lowercase letters, digits or dashes, starting with a letter');

/** Set by the launcher for every run; a definition may not override them. */
export const RESERVED_ENV = ['DASHBOARD_INGEST_URL', 'DASHBOARD_INGEST_TOKEN', 'RUN_ID', 'PARENT_RUN_ID'] as const;

export function timezoneProblem(timezone: string): string | null {
  try {
    // Throws RangeError for names the runtime's IANA database does not know (aliases like UTC are fine).
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return null;
  } catch {
    return `unknown timezone "${timezone}" (use an IANA name such as Asia/Kolkata)`;
  }
}

export function cronProblem(pattern: string, timezone = 'UTC'): string | null {
  const fields = pattern.trim().split(/\s+/);
  // Croner also takes seconds/years; minute resolution is what missed-run detection and the UI reason in.
  if (!pattern.trim().startsWith('@') && fields.length !== 5) {
    return `"${pattern}" needs exactly 5 fields (minute hour day-of-month month day-of-week)`;
  }
  try {
    const next = new Cron(pattern, { timezone }).nextRun();
    if (!next) return `"${pattern}" never fires`;
    return null;
  } catch (err) {
    return `"${pattern}" is not a valid cron pattern (${(err as Error).message.replace(/^CronPattern: /, '')})`;
  }
}

const cronSchema = z
  .string()
  .trim()
  .min(1, 'empty cron pattern')
  .max(100)
  .superRefine((pattern, ctx) => {
    const problem = cronProblem(pattern);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const timezoneSchema = z
  .string()
  .min(1)
  .max(64)
  .superRefine((tz, ctx) => {
    const problem = timezoneProblem(tz);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const scheduleSchema = z
  .object({
    crons: z.array(cronSchema).min(1, 'at least one cron pattern').max(10),
    timezone: timezoneSchema.default(DEFAULT_TIMEZONE),
    enabled: z.boolean().default(true),
  })
  .strict();

const envNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'environment variable names are letters, digits and _')
  .refine((name) => !(RESERVED_ENV as readonly string[]).includes(name), 'set by the dashboard for every run');

export const launchSchema = z
  .object({
    command: z.string().trim().min(1, 'empty command').max(500),
    args: z.array(z.string().max(2000)).max(100).default([]),
    cwd: z.string().trim().min(1).max(500).optional(),
    env: z
      .record(envNameSchema, z.string().max(10_000))
      .refine((env) => Object.keys(env).length <= MAX_ENV_VARS, `at most ${MAX_ENV_VARS} environment variables`)
      .optional(),
    timeoutSeconds: z.number().int().min(1).max(7 * 86_400).default(3600),
    maxConcurrent: z.number().int().min(1).max(50).default(1),
  })
  .strict();

/** On PUT, `envKeys` (what GET /api/agents shows instead of the secret values) names stored variables to
 *  keep as they are, so a definition read and sent back unchanged keeps its environment. */
const launchUpdateSchema = launchSchema.extend({
  envKeys: z.array(envNameSchema).max(MAX_ENV_VARS).optional(),
});

const definitionFields = {
  parent: agentNameSchema.nullable(),
  description: z.string().max(2000),
  launch: launchSchema.nullable(),
  schedule: scheduleSchema.nullable(),
  example: z.boolean(),
};

/** POST /api/agents: a whole definition; omitted fields take their empty value. */
export const createAgentSchema = z
  .object({
    name: agentNameSchema,
    parent: definitionFields.parent.default(null),
    description: definitionFields.description.default(''),
    launch: definitionFields.launch.default(null),
    schedule: definitionFields.schedule.default(null),
    example: definitionFields.example.default(false),
  })
  .strict();

/** PUT /api/agents/:name: the fields sent replace the stored ones (null clears launch/schedule/parent). */
export const updateAgentSchema = z
  .object({
    // Accepted so a client can send back what it read, but a rename is not an edit (see the route).
    name: agentNameSchema.optional(),
    parent: definitionFields.parent.optional(),
    description: definitionFields.description.optional(),
    launch: launchUpdateSchema.nullable().optional(),
    schedule: definitionFields.schedule.optional(),
    example: definitionFields.example.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).some((k) => k !== 'name'), 'send at least one field to change');

/** PUT /api/schedules/:agent (docs/api.md): `cron` is one pattern or a list. */
export const schedulePutSchema = z
  .object({
    cron: z.union([cronSchema, z.array(cronSchema).min(1, 'at least one cron pattern').max(10)]),
    timezone: timezoneSchema.default(DEFAULT_TIMEZONE),
    enabled: z.boolean().default(true),
  })
  .strict();

export type CreateAgentInput = z.infer<typeof createAgentSchema>;
export type UpdateAgentInput = z.infer<typeof updateAgentSchema>;

/**
 * The JSON limits of a definition as sent (POST or PUT): it nests no deeper than any free-form field may, and its
 * launch stays within MAX_LAUNCH_BYTES. Checked before the schema, so the answer names the limit, not a type.
 */
export function definitionLimitProblem(body: unknown): JsonLimitProblem | null {
  const deep = checkJsonLimits(body, '(body)', { maxDepth: MAX_JSON_DEPTH });
  if (deep) return deep;
  const launch = typeof body === 'object' && body !== null ? (body as { launch?: unknown }).launch : undefined;
  return launch === undefined || launch === null ? null : checkJsonLimits(launch, 'launch', { maxBytes: MAX_LAUNCH_BYTES });
}
