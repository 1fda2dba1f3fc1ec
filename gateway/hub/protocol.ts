// Wire protocol of the live hub (docs/api.md "WebSocket /ws"): topics, frame shape, close codes,
// and the zod validation of what a client may send.
import { z } from 'zod';
import { compileTailFilter, tailFilterSchema, TailFilterError } from '../domain/logs/log-tail.js';
import type { TailFilter } from '../domain/logs/log-tail.js';

export const TOPICS = ['status', 'processes', 'agents', 'logs', 'webhook', 'alerts', 'backups'] as const;
export type Topic = (typeof TOPICS)[number];

/** Every server → client message. `topic: "hub"` with seq 0 is reserved for protocol errors. */
export interface HubFrame<T = unknown> {
  topic: Topic | 'hub';
  seq: number;
  type: string;
  data: T;
}

export type HubErrorCode = 'bad_json' | 'bad_message' | 'unknown_topic' | 'topic_forbidden' | 'snapshot_failed' | 'invalid_regex';
export interface HubErrorData {
  code: HubErrorCode;
  message: string;
  details?: unknown;
}

export const CLOSE_CODES = {
  goingAway: 1001, // hub.close(): server shutting down
  signedOut: 4001, // default of hub.disconnect(): logout / user disabled / token revoked
  slowConsumer: 4008, // bufferedAmount over the limit; the client re-syncs from a snapshot
} as const;

/**
 * Topics whose keyed frames (key = runId) reach only clients that name the key in their filter: logs are sent
 * only for runs a client watches. On every other topic a client without a filter receives every frame.
 */
export const WATCH_ONLY_TOPICS: ReadonlySet<Topic> = new Set<Topic>(['logs']);
export const MAX_FILTER_KEYS = 100;

const topicList = z.array(z.string().min(1).max(40)).min(1).max(TOPICS.length * 2);
const runIdList = z.array(z.string().min(1).max(100), { error: 'runIds must be an array of run ids' }).max(MAX_FILTER_KEYS, `at most ${MAX_FILTER_KEYS} runIds`);

export const clientMessageSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('subscribe'),
    topics: topicList,
    // Last seq the client holds per topic; keys outside `topics` are ignored.
    since: z.record(z.string(), z.number().int().nonnegative()).optional(),
    // Keyed frames of these topics reach the client only for these keys (run ids); see WATCH_ONLY_TOPICS.
    // `tail` (topic logs only) turns on the live log tail with that filter (docs/log-center.md).
    filter: z.strictObject({ runIds: runIdList.optional(), tail: tailFilterSchema.nullable().optional() }).optional(),
  }),
  z.object({ op: z.literal('unsubscribe'), topics: topicList }),
  // Replaces the filter of one topic in place (no new snapshot); subscribes first when not subscribed.
  // An absent field keeps its current value; `tail: null` pauses the log tail.
  z.object({
    op: z.literal('watch'),
    topic: z.string().min(1).max(40).default('logs'),
    runIds: runIdList.optional(),
    tail: tailFilterSchema.nullable().optional(),
  }),
]);

type RawClientMessage = z.infer<typeof clientMessageSchema>;
export interface SubscriptionFilter {
  /** Absent: no run filter (on `logs`, no run-log frames). */
  runIds?: string[];
  /** The log tail's filter (topic logs); absent or null: no tail. */
  tail?: TailFilter | null;
}
export type SubscribeMessage = { op: 'subscribe'; topics: Topic[]; since?: Partial<Record<Topic, number>>; filter?: SubscriptionFilter };
export type UnsubscribeMessage = { op: 'unsubscribe'; topics: Topic[] };
export type WatchMessage = { op: 'watch'; topic: Topic; runIds?: string[]; tail?: TailFilter | null };
export type ClientMessage = SubscribeMessage | UnsubscribeMessage | WatchMessage;

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; error: HubErrorData };

