// Worker task for the webhook connector's heavy syncing: validating a gap-fill page of up to 1000 events,
// rebuilding the store at start (seen ids, cursor, recent events, today's figures, refusal counts) from the
// journal, and rebuilding the link history of the last 24 h (link-history.ts).
import { z } from 'zod';
import { scanStream, JournalIssues, type Where } from '../gateway/store/journal-scan.js';
import type { JournalEntry, JournalIssue } from '../gateway/store/journal-reader.js';
import { classifyEvent, type WebhookEvent, type RejectReason } from '../gateway/domain/webhook/event-schema.js';
import { isEventLine, WEBHOOK_EVENTS_STREAM } from '../gateway/domain/webhook/event-lines.js';
import { emptyFold, foldEvent, type FigureFold } from '../gateway/domain/webhook/analytics.js';
import { sortedHashes } from '../gateway/domain/webhook/seen-ids.js';
import { dayStartMs } from '../gateway/domain/webhook/business-day.js';
import { parseRejectLine, WEBHOOK_REJECTS_STREAM } from '../gateway/domain/webhook/reject-lines.js';
import { foldLinkLines, parseLinkLine, WEBHOOK_LINK_STREAM, type FoldedHistory, type LinkLine } from '../gateway/domain/webhook/link-history.js';

export type WebhookSyncPayload =
  | { mode: 'parse-page'; text: string }
  | { mode: 'rebuild'; journalDir: string; today: string; recent: number }
  | { mode: 'link-history'; journalDir: string; now: number; windowMs: number };

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

/** Lines left out of a rebuild (set aside by the gateway, see journal-quarantine.ts). */
export interface SyncIssues {
  journalIssues: JournalIssue[];
  journalIssuesMore: number;
}

export interface RebuildResult extends SyncIssues {
  hashes: Float64Array;
  stored: number;
  cursor: { origin: string | null; seq: number } | null;
  lastEventAt: string | null;
  recent: WebhookEvent[];
  today: FigureFold;
  /** Refusals counted in earlier runs (stream `webhook-rejects`). */
  rejected: Record<RejectReason, number>;
  skippedLines: number;
}

export interface LinkHistoryResult extends FoldedHistory, SyncIssues {
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
  let latest = null as { at: number; origin: string | null } | null; // set in the callback below
  const maxSeqByOrigin = new Map<string | null, number>();
  let lastEventAt: string | null = null;
  const todayIds = new Set<string>();
  const issues = new JournalIssues();
  await forEachItem(p.journalDir, WEBHOOK_EVENTS_STREAM, undefined, issues, (item, where) => {
    if (!isEventLine(item)) return void issues.invalid(WEBHOOK_EVENTS_STREAM, where, 'not a webhook event line {ts, at, event: {id, seq, type, ts}}');
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
  });
  const rejected = await rejectedCounts(p.journalDir, issues);
  // The same id twice in the journal (a crash between journalling and remembering) is one event.
  const hashes = sortedHashes(ids);
  return {
    hashes,
    stored: hashes.length,
    cursor: latest ? { origin: latest.origin, seq: maxSeqByOrigin.get(latest.origin) ?? 0 } : null,
    lastEventAt,
    recent: newest(recent, p.recent).map((r) => r.event),
    today,
    rejected,
    skippedLines: issues.list.length + issues.more,
    journalIssues: issues.list,
    journalIssuesMore: issues.more,
  };
}

/** Every entry of a stream, oldest first (within `from` when given). */
function forEachItem(journalDir: string, stream: string, from: string | undefined, issues: JournalIssues, fn: (item: JournalEntry, where: Where) => void): Promise<void> {
  return scanStream(journalDir, { stream, order: 'asc', from }, issues, (item, where) => void fn(item, where));
}

/** The refusals the journal still holds (its retention bounds them), summed by reason. */
async function rejectedCounts(journalDir: string, issues: JournalIssues): Promise<Record<RejectReason, number>> {
  const counts: Record<RejectReason, number> = { malformed: 0, unknown: 0 };
  await forEachItem(journalDir, WEBHOOK_REJECTS_STREAM, undefined, issues, (item, where) => {
    const line = parseRejectLine(item);
    if (!line) return void issues.invalid(WEBHOOK_REJECTS_STREAM, where, 'not a refusal count line {ts, malformed, unknown}');
    counts.malformed += line.malformed;
    counts.unknown += line.unknown;
  });
  return counts;
}

/**
 * The link lines of the window, preceded by those from the newest line before it that says what state the link
 * was in (its span may reach into the window), folded.
 */
async function linkHistory(p: Extract<WebhookSyncPayload, { mode: 'link-history' }>): Promise<LinkHistoryResult> {
  const windowStart = p.now - p.windowMs;
  const issues = new JournalIssues();
  const notALinkLine = 'not a link history line';
  const before: LinkLine[] = [];
  const to = new Date(windowStart - 1).toISOString();
  await scanStream(p.journalDir, { stream: WEBHOOK_LINK_STREAM, order: 'desc', limit: 1000, to }, issues, (item, where) => {
    const line = parseLinkLine(item);
    if (!line) return void issues.invalid(WEBHOOK_LINK_STREAM, where, notALinkLine);
    before.push(line);
    return line.kind === 'polls';
  });
  const lines = before.reverse();
  await forEachItem(p.journalDir, WEBHOOK_LINK_STREAM, new Date(windowStart).toISOString(), issues, (item, where) => {
    const line = parseLinkLine(item);
    if (line) lines.push(line);
    else issues.invalid(WEBHOOK_LINK_STREAM, where, notALinkLine);
  });
  return { ...foldLinkLines(lines, p.now, p.windowMs), skippedLines: issues.list.length + issues.more, journalIssues: issues.list, journalIssuesMore: issues.more };
}

function newest(items: Array<{ at: number; event: WebhookEvent }>, n: number) {
  return items.sort((a, b) => a.at - b.at || a.event.seq - b.event.seq).slice(-n);
}

export default async function webhookSync({ payload }: { payload: WebhookSyncPayload }): Promise<ParsedPage | RebuildResult | LinkHistoryResult> {
  if (payload.mode === 'parse-page') return parsePage(payload.text);
  return payload.mode === 'rebuild' ? rebuild(payload) : linkHistory(payload);
}
