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

/** Runs a regex over latin1 text, where one character is one byte. The worker runs both under a time limit. */
export interface RegexRunner {
  /** Every line's first match start in `text`. */
  scan(text: string, source: string, flags: string): number[];
  /** For each text, the start of its first match, or -1. */
  firstIn(texts: string[], source: string, flags: string): number[];
}

/** Literal matches are looked for in windows of this many bytes, newest window first. */
export const LITERAL_WINDOW = 256 * 1024;
/** A regex runs on windows of about this many bytes (whole entries), decoded one at a time: the worker never
 *  holds a string of a whole chunk, and a common match stops after maxHits entries. Below 1,031,913 bytes
 *  (with room for the entry a window is widened to), where Node makes a latin1 string an external one whose
 *  memory the thread's allocator keeps after it dies; smaller windows cost time for nothing. */
export const REGEX_WINDOW = 960 * 1024;

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
  } else {
    // Windows from the newest end; inside one, matches are found forward (Buffer.indexOf is several times
    // faster than lastIndexOf) and their entries considered newest first. `below` is the start of the last
    // entry considered: a match above it lies in an entry already considered.
    const windowed = plan.kind === 'regex' ? regexWindow(buf, plan, runRegex, entryStartOf, entryEndOf) : literalWindow(buf, plan);
    let below = ownedEnd;
    scan: for (let we = ownedEnd; we > firstEntry; ) {
      // A regex window starts at an entry, so an entry is never cut in two.
      const ws = plan.kind === 'regex' ? entryStartOf(Math.max(firstEntry, we - REGEX_WINDOW)) : Math.max(firstEntry, we - LITERAL_WINDOW);
      const found = windowed(ws, we);
      for (let i = found.length - 1; i >= 0; i--) {
        const p = found[i]!;
        if (p >= below) continue;
        const es = entryStartOf(p);
        below = es;
        if (!consider(es, entryEndOf(es))) break scan;
      }
      we = ws;
    }
  }

  const hits = hitsDesc.reverse();
  const scannedFrom = stoppedAt === -1 ? input.start : bufStart + stoppedAt;
  const lowest = stoppedAt === -1 ? firstEntry : stoppedAt;
  const firstTs = stoppedAt !== -1 && hits[0]?.ts != null && !hits[0].tsInferred ? hits[0].ts : firstTsIn(lowest, ownedEnd) ?? lastOwnTs;
  return { hits, scannedFrom, firstTs, scannedBytes: ownedEnd - (stoppedAt === -1 ? s0 : stoppedAt) };
}

/** Match starts (at most one per line) of a literal plan in [ws, we), ascending. */
function literalWindow(buf: Buffer, plan: Extract<MatchPlan, { kind: 'literal' | 'literal-ci' }>): (ws: number, we: number) => number[] {
  if (plan.kind === 'literal') {
    const needle = Buffer.from(plan.needle, 'latin1');
    return (ws, we) => [...literalPositions(buf, ws, we, needle)];
  }
  return (ws, we) => [...ciLiteralPositions(buf, ws, we, plan.needle, plan.stable, plan.stableAt)];
}

/** Positions inside the entries of [ws, we) (ws an entry start) that match a regex plan, ascending. With a
 *  prefilter, only the entries holding its literal are decoded and tried; without, the window is. */
function regexWindow(
  buf: Buffer,
  plan: Extract<MatchPlan, { kind: 'regex' }>,
  runRegex: RegexRunner,
  entryStartOf: (pos: number) => number,
  entryEndOf: (ls: number) => number,
): (ws: number, we: number) => number[] {
  const pre = plan.prefilter;
  const anchors = pre?.ci ? caseAnchors(pre.needle) : null;
  if (!pre || (pre.ci && !anchors)) {
    return (ws, we) => runRegex.scan(buf.toString('latin1', ws, we), plan.source, plan.flags).map((p) => p + ws);
  }
  const needle = Buffer.from(pre.needle, 'latin1');
  const whole = (ws: number, we: number): number[] => runRegex.scan(buf.toString('latin1', ws, we), plan.source, plan.flags).map((p) => p + ws);
  return (ws, we) => {
    const starts: number[] = [];
    const texts: string[] = [];
    let lastEnd = -1;
    let taken = 0;
    const positions = anchors ? ciAnchoredPositions(buf, ws, we, pre.needle, anchors.variants, anchors.at) : literalPositions(buf, ws, we, needle);
    for (const p of positions) {
      if (p < lastEnd) continue; // inside the entry just taken
      const es = entryStartOf(p);
      lastEnd = entryEndOf(es);
      starts.push(es);
      texts.push(buf.toString('latin1', es, lastEnd));
      taken += lastEnd - es;
      // Most of the window holds the literal: one pass of the regex over it costs less than entry by entry.
      if (taken * 2 > we - ws) return whole(ws, we);
    }
    if (texts.length === 0) return [];
    const at = runRegex.firstIn(texts, plan.source, plan.flags);
    const out: number[] = [];
    for (let i = 0; i < at.length; i++) if (at[i]! >= 0) out.push(starts[i]! + at[i]!);
    return out;
  };
}

