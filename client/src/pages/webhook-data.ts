// The webhook monitor's data (docs/webhook.md): the shapes of /api/webhook/status, /buttons, /crm and /events and
// of the `webhook` topic's frames, plus pure helpers — freshness of the figures (never zeros when the webhook is
// away), event descriptions in words, and the query strings. Pages fetch; elements below them take these as data.
import { api } from '../api/api-client.js';

export type WebhookState = 'up' | 'degraded' | 'down' | 'stale' | 'not_configured';
export type WebhookConnection = 'open' | 'reconnecting' | 'closed';
export type AnalyticsRange = 'day' | 'week' | 'month';
export const RANGES: readonly AnalyticsRange[] = ['day', 'week', 'month'];

export interface WebhookHealth {
  status: string; type: string; startedAt: string; uptimeSeconds: number; messagesProcessed: number;
}
export interface DriftEntry { metric: string; webhook: number | null; dashboard: number | null }
export interface Reconciliation { checkedAt: string; webhookStartedAt: string | null; drift: DriftEntry[]; ok: boolean }
/** The link's state over a stretch of the last 24 h; `unknown` is time the dashboard was not running. */
export type HistoryState = 'up' | 'degraded' | 'down' | 'stale' | 'unknown';
/** One span of `history24h`, oldest first; `to` is null for the current one, `detail` says why (null when up). */
export interface HistorySpan { state: HistoryState; from: string; to: string | null; detail: string | null }
export interface WebhookStatus {
  state: WebhookState;
  since: string | null;
  observedAt: string | null;
  latencyMs: number | null;
  /** Why the state is what it is (e.g. the health check's error), when the gateway says. */
  detail?: string | null;
  health: WebhookHealth | null;
  lastEventAt: string | null;
  lastSeq: number | null;
  eventsStored: number;
  connection: WebhookConnection;
  /** 0–100: the share of health checks in the last 24 h that were up or degraded. */
  uptimePct24h: number | null;
  /** The link's states over the last 24 h (absent from gateways that do not send it). */
  history24h?: HistorySpan[];
  tunnelUrl: string | null;
  rejected: { malformed: number; unknown: number };
  reconciliation: Reconciliation | null;
}

export type ButtonType = 'RETRIEVE_CONTENT' | 'UNLOCK_CONTENT' | 'SHARE_WITH_CLIENTS';
export const BUTTON_TYPES: readonly ButtonType[] = ['RETRIEVE_CONTENT', 'UNLOCK_CONTENT', 'SHARE_WITH_CLIENTS'];
export const BUTTON_WORDS: Record<ButtonType, string> = {
  RETRIEVE_CONTENT: 'Retrieve content', UNLOCK_CONTENT: 'Unlock content', SHARE_WITH_CLIENTS: 'Share with clients',
};

export type ClickCounts = Record<ButtonType, number> & { total: number };
export interface Timing { avg: number; p95: number }
export interface TopAdvisor { advisorId: string | null; waId: string; clicks: number; lastClickAt: string }
export interface ButtonsReply {
  range: AnalyticsRange; from: string; to: string; generatedAt: string; stale: boolean;
  clicks: ClickCounts;
  hourly: Array<{ hour: number } & Record<ButtonType, number>>;
  daily?: Array<{ date: string; total: number }>;
  responseMs: Timing | null; successRate: number | null;
  topAdvisors: TopAdvisor[];
}

export interface Conversation {
  conversationId: string; waId: string; advisorId?: string | null; startedAt: string; lastMessageAt: string; messages: number;
}
export interface Deliveries { sent: number; delivered: number; read: number; failed: number; deliveryRate: number | null }
export interface CrmReply {
  range: AnalyticsRange; from: string; to: string; generatedAt: string; stale: boolean;
  activeConversations: Conversation[];
  replyMs: Timing | null; aiQualityAvg: number | null;
  chatVolume: Array<{ date: string; inbound: number; outbound: number }>;
  completionRate: number | null; completed: number; abandoned: number;
  deliveries: Deliveries;
}

