// Button and CRM figures as one fold over stored events: `foldEvent` adds an event to an accumulator, the
// report functions read it. The same code folds today's events live on the gateway and a longer range in the
// pool (workers/webhook-analytics.ts), so both give what any reader of the same events would compute.
// Conventions: p95 is the nearest-rank percentile (the ⌈0.95·n⌉-th smallest value); averages are unrounded;
// a conversation's state and an advisor's last click are those of its latest event by (ts, seq).
import { BUTTONS, DELIVERY_STATES, type Button, type DeliveryState, type WebhookEvent } from './event-schema.js';
import { businessDate, businessHour } from './business-day.js';
// The contract's shape of an active conversation: the webhook side declares it (types only, nothing runs).
import type { ActiveConversation } from '../../../webhook/conversations.js';

export const TOP_ADVISORS = 10;
export const MAX_ACTIVE_CONVERSATIONS = 500;

export type { ActiveConversation };

interface Conversation extends ActiveConversation {
  state: 'active' | 'completed' | 'abandoned';
  lastKey: number; // (ts, seq) of the event that set `state`
  lastSeq: number;
}

interface Advisor {
  advisorId: string | null;
  waId: string;
  clicks: number;
  lastClickAt: string;
  lastClickMs: number;
}

/** Plain data (Maps and Sets survive the worker boundary). */
export interface FigureFold {
  /** The day whose hours `hourly` counts (the range's last business day). */
  lastDay: string;
  clicks: Record<Button, number>;
  hourly: number[]; // 24 × 3: hour * 3 + button index
  dailyClicks: Map<string, number>;
  clickMs: number[];
  clickMsSorted: boolean;
  clickSuccess: number;
  advisors: Map<string, Advisor>;
  conversations: Map<string, Conversation>;
  advisorOfWaId: Map<string, string>;
  replyMs: number[];
  replyMsSorted: boolean;
  aiQualitySum: number;
  aiQualityCount: number;
  chatVolume: Map<string, { inbound: number; outbound: number }>;
  completed: Set<string>;
  abandoned: Set<string>;
  deliveries: Record<DeliveryState, Set<string>>;
  deliveredMessages: Set<string>;
  statusMessages: Set<string>;
  events: number;
}

export function emptyFold(lastDay: string): FigureFold {
  return {
    lastDay,
    clicks: { RETRIEVE_CONTENT: 0, UNLOCK_CONTENT: 0, SHARE_WITH_CLIENTS: 0 },
    hourly: new Array<number>(72).fill(0),
    dailyClicks: new Map(),
    clickMs: [],
    clickMsSorted: true,
    clickSuccess: 0,
    advisors: new Map(),
    conversations: new Map(),
    advisorOfWaId: new Map(),
    replyMs: [],
    replyMsSorted: true,
    aiQualitySum: 0,
    aiQualityCount: 0,
    chatVolume: new Map(),
    completed: new Set(),
    abandoned: new Set(),
    deliveries: { sent: new Set(), delivered: new Set(), read: new Set(), failed: new Set() },
    deliveredMessages: new Set(),
    statusMessages: new Set(),
    events: 0,
  };
}

// (ts, seq) as one comparable number: ms * 2^20 would overflow; compare ts first, seq breaks ties.
const later = (tsMs: number, seq: number, thanMs: number, thanSeq: number) => tsMs > thanMs || (tsMs === thanMs && seq > thanSeq);

