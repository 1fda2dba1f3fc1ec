// LiveStore against a hand-driven fake WebSocket: snapshot then changes, `since` on resubscribe,
// 4008 → fresh snapshot, backoff, offline/online and visibility, connection events.
import { expect } from '@open-wc/testing';
import { LiveStore, type ConnectionState, type LiveFrame } from '../../client/src/live/live-store.js';
import { FakeEnvironment, FakeSocket } from './fake-live.js';

interface Harness { store: LiveStore; env: FakeEnvironment; states: ConnectionState[]; delays: number[]; timers: Array<() => void> }

/** A store whose reconnect timers only fire when the test runs them (timers[i]()). */
function makeStore(): Harness {
  FakeSocket.reset();
  const env = new FakeEnvironment();
  const delays: number[] = [];
  const timers: Array<() => void> = [];
  const store = new LiveStore({
    url: 'ws://test/ws', socketClass: FakeSocket, environment: env, random: () => 1, now: () => 1_000,
    setTimer: (fn, ms) => { delays.push(ms); timers.push(fn); return timers.length; },
    clearTimer: () => {},
  });
  const states: ConnectionState[] = [];
  store.addEventListener('connection', () => states.push(store.connection));
  return { store, env, states, delays, timers };
}

const frame = (seq: number, type = 'health', topic = 'status'): LiveFrame => ({ topic, seq, type, data: { seq } });

