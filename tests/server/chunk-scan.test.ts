// Chunk scanning against a plain reference: a chunk much larger than the literal and regex windows, with
// multi-line entries and long lines that straddle window edges, must give exactly the entries whose bytes
// hold a match, newest first up to maxHits, for literals, case-insensitive literals and regexes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { caseAnchors, scanChunk, LITERAL_WINDOW, REGEX_WINDOW, type RegexRunner } from '../../gateway/domain/logs/chunk-scan.js';
import { buildMatchPlan, type SearchQuery } from '../../gateway/domain/logs/log-matcher.js';
import { splitEntries } from '../../gateway/domain/logs/log-format.js';
import { searchChunk, type LogSearchTask } from '../../workers/log-search.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rngFrom } from '../../webhook/simulator.js';

// The worker's runner without its vm time limit.
const runner: RegexRunner = {
  scan(text, source, flags) {
    const re = new RegExp(source, flags);
    const out: number[] = [];
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      out.push(m.index);
      const nl = text.indexOf('\n', m.index);
      if (nl === -1) break;
      re.lastIndex = nl + 1;
    }
    return out;
  },
  firstIn(texts, source, flags) {
    const re = new RegExp(source, flags);
    return texts.map((t) => {
      re.lastIndex = 0;
      return re.exec(t)?.index ?? -1;
    });
  },
};

function corpus(): Buffer {
  const rand = rngFrom(7);
  const parts: string[] = [];
  let t = Date.parse('2026-11-25T00:00:00.000Z');
  const needles = ['Zq-Canary-7731', 'zq-canary-7731', 'ZQ-CANARY-7731', 'zq-canary-7732'];
  for (let i = 0; i < 30_000; i++) {
    t += 1000;
    const r = rand();
    const needle = r < 0.01 ? needles[Math.floor(rand() * needles.length)] : '';
    let line = `${new Date(t).toISOString()} INFO request ${i} handled ${needle}`;
    if (r > 0.97) line += `\nError: failed ${i}\n    at run (/srv/app.js:${i}:1)${rand() < 0.3 ? ' zq-canary-7731' : ''}\n    at next (/srv/q.js:2:2)`;
    // Now and then a line longer than a window, with the needle near its end or not at all.
    if (i % 5_000 === 2_500) line += ` ${'x'.repeat(REGEX_WINDOW + 1000)}${i % 10_000 === 2_500 ? ' zq-canary-7731' : ''}`;
    parts.push(line);
  }
  return Buffer.from(parts.join('\n') + '\n', 'latin1');
}

const buf = corpus();
const entries = splitEntries(buf);

function expected(q: SearchQuery, from: number, to: number): number[] {
  const re = q.regex ? new RegExp(q.q, q.caseSensitive ? 'm' : 'im') : null;
  const fold = (s: string) => (q.caseSensitive ? s : s.toLowerCase());
  return entries
    .filter((e) => e.offset >= from && e.offset < to)
    .filter((e) => (re ? re.test(e.text) : fold(e.text).includes(fold(q.q))))
    .map((e) => e.offset);
}

function scan(q: SearchQuery, start: number, end: number, maxHits = 1_000_000): number[] {
  const bufStart = Math.max(0, start - 1);
  const r = scanChunk({ buf: buf.subarray(bufStart), bufStart, start, end }, buildMatchPlan(q), { minLevel: null, from: null, to: null, maxHits }, runner);
  return r.hits.map((h) => h.offset);
}

const queries: SearchQuery[] = [
  { q: 'zq-canary-7731', regex: false, caseSensitive: true },
  { q: 'ZQ-CANARY-7731', regex: false, caseSensitive: false },
  { q: 'canary', regex: false, caseSensitive: false },
  { q: 'canary-773[12]', regex: true, caseSensitive: true },
  { q: 'CANARY-\\d+', regex: true, caseSensitive: false }, // its literal has no case-stable run: found by `y-`/`Y-`
  { q: 'zq-CANARY-[0-9]+', regex: true, caseSensitive: false },
  { q: 'HANDLED Zq', regex: true, caseSensitive: false }, // found by `d ` / `D `
  { q: 'zq|77[0-9]{2}$', regex: true, caseSensitive: false }, // no required literal: the regex scans each window
  { q: '\\d\\) zq', regex: true, caseSensitive: true },
  { q: '77[0-9]{2}$', regex: true, caseSensitive: true },
];

test('the corpus spans many windows', () => {
  assert.ok(buf.length > 4 * REGEX_WINDOW && buf.length > 8 * LITERAL_WINDOW, `${buf.length} bytes`);
});

test('every matching entry of a chunk, once, in offset order', () => {
  for (const q of queries) {
    const want = expected(q, 0, buf.length);
    assert.ok(want.length > 10, `${q.q}: ${want.length} expected hits`);
    assert.equal(scan(q, 0, buf.length), want, JSON.stringify(q));
  }
});

test('a case-insensitive needle without a case-stable run is found by each casing of its piece with fewest letters', () => {
  const show = (needle: string) => {
    const a = caseAnchors(needle);
    return a && { variants: a.variants.map((v) => v.toString('latin1')).sort(), at: a.at };
  };
  assert.equal(show('canary-'), { variants: ['Y-', 'y-'], at: 5 });
  assert.equal(show('zq-canary-7731'), { variants: ['-7731'], at: 9 }, 'a case-stable run when there is one');
  assert.equal(show('ab'), { variants: ['AB', 'Ab', 'aB', 'ab'], at: 0 });
  assert.is(show('a'), null);
});

