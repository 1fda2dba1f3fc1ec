// The log center's data: the shapes of /api/logs/* (docs/log-center.md), the page's URL state (so a search or a
// hit is a shareable link), and the calls the Logs page makes. Pure functions except the small API wrappers.
import type { LogLine } from '../../../gateway/domain/logs/log-line.js';
import type { LogSource } from '../../../gateway/sources/log-source-shapes.js';
import { api } from '../api/api-client.js';

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LEVELS)[number];

/** One entry as search hits and tail lines carry it: the gateway's LogLine, read as always timed (its own time or
 *  an inferred one). */
export interface LogHit extends Omit<LogLine, 'ts' | 'tsInferred'> {
  ts: string;
  tsInferred?: boolean;
}

export interface SearchReply {
  hits: LogHit[];
  nextCursor: string | null;
  scannedBytes: number;
  tookMs: number;
  truncated: boolean;
}

export interface ContextEntry { ts: string; tsInferred?: boolean; level: LogLevel | null; message: string; offset: number; length: number }
export interface ContextReply { file: string; source: string; entries: ContextEntry[]; hitIndex: number; hasBefore: boolean; hasAfter: boolean }

/** A source and its files, newest first, as the gateway lists them. */
export type { LogSource };
export interface SourcesReply { sources: LogSource[]; observedAt: string; pm2?: { state: 'down' | string; detail?: string } }

export interface ErrorGroup {
  fingerprint: string;
  template: string;
  sample: string;
  topFrame: string | null;
  level: LogLevel | null;
  count: number;
  firstSeen: string;
  lastSeen: string;
  sources: string[];
  hourly: number[];
}
export interface GroupsReply { groups: ErrorGroup[]; since: string; indexedBytes: number; pendingBytes: number }
export interface Occurrence { ts: string; source: string; file: string; offset: number }
export interface GroupDetailReply { group: ErrorGroup; occurrences: Occurrence[] }

export interface CleanupFile { path: string; source: string; size: number; mtime: string }
export interface CleanupReply { dryRun: boolean; olderThanDays: number; files: CleanupFile[]; totalBytes: number; deleted: number }

/** What the user searches for; the same filter drives the live tail. */
export interface LogQuery {
  q: string;
  regex: boolean;
  caseSensitive: boolean;
  /** Minimum level; '' = every level (entries of unknown level too). */
  level: LogLevel | '';
  sources: string[];
  /** ISO-8601 or '' (open). */
  from: string;
  to: string;
}

/** A hit to open with its context (from a copied link). */
export interface HitRef { file: string; offset: number }

export const EMPTY_QUERY: LogQuery = { q: '', regex: false, caseSensitive: false, level: '', sources: [], from: '', to: '' };
export const SEARCH_LIMIT = 100;
export const CONTEXT_STEP = 20;
export const MAX_CONTEXT = 200;

const isLevel = (v: string | null): v is LogLevel => v !== null && (LEVELS as readonly string[]).includes(v);

