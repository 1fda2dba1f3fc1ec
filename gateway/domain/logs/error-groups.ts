// Error grouping for the log center: error and fatal entries are fingerprinted by their message with the
// variable parts (numbers, ids, paths, quoted values) normalised, plus their top stack frame, and folded by a
// pure reducer into groups with counts, hourly buckets and their latest occurrences.
import { createHash } from 'node:crypto';
import type { LogLevel } from './log-levels.js';

export const HOUR_MS = 3_600_000;
export const HOURS_KEPT = 24;
export const MAX_OCCURRENCES = 100;
export const DEFAULT_MAX_GROUPS = 500;
const MAX_TEMPLATE_CHARS = 500;
const MAX_SAMPLE_CHARS = 2_000;

/** Where one error entry was seen: enough to open it with GET /api/logs/context. */
export interface ErrorOccurrence {
  ts: string;
  source: string;
  file: string;
  offset: number;
}

/** One error entry after fingerprinting (what the digest worker returns and the live path computes). */
export interface FingerprintedError extends ErrorOccurrence {
  fingerprint: string;
  template: string;
  topFrame: string | null;
  level: 'error' | 'fatal';
  /** The entry's message, cut for display. */
  sample: string;
}

export interface ErrorGroup {
  fingerprint: string;
  template: string;
  /** The message of the latest occurrence. */
  sample: string;
  topFrame: string | null;
  /** The highest level seen in the group. */
  level: 'error' | 'fatal';
  count: number;
  firstSeen: string;
  lastSeen: string;
  sources: string[];
  /** [hour start in ms, count] for the hours at most 24 before lastSeen's hour, oldest first. */
  hours: Array<[number, number]>;
  /** The latest occurrences, oldest first, at most MAX_OCCURRENCES. */
  occurrences: ErrorOccurrence[];
}

export interface ErrorGroupsState {
  groups: Record<string, ErrorGroup>;
}

export const emptyErrorGroups = (): ErrorGroupsState => ({ groups: {} });

// Order matters: the longest, most specific shapes first, so a uuid is not eaten as numbers.
const NORMALISERS: Array<[RegExp, string]> = [
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  // A single quote inside a word ("can't") does not open a quoted value.
  [/"(?:[^"\\\n]|\\.)*"|(?<!\w)'(?:[^'\\\n]|\\.)*'|`[^`\n]*`/g, '<str>'],
  [/(?:[a-z]:)?(?:[\\/][\w.@~+-]+){2,}[\\/]?/gi, '<path>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  // Long hex runs (object ids, hashes) with at least one digit, so plain words like "deadbeef" stay words.
  [/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '<hex>'],
  [/\b\d+(?:\.\d+)*\b/g, '<n>'],
];

/** The message with its variable parts replaced by placeholders: the same error at another time, for another
 *  id or file, gives the same template. Only the first line counts (the rest is stack or detail). */
export function errorTemplate(message: string): string {
  let line = firstLine(message).trim();
  for (const [pattern, placeholder] of NORMALISERS) line = line.replace(pattern, placeholder);
  return line.replace(/\s+/g, ' ').slice(0, MAX_TEMPLATE_CHARS);
}

const FRAME_LINE = /^\s*(?:at\s+\S|File\s+"|#\d+\s)/;

/** The first stack frame of a multi-line entry, without line and column numbers (they move with every
 *  deploy), or null when the entry has no stack. */
export function topStackFrame(message: string): string | null {
  const lines = message.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (!FRAME_LINE.test(line)) continue;
    return line
      .trim()
      .replace(/:\d+(?::\d+)?(?=\)?$)/, '')
      .replace(/,\s*line\s+\d+/, '')
      .slice(0, MAX_TEMPLATE_CHARS);
  }
  return null;
}

export function fingerprintOf(template: string, topFrame: string | null): string {
  return createHash('sha1').update(template).update('\n').update(topFrame ?? '').digest('hex').slice(0, 16);
}

export interface ErrorEntryInput extends ErrorOccurrence {
  level: LogLevel | null;
  message: string;
}

/** An error or fatal entry → its fingerprinted form; null for every other level. */
export function fingerprintEntry(entry: ErrorEntryInput): FingerprintedError | null {
  if (entry.level !== 'error' && entry.level !== 'fatal') return null;
  const template = errorTemplate(entry.message);
  const topFrame = topStackFrame(entry.message);
  return {
    fingerprint: fingerprintOf(template, topFrame),
    template,
    topFrame,
    level: entry.level,
    sample: entry.message.slice(0, MAX_SAMPLE_CHARS),
    ts: entry.ts,
    source: entry.source,
    file: entry.file,
    offset: entry.offset,
  };
}

export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;

/**
 * Folds a batch of fingerprinted errors into the groups (a new state; untouched groups are shared). Entries may
 * come in any order (a backfill of older bytes arrives after live entries). Past `maxGroups`, the groups seen
 * least recently are dropped.
 */
