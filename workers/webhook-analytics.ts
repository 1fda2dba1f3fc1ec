// Worker task: webhook figures over stored events. 'range' folds a day/week/month of the journal into the
// button and CRM figures; 'since' counts the clicks stored since the webhook's startedAt (reconciliation).
import { scanStream, JournalIssues } from '../gateway/store/journal-scan.js';
import type { JournalIssue } from '../gateway/store/journal-reader.js';
import { isEventLine, WEBHOOK_EVENTS_STREAM } from '../gateway/domain/webhook/event-lines.js';
import { buttonFigures, crmFigures, emptyFold, foldEvent, type ButtonFigures, type CrmFigures } from '../gateway/domain/webhook/analytics.js';
import { rangeBounds, type RangeName } from '../gateway/domain/webhook/business-day.js';
import type { Button, WebhookEvent } from '../gateway/domain/webhook/event-schema.js';

export type WebhookAnalyticsPayload =
  | { mode: 'range'; journalDir: string; range: RangeName; lastDay: string }
  | { mode: 'since'; journalDir: string; startedAt: string; storedFrom: number };

interface Issues {
  /** Lines left out (set aside by the gateway, see journal-quarantine.ts). */
  journalIssues: JournalIssue[];
  journalIssuesMore: number;
}

export interface RangeResult extends Issues {
  buttons: ButtonFigures;
  crm: CrmFigures;
  events: number;
}

export interface SinceResult extends Issues {
  clicks: Record<Button, number>;
  /** Ids counted that were stored at or after `storedFrom` (the caller adds the others stored meanwhile). */
  lateIds: string[];
}

async function forEachEvent(journalDir: string, from: string, to: string | undefined, issues: JournalIssues, fn: (e: WebhookEvent, at: number) => void): Promise<void> {
  const seen = new Set<string>();
  await scanStream(journalDir, { stream: WEBHOOK_EVENTS_STREAM, order: 'asc', from, to }, issues, (item, where) => {
    if (!isEventLine(item)) return void issues.invalid(WEBHOOK_EVENTS_STREAM, where, 'not a webhook event line {ts, at, event: {id, seq, type, ts}}');
    if (seen.has(item.event.id)) return;
    seen.add(item.event.id);
    fn(item.event, item.at);
  });
}

export default async function webhookAnalytics({ payload: p }: { payload: WebhookAnalyticsPayload }): Promise<RangeResult | SinceResult> {
  const issues = new JournalIssues();
  const reported = () => ({ journalIssues: issues.list, journalIssuesMore: issues.more });
  if (p.mode === 'range') {
    const b = rangeBounds(p.range, p.lastDay);
    const fold = emptyFold(b.lastDay);
    await forEachEvent(p.journalDir, b.from, new Date(b.toMs - 1).toISOString(), issues, (e) => foldEvent(fold, e));
    return { buttons: buttonFigures(fold, b.days), crm: crmFigures(fold, b.days), events: fold.events, ...reported() };
  }
  const clicks: Record<Button, number> = { RETRIEVE_CONTENT: 0, UNLOCK_CONTENT: 0, SHARE_WITH_CLIENTS: 0 };
  const lateIds: string[] = [];
  const startedMs = Date.parse(p.startedAt);
  await forEachEvent(p.journalDir, new Date(startedMs).toISOString(), undefined, issues, (e, at) => {
    if (e.type !== 'button_click' || Date.parse(e.ts) < startedMs) return;
    clicks[e.button]++;
    if (at >= p.storedFrom) lateIds.push(e.id);
  });
  return { clicks, lateIds, ...reported() };
}
