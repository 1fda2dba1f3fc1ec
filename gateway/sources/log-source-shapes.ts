// The log sources and their files as GET /api/logs/sources lists them (docs/log-center.md). Imports nothing, so
// the client reads the very same shapes (client/src/pages/page-logs-data.ts) without pulling in Node modules.

export interface LogFile {
  /** Absolute path. */
  path: string;
  size: number;
  /** ISO-8601 UTC. */
  mtime: string;
  /** A rotated sibling (`name.log.1`, `name.log.2.gz`, `name-2026-11-24.log`, `name__2026-11-24_00-00-00.log`), never the live file. */
  rotated: boolean;
  /** gzip-compressed (`.gz`). */
  compressed: boolean;
}

export interface LogSource {
  /** `pm2:<process>:out`, `pm2:<process>:err`, `dir:<glob as configured>` or `self`. */
  id: string;
  kind: 'pm2' | 'dir' | 'self';
  label: string;
  process?: string;
  stream?: 'out' | 'err';
  /** Newest first. */
  files: LogFile[];
}

export interface LogSourceList {
  sources: LogSource[];
  observedAt: string;
  /** Set when PM2 cannot be reached: the PM2 sources are then missing, the others still listed. */
  pm2?: { state: 'down'; detail: string };
}
