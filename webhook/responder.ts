// What the webhook does with a click or a text: sends the content or the chat reply through the WhatsApp
// Cloud API messages endpoint, measures the time from receipt to the API's answer, and records the
// outcome. Without an access token it runs in local mode: nothing is sent and each event says so (`note`).
import { performance } from 'node:perf_hooks';
import type { EventLog } from './event-log.js';
import type { Button, WebhookEvent } from './events.js';
import { ABANDON_NOTICE, demoChatReplier, type ChatReplier } from './demo-chat.js';
import type { Conversation } from './conversations.js';

export const DEFAULT_WHATSAPP_API_URL = 'https://graph.facebook.com/v21.0';
export const LOCAL_MODE_NOTE = 'local mode: not sent to WhatsApp (WHATSAPP_ACCESS_TOKEN is not set)';

export interface ClickRequest {
  /** The tap message's wamid: the click event's id is derived from it. */
  wamid: string;
  waId: string;
  advisorId?: string;
  button: Button;
  contentId?: string;
  phoneNumberId: string;
  /** performance.now() when the POST carrying the tap arrived. */
  receivedAt: number;
}

export interface TextRequest {
  wamid: string;
  conversationId: string;
  waId: string;
  advisorId?: string;
  text: string;
  phoneNumberId: string;
  receivedAt: number;
  messagesSoFar: number;
}

export interface ResponderOptions {
  log: EventLog;
  apiUrl?: string;
  accessToken?: string;
  /** Used when nothing else says which business number to send from (abandonment notices). */
  phoneNumberId?: string;
  timeoutMs?: number;
  /** The text sent for a click; a real deployment links or attaches the content itself. */
  clickReply?: (click: ClickRequest) => string;
  chatReplier?: ChatReplier;
  logger?: { warn(obj: object, msg: string): void };
  fetchImpl?: typeof fetch;
}

type SendResult = { ok: true; messageId: string | null; local: boolean } | { ok: false; error: string };

export const defaultClickReply = (c: ClickRequest): string => {
  const ref = c.contentId ? ` (${c.contentId})` : '';
  switch (c.button) {
    case 'RETRIEVE_CONTENT':
      return `Here is the content you asked for${ref}.`;
    case 'UNLOCK_CONTENT':
      return `Unlocked${ref}: the full piece is below.`;
    case 'SHARE_WITH_CLIENTS':
      return `Ready to forward to your clients${ref}.`;
  }
};

const RECENT = 20;
const SENT_MEMORY = 100_000;

