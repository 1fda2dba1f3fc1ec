// Live hub over a real http.Server on 127.0.0.1:0 with real `ws` clients: upgrade auth and Origin,
// snapshot/replay, serialise-once fan-out, backpressure drop, ping liveness, disconnect and close.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket, WebSocketServer } from 'ws';
import type { ClientOptions } from 'ws';
import { createHub, TOPICS, UpgradeRefusal } from '../../gateway/hub/hub.js';
import type { Hub, HubFrame, HubOptions, HubPrincipal, Topic } from '../../gateway/hub/hub.js';

const PRINCIPALS: Record<string, HubPrincipal> = {
  alice: { id: 'u1', username: 'alice', role: 'admin', sessionId: 's1' },
  bob: { id: 'u2', username: 'bob', role: 'viewer', sessionId: 's2' },
};

interface Harness {
  hub: Hub;
  server: http.Server;
  origin: string;
  url(as?: string, path?: string): string;
  authCalls(): number;
  stop(): Promise<void>;
}

async function startHub(overrides: Partial<HubOptions> = {}): Promise<Harness> {
  let origin = '';
  let authCalls = 0;
  const server = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const hub = createHub({
    authenticate: async (req) => {
      authCalls += 1;
      // Test-only stand-in for the gateway's authenticator: `?as=<name>` picks a fixture principal.
      const name = new URL(req.url ?? '/', 'http://x').searchParams.get('as');
      return (name && PRINCIPALS[name]) || null;
    },
    isOriginAllowed: (o) => o === undefined || o === origin,
    snapshot: async (topic) => ({ topic, snapshot: true }),
    // Seqs from 0 keep the expectations readable; the clock-based default has its own test.
    startSeq: 0,
    ...overrides,
  });
  hub.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    hub,
    server,
    origin,
    url: (as = 'alice', path = '/ws') => `ws://127.0.0.1:${port}${path}${as ? `?as=${as}` : ''}`,
    authCalls: () => authCalls,
    stop: async () => {
      await hub.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A real ws client that records every frame; next() awaits the next unread one. */
class TestClient {
  readonly frames: HubFrame[] = [];
  readonly raw: { bytes: Buffer; isBinary: boolean }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readIndex = 0;
  private wake: (() => void) | undefined;

  constructor(readonly ws: WebSocket) {
    ws.on('error', () => {}); // resets after a server-side terminate are expected in some tests
    ws.on('message', (data, isBinary) => {
      const bytes = data as Buffer;
      this.raw.push({ bytes, isBinary });
      this.frames.push(JSON.parse(bytes.toString()) as HubFrame);
      this.notify();
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.notify();
      }),
    );
  }

  static open(url: string, opts: ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, opts);
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  async next(): Promise<HubFrame> {
    while (this.readIndex >= this.frames.length) {
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error('connection closed before the next frame');
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.frames[this.readIndex++]!;
  }

  async untilSeq(topic: Topic, seq: number): Promise<void> {
    for (;;) {
      const frame = await this.next();
      if (frame.topic === topic && frame.seq >= seq) return;
    }
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  subscribe(topics: Topic[], since?: Partial<Record<Topic, number>>, runIds?: string[]): void {
    this.send({ op: 'subscribe', topics, ...(since ? { since } : {}), ...(runIds ? { filter: { runIds } } : {}) });
  }

  /** Seqs of the non-snapshot frames of `topic` received so far. */
  changeSeqs(topic: Topic): number[] {
    return this.frames.filter((f) => f.topic === topic && f.type !== 'snapshot').map((f) => f.seq);
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** Opens a connection that the server must refuse; resolves with the HTTP status and error body. */
function refused(url: string, opts: ClientOptions = {}): Promise<{ status: number; body: { error?: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts);
    ws.once('open', () => reject(new Error('upgrade unexpectedly accepted')));
    ws.once('error', () => {}); // the aborted request reports an error after unexpected-response
    ws.once('unexpected-response', (req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} });
      });
    });
  });
}

async function withHub(overrides: Partial<HubOptions>, body: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHub(overrides);
  try {
    await body(h);
  } finally {
    await h.stop();
  }
}

