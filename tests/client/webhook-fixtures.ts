// Fixture data in the shapes of docs/webhook.md for the webhook elements' tests, plus a fetch stub and a live
// store driven by a fake socket.
import type { ButtonsReply, CrmReply, WebhookEvent, WebhookStatus } from '../../client/src/pages/webhook-data.js';
import { LiveStore } from '../../client/src/live/live-store.js';
import { FakeEnvironment, FakeSocket } from './fake-live.js';

export const minutesAgo = (m: number): string => new Date(Date.now() - m * 60_000).toISOString();

export function statusUp(over: Partial<WebhookStatus> = {}): WebhookStatus {
  return {
    state: 'up', since: minutesAgo(90), observedAt: minutesAgo(0.1), latencyMs: 12,
    health: { status: 'healthy', type: 'Button Click Handler', startedAt: minutesAgo(300), uptimeSeconds: 18_000, messagesProcessed: 4321 },
    lastEventAt: minutesAgo(0.5), lastSeq: 812, eventsStored: 812, connection: 'open', uptimePct24h: 99.5,
    tunnelUrl: 'https://hooks.example.test', rejected: { malformed: 0, unknown: 0 },
    reconciliation: { checkedAt: minutesAgo(1), webhookStartedAt: minutesAgo(300), drift: [], ok: true },
    ...over,
  };
}

export function statusDown(over: Partial<WebhookStatus> = {}): WebhookStatus {
  return statusUp({ state: 'down', since: minutesAgo(3), connection: 'reconnecting', health: null, latencyMs: null, ...over });
}

export const statusNotConfigured = (): WebhookStatus => ({
  state: 'not_configured', since: null, observedAt: null, latencyMs: null, health: null, lastEventAt: null, lastSeq: null,
  eventsStored: 0, connection: 'closed', uptimePct24h: null, tunnelUrl: null, rejected: { malformed: 0, unknown: 0 }, reconciliation: null,
});

export function buttonsDay(over: Partial<ButtonsReply> = {}): ButtonsReply {
  const hourly = Array.from({ length: 24 }, (_, hour) => ({ hour, RETRIEVE_CONTENT: hour === 9 ? 5 : 0, UNLOCK_CONTENT: hour === 14 ? 17 : hour === 9 ? 1 : 0, SHARE_WITH_CLIENTS: hour === 14 ? 3 : 0 }));
  return {
    range: 'day', from: '2025-06-10', to: '2025-06-10', generatedAt: new Date().toISOString(), stale: false,
    clicks: { RETRIEVE_CONTENT: 5, UNLOCK_CONTENT: 18, SHARE_WITH_CLIENTS: 3, total: 26 },
    hourly, responseMs: { avg: 420, p95: 1280 }, successRate: 0.9615,
    topAdvisors: [{ advisorId: 'ADV-17', waId: '919800001717', clicks: 9, lastClickAt: minutesAgo(4) },
      { advisorId: null, waId: '919800004242', clicks: 4, lastClickAt: minutesAgo(30) }],
    ...over,
  };
}

export function crmDay(over: Partial<CrmReply> = {}): CrmReply {
  return {
    range: 'day', from: '2025-06-10', to: '2025-06-10', generatedAt: new Date().toISOString(), stale: false,
    activeConversations: [
      { conversationId: 'c1', waId: '919800001717', advisorId: 'ADV-17', startedAt: minutesAgo(20), lastMessageAt: minutesAgo(2), messages: 6 },
      { conversationId: 'c2', waId: '919800005555', startedAt: minutesAgo(50), lastMessageAt: minutesAgo(9), messages: 3 },
    ],
    replyMs: { avg: 2100, p95: 5400 }, aiQualityAvg: 4.2,
    chatVolume: [{ date: '2025-06-10', inbound: 40, outbound: 37 }],
    completionRate: 0.75, completed: 6, abandoned: 2,
    deliveries: { sent: 50, delivered: 47, read: 30, failed: 3, deliveryRate: 0.94 },
    ...over,
  };
}

let seq = 1000;
export function click(over: Partial<Extract<WebhookEvent, { type: 'button_click' }>> = {}): WebhookEvent {
  seq += 1;
  return { id: `evt-${seq}`, seq, ts: new Date().toISOString(), type: 'button_click', waId: '919800001717', advisorId: 'ADV-17',
    button: 'UNLOCK_CONTENT', responseMs: 310, outcome: 'success', ...over } as WebhookEvent;
}
export function chat(over: Record<string, unknown> = {}): WebhookEvent {
  seq += 1;
  return { id: `evt-${seq}`, seq, ts: new Date().toISOString(), type: 'chat_message', conversationId: 'c1', waId: '919800001717',
    direction: 'inbound', chars: 42, state: 'active', ...over } as WebhookEvent;
}
export function delivery(over: Record<string, unknown> = {}): WebhookEvent {
  seq += 1;
  return { id: `evt-${seq}`, seq, ts: new Date().toISOString(), type: 'delivery_status', messageId: `wamid.${seq}`, waId: '919800001717',
    status: 'failed', error: 'Recipient not on WhatsApp', ...over } as WebhookEvent;
}

export interface Call { method: string; url: string }
export interface Routes { [path: string]: unknown | (() => unknown) }

/** Replaces window.fetch: exact paths or path prefixes (ending in '*') answer JSON; a value of Error answers 503. */
export function stubFetch(routes: Routes): { calls: Call[]; restore(): void } {
  const real = window.fetch;
  const calls: Call[] = [];
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ method: init?.method ?? 'GET', url });
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    const path = url.split('?')[0]!;
    const key = Object.keys(routes).find((k) => k === url || k === path || (k.endsWith('*') && url.startsWith(k.slice(0, -1))));
    if (url === '/api/auth/me' && !key) return json({ user: { username: 'v', role: 'viewer' }, csrfToken: 'c' });
    if (!key) return json({ error: { code: 'not_found', message: `no route ${url}` } }, 404);
    const value = typeof routes[key] === 'function' ? (routes[key] as () => unknown)() : routes[key];
    if (value instanceof Error) return json({ error: { code: 'unavailable', message: value.message } }, 503);
    return json(value);
  };
  return { calls, restore: () => { window.fetch = real; } };
}

/** A started live store on a fake socket that is open (connection "live"). */
export async function liveStoreOnFakeSocket(): Promise<{ store: LiveStore; socket: FakeSocket; send(type: string, data: unknown): void }> {
  FakeSocket.reset();
  const store = new LiveStore({ url: 'ws://test/ws', socketClass: FakeSocket, environment: new FakeEnvironment(), random: () => 1,
    setTimer: () => 0, clearTimer: () => {} });
  store.start();
  const socket = await FakeSocket.next(0);
  socket.open();
  let n = 0;
  return { store, socket, send: (type, data) => { n += 1; socket.receive({ topic: 'webhook', seq: n, type, data }); } };
}
