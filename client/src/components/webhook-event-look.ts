// How a webhook event is drawn: an icon per kind (each button type its own), a tone, and the words from
// webhook-data (never colour alone). Kept apart from the elements so the feed and the analytics share it.
import type { IconNode } from 'lucide';
import { Download, LockOpen, Share2, MessageSquare, MessageSquareReply, Bot, Send, CheckCheck, Check, Eye, CircleX,
  HeartPulse, TriangleAlert, CircleQuestionMark } from 'lucide';
import { eventIsProblem, type ButtonType, type WebhookEvent } from '../pages/webhook-data.js';

export const BUTTON_ICONS: Record<ButtonType, IconNode> = {
  RETRIEVE_CONTENT: Download, UNLOCK_CONTENT: LockOpen, SHARE_WITH_CLIENTS: Share2,
};

export type EventTone = 'normal' | 'bad' | 'warn';

export function eventIcon(e: WebhookEvent | { type: string }): IconNode {
  const ev = e as WebhookEvent;
  switch (ev.type) {
    case 'button_click': return ev.outcome === 'error' ? CircleX : BUTTON_ICONS[ev.button] ?? Download;
    case 'chat_message': return ev.direction === 'inbound' ? MessageSquare : ev.replyMs !== undefined ? Bot : MessageSquareReply;
    case 'delivery_status':
      return ev.status === 'failed' ? CircleX : ev.status === 'read' ? Eye : ev.status === 'delivered' ? CheckCheck : ev.status === 'sent' ? Send : Check;
    case 'status': return ev.status === 'degraded' ? TriangleAlert : HeartPulse;
    default: return CircleQuestionMark;
  }
}

export function eventTone(e: WebhookEvent): EventTone {
  if (e.type === 'chat_message' && e.state === 'abandoned') return 'warn';
  if (e.type === 'status' && e.status === 'degraded') return 'warn';
  return eventIsProblem(e) ? 'bad' : 'normal';
}