export function isTopic(value: string): value is Topic {
  return (TOPICS as readonly string[]).includes(value);
}

/** Text of one client message → a validated message, or the error to send back (the connection stays). */
export function parseClientMessage(text: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: 'bad_json', message: 'Message is not valid JSON.' } };
  }
  const parsed = clientMessageSchema.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    return {
      ok: false,
      error: {
        code: 'bad_message',
        message:
          'Expected {"op":"subscribe","topics":[...],"since"?:{topic:seq},"filter"?:{"runIds"?:[...],"tail"?:{...}}}, ' +
          '{"op":"unsubscribe","topics":[...]} or {"op":"watch","topic"?:"logs","runIds"?:[...],"tail"?:{...}|null}, ' +
          'where tail is {"q"?:string,"regex"?:boolean,"caseSensitive"?:boolean,"level"?:level|null,"sources"?:[...]}.',
        details,
      },
    };
  }
  const tail = parsed.data.op === 'unsubscribe' ? undefined : parsed.data.op === 'watch' ? parsed.data.tail : parsed.data.filter?.tail;
  if (tail) {
    try {
      compileTailFilter(tail);
    } catch (err) {
      if (!(err instanceof TailFilterError)) throw err;
      return { ok: false, error: { code: err.code, message: err.message, details: { field: 'tail.q' } } };
    }
  }
  return checkTopics(parsed.data);
}

// A message naming any unknown topic is refused whole, so a typo never half-applies.
function checkTopics(raw: RawClientMessage): ParseResult {
  const named = raw.op === 'watch' ? [raw.topic] : raw.topics;
  const unknown = named.filter((t) => !isTopic(t));
  if (unknown.length > 0) {
    return {
      ok: false,
      error: {
        code: 'unknown_topic',
        message: `Unknown topic ${unknown.map((t) => JSON.stringify(t)).join(', ')}; allowed topics: ${TOPICS.join(', ')}.`,
        details: { unknown, allowed: [...TOPICS] },
      },
    };
  }
  const topics = [...new Set(named)].filter(isTopic);
  if (raw.op === 'watch') {
    const message: WatchMessage = { op: 'watch', topic: topics[0]! };
    if (raw.runIds !== undefined) message.runIds = [...new Set(raw.runIds)];
    if (raw.tail !== undefined) message.tail = raw.tail;
    return { ok: true, message };
  }
  if (raw.op === 'unsubscribe') return { ok: true, message: { op: 'unsubscribe', topics } };
  const since: Partial<Record<Topic, number>> = {};
  for (const [topic, seq] of Object.entries(raw.since ?? {})) {
    if (isTopic(topic) && topics.includes(topic)) since[topic] = seq;
  }
  let filter: SubscriptionFilter | undefined;
  if (raw.filter) {
    filter = {};
    if (raw.filter.runIds !== undefined) filter.runIds = [...new Set(raw.filter.runIds)];
    if (raw.filter.tail !== undefined) filter.tail = raw.filter.tail;
  }
  return { ok: true, message: { op: 'subscribe', topics, since, ...(filter ? { filter } : {}) } };
}

/**
 * Whether a frame of `topic` with `key` goes to a subscription with `filter` (undefined = no filter).
 * Unkeyed frames go to every subscriber; keyed ones to a filter naming the key, or, without a filter,
 * everywhere except on WATCH_ONLY_TOPICS.
 */
export function wantsFrame(topic: Topic, filter: ReadonlySet<string> | undefined, key: string | undefined): boolean {
  if (key === undefined) return true;
  if (filter) return filter.has(key);
  return !WATCH_ONLY_TOPICS.has(topic);
}

/** Protocol error frames are rare and per client, so they are serialised on their own. */
export function encodeErrorFrame(error: HubErrorData): Buffer {
  const frame: HubFrame<HubErrorData> = { topic: 'hub', seq: 0, type: 'error', data: error };
  return Buffer.from(JSON.stringify(frame));
}