test('an upgrade without valid auth is refused with 401 and the error shape', () =>
  withHub({}, async (h) => {
    const noToken = await refused(h.url(''), { origin: h.origin });
    assert.is(noToken.status, 401);
    assert.is(noToken.body.error?.code, 'unauthenticated');
    assert.is((await refused(h.url('mallory'), { origin: h.origin })).status, 401);
    assert.is(h.hub.clientCount(), 0);
  }));

test('a foreign Origin is refused with 403 before authentication runs', () =>
  withHub({}, async (h) => {
    const res = await refused(h.url('alice'), { origin: 'http://evil.example' });
    assert.is(res.status, 403);
    assert.is(res.body.error?.code, 'origin_forbidden');
    assert.is(h.authCalls(), 0, 'authenticate was not consulted');
  }));

test('a missing Origin is accepted or refused as isOriginAllowed decides', async () => {
  await withHub({}, async (h) => {
    const client = await TestClient.open(h.url('alice')); // ws sends no Origin unless asked
    assert.is(h.hub.clientCount(), 1);
    client.ws.close();
  });
  await withHub({ isOriginAllowed: (origin) => origin !== undefined }, async (h) => {
    assert.is((await refused(h.url('alice'))).status, 403);
  });
});

test('admit() refuses ahead of the Origin check and authentication, with its own status and code', () =>
  withHub({ admit: (req) => (req.headers.host?.startsWith('127.0.0.1') ? null : new UpgradeRefusal(421, 'host_not_allowed', 'Not our name.')) }, async (h) => {
    const res = await refused(h.url('alice'), { origin: 'http://evil.example', headers: { host: 'rebound.example' } });
    assert.is(res.status, 421);
    assert.equal(res.body, { error: { code: 'host_not_allowed', message: 'Not our name.' } });
    assert.is(h.authCalls(), 0, 'authenticate was not consulted');
    const client = await TestClient.open(h.url('alice'), { origin: h.origin });
    assert.is(client.ws.readyState, WebSocket.OPEN, 'admitted requests go on as before');
  }));

test('an UpgradeRefusal thrown by authenticate is answered as it is, not as a server error', async () => {
  const errors: string[] = [];
  await withHub(
    {
      authenticate: async () => {
        throw new UpgradeRefusal(401, 'token_in_url', 'Send the token in the Authorization header.');
      },
      onError: (_err, where) => errors.push(where),
    },
    async (h) => {
      const res = await refused(h.url('alice'), { origin: h.origin });
      assert.is(res.status, 401);
      assert.equal(res.body, { error: { code: 'token_in_url', message: 'Send the token in the Authorization header.' } });
      assert.equal(errors, [], 'a refusal is not logged as a failure');
      assert.is(h.hub.clientCount(), 0);
    },
  );
});

test('an upgrade with good auth and Origin is accepted and counted', () =>
  withHub({}, async (h) => {
    const client = await TestClient.open(h.url('alice'), { origin: h.origin });
    assert.is(client.ws.readyState, WebSocket.OPEN);
    assert.is(h.hub.clientCount(), 1);
    assert.is(h.hub.stats().clients, 1);
  }));

test('upgrades on other paths get 404 unless another upgrade listener owns them', () =>
  withHub({}, async (h) => {
    assert.is((await refused(h.url('alice', '/other'), { origin: h.origin })).status, 404);
    const other = new WebSocketServer({ noServer: true });
    const onUpgrade = (req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
      if (req.url === '/other') other.handleUpgrade(req, socket, head, (ws) => ws.send('hello from other'));
    };
    h.server.on('upgrade', onUpgrade);
    const ws = new WebSocket(h.url('', '/other'));
    const greeting = await new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    assert.is(greeting, 'hello from other');
    ws.close();
    h.server.off('upgrade', onUpgrade);
    await new Promise((resolve) => other.close(resolve));
  }));

