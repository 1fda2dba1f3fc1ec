// Validation of AgentEvent (docs/api.md "Ingest"): what a producer may send (`producerEventSchema`, no run.crashed —
// only the dashboard declares a crash) and what the journal may hold (`storedEventSchema`). Messages name the
// field and the rule, so a per-item rejection tells the agent author what to fix.
import { z } from 'zod';
import type { AgentEvent } from './types.js';
import { EVENT_TYPES } from './types.js';
import { checkJsonLimits, describeJsonProblem, MAX_JSON_DEPTH, type JsonLimitProblem } from '../../json-limits.js';

export const MAX_MESSAGE_BYTES = 8 * 1024;
/** trigger.params is the one free-form field of an event: at most this many bytes as JSON, MAX_JSON_DEPTH deep. */
export const MAX_PARAMS_BYTES = 16 * 1024;
export const MAX_ERROR_MESSAGE_BYTES = 4 * 1024;
export const MAX_METRICS = 50;

const RUN_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const AGENT_NAME = /^[a-z][a-z0-9-]{1,39}$/;
const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const PRODUCER_TYPES = EVENT_TYPES.filter((t) => t !== 'run.crashed');

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

// Error map of an object schema: its own wording for "not an object" and for unknown fields (refused, never
// dropped silently, so a typo like "proggress" is reported); other issues keep their field's message.
const objectErrors =
  (notObject: string, where: string) =>
  (issue: { code?: string; keys?: string[] }): string | undefined => {
    if (issue.code === 'invalid_type') return notObject;
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue.keys ?? []).map((k) => JSON.stringify(k)).join(', ');
      return `unknown field${(issue.keys?.length ?? 0) === 1 ? '' : 's'} ${keys} ${where}`;
    }
    return undefined;
  };

const runId = (field: string) =>
  z.string({ error: `${field} must be a string` }).regex(RUN_ID, `${field} must be 1–100 characters of A-Z a-z 0-9 . _ : -`);

const isoTimestamp = z
  .string({ error: 'ts must be an ISO-8601 string' })
  .pipe(z.iso.datetime({ offset: true, error: 'ts must be ISO-8601 with seconds and an offset, e.g. 2024-05-01T20:30:00Z or …+05:30' }));

const count = (field: string) =>
  z.number({ error: `${field} must be a number` }).nonnegative(`${field} must be ≥ 0`);

const progressSchema = z
  .strictObject(
    {
      done: count('progress.done'),
      total: count('progress.total'),
      label: z.string({ error: 'progress.label must be a string' }).max(500, 'progress.label must be at most 500 characters').optional(),
    },
    { error: objectErrors('progress must be an object {done, total, label?}', 'in progress') },
  )
  .refine((p) => p.done <= p.total, { message: 'progress.done must not exceed progress.total', path: ['done'] });

const METRIC_NAME_RULE = 'metric names must start with a letter and be at most 64 characters of A-Z a-z 0-9 _ . -';
const metricsSchema = z
  .record(z.string().regex(METRIC_NAME, METRIC_NAME_RULE), z.number({ error: 'metric values must be finite numbers' }), {
    error: (issue) => (issue.code === 'invalid_key' ? METRIC_NAME_RULE : issue.code === 'invalid_type' ? 'metrics must be an object {name: number}' : undefined),
  })
  .refine((m) => Object.keys(m).length <= MAX_METRICS, `metrics may hold at most ${MAX_METRICS} values per event`);

const errorSchema = z.strictObject(
  {
    message: z
      .string({ error: 'error.message must be a string' })
      .min(1, 'error.message must not be empty')
      .refine((m) => utf8Bytes(m) <= MAX_ERROR_MESSAGE_BYTES, `error.message must be at most ${MAX_ERROR_MESSAGE_BYTES} bytes`),
    code: z.string({ error: 'error.code must be a string' }).min(1).max(100, 'error.code must be at most 100 characters').optional(),
  },
  { error: objectErrors('error must be an object {message, code?}', 'in error') },
);

/** The limits of trigger params (here, in the trigger route and on stdout): depth first, then bytes. */
export function paramsProblem(params: unknown, field = 'params'): JsonLimitProblem | null {
  return checkJsonLimits(params, field, { maxDepth: MAX_JSON_DEPTH, maxBytes: MAX_PARAMS_BYTES });
}