/** Today's figures for the widgets (topic `webhook`, frame `figures`). */
export interface WebhookFigures {
  clicks: ClickCounts | null;
  responseMs: Timing | null;
  successRate: number | null;
  /** A count (the contract) — a list is counted. */
  activeConversations: number | null;
}

interface EventBase { id: string; seq: number; ts: string }
export type WebhookEvent =
  | (EventBase & { type: 'button_click'; waId: string; advisorId?: string; button: ButtonType; contentId?: string; responseMs: number; outcome: 'success' | 'error'; error?: string })
  | (EventBase & { type: 'chat_message'; conversationId: string; waId: string; direction: 'inbound' | 'outbound'; chars: number; replyMs?: number; aiQuality?: number; state: 'active' | 'completed' | 'abandoned' })
  | (EventBase & { type: 'delivery_status'; messageId: string; waId: string; contentId?: string; status: 'sent' | 'delivered' | 'read' | 'failed'; error?: string })
  | (EventBase & { type: 'status'; status: 'healthy' | 'degraded'; detail?: string });
export interface EventsReply { events: WebhookEvent[]; nextBefore: number | string | null }
export interface WebhookSnapshot { status: WebhookStatus | null; recent?: WebhookEvent[]; figures?: Partial<WebhookFigures> | null }

// ---- requests ----

export function buttonsUrl(range: AnalyticsRange, date?: string): string {
  const q = new URLSearchParams({ range });
  if (date) q.set('date', date);
  return `/api/webhook/buttons?${q}`;
}

export function crmUrl(range: AnalyticsRange, date?: string): string {
  const q = new URLSearchParams({ range });
  if (date) q.set('date', date);
  return `/api/webhook/crm?${q}`;
}

export function eventsUrl(limit: number, before?: number | string | null): string {
  const q = new URLSearchParams({ limit: String(limit) });
  if (before !== null && before !== undefined && before !== '') q.set('before', String(before));
  return `/api/webhook/events?${q}`;
}

export const fetchStatus = (signal?: AbortSignal) => api.get<WebhookStatus>('/api/webhook/status', { signal });
export const fetchButtons = (range: AnalyticsRange, signal?: AbortSignal) => api.get<ButtonsReply>(buttonsUrl(range), { signal });
export const fetchCrm = (range: AnalyticsRange, signal?: AbortSignal) => api.get<CrmReply>(crmUrl(range), { signal });
export const fetchEvents = (limit: number, before?: number | string | null, signal?: AbortSignal) =>
  api.get<EventsReply>(eventsUrl(limit, before), { signal });

/** A range from a query string ("?range=week"); anything else is the day. */
export function rangeFromSearch(search: string): AnalyticsRange {
  const r = new URLSearchParams(search).get('range');
  return RANGES.includes(r as AnalyticsRange) ? (r as AnalyticsRange) : 'day';
}

// ---- freshness ----

/** How the shown figures stand: live, kept from before the webhook went away, or nothing to show and why. */
export type Freshness =
  | { kind: 'live' }
  | { kind: 'stale'; asOf: string | number | null; reason: string }
  | { kind: 'not_configured' }
  | { kind: 'unknown'; reason: string };

export const HOW_TO_CONFIGURE = 'Set WEBHOOK_URL (and WEBHOOK_TOKEN if the webhook asks for one) in the gateway\'s environment and restart the gateway.';

/** The dashboard's own live connection is this long silent before its figures count as stale. */
export const LIVE_STALE_AFTER_MS = 15_000;

export interface FreshnessInput {
  status: WebhookStatus | null;
  /** Whether figures were received at all. */
  haveFigures: boolean;
  /** The server's own flag on /buttons or /crm (true = last known figures). */
  serverStale?: boolean;
  /** When the figures were last updated here (ms) — for the dashboard's own connection. */
  updatedAt: number | null;
  /** Whether the dashboard's live connection is up. */
  live: boolean;
  now: number;
  loadError?: string;
}

