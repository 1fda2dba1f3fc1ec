// The webhook's link state as a pure reducer of poll outcomes and clock ticks: up, degraded, down or stale,
// with the time each began and the share of good polls over the last 24 hours.
import type { FailureKind, WebhookHealth } from '../../sources/webhook-client.js';

export type LinkStateName = 'up' | 'degraded' | 'down' | 'stale';

export interface LinkState {
  state: LinkStateName;
  since: string;
  /** When the last poll ended. */
  observedAt: string | null;
  lastGoodAt: string | null;
  latencyMs: number | null;
  /** The last /health body that parsed (kept while down, for context). */
  health: WebhookHealth | null;
  detail: string | null;
  timeouts: number;
  /** Polls by 5-minute bucket: [bucket start ms, good, total]. */
  uptime: ReadonlyArray<readonly [number, number, number]>;
}

export type LinkInput =
  | { type: 'poll'; at: number; ok: true; health: WebhookHealth; latencyMs: number }
  | { type: 'poll'; at: number; ok: false; kind: FailureKind; detail: string; latencyMs: number | null }
  | { type: 'tick'; at: number };

/** Consecutive timeouts after which the webhook counts as not answering at all. */
export const TIMEOUTS_FOR_DOWN = 3;
/** Polls are counted per bucket of this length (uptimePct24h; journalled per bucket, see link-history.ts). */
export const BUCKET_MS = 5 * 60_000;
/** The window of uptimePct24h and of the link history. */
export const DAY_MS = 86_400_000;

export type UptimeBuckets = LinkState['uptime'];

export function initialLinkState(at: number): LinkState {
  return { state: 'stale', since: new Date(at).toISOString(), observedAt: null, lastGoodAt: null, latencyMs: null, health: null, detail: 'Not polled yet.', timeouts: 0, uptime: [] };
}

export const bucketOf = (at: number): number => at - (at % BUCKET_MS);

function countPoll(uptime: UptimeBuckets, at: number, good: boolean): UptimeBuckets {
  const bucket = bucketOf(at);
  const kept = uptime.filter(([b]) => b > at - DAY_MS);
  const last = kept.at(-1);
  if (last && last[0] === bucket) return [...kept.slice(0, -1), [bucket, last[1] + (good ? 1 : 0), last[2] + 1] as const];
  return [...kept, [bucket, good ? 1 : 0, 1] as const];
}

function moveTo(s: LinkState, state: LinkStateName, at: number, detail: string | null): LinkState {
  return state === s.state ? { ...s, detail } : { ...s, state, since: new Date(at).toISOString(), detail };
}

export function reduceLink(s: LinkState, input: LinkInput, pollMs: number): LinkState {
  let next = s;
  if (input.type === 'poll') {
    const observedAt = new Date(input.at).toISOString();
    if (input.ok) {
      next = { ...s, observedAt, lastGoodAt: observedAt, latencyMs: input.latencyMs, health: input.health, timeouts: 0, uptime: countPoll(s.uptime, input.at, true) };
      const state = input.health.status === 'healthy' ? 'up' : 'degraded';
      return moveTo(next, state, input.at, state === 'degraded' ? 'The webhook reports itself degraded.' : null);
    }
    next = { ...s, observedAt, latencyMs: input.latencyMs, uptime: countPoll(s.uptime, input.at, false) };
    if (input.kind !== 'timeout') return moveTo({ ...next, timeouts: 0 }, 'down', input.at, `/health: ${input.detail}`);
    next = { ...next, timeouts: s.timeouts + 1 };
    if (next.timeouts >= TIMEOUTS_FOR_DOWN) return moveTo(next, 'down', input.at, `/health: no answer ${next.timeouts} times in a row`);
  }
  // A webhook that answered before but not lately is stale: its last figures stand, marked as such.
  const quietMs = next.lastGoodAt === null ? Infinity : input.at - Date.parse(next.lastGoodAt);
  if ((next.state === 'up' || next.state === 'degraded') && quietMs >= 2 * pollMs) {
    return moveTo(next, 'stale', input.at, `Nothing heard from /health since ${next.lastGoodAt}.`);
  }
  return next;
}

/** Share of polls in the last 24 h that were up or degraded, in percent (null before the first poll). */
export function uptimePct24h(s: LinkState, now: number): number | null {
  let good = 0;
  let total = 0;
  for (const [bucket, g, t] of s.uptime) {
    if (bucket <= now - DAY_MS) continue;
    good += g;
    total += t;
  }
  return total === 0 ? null : Math.round((good / total) * 10_000) / 100;
}
