// The gateway's own log: pino to stdout as always, and to DATA_DIR/logs/ops-center.log, rotated by size
// (LOG_SELF_MAX_MB) into gzip-compressed files named like pm2-logrotate's (ops-center__2026-11-24_13-05-00.log.gz),
// keeping the newest LOG_SELF_KEEP of them. rotating-file-stream does the rotation, compression and keeping.
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import type { Config } from './config.js';
import { SELF_LOG_FILE, selfRotatedName } from './sources/rotated-files.js';
import { REDACTED, REDACTED_LOG_PATHS } from './log-redaction.js';

/** Where the rotation keeps the names of the rotated files it made (for LOG_SELF_KEEP). */
const HISTORY_FILE = '.ops-center-rotations.txt';

export interface SelfLog {
  logger: Logger;
  /** DATA_DIR/logs */
  dir: string;
  /** DATA_DIR/logs/ops-center.log */
  file: string;
  /** The rotating file stream (rotation events for tests and diagnostics). */
  stream: RotatingFileStream;
  /** Flushes and closes the file (stdout is left open). */
  close(): Promise<void>;
}

export function selfLogDir(dataDir: string): string {
  return path.join(dataDir, 'logs');
}

export interface SelfLogOptions {
  /** Where the copy that is not the file goes; default process.stdout. */
  stdout?: NodeJS.WritableStream;
}

export function openSelfLog(
  config: Pick<Config, 'dataDir' | 'logLevel' | 'logSelfMaxBytes' | 'logSelfKeep'>,
  opts: SelfLogOptions = {},
): SelfLog {
  const dir = selfLogDir(config.dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const stream = createStream((time, index) => (time ? selfRotatedName(time instanceof Date ? time : new Date(time), index ?? 1) : SELF_LOG_FILE), {
    path: dir,
    size: `${Math.max(1, Math.ceil(config.logSelfMaxBytes / 1024))}K`,
    compress: 'gzip',
    maxFiles: config.logSelfKeep,
    history: HISTORY_FILE,
  });
  let failed: Error | null = null;
  // After an error the stream is closed for good; the gateway goes on logging to stdout.
  stream.on('error', (err: Error) => {
    failed = err;
    process.stderr.write(`ops-center: writing ${path.join(dir, SELF_LOG_FILE)} failed: ${err.message}\n`);
  });
  stream.on('warning', (err: Error) => process.stderr.write(`ops-center: log rotation: ${err.message}\n`));

  const level = config.logLevel === 'silent' ? 'fatal' : config.logLevel;
  const logger = pino(
    { level: config.logLevel, base: { app: 'ops-center' }, redact: { paths: [...REDACTED_LOG_PATHS], censor: REDACTED } },
    pino.multistream([
      { level, stream: opts.stdout ?? process.stdout },
      { level, stream: { write: (line: string) => void (failed === null && !stream.writableEnded && stream.write(line)) } },
    ]),
  );

  return {
    logger,
    dir,
    file: path.join(dir, SELF_LOG_FILE),
    stream,
    close: () =>
      new Promise<void>((resolve) => {
        if (failed !== null || stream.writableEnded) return resolve();
        stream.once('finish', () => resolve());
        stream.once('error', () => resolve());
        stream.end();
      }),
  };
}