/** Match starts, at most one per line. */
function* literalPositions(buf: Buffer, from: number, to: number, needle: Buffer): Generator<number> {
  // A view ending where a match starting before `to` ends: indexOf must not run on through the rest of the chunk.
  const view = buf.subarray(0, Math.min(buf.length, to + needle.length - 1));
  let pos = from;
  while (pos < to) {
    const p = view.indexOf(needle, pos);
    if (p === -1 || p >= to) return;
    yield p;
    const nl = buf.indexOf(LF, p + needle.length);
    if (nl === -1) return;
    pos = nl + 1;
  }
}

/** Bytes every match of a plan contains exactly (for a case-insensitive needle, its case-stable run), or null. */
export function anchorOf(plan: MatchPlan): Buffer | null {
  const all = anchorsOf(plan);
  return all && all.length === 1 ? all[0]! : null;
}

/** Byte strings one of which every match of a plan contains (a case-insensitive needle without a case-stable
 *  run gives each casing of a short piece of it), or null. */
export function anchorsOf(plan: MatchPlan): Buffer[] | null {
  if (plan.kind === 'literal') return [Buffer.from(plan.needle, 'latin1')];
  if (plan.kind === 'literal-ci') return [Buffer.from(plan.stable, 'latin1')];
  if (plan.kind === 'regex' && plan.prefilter) {
    if (!plan.prefilter.ci) return [Buffer.from(plan.prefilter.needle, 'latin1')];
    return caseAnchors(plan.prefilter.needle)?.variants ?? null;
  }
  return null;
}

function longestStableRun(needle: string): { run: string; at: number } | null {
  let best: { run: string; at: number } | null = null;
  for (const m of needle.matchAll(/[^A-Za-z]+/g)) if (!best || m[0].length > best.run.length) best = { run: m[0], at: m.index ?? 0 };
  return best && best.run.length >= 2 ? best : null;
}

/**
 * What to look for, byte-exact, to find a case-insensitive ASCII needle (lower-cased): its longest case-stable
 * run when it has one of two bytes or more; else the two-byte piece with the fewest letters, in each of its
 * casings (two or four), e.g. `y-` and `Y-` for `canary-`. Every match holds one of `variants` at `at`.
 */
export function caseAnchors(lowerNeedle: string): { variants: Buffer[]; at: number } | null {
  const stable = longestStableRun(lowerNeedle);
  if (stable) return { variants: [Buffer.from(stable.run, 'latin1')], at: stable.at };
  if (lowerNeedle.length < 2) return null;
  const isLetter = (c: string): boolean => c >= 'a' && c <= 'z';
  let at = 0;
  let fewest = 3;
  for (let i = 0; i + 2 <= lowerNeedle.length; i++) {
    const letters = Number(isLetter(lowerNeedle[i]!)) + Number(isLetter(lowerNeedle[i + 1]!));
    if (letters < fewest) {
      fewest = letters;
      at = i;
    }
  }
  const pair = lowerNeedle.slice(at, at + 2);
  const casings = new Set<string>();
  for (const a of new Set([pair[0]!, pair[0]!.toUpperCase()])) for (const b of new Set([pair[1]!, pair[1]!.toUpperCase()])) casings.add(a + b);
  return { variants: [...casings].map((c) => Buffer.from(c, 'latin1')), at };
}

/** Case-insensitive ASCII needle: find one of its anchors (caseAnchors) exactly, then compare the rest folded. */
function* ciAnchoredPositions(buf: Buffer, from: number, to: number, lowerNeedle: string, variants: Buffer[], at: number): Generator<number> {
  const needle = Buffer.from(lowerNeedle, 'latin1');
  const len = variants[0]!.length;
  const view = buf.subarray(0, Math.min(buf.length, to + at + len - 1));
  // Each variant's next occurrence at or after `pos` (-1: none left); -2: not looked for yet.
  const next = variants.map(() => -2);
  let pos = from + at;
  while (pos < to + at) {
    let p = -1;
    for (let i = 0; i < variants.length; i++) {
      if (next[i] !== -1 && next[i]! < pos) next[i] = view.indexOf(variants[i]!, pos);
      if (next[i] !== -1 && (p === -1 || next[i]! < p)) p = next[i]!;
    }
    if (p === -1) return;
    const cand = p - at;
    if (cand >= to) return;
    if (cand >= from && cand + needle.length <= buf.length && foldEquals(buf, cand, needle)) {
      yield cand;
      const nl = buf.indexOf(LF, cand + needle.length);
      if (nl === -1) return;
      pos = nl + 1 + at;
    } else {
      pos = p + 1;
    }
  }
}

/** Case-insensitive ASCII needle: find its case-stable run exactly, then compare the rest folded. */
function ciLiteralPositions(buf: Buffer, from: number, to: number, lowerNeedle: string, stable: string, stableAt: number): Generator<number> {
  return ciAnchoredPositions(buf, from, to, lowerNeedle, [Buffer.from(stable, 'latin1')], stableAt);
}

function foldEquals(buf: Buffer, at: number, lowerNeedle: Buffer): boolean {
  for (let i = 0; i < lowerNeedle.length; i++) {
    let c = buf[at + i]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lowerNeedle[i]) return false;
  }
  return true;
}