test('a chunk that starts and ends inside entries owns those whose first line starts in it', () => {
  const start = Math.floor(buf.length / 3) + 17;
  const end = Math.floor((buf.length * 2) / 3) + 5;
  for (const q of queries) assert.equal(scan(q, start, end), expected(q, start, end), JSON.stringify(q));
});

test('maxHits keeps the newest entries of the chunk', () => {
  for (const q of queries) {
    const want = expected(q, 0, buf.length);
    assert.equal(scan(q, 0, buf.length, 7), want.slice(-7), JSON.stringify(q));
  }
});

test('matches that cross window edges are found: a needle on every line, the chunk shortened line by line', () => {
  const rand = rngFrom(11);
  const lines: string[] = [];
  for (let i = 0; i < 40_000; i++) lines.push(`L${i} ${'x'.repeat(Math.floor(rand() * 40))} Zq-Canary-7731 ${i}`);
  const dense = Buffer.from(lines.join('\n') + '\n', 'latin1');
  const all = splitEntries(dense).map((e) => e.offset);
  const every: SearchQuery[] = [
    { q: 'Zq-Canary-7731', regex: false, caseSensitive: true },
    { q: 'ZQ-CANARY-7731', regex: false, caseSensitive: false },
    { q: 'Canary-773[12]', regex: true, caseSensitive: true },
    { q: 'canary-7731 \\d', regex: true, caseSensitive: false }, // prefiltered by its literal
    { q: 'ZQ-CANARY-\\d', regex: true, caseSensitive: false }, // no case-stable run: found by each casing of `q-`
    { q: 'canary|Canary', regex: true, caseSensitive: false }, // no required literal: the regex scans each window
  ];
  // Windows are counted from the chunk's end: each shorter chunk moves every window edge.
  for (let k = 1; k <= 8; k++) {
    const end = all[all.length - k]!;
    const want = all.slice(0, -k);
    for (const q of every) {
      const r = scanChunk({ buf: dense.subarray(0, end), bufStart: 0, start: 0, end }, buildMatchPlan(q), { minLevel: null, from: null, to: null, maxHits: 1_000_000 }, runner);
      assert.equal(r.hits.map((h) => h.offset), want, `${JSON.stringify(q)} without the last ${k} lines`);
    }
  }
});

test('the worker skips a chunk whose anchor does not occur, with the same bound as a full scan', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-chunkscan-'));
  try {
    const file = path.join(dir, 'app.log');
    fs.writeFileSync(file, buf);
    const size = buf.length;
    const start = Math.floor(size / 2) + 3;
    const task = (plan: LogSearchTask['plan']): LogSearchTask => ({ path: file, compressed: false, start, end: size, plan, filters: { minLevel: null, from: null, to: null, maxHits: 1_000_000 }, regexTimeoutMs: 5_000 });
    const full = searchChunk(task({ kind: 'all' }));
    assert.ok(full.kind === 'ok' && full.hits.length > 1000 && full.firstTs !== null);
    for (const q of [
      { q: 'no-such-needle-42', regex: false, caseSensitive: true },
      { q: 'NO-SUCH-NEEDLE-42', regex: false, caseSensitive: false },
      { q: 'no-such-needle-\\d+', regex: true, caseSensitive: true },
      { q: 'no-such-NEEDLE-\\d+', regex: true, caseSensitive: false }, // skipped on the casings of a piece of it
    ]) {
      const r = searchChunk(task(buildMatchPlan(q)));
      assert.ok(r.kind === 'ok' && full.kind === 'ok');
      assert.equal({ hits: r.hits, firstTs: r.firstTs, scannedFrom: r.scannedFrom }, { hits: [], firstTs: full.firstTs, scannedFrom: start }, q.q);
    }
    // And a chunk that holds its anchor is scanned: the same hits as the reference.
    for (const q of queries) {
      const r = searchChunk(task(buildMatchPlan(q)));
      assert.ok(r.kind === 'ok');
      assert.equal(r.hits.map((h) => h.offset), expected(q, start, size), JSON.stringify(q));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the worker finds an anchor that straddles two read pieces, or sits far from the chunk head', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-chunkscan-'));
  try {
    const LINE = 64;
    const line = (k: number, text = 'filler') => `${new Date(Date.UTC(2026, 10, 25) + k * 1000).toISOString()} INFO ${text}`.padEnd(LINE - 1, '.') + '\n';
    const lines = Array.from({ length: 12_000 }, (_, k) => line(k));
    const start = 100 * LINE + 45; // inside a line; the first piece ends at start + 128 KiB
    const needle = 'Zq-Canary-7731';
    const place = (at: number): number => {
      const k = Math.floor(at / LINE);
      const col = at % LINE;
      const base = line(k);
      lines[k] = base.slice(0, col) + needle + base.slice(col + needle.length);
      return k * LINE;
    };
    const plain = lines.slice();
    // Each alone: the only anchor of its chunk.
    for (const at of [start + 128 * 1024 - 5, (lines.length - 3) * LINE + 40]) {
      lines.splice(0, lines.length, ...plain);
      const hit = place(at);
      const file = path.join(dir, 'app.log');
      fs.writeFileSync(file, lines.join(''));
      const size = fs.statSync(file).size;
      for (const q of [
        { q: needle, regex: false, caseSensitive: true },
        { q: needle.toUpperCase(), regex: false, caseSensitive: false },
        { q: 'Canary-\\d{4}', regex: true, caseSensitive: true },
      ]) {
        const r = searchChunk({ path: file, compressed: false, start, end: size, plan: buildMatchPlan(q), filters: { minLevel: null, from: null, to: null, maxHits: 100 }, regexTimeoutMs: 5_000 });
        assert.ok(r.kind === 'ok');
        assert.equal(r.hits.map((h) => h.offset), [hit], `${q.q} at ${at}`);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
