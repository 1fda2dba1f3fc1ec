// Business days of the webhook figures: Asia/Kolkata, like the operations strip (a fixed UTC+05:30 offset:
// the zone has had no daylight saving since 1945), and the day/week/month ranges of the analytics routes.
import { BUSINESS_TIMEZONE } from '../agents/operations-today.js';

export { BUSINESS_TIMEZONE };
const OFFSET_MS = 330 * 60_000;
const DAY_MS = 86_400_000;

export type RangeName = 'day' | 'week' | 'month';
/** Days a range covers, ending with (and including) its date. */
export const RANGE_DAYS: Record<RangeName, number> = { day: 1, week: 7, month: 30 };

export function businessDate(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 10);
}

export function businessHour(ms: number): number {
  return new Date(ms + OFFSET_MS).getUTCHours();
}

/** The instant a business day starts. */
export function dayStartMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - OFFSET_MS;
}

export interface RangeBounds {
  range: RangeName;
  /** First instant of the range (inclusive) and first instant after it (exclusive), ISO. */
  from: string;
  to: string;
  fromMs: number;
  toMs: number;
  days: string[];
  lastDay: string;
}

export function rangeBounds(range: RangeName, lastDay: string): RangeBounds {
  const endMs = dayStartMs(lastDay) + DAY_MS;
  const fromMs = endMs - RANGE_DAYS[range] * DAY_MS;
  const days: string[] = [];
  for (let t = fromMs; t < endMs; t += DAY_MS) days.push(businessDate(t));
  return { range, from: new Date(fromMs).toISOString(), to: new Date(endMs).toISOString(), fromMs, toMs: endMs, days, lastDay };
}
