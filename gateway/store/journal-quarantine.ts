// Journal lines no reader could use are set aside, never skipped silently: each is copied once (with its
// source segment, offset and the reason) to DATA_DIR/journal/quarantine/<stream>.jsonl (mode 0600), logged
// without dumping the line, and counted for /api/health. The line itself stays in its segment (the journal is
// append-only; retention removes it with its segment); every read keeps leaving it out.
import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { WorkerPool } from '../pool/worker-pool.js';
import type { JournalIssue } from './journal-reader.js';

export const QUARANTINE_DIR = 'quarantine';
/** Bytes of one line copied into the quarantine; a longer one is cut (its whole self stays in its segment). */
const MAX_COPY_BYTES = 1024 * 1024;
/** A quarantine file past this size takes only the facts of further lines, not their copies. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const PREVIEW_CHARS = 200;
/** Lines logged one by one per batch; the rest of a batch are summed up in one line. */
const LOGGED_PER_BATCH = 20;

export interface QuarantineStats {
  /** Lines set aside so far (this file's history, across restarts). */
  quarantined: number;
  /** …of which the reader could not use (not JSON, not an entry, past the JSON limits, too long). */
  corrupt: number;
  /** …of which parsed but were not what their stream holds, or could not be replayed. */
  invalid: number;
  /** When the newest was set aside (ISO), or null. */
  lastAt: string | null;
}

interface QuarantineEntry {
  at: string;
  stream: string;
  segment: string;
  offset: number;
  bytes: number;
  kind: JournalIssue['kind'];
  reason: string;
  /** The line as text (when it is valid UTF-8), else `base64`; absent when the file is full or it is gone. */
  line?: string;
  base64?: string;
  truncated?: boolean;
  copy?: string;
}

const keyOf = (i: Pick<JournalIssue, 'stream' | 'segment' | 'offset'>) => `${i.stream}/${i.segment}@${i.offset}`;

export class JournalQuarantine {
  readonly #known = new Set<string>();
  readonly #sizes = new Map<string, number>();
  #stats: QuarantineStats = { quarantined: 0, corrupt: 0, invalid: 0, lastAt: null };
  #writing: Promise<void> = Promise.resolve();
  #moreLoggedAt = -Infinity;

  private constructor(
    readonly journalDir: string,
    private readonly o: { clock: Clock; logger: Logger },
  ) {}

  get dir(): string {
    return path.join(this.journalDir, QUARANTINE_DIR);
  }

  /** Loads what earlier runs set aside, so nothing is copied or counted twice. */
  static async open(journalDir: string, o: { clock: Clock; logger: Logger }): Promise<JournalQuarantine> {
    const q = new JournalQuarantine(journalDir, o);
    let names: string[] = [];
    try {
      names = (await fs.readdir(q.dir)).filter((n) => n.endsWith('.jsonl'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const name of names) await q.#load(path.join(q.dir, name));
    return q;
  }

  async #load(file: string): Promise<void> {
    this.#sizes.set(file, (await fs.stat(file)).size);
    const lines = readline.createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const text of lines) {
      let entry: Partial<QuarantineEntry>;
      try {
        entry = JSON.parse(text) as Partial<QuarantineEntry>;
      } catch {
        continue; // a torn last entry: the line it named is set aside again on its next read
      }
      if (typeof entry.stream !== 'string' || typeof entry.segment !== 'string' || typeof entry.offset !== 'number') continue;
      this.#count(entry as QuarantineEntry);
    }
  }

