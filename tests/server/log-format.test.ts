// Log entry parsing: every format the log center reads (pino, bunyan, winston JSON; PM2 prefixes; plain
// text with level words), multi-line joining with byte offsets, ANSI stripping, and level names.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseEntry, splitEntries, splitEntriesIncremental, isContinuationLine, isContinuationBytes, parseTimestamp, toLogLine } from '../../gateway/domain/logs/log-format.js';
import { normalizeLevel, levelRank, passesLevel, LEVELS } from '../../gateway/domain/logs/log-levels.js';

const T = Date.parse('2026-11-25T10:00:00.000Z');

test('pino JSON: numeric level, epoch ms time, msg, extra fields and err.stack appended', () => {
  const line = JSON.stringify({ level: 50, time: T, pid: 7, hostname: 'h', reqId: 'r-1', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (a.js:1:1)' }, msg: 'request failed' });
  const e = parseEntry(line);
  assert.is(e.level, 'error');
  assert.is(e.ts, T);
  assert.is(e.message, 'request failed reqId=r-1\nError: boom\n    at f (a.js:1:1)');
});

test('bunyan JSON: level 40, ISO time; winston JSON: string level and timestamp, message', () => {
  const b = parseEntry(JSON.stringify({ name: 'app', hostname: 'h', pid: 1, level: 40, msg: 'slow', time: '2026-11-25T10:00:00.000Z', v: 0 }));
  assert.equal([b.level, b.ts, b.message], ['warn', T, 'slow']);
  const w = parseEntry(JSON.stringify({ level: 'warning', message: 'disk low', timestamp: '2026-11-25T10:00:00.000Z' }));
  assert.equal([w.level, w.ts, w.message], ['warn', T, 'disk low']);
  const secs = parseEntry(JSON.stringify({ level: 'ERROR', ts: T / 1000, msg: 'x' }));
  assert.equal([secs.level, secs.ts], ['error', T]);
});

test('a JSON object without a message keeps its text; broken JSON is plain text', () => {
  const raw = '{"level":30,"time":1795600800000}';
  assert.is(parseEntry(raw).message, raw);
  const broken = parseEntry('{"level":50, oops ERROR}');
  assert.is(broken.level, 'error');
  assert.is(broken.ts, null);
});

test('PM2 prefixes: ISO with a colon, and a zoned date; a JSON line after the prefix is parsed', () => {
  const local = parseEntry('2026-11-25T10:00:00: Server started');
  assert.is(local.ts, new Date(2026, 10, 25, 10, 0, 0).getTime());
  assert.is(local.message, 'Server started');
  const zoned = parseEntry('2026-11-25 10:00:00 +05:30: listening');
  assert.is(zoned.ts, Date.parse('2026-11-25T04:30:00.000Z'));
  assert.is(zoned.message, 'listening');
  const json = parseEntry('2026-11-25T10:00:00Z: {"level":60,"msg":"dead"}');
  assert.equal([json.level, json.ts, json.message], ['fatal', T, 'dead']);
});

test('plain text level words: ERROR, [warn], level=debug, winston simple, exception heads', () => {
  const cases: Array<[string, string | null]> = [
    ['2026-11-25 10:00:00,123 ERROR [main] broke', 'error'],
    ['[2026-11-25T10:00:00.000Z] [warning] careful', 'warn'],
    ['ts=1 level=debug msg="x"', 'debug'],
    ['info: started on port 80', 'info'],
    ['TypeError: cannot read properties of undefined', 'error'],
    ['<crit> disk failure', 'fatal'],
    ['nothing to see here', null],
    ['ERR_STREAM_PREMATURE_CLOSE happened', null],
  ];
  for (const [line, level] of cases) assert.is(parseEntry(line).level, level, line);
  assert.is(parseEntry('2026-11-25 10:00:00,123 ERROR [main] broke').ts, new Date(2026, 10, 25, 10, 0, 0, 123).getTime());
});

test('ANSI colour codes are stripped before parsing', () => {
  const e = parseEntry('\u001b[31merror\u001b[39m: \u001b[1mred alert\u001b[22m');
  assert.is(e.level, 'error');
  assert.is(e.message, 'error: red alert');
});

test('continuation lines: indentation, at, Caused by:, ..., closing brackets, blank, PM2-prefixed frames', () => {
  for (const l of ['    at f (a.js:1:1)', '\tat g', 'at h (b.js:2:2)', 'Caused by: java.io.IOException', '... 12 more', '}', '  ]', '', '2026-11-25T10:00:00:     at f (a.js:1)']) {
    assert.ok(isContinuationLine(l), JSON.stringify(l));
    const b = Buffer.from(l);
    assert.ok(isContinuationBytes(b, 0, b.length), `bytes ${JSON.stringify(l)}`);
  }
  for (const l of ['Error: boom', '2026-11-25T10:00:00: hello', '{"level":30}', 'attention please', 'Caused trouble']) {
    assert.not.ok(isContinuationLine(l), JSON.stringify(l));
    const b = Buffer.from(l);
    assert.not.ok(isContinuationBytes(b, 0, b.length), `bytes ${JSON.stringify(l)}`);
  }
});

test('splitEntries joins stack traces to their entry with byte offsets (multi-byte text included)', () => {
  const text = 'héllo wörld\nError: boom\n    at f (a.js:1)\n    at g (b.js:2)\nnext\r\n\n';
  const entries = splitEntries(text, 1000);
  assert.is(entries.length, 3);
  assert.equal(entries.map((e) => e.offset), [1000, 1000 + Buffer.byteLength('héllo wörld\n'), 1000 + Buffer.byteLength('héllo wörld\nError: boom\n    at f (a.js:1)\n    at g (b.js:2)\n')]);
  assert.is(entries[0]!.length, Buffer.byteLength('héllo wörld'));
  assert.is(entries[1]!.text, 'Error: boom\n    at f (a.js:1)\n    at g (b.js:2)');
  assert.is(entries[2]!.text, 'next');
  const parsed = parseEntry(entries[1]!.text);
  assert.is(parsed.message, 'Error: boom\n    at f (a.js:1)\n    at g (b.js:2)');
});

test('PM2-prefixed stack frames are joined and shown without their prefix', () => {
  const entries = splitEntries('2026-11-25T10:00:00: Error: boom\n2026-11-25T10:00:00:     at f (a.js:1)\n2026-11-25T10:00:01: after\n');
  assert.is(entries.length, 2);
  assert.is(parseEntry(entries[0]!.text).message, 'Error: boom\n    at f (a.js:1)');
});

test('incremental split holds back the last entry (its stack may still be written)', () => {
  const { entries, rest } = splitEntriesIncremental('one\ntwo\n    at x\n');
  assert.equal(entries.map((e) => e.text), ['one']);
  assert.is(rest, 4);
});

test('levels: pino numbers, syslog numbers and words, ranks and minimum filter', () => {
  assert.equal([10, 20, 30, 40, 50, 60, 35].map(normalizeLevel), ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'info']);
  assert.equal(['WARNING', 'err', 'crit', 'Emerg', 'notice', 'verbose', '50', 'nope', ''].map(normalizeLevel), ['warn', 'error', 'fatal', 'fatal', 'info', 'trace', 'error', null, null]);
  assert.is(normalizeLevel(3), 'error'); // syslog severity
  assert.is(normalizeLevel(null), null);
  assert.ok(levelRank('error') > levelRank('warn') && levelRank(null) < levelRank('trace'));
  assert.equal(LEVELS, ['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
  assert.ok(passesLevel('error', 'warn'));
  assert.not.ok(passesLevel('info', 'warn'));
  assert.not.ok(passesLevel(null, 'trace'));
  assert.ok(passesLevel(null, null));
});

test('timestamps: seconds, ms, µs, ns, ISO strings and digits; junk is null', () => {
  assert.equal([T / 1000, T, T * 1000, T * 1e6, '2026-11-25T10:00:00Z', String(T)].map(parseTimestamp), [T, T, T, T, T, T]);
  assert.equal(['yesterday', -1, NaN, {}].map(parseTimestamp), [null, null, null, null]);
});

test('toLogLine: ISO ts, or the inferred one marked tsInferred; long messages are cut at 16 KiB', () => {
  const own = toLogLine({ ts: T, level: 'info', message: 'm' }, { source: 's', file: '/f', offset: 1, length: 2 });
  assert.equal(own, { ts: '2026-11-25T10:00:00.000Z', level: 'info', source: 's', message: 'm', file: '/f', offset: 1, length: 2 });
  const inferred = toLogLine({ ts: null, level: null, message: 'm' }, { source: 's', file: '/f', offset: 1, length: 2 }, T);
  assert.is(inferred.tsInferred, true);
  assert.is(parseEntry('x'.repeat(40_000)).message.length, 16 * 1024);
});

test.run();
