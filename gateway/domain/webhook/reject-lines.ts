// How refused webhook items are counted in the journal (stream `webhook-rejects`): each line holds the
// malformed and unknown items refused since the previous line, at its ts, so the counts survive a restart
// and any range of them is a sum of lines.
import type { JournalEntry } from '../../store/journal-reader.js';
import type { RejectReason } from './event-schema.js';

export const WEBHOOK_REJECTS_STREAM = 'webhook-rejects';

export type RejectLine = { ts: string } & Record<RejectReason, number>;

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export function toRejectLine(at: number, counts: Record<RejectReason, number>): RejectLine {
  return { ts: new Date(at).toISOString(), malformed: counts.malformed, unknown: counts.unknown };
}

/** A journal entry as a refusal count, or null when it is not one (a hand-edited or foreign line). */
export function parseRejectLine(item: JournalEntry): RejectLine | null {
  const r = item as Record<string, unknown>;
  return isCount(r.malformed) && isCount(r.unknown) ? { ts: item.ts, malformed: r.malformed, unknown: r.unknown } : null;
}
