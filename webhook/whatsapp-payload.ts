// The parts of a WhatsApp Cloud API webhook body the receiver reads (docs/webhook-contract.md, appendix), as
// zod schemas, and the mapping of button payloads to the contract's buttons. Unknown keys are ignored.
import { z } from 'zod';
import { isButton, type Button } from './events.js';

export const notificationSchema = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      id: z.string().optional(),
      changes: z.array(z.object({ field: z.string(), value: z.unknown() })),
    }),
  ),
});

export const changeValueSchema = z.object({
  metadata: z.object({ phone_number_id: z.string().min(1) }).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
});

export const messageSchema = z.object({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: z.string().optional(),
  type: z.string().min(1),
  text: z.object({ body: z.string() }).optional(),
  button: z.object({ payload: z.string(), text: z.string().optional() }).optional(),
  interactive: z
    .object({
      type: z.string(),
      button_reply: z.object({ id: z.string(), title: z.string().optional() }).optional(),
    })
    .optional(),
  context: z.object({ from: z.string().optional(), id: z.string().optional() }).optional(),
});
export type InboundMessage = z.infer<typeof messageSchema>;

export const statusSchema = z.object({
  id: z.string().min(1),
  status: z.enum(['sent', 'delivered', 'read', 'failed']),
  timestamp: z.string().optional(),
  recipient_id: z.string().min(1),
  errors: z
    .array(
      z.object({
        code: z.number().optional(),
        title: z.string().optional(),
        message: z.string().optional(),
        error_data: z.object({ details: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});
export type InboundStatus = z.infer<typeof statusSchema>;

/** "UNLOCK_CONTENT" or "UNLOCK_CONTENT:<contentId>" (senders may put the content id in the payload). */
export function parseButtonPayload(payload: string): { button: Button; contentId?: string } | null {
  const sep = payload.indexOf(':');
  const name = sep === -1 ? payload : payload.slice(0, sep);
  if (!isButton(name)) return null;
  const contentId = sep === -1 ? '' : payload.slice(sep + 1).trim();
  return contentId === '' ? { button: name } : { button: name, contentId };
}

/** One line from a status's errors: "131026 Message undeliverable: <details>". */
export function statusError(s: InboundStatus): string | undefined {
  const e = s.errors?.[0];
  if (!e) return s.status === 'failed' ? 'failed (no reason given)' : undefined;
  const head = [e.code, e.title ?? e.message].filter((x) => x !== undefined).join(' ');
  const details = e.error_data?.details;
  return details && details !== head ? `${head}: ${details}` : head || 'failed';
}
