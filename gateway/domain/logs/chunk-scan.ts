// Scans one chunk of a log file held in a buffer: finds the entries it owns (those whose first line
// starts inside it) that match a plan and the filters, newest (highest offset) first, at most maxHits.
import { isContinuationBytes, leadingTimestamp, parseEntry } from './log-format.js';
import { passesLevel } from './log-levels.js';
import type { LogLevel } from './log-levels.js';
import type { MatchPlan } from './log-matcher.js';

export interface ChunkHit {
  offset: number;
  /** Bytes of the entry, its final newline excluded. */
  length: number;
  /** Own timestamp, or the nearest later one in the buffer (tsInferred), or null: the caller infers it. */
  ts: number | null;
  tsInferred?: true;
  level: LogLevel | null;
  message: string;
}

export interface ChunkScanResult {
  /** In offset order (oldest first). */
  hits: ChunkHit[];
  /** Every entry starting in [scannedFrom, end) was examined; equals start unless maxHits stopped it. */
  scannedFrom: number;
  /** The timestamp of the first timestamped entry at or after scannedFrom: older data is at most this new. */
  firstTs: number | null;
  scannedBytes: number;
}

export interface ChunkFilters {
  minLevel: LogLevel | null;
  /** Epoch ms, inclusive. */
  from: number | null;
  to: number | null;
  maxHits: number;
}

/** Runs a regex over latin1 text: every line's first match start, or for `ranges` ([start, end) pairs)
 * the first match start inside each range. The worker runs this under a time limit. */
export type RegexRunner = (text: string, source: string, flags: string, ranges: number[] | null) => number[];

const LF = 0x0a;

export interface ChunkInput {
  /** File bytes [bufStart, bufStart + buf.length). bufStart is start - 1 (or 0), to see whether start begins a line. */
  buf: Buffer;
  bufStart: number;
  start: number;
  end: number;
}

