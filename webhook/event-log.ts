// The webhook's durable event log: JSON lines in one file per UTC day under the data directory. `seq`
// continues from the last stored line after a restart; `startedAt` is this process's start. It also
// keeps the ids seen (idempotency), the conversations and the aggregates of /api/webhook/metrics.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConversationBook, type Conversation, type ConversationsView } from './conversations.js';
import type { EventInput, WebhookEvent } from './events.js';
import { MAX_JSON_DEPTH, tooDeep } from '../gateway/json-limits.js';
import { addToMetrics, dayKeyIn, emptyMetrics, metricsReport, type WebhookMetrics } from './metrics.js';

export interface EventLogOptions {
  dataDir: string;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
  /** Time zone of the business day behind "today" figures. */
  timeZone?: string;
  /** Day files older than this are removed at open (the newest is always kept, so seq continues). */
  retentionDays?: number;
  /** Newest events kept in memory for replays; older ones are read from the files. */
  memoryEvents?: number;
}

export interface EventPage {
  events: WebhookEvent[];
  nextAfter: number;
  hasMore: boolean;
}

export interface OpenReport {
  segments: number;
  events: number;
  /** Lines that were not JSON events (skipped), and a torn last line set aside at open. */
  corruptLines: number;
  tornTail: string | null;
}

interface Segment {
  date: string;
  file: string;
  lastSeq: number;
}

const SEGMENT = /^events-(\d{4}-\d{2}-\d{2})\.jsonl$/;
// The events hold customers' phone numbers and messages: for this user only, whatever the umask, and what
// an older version or a restore left looser is tightened at open.
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

function makeDirPrivate(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  fs.chmodSync(dir, DIR_MODE);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isFile() && (fs.statSync(p).mode & 0o077) !== 0) fs.chmodSync(p, FILE_MODE);
  }
}
const DAY_MS = 86_400_000;