test('a subscriber gets the snapshot first (as of the current seq) and then only later changes in order', async () => {
  let count = 0;
  let snapshotCalls = 0;
  let releaseSlowSnapshot!: () => void;
  const slowSnapshotGate = new Promise<void>((resolve) => (releaseSlowSnapshot = resolve));
  let slowSnapshotStarted!: () => void;
  const slowSnapshotCalled = new Promise<void>((resolve) => (slowSnapshotStarted = resolve));
  const snapshot = async () => {
    snapshotCalls += 1;
    if (snapshotCalls === 2) {
      slowSnapshotStarted();
      await slowSnapshotGate;
    }
    return { count };
  };
  const change = (h: Harness) => h.hub.publish('status', 'count', { count: ++count });
  await withHub({ snapshot }, async (h) => {
    const watcher = await TestClient.open(h.url('alice'), { origin: h.origin });
    watcher.subscribe(['status']);
    assert.equal(await watcher.next(), { topic: 'status', seq: 0, type: 'snapshot', data: { count: 0 } });

    const late = await TestClient.open(h.url('bob'), { origin: h.origin });
    late.subscribe(['status']);
    await slowSnapshotCalled;
    change(h);
    change(h);
    await watcher.untilSeq('status', 2); // flushed while the late snapshot is still loading
    change(h); // still pending when the snapshot resolves
    releaseSlowSnapshot();
    assert.equal(await late.next(), { topic: 'status', seq: 3, type: 'snapshot', data: { count: 3 } });
    change(h);
    change(h);
    assert.equal(await late.next(), { topic: 'status', seq: 4, type: 'count', data: { count: 4 } });
    assert.equal(await late.next(), { topic: 'status', seq: 5, type: 'count', data: { count: 5 } });
    await watcher.untilSeq('status', 5);
    assert.equal(watcher.frames.map((f) => f.seq), [0, 1, 2, 3, 4, 5]);
  });
});

test('an immediate publish goes out at the end of the turn, taking frames waiting for the tick along, in seq order', () =>
  withHub({ tickMs: 60_000 }, async (h) => {
    const c = await TestClient.open(h.url('alice'), { origin: h.origin });
    c.subscribe(['agents']);
    await c.next(); // snapshot
    h.hub.publish('agents', 'slow', { n: 1 });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(c.changeSeqs('agents'), [], 'an ordinary publish waits for the tick');
    h.hub.publish('agents', 'run', { n: 2 }, { immediate: true });
    h.hub.publish('agents', 'run', { n: 3 }, { immediate: true }); // same turn: the same flush
    await c.untilSeq('agents', 3);
    assert.equal(c.changeSeqs('agents'), [1, 2, 3]);
    assert.equal(c.frames.slice(1).map((f) => (f.data as { n: number }).n), [1, 2, 3]);
  }));

test('two subscribers receive byte-identical text frames and each frame is serialised once', async () => {
  let serialisations = 0;
  const serialize = (frame: HubFrame) => {
    serialisations += 1;
    return JSON.stringify(frame);
  };
  await withHub({ serialize }, async (h) => {
    const a = await TestClient.open(h.url('alice'), { origin: h.origin });
    const b = await TestClient.open(h.url('bob'), { origin: h.origin });
    a.subscribe(['processes']);
    b.subscribe(['processes']);
    await a.next();
    await b.next();
    serialisations = 0;
    for (let i = 1; i <= 3; i++) h.hub.publish('processes', 'processes', { state: 'up', i });
    await a.untilSeq('processes', 3);
    await b.untilSeq('processes', 3);
    h.hub.publish('processes', 'processes', { state: 'down' });
    await a.untilSeq('processes', 4);
    await b.untilSeq('processes', 4);
    assert.is(serialisations, 4, 'one serialisation per frame, not per client');
    const changes = (c: TestClient) => c.raw.slice(1);
    assert.is(changes(a).length, 4);
    changes(a).forEach((frame, i) => {
      assert.ok(frame.bytes.equals(changes(b)[i]!.bytes), `frame ${i} identical`);
      assert.is(frame.isBinary, false);
    });
    assert.is(h.hub.stats().framesSent, 2 /* snapshots */ + 8);
  });
});

