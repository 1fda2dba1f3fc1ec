// The live tail on the hub topic `logs`: a client's tail filter (text or regex, case, minimum level, sources),
// compiled once, and a gate per client that admits at most 500 matching lines a second and counts the rest.
//
// Client regexes run on the gateway's event loop, for every new line, so they must not be able to hang it:
// they run on re2js (a port of RE2), whose matching time is linear in the line's length whatever the pattern.
// JavaScript syntax is translated; what RE2 cannot do in linear time (backreferences, lookaround) is refused.
import { z } from 'zod';
import { RE2JS } from 're2js';
import { LEVELS, passesLevel } from './log-levels.js';
import type { LogLevel } from './log-levels.js';
import type { LogLine } from './log-format.js';

export const TAIL_LINES_PER_SECOND = 500;
export const MAX_TAIL_SOURCES = 200;
const WINDOW_MS = 1_000;

/** A client's tail filter (docs/log-center.md "WebSocket topic logs"). */
export interface TailFilter {
  q: string;
  regex: boolean;
  caseSensitive: boolean;
  /** Minimum level; null = every entry, those of unknown level included. */
  level: LogLevel | null;
  /** Source ids; empty = every source. */
  sources: string[];
}

export const tailFilterSchema = z.strictObject({
  q: z.string().max(1000, 'q is at most 1000 characters').default(''),
  regex: z.boolean().default(false),
  caseSensitive: z.boolean().default(false),
  level: z.enum(LEVELS as [LogLevel, ...LogLevel[]]).nullable().default(null),
  sources: z.array(z.string().min(1).max(500)).max(MAX_TAIL_SOURCES, `at most ${MAX_TAIL_SOURCES} sources`).default([]),
});

export class TailFilterError extends Error {
  constructor(readonly code: 'invalid_regex', message: string) {
    super(message);
    this.name = 'TailFilterError';
  }
}

export type TailMatcher = (line: LogLine) => boolean;

/** The filter as a predicate; throws TailFilterError for a regex that does not compile or that RE2 refuses. */
export function compileTailFilter(filter: TailFilter): TailMatcher {
  const text = textMatcher(filter);
  const sources = filter.sources.length > 0 ? new Set(filter.sources) : null;
  const level = filter.level;
  return (line) => (!sources || sources.has(line.source)) && passesLevel(line.level, level) && (!text || text(line.message));
}

function textMatcher(filter: TailFilter): ((message: string) => boolean) | null {
  if (filter.q === '') return null;
  if (!filter.regex) {
    if (filter.caseSensitive) return (m) => m.includes(filter.q);
    const needle = filter.q.toLowerCase();
    return (m) => m.toLowerCase().includes(needle);
  }
  try {
    new RegExp(filter.q); // the JavaScript engine's reason reads the same as the search's invalid_regex
  } catch (err) {
    throw new TailFilterError('invalid_regex', `The tail regex does not compile: ${(err as Error).message}`);
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(filter.q), filter.caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    throw new TailFilterError(
      'invalid_regex',
      `The live tail runs regexes in linear time (RE2) and cannot run this one: ${(err as Error).message}. ` +
        'Backreferences and lookaround are not supported here; search supports them.',
    );
  }
  return (m) => re.test(m);
}

/** Canonical text of a filter: equal filters share the serialised frames of a tick. */
export function tailFilterKey(filter: TailFilter): string {
  return JSON.stringify([filter.q, filter.regex, filter.caseSensitive, filter.level, [...filter.sources].sort()]);
}

export interface TailTake {
  lines: LogLine[];
  /** Matching lines not sent (over the rate bound) since the previous take. */
  dropped: number;
}

/**
 * One client's tail: offered lines that match are queued while the client has had fewer than `perSecond`
 * lines in the last second (a sliding window, so no second ever holds more); the others are counted as
 * dropped. Memory is bounded by `perSecond` lines.
 */
export class TailGate {
  readonly filter: TailFilter;
  readonly key: string;
  readonly #matches: TailMatcher;
  readonly #perSecond: number;
  // Times (ms) at which the last `perSecond` lines were admitted, a ring.
  readonly #admitted: number[] = [];
  #ringStart = 0;
  #queue: LogLine[] = [];
  #dropped = 0;

  constructor(filter: TailFilter, perSecond = TAIL_LINES_PER_SECOND) {
    this.filter = filter;
    this.key = tailFilterKey(filter);
    this.#matches = compileTailFilter(filter);
    this.#perSecond = perSecond;
  }

  /** Matches each line against the filter and queues or drops it. */
  offer(lines: readonly LogLine[], now: number): void {
    for (const line of lines) {
      if (!this.#matches(line)) continue;
      if (this.#admit(now)) this.#queue.push(line);
      else this.#dropped += 1;
    }
  }

  get hasOutput(): boolean {
    return this.#queue.length > 0 || this.#dropped > 0;
  }

  /** What to send now (null when nothing): the queued lines and the dropped count, both reset. */
  take(): TailTake | null {
    if (!this.hasOutput) return null;
    const out = { lines: this.#queue, dropped: this.#dropped };
    this.#queue = [];
    this.#dropped = 0;
    return out;
  }

  #admit(now: number): boolean {
    if (this.#admitted.length < this.#perSecond) {
      this.#admitted.push(now);
      return true;
    }
    const oldest = this.#admitted[this.#ringStart]!;
    if (now - oldest < WINDOW_MS) return false;
    this.#admitted[this.#ringStart] = now;
    this.#ringStart = (this.#ringStart + 1) % this.#perSecond;
    return true;
  }
}

/** What the `logs` snapshot says about a tail: the followed source ids it covers, and from when. */
export function tailSnapshot(filter: TailFilter | null | undefined, followedSources: readonly string[], now: number): { sources: string[]; from: string } | null {
  if (!filter) return null;
  const wanted = filter.sources.length > 0 ? new Set(filter.sources) : null;
  const sources = [...new Set(followedSources)].filter((s) => !wanted || wanted.has(s)).sort();
  return { sources, from: new Date(now).toISOString() };
}