/**
 * Whether the figures are live, stale (webhook down or stale, the server says so, or the dashboard itself stopped
 * hearing), not configured, or unknown. Stale figures are still shown — never replaced by zeros.
 */
export function figuresFreshness(i: FreshnessInput): Freshness {
  const s = i.status;
  if (s?.state === 'not_configured') return { kind: 'not_configured' };
  if (!i.haveFigures) {
    if (i.loadError) return { kind: 'unknown', reason: `Could not be loaded — ${i.loadError}` };
    if (s && (s.state === 'down' || s.state === 'stale')) return { kind: 'unknown', reason: `The webhook is ${s.state} and no figures were received before.` };
    return { kind: 'unknown', reason: 'Not received yet' };
  }
  if (s && (s.state === 'down' || s.state === 'stale')) {
    return { kind: 'stale', asOf: s.since ?? s.observedAt, reason: s.state === 'down' ? 'the webhook is down' : 'the webhook stopped answering' };
  }
  if (i.serverStale) return { kind: 'stale', asOf: s?.since ?? s?.lastEventAt ?? null, reason: 'the webhook is not up' };
  if (!i.live && i.updatedAt !== null && i.now - i.updatedAt > LIVE_STALE_AFTER_MS) {
    return { kind: 'stale', asOf: i.updatedAt, reason: 'the dashboard lost its live connection' };
  }
  if (i.loadError && i.updatedAt !== null && !i.live) return { kind: 'stale', asOf: i.updatedAt, reason: `refresh failed — ${i.loadError}` };
  return { kind: 'live' };
}

// ---- figures ----

export function countConversations(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (Array.isArray(v)) return v.length;
  return null;
}

/** Today's widget figures from the REST replies (used until, and between, `figures` frames). */
export function figuresFromReplies(buttons: ButtonsReply | null, crm: CrmReply | null): WebhookFigures {
  return {
    clicks: buttons?.clicks ?? null,
    responseMs: buttons?.responseMs ?? null,
    successRate: buttons?.successRate ?? null,
    activeConversations: crm ? crm.activeConversations.length : null,
  };
}

/** A `figures` frame over what is known: fields it carries replace, others stay. */
export function mergeFigures(current: WebhookFigures | null, frame: Partial<WebhookFigures> & { activeConversations?: unknown }): WebhookFigures {
  const base: WebhookFigures = current ?? { clicks: null, responseMs: null, successRate: null, activeConversations: null };
  return {
    clicks: frame.clicks !== undefined ? frame.clicks : base.clicks,
    responseMs: frame.responseMs !== undefined ? frame.responseMs : base.responseMs,
    successRate: frame.successRate !== undefined ? frame.successRate : base.successRate,
    activeConversations: frame.activeConversations !== undefined ? countConversations(frame.activeConversations) : base.activeConversations,
  };
}

/** Whether anything is known of today's figures. */
export function hasFigures(f: WebhookFigures | null): boolean {
  return f !== null && (f.clicks !== null || f.responseMs !== null || f.successRate !== null || f.activeConversations !== null);
}

