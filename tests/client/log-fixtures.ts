// Test data for the log center: hits as /api/logs/search and the tail send them, context replies and error groups.
import type { ContextReply, ErrorGroup, LogHit, LogLevel } from '../../client/src/pages/page-logs-data.js';

export const FILE = '/var/log/app/api-out.log';

export function hit(offset: number, level: LogLevel | null = 'info', message = `line at ${offset}`, extra: Partial<LogHit> = {}): LogHit {
  return { ts: new Date(Date.UTC(2026, 0, 1, 10, 0, 0) + offset).toISOString(), level, source: 'dir:/var/log/app/*.log', message,
    file: FILE, offset, length: message.length + 1, ...extra };
}

/** `count` hits at offsets from..from+count-1 (×100 bytes). */
export function hits(from: number, count: number, level: LogLevel | null = 'info'): LogHit[] {
  return Array.from({ length: count }, (_, i) => hit((from + i) * 100, level, `line ${from + i}`));
}

export function context(offset: number, before = 2, after = 2): ContextReply {
  const entries = [];
  for (let i = -before; i <= after; i++) {
    entries.push({ ts: new Date(Date.UTC(2026, 0, 1, 10, 0, 0) + offset + i * 100).toISOString(),
      level: (i === 0 ? 'error' : 'info') as LogLevel, message: i === 0 ? 'Error: boom\n    at handler (api.js:10:5)' : `neighbour ${i}`,
      offset: offset + i * 100, length: 99 });
  }
  return { file: FILE, source: 'dir:/var/log/app/*.log', entries, hitIndex: before, hasBefore: true, hasAfter: false };
}

export function group(fingerprint: string, count: number, extra: Partial<ErrorGroup> = {}): ErrorGroup {
  const now = Date.now();
  return { fingerprint, template: `Error: timeout after <n> ms (${fingerprint})`, sample: `Error: timeout after 3000 ms (${fingerprint})\n    at fetch (x.js:1:1)`,
    topFrame: 'at fetch (x.js:1:1)', level: 'error', count, firstSeen: new Date(now - 3_600_000).toISOString(),
    lastSeen: new Date(now - 60_000).toISOString(), sources: ['pm2:api:err'], hourly: Array.from({ length: 24 }, (_, i) => (i === 23 ? count : 0)), ...extra };
}
