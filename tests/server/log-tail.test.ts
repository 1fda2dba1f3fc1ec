// The live log tail on the real gateway: LOG_DIRS in a temp directory, real files appended to, and real
// WebSocket clients with tail filters (level, source, text, regex), pause and resume, the 500 lines/s bound
// with its dropped count, bad filters refused with a hub error frame, and run-log frames beside the tail.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import { startAdminGateway, tokenClient, type AdminGateway } from '../support/test-gateway.js';
import { readFrames, type Frame, type FrameReader } from '../support/live-frames.js';

interface LiveClient extends FrameReader {
  ws: WebSocket;
  send(message: unknown): void;
  /** Messages of every log.lines line received so far. */
  tailed(): string[];
  dropped(): number;
}

let t: AdminGateway;
let logDir: string;
let viewerToken: string;
let srcA: string;
let srcB: string;
const sockets: WebSocket[] = [];

async function live(): Promise<LiveClient> {
  const ws = new WebSocket(`${t.base.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${viewerToken}` } });
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const frames = readFrames(ws, 8_000);
  const lines = () => frames.seen.filter((f) => f.type === 'log.lines');
  return {
    ws,
    seen: frames.seen,
    send: (message) => ws.send(JSON.stringify(message)),
    next: frames.next,
    tailed: () => lines().flatMap((f) => f.data.lines.map((l: { message: string }) => l.message)),
    dropped: () => lines().reduce((n, f) => n + f.data.dropped, 0),
  };
}

/** Subscribes to logs with a tail filter and returns the snapshot frame. */
async function tailing(client: LiveClient, tail: object | null, runIds?: string[]): Promise<Frame> {
  client.send({ op: 'subscribe', topics: ['logs'], filter: { tail, ...(runIds ? { runIds } : {}) } });
  return client.next((f) => f.topic === 'logs' && f.type === 'snapshot');
}

/** Resolves once a log.lines frame holding a line with this text has arrived. */
const lineArrived = (client: LiveClient, text: string) =>
  client.next((f) => f.type === 'log.lines' && f.data.lines.some((l: { message: string }) => l.message.includes(text)));

/** A message processed after everything sent before it: the snapshot of a topic not yet followed. */
async function barrier(client: LiveClient, topic: string): Promise<void> {
  client.send({ op: 'subscribe', topics: [topic] });
  await client.next((f) => f.topic === topic && f.type === 'snapshot');
}

const append = (name: 'a' | 'b', text: string) => fs.appendFileSync(path.join(logDir, name, 'app.log'), text);

test.before(async () => {
  try {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-tail-'));
    for (const sub of ['a', 'b']) {
      fs.mkdirSync(path.join(logDir, sub));
      fs.writeFileSync(path.join(logDir, sub, 'app.log'), 'INFO already there before the start\n');
    }
    srcA = `dir:${logDir}/a/*.log`;
    srcB = `dir:${logDir}/b/*.log`;
    t = await startAdminGateway({ LOG_DIRS: `${logDir}/a/*.log,${logDir}/b/*.log` });
    viewerToken = (await tokenClient(t.base, t.admin, 'viewer')).bearer!;
  } catch (err) {
    console.error('log-tail setup failed', err);
    throw err;
  }
});

test.after(async () => {
  for (const ws of sockets) ws.terminate();
  await t?.close();
  fs.rmSync(logDir, { recursive: true, force: true });
});

test('the snapshot says which followed sources the tail covers and from when', async () => {
  const all = await live();
  const snap = await tailing(all, {});
  assert.equal(snap.data.runs, []);
  assert.equal(snap.data.tail.sources, [srcA, srcB].sort());
  assert.ok(Math.abs(Date.parse(snap.data.tail.from) - Date.now()) < 60_000);
  const onlyB = await live();
  assert.equal((await tailing(onlyB, { sources: [srcB, 'pm2:nothing:out'] })).data.tail.sources, [srcB]);
  const none = await live();
  assert.is((await tailing(none, null)).data.tail, null, 'no tail filter: no tail');
});