export class Responder {
  private readonly apiUrl: string;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly recent: boolean[] = [];
  private readonly sent = new Map<string, { waId: string; contentId?: string }>();
  private readonly lastNumber = new Map<string, string>();
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly o: ResponderOptions) {
    this.apiUrl = (o.apiUrl ?? DEFAULT_WHATSAPP_API_URL).replace(/\/+$/, '');
    this.fetchImpl = o.fetchImpl ?? fetch;
  }

  get mode(): 'whatsapp' | 'local' {
    return this.o.accessToken ? 'whatsapp' : 'local';
  }

  /** Degraded when at least half of the last 20 sends failed. */
  health(): { status: 'healthy' | 'degraded'; detail?: string } {
    const failed = this.recent.filter((ok) => !ok).length;
    if (this.recent.length >= 4 && failed * 2 >= this.recent.length) {
      return { status: 'degraded', detail: `${failed} of the last ${this.recent.length} WhatsApp sends failed` };
    }
    return this.mode === 'local' ? { status: 'healthy', detail: LOCAL_MODE_NOTE } : { status: 'healthy' };
  }

  /** The content and recipient of a message this webhook sent, for its delivery statuses. */
  sentMessage(wamid: string): { waId: string; contentId?: string } | undefined {
    return this.sent.get(wamid);
  }

  handleClick(c: ClickRequest): Promise<WebhookEvent | null> {
    return this.track(async () => {
      const body = (this.o.clickReply ?? defaultClickReply)(c);
      const r = await this.send(c.phoneNumberId, c.waId, body, c.contentId);
      return this.o.log.append({
        id: `${c.wamid}:click`,
        type: 'button_click',
        waId: c.waId,
        ...(c.advisorId === undefined ? {} : { advisorId: c.advisorId }),
        button: c.button,
        ...(c.contentId === undefined ? {} : { contentId: c.contentId }),
        responseMs: Math.round(performance.now() - c.receivedAt),
        outcome: r.ok ? 'success' : 'error',
        ...(r.ok ? (r.local ? { note: LOCAL_MODE_NOTE } : {}) : { error: r.error }),
      });
    });
  }

  /** Replies to a text; records the outbound message, or nothing when the send failed. */
  handleText(t: TextRequest): Promise<WebhookEvent | null> {
    return this.track(async () => {
      const reply = await (this.o.chatReplier ?? demoChatReplier)(t.text, {
        waId: t.waId,
        ...(t.advisorId === undefined ? {} : { advisorId: t.advisorId }),
        messagesSoFar: t.messagesSoFar,
      });
      const r = await this.send(t.phoneNumberId, t.waId, reply.text);
      if (!r.ok) {
        this.o.logger?.warn({ waId: t.waId, error: r.error }, 'chat reply not sent');
        return null;
      }
      return this.o.log.append({
        id: `${t.wamid}:reply`,
        type: 'chat_message',
        conversationId: t.conversationId,
        waId: t.waId,
        ...(t.advisorId === undefined ? {} : { advisorId: t.advisorId }),
        direction: 'outbound',
        chars: reply.text.length,
        replyMs: Math.round(performance.now() - t.receivedAt),
        aiQuality: Math.min(5, Math.max(1, Math.round(reply.aiQuality))),
        state: reply.closes ? 'completed' : 'active',
        ...(r.local ? { note: LOCAL_MODE_NOTE } : {}),
      });
    });
  }

  /** Closes an idle conversation: tells the user and records it as abandoned (even if the notice fails). */
  abandon(c: Conversation): Promise<WebhookEvent | null> {
    return this.track(async () => {
      const number = this.lastNumber.get(c.waId) ?? this.o.phoneNumberId;
      const r = number ? await this.send(number, c.waId, ABANDON_NOTICE) : ({ ok: false, error: 'no phone_number_id known for this user' } as const);
      if (!r.ok) this.o.logger?.warn({ waId: c.waId, error: r.error }, 'abandonment notice not sent');
      return this.o.log.append({
        id: `${c.conversationId}:abandoned`,
        type: 'chat_message',
        conversationId: c.conversationId,
        waId: c.waId,
        ...(c.advisorId === undefined ? {} : { advisorId: c.advisorId }),
        direction: 'outbound',
        chars: r.ok ? ABANDON_NOTICE.length : 0,
        state: 'abandoned',
        ...(r.ok && r.local ? { note: LOCAL_MODE_NOTE } : {}),
      });
    });
  }

  /** Resolves when every click and reply in progress has been recorded. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private track<T>(work: () => Promise<T>): Promise<T> {
    const p = work();
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, done);
    return p;
  }

  private async send(phoneNumberId: string, to: string, body: string, contentId?: string): Promise<SendResult> {
    this.lastNumber.delete(to);
    this.lastNumber.set(to, phoneNumberId);
    if (this.lastNumber.size > SENT_MEMORY) this.lastNumber.delete(this.lastNumber.keys().next().value!);
    if (!this.o.accessToken) return { ok: true, messageId: null, local: true };
    const r = await this.post(phoneNumberId, to, body);
    this.recent.push(r.ok);
    if (this.recent.length > RECENT) this.recent.shift();
    if (r.ok && r.messageId) {
      this.sent.set(r.messageId, { waId: to, ...(contentId === undefined ? {} : { contentId }) });
      if (this.sent.size > SENT_MEMORY) this.sent.delete(this.sent.keys().next().value!);
    }
    return r;
  }

  private async post(phoneNumberId: string, to: string, body: string): Promise<SendResult> {
    try {
      const res = await this.fetchImpl(`${this.apiUrl}/${encodeURIComponent(phoneNumberId)}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.o.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { preview_url: true, body } }),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
      const json = (await res.json().catch(() => null)) as { messages?: { id?: string }[]; error?: { message?: string; code?: number } } | null;
      if (!res.ok) {
        const detail = json?.error?.message ?? res.statusText;
        return { ok: false, error: `WhatsApp API ${res.status}${json?.error?.code === undefined ? '' : ` (code ${json.error.code})`}: ${detail}` };
      }
      return { ok: true, messageId: json?.messages?.[0]?.id ?? null, local: false };
    } catch (err) {
      const e = err as Error;
      return { ok: false, error: e.name === 'TimeoutError' ? 'WhatsApp API did not answer in time' : `WhatsApp API unreachable: ${e.message}` };
    }
  }
}
