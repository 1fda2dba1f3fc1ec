// LiveStore.subscribe(topic, listener, {filter}): the hub is sent the union of the listeners' filters for that
// topic only, again when it changes and on every resubscription (with `since`).
import { expect } from '@open-wc/testing';
import { LiveStore } from '../../client/src/live/live-store.js';
import { FakeEnvironment, FakeSocket } from './fake-live.js';

function makeStore(): { store: LiveStore; timers: Array<() => void> } {
  FakeSocket.reset();
  const timers: Array<() => void> = [];
  const store = new LiveStore({ url: 'ws://test/ws', socketClass: FakeSocket, environment: new FakeEnvironment(), random: () => 1,
    setTimer: (fn) => { timers.push(fn); return timers.length; }, clearTimer: () => {} });
  return { store, timers };
}

describe('live-store filters (agents)', () => {
  it('sends a topic\'s filter with its own subscribe message, as the union of its listeners\' filters', async () => {
    const { store } = makeStore();
    store.subscribe('agents', () => {});
    const offA = store.subscribe('logs', () => {}, { filter: { runIds: ['a'] } });
    store.start();
    const socket = await FakeSocket.next(0);
    socket.open();
    expect(socket.sent).to.deep.equal([
      { op: 'subscribe', topics: ['agents'] },
      { op: 'subscribe', topics: ['logs'], filter: { runIds: ['a'] } },
    ]);
    const offB = store.subscribe('logs', () => {}, { filter: { runIds: ['b', 'a'] } });
    expect(socket.sent.at(-1)).to.deep.equal({ op: 'subscribe', topics: ['logs'], filter: { runIds: ['a', 'b'] } });
    offA();
    expect(socket.sent.at(-1)).to.deep.equal({ op: 'subscribe', topics: ['logs'], filter: { runIds: ['b', 'a'] } });
    offB();
    expect(socket.sent.at(-1)).to.deep.equal({ op: 'unsubscribe', topics: ['logs'] });
    store.stop();
  });

  it('resubscribes a filtered topic with its filter and since after a drop', async () => {
    const { store, timers } = makeStore();
    const got: number[] = [];
    store.subscribe('logs', (f) => got.push(f.seq), { filter: { runIds: ['r1'] } });
    store.subscribe('agents', () => {});
    store.start();
    const first = await FakeSocket.next(0);
    first.open();
    first.receive({ topic: 'logs', seq: 4, type: 'snapshot', data: {} });
    first.receive({ topic: 'logs', seq: 5, type: 'run.log', data: { runId: 'r1', seq: 1 } });
    first.receive({ topic: 'agents', seq: 9, type: 'snapshot', data: {} });
    first.drop();
    timers.at(-1)!();
    const second = await FakeSocket.next(1);
    second.open();
    expect(second.sent).to.deep.equal([
      { op: 'subscribe', topics: ['agents'], since: { agents: 9 } },
      { op: 'subscribe', topics: ['logs'], since: { logs: 5 }, filter: { runIds: ['r1'] } },
    ]);
    expect(got).to.deep.equal([4, 5]);
    store.stop();
  });
});