test('each client gets only the new lines its filter admits (level, source, text, regex, case)', async () => {
  const everything = await live();
  const warnUp = await live();
  const needleInB = await live();
  const regex = await live();
  const caseSensitive = await live();
  await tailing(everything, {});
  await tailing(warnUp, { level: 'warn' });
  await tailing(needleInB, { sources: [srcB], q: 'needle' });
  await tailing(regex, { q: 'order \\d+ failed', regex: true });
  await tailing(caseSensitive, { q: 'Needle', caseSensitive: true });

  append('a', 'INFO plain in a\nWARN low disk in a\nERROR order 42 failed in a\nDEBUG a NEEDLE in a\n');
  append('b', 'INFO a needle in b\nsomething without a level, Needle in b\nFATAL order 7 failed, the needle is last\n');
  while (everything.tailed().length < 7) await everything.next((f) => f.type === 'log.lines');
  // Every line above has been given out: a last line that every filter admits marks the end for each client.
  append('b', 'ERROR final: order 9 failed, Needle\n');
  for (const c of [everything, warnUp, needleInB, regex, caseSensitive]) await lineArrived(c, 'final:');
  for (const c of [everything, warnUp, needleInB, regex, caseSensitive]) assert.is(c.tailed().pop(), 'ERROR final: order 9 failed, Needle');
  const upToFinal = (c: LiveClient) => c.tailed().slice(0, -1);

  // Each file's entries come in order; across files, a file's last entry waits for its quiet time.
  const sorted = (list: string[]) => [...list].sort();
  assert.equal(upToFinal(everything).filter((m) => m.endsWith(' in a')), ['INFO plain in a', 'WARN low disk in a', 'ERROR order 42 failed in a', 'DEBUG a NEEDLE in a']);
  assert.equal(sorted(upToFinal(everything)), sorted([
    'INFO plain in a', 'WARN low disk in a', 'ERROR order 42 failed in a', 'DEBUG a NEEDLE in a',
    'INFO a needle in b', 'something without a level, Needle in b', 'FATAL order 7 failed, the needle is last',
  ]));
  assert.equal(sorted(upToFinal(warnUp)), sorted(['WARN low disk in a', 'ERROR order 42 failed in a', 'FATAL order 7 failed, the needle is last']));
  assert.equal(upToFinal(needleInB), ['INFO a needle in b', 'something without a level, Needle in b', 'FATAL order 7 failed, the needle is last']);
  assert.equal(sorted(upToFinal(regex)), sorted(['ERROR order 42 failed in a', 'FATAL order 7 failed, the needle is last']));
  assert.equal(upToFinal(caseSensitive), ['something without a level, Needle in b']);
  assert.not.ok(everything.tailed().includes('INFO already there before the start'), 'the tail starts at the end of each file');

  const frame = everything.seen.find((f) => f.type === 'log.lines')!;
  assert.is(frame.topic, 'logs');
  assert.is(frame.data.dropped, 0);
  const line = frame.data.lines[0];
  assert.equal(Object.keys(line).sort(), ['file', 'length', 'level', 'message', 'offset', 'source', 'ts', 'tsInferred']);
  assert.is(line.source, srcA);
  assert.is(line.file, path.join(logDir, 'a', 'app.log'));
  assert.is(line.offset, Buffer.byteLength('INFO already there before the start\n'));
  assert.is(line.level, 'info');
});

test('a tail of null pauses the tail; a new tail filter resumes it from then on', async () => {
  const paused = await live();
  const control = await live();
  await tailing(paused, {});
  await tailing(control, {});
  paused.send({ op: 'watch', topic: 'logs', tail: null });
  await barrier(paused, 'alerts');
  append('a', 'INFO written while paused\n');
  await lineArrived(control, 'written while paused');

  paused.send({ op: 'watch', tail: { q: 'resumed' } });
  await barrier(paused, 'backups');
  append('a', 'INFO not for this filter\nINFO resumed line\n');
  await lineArrived(paused, 'resumed line');
  assert.equal(paused.tailed(), ['INFO resumed line']);
  assert.is(paused.seen.filter((f) => f.topic === 'logs' && f.type === 'snapshot').length, 1, 'watch sends no new snapshot');
});

