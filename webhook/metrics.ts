// The aggregates behind GET /api/webhook/metrics: a fold over the events recorded since the process
// started. Durations are whole milliseconds kept as value → count, so p95 is exact in bounded memory.
import { BUTTONS, type Button, type WebhookEvent } from './events.js';

export interface Histogram {
  counts: Map<number, number>;
  n: number;
  sum: number;
}

export const emptyHistogram = (): Histogram => ({ counts: new Map(), n: 0, sum: 0 });

export function addSample(h: Histogram, value: number): void {
  const v = Math.max(0, Math.round(value));
  h.counts.set(v, (h.counts.get(v) ?? 0) + 1);
  h.n += 1;
  h.sum += v;
}

/** Nearest-rank percentile: the smallest value with at least p·n samples at or below it. */
export function percentile(h: Histogram, p: number): number {
  if (h.n === 0) return 0;
  const rank = Math.max(1, Math.ceil(p * h.n));
  let seen = 0;
  for (const v of [...h.counts.keys()].sort((a, b) => a - b)) {
    seen += h.counts.get(v)!;
    if (seen >= rank) return v;
  }
  return 0;
}

/** {avg, p95}; both 0 when there are no samples. */
export const summary = (h: Histogram) => ({ avg: h.n === 0 ? 0 : h.sum / h.n, p95: percentile(h, 0.95) });

export interface MetricsAcc {
  clicks: Record<Button, number>;
  clickMs: Histogram;
  clickSuccess: number;
  clickTotal: number;
  replyMs: Histogram;
  qualitySum: number;
  qualityN: number;
  messagesByDay: Map<string, number>;
  /** Conversations with a completed (abandoned) event: ids, so a conversation counts once. */
  completed: Set<string>;
  abandoned: Set<string>;
}

export function emptyMetrics(): MetricsAcc {
  return {
    clicks: Object.fromEntries(BUTTONS.map((b) => [b, 0])) as Record<Button, number>,
    clickMs: emptyHistogram(),
    clickSuccess: 0,
    clickTotal: 0,
    replyMs: emptyHistogram(),
    qualitySum: 0,
    qualityN: 0,
    messagesByDay: new Map(),
    completed: new Set(),
    abandoned: new Set(),
  };
}

/** Adds one event to the accumulator; `dayOf` maps an ISO time to its business day (YYYY-MM-DD). */
export function addToMetrics(acc: MetricsAcc, e: WebhookEvent, dayOf: (iso: string) => string): void {
  if (e.type === 'button_click') {
    acc.clicks[e.button] += 1;
    acc.clickTotal += 1;
    if (e.outcome === 'success') acc.clickSuccess += 1;
    addSample(acc.clickMs, e.responseMs);
  } else if (e.type === 'chat_message') {
    const day = dayOf(e.ts);
    acc.messagesByDay.set(day, (acc.messagesByDay.get(day) ?? 0) + 1);
    if (e.replyMs !== undefined) addSample(acc.replyMs, e.replyMs);
    if (e.aiQuality !== undefined) {
      acc.qualitySum += e.aiQuality;
      acc.qualityN += 1;
    }
    if (e.state === 'completed') acc.completed.add(e.conversationId);
    else if (e.state === 'abandoned') acc.abandoned.add(e.conversationId);
  }
}

export interface WebhookMetrics {
  generatedAt: string;
  startedAt: string;
  lastSeq: number;
  buttonClicks: Record<Button, number>;
  clickResponseMs: { avg: number; p95: number };
  clickSuccessRate: number;
  chat: {
    activeConversations: number;
    messagesToday: number;
    replyMs: { avg: number; p95: number };
    aiQualityAvg: number | null;
    completionRate: number | null;
  };
}

export interface ReportContext {
  generatedAt: string;
  startedAt: string;
  lastSeq: number;
  today: string;
  activeConversations: number;
}

export function metricsReport(acc: MetricsAcc, c: ReportContext): WebhookMetrics {
  const ended = acc.completed.size + acc.abandoned.size;
  return {
    generatedAt: c.generatedAt,
    startedAt: c.startedAt,
    lastSeq: c.lastSeq,
    buttonClicks: { ...acc.clicks },
    clickResponseMs: summary(acc.clickMs),
    // The contract has no null here: with no clicks yet the rate is reported as 0.
    clickSuccessRate: acc.clickTotal === 0 ? 0 : acc.clickSuccess / acc.clickTotal,
    chat: {
      activeConversations: c.activeConversations,
      messagesToday: acc.messagesByDay.get(c.today) ?? 0,
      replyMs: summary(acc.replyMs),
      aiQualityAvg: acc.qualityN === 0 ? null : acc.qualitySum / acc.qualityN,
      completionRate: ended === 0 ? null : acc.completed.size / ended,
    },
  };
}

/** A function giving an instant's calendar day (YYYY-MM-DD) in a time zone. */
export function dayKeyIn(timeZone: string): (iso: string) => string {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (iso: string) => fmt.format(new Date(iso));
}