/** Adds one stored event to the fold (O(1) amortised; the fold owns and changes `f`). */
export function foldEvent(f: FigureFold, e: WebhookEvent): void {
  const tsMs = Date.parse(e.ts);
  const day = businessDate(tsMs);
  f.events++;
  switch (e.type) {
    case 'button_click': {
      f.clicks[e.button]++;
      if (day === f.lastDay) f.hourly[businessHour(tsMs) * 3 + BUTTONS.indexOf(e.button)]!++;
      f.dailyClicks.set(day, (f.dailyClicks.get(day) ?? 0) + 1);
      pushValue(f, 'clickMs', e.responseMs);
      if (e.outcome === 'success') f.clickSuccess++;
      const key = e.advisorId ?? `wa:${e.waId}`;
      const a = f.advisors.get(key);
      if (!a) f.advisors.set(key, { advisorId: e.advisorId ?? null, waId: e.waId, clicks: 1, lastClickAt: e.ts, lastClickMs: tsMs });
      else {
        a.clicks++;
        if (tsMs > a.lastClickMs) Object.assign(a, { lastClickAt: e.ts, lastClickMs: tsMs, waId: e.waId });
      }
      if (e.advisorId) f.advisorOfWaId.set(e.waId, e.advisorId);
      break;
    }
    case 'chat_message': {
      const v = f.chatVolume.get(day) ?? { inbound: 0, outbound: 0 };
      v[e.direction]++;
      f.chatVolume.set(day, v);
      if (e.replyMs !== undefined) pushValue(f, 'replyMs', e.replyMs);
      if (e.aiQuality !== undefined) {
        f.aiQualitySum += e.aiQuality;
        f.aiQualityCount++;
      }
      if (e.state === 'completed') f.completed.add(e.conversationId);
      if (e.state === 'abandoned') f.abandoned.add(e.conversationId);
      const c = f.conversations.get(e.conversationId);
      if (!c) {
        f.conversations.set(e.conversationId, {
          conversationId: e.conversationId,
          waId: e.waId,
          ...(e.advisorId ? { advisorId: e.advisorId } : {}),
          startedAt: e.ts,
          lastMessageAt: e.ts,
          messages: 1,
          state: e.state,
          lastKey: tsMs,
          lastSeq: e.seq,
        });
      } else {
        c.messages++;
        if (tsMs < Date.parse(c.startedAt)) c.startedAt = e.ts;
        if (later(tsMs, e.seq, c.lastKey, c.lastSeq)) Object.assign(c, { lastMessageAt: e.ts, state: e.state, lastKey: tsMs, lastSeq: e.seq });
        if (e.advisorId) c.advisorId = e.advisorId;
      }
      break;
    }
    case 'delivery_status': {
      f.deliveries[e.status].add(e.messageId);
      f.statusMessages.add(e.messageId);
      if (e.status === 'delivered' || e.status === 'read') f.deliveredMessages.add(e.messageId);
      break;
    }
    case 'status':
      break;
  }
}

function pushValue(f: FigureFold, field: 'clickMs' | 'replyMs', value: number): void {
  const list = f[field];
  const sortedField = field === 'clickMs' ? 'clickMsSorted' : 'replyMsSorted';
  if (list.length > 0 && value < list[list.length - 1]!) f[sortedField] = false;
  list.push(value);
}