/** Accepts ISO text or epoch ms from a URL; '' when missing or not a time. */
function timeParam(value: string | null): string {
  if (!value) return '';
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

/** The page's URL state: /logs?q=&regex=&case=&level=&source=&from=&to= and, for a hit link, file=&offset=. */
export function queryFromUrl(search: string): { query: LogQuery; hit: HitRef | null } {
  const p = new URLSearchParams(search);
  const level = p.get('level');
  const query: LogQuery = {
    q: (p.get('q') ?? '').slice(0, 1000),
    regex: p.get('regex') === '1',
    caseSensitive: p.get('case') === '1',
    level: isLevel(level) ? level : '',
    sources: (p.get('source') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    from: timeParam(p.get('from')),
    to: timeParam(p.get('to')),
  };
  const file = p.get('file');
  const offset = Number(p.get('offset'));
  const hit = file && file.startsWith('/') && Number.isInteger(offset) && offset >= 0 ? { file, offset } : null;
  return { query, hit };
}

/** The query as URL parameters, leaving out defaults (shared by the page URL and the search request). */
export function queryParams(query: LogQuery): URLSearchParams {
  const p = new URLSearchParams();
  if (query.q) p.set('q', query.q);
  if (query.regex) p.set('regex', '1');
  if (query.caseSensitive) p.set('case', '1');
  if (query.level) p.set('level', query.level);
  if (query.sources.length) p.set('source', query.sources.join(','));
  if (query.from) p.set('from', query.from);
  if (query.to) p.set('to', query.to);
  return p;
}

/** The page URL for a query (and optionally a hit opened with its context). */
export function pageUrl(query: LogQuery, hit?: HitRef | null): string {
  const p = queryParams(query);
  if (hit) {
    p.set('file', hit.file);
    p.set('offset', String(hit.offset));
  }
  const s = p.toString();
  return s ? `/logs?${s}` : '/logs';
}

/** An absolute link to one entry (what "Copy link" puts on the clipboard). */
export function hitLink(hit: HitRef, origin: string = window.location.origin): string {
  return `${origin}/logs?${new URLSearchParams({ file: hit.file, offset: String(hit.offset) })}`;
}

export function searchPath(query: LogQuery, cursor: string | null = null, limit = SEARCH_LIMIT): string {
  const p = queryParams(query);
  p.set('limit', String(limit));
  if (cursor) p.set('cursor', cursor);
  return `/api/logs/search?${p}`;
}

export function contextPath(hit: HitRef, before = CONTEXT_STEP, after = CONTEXT_STEP): string {
  return `/api/logs/context?${new URLSearchParams({ file: hit.file, offset: String(hit.offset), before: String(before), after: String(after) })}`;
}

/** The tail filter the `logs` topic takes (docs/log-center.md "WebSocket topic logs"). */
export function tailFilter(query: LogQuery): { q: string; regex: boolean; caseSensitive: boolean; level: LogLevel | null; sources: string[] } {
  return { q: query.q, regex: query.regex, caseSensitive: query.caseSensitive, level: query.level || null, sources: [...query.sources] };
}

export function sameQuery(a: LogQuery, b: LogQuery): boolean {
  return queryParams(a).toString() === queryParams(b).toString();
}

/** A stable key of an entry: its file and offset. */
export const hitKey = (h: { file: string; offset: number }): string => `${h.file}\u0000${h.offset}`;

/** The words a query's active filters show as chips, each with the change that removes it. */
export interface FilterChip { key: string; label: string; without: Partial<LogQuery> }
export function filterChips(query: LogQuery, sourceLabel: (id: string) => string = (id) => id): FilterChip[] {
  const chips: FilterChip[] = [];
  if (query.regex) chips.push({ key: 'regex', label: 'regex', without: { regex: false } });
  if (query.caseSensitive) chips.push({ key: 'case', label: 'match case', without: { caseSensitive: false } });
  if (query.level) chips.push({ key: 'level', label: `level ≥ ${query.level}`, without: { level: '' } });
  for (const id of query.sources) {
    chips.push({ key: `source:${id}`, label: `source ${sourceLabel(id)}`, without: { sources: query.sources.filter((s) => s !== id) } });
  }
  if (query.from) chips.push({ key: 'from', label: `from ${shortTime(query.from)}`, without: { from: '' } });
  if (query.to) chips.push({ key: 'to', label: `until ${shortTime(query.to)}`, without: { to: '' } });
  return chips;
}

function shortTime(iso: string): string {
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : iso;
}

/** `<input type="datetime-local">` value (device time) ↔ ISO. */
export function isoToLocalInput(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}
export function localInputToIso(value: string): string {
  if (!value) return '';
  const ms = new Date(value).getTime(); // datetime-local without a zone is read as device time
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

// ---- calls ----

export function fetchSources(signal?: AbortSignal): Promise<SourcesReply> {
  return api.get<SourcesReply>('/api/logs/sources', { signal });
}

/** One page of hits; aborting the signal disconnects, which cancels the search on the gateway. */
export function fetchSearch(query: LogQuery, cursor: string | null, signal?: AbortSignal): Promise<SearchReply> {
  return api.get<SearchReply>(searchPath(query, cursor), { signal });
}

export function fetchContext(hit: HitRef, before = CONTEXT_STEP, after = CONTEXT_STEP, signal?: AbortSignal): Promise<ContextReply> {
  return api.get<ContextReply>(contextPath(hit, before, after), { signal });
}

export function fetchGroups(query: Pick<LogQuery, 'from' | 'to' | 'sources'>, limit = 50): Promise<GroupsReply> {
  const p = new URLSearchParams({ limit: String(limit) });
  if (query.from) p.set('from', query.from);
  if (query.to) p.set('to', query.to);
  if (query.sources.length) p.set('source', query.sources.join(','));
  return api.get<GroupsReply>(`/api/logs/groups?${p}`);
}

export function fetchGroup(fingerprint: string): Promise<GroupDetailReply> {
  return api.get<GroupDetailReply>(`/api/logs/groups/${encodeURIComponent(fingerprint)}`);
}

export function postCleanup(olderThanDays: number, dryRun: boolean): Promise<CleanupReply> {
  return api.post<CleanupReply>('/api/logs/cleanup', { olderThanDays, dryRun });
}
