// LogTailController: follows `logs` with the query's tail filter, puts the lines in the tail list (held while
// paused), counts skipped lines, stops listening when the hub refuses the pattern, lets go when the page leaves,
// and its status line says each of these states in words.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import { render, type ReactiveController, type ReactiveControllerHost } from 'lit';
import '../../client/src/components/log-list.js';
import type { LogList } from '../../client/src/components/log-list.js';
import { LogTailController } from '../../client/src/pages/log-tail-controller.js';
import { EMPTY_QUERY, type LogQuery } from '../../client/src/pages/page-logs-data.js';
import { LiveStore } from '../../client/src/live/live-store.js';
import { FakeEnvironment, FakeSocket } from './fake-live.js';
import { text, tolerateResizeObserverLoop } from './agents-fixtures.js';
import { hit } from './log-fixtures.js';

class Host implements ReactiveControllerHost {
  controllers: ReactiveController[] = [];
  updates = 0;
  constructor(readonly live: LiveStore) {}
  addController(c: ReactiveController): void { this.controllers.push(c); }
  removeController(): void {}
  requestUpdate(): void { this.updates += 1; }
  get updateComplete(): Promise<boolean> { return Promise.resolve(true); }
  connect(): void { for (const c of this.controllers) c.hostConnected?.(); }
  disconnect(): void { for (const c of this.controllers) c.hostDisconnected?.(); }
}

const SINCE = '2026-01-01T10:00:00.000Z';

