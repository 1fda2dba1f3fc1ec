// Pure parsing of log entries: level, timestamp and message from JSON lines (pino, bunyan, winston),
// PM2 timestamp prefixes and plain text with level words; ANSI stripping; entry boundaries in a byte block.
import stripAnsi from 'strip-ansi';
import { normalizeLevel } from './log-levels.js';
import type { LogLevel } from './log-levels.js';
import type { LogLine } from './log-line.js';

export { stripAnsi };

export type { LogLine };

export interface ParsedEntry {
  /** Epoch ms, or null when the entry carries no timestamp of its own. */
  ts: number | null;
  level: LogLevel | null;
  message: string;
}

/** Messages are cut here; `length` still tells the entry's full size in bytes. */
export const MAX_MESSAGE_CHARS = 16 * 1024;

// ---- timestamps ----------------------------------------------------------------------------------

// A leading timestamp, optionally in brackets: ISO-8601 or `YYYY-MM-DD HH:mm:ss[.SSS][ ±HH:MM|Z]`.
// Followed by `: ` it is a PM2 prefix (log_date_format); otherwise the start of a plain-text line.
const LEADING_TS =
  /^\[?(\d{4})[-/](\d{2})[-/](\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?: ?(Z|[+-]\d{2}:?\d{2}))?\]?(?=$|[\s:|,\]-])/;

interface LeadingTs { ts: number; rest: string }

function offsetMinutes(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

/** A timestamp at the start of a line, and the text after it (separator removed). */
export function leadingTimestamp(line: string): LeadingTs | null {
  const first = line.charCodeAt(0);
  if (!((first >= 48 && first <= 57) || first === 91)) return null; // digit or '['
  const m = LEADING_TS.exec(line);
  if (!m) return null;
  const [whole, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const month = Number(mo) - 1;
  // Without a zone the writer (PM2, the app) used the machine's local time, which is ours too.
  const ts = zone === undefined
    ? new Date(Number(y), month, Number(d), Number(h), Number(mi), Number(s), ms).getTime()
    : Date.UTC(Number(y), month, Number(d), Number(h), Number(mi), Number(s), ms) - offsetMinutes(zone) * 60_000;
  if (!Number.isFinite(ts)) return null;
  let rest = line.slice(whole.length);
  rest = rest.replace(/^(?::\s?|\s*[|-]\s+|\s+)/, '');
  return { ts, rest };
}

/** A JSON timestamp: epoch seconds, ms, µs or ns (as number or digits), or a date string. */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value === 'string') {
    const t = value.trim();
    if (/^\d+(\.\d+)?$/.test(t)) return parseTimestamp(Number(t));
    const parsed = Date.parse(t);
    return Number.isFinite(parsed) ? parsed : null;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return null;
  if (value >= 1e17) return Math.floor(value / 1e6); // ns
  if (value >= 1e14) return Math.floor(value / 1e3); // µs
  if (value >= 1e11) return Math.floor(value); // ms
  return Math.floor(value * 1000); // s (bunyan's and python's float seconds)
}

// ---- continuation lines --------------------------------------------------------------------------

const CONTINUATION = /^(?:[ \t]|at |Caused by:|\.\.\.|[}\])]|$)/;

/** True when the line belongs to the entry above it: stack frames, indented or closing lines, blank lines. */
export function isContinuationLine(line: string): boolean {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (CONTINUATION.test(text)) return true;
  // PM2 prefixes every written chunk, so a stack frame can come after a timestamp prefix.
  const lead = leadingTimestamp(text);
  return lead !== null && lead.rest !== '' && CONTINUATION.test(lead.rest);
}

const SP = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d;

/** isContinuationLine on raw bytes: the line is buf[start, end) without its newline. */
export function isContinuationBytes(buf: Uint8Array, start: number, end: number): boolean {
  if (start >= end) return true;
  const c = buf[start];
  if (c === SP || c === TAB || c === CR || c === 0x7d || c === 0x5d || c === 0x29) return true; // ' ' \t \r } ] )
  if (c === 0x61) return end - start >= 3 && buf[start + 1] === 0x74 && buf[start + 2] === SP; // "at "
  if (c === 0x2e) return end - start >= 3 && buf[start + 1] === 0x2e && buf[start + 2] === 0x2e; // "..."
  if (c === 0x43) return end - start >= 10 && latin1(buf, start, start + 10) === 'Caused by:';
  if (c >= 0x30 && c <= 0x39) {
    // Maybe a PM2 prefix before a stack frame: decode just the head of the line.
    return isContinuationLine(latin1(buf, start, Math.min(end, start + 64)));
  }
  return false;
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}

