// <page-run>: the log history loaded by seq then streamed from the `logs` topic filtered to this run (the
// live store sends the filter), the timeline growing with live child runs, cancel for operators after a
// confirmation, and a failed run one tap from its error lines.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/pages/page-run.js';
import type { PageRun } from '../../client/src/pages/page-run.js';
import type { RunLog } from '../../client/src/components/run-log.js';
import { LiveStore } from '../../client/src/live/live-store.js';
import { api } from '../../client/src/api/api-client.js';
import type { RunDetail } from '../../client/src/pages/agents-data.js';
import { FakeEnvironment, FakeSocket } from './fake-live.js';
import { restoreFetch, run, stubFetch, text, tolerateResizeObserverLoop } from './agents-fixtures.js';

const at = (s: number) => new Date(Date.now() - 120_000 + s * 1000).toISOString();
function detail(status: 'processing' | 'error'): RunDetail {
  const root = run('r1', 'content-engine', { status, startedAt: at(0), progress: { done: 1, total: 4 },
    ...(status === 'error' ? { endedAt: at(60), error: { message: 'compliance-validator failed for ARN-1003' } } : {}) });
  return { run: root, children: [],
    timeline: [{ runId: 'r1', agent: 'content-engine', status, startedAt: at(0), endedAt: root.endedAt, depth: 0 }] };
}
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, ts: at(i), level: i === 1 ? 'error' : 'info', message: `line ${from + i}` }));

describe('page-run', () => {
  let store: LiveStore;
  let untolerate: () => void;
  before(() => { untolerate = tolerateResizeObserverLoop(); });
  after(() => untolerate());
  beforeEach(() => { api.forgetSession(); FakeSocket.reset(); store = new LiveStore({ socketClass: FakeSocket, environment: new FakeEnvironment() }); });
  afterEach(() => { store.stop(); restoreFetch(); });

  it('loads the log by seq, then appends live lines of this run only; subscribes to logs with a filter', async () => {
    const calls = stubFetch('viewer', [
      (c) => (c.url === '/api/agents/runs/r1' ? { body: detail('processing') } : undefined),
      (c) => (c.url === '/api/agents/runs/r1/logs?limit=1000' ? { body: { lines: lines(1, 3), nextAfter: 3, hasMore: false } } : undefined),
      (c) => (c.url === '/api/agents/runs/r1/logs?limit=1000&after=3' ? { body: { lines: lines(4, 5), nextAfter: 5, hasMore: false } } : undefined),
    ]);
    store.start();
    const socket = await FakeSocket.next(0);
    socket.open();
    const page = await fixture<PageRun>(html`<page-run runId="r1" .live=${store}></page-run>`);
    expect(socket.sent).to.deep.include({ op: 'subscribe', topics: ['logs'], filter: { runIds: ['r1'] } });
    expect(socket.sent).to.deep.include({ op: 'subscribe', topics: ['agents'] });
    const log = page.shadowRoot!.querySelector<RunLog>('run-log')!;
    await waitUntil(() => log.lines.length === 3, 'history loaded');
    // The subscription's snapshot: read on from the last line held.
    socket.receive({ topic: 'logs', seq: 1, type: 'snapshot', data: {} });
    await waitUntil(() => log.lines.length === 5, 'gap filled after the snapshot');
    expect(calls.some((c) => c.url === '/api/agents/runs/r1/logs?limit=1000&after=3')).to.be.true;
    socket.receive({ topic: 'logs', seq: 2, type: 'run.log', data: { runId: 'r1', seq: 6, ts: at(6), level: 'warn', message: 'slow API' } });
    socket.receive({ topic: 'logs', seq: 3, type: 'run.log', data: { runId: 'other', seq: 7, ts: at(7), level: 'info', message: 'not ours' } });
    expect(log.lines.map((l) => l.seq)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    await waitUntil(() => log.shadowRoot!.querySelector('.line[data-seq="6"]'), 'live line drawn');

    // A child run appears in the timeline as it starts.
    socket.receive({ topic: 'agents', seq: 1, type: 'snapshot', data: { agents: [], openRuns: [] } });
    socket.receive({ topic: 'agents', seq: 2, type: 'run', data: run('c1', 'content-orchestrator', { parentRunId: 'r1', startedAt: at(5) }) });
    const timeline = page.shadowRoot!.querySelector('run-timeline')!;
    await waitUntil(() => timeline.shadowRoot!.querySelector('.row[data-run="c1"]'), 'child in the timeline');
    expect(timeline.shadowRoot!.querySelector('.row[data-run="c1"] .bar')!.classList.contains('open')).to.be.true;
  });

  it('lets an operator cancel an open run after confirming', async () => {
    const calls = stubFetch('operator', [
      (c) => (c.method === 'POST' && c.url === '/api/agents/runs/r1/cancel' ? { status: 202, body: { runId: 'r1', status: 'cancelled' } } : undefined),
      (c) => (c.url === '/api/agents/runs/r1' ? { body: detail('processing') } : undefined),
      (c) => (c.url.startsWith('/api/agents/runs/r1/logs') ? { body: { lines: [], nextAfter: 0, hasMore: false } } : undefined),
    ]);
    const page = await fixture<PageRun>(html`<page-run runId="r1" .live=${store}></page-run>`);
    await waitUntil(() => page.shadowRoot!.querySelector('button.cancel'), 'cancel offered');
    page.shadowRoot!.querySelector<HTMLButtonElement>('button.cancel')!.click();
    await page.updateComplete;
    const dialog = page.shadowRoot!.querySelector('sl-dialog')!;
    expect(dialog.open).to.be.true;
    expect(text(dialog)).to.contain('Cancel this content-engine run?');
    expect(calls.filter((c) => c.method === 'POST')).to.have.length(0);
    await page.cancelRun();
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.url).to.equal('/api/agents/runs/r1/cancel');
    expect(post.headers['X-CSRF-Token']).to.equal('csrf-1');
    await page.updateComplete;
    expect(text(dialog)).to.contain('the run is now cancelled');
  });

  it('shows a failed run\'s error and gets to its error lines in one tap; viewers cannot cancel', async () => {
    stubFetch('viewer', [
      (c) => (c.url === '/api/agents/runs/r1' ? { body: detail('error') } : undefined),
      (c) => (c.url.startsWith('/api/agents/runs/r1/logs') ? { body: { lines: lines(1, 6), nextAfter: 6, hasMore: false } } : undefined),
    ]);
    const page = await fixture<PageRun>(html`<page-run runId="r1" .live=${store}></page-run>`);
    await waitUntil(() => page.shadowRoot!.querySelector('.failure'), 'failure shown');
    expect(text(page.shadowRoot!.querySelector('.failure p'))).to.equal('compliance-validator failed for ARN-1003');
    expect(page.shadowRoot!.querySelector('button.cancel')).to.be.null;
    const log = page.shadowRoot!.querySelector<RunLog>('run-log')!;
    await waitUntil(() => log.lines.length === 6);
    page.shadowRoot!.querySelector<HTMLButtonElement>('button.show-errors')!.click();
    await waitUntil(() => log.errorsOnly && log.shadowRoot!.querySelectorAll('.line').length === 1, 'only the error line');
    expect(text(log.shadowRoot!.querySelector('.line .msg'))).to.equal('line 2');
  });
});
