// The gateway's own log: pino to stdout as always, and to DATA_DIR/logs/ops-center.log, rotated by size
// (LOG_SELF_MAX_MB) into gzip-compressed files named like pm2-logrotate's (ops-center__2026-11-24_13-05-00.log.gz),
// keeping the newest LOG_SELF_KEEP of them. rotating-file-stream does the rotation, compression and keeping.
// A failed write (a full disk) never stops stdout; the file is reopened and goes on once it can be written.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import type { Config } from './config.js';
import { SELF_LOG_FILE, selfRotatedName } from './sources/rotated-files.js';
import { REDACTED, REDACTED_LOG_PATHS } from './log-redaction.js';
import { ensurePrivateDir, makePrivateFile, PRIVATE_FILE_MODE } from './store/private-files.js';

/** Where the rotation keeps the names of the rotated files it made (for LOG_SELF_KEEP). */
const HISTORY_FILE = '.ops-center-rotations.txt';

export interface SelfLog {
  logger: Logger;
  /** DATA_DIR/logs */
  dir: string;
  /** DATA_DIR/logs/ops-center.log */
  file: string;
  /** The current rotating file stream (rotation events for tests and diagnostics); replaced on a reopen. */
  readonly stream: RotatingFileStream;
  /** 'failed' (err) when writing the file failed, 'resumed' when a reopened file took a line again. */
  events: EventEmitter;
  /** Flushes and closes the file (stdout is left open). */
  close(): Promise<void>;
}

export function selfLogDir(dataDir: string): string {
  return path.join(dataDir, 'logs');
}

export interface SelfLogOptions {
  /** Where the copy that is not the file goes; default process.stdout. */
  stdout?: NodeJS.WritableStream;
  /** After a failed write, lines are only printed until this long has passed; then the file is reopened. */
  retryMs?: number;
  /** Where failures of the file are reported; default process.stderr. */
  stderr?: NodeJS.WritableStream;
}

/** The file ends mid-line (a write cut short by a full disk): the next line must start on its own. */
function endsMidLine(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function openSelfLog(
  config: Pick<Config, 'dataDir' | 'logLevel' | 'logSelfMaxBytes' | 'logSelfKeep'>,
  opts: SelfLogOptions = {},
): SelfLog {
  const dir = selfLogDir(config.dataDir);
  const file = path.join(dir, SELF_LOG_FILE);
  const retryMs = opts.retryMs ?? 10_000;
  const stderr = opts.stderr ?? process.stderr;
  const events = new EventEmitter();
  ensurePrivateDir(dir);

  const open = (): RotatingFileStream => {
    const s = createStream((time, index) => (time ? selfRotatedName(time instanceof Date ? time : new Date(time), index ?? 1) : SELF_LOG_FILE), {
      path: dir,
      size: `${Math.max(1, Math.ceil(config.logSelfMaxBytes / 1024))}K`,
      compress: 'gzip',
      maxFiles: config.logSelfKeep,
      history: HISTORY_FILE,
      mode: PRIVATE_FILE_MODE, // the live file and the gzip-compressed rotated ones
    });
    s.on('error', (err: Error) => fail(s, err));
    s.on('warning', (err: Error) => stderr.write(`ops-center: log rotation: ${err.message}\n`));
    // The history file is written without a mode option.
    s.on('history', () => void makePrivateFile(path.join(dir, HISTORY_FILE)).catch(() => undefined));
    return s;
  };

  let current: RotatingFileStream = open();
  /** When writing the file last failed; null while it works. */
  let failedAt: number | null = null;
  let confirming = false;
  let closed = false;

  // A stream that failed is done for (rotating-file-stream destroys it): drop it, print only, and reopen later.
  function fail(s: RotatingFileStream, err: Error): void {
    if (s !== current) return;
    const first = failedAt === null;
    failedAt = Date.now();
    confirming = false;
    s.destroy();
    events.emit('failed', err);
    if (first) stderr.write(`ops-center: writing ${file} failed: ${err.message}; logging goes on to stdout, and the file is tried again ${Math.round(retryMs / 1000)} s later\n`);
  }

  const writeToFile = (line: string) => {
    if (closed) return;
    if (failedAt !== null && !confirming) {
      if (Date.now() - failedAt < retryMs) return; // on stdout only
      current = open();
      confirming = true;
      const s = current;
      const glue = endsMidLine(file) ? '\n' : '';
      s.write(`${glue}${line}`, (err) => {
        if (err || s !== current || failedAt === null) return;
        failedAt = null;
        confirming = false;
        stderr.write(`ops-center: writing ${file} works again; what was logged meanwhile is only on stdout\n`);
        events.emit('resumed');
      });
      return;
    }
    if (!current.destroyed && !current.writableEnded) current.write(line);
  };

  const level = config.logLevel === 'silent' ? 'fatal' : config.logLevel;
  const logger = pino(
    { level: config.logLevel, base: { app: 'ops-center' }, redact: { paths: [...REDACTED_LOG_PATHS], censor: REDACTED } },
    pino.multistream([
      { level, stream: opts.stdout ?? process.stdout },
      { level, stream: { write: writeToFile } },
    ]),
  );

  return {
    logger,
    dir,
    file,
    get stream() {
      return current;
    },
    events,
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        const s = current;
        if (s.destroyed || s.writableEnded) return resolve();
        s.once('finish', () => resolve());
        s.once('error', () => resolve());
        s.once('close', () => resolve());
        s.end();
      }),
  };
}