test('a tick framed once for all subscribers: small, 126- and 64-bit-length frames arrive whole, in order, beside keyed frames', async () => {
  await withHub({}, async (h) => {
    const a = await TestClient.open(h.url('alice'), { origin: h.origin });
    const b = await TestClient.open(h.url('bob'), { origin: h.origin });
    a.subscribe(['processes', 'logs'], undefined, ['r1']);
    b.subscribe(['processes']);
    await a.next();
    await a.next();
    await b.next();
    const sizes = [10, 200, 70_000, 5, 65_600, 1];
    sizes.forEach((size, i) => {
      h.hub.publish('processes', 'processes', { i, pad: 'x'.repeat(size) });
      h.hub.publish('logs', 'run.log', { runId: i % 2 ? 'r1' : 'r2', i }, { key: i % 2 ? 'r1' : 'r2' });
    });
    const last = sizes.length;
    await a.untilSeq('processes', last);
    await b.untilSeq('processes', last);
    for (const c of [a, b]) {
      const got = c.frames.filter((f) => f.topic === 'processes' && f.type === 'processes').map((f) => f.data as { i: number; pad: string });
      assert.equal(got.map((d) => [d.i, d.pad.length]), sizes.map((size, i) => [i, size]));
    }
    await a.untilSeq('logs', last);
    assert.equal(a.frames.filter((f) => f.topic === 'logs' && f.type === 'run.log').map((f) => (f.data as { i: number }).i), [1, 3, 5], 'keyed frames still filtered');
    assert.not.ok(b.frames.some((f) => f.topic === 'logs'));
    assert.is(h.hub.stats().framesSent, 3 /* snapshots */ + 2 * sizes.length + 3);
  });
});

test('since within the replay ring returns only the missed frames, no snapshot', () =>
  withHub({}, async (h) => {
    const first = await TestClient.open(h.url('alice'), { origin: h.origin });
    first.subscribe(['agents']);
    await first.next();
    for (let i = 1; i <= 4; i++) h.hub.publish('agents', 'run', { i });
    await first.untilSeq('agents', 4);

    const back = await TestClient.open(h.url('alice'), { origin: h.origin });
    back.subscribe(['agents'], { agents: 2 });
    assert.equal(await back.next(), { topic: 'agents', seq: 3, type: 'run', data: { i: 3 } });
    assert.equal(await back.next(), { topic: 'agents', seq: 4, type: 'run', data: { i: 4 } });
    h.hub.publish('agents', 'run', { i: 5 });
    assert.equal(await back.next(), { topic: 'agents', seq: 5, type: 'run', data: { i: 5 } });
    assert.not.ok(back.frames.some((f) => f.type === 'snapshot'));
  }));

test('since older than the replay ring (or from another server run) gets a snapshot instead', () =>
  withHub({ replayLimit: 2 }, async (h) => {
    const first = await TestClient.open(h.url('alice'), { origin: h.origin });
    first.subscribe(['alerts']);
    await first.next();
    for (let i = 1; i <= 5; i++) h.hub.publish('alerts', 'alert', { i });
    await first.untilSeq('alerts', 5);

    const back = await TestClient.open(h.url('alice'), { origin: h.origin });
    back.subscribe(['alerts', 'logs'], { alerts: 1, logs: 42 });
    const frames = [await back.next(), await back.next()].sort((x, y) => x.topic.localeCompare(y.topic));
    assert.equal(frames[0], { topic: 'alerts', seq: 5, type: 'snapshot', data: { topic: 'alerts', snapshot: true } });
    assert.equal(frames[1], { topic: 'logs', seq: 0, type: 'snapshot', data: { topic: 'logs', snapshot: true } });
    h.hub.publish('alerts', 'alert', { i: 6 });
    assert.is((await back.next()).seq, 6);
  }));

test('bad JSON, a bad shape or an unknown topic get an error frame and the connection stays usable', () =>
  withHub({}, async (h) => {
    const client = await TestClient.open(h.url('alice'), { origin: h.origin });
    client.send('{not json');
    const badJson = await client.next();
    assert.equal({ topic: badJson.topic, seq: badJson.seq, type: badJson.type }, { topic: 'hub', seq: 0, type: 'error' });
    assert.is((badJson.data as { code: string }).code, 'bad_json');

    client.send({ op: 'subscribe', topics: 'status' });
    assert.is(((await client.next()).data as { code: string }).code, 'bad_message');
    client.send({ op: 'dance' });
    assert.is(((await client.next()).data as { code: string }).code, 'bad_message');
    client.ws.send(Buffer.from('{}'), { binary: true });
    assert.is(((await client.next()).data as { code: string }).code, 'bad_message');

    client.send({ op: 'subscribe', topics: ['status', 'weather'] });
    const unknown = (await client.next()).data as { code: string; message: string; details: { allowed: string[] } };
    assert.is(unknown.code, 'unknown_topic');
    assert.match(unknown.message, /weather/);
    for (const topic of TOPICS) assert.match(unknown.message, topic);
    assert.equal(unknown.details.allowed, [...TOPICS]);

    client.subscribe(['status']);
    assert.is((await client.next()).type, 'snapshot', 'nothing of the refused message was applied; subscribing still works');
    assert.is(client.ws.readyState, WebSocket.OPEN);
  }));