/**
 * The first event of a batch whose free-form field breaks the JSON limits. The ingest route refuses the whole
 * request for it (400, nothing stored): unlike a wrong field, it is a payload no agent sends by mistake.
 */
export function batchLimitProblem(events: readonly unknown[]): JsonLimitProblem | null {
  for (let i = 0; i < events.length; i++) {
    const trigger = (events[i] as { trigger?: unknown } | null)?.trigger;
    const params = typeof trigger === 'object' && trigger !== null ? (trigger as { params?: unknown }).params : undefined;
    if (params === undefined) continue;
    const problem = paramsProblem(params, `events.${i}.trigger.params`);
    if (problem) return problem;
  }
  return null;
}

const triggerSchema = z.strictObject(
  {
    kind: z.enum(['manual', 'schedule', 'external', 'parent'], { error: 'trigger.kind must be manual, schedule, external or parent' }),
    by: z.string().max(100, 'trigger.by must be at most 100 characters').optional(),
    scheduledFor: isoTimestamp.optional(),
    params: z
      .record(z.string(), z.unknown(), { error: 'trigger.params must be an object' })
      .superRefine((params, ctx) => {
        const problem = paramsProblem(params, 'trigger.params');
        if (problem) ctx.addIssue({ code: 'custom', message: describeJsonProblem(problem) });
      })
      .optional(),
  },
  { error: objectErrors('trigger must be an object {kind, by?, scheduledFor?, params?}', 'in trigger') },
);

function eventSchema(types: readonly [string, ...string[]]) {
  return z
    .strictObject(
      {
        id: z.string({ error: 'id must be a string' }).min(1, 'id must not be empty').max(200, 'id must be at most 200 characters'),
        type: z.enum(types as [AgentEvent['type'], ...AgentEvent['type'][]], { error: `type must be one of ${types.join(', ')}` }),
        runId: runId('runId'),
        agent: z.string({ error: 'agent must be a string' }).regex(AGENT_NAME, 'agent must be 2–40 characters of a-z 0-9 -, starting with a letter'),
        parentRunId: runId('parentRunId').optional(),
        seq: z.number({ error: 'seq must be a number' }).int('seq must be an integer').nonnegative('seq must be ≥ 0').optional(),
        ts: isoTimestamp,
        progress: progressSchema.optional(),
        level: z.enum(['debug', 'info', 'warn', 'error'], { error: 'level must be debug, info, warn or error' }).optional(),
        message: z
          .string({ error: 'message must be a string' })
          .refine((m) => utf8Bytes(m) <= MAX_MESSAGE_BYTES, `message must be at most ${MAX_MESSAGE_BYTES} bytes`)
          .optional(),
        metrics: metricsSchema.optional(),
        error: errorSchema.optional(),
        trigger: triggerSchema.optional(),
      },
      { error: objectErrors('an event must be an object', 'in the event') },
    )
    .superRefine((event, ctx) => {
      // Each type needs the field it is about; without it the event would say nothing.
      if (event.type === 'run.progress' && !event.progress) ctx.addIssue({ code: 'custom', path: ['progress'], message: 'run.progress needs progress {done, total}' });
      if (event.type === 'run.log' && event.message === undefined) ctx.addIssue({ code: 'custom', path: ['message'], message: 'run.log needs a message' });
      if (event.type === 'run.metric' && (!event.metrics || Object.keys(event.metrics).length === 0)) {
        ctx.addIssue({ code: 'custom', path: ['metrics'], message: 'run.metric needs at least one metric' });
      }
      if (event.runId === event.parentRunId) ctx.addIssue({ code: 'custom', path: ['parentRunId'], message: 'parentRunId must differ from runId' });
    });
}

/** What the ingest API and a launched process's stdout may send. */
export const producerEventSchema = eventSchema(PRODUCER_TYPES as [string, ...string[]]);
/** What the journal may hold (the dashboard's own run.crashed included); replay validates with this. */
export const storedEventSchema = eventSchema(EVENT_TYPES as unknown as [string, ...string[]]);

export interface EventIssue {
  path: string;
  message: string;
}
export type EventValidation = { ok: true; event: AgentEvent } | { ok: false; error: string; issues: EventIssue[] };

/** Validates one item; on failure `error` is one line ("seq: seq must be ≥ 0; ts: …") for per-item rejections. */
export function validateEvent(input: unknown, schema: typeof producerEventSchema = producerEventSchema): EventValidation {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, event: parsed.data as AgentEvent };
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  return { ok: false, error: issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), issues };
}
