// Worker task for the webhook connector's heavy syncing: validating a gap-fill page of up to 1000 events, and
// rebuilding the store at start (seen ids, cursor, recent events, today's figures) from the journal.
import { z } from 'zod';
import { readJournal } from '../gateway/store/journal-reader.js';
import { classifyEvent, type WebhookEvent, type RejectReason } from '../gateway/domain/webhook/event-schema.js';
import { isEventLine, WEBHOOK_EVENTS_STREAM } from '../gateway/domain/webhook/event-lines.js';
import { emptyFold, foldEvent, type FigureFold } from '../gateway/domain/webhook/analytics.js';
import { sortedHashes } from '../gateway/domain/webhook/seen-ids.js';
import { dayStartMs } from '../gateway/domain/webhook/business-day.js';

export type WebhookSyncPayload =
  | { mode: 'parse-page'; text: string }
  | { mode: 'rebuild'; journalDir: string; today: string; recent: number };

export interface RejectedItem {
  reason: RejectReason;
  problem: string;
  id?: string;
  seq?: number;
}

export interface ParsedPage {
  events: WebhookEvent[];
  rejected: RejectedItem[];
  nextAfter: number;
  hasMore: boolean;
}

export interface RebuildResult {
  hashes: Float64Array;
  stored: number;
  cursor: { origin: string | null; seq: number } | null;
  lastEventAt: string | null;
  recent: WebhookEvent[];
  today: FigureFold;
  skippedLines: number;
}

const pageSchema = z.object({
  events: z.array(z.unknown()).max(1000),
  nextAfter: z.number().int().nonnegative(),
  hasMore: z.boolean(),
});

function parsePage(text: string): ParsedPage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('/api/webhook/events: not JSON');
  }
  const page = pageSchema.safeParse(raw);
  if (!page.success) throw new Error(`/api/webhook/events: ${page.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(body)'} ${i.message}`).join('; ')}`);
  const events: WebhookEvent[] = [];
  const rejected: RejectedItem[] = [];
  for (const item of page.data.events) {
    const c = classifyEvent(item);
    if (c.ok) events.push(c.event);
    else rejected.push({ reason: c.reason, problem: c.problem, ...(c.id !== undefined ? { id: c.id } : {}), ...(c.seq !== undefined ? { seq: c.seq } : {}) });
  }
  return { events, rejected, nextAfter: page.data.nextAfter, hasMore: page.data.hasMore };
}

async function rebuild(p: Extract<WebhookSyncPayload, { mode: 'rebuild' }>): Promise<RebuildResult> {
  const ids: string[] = [];
  const today = emptyFold(p.today);
  const todayFrom = dayStartMs(p.today);
  const todayTo = todayFrom + 86_400_000;
  let recent: Array<{ at: number; event: WebhookEvent }> = [];
  let latest: { at: number; origin: string | null } | null = null;
  const maxSeqByOrigin = new Map<string | null, number>();
  let lastEventAt: string | null = null;
  const todayIds = new Set<string>();
  let skippedLines = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await readJournal(p.journalDir, { stream: WEBHOOK_EVENTS_STREAM, order: 'asc', limit: 5000, cursor });
    skippedLines += page.skippedLines;
    for (const item of page.items) {
      if (!isEventLine(item)) {
        skippedLines++;
        continue;
      }
      const e = item.event;
      ids.push(e.id);
      if (!latest || item.at >= latest.at) latest = { at: item.at, origin: item.origin ?? null };
      maxSeqByOrigin.set(item.origin ?? null, Math.max(maxSeqByOrigin.get(item.origin ?? null) ?? -1, e.seq));
      if (lastEventAt === null || e.ts > lastEventAt) lastEventAt = e.ts;
      const tsMs = Date.parse(e.ts);
      if (tsMs >= todayFrom && tsMs < todayTo && !todayIds.has(e.id)) {
        todayIds.add(e.id);
        foldEvent(today, e);
      }
      recent.push({ at: item.at, event: e });
      if (recent.length > p.recent * 4) recent = newest(recent, p.recent);
    }
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  // The same id twice in the journal (a crash between journalling and remembering) is one event.
  const hashes = sortedHashes(ids);
  return {
    hashes,
    stored: hashes.length,
    cursor: latest ? { origin: latest.origin, seq: maxSeqByOrigin.get(latest.origin) ?? 0 } : null,
    lastEventAt,
    recent: newest(recent, p.recent).map((r) => r.event),
    today,
    skippedLines,
  };
}

function newest(items: Array<{ at: number; event: WebhookEvent }>, n: number) {
  return items.sort((a, b) => a.at - b.at || a.event.seq - b.event.seq).slice(-n);
}

export default async function webhookSync({ payload }: { payload: WebhookSyncPayload }): Promise<ParsedPage | RebuildResult> {
  return payload.mode === 'parse-page' ? parsePage(payload.text) : rebuild(payload);
}
