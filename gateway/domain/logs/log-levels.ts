// Log level names and ranks, and the numbers and words other loggers use (pino/bunyan numbers,
// winston/syslog names) mapped onto them.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

// Rank for filtering and sorting; an unknown level ranks below every known one.
export function levelRank(level: LogLevel | null | undefined): number {
  return level ? RANK[level] : 0;
}

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RANK, value);
}

// `level=warn` is a minimum; an entry of unknown level passes only when there is no minimum.
export function passesLevel(level: LogLevel | null, min: LogLevel | null | undefined): boolean {
  if (!min) return true;
  return level !== null && RANK[level] >= RANK[min];
}

const WORDS: Record<string, LogLevel> = {
  trace: 'trace', trc: 'trace', verbose: 'trace', silly: 'trace', finest: 'trace', finer: 'trace',
  debug: 'debug', dbg: 'debug', fine: 'debug',
  info: 'info', inf: 'info', information: 'info', informational: 'info', notice: 'info', http: 'info', log: 'info',
  warn: 'warn', warning: 'warn', wrn: 'warn',
  error: 'error', err: 'error', eror: 'error', severe: 'error',
  fatal: 'fatal', crit: 'fatal', critical: 'fatal', alert: 'fatal', emerg: 'fatal', emergency: 'fatal', panic: 'fatal',
};

// Syslog severities 0..7 (RFC 5424), used when a number is below pino's range.
const SYSLOG: LogLevel[] = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug'];

function fromNumber(n: number): LogLevel | null {
  if (!Number.isFinite(n)) return null;
  if (n >= 10) {
    // pino/bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal; custom levels in between round down.
    if (n >= 60) return 'fatal';
    return LEVELS[Math.floor(n / 10) - 1] ?? null;
  }
  if (n >= 0 && Number.isInteger(n)) return SYSLOG[n] ?? null;
  return null;
}

export function normalizeLevel(value: unknown): LogLevel | null {
  if (typeof value === 'number') return fromNumber(value);
  if (typeof value !== 'string') return null;
  const word = value.trim().toLowerCase();
  if (word === '') return null;
  const named = WORDS[word];
  if (named) return named;
  if (/^\d+$/.test(word)) return fromNumber(Number(word));
  return null;
}
