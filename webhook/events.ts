// The contract's Event shapes (docs/webhook-contract.md, "Event"): what the webhook records and
// serves. Kept free of runtime code so the dashboard side and tests can import the types alone.

export const BUTTONS = ['RETRIEVE_CONTENT', 'UNLOCK_CONTENT', 'SHARE_WITH_CLIENTS'] as const;
export type Button = (typeof BUTTONS)[number];

export type ConversationState = 'active' | 'completed' | 'abandoned';
export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface ButtonClickFields {
  type: 'button_click';
  waId: string;
  advisorId?: string;
  button: Button;
  contentId?: string;
  responseMs: number;
  outcome: 'success' | 'error';
  error?: string;
  /** Not in the contract: set when the reply was not sent to WhatsApp (no access token configured). */
  note?: string;
}

export interface ChatMessageFields {
  type: 'chat_message';
  conversationId: string;
  waId: string;
  advisorId?: string;
  direction: 'inbound' | 'outbound';
  chars: number;
  replyMs?: number;
  aiQuality?: number;
  state: ConversationState;
  /** Not in the contract: see ButtonClickFields.note. */
  note?: string;
}

export interface DeliveryStatusFields {
  type: 'delivery_status';
  messageId: string;
  waId: string;
  contentId?: string;
  status: DeliveryStatus;
  error?: string;
}

export interface StatusFields {
  type: 'status';
  status: 'healthy' | 'degraded';
  detail?: string;
}

/** What a producer hands to the log; the log adds seq and ts (and id when none is given). */
export type EventInput = (ButtonClickFields | ChatMessageFields | DeliveryStatusFields | StatusFields) & { id?: string };

export interface EventCommon {
  id: string;
  seq: number;
  ts: string;
}

export type ButtonClickEvent = EventCommon & ButtonClickFields;
export type ChatMessageEvent = EventCommon & ChatMessageFields;
export type DeliveryStatusEvent = EventCommon & DeliveryStatusFields;
export type StatusEvent = EventCommon & StatusFields;
export type WebhookEvent = ButtonClickEvent | ChatMessageEvent | DeliveryStatusEvent | StatusEvent;

export const isButton = (v: string): v is Button => (BUTTONS as readonly string[]).includes(v);
