// One log entry as the API and the live tail carry it (docs/log-center.md). Imports only the level names, so the
// client reads the very same shape (client/src/pages/page-logs-data.ts) without pulling in Node modules.
import type { LogLevel } from './log-levels.js';

export interface LogLine {
  ts: string | null;
  tsInferred?: true;
  level: LogLevel | null;
  source: string;
  message: string;
  file: string;
  offset: number;
  length: number;
}