test('canSubscribe refuses a topic with an error frame while the allowed topics are subscribed', () =>
  withHub({ canSubscribe: (p, topic) => p.role === 'admin' || topic !== 'backups' }, async (h) => {
    const viewer = await TestClient.open(h.url('bob'), { origin: h.origin });
    viewer.subscribe(['backups', 'status']);
    const refusal = await viewer.next();
    assert.equal(refusal.data, { code: 'topic_forbidden', message: 'Not allowed to follow backups.', details: { topics: ['backups'] } });
    assert.equal(await viewer.next(), { topic: 'status', seq: 0, type: 'snapshot', data: { topic: 'status', snapshot: true } });
  }));

test('after unsubscribe a topic sends nothing more to that client', () =>
  withHub({}, async (h) => {
    const client = await TestClient.open(h.url('alice'), { origin: h.origin });
    const witness = await TestClient.open(h.url('bob'), { origin: h.origin });
    witness.subscribe(['webhook']);
    await witness.next();
    client.subscribe(['webhook']);
    await client.next();
    client.send({ op: 'unsubscribe', topics: ['webhook'] });
    client.subscribe(['status']); // processed after the unsubscribe: its snapshot is the barrier
    await client.next();
    h.hub.publish('webhook', 'event', { n: 1 });
    await witness.untilSeq('webhook', 1);
    h.hub.publish('status', 'health', { ok: true });
    assert.equal(await client.next(), { topic: 'status', seq: 1, type: 'health', data: { ok: true } });
  }));

test('a stalled client is dropped with 4008 while a healthy subscriber keeps receiving everything', () =>
  withHub({ maxBufferedBytes: 1024 * 1024, closeTimeoutMs: 200, tickMs: 1 }, async (h) => {
    const healthy = await TestClient.open(h.url('alice'), { origin: h.origin });
    const stalled = await TestClient.open(h.url('bob'), { origin: h.origin });
    for (const c of [healthy, stalled]) {
      c.subscribe(['logs']);
      await c.next();
    }
    stalled.ws.pause(); // stops reading its socket: TCP buffers fill, then the server-side buffer grows

    const payload = 'x'.repeat(64 * 1024);
    let seq = 0;
    let rounds = 0;
    while (h.hub.stats().droppedSlowClients === 0) {
      assert.ok(++rounds <= 128, 'the stalled client should be dropped within 64 MB');
      for (let i = 0; i < 8; i++) seq = h.hub.publish('logs', 'line', { payload }); // 512 KiB per tick
      await healthy.untilSeq('logs', seq);
    }
    assert.ok(seq * payload.length > 2 * 1024 * 1024, 'several MB were published');
    assert.is(h.hub.clientCount(), 1);
    seq = h.hub.publish('logs', 'line', { payload: 'after the drop' });
    await healthy.untilSeq('logs', seq);
    assert.equal(healthy.frames.slice(1).map((f) => f.seq), Array.from({ length: seq }, (_, i) => i + 1));
    assert.equal(h.hub.stats().droppedSlowClients, 1);

    stalled.ws.resume();
    const { code } = await stalled.closed; // 4008, or 1006 when the terminate() came first
    assert.ok(code === 4008 || code === 1006, `close code ${code}`);
    assert.is(healthy.ws.readyState, WebSocket.OPEN);
  }));

test('a client that does not answer pings is terminated; one that does stays', () =>
  withHub({ pingIntervalMs: 100 }, async (h) => {
    const silent = await TestClient.open(h.url('bob'), { origin: h.origin, autoPong: false });
    const healthy = await TestClient.open(h.url('alice'), { origin: h.origin });
    const { code } = await silent.closed;
    assert.is(code, 1006, 'terminated without a close frame');
    assert.is(healthy.ws.readyState, WebSocket.OPEN);
    assert.is(h.hub.clientCount(), 1);
  }));