// ---- entries -------------------------------------------------------------------------------------

export interface EntrySpan {
  /** Byte offset of the entry's first byte (baseOffset + index in the block). */
  offset: number;
  /** Bytes of the entry, its final newline excluded. */
  length: number;
  /** The raw entry text (UTF-8), lines joined with \n. */
  text: string;
}

function trimLineEnd(buf: Uint8Array, start: number, end: number): number {
  let e = end;
  while (e > start && (buf[e - 1] === LF || buf[e - 1] === CR)) e--;
  return e;
}

/**
 * Cuts a block of bytes into entries. Leading continuation lines (the tail of an entry that started
 * before the block) become an entry of their own, so nothing in the block is lost.
 */
export function splitEntries(block: Uint8Array | string, baseOffset = 0): EntrySpan[] {
  return splitInto(toBytes(block), baseOffset, false).entries;
}

/**
 * For following a growing file: the last entry is held back (more continuation lines may still be
 * written). `rest` is the index in the block where the held-back bytes begin.
 */
export function splitEntriesIncremental(block: Uint8Array | string, baseOffset = 0): { entries: EntrySpan[]; rest: number } {
  return splitInto(toBytes(block), baseOffset, true);
}

function toBytes(block: Uint8Array | string): Buffer {
  if (typeof block === 'string') return Buffer.from(block, 'utf8');
  return Buffer.isBuffer(block) ? block : Buffer.from(block.buffer, block.byteOffset, block.byteLength);
}

function splitInto(buf: Buffer, baseOffset: number, holdLast: boolean): { entries: EntrySpan[]; rest: number } {
  const entries: EntrySpan[] = [];
  let entryStart = -1;
  let pos = 0;
  const push = (end: number): void => {
    const e = trimLineEnd(buf, entryStart, end);
    entries.push({ offset: baseOffset + entryStart, length: e - entryStart, text: buf.toString('utf8', entryStart, e) });
  };
  while (pos < buf.length) {
    const nl = buf.indexOf(LF, pos);
    const lineEnd = nl === -1 ? buf.length : nl;
    const complete = nl !== -1;
    if (entryStart === -1) entryStart = pos;
    else if (!isContinuationBytes(buf, pos, trimLineEnd(buf, pos, lineEnd))) {
      push(pos);
      entryStart = pos;
    }
    pos = complete ? nl + 1 : buf.length;
  }
  if (entryStart === -1) return { entries, rest: buf.length };
  if (holdLast) return { entries, rest: entryStart };
  push(buf.length);
  return { entries, rest: buf.length };
}

// ---- parsing one entry ---------------------------------------------------------------------------

const JSON_SKIP = new Set([
  'level', 'levelname', 'severity', 'lvl', 'time', 'timestamp', 'ts', '@timestamp', 'date',
  'msg', 'message', 'pid', 'hostname', 'v', 'name', 'err', 'error', 'stack',
]);
const TIME_KEYS = ['time', 'timestamp', 'ts', '@timestamp', 'date'];
const LEVEL_KEYS = ['level', 'severity', 'levelname', 'lvl'];

function stackOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.stack === 'string') return o.stack;
    if (typeof o.message === 'string') return `${typeof o.type === 'string' ? `${o.type}: ` : ''}${o.message}`;
  }
  return null;
}

function extraText(key: string, value: unknown): string {
  if (value === null || typeof value !== 'object') return `${key}=${String(value)}`;
  return `${key}=${JSON.stringify(value)}`;
}

function parseJsonLine(line: string): ParsedEntry | null {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return null;
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return null;
  const o = obj as Record<string, unknown>;
  let level: LogLevel | null = null;
  for (const k of LEVEL_KEYS) if (o[k] !== undefined && (level = normalizeLevel(o[k]))) break;
  let ts: number | null = null;
  for (const k of TIME_KEYS) if (o[k] !== undefined && (ts = parseTimestamp(o[k])) !== null) break;
  const msgValue = o.msg ?? o.message;
  const parts: string[] = [];
  if (typeof msgValue === 'string') parts.push(msgValue);
  else if (msgValue !== undefined) parts.push(JSON.stringify(msgValue));
  for (const [k, v] of Object.entries(o)) if (!JSON_SKIP.has(k)) parts.push(extraText(k, v));
  let message = parts.join(' ');
  const stack = stackOf(o.err) ?? stackOf(o.error) ?? (typeof o.stack === 'string' ? o.stack : null);
  if (stack) message = message ? `${message}\n${stack}` : stack;
  if (!message) message = line;
  return { ts, level, message };
}