export function scanChunk(input: ChunkInput, plan: MatchPlan, filters: ChunkFilters, runRegex: RegexRunner): ChunkScanResult {
  const { buf, bufStart } = input;
  const s0 = input.start - bufStart;
  const e0 = Math.min(input.end - bufStart, buf.length);
  const empty: ChunkScanResult = { hits: [], scannedFrom: input.start, firstTs: null, scannedBytes: Math.max(0, e0 - s0) };
  if (e0 <= s0) return empty;

  const lineEnd = (i: number): number => {
    const nl = buf.indexOf(LF, i);
    return nl === -1 ? buf.length : nl;
  };
  const nextLine = (i: number): number => {
    const nl = buf.indexOf(LF, i);
    return nl === -1 ? buf.length : nl + 1;
  };
  const contentEnd = (i: number, e: number): number => (e > i && buf[e - 1] === 0x0d ? e - 1 : e);
  const isCont = (i: number): boolean => isContinuationBytes(buf, i, contentEnd(i, lineEnd(i)));

  // The first line that starts inside the chunk, then the first entry (leading continuation lines belong to the chunk before).
  let firstEntry: number;
  if (input.start === 0) firstEntry = 0;
  else {
    const nl = buf.indexOf(LF, s0 - 1);
    if (nl === -1) return empty;
    firstEntry = nl + 1;
  }
  while (firstEntry < e0 && isCont(firstEntry)) firstEntry = nextLine(firstEntry);
  if (firstEntry >= e0) return empty;

  // Where the last owned entry ends: at the first entry starting at or after the chunk's end (read-on bytes).
  let ownedEnd = buf[e0 - 1] === LF ? e0 : nextLine(e0);
  while (ownedEnd < buf.length && isCont(ownedEnd)) ownedEnd = nextLine(ownedEnd);

  const lineStartOf = (i: number): number => (i <= 0 ? 0 : buf.lastIndexOf(LF, i - 1) + 1);
  const entryStartOf = (pos: number): number => {
    let ls = lineStartOf(pos);
    while (ls > firstEntry && isCont(ls)) ls = lineStartOf(ls - 1);
    return Math.max(ls, firstEntry);
  };
  const entryEndOf = (ls: number): number => {
    let next = nextLine(ls);
    while (next < ownedEnd && isCont(next)) next = nextLine(next);
    return Math.min(next, ownedEnd);
  };
  const trimEnd = (s: number, e: number): number => {
    let t = e;
    while (t > s && (buf[t - 1] === LF || buf[t - 1] === 0x0d)) t--;
    return t;
  };

  // A line's own timestamp, cheaply: only lines that can carry one are parsed.
  const probeTs = (ls: number): number | null => {
    const c = buf[ls];
    if (c === 0x7b) return parseEntry(buf.toString('utf8', ls, Math.min(lineEnd(ls), ls + 65_536))).ts;
    if ((c !== undefined && c >= 0x30 && c <= 0x39) || c === 0x5b) return leadingTimestamp(buf.toString('latin1', ls, Math.min(lineEnd(ls), ls + 48)))?.ts ?? null;
    return null;
  };
  const firstTsIn = (from: number, to: number): number | null => {
    for (let ls = from; ls < to; ls = nextLine(ls)) {
      if (isCont(ls)) continue;
      const ts = probeTs(ls);
      if (ts !== null) return ts;
    }
    return null;
  };

  const hitsDesc: ChunkHit[] = [];
  // Newest first: the nearest later timestamp is known from the entries already passed.
  let laterPos = buf.length;
  let laterTs: number | null = null;
  let stoppedAt = -1;
  let lastOwnTs: number | null = null;
  const consider = (es: number, ee: number): boolean => {
    const te = trimEnd(es, ee);
    const parsed = parseEntry(buf.toString('utf8', es, te));
    let ts = parsed.ts;
    let inferred = false;
    if (ts === null) {
      const between = firstTsIn(ee, laterPos);
      ts = between ?? laterTs;
      inferred = ts !== null;
    }
    laterPos = es;
    laterTs = ts;
    if (parsed.ts !== null) lastOwnTs = parsed.ts;
    if (!passesLevel(parsed.level, filters.minLevel)) return true;
    if (ts !== null && ((filters.from !== null && ts < filters.from) || (filters.to !== null && ts > filters.to))) return true;
    const hit: ChunkHit = { offset: bufStart + es, length: te - es, ts, level: parsed.level, message: parsed.message };
    if (inferred) hit.tsInferred = true;
    hitsDesc.push(hit);
    if (hitsDesc.length >= filters.maxHits) {
      stoppedAt = es;
      return false;
    }
    return true;
  };

  if (plan.kind === 'all') {
    let pos = ownedEnd;
    while (pos > firstEntry) {
      const es = entryStartOf(pos - 1);
      if (!consider(es, pos)) break;
      pos = es;
    }
  } else if (plan.kind === 'literal' || plan.kind === 'literal-ci') {
    // Backwards from the newest match: a common term stops after maxHits entries, not after the whole chunk.
    const find = plan.kind === 'literal' ? lastLiteral(buf, Buffer.from(plan.needle, 'latin1')) : lastCiLiteral(buf, plan.needle, plan.stable, plan.stableAt);
    for (let p = find(ownedEnd - 1); p >= firstEntry; ) {
      const es = entryStartOf(p);
      if (!consider(es, entryEndOf(es))) break;
      if (es - 1 < firstEntry) break;
      p = find(es - 1);
    }
  } else {
    const entries = candidateEntries(buf, firstEntry, ownedEnd, plan, runRegex, entryStartOf, entryEndOf);
    for (let i = entries.length - 2; i >= 0; i -= 2) if (!consider(entries[i]!, entries[i + 1]!)) break;
  }

  const hits = hitsDesc.reverse();
  const scannedFrom = stoppedAt === -1 ? input.start : bufStart + stoppedAt;
  const lowest = stoppedAt === -1 ? firstEntry : stoppedAt;
  const firstTs = stoppedAt !== -1 && hits[0]?.ts != null && !hits[0].tsInferred ? hits[0].ts : firstTsIn(lowest, ownedEnd) ?? lastOwnTs;
  return { hits, scannedFrom, firstTs, scannedBytes: ownedEnd - (stoppedAt === -1 ? s0 : stoppedAt) };
}