test('disconnect(predicate, code) closes only the matching clients with that code', () =>
  withHub({}, async (h) => {
    const alice = await TestClient.open(h.url('alice'), { origin: h.origin });
    const bob = await TestClient.open(h.url('bob'), { origin: h.origin });
    h.hub.disconnect((p) => p.username === 'alice');
    assert.is((await alice.closed).code, 4001);
    assert.is(bob.ws.readyState, WebSocket.OPEN);
    assert.is(h.hub.clientCount(), 1);
    h.hub.disconnect((p) => p.sessionId === 's2', 4003);
    assert.is((await bob.closed).code, 4003);
    assert.is(h.hub.clientCount(), 0);
  }));

const timerCount = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('close() flushes pending frames, sends 1001, refuses new upgrades and leaves no timers', async () => {
  const timersBefore = timerCount();
  const h = await startHub({ pingIntervalMs: 50 });
  const client = await TestClient.open(h.url('alice'), { origin: h.origin });
  client.subscribe(['status']);
  await client.next();
  h.hub.publish('status', 'health', { last: true });
  await h.hub.close();
  assert.equal(await client.next(), { topic: 'status', seq: 1, type: 'health', data: { last: true } });
  assert.equal(await client.closed, { code: 1001, reason: 'server shutting down' });
  assert.is(h.hub.clientCount(), 0);
  assert.not.throws(() => h.hub.publish('status', 'late', {}), 'publishing after close is harmless');
  const late = await TestClient.open(h.url('alice'), { origin: h.origin }).then(
    () => 'accepted',
    () => 'refused',
  );
  assert.is(late, 'refused');
  await h.stop();
  // Timers of earlier test files in this process are not the hub's: compare with the count before it started.
  // Sockets tearing down may hold a timer for a moment; a hub timer (ping interval, tick) would stay.
  const extraTimers = () => timerCount() - timersBefore;
  for (const deadline = Date.now() + 1000; extraTimers() > 0 && Date.now() < deadline; ) await new Promise((r) => setImmediate(r));
  assert.ok(extraTimers() <= 0, `no hub timers remain (${extraTimers()} more than before)`);
});

// ---- keyed delivery (publish with {key}: logs only for watched runs) ----

/** Opens a client, subscribes and awaits the snapshot. */
async function subscribed(h: Harness, topics: Topic[], runIds?: string[], token = 'alice'): Promise<TestClient> {
  const client = await TestClient.open(h.url(token), { origin: h.origin });
  client.subscribe(topics, undefined, runIds);
  for (let i = 0; i < topics.length; i++) assert.is((await client.next()).type, 'snapshot');
  return client;
}

test('on logs, keyed frames reach only clients whose filter names the key; unkeyed frames reach every subscriber', () =>
  withHub({}, async (h) => {
    const watchA = await subscribed(h, ['logs'], ['run-a']);
    const watchAB = await subscribed(h, ['logs'], ['run-a', 'run-b']);
    const noFilter = await subscribed(h, ['logs']);
    const emptyFilter = await subscribed(h, ['logs'], []);
    h.hub.publish('logs', 'run.log', { n: 1 }, { key: 'run-a' });
    h.hub.publish('logs', 'run.log', { n: 2 }, { key: 'run-b' });
    h.hub.publish('logs', 'run.log', { n: 3 }, { key: 'run-c' });
    const barrier = h.hub.publish('logs', 'notice', { n: 4 });
    for (const c of [watchA, watchAB, noFilter, emptyFilter]) await c.untilSeq('logs', barrier);
    assert.equal(watchA.changeSeqs('logs'), [1, 4]);
    assert.equal(watchAB.changeSeqs('logs'), [1, 2, 4]);
    assert.equal(noFilter.changeSeqs('logs'), [4], 'logs of runs nobody named are never sent');
    assert.equal(emptyFilter.changeSeqs('logs'), [4]);
    assert.equal(watchA.frames[1], { topic: 'logs', seq: 1, type: 'run.log', data: { n: 1 } }, 'the key is not on the wire');
  }));

