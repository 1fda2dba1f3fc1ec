// The contract's Event (docs/webhook-contract.md "Event"): zod schemas per type, and the classification
// of anything received into a stored event, an unknown type, or a malformed one (counted, never fatal).
import { z } from 'zod';
import { checkJsonLimits, describeJsonProblem, MAX_JSON_DEPTH } from '../../json-limits.js';

export const BUTTONS = ['RETRIEVE_CONTENT', 'UNLOCK_CONTENT', 'SHARE_WITH_CLIENTS'] as const;
export type Button = (typeof BUTTONS)[number];
export const EVENT_TYPES = ['button_click', 'chat_message', 'delivery_status', 'status'] as const;
export type WebhookEventType = (typeof EVENT_TYPES)[number];
export const DELIVERY_STATES = ['sent', 'delivered', 'read', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
/** Unknown extra fields are kept, so an event is bounded as a whole: contract events are a few hundred bytes. */
export const MAX_EVENT_BYTES = 16 * 1024;

const isoTs = z.iso.datetime({ offset: true });
const text = (max: number) => z.string().min(1).max(max);
const ms = z.number().finite().nonnegative();

// Unknown extra fields are kept (a newer webhook may add some); the known ones must be right.
const common = {
  id: text(200),
  seq: z.number().int().nonnegative(),
  ts: isoTs,
};

export const buttonClickSchema = z.looseObject({
  ...common,
  type: z.literal('button_click'),
  waId: text(64),
  advisorId: text(100).optional(),
  button: z.enum(BUTTONS),
  contentId: text(200).optional(),
  responseMs: ms,
  outcome: z.enum(['success', 'error']),
  error: z.string().max(2000).optional(),
});

export const chatMessageSchema = z.looseObject({
  ...common,
  type: z.literal('chat_message'),
  conversationId: text(200),
  waId: text(64),
  advisorId: text(100).optional(),
  direction: z.enum(['inbound', 'outbound']),
  chars: z.number().int().nonnegative(),
  replyMs: ms.optional(),
  aiQuality: z.number().min(1).max(5).optional(),
  state: z.enum(['active', 'completed', 'abandoned']),
});

export const deliveryStatusSchema = z.looseObject({
  ...common,
  type: z.literal('delivery_status'),
  messageId: text(200),
  waId: text(64),
  contentId: text(200).optional(),
  status: z.enum(DELIVERY_STATES),
  error: z.string().max(2000).optional(),
});

export const statusEventSchema = z.looseObject({
  ...common,
  type: z.literal('status'),
  status: z.enum(['healthy', 'degraded']),
  detail: z.string().max(2000).optional(),
});

const eventSchema = z.discriminatedUnion('type', [buttonClickSchema, chatMessageSchema, deliveryStatusSchema, statusEventSchema]);

export type ButtonClick = z.infer<typeof buttonClickSchema>;
export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;
export type StatusEvent = z.infer<typeof statusEventSchema>;
export type WebhookEvent = z.infer<typeof eventSchema>;

export type RejectReason = 'malformed' | 'unknown';
export type Classified =
  | { ok: true; event: WebhookEvent }
  | { ok: false; reason: RejectReason; problem: string; id?: string; seq?: number };

const commonSchema = z.object(common);

/** One received item (already JSON-parsed) → a valid event, or why it is refused. */
export function classifyEvent(raw: unknown): Classified {
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  const head = commonSchema.safeParse(raw);
  const where = head.success ? { id: head.data.id, seq: head.data.seq } : {};
  // Before the schema: an event past the limits is never kept, journalled or handed from a worker.
  const limits = checkJsonLimits(raw, 'event', { maxDepth: MAX_JSON_DEPTH, maxBytes: MAX_EVENT_BYTES });
  if (limits) return { ok: false, reason: 'malformed', problem: describeJsonProblem(limits), ...where };
  if (typeof type === 'string' && !(EVENT_TYPES as readonly string[]).includes(type)) {
    // An unknown type still has to carry the common fields, or it is plain garbage.
    if (head.success) return { ok: false, reason: 'unknown', problem: `unknown event type ${JSON.stringify(type.slice(0, 60))}`, ...where };
  }
  const parsed = eventSchema.safeParse(raw);
  if (parsed.success) return { ok: true, event: parsed.data };
  const problem = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`)
    .join('; ');
  return { ok: false, reason: 'malformed', problem, ...where };
}

/** One WebSocket text frame → classified (bad JSON is malformed). */
export function classifyFrame(text: string): Classified {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'malformed', problem: 'not JSON' };
  }
  return classifyEvent(raw);
}
