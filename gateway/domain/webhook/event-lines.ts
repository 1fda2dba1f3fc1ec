// How a webhook event sits in the journal (stream `webhook-events`): the line's ts is the event's own ts (so
// ranges of business days read only their segments), `at` is when the dashboard stored it, `origin` the
// webhook's startedAt at the time, and `event` the event exactly as received.
import type { JournalEntry } from '../../store/journal-reader.js';
import type { WebhookEvent } from './event-schema.js';

export const WEBHOOK_EVENTS_STREAM = 'webhook-events';

export interface EventLine {
  ts: string;
  type: string;
  at: number;
  origin: string | null;
  event: WebhookEvent;
}

export function toLine(event: WebhookEvent, at: number, origin: string | null): Record<string, unknown> {
  return { ts: event.ts, type: event.type, at, origin, event };
}

// Lines were validated before they were journalled; a cheap shape check guards against a hand-edited file.
export function isEventLine(item: JournalEntry): item is JournalEntry & EventLine {
  const e = item.event as Partial<WebhookEvent> | undefined;
  return typeof e === 'object' && e !== null && typeof e.id === 'string' && typeof e.seq === 'number' && typeof e.type === 'string' && typeof e.ts === 'string' && typeof item.at === 'number';
}