test('on other topics a client without a filter gets every frame; one with a filter gets only its keys plus unkeyed', () =>
  withHub({}, async (h) => {
    const everything = await subscribed(h, ['agents']);
    const onlyB = await subscribed(h, ['agents'], ['run-b']);
    h.hub.publish('agents', 'run', { id: 'a' }, { key: 'run-a' });
    h.hub.publish('agents', 'run', { id: 'b' }, { key: 'run-b' });
    const barrier = h.hub.publish('agents', 'agents', { all: true });
    await everything.untilSeq('agents', barrier);
    await onlyB.untilSeq('agents', barrier);
    assert.equal(everything.changeSeqs('agents'), [1, 2, 3]);
    assert.equal(onlyB.changeSeqs('agents'), [2, 3]);
  }));

test('a filter in one subscribe message applies to each topic it names', () =>
  withHub({}, async (h) => {
    const client = await subscribed(h, ['logs', 'agents'], ['run-a']);
    h.hub.publish('logs', 'run.log', { n: 1 }, { key: 'run-b' });
    const lastLog = h.hub.publish('logs', 'run.log', { n: 2 }, { key: 'run-a' });
    h.hub.publish('agents', 'run', { n: 1 }, { key: 'run-b' });
    const lastRun = h.hub.publish('agents', 'run', { n: 2 }, { key: 'run-a' });
    // agents is flushed before logs within a tick; wait on frames seen rather than on read order.
    while (!(client.changeSeqs('logs').includes(lastLog) && client.changeSeqs('agents').includes(lastRun))) await client.next();
    assert.equal(client.changeSeqs('logs'), [lastLog]);
    assert.equal(client.changeSeqs('agents'), [lastRun]);
  }));

test('replay after since respects the filter of the new subscription', () =>
  withHub({}, async (h) => {
    const witness = await subscribed(h, ['logs'], ['run-a', 'run-b', 'run-c']);
    h.hub.publish('logs', 'run.log', { n: 1 }, { key: 'run-a' });
    h.hub.publish('logs', 'run.log', { n: 2 }, { key: 'run-b' });
    h.hub.publish('logs', 'run.log', { n: 3 }, { key: 'run-c' });
    h.hub.publish('logs', 'notice', { n: 4 });
    await witness.untilSeq('logs', 4);

    const back = await TestClient.open(h.url('alice'), { origin: h.origin });
    back.subscribe(['logs'], { logs: 1 }, ['run-b']);
    assert.equal(await back.next(), { topic: 'logs', seq: 2, type: 'run.log', data: { n: 2 } });
    assert.equal(await back.next(), { topic: 'logs', seq: 4, type: 'notice', data: { n: 4 } });
    const unfiltered = await TestClient.open(h.url('bob'), { origin: h.origin });
    unfiltered.subscribe(['logs'], { logs: 0 });
    assert.equal(await unfiltered.next(), { topic: 'logs', seq: 4, type: 'notice', data: { n: 4 } });
    h.hub.publish('logs', 'run.log', { n: 5 }, { key: 'run-b' });
    assert.equal((await back.next()).seq, 5, 'live frames follow the replay');
    assert.not.ok([...back.frames, ...unfiltered.frames].some((f) => f.type === 'snapshot'));
  }));

test('snapshot() receives the subscriber\'s filter (undefined without one)', async () => {
  const calls: unknown[] = [];
  const snapshot: HubOptions['snapshot'] = async (topic, _principal, filter) => {
    calls.push(filter);
    return { topic };
  };
  await withHub({ snapshot }, async (h) => {
    await subscribed(h, ['logs'], ['run-a', 'run-a', 'run-b']);
    await subscribed(h, ['logs']);
    assert.equal(calls, [{ runIds: ['run-a', 'run-b'] }, undefined]);
  });
});

test('watch replaces the filter of a live subscription in place, without a new snapshot', () =>
  withHub({}, async (h) => {
    const client = await subscribed(h, ['logs'], ['run-a']);
    client.send({ op: 'watch', topic: 'logs', runIds: ['run-b'] });
    client.subscribe(['status']); // processed after the watch: its snapshot is the barrier
    assert.is((await client.next()).topic, 'status');
    h.hub.publish('logs', 'run.log', { n: 1 }, { key: 'run-a' });
    const b = h.hub.publish('logs', 'run.log', { n: 2 }, { key: 'run-b' });
    await client.untilSeq('logs', b);
    assert.equal(client.changeSeqs('logs'), [b]);
    assert.is(client.frames.filter((f) => f.topic === 'logs' && f.type === 'snapshot').length, 1);

    client.send({ op: 'watch', runIds: [] }); // topic defaults to logs
    client.subscribe(['alerts']);
    assert.is((await client.next()).topic, 'alerts');
    h.hub.publish('logs', 'run.log', { n: 3 }, { key: 'run-b' });
    const barrier = h.hub.publish('logs', 'notice', {});
    await client.untilSeq('logs', barrier);
    assert.equal(client.changeSeqs('logs'), [b, barrier]);
  }));

