// Per-minute entry counts by source and level for the log center (and the alert engine's log-rate rules):
// a pure reducer over counted entries, keeping the last 24 hours.
import type { LogLevel } from './log-levels.js';

export const MINUTE_MS = 60_000;
export const RATES_KEPT_MS = 24 * 3_600_000;

/** A count of entries of one source and level within one minute (`t` = the minute's start, ISO). */
export interface RateBucket {
  t: string;
  source: string;
  level: LogLevel | null;
  count: number;
}

/** The same in compact form, as the digest worker returns it and the state stores it. */
export interface RateCount {
  /** Minute start, ms epoch. */
  minute: number;
  source: string;
  level: LogLevel | null;
  count: number;
}

export interface LogRatesState {
  /** Minute start (ms, as a string key) → `${source}\n${level}` → count. */
  minutes: Record<string, Record<string, number>>;
}

export const emptyLogRates = (): LogRatesState => ({ minutes: {} });

export const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** Counts entries ({ts, source, level}) by minute, source and level. */
export function countEntries(entries: Iterable<{ ts: string; source: string; level: LogLevel | null }>): RateCount[] {
  const byKey = new Map<string, RateCount>();
  for (const e of entries) {
    const t = Date.parse(e.ts);
    if (!Number.isFinite(t)) continue;
    const minute = minuteOf(t);
    const key = `${minute}\n${e.source}\n${e.level ?? ''}`;
    const hit = byKey.get(key);
    if (hit) hit.count += 1;
    else byKey.set(key, { minute, source: e.source, level: e.level, count: 1 });
  }
  return [...byKey.values()];
}

/** Adds counts (a new state; untouched minutes are shared) and drops minutes older than 24 h before `now`. */
export function applyRates(state: LogRatesState, counts: readonly RateCount[], now: number): LogRatesState {
  const oldest = minuteOf(now) - RATES_KEPT_MS + MINUTE_MS;
  const minutes: Record<string, Record<string, number>> = {};
  for (const [key, row] of Object.entries(state.minutes)) if (Number(key) >= oldest) minutes[key] = row;
  const copied = new Set<string>();
  for (const c of counts) {
    if (c.minute < oldest || !(c.count > 0)) continue;
    const key = String(minuteOf(c.minute));
    if (!copied.has(key)) {
      minutes[key] = { ...minutes[key] };
      copied.add(key);
    }
    const row = minutes[key]!;
    const cell = `${c.source}\n${c.level ?? ''}`;
    row[cell] = (row[cell] ?? 0) + c.count;
  }
  return { minutes };
}

export interface RatesQuery {
  from?: number;
  to?: number;
  sources?: readonly string[];
}

/** Buckets within [from, to] (minute starts), oldest first, then by source and level. */
export function rateBuckets(state: LogRatesState, q: RatesQuery = {}): RateBucket[] {
  const wanted = q.sources && q.sources.length > 0 ? new Set(q.sources) : null;
  const out: RateBucket[] = [];
  const minutes = Object.keys(state.minutes).map(Number).sort((a, b) => a - b);
  for (const minute of minutes) {
    if (q.from !== undefined && minute < minuteOf(q.from)) continue;
    if (q.to !== undefined && minute > q.to) continue;
    const t = new Date(minute).toISOString();
    const cells = Object.entries(state.minutes[String(minute)]!).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [cell, count] of cells) {
      const nl = cell.lastIndexOf('\n');
      const source = cell.slice(0, nl);
      if (wanted && !wanted.has(source)) continue;
      const level = cell.slice(nl + 1);
      out.push({ t, source, level: level === '' ? null : (level as LogLevel), count });
    }
  }
  return out;
}
