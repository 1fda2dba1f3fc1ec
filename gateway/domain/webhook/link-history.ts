// The webhook link's history as journal lines (stream `webhook-link`) and what is computed from them: the
// state changes with their reasons, the poll counts per 5-minute bucket (uptimePct24h), and the dashboard's
// own starts and stops, so a restart shows as a span of `unknown` (nobody was watching), never as `up`.
// Pure: the rebuild worker (workers/webhook-sync.ts) and the live LinkLog (link-log.ts) fold the same way.
import type { JournalEntry } from '../../store/journal-reader.js';
import { DAY_MS, type LinkStateName } from './link-state.js';

export const WEBHOOK_LINK_STREAM = 'webhook-link';
/** The newest spans a status carries (a flapping link changes state at most once a poll). */
export const MAX_HISTORY_SPANS = 288;
export const NOT_RUNNING = 'The dashboard was not running.';

const LINK_STATES: readonly LinkStateName[] = ['up', 'degraded', 'down', 'stale'];

/**
 * `state`: the link changed state at ts. `start`: the dashboard started watching at ts, the link in `state`.
 * `stop`: the dashboard stopped at ts. `polls`: good/total polls of the bucket starting at `bucket` (ms)
 * counted since the last such line of this run (lines of one bucket add up).
 */
export type LinkLine =
  | { ts: string; kind: 'state' | 'start'; state: LinkStateName; detail: string | null }
  | { ts: string; kind: 'stop' }
  | { ts: string; kind: 'polls'; bucket: number; good: number; total: number };

export type HistoryState = LinkStateName | 'unknown';

export interface HistoryMark {
  at: number;
  state: HistoryState;
  detail: string | null;
}

/** One span of the history; `to` is null for the current one. */
export interface HistorySpan {
  state: HistoryState;
  from: string;
  to: string | null;
  detail: string | null;
}

export interface FoldedHistory {
  marks: HistoryMark[];
  /** Poll counts of the buckets inside the window, oldest first. */
  uptime: Array<[number, number, number]>;
  /** The newest line's time: what happened after it (until the next start) nobody saw. */
  lastKnownAt: number | null;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** A journal entry as a link line, or null when it is not one (a hand-edited or foreign line). */
export function parseLinkLine(item: JournalEntry): LinkLine | null {
  const r = item as Record<string, unknown>;
  if (!Number.isFinite(Date.parse(item.ts))) return null;
  switch (r.kind) {
    case 'state':
    case 'start':
      if (!LINK_STATES.includes(r.state as LinkStateName) || (r.detail !== null && typeof r.detail !== 'string')) return null;
      return { ts: item.ts, kind: r.kind, state: r.state as LinkStateName, detail: r.detail as string | null };
    case 'stop':
      return { ts: item.ts, kind: 'stop' };
    case 'polls':
      if (!isCount(r.bucket) || !isCount(r.good) || !isCount(r.total) || r.good > r.total) return null;
      return { ts: item.ts, kind: 'polls', bucket: r.bucket, good: r.good, total: r.total };
    default:
      return null;
  }
}

/** The dashboard starts watching at `at`: from the last known moment until then is unknown; then `state`. */
export function withStart(marks: readonly HistoryMark[], lastKnownAt: number | null, at: number, state: LinkStateName, detail: string | null): HistoryMark[] {
  const out = [...marks];
  const last = out.at(-1);
  if (last && last.state !== 'unknown') out.push({ at: Math.min(lastKnownAt ?? last.at, at), state: 'unknown', detail: NOT_RUNNING });
  out.push({ at, state, detail });
  return out;
}

/** Folds link lines in journal order; poll buckets older than the window ending at `now` are left out. */
export function foldLinkLines(lines: Iterable<LinkLine>, now: number, windowMs = DAY_MS): FoldedHistory {
  let marks: HistoryMark[] = [];
  const buckets = new Map<number, [number, number, number]>();
  let lastKnownAt: number | null = null;
  for (const line of lines) {
    const at = Date.parse(line.ts);
    switch (line.kind) {
      case 'state':
        marks.push({ at, state: line.state, detail: line.detail });
        break;
      case 'start':
        marks = withStart(marks, lastKnownAt, at, line.state, line.detail);
        break;
      case 'stop':
        if (marks.at(-1)?.state !== 'unknown') marks.push({ at, state: 'unknown', detail: NOT_RUNNING });
        break;
      case 'polls': {
        if (line.bucket <= now - windowMs) break;
        const b = buckets.get(line.bucket) ?? [line.bucket, 0, 0];
        b[1] += line.good;
        b[2] += line.total;
        buckets.set(line.bucket, b);
        break;
      }
    }
    lastKnownAt = lastKnownAt === null ? at : Math.max(lastKnownAt, at);
  }
  return { marks, uptime: [...buckets.values()].sort((a, b) => a[0] - b[0]), lastKnownAt };
}

/** Drops the marks whose span ended before the window (the one in force at its start stays). */
export function trimMarks(marks: readonly HistoryMark[], now: number, windowMs = DAY_MS): HistoryMark[] {
  let first = 0;
  while (first + 1 < marks.length && marks[first + 1]!.at <= now - windowMs) first++;
  return first === 0 ? [...marks] : marks.slice(first);
}

/** The spans of the window ending at `now` (the first one clipped to it), the newest MAX_HISTORY_SPANS. */
export function historySpans(marks: readonly HistoryMark[], now: number, windowMs = DAY_MS): HistorySpan[] {
  const start = now - windowMs;
  const spans: HistorySpan[] = [];
  marks.forEach((m, i) => {
    const to = i + 1 < marks.length ? marks[i + 1]!.at : null;
    const from = Math.max(m.at, start);
    if (to !== null && to <= from) return; // ended before the window, or took no time
    spans.push({ state: m.state, from: new Date(from).toISOString(), to: to === null ? null : new Date(to).toISOString(), detail: m.detail });
  });
  return spans.slice(-MAX_HISTORY_SPANS);
}