test('watch on a topic not yet followed subscribes to it with that filter (snapshot first)', async () => {
  const calls: unknown[] = [];
  await withHub({ snapshot: async (topic, _p, filter) => (calls.push(filter), { topic }) }, async (h) => {
    const client = await TestClient.open(h.url('alice'), { origin: h.origin });
    client.send({ op: 'watch', topic: 'logs', runIds: ['run-z'] });
    assert.equal(await client.next(), { topic: 'logs', seq: 0, type: 'snapshot', data: { topic: 'logs' } });
    assert.equal(calls, [{ runIds: ['run-z'] }]);
    h.hub.publish('logs', 'run.log', { n: 1 }, { key: 'run-y' });
    h.hub.publish('logs', 'run.log', { n: 2 }, { key: 'run-z' });
    assert.equal(await client.next(), { topic: 'logs', seq: 2, type: 'run.log', data: { n: 2 } });
  });
});

test('watch on a forbidden or unknown topic is refused with an error frame', () =>
  withHub({ canSubscribe: (p, topic) => p.role === 'admin' || topic !== 'logs' }, async (h) => {
    const viewer = await TestClient.open(h.url('bob'), { origin: h.origin });
    viewer.send({ op: 'watch', topic: 'logs', runIds: ['r'] });
    assert.is(((await viewer.next()).data as { code: string }).code, 'topic_forbidden');
    viewer.send({ op: 'watch', topic: 'weather', runIds: ['r'] });
    assert.is(((await viewer.next()).data as { code: string }).code, 'unknown_topic');
  }));

test('a bad filter (too many ids, wrong shape, unknown field) is refused whole and the connection stays', () =>
  withHub({}, async (h) => {
    const client = await TestClient.open(h.url('alice'), { origin: h.origin });
    const tooMany = Array.from({ length: 101 }, (_, i) => `run-${i}`);
    for (const filter of [{ runIds: tooMany }, { runIds: 'run-a' }, { runIds: [''] }, { runIds: ['a'], agents: ['x'] }, ['run-a']]) {
      client.send({ op: 'subscribe', topics: ['logs'], filter });
      const frame = await client.next();
      assert.is(frame.topic, 'hub', JSON.stringify(filter));
      assert.is((frame.data as { code: string }).code, 'bad_message');
    }
    client.send({ op: 'watch', runIds: tooMany });
    assert.is(((await client.next()).data as { code: string }).code, 'bad_message');
    client.subscribe(['logs'], undefined, Array.from({ length: 100 }, (_, i) => `run-${i}`));
    assert.is((await client.next()).type, 'snapshot', '100 ids are fine; nothing of the refused messages applied');
  }));

test('keyed frames are still serialised once, and watchers of the same key get identical bytes', async () => {
  let serialisations = 0;
  const serialize = (frame: HubFrame) => {
    serialisations += 1;
    return JSON.stringify(frame);
  };
  await withHub({ serialize }, async (h) => {
    const a1 = await subscribed(h, ['logs'], ['run-a']);
    const a2 = await subscribed(h, ['logs'], ['run-a', 'run-b']);
    const other = await subscribed(h, ['logs'], ['run-c']);
    serialisations = 0;
    h.hub.publish('logs', 'run.log', { n: 1 }, { key: 'run-a' });
    h.hub.publish('logs', 'run.log', { n: 2 }, { key: 'run-b' });
    const last = h.hub.publish('logs', 'notice', {});
    for (const c of [a1, a2, other]) await c.untilSeq('logs', last);
    assert.is(serialisations, 3, 'one serialisation per frame, whoever receives it');
    assert.ok(a1.raw[1]!.bytes.equals(a2.raw[1]!.bytes));
    assert.equal(other.changeSeqs('logs'), [last]);
  });
});

test.run();