const LEVEL_KV = /\b(?:level|lvl|severity)\s*[=:]\s*"?([A-Za-z]+|\d+)/i;
const BRACKETED = /[[<(|]\s*([A-Za-z]{3,11})\s*[\]>)|]/g;
const LEADING_WORD = /^(trace|debug|info|notice|warn|warning|error|fatal|critical|verbose|silly)\s*:/i;
const UPPER_WORD = /\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRIT|CRITICAL|SEVERE|EMERG|ALERT|PANIC)\b/;
const ERROR_HEAD = /^(?:Uncaught )?[A-Z]?[A-Za-z]*(?:Error|Exception)(?: \[[\w.]+\])?:/;

/** The level a plain-text line announces in its head, if any. */
export function plainTextLevel(line: string): LogLevel | null {
  const head = line.slice(0, 160);
  const kv = LEVEL_KV.exec(head);
  if (kv) {
    const level = normalizeLevel(kv[1]);
    if (level) return level;
  }
  const lead = LEADING_WORD.exec(head);
  if (lead) return normalizeLevel(lead[1]);
  BRACKETED.lastIndex = 0;
  for (let m = BRACKETED.exec(head); m; m = BRACKETED.exec(head)) {
    const level = normalizeLevel(m[1]);
    if (level) return level;
  }
  const upper = UPPER_WORD.exec(head);
  if (upper) return normalizeLevel(upper[1]);
  if (ERROR_HEAD.test(head)) return 'error';
  return null;
}

/** Level, timestamp and message of one entry (its lines joined with \n, ANSI codes in any state). */
export function parseEntry(text: string): ParsedEntry {
  const clean = stripAnsi(text).replace(/\r(?=\n|$)/g, '');
  const nl = clean.indexOf('\n');
  const first = nl === -1 ? clean : clean.slice(0, nl);
  const tail = nl === -1 ? '' : clean.slice(nl + 1);
  const lead = leadingTimestamp(first);
  const head = lead ? lead.rest : first;
  const restLines = tail === '' ? '' : `\n${stripPrefixes(tail)}`;
  let result: ParsedEntry;
  const trimmed = head.trim();
  const json = trimmed.startsWith('{') && trimmed.endsWith('}') ? parseJsonLine(trimmed) : null;
  if (json) {
    result = { ts: json.ts ?? lead?.ts ?? null, level: json.level, message: json.message + restLines };
  } else {
    result = { ts: lead?.ts ?? null, level: plainTextLevel(head), message: head + restLines };
  }
  result.message = result.message.replace(/\n+$/, '');
  if (result.message.length > MAX_MESSAGE_CHARS) result.message = result.message.slice(0, MAX_MESSAGE_CHARS);
  return result;
}

// Continuation lines written through PM2 carry its timestamp prefix too; the message shows them without it.
function stripPrefixes(lines: string): string {
  if (!/^\d/m.test(lines)) return lines;
  return lines.split('\n').map((l) => {
    const lead = leadingTimestamp(l);
    return lead && lead.rest !== '' && CONTINUATION.test(lead.rest) ? lead.rest : l;
  }).join('\n');
}

/** An entry as the API carries it. `fallbackTs` (epoch ms) is the inferred time for an entry without one. */
export function toLogLine(
  parsed: ParsedEntry,
  where: { source: string; file: string; offset: number; length: number },
  fallbackTs?: number | null,
): LogLine {
  const line: LogLine = {
    ts: null,
    level: parsed.level,
    source: where.source,
    message: parsed.message,
    file: where.file,
    offset: where.offset,
    length: where.length,
  };
  if (parsed.ts !== null) line.ts = new Date(parsed.ts).toISOString();
  else if (fallbackTs !== undefined && fallbackTs !== null) {
    line.ts = new Date(fallbackTs).toISOString();
    line.tsInferred = true;
  }
  return line;
}