  #count(entry: Pick<QuarantineEntry, 'stream' | 'segment' | 'offset' | 'kind' | 'at'>): boolean {
    const key = keyOf(entry);
    if (this.#known.has(key)) return false;
    this.#known.add(key);
    this.#stats.quarantined++;
    if (entry.kind === 'invalid') this.#stats.invalid++;
    else this.#stats.corrupt++;
    if (typeof entry.at === 'string' && (this.#stats.lastAt === null || entry.at > this.#stats.lastAt)) this.#stats.lastAt = entry.at;
    return true;
  }

  stats(): QuarantineStats {
    return { ...this.#stats };
  }

  /**
   * Sets aside the lines not seen before (copied, logged, counted); resolves once they are in the quarantine
   * files. `more` is how many further unusable lines the task met but did not list.
   */
  setAside(issues: readonly JournalIssue[], more = 0): Promise<void> {
    const at = new Date(this.o.clock.now()).toISOString();
    // Counted at once, so the same line reported by two reads at the same time is set aside once.
    const fresh = issues.filter((i) => this.#count({ ...i, at }));
    if (more > 0 && this.o.clock.now() - this.#moreLoggedAt >= 60_000) {
      this.#moreLoggedAt = this.o.clock.now();
      this.o.logger.warn({ more }, 'journal: more unusable lines than one read reports; later reads set them aside');
    }
    if (fresh.length === 0) return this.#writing;
    const run = this.#writing.then(() => this.#write(fresh, at));
    this.#writing = run.catch((err: unknown) => this.o.logger.error({ err }, 'journal: could not write to the quarantine'));
    return this.#writing;
  }

  async #write(fresh: JournalIssue[], at: string): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    let logged = 0;
    const byStream = new Map<string, JournalIssue[]>();
    for (const issue of fresh) byStream.set(issue.stream, [...(byStream.get(issue.stream) ?? []), issue]);
    for (const [stream, list] of byStream) {
      const file = path.join(this.dir, `${stream}.jsonl`);
      const entries: QuarantineEntry[] = [];
      for (const issue of list) entries.push(await this.#entry(file, issue, at));
      const text = entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
      const handle = await fs.open(file, 'a', 0o600);
      try {
        await handle.chmod(0o600); // whatever mode an older file had: the lines may hold anything
        await handle.appendFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      this.#sizes.set(file, (this.#sizes.get(file) ?? 0) + Buffer.byteLength(text));
      entries.slice(0, Math.max(0, LOGGED_PER_BATCH - logged)).forEach((e) => this.#log(e, file));
      logged += entries.length;
    }
    if (fresh.length > LOGGED_PER_BATCH) {
      this.o.logger.warn({ more: fresh.length - LOGGED_PER_BATCH, dir: this.dir }, 'journal: further lines set aside (quarantine)');
    }
  }

  async #entry(file: string, issue: JournalIssue, at: string): Promise<QuarantineEntry> {
    const base: QuarantineEntry = { at, stream: issue.stream, segment: issue.segment, offset: issue.offset, bytes: issue.bytes, kind: issue.kind, reason: issue.reason };
    if ((this.#sizes.get(file) ?? 0) > MAX_FILE_BYTES) return { ...base, copy: `not copied: the quarantine file is over ${MAX_FILE_BYTES} bytes` };
    const raw = await this.#read(issue);
    if (raw === null) return { ...base, copy: 'not copied: the segment is gone' };
    const truncated = raw.length < issue.bytes ? { truncated: true } : {};
    const text = raw.toString('utf8');
    return Buffer.from(text, 'utf8').equals(raw) ? { ...base, line: text, ...truncated } : { ...base, base64: raw.toString('base64'), ...truncated };
  }

  async #read(issue: JournalIssue): Promise<Buffer | null> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(path.join(this.journalDir, path.basename(issue.stream), path.basename(issue.segment)), 'r');
    } catch {
      return null;
    }
    try {
      const buf = Buffer.alloc(Math.min(issue.bytes, MAX_COPY_BYTES));
      const { bytesRead } = await handle.read(buf, 0, buf.length, issue.offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  #log(e: QuarantineEntry, file: string): void {
    // The start of the line only: it may be megabytes.
    const preview = e.line === undefined ? undefined : e.line.length > PREVIEW_CHARS ? `${e.line.slice(0, PREVIEW_CHARS)}… (${e.bytes} bytes)` : e.line;
    this.o.logger.warn(
      { stream: e.stream, segment: e.segment, offset: e.offset, bytes: e.bytes, kind: e.kind, reason: e.reason, preview, quarantine: file },
      'journal: line set aside (quarantine)',
    );
  }
}

/**
 * Worker tasks that read the journal return the lines they had to leave out as `journalIssues`: this pool hands
 * them to the quarantine before the caller gets the result, so no reader skips a line silently, whoever asked.
 */
export function reportingJournalIssues(pool: WorkerPool, quarantine: JournalQuarantine): WorkerPool {
  return {
    ...pool,
    stats: () => pool.stats(),
    close: () => pool.close(),
    async run<R>(task: string, payload: unknown, opts?: Parameters<WorkerPool['run']>[2]): Promise<R> {
      const result = await pool.run<R>(task, payload, opts);
      const reported = result as { journalIssues?: unknown; journalIssuesMore?: unknown; skippedLines?: unknown } | null;
      if (typeof reported === 'object' && reported !== null && Array.isArray(reported.journalIssues)) {
        // A journal page says how many it skipped in all; a fold task says how many it did not list.
        const listed = reported.journalIssues.length;
        const more =
          typeof reported.journalIssuesMore === 'number' ? reported.journalIssuesMore : typeof reported.skippedLines === 'number' ? Math.max(0, reported.skippedLines - listed) : 0;
        if (listed > 0 || more > 0) await quarantine.setAside(reported.journalIssues as JournalIssue[], more);
      }
      return result;
    },
  };
}