test('at most 500 lines a second reach a client; the rest are counted as dropped', async () => {
  const flood = await live();
  const quiet = await live();
  await tailing(flood, { q: 'flood' });
  await tailing(quiet, { q: 'flood 1199' });
  append('a', Array.from({ length: 1200 }, (_, i) => `INFO flood ${i}`).join('\n') + '\n');
  const deadline = Date.now() + 10_000;
  while (flood.tailed().length + flood.dropped() < 1200) {
    if (Date.now() > deadline) throw new Error(`got ${flood.tailed().length} lines and ${flood.dropped()} dropped`);
    await flood.next((f) => f.type === 'log.lines');
  }
  assert.is(flood.tailed().length, 500);
  assert.is(flood.dropped(), 700);
  assert.equal(flood.tailed().slice(0, 2), ['INFO flood 0', 'INFO flood 1'], 'the first lines go out, in order');
  await lineArrived(quiet, 'flood 1199');
  assert.equal(quiet.tailed(), ['INFO flood 1199'], 'another client has its own bound: the line the flood dropped reaches it');
  assert.is(quiet.dropped(), 0);
  assert.not.ok(flood.tailed().includes('INFO flood 1199'));

  // Once the second is over, lines flow again.
  await new Promise((r) => setTimeout(r, 1_100));
  append('a', 'INFO flood after the window\n');
  await lineArrived(flood, 'flood after the window');
});

test('bad tail filters are refused with a hub error frame and the connection stays', async () => {
  const c = await live();
  const cases: Array<[object, string]> = [
    [{ op: 'subscribe', topics: ['logs'], filter: { tail: { q: '(unclosed', regex: true } } }, 'invalid_regex'],
    [{ op: 'watch', tail: { q: '(a)\\1', regex: true } }, 'invalid_regex'],
    [{ op: 'watch', tail: { q: '(?<=x)y', regex: true } }, 'invalid_regex'],
    [{ op: 'subscribe', topics: ['logs'], filter: { tail: { level: 'loud' } } }, 'bad_message'],
    [{ op: 'subscribe', topics: ['logs'], filter: { tail: { q: 'x'.repeat(1001) } } }, 'bad_message'],
    [{ op: 'subscribe', topics: ['logs'], filter: { tail: { colour: 'red' } } }, 'bad_message'],
    [{ op: 'watch', tail: { sources: 'pm2:api:out' } }, 'bad_message'],
  ];
  for (const [message, code] of cases) {
    c.send(message);
    const frame = await c.next((f) => f.topic === 'hub');
    assert.is(frame.type, 'error');
    assert.is(frame.data.code, code, JSON.stringify(message));
    assert.type(frame.data.message, 'string');
  }
  assert.ok(c.seen.every((f) => f.topic === 'hub'), 'nothing of a refused message applied');
  const snap = await tailing(c, { q: '(a+)+$', regex: true });
  assert.ok(snap.data.tail, 'nested quantifiers are fine: RE2 matches in linear time');
  const started = Date.now();
  append('a', `INFO ${'a'.repeat(5_000)}!\nINFO aaaa\n`);
  await lineArrived(c, 'aaaa');
  assert.ok(Date.now() - started < 5_000, 'a pathological line does not stall the gateway');
});

test('run-log frames keyed by runIds still reach a client that also tails', async () => {
  const c = await live();
  await tailing(c, { q: 'never written anywhere' }, ['run-1']);
  t.gw.hub.publish('logs', 'run.log', { runId: 'run-2', message: 'not watched' }, { key: 'run-2' });
  t.gw.hub.publish('logs', 'run.log', { runId: 'run-1', message: 'watched' }, { key: 'run-1' });
  const frame = await c.next((f) => f.type === 'run.log');
  assert.equal(frame.data, { runId: 'run-1', message: 'watched' });
  c.send({ op: 'watch', runIds: ['run-2'] }); // changes the runs, keeps the tail
  await barrier(c, 'alerts');
  t.gw.hub.publish('logs', 'run.log', { runId: 'run-2', message: 'now watched' }, { key: 'run-2' });
  append('b', 'INFO never written anywhere, except now\n');
  assert.is((await c.next((f) => f.type === 'run.log')).data.message, 'now watched');
  await lineArrived(c, 'except now');
});

test.run();