describe('live-store', () => {
  it('subscribes on open and gives listeners the snapshot first, then changes in order', async () => {
    const { store, states } = makeStore();
    const got: LiveFrame[] = [];
    store.subscribe('status', (f) => got.push(f));
    store.start();
    const socket = await FakeSocket.next(0);
    expect(socket.url).to.equal('ws://test/ws');
    expect(store.connection).to.equal('connecting');
    socket.open();
    expect(socket.sent).to.deep.equal([{ op: 'subscribe', topics: ['status'] }]);
    socket.receive(frame(5, 'snapshot'));
    socket.receive(frame(6));
    socket.receive(frame(7));
    expect(got.map((f) => `${f.type}:${f.seq}`)).to.deep.equal(['snapshot:5', 'health:6', 'health:7']);
    expect(store.lastMessageAt).to.equal(1_000);
    expect(states).to.deep.equal(['connecting', 'live']);
    store.stop();
  });

  it('after a dropped connection reconnects and resubscribes with since = last seq, skipping duplicates', async () => {
    const { store, states, timers } = makeStore();
    const got: number[] = [];
    store.subscribe('status', (f) => got.push(f.seq));
    store.start();
    const first = await FakeSocket.next(0);
    first.open();
    first.receive(frame(10, 'snapshot'));
    first.receive(frame(11));
    first.drop(1006);
    expect(store.connection).to.equal('reconnecting');
    timers.shift()!();
    const second = await FakeSocket.next(1);
    second.open();
    expect(second.sent).to.deep.equal([{ op: 'subscribe', topics: ['status'], since: { status: 11 } }]);
    second.receive(frame(11)); // overlap: already seen
    second.receive(frame(12));
    expect(got).to.deep.equal([10, 11, 12]);
    expect(states).to.deep.equal(['connecting', 'live', 'reconnecting', 'live']);
    store.stop();
  });

  it('on close code 4008 reconnects and takes a fresh snapshot (subscribe without since)', async () => {
    const { store, timers } = makeStore();
    const got: string[] = [];
    store.subscribe('processes', (f) => got.push(`${f.type}:${f.seq}`));
    store.start();
    const first = await FakeSocket.next(0);
    first.open();
    first.receive(frame(3, 'snapshot', 'processes'));
    first.receive(frame(4, 'processes', 'processes'));
    first.drop(4008);
    timers.shift()!();
    const second = await FakeSocket.next(1);
    second.open();
    expect(second.sent).to.deep.equal([{ op: 'subscribe', topics: ['processes'] }]);
    second.receive(frame(9, 'processes', 'processes')); // a change before the snapshot is dropped
    second.receive(frame(9, 'snapshot', 'processes'));
    expect(got).to.deep.equal(['snapshot:3', 'processes:4', 'snapshot:9']);
    store.stop();
  });

  it('asks for a fresh snapshot when a seq is skipped', async () => {
    const { store } = makeStore();
    const got: number[] = [];
    store.subscribe('status', (f) => got.push(f.seq));
    store.start();
    const socket = await FakeSocket.next(0);
    socket.open();
    socket.receive(frame(1, 'snapshot'));
    socket.receive(frame(3));
    expect(got).to.deep.equal([1]);
    expect(socket.sent.at(-1)).to.deep.equal({ op: 'subscribe', topics: ['status'] });
    store.stop();
  });

  it('backs off exponentially with jitter, capped near 30 s, and starts over once frames arrive', async () => {
    const { store, delays, timers } = makeStore();
    store.subscribe('status', () => {});
    store.start();
    for (let i = 0; i < 8; i += 1) {
      (await FakeSocket.next(i)).drop(1006);
      timers.shift()!();
    }
    // random() = 1 → the full ceiling: 0.5 s doubling, capped at 30 s.
    expect(delays).to.deep.equal([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    const live = await FakeSocket.next(8);
    live.open();
    live.receive(frame(1, 'snapshot'));
    live.drop(1006);
    expect(delays.at(-1)).to.equal(500);
    store.stop();
  });

  it('goes offline on the browser offline event and reconnects at once when online again', async () => {
    const { store, env, states } = makeStore();
    store.subscribe('status', () => {});
    store.start();
    const first = await FakeSocket.next(0);
    first.open();
    env.online = false;
    env.fire('offline');
    expect(store.connection).to.equal('offline');
    expect(first.closedWith).to.equal(1000);
    env.online = true;
    env.fire('online');
    const second = await FakeSocket.next(1);
    second.open();
    expect(states).to.deep.equal(['connecting', 'live', 'offline', 'reconnecting', 'live']);
    store.stop();
  });

  it('does not try to connect while the browser says it is offline', () => {
    const { store, env } = makeStore();
    env.online = false;
    store.start();
    expect(FakeSocket.instances).to.have.length(0);
    expect(store.connection).to.equal('offline');
    store.stop();
  });

  it('retries at once when the page becomes visible instead of waiting for the backoff timer', async () => {
    const { store, env, timers } = makeStore();
    store.subscribe('status', () => {});
    store.start();
    (await FakeSocket.next(0)).drop(1006);
    expect(timers).to.have.length(1);
    env.visible = false;
    env.fire('visibilitychange');
    expect(FakeSocket.instances).to.have.length(1);
    env.visible = true;
    env.fire('visibilitychange');
    const second = await FakeSocket.next(1);
    second.open();
    expect(store.connection).to.equal('live');
    store.stop();
  });

  it('a listener added later gets a fresh snapshot; the last listener leaving unsubscribes the topic', async () => {
    const { store } = makeStore();
    const first: string[] = [];
    const offFirst = store.subscribe('status', (f) => first.push(`${f.type}:${f.seq}`));
    store.start();
    const socket = await FakeSocket.next(0);
    socket.open();
    socket.receive(frame(1, 'snapshot'));
    const second: string[] = [];
    const offSecond = store.subscribe('status', (f) => second.push(`${f.type}:${f.seq}`));
    expect(socket.sent.at(-1)).to.deep.equal({ op: 'subscribe', topics: ['status'] });
    socket.receive(frame(2, 'snapshot'));
    expect(second).to.deep.equal(['snapshot:2']);
    offFirst();
    expect(socket.sent.at(-1)).to.deep.equal({ op: 'subscribe', topics: ['status'] });
    offSecond();
    expect(socket.sent.at(-1)).to.deep.equal({ op: 'unsubscribe', topics: ['status'] });
    store.stop();
  });

  it('stop closes the socket, reports offline and never reconnects', async () => {
    const { store, timers } = makeStore();
    store.subscribe('status', () => {});
    store.start();
    const socket = await FakeSocket.next(0);
    socket.open();
    store.stop();
    expect(socket.closedWith).to.equal(1000);
    expect(store.connection).to.equal('offline');
    expect(timers).to.have.length(0);
    expect(FakeSocket.instances).to.have.length(1);
  });

  it('subscribes again (for a snapshot) after the hub reports snapshot_failed', async () => {
    const { store, timers } = makeStore();
    store.subscribe('status', () => {});
    store.start();
    const socket = await FakeSocket.next(0);
    socket.open();
    socket.receiveHubError({ code: 'snapshot_failed', message: 'subscribe again' });
    expect(socket.sent).to.have.length(1);
    timers.shift()!();
    expect(socket.sent.at(-1)).to.deep.equal({ op: 'subscribe', topics: ['status'] });
    store.stop();
  });

  it('reports each hub error frame as a hub-error event; malformed error data is not reported', async () => {
    const { store } = makeStore();
    const errors: unknown[] = [];
    store.addEventListener('hub-error', (e) => errors.push((e as CustomEvent).detail));
    store.start();
    const socket = await FakeSocket.next(0);
    socket.open();
    socket.receiveHubError({ code: 'invalid_regex', message: 'no lookbehind', details: { field: 'tail.q' } });
    socket.receiveHubError({ code: 'bad_message' });
    socket.receiveHubError(null);
    expect(errors).to.deep.equal([{ code: 'invalid_regex', message: 'no lookbehind', details: { field: 'tail.q' } }]);
    store.stop();
  });

  it('keeps delivering to other listeners when one throws', async () => {
    const { store } = makeStore();
    const got: number[] = [];
    store.subscribe('status', () => { throw new Error('broken listener'); });
    store.subscribe('status', (f) => got.push(f.seq));
    store.start();
    const socket = await FakeSocket.next(0);
    socket.open();
    const originalError = console.error;
    console.error = () => {};
    try {
      socket.receive(frame(4, 'snapshot'));
    } finally {
      console.error = originalError;
    }
    expect(got).to.deep.equal([4]);
    store.stop();
  });
});