describe('LogTailController', () => {
  let store: LiveStore;
  let socket: FakeSocket;
  let list: LogList;
  let query: LogQuery;
  let host: Host;
  let tail: LogTailController;
  let untolerate: () => void;
  before(() => { untolerate = tolerateResizeObserverLoop(); });
  after(() => untolerate());

  beforeEach(async () => {
    FakeSocket.reset();
    store = new LiveStore({ socketClass: FakeSocket, environment: new FakeEnvironment() });
    store.start();
    socket = await FakeSocket.next(0);
    socket.open();
    list = await fixture<LogList>(html`<log-list mode="tail" style="--log-list-height: 300px"></log-list>`);
    query = { ...EMPTY_QUERY, q: 'boom', level: 'warn', sources: ['pm2:api:err'] };
    host = new Host(store);
    tail = new LogTailController(host, { query: () => query, list: () => list });
    host.connect();
  });
  afterEach(() => store.stop());

  const status = () => {
    const el = document.createElement('div');
    render(tail.renderStatus(store.connection, ''), el);
    return text(el);
  };
  /** Started, and the hub's snapshot in (the store passes on no frame of a topic before its snapshot). */
  const started = () => {
    tail.start();
    socket.receive({ topic: 'logs', seq: 0, type: 'snapshot', data: { tail: { sources: ['pm2:api:err'], from: SINCE } } });
  };
  const lines = (seq: number, n: number, dropped = 0) =>
    socket.receive({ topic: 'logs', seq, type: 'log.lines', data: { lines: Array.from({ length: n }, (_, i) => hit(seq * 1000 + i * 100, 'warn', `boom ${seq}.${i}`)), dropped } });

  it('is off until started, and says so', () => {
    expect(tail.on).to.be.false;
    expect(socket.sent.some((m) => m.op === 'subscribe')).to.be.false;
    expect(status()).to.equal('Live tail is off.');
  });

  it('subscribes with the query\'s tail filter, says what the hub follows, and puts the lines in the list', async () => {
    list.addLines([hit(1, 'info', 'left from before')]);
    tail.start();
    expect(tail.on).to.be.true;
    expect(list.lines, 'the list starts empty').to.have.length(0);
    expect(socket.sent.at(-1)).to.deep.equal({ op: 'subscribe', topics: ['logs'],
      filter: { tail: { q: 'boom', regex: false, caseSensitive: false, level: 'warn', sources: ['pm2:api:err'] } } });
    expect(tail.info).to.be.undefined;
    expect(status()).to.equal('Starting the live tail…');
    socket.receive({ topic: 'logs', seq: 1, type: 'snapshot', data: { tail: { sources: ['pm2:api:err', 'self'], from: SINCE } } });
    expect(tail.info).to.deep.equal({ sources: ['pm2:api:err', 'self'], from: SINCE });
    expect(status()).to.match(/^Live — following 2 sources since /);
    lines(2, 3, 4);
    lines(3, 1, 2);
    expect(list.lines).to.have.length(4);
    expect(tail.count).to.equal(4);
    expect(tail.dropped).to.equal(6);
    expect(status()).to.contain('6 lines skipped — search to see them.');
    // Frames of other kinds change nothing.
    socket.receive({ topic: 'logs', seq: 4, type: 'run.updated', data: { lines: [hit(9)] } });
    expect(tail.count).to.equal(4);
  });

  it('says when the hub started no tail for the filter, and when the search field refused the pattern', () => {
    tail.start();
    const el = document.createElement('div');
    render(tail.renderStatus('live', 'Not a valid pattern: Unterminated group'), el);
    expect(text(el)).to.equal('The live tail cannot start: Not a valid pattern: Unterminated group');
    expect(el.querySelector('.failed')!.getAttribute('aria-hidden'), 'said at the field already').to.equal('true');
    socket.receive({ topic: 'logs', seq: 1, type: 'snapshot', data: { runs: [] } });
    expect(tail.info).to.be.null;
    expect(status()).to.equal('The gateway did not start a tail for this filter.');
  });

  it('a restart with a new query starts over: new filter, empty list, no skipped count', () => {
    started();
    lines(1, 2, 3);
    expect([list.lines.length, tail.count, tail.dropped]).to.deep.equal([2, 2, 3]);
    query = { ...query, q: 'other' };
    tail.start();
    expect(socket.sent.slice(-2)).to.deep.equal([{ op: 'unsubscribe', topics: ['logs'] }, { op: 'subscribe', topics: ['logs'],
      filter: { tail: { q: 'other', regex: false, caseSensitive: false, level: 'warn', sources: ['pm2:api:err'] } } }]);
    expect([list.lines.length, tail.count, tail.dropped, tail.info]).to.deep.equal([0, 0, 0, undefined]);
  });

  it('while paused counts the lines the list holds; resume lets go of the count', async () => {
    started();
    lines(1, 1);
    tail.togglePause();
    expect(tail.paused).to.be.true;
    list.paused = true;
    await list.updateComplete;
    lines(2, 2);
    expect(tail.held).to.equal(2);
    expect(tail.count, 'held lines are not in the list yet').to.equal(1);
    expect(status()).to.contain('Paused — 2 new lines held.');
    lines(3, 1);
    expect(status()).to.contain('Paused — 3 new lines held.');
    tail.togglePause();
    expect([tail.paused, tail.held]).to.deep.equal([false, 0]);
    expect(status()).not.to.contain('Paused');
    // The page draws the list unpaused; it appends what it held, and the count of lines shown follows.
    const before = host.updates;
    list.paused = false;
    await waitUntil(() => tail.count === 4, 'the count includes the lines let go');
    expect(list.lines).to.have.length(4);
    expect(host.updates).to.be.above(before);
  });

  it('a restart with a new query while paused holds nothing yet', async () => {
    started();
    tail.pause();
    list.paused = true;
    await list.updateComplete;
    lines(1, 2);
    expect(status()).to.contain('Paused — 2 new lines held.');
    query = { ...query, q: 'other' };
    tail.start();
    expect([tail.paused, tail.held]).to.deep.equal([true, 0]);
    expect(status()).to.contain('Paused — 0 new lines held.');
  });

  it('turning it off unsubscribes and drops the pause; stop alone keeps it', () => {
    tail.start();
    tail.pause();
    tail.stop();
    expect(socket.sent.at(-1)).to.deep.equal({ op: 'unsubscribe', topics: ['logs'] });
    expect([tail.on, tail.paused]).to.deep.equal([false, true]);
    tail.start();
    tail.switchOff();
    expect([tail.on, tail.paused]).to.deep.equal([false, false]);
  });

  it('says when the connection is lost', async () => {
    tail.start();
    socket.drop();
    expect(status()).to.match(/^Live tail disconnected \(\w+\) — lines written meanwhile are not shown here; search to see them\.$/);
  });

  it('a refused pattern stops listening and is said; starting again clears it', () => {
    query = { ...query, q: '(a)\\1', regex: true };
    tail.start();
    socket.receiveHubError({ code: 'invalid_regex', message: 'cannot run this one' });
    expect(tail.error).to.equal('The live tail refused this pattern: cannot run this one');
    expect(socket.sent.at(-1), 'unsubscribed').to.deep.equal({ op: 'unsubscribe', topics: ['logs'] });
    expect(tail.on, 'waits for another pattern').to.be.true;
    expect(status()).to.equal('Live tail stopped: it cannot run this pattern — change the pattern to start it again.');
    // The search field says it as an alert: the status line (a live region on the page) does not read it out again.
    const el = document.createElement('div');
    render(tail.renderStatus(store.connection, ''), el);
    expect(el.querySelector('.refused')!.getAttribute('aria-hidden')).to.equal('true');
    // A second refusal while not listening changes nothing.
    const sent = socket.sent.length;
    socket.receiveHubError({ code: 'invalid_regex', message: 'again' });
    expect(tail.error).to.equal('The live tail refused this pattern: cannot run this one');
    expect(socket.sent.length).to.equal(sent);
    query = { ...query, q: 'a+' };
    tail.start();
    expect(tail.error).to.equal('');
    expect(socket.sent.at(-1)).to.deep.include({ op: 'subscribe' });
  });

  it('ignores refusals that are not about its pattern: other codes, a literal query, or the tail off', () => {
    const refuse = (code = 'invalid_regex') => socket.receiveHubError({ code, message: 'no' });
    query = { ...query, regex: true };
    refuse();
    expect(tail.error, 'tail off').to.equal('');
    tail.start();
    refuse('topic_forbidden');
    expect(tail.error, 'another code').to.equal('');
    query = { ...query, regex: false };
    refuse();
    expect(tail.error, 'a literal query').to.equal('');
    expect(socket.sent.at(-1), 'still listening').to.deep.include({ op: 'subscribe' });
  });

  it('when the page leaves it unsubscribes and stops listening for refusals', () => {
    query = { ...query, regex: true };
    tail.start();
    host.disconnect();
    expect(tail.on).to.be.false;
    expect(socket.sent.at(-1)).to.deep.equal({ op: 'unsubscribe', topics: ['logs'] });
    // Subscribed again without the page (no listener for refusals): a refusal is no longer taken up.
    tail.start();
    socket.receiveHubError({ code: 'invalid_regex', message: 'no' });
    expect(tail.error).to.equal('');
  });

  it('asks the page to draw again on each change it makes', () => {
    let seen = host.updates;
    const redrawn = (what: string) => {
      expect(host.updates, what).to.be.above(seen);
      seen = host.updates;
    };
    tail.start();
    redrawn('start');
    socket.receive({ topic: 'logs', seq: 0, type: 'snapshot', data: { tail: { sources: ['pm2:api:err'], from: SINCE } } });
    redrawn('snapshot');
    lines(2, 1);
    redrawn('lines');
    tail.pause();
    redrawn('pause');
    tail.resume();
    redrawn('resume');
    tail.stop();
    redrawn('stop');
  });
});