function summary(f: FigureFold, field: 'clickMs' | 'replyMs'): { avg: number; p95: number } | null {
  const list = f[field];
  if (list.length === 0) return null;
  const sortedField = field === 'clickMs' ? 'clickMsSorted' : 'replyMsSorted';
  if (!f[sortedField]) {
    list.sort((a, b) => a - b); // nearly sorted after the first time: cheap
    f[sortedField] = true;
  }
  let sum = 0;
  for (const v of list) sum += v;
  return { avg: sum / list.length, p95: list[Math.ceil(0.95 * list.length) - 1]! };
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

export interface ButtonFigures {
  clicks: Record<Button, number> & { total: number };
  hourly: Array<{ hour: number } & Record<Button, number>>;
  daily: Array<{ date: string; total: number }>;
  responseMs: { avg: number; p95: number } | null;
  successRate: number | null;
  topAdvisors: Array<{ advisorId: string | null; waId: string; clicks: number; lastClickAt: string }>;
}

export function buttonFigures(f: FigureFold, days: readonly string[]): ButtonFigures {
  const total = f.clicks.RETRIEVE_CONTENT + f.clicks.UNLOCK_CONTENT + f.clicks.SHARE_WITH_CLIENTS;
  const hourly = Array.from({ length: 24 }, (_, hour) => ({
    hour,
    RETRIEVE_CONTENT: f.hourly[hour * 3]!,
    UNLOCK_CONTENT: f.hourly[hour * 3 + 1]!,
    SHARE_WITH_CLIENTS: f.hourly[hour * 3 + 2]!,
  }));
  const topAdvisors = [...f.advisors.values()]
    .sort((a, b) => b.clicks - a.clicks || b.lastClickMs - a.lastClickMs || a.waId.localeCompare(b.waId))
    .slice(0, TOP_ADVISORS)
    .map((a) => ({ advisorId: a.advisorId ?? f.advisorOfWaId.get(a.waId) ?? null, waId: a.waId, clicks: a.clicks, lastClickAt: a.lastClickAt }));
  return {
    clicks: { ...f.clicks, total },
    hourly,
    daily: days.length > 1 ? days.map((date) => ({ date, total: f.dailyClicks.get(date) ?? 0 })) : [],
    responseMs: summary(f, 'clickMs'),
    successRate: ratio(f.clickSuccess, total),
    topAdvisors,
  };
}

function activeConversations(f: FigureFold): Conversation[] {
  return [...f.conversations.values()].filter((c) => c.state === 'active');
}

export interface CrmFigures {
  activeConversations: ActiveConversation[];
  replyMs: { avg: number; p95: number } | null;
  aiQualityAvg: number | null;
  chatVolume: Array<{ date: string; inbound: number; outbound: number }>;
  completionRate: number | null;
  completed: number;
  abandoned: number;
  deliveries: Record<DeliveryState, number> & { deliveryRate: number | null };
}

export function crmFigures(f: FigureFold, days: readonly string[]): CrmFigures {
  const active = activeConversations(f)
    .sort((a, b) => b.lastKey - a.lastKey || a.conversationId.localeCompare(b.conversationId))
    .slice(0, MAX_ACTIVE_CONVERSATIONS)
    .map((c) => {
      const advisorId = c.advisorId ?? f.advisorOfWaId.get(c.waId);
      return { conversationId: c.conversationId, waId: c.waId, ...(advisorId ? { advisorId } : {}), startedAt: c.startedAt, lastMessageAt: c.lastMessageAt, messages: c.messages };
    });
  const completed = f.completed.size;
  const abandoned = f.abandoned.size;
  const deliveries = Object.fromEntries(DELIVERY_STATES.map((s) => [s, f.deliveries[s].size])) as Record<DeliveryState, number>;
  return {
    activeConversations: active,
    replyMs: summary(f, 'replyMs'),
    aiQualityAvg: f.aiQualityCount === 0 ? null : f.aiQualitySum / f.aiQualityCount,
    chatVolume: days.map((date) => ({ date, ...(f.chatVolume.get(date) ?? { inbound: 0, outbound: 0 }) })),
    completionRate: ratio(completed, completed + abandoned),
    completed,
    abandoned,
    deliveries: { ...deliveries, deliveryRate: ratio(f.deliveredMessages.size, f.statusMessages.size) },
  };
}

/** The `figures` frame of topic `webhook`: today's widget numbers. */
export interface TodayFigures {
  date: string;
  clicks: Record<Button, number> & { total: number };
  responseMs: { avg: number; p95: number } | null;
  successRate: number | null;
  activeConversations: number;
}

export function todayFigures(f: FigureFold): TodayFigures {
  const total = f.clicks.RETRIEVE_CONTENT + f.clicks.UNLOCK_CONTENT + f.clicks.SHARE_WITH_CLIENTS;
  return {
    date: f.lastDay,
    clicks: { ...f.clicks, total },
    responseMs: summary(f, 'clickMs'),
    successRate: ratio(f.clickSuccess, total),
    activeConversations: activeConversations(f).length,
  };
}
