// The webhook link's last 24 h (`history24h` of /api/webhook/status, docs/webhook.md) as the uptime strip draws
// it: the spans clipped to the window with the unrecorded time made explicit, the summary in words, each span in
// words, and whether the history can be shown at all (missing, failed to load, or stale). Pure.
import { formatClock, formatDuration, getBusinessTimeZone } from '../app/time-format.js';
import { LIVE_STALE_AFTER_MS, type HistoryState, type WebhookStatus } from './webhook-data.js';

export const HISTORY_WINDOW_MS = 24 * 3_600_000;

export const HISTORY_STATES: readonly HistoryState[] = ['up', 'degraded', 'down', 'stale', 'unknown'];

/** A span on the strip: `none` is time inside the window the history does not cover (before its first record, or a gap). */
export type StripState = HistoryState | 'none';
export interface StripSpan { state: StripState; from: number; to: number; current: boolean; detail: string | null }

export const NO_RECORD = 'The dashboard has no record of this time.';

function validSpan(v: unknown): { state: HistoryState; from: number; to: number | null; detail: string | null } | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as Record<string, unknown>;
  const from = typeof r.from === 'string' ? Date.parse(r.from) : NaN;
  const to = r.to === null ? null : typeof r.to === 'string' ? Date.parse(r.to) : NaN;
  if (!HISTORY_STATES.includes(r.state as HistoryState) || !Number.isFinite(from) || (to !== null && !Number.isFinite(to))) return null;
  return { state: r.state as HistoryState, from, to, detail: typeof r.detail === 'string' && r.detail !== '' ? r.detail : null };
}

/**
 * The spans inside the window ending at `end`, oldest first, covering it without gaps: time no span covers is
 * `none`. Spans that are not well formed are left out (their time shows as `none`). Null when `history` is not a list.
 */
export function stripSpans(history: unknown, end: number, windowMs = HISTORY_WINDOW_MS): StripSpan[] | null {
  if (!Array.isArray(history)) return null;
  const start = end - windowMs;
  const valid = history.map(validSpan).filter((s) => s !== null).sort((a, b) => a.from - b.from);
  const out: StripSpan[] = [];
  let cursor = start;
  const push = (state: StripState, from: number, to: number, current: boolean, detail: string | null) => {
    const f = Math.max(from, cursor);
    const t = Math.min(to, end);
    if (t <= f) return;
    if (f > cursor) out.push({ state: 'none', from: cursor, to: f, current: false, detail: NO_RECORD });
    out.push({ state, from: f, to: t, current, detail });
    cursor = t;
  };
  valid.forEach((s) => push(s.state, s.from, s.to ?? end, s.to === null, s.detail));
  if (cursor < end) {
    // Nothing is known of the end of the window: a history that stops early (or is empty) says so.
    out.push({ state: 'none', from: cursor, to: end, current: false, detail: NO_RECORD });
  }
  return out;
}

export interface StripSummary {
  /** Time the dashboard watched the link (every state but `unknown` and `none`). */
  watchedMs: number;
  /** Up or degraded. */
  upMs: number;
  byState: Record<StripState, number>;
  outages: number;
  longestOutageMs: number;
  /** When the first record starts, if after the window's start. */
  recordedFrom: number | null;
}

export function summarise(spans: readonly StripSpan[]): StripSummary {
  const byState: Record<StripState, number> = { up: 0, degraded: 0, down: 0, stale: 0, unknown: 0, none: 0 };
  let outages = 0;
  let longestOutageMs = 0;
  for (const s of spans) {
    const ms = s.to - s.from;
    byState[s.state] += ms;
    if (s.state === 'down') {
      outages += 1;
      longestOutageMs = Math.max(longestOutageMs, ms);
    }
  }
  const firstRecorded = spans.find((s) => s.state !== 'none');
  const recordedFrom = firstRecorded && spans[0]?.state === 'none' ? firstRecorded.from : null;
  const upMs = byState.up + byState.degraded;
  return { watchedMs: upMs + byState.down + byState.stale, upMs, byState, outages, longestOutageMs, recordedFrom };
}