export class EventLog {
  readonly startedAt: string;
  /** The last seq stored before this process started. */
  readonly startSeq: number;
  readonly openReport: OpenReport;
  private seq: number;
  private readonly ids = new Set<string>();
  private ring: WebhookEvent[] = [];
  private readonly listeners = new Set<(e: WebhookEvent) => void>();
  private readonly acc = emptyMetrics();
  private readonly book: ConversationBook;
  private readonly dayOf: (iso: string) => string;
  private fd: number | null = null;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly segments: Segment[],
    private readonly now: () => number,
    private readonly memoryEvents: number,
    timeZone: string,
    loaded: WebhookEvent[],
    report: OpenReport,
  ) {
    this.dayOf = dayKeyIn(timeZone);
    this.book = new ConversationBook(this.dayOf);
    this.startedAt = new Date(now()).toISOString();
    this.openReport = report;
    let last = 0;
    for (const e of loaded) {
      this.ids.add(e.id);
      if (e.type === 'chat_message') this.book.apply(e);
      last = Math.max(last, e.seq);
    }
    this.ring = loaded.slice(-memoryEvents);
    this.seq = last;
    this.startSeq = last;
  }

  static async open(o: EventLogOptions): Promise<EventLog> {
    const now = o.now ?? Date.now;
    makeDirPrivate(o.dataDir);
    const names = fs
      .readdirSync(o.dataDir)
      .filter((n) => SEGMENT.test(n))
      .sort();
    const cutoff = new Date(now() - (o.retentionDays ?? 30) * DAY_MS).toISOString().slice(0, 10);
    const kept = names.filter((n, i) => i === names.length - 1 || SEGMENT.exec(n)![1]! >= cutoff);
    for (const n of names) if (!kept.includes(n)) fs.rmSync(path.join(o.dataDir, n), { force: true });

    const report: OpenReport = { segments: kept.length, events: 0, corruptLines: 0, tornTail: null };
    const loaded: WebhookEvent[] = [];
    const segments: Segment[] = [];
    for (const [i, name] of kept.entries()) {
      const file = path.join(o.dataDir, name);
      const text = fs.readFileSync(file, 'utf8');
      const lines = text.split('\n');
      // A last line without its newline was torn by a crash mid-write: set it aside, keep the rest.
      const tail = lines.pop() ?? '';
      if (tail.length > 0 && i === kept.length - 1) {
        const aside = path.join(o.dataDir, `torn-${now()}.txt`);
        fs.writeFileSync(aside, tail, { mode: FILE_MODE });
        fs.truncateSync(file, Buffer.byteLength(text) - Buffer.byteLength(tail));
        report.tornTail = aside;
      } else if (tail.length > 0) {
        lines.push(tail);
      }
      let lastSeq = 0;
      for (const line of lines) {
        if (line.trim() === '') continue;
        const e = parseLine(line);
        if (!e) {
          report.corruptLines += 1;
          continue;
        }
        loaded.push(e);
        lastSeq = Math.max(lastSeq, e.seq);
      }
      segments.push({ date: SEGMENT.exec(name)![1]!, file, lastSeq });
    }
    report.events = loaded.length;
    return new EventLog(o.dataDir, segments, now, o.memoryEvents ?? 50_000, o.timeZone ?? 'Asia/Kolkata', loaded, report);
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Events recorded by this process. */
  get recordedSinceStart(): number {
    return this.seq - this.startSeq;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /**
   * Stores one event (written to the file before anything else sees it) and hands it to subscribers.
   * Returns null when an event with the same id is already stored. Throws when the write fails; then
   * nothing changed and the caller should make WhatsApp retry.
   */
  append(input: EventInput): WebhookEvent | null {
    if (this.closed) throw new Error('event log is closed');
    const { id: givenId, type, ...rest } = input;
    const id = givenId ?? randomUUID();
    if (this.ids.has(id)) return null;
    const ms = this.now();
    const ts = new Date(ms).toISOString();
    const event = { id, seq: this.seq + 1, type, ts, ...rest } as WebhookEvent;
    this.write(ts.slice(0, 10), JSON.stringify(event) + '\n');
    this.seq = event.seq;
    this.ids.add(id);
    this.ring.push(event);
    if (this.ring.length > this.memoryEvents * 1.25) this.ring = this.ring.slice(-this.memoryEvents);
    addToMetrics(this.acc, event, this.dayOf);
    if (event.type === 'chat_message') this.book.apply(event);
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A subscriber's failure is its own; the event is stored.
      }
    }
    return event;
  }

  /** Events with seq > after, ascending, at most `limit`. */
  async read(after: number, limit: number): Promise<EventPage> {
    const first = this.ring[0];
    let events: WebhookEvent[];
    if (!first || after >= first.seq - 1) {
      let lo = 0;
      let hi = this.ring.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.ring[mid]!.seq <= after) lo = mid + 1;
        else hi = mid;
      }
      events = this.ring.slice(lo, lo + limit);
    } else {
      events = await this.readFiles(after, limit);
    }
    const lastReturned = events.length > 0 ? events[events.length - 1]!.seq : after;
    return { events, nextAfter: lastReturned, hasMore: lastReturned < this.seq };
  }

  subscribe(listener: (e: WebhookEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  today(): string {
    return this.dayOf(new Date(this.now()).toISOString());
  }

  metrics(): WebhookMetrics {
    return metricsReport(this.acc, {
      generatedAt: new Date(this.now()).toISOString(),
      startedAt: this.startedAt,
      lastSeq: this.seq,
      today: this.today(),
      activeConversations: this.book.activeCount,
    });
  }

  conversations(): ConversationsView {
    return this.book.view(this.today());
  }

  activeConversationFor(waId: string): Conversation | undefined {
    return this.book.activeFor(waId);
  }

  idleConversations(cutoffMs: number): Conversation[] {
    return this.book.idleSince(cutoffMs);
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private write(date: string, line: string): void {
    let seg = this.segments[this.segments.length - 1];
    if (!seg || seg.date !== date || this.fd === null) {
      if (this.fd !== null) fs.closeSync(this.fd);
      this.fd = null;
      if (!seg || seg.date !== date) {
        seg = { date, file: path.join(this.dir, `events-${date}.jsonl`), lastSeq: this.seq };
        this.segments.push(seg);
      }
      this.fd = fs.openSync(seg.file, 'a', FILE_MODE);
    }
    const buf = Buffer.from(line);
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off);
    seg.lastSeq = this.seq + 1;
  }

  private async readFiles(after: number, limit: number): Promise<WebhookEvent[]> {
    const out: WebhookEvent[] = [];
    for (const seg of this.segments) {
      if (seg.lastSeq <= after) continue;
      let text: string;
      try {
        text = await fs.promises.readFile(seg.file, 'utf8');
      } catch {
        continue; // removed by retention meanwhile
      }
      for (const line of text.split('\n')) {
        if (line === '') continue;
        const e = parseLine(line);
        if (!e || e.seq <= after) continue;
        out.push(e);
        if (out.length >= limit) return out;
      }
    }
    return out;
  }
}

function parseLine(line: string): WebhookEvent | null {
  try {
    const e = JSON.parse(line) as Partial<WebhookEvent>;
    if (typeof e !== 'object' || e === null || typeof e.id !== 'string' || !Number.isInteger(e.seq) || typeof e.type !== 'string') return null;
    // This process writes flat events; a deeply nested line was edited by hand and would break the stream.
    if (tooDeep(e, MAX_JSON_DEPTH)) return null;
    return e as WebhookEvent;
  } catch {
    return null;
  }
}