/** [start, end) pairs of the entries holding a match, ascending and distinct. */
function candidateEntries(
  buf: Buffer,
  from: number,
  to: number,
  plan: Extract<MatchPlan, { kind: 'regex' }>,
  runRegex: RegexRunner,
  entryStartOf: (pos: number) => number,
  entryEndOf: (ls: number) => number,
): number[] {
  const out: number[] = [];
  const addPositions = (positions: Iterable<number>): void => {
    for (const p of positions) {
      if (p < from || p >= to) continue;
      if (out.length > 0 && p < out[out.length - 1]!) continue; // inside the entry just added
      const es = entryStartOf(p);
      out.push(es, entryEndOf(es));
    }
  };
  if (plan.prefilter) {
    const { needle, ci } = plan.prefilter;
    const stable = ci ? longestStableRun(needle) : null;
    if (ci && !stable) {
      addPositions(regexPositions(buf, from, to, plan.source, plan.flags, runRegex));
      return out;
    }
    const pre: number[] = [];
    const positions = ci ? ciLiteralPositions(buf, from, to, needle, stable!.run, stable!.at) : literalPositions(buf, from, to, Buffer.from(needle, 'latin1'));
    for (const p of positions) {
      if (pre.length > 0 && p < pre[pre.length - 1]!) continue;
      const es = entryStartOf(p);
      pre.push(es, entryEndOf(es));
    }
    if (pre.length === 0) return out;
    const text = buf.toString('latin1', from, to);
    const ranges = pre.map((v) => v - from);
    addPositions(runRegex(text, plan.source, plan.flags, ranges).map((p) => p + from));
  } else {
    addPositions(regexPositions(buf, from, to, plan.source, plan.flags, runRegex));
  }
  return out;
}

function regexPositions(buf: Buffer, from: number, to: number, source: string, flags: string, runRegex: RegexRunner): number[] {
  const text = buf.toString('latin1', from, to);
  return runRegex(text, source, flags, null).map((p) => p + from);
}

/** Match starts, at most one per line. */
function* literalPositions(buf: Buffer, from: number, to: number, needle: Buffer): Generator<number> {
  let pos = from;
  while (pos < to) {
    const p = buf.indexOf(needle, pos);
    if (p === -1 || p >= to) return;
    yield p;
    const nl = buf.indexOf(LF, p + needle.length);
    if (nl === -1) return;
    pos = nl + 1;
  }
}

function longestStableRun(needle: string): { run: string; at: number } | null {
  let best: { run: string; at: number } | null = null;
  for (const m of needle.matchAll(/[^A-Za-z]+/g)) if (!best || m[0].length > best.run.length) best = { run: m[0], at: m.index ?? 0 };
  return best && best.run.length >= 2 ? best : null;
}

/** Case-insensitive ASCII needle: find its case-stable run exactly, then compare the rest folded. */
function* ciLiteralPositions(buf: Buffer, from: number, to: number, lowerNeedle: string, stable: string, stableAt: number): Generator<number> {
  const stableBytes = Buffer.from(stable, 'latin1');
  const needle = Buffer.from(lowerNeedle, 'latin1');
  let pos = from + stableAt;
  while (pos < to + stableAt) {
    const p = buf.indexOf(stableBytes, pos);
    if (p === -1) return;
    const cand = p - stableAt;
    if (cand >= to) return;
    if (cand >= from && cand + needle.length <= buf.length && foldEquals(buf, cand, needle)) {
      yield cand;
      const nl = buf.indexOf(LF, cand + needle.length);
      if (nl === -1) return;
      pos = nl + 1 + stableAt;
    } else {
      pos = p + 1;
    }
  }
}

function foldEquals(buf: Buffer, at: number, lowerNeedle: Buffer): boolean {
  for (let i = 0; i < lowerNeedle.length; i++) {
    let c = buf[at + i]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lowerNeedle[i]) return false;
  }
  return true;
}

/** The start of the last match beginning at or before `pos` (-1 when none). */
function lastLiteral(buf: Buffer, needle: Buffer): (pos: number) => number {
  return (pos) => (pos < 0 ? -1 : buf.lastIndexOf(needle, pos));
}

function lastCiLiteral(buf: Buffer, lowerNeedle: string, stable: string, stableAt: number): (pos: number) => number {
  const stableBytes = Buffer.from(stable, 'latin1');
  const needle = Buffer.from(lowerNeedle, 'latin1');
  return (pos) => {
    for (let at = pos + stableAt; at >= 0; ) {
      const p = buf.lastIndexOf(stableBytes, at);
      if (p === -1) return -1;
      const cand = p - stableAt;
      if (cand < 0) return -1;
      if (cand <= pos && cand + needle.length <= buf.length && foldEquals(buf, cand, needle)) return cand;
      at = p - 1;
    }
    return -1;
  };
}