/** formatDuration's words, but a whole day stays in hours ("24 h 00 min", not "1 d 0 h"). */
function durationWords(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (ms > 0 && s === 0) return 'under 1 s';
  if (s < 86_400) return formatDuration(s);
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** "97.2 %"; never "100 %" while anything else happened, never "0 %" while the link was up at all. */
export function uptimePercent(upMs: number, watchedMs: number): string {
  if (watchedMs <= 0) return '—';
  let pct = Math.round((upMs / watchedMs) * 1000) / 10;
  if (pct === 100 && upMs < watchedMs) pct = 99.9;
  if (pct === 0 && upMs > 0) pct = 0.1;
  return `${pct.toFixed(1).replace(/\.0$/, '')} %`;
}

const STATE_WORDS: Record<StripState, string> = {
  up: 'up', degraded: 'degraded', down: 'down', stale: 'stale', unknown: 'unknown', none: 'no record',
};
export const stripWord = (state: StripState): string => STATE_WORDS[state];

/** "Last 24 h: up 97.2 % of the time watched, 2 outages (longest 14 min), unknown 1 h 05 min while the dashboard was not running." */
export function summaryWords(spans: readonly StripSpan[], end: number): string {
  const s = summarise(spans);
  const parts: string[] = [];
  if (s.watchedMs > 0) {
    parts.push(`up ${uptimePercent(s.upMs, s.watchedMs)} of the time watched (${durationWords(s.watchedMs)})`);
    parts.push(s.outages === 0 ? 'no outages'
      : `${s.outages} outage${s.outages === 1 ? '' : 's'} (${s.outages === 1 ? '' : 'longest '}${durationWords(s.longestOutageMs)})`);
  } else {
    parts.push('the link was not watched');
  }
  if (s.byState.degraded > 0) parts.push(`degraded ${durationWords(s.byState.degraded)}`);
  if (s.byState.stale > 0) parts.push(`stale ${durationWords(s.byState.stale)}`);
  if (s.byState.unknown > 0) parts.push(`unknown ${durationWords(s.byState.unknown)} while the dashboard was not running`);
  if (s.recordedFrom !== null) parts.push(`no record before ${timeWords(s.recordedFrom, end)}`);
  else if (s.byState.none > 0) parts.push(`no record for ${durationWords(s.byState.none)}`);
  return `Last 24 h: ${parts.join(', ')}.`;
}

// Business-day dates, to say "yesterday" when a time of the window is on the day before.
const dayFormats = new Map<string, Intl.DateTimeFormat>();
function businessDate(ms: number): string {
  const zone = getBusinessTimeZone();
  let f = dayFormats.get(zone);
  if (!f) dayFormats.set(zone, (f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(ms);
}

/** "14:02:11", or "yesterday 23:40:00" when it is on the business day before `end`'s. */
export function timeWords(ms: number, end: number): string {
  return businessDate(ms) === businessDate(end) ? formatClock(ms) : `yesterday ${formatClock(ms)}`;
}

/** The span in words, for its tooltip, its accessible name and the detail line. */
export function spanWords(s: StripSpan, end: number, asOf: number | null = null): string {
  const until = s.current ? (asOf === null ? 'now' : `${timeWords(s.to, end)} (last known)`) : timeWords(s.to, end);
  const words = `${stripWord(s.state)} from ${timeWords(s.from, end)} to ${until}, ${durationWords(s.to - s.from)}`;
  return s.detail ? `${words} — ${s.detail}` : words;
}

/** What the strip can show: the history (ending now, or at `asOf` when the data is stale) or why not. */
export type HistoryView =
  | { kind: 'shown'; history: unknown; end: number; asOf: null }
  | { kind: 'stale'; history: unknown; end: number; asOf: number; reason: string }
  | { kind: 'unavailable'; reason: string; loading?: boolean };

export interface HistoryViewInput {
  status: WebhookStatus | null;
  /** When the status was last received (ms). */
  statusAt: number | null;
  /** Why the last status load failed, if it did. */
  statusError: string;
  /** Whether the dashboard's live connection is up. */
  live: boolean;
  now: number;
}

export function historyView(i: HistoryViewInput): HistoryView {
  const s = i.status;
  if (!s) {
    return i.statusError ? { kind: 'unavailable', reason: `The status could not be loaded — ${i.statusError}.` }
      : { kind: 'unavailable', reason: 'Waiting for the webhook status…', loading: true };
  }
  if (s.state === 'not_configured') return { kind: 'unavailable', reason: 'No history: the webhook is not configured.' };
  if (!Array.isArray(s.history24h)) return { kind: 'unavailable', reason: 'The gateway did not send the link\'s history.' };
  if (i.statusAt !== null && !i.live) {
    if (i.now - i.statusAt > LIVE_STALE_AFTER_MS) {
      return { kind: 'stale', history: s.history24h, end: i.statusAt, asOf: i.statusAt, reason: 'the dashboard lost its live connection' };
    }
    if (i.statusError) return { kind: 'stale', history: s.history24h, end: i.statusAt, asOf: i.statusAt, reason: `refresh failed — ${i.statusError}` };
  }
  return { kind: 'shown', history: s.history24h, end: i.now, asOf: null };
}