// ---- formatting ----

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(0)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms)} ms`;
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  const pct = ratio * 100;
  return `${pct.toFixed(digits).replace(/\.0+$/, '')} %`;
}

const countFormat = new Intl.NumberFormat('en-IN');
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : countFormat.format(n);
}

/** A WhatsApp id (a phone number) shown by its last four digits only. */
export function maskWaId(waId: string | null | undefined): string {
  if (!waId) return '—';
  return waId.length <= 4 ? waId : `…${waId.slice(-4)}`;
}

/** Who an event or conversation concerns: the advisor when known, else the masked number. */
export function whoOf(x: { advisorId?: string | null; waId?: string | null }): string {
  return x.advisorId ? x.advisorId : maskWaId(x.waId ?? null);
}

export const CONNECTION_WORDS: Record<WebhookConnection, string> = {
  open: 'stream open', reconnecting: 'stream reconnecting', closed: 'stream closed',
};

export const RANGE_WORDS: Record<AnalyticsRange, string> = { day: 'Today', week: 'This week', month: 'This month' };

/** "Clicks today" / "Clicks 3 Jun – 9 Jun" style period words for headers. */
export function periodWords(range: AnalyticsRange, from?: string, to?: string): string {
  if (range === 'day' || !from || !to) return RANGE_WORDS[range].toLowerCase();
  const fmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const f = Date.parse(from.length === 10 ? `${from}T00:00:00Z` : from);
  const t = Date.parse(to.length === 10 ? `${to}T00:00:00Z` : to);
  if (!Number.isFinite(f) || !Number.isFinite(t)) return RANGE_WORDS[range].toLowerCase();
  return `${fmt.format(f)} – ${fmt.format(t)}`;
}

// ---- events ----

/** Newest first, one per id; at most `max`. */
export function mergeEvents(current: readonly WebhookEvent[], incoming: readonly WebhookEvent[], max = 2000): WebhookEvent[] {
  const byId = new Map<string, WebhookEvent>();
  for (const e of current) byId.set(e.id, e);
  for (const e of incoming) if (e && typeof e.id === 'string') byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => (b.seq ?? 0) - (a.seq ?? 0) || Date.parse(b.ts) - Date.parse(a.ts)).slice(0, max);
}

/** The event's kind in words, e.g. "Button click", "Message received", "Delivery failed". */
export function eventTitle(e: WebhookEvent | { type: string }): string {
  const ev = e as WebhookEvent;
  switch (ev.type) {
    case 'button_click': return `${BUTTON_WORDS[ev.button] ?? ev.button} click`;
    case 'chat_message': return ev.direction === 'inbound' ? 'Message received' : ev.replyMs !== undefined ? 'AI reply sent' : 'Reply sent';
    case 'delivery_status': return `Delivery ${ev.status}`;
    case 'status': return `Webhook ${ev.status}`;
    default: return `Unknown event (${String((e as { type: unknown }).type)})`;
  }
}

/** The event's facts in words — never message text (the dashboard only ever receives lengths). */
export function eventDetail(e: WebhookEvent): string {
  switch (e.type) {
    case 'button_click': {
      const parts = [whoOf(e), e.outcome === 'success' ? 'succeeded' : `failed${e.error ? `: ${e.error}` : ''}`, `in ${formatMs(e.responseMs)}`];
      if (e.contentId) parts.push(`content ${e.contentId}`);
      return parts.join(' · ');
    }
    case 'chat_message': {
      const parts = [maskWaId(e.waId), `${formatCount(e.chars)} character${e.chars === 1 ? '' : 's'}`];
      if (e.replyMs !== undefined) parts.push(`replied in ${formatMs(e.replyMs)}`);
      if (e.aiQuality !== undefined) parts.push(`quality ${e.aiQuality}/5`);
      if (e.state !== 'active') parts.push(`conversation ${e.state}`);
      return parts.join(' · ');
    }
    case 'delivery_status': {
      const parts = [maskWaId(e.waId)];
      if (e.contentId) parts.push(`content ${e.contentId}`);
      if (e.error) parts.push(e.error);
      return parts.join(' · ');
    }
    case 'status': return e.detail ?? '';
    default: return '';
  }
}

/** Whether an event is a problem (drawn with the "bad" tone). */
export function eventIsProblem(e: WebhookEvent): boolean {
  return (e.type === 'button_click' && e.outcome === 'error') || (e.type === 'delivery_status' && e.status === 'failed')
    || (e.type === 'status' && e.status === 'degraded') || (e.type === 'chat_message' && e.state === 'abandoned');
}