export function applyErrors(state: ErrorGroupsState, errors: readonly FingerprintedError[], maxGroups = DEFAULT_MAX_GROUPS): ErrorGroupsState {
  if (errors.length === 0) return state;
  const groups = { ...state.groups };
  const copied = new Set<string>();
  for (const e of errors) {
    const t = Date.parse(e.ts);
    if (!Number.isFinite(t)) continue;
    let g = groups[e.fingerprint];
    if (!g) {
      g = { fingerprint: e.fingerprint, template: e.template, sample: e.sample, topFrame: e.topFrame, level: e.level, count: 0, firstSeen: e.ts, lastSeen: e.ts, sources: [], hours: [], occurrences: [] };
      groups[e.fingerprint] = g;
      copied.add(e.fingerprint);
    } else if (!copied.has(e.fingerprint)) {
      g = { ...g, sources: [...g.sources], hours: g.hours.map(([h, n]) => [h, n] as [number, number]), occurrences: [...g.occurrences] };
      groups[e.fingerprint] = g;
      copied.add(e.fingerprint);
    }
    addOne(g, e, t);
  }
  return { groups: evict(groups, maxGroups) };
}

function addOne(g: ErrorGroup, e: FingerprintedError, t: number): void {
  g.count += 1;
  if (e.level === 'fatal') g.level = 'fatal';
  if (t < Date.parse(g.firstSeen)) g.firstSeen = e.ts;
  if (t >= Date.parse(g.lastSeen)) {
    g.lastSeen = e.ts;
    g.sample = e.sample;
  }
  if (!g.sources.includes(e.source)) g.sources.push(e.source);
  addToHour(g, hourOf(t));
  addOccurrence(g, { ts: e.ts, source: e.source, file: e.file, offset: e.offset }, t);
}

function addToHour(g: ErrorGroup, hour: number): void {
  const newest = hourOf(Date.parse(g.lastSeen));
  const oldestKept = newest - (HOURS_KEPT - 1) * HOUR_MS;
  if (hour >= oldestKept) {
    const at = g.hours.findIndex(([h]) => h >= hour);
    if (at !== -1 && g.hours[at]![0] === hour) g.hours[at]![1] += 1;
    else if (at === -1) g.hours.push([hour, 1]);
    else g.hours.splice(at, 0, [hour, 1]);
  }
  while (g.hours.length > 0 && g.hours[0]![0] < oldestKept) g.hours.shift();
}

// Kept in time order; when full, an occurrence older than every kept one is not worth keeping.
function addOccurrence(g: ErrorGroup, o: ErrorOccurrence, t: number): void {
  const list = g.occurrences;
  let at = list.length;
  while (at > 0 && Date.parse(list[at - 1]!.ts) > t) at -= 1;
  if (list.length >= MAX_OCCURRENCES && at === 0) return;
  list.splice(at, 0, o);
  if (list.length > MAX_OCCURRENCES) list.shift();
}

function evict(groups: Record<string, ErrorGroup>, maxGroups: number): Record<string, ErrorGroup> {
  const keys = Object.keys(groups);
  if (keys.length <= maxGroups) return groups;
  const byRecency = keys.sort((a, b) => Date.parse(groups[b]!.lastSeen) - Date.parse(groups[a]!.lastSeen));
  const kept: Record<string, ErrorGroup> = {};
  for (const key of byRecency.slice(0, maxGroups)) kept[key] = groups[key]!;
  return kept;
}

export interface GroupQuery {
  from?: number;
  to?: number;
  sources?: readonly string[];
  limit?: number;
}

/** A group as the API shows it: `hourly` holds 24 counts, oldest first, ending with the hour of `now`. */
export interface ErrorGroupView extends Omit<ErrorGroup, 'hours' | 'occurrences'> {
  hourly: number[];
}

export function viewGroup(g: ErrorGroup, now: number): ErrorGroupView {
  const { hours, occurrences: _occurrences, ...rest } = g;
  const last = hourOf(now);
  const hourly = new Array<number>(HOURS_KEPT).fill(0);
  for (const [h, n] of hours) {
    const index = HOURS_KEPT - 1 - (last - h) / HOUR_MS;
    if (index >= 0 && index < HOURS_KEPT) hourly[index] = n;
  }
  return { ...rest, sources: [...rest.sources], hourly };
}

/** Groups seen within [from, to] (and from one of `sources` when given), most recent first. */
export function listGroups(state: ErrorGroupsState, now: number, q: GroupQuery = {}): ErrorGroupView[] {
  const wanted = q.sources && q.sources.length > 0 ? new Set(q.sources) : null;
  return Object.values(state.groups)
    .filter((g) => (q.from === undefined || Date.parse(g.lastSeen) >= q.from) && (q.to === undefined || Date.parse(g.firstSeen) <= q.to))
    .filter((g) => !wanted || g.sources.some((s) => wanted.has(s)))
    .sort((a, b) => Date.parse(b.lastSeen) - Date.parse(a.lastSeen) || a.fingerprint.localeCompare(b.fingerprint))
    .slice(0, q.limit ?? 50)
    .map((g) => viewGroup(g, now));
}

/** One group and its latest occurrences (newest first), or null for an unknown fingerprint. */
export function groupDetail(state: ErrorGroupsState, fingerprint: string, now: number): { group: ErrorGroupView; occurrences: ErrorOccurrence[] } | null {
  const g = Object.prototype.hasOwnProperty.call(state.groups, fingerprint) ? state.groups[fingerprint] : undefined;
  if (!g) return null;
  return { group: viewGroup(g, now), occurrences: [...g.occurrences].reverse() };
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return nl === -1 ? text : text.slice(0, nl);
}
