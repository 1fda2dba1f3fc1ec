// <page-logs>: the URL holds the query (and a hit to open), results say how complete they are (partial,
// cancelled, failed), a hit link opens the entry with its context, PM2 being down is said plainly, and the live
// tail subscribes to `logs` with a tail filter, appends lines, pauses with a count and says when it is disconnected or its pattern refused.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/pages/page-logs.js';
import type { PageLogs } from '../../client/src/pages/page-logs.js';
import type { LogList } from '../../client/src/components/log-list.js';
import type { LogSearchBar } from '../../client/src/components/log-search-bar.js';
import type { LogContext } from '../../client/src/components/log-context.js';
import { LiveStore } from '../../client/src/live/live-store.js';
import { api } from '../../client/src/api/api-client.js';
import { FakeEnvironment, FakeSocket } from './fake-live.js';
import { restoreFetch, stubFetch, text, tolerateResizeObserverLoop, type Route } from './agents-fixtures.js';
import { FILE, context, group, hit, hits } from './log-fixtures.js';

const SOURCES = { sources: [{ id: 'pm2:api:err', kind: 'pm2', label: 'api (err)', files: [] }, { id: 'self', kind: 'self', label: 'Ops Center', files: [] }],
  observedAt: new Date().toISOString() };
const reply = (h = hits(0, 2), extra = {}) => ({ hits: h, nextCursor: null, scannedBytes: 2048, tookMs: 12, truncated: false, ...extra });
const base: Route[] = [
  (c) => (c.url === '/api/logs/sources' ? { body: SOURCES } : undefined),
  (c) => (c.url.startsWith('/api/logs/groups?') ? { body: { groups: [group('fp1', 4)], since: new Date().toISOString(), indexedBytes: 10, pendingBytes: 0 } } : undefined),
];
const root = (p: PageLogs) => p.shadowRoot!;
const list = (p: PageLogs, cls: 'results' | 'tail') => root(p).querySelector<LogList>(`log-list.${cls}`)!;
const status = (p: PageLogs) => text(root(p).querySelector('.status'));
/** What the status line's live region reads out: its text without the parts hidden from screen readers. */
const statusSaid = (p: PageLogs) => {
  const copy = root(p).querySelector('.status')!.cloneNode(true) as HTMLElement;
  copy.querySelectorAll('[aria-hidden="true"]').forEach((n) => n.remove());
  return text(copy);
};

describe('page-logs', () => {
  let store: LiveStore;
  let untolerate: () => void;
  const original = window.location.href;
  before(() => { untolerate = tolerateResizeObserverLoop(); });
  after(() => untolerate());
  beforeEach(() => { api.forgetSession(); FakeSocket.reset(); store = new LiveStore({ socketClass: FakeSocket, environment: new FakeEnvironment() }); });
  afterEach(() => { store.stop(); restoreFetch(); window.history.replaceState(null, '', original); });

  /** The page at `search` on an open live connection, its first search done. */
  async function openLive(search: string): Promise<{ page: PageLogs; socket: FakeSocket }> {
    stubFetch('viewer', [...base, (c) => (c.url.startsWith('/api/logs/search?') ? { body: reply() } : undefined)]);
    store.start();
    const socket = await FakeSocket.next(0);
    socket.open();
    const page = await fixture<PageLogs>(html`<page-logs .live=${store} .location=${{ search }}></page-logs>`);
    await waitUntil(() => page.searchPhase === 'done');
    return { page, socket };
  }

  it('searches with the query from the URL, lists the hits and says the results are complete', async () => {
    const calls = stubFetch('viewer', [...base,
      (c) => (c.url === '/api/logs/search?q=boom&level=warn&source=self&limit=100' ? { body: reply([hit(300, 'error', 'boom 1'), hit(200, 'warn', 'boom 2')]) } : undefined)]);
    const page = await fixture<PageLogs>(html`<page-logs .live=${store} .location=${{ search: '?q=boom&level=warn&source=self' }}></page-logs>`);
    await waitUntil(() => page.searchPhase === 'done', 'search done');
    expect(calls.map((c) => c.url)).to.include('/api/logs/search?q=boom&level=warn&source=self&limit=100');
    await waitUntil(() => list(page, 'results').lines.length === 2);
    expect(status(page)).to.contain('2 hits');
    expect(status(page)).to.contain('All matching entries shown.');
    const bar = root(page).querySelector<LogSearchBar>('log-search-bar')!;
    expect(bar.query).to.deep.include({ q: 'boom', level: 'warn', sources: ['self'] });
    expect(window.location.pathname + window.location.search).to.equal('/logs?q=boom&level=warn&source=self');
    // A new search from the bar goes to the URL too (shareable).
    bar.dispatchEvent(new CustomEvent('log-search', { detail: { ...bar.query, q: 'other', regex: true }, bubbles: true, composed: true }));
    await waitUntil(() => calls.some((c) => c.url === '/api/logs/search?q=other&regex=1&level=warn&source=self&limit=100'));
    expect(window.location.search).to.equal('?q=other&regex=1&level=warn&source=self');
  });

  it('says plainly when results are partial, and continues with the cursor', async () => {
    const calls = stubFetch('viewer', [...base,
      (c) => (c.url === '/api/logs/search?q=x&limit=100' ? { body: reply(hits(10, 1), { truncated: true, nextCursor: 'c1' }) } : undefined),
      (c) => (c.url === '/api/logs/search?q=x&limit=100&cursor=c1' ? { body: reply(hits(5, 2)) } : undefined)]);
    const page = await fixture<PageLogs>(html`<page-logs .live=${store} .location=${{ search: '?q=x' }}></page-logs>`);
    await waitUntil(() => page.searchPhase === 'done');
    expect(status(page)).to.contain('Partial results');
    const more = root(page).querySelector<HTMLButtonElement>('button.load-more')!;
    expect(text(more)).to.equal('Continue the search');
    more.click();
    await waitUntil(() => list(page, 'results').lines.length === 3, 'next page appended');
    expect(calls.some((c) => c.url.endsWith('cursor=c1'))).to.be.true;
    expect(status(page)).to.contain('All matching entries shown.');
  });

  it('says when the search was cancelled, and shows a bad pattern next to the field', async () => {
    stubFetch('viewer', base);
    const stubbed = window.fetch;
    let aborted = false;
    window.fetch = (input, init) => (String(input).startsWith('/api/logs/search')
      ? new Promise((_, reject) => init!.signal!.addEventListener('abort', () => { aborted = true; reject(new DOMException('aborted', 'AbortError')); }))
      : stubbed(input, init));
    const page = await fixture<PageLogs>(html`<page-logs .live=${store} .location=${{ search: '?q=slow' }}></page-logs>`);
    await waitUntil(() => page.searchPhase === 'searching');
    // The seconds count up on screen but are not read out each second.
    await waitUntil(() => / 1 s/.test(status(page)), 'the seconds shown', { timeout: 3000 });
    expect(statusSaid(page)).to.match(/^Searching… — Cancel stops it\.$/);
    expect(root(page).querySelector('.status')!.getAttribute('aria-live')).to.equal('polite');
    const bar = root(page).querySelector<LogSearchBar>('log-search-bar')!;
    await bar.updateComplete;
    bar.shadowRoot!.querySelector<HTMLButtonElement>('button.stop')!.click();
    await waitUntil(() => page.searchPhase === 'cancelled');
    expect(aborted, 'the request was dropped').to.be.true;
    expect(status(page)).to.contain('Search cancelled');

    window.fetch = (input, init) => (String(input).startsWith('/api/logs/search')
      ? Promise.resolve(new Response(JSON.stringify({ error: { code: 'invalid_regex', message: 'Invalid regular expression: /(/: Unterminated group' } }), { status: 400 }))
      : stubbed(input, init));
    await page.search({ ...page.query, q: '(', regex: true });
    await bar.updateComplete;
    expect(text(bar.shadowRoot!.querySelector('#field-error'))).to.equal('Not a valid pattern: Invalid regular expression: /(/: Unterminated group');
    expect(bar.shadowRoot!.querySelector('#field-error')!.getAttribute('role')).to.equal('alert');
    await page.updateComplete;
    // Shown in the status line too, but announced once only (at the field).
    expect(status(page)).to.equal('Not a valid pattern: Invalid regular expression: /(/: Unterminated group');
    expect(statusSaid(page)).to.equal('');
    expect(root(page).querySelector('.status [role="alert"]')).to.be.null;
  });

  it('a hit link opens the entry with its context; more context and copy link work', async () => {
    const calls = stubFetch('viewer', [...base,
      (c) => (c.url.startsWith('/api/logs/search?') ? { body: reply() } : undefined),
      (c) => (c.url.startsWith('/api/logs/context?') ? { body: context(1000) } : undefined)]);
    const page = await fixture<PageLogs>(html`<page-logs .live=${store} .location=${{ search: `?file=${encodeURIComponent(FILE)}&offset=1000` }}></page-logs>`);
    const ctx = await waitUntil(() => root(page).querySelector<LogContext>('log-context'), 'context shown').then(() => root(page).querySelector<LogContext>('log-context')!);
    await waitUntil(() => ctx.shadowRoot!.querySelector('li.hit'), 'context entries');
    expect(calls.map((c) => c.url)).to.include(`/api/logs/context?file=${encodeURIComponent(FILE)}&offset=1000&before=20&after=20`);
    ctx.shadowRoot!.querySelector<HTMLButtonElement>('button.more.before')!.click();
    await waitUntil(() => calls.some((c) => c.url.includes('before=60&after=20')), 'earlier entries asked for');
    ctx.shadowRoot!.querySelector<HTMLButtonElement>('button.copy')!.click();
    await waitUntil(() => root(page).querySelector('.copied input'));
    expect(root(page).querySelector<HTMLInputElement>('.copied input')!.value)
      .to.equal(`${window.location.origin}/logs?file=${encodeURIComponent(FILE)}&offset=1000`);
    // Opening a result from the list (Enter on the active hit) shows its context.
    const results = list(page, 'results');
    await waitUntil(() => results.lines.length === 2);
    results.shadowRoot!.querySelector('.scroller')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'j', bubbles: true, composed: true }));
    results.shadowRoot!.querySelector('.scroller')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'o', bubbles: true, composed: true }));
    await waitUntil(() => calls.some((c) => c.url.startsWith(`/api/logs/context?file=${encodeURIComponent(FILE)}&offset=0&`)), 'context of the first hit');
  });

  it('says PM2 is down when its sources are missing', async () => {
    stubFetch('viewer', [
      (c) => (c.url === '/api/logs/sources' ? { body: { ...SOURCES, sources: [SOURCES.sources[1]], pm2: { state: 'down', detail: 'connect ECONNREFUSED' } } } : undefined),
      ...base.slice(1), (c) => (c.url.startsWith('/api/logs/search?') ? { body: reply() } : undefined)]);
    const page = await fixture<PageLogs>(html`<page-logs .live=${store}></page-logs>`);
    await waitUntil(() => root(page).querySelector('.banner.pm2-down'), 'PM2 banner');
    expect(text(root(page).querySelector('.banner.pm2-down'))).to.contain('PM2 is down — its process logs (out and err) are missing');
    expect(text(root(page).querySelector('.banner.pm2-down'))).to.contain('ECONNREFUSED');
  });

  it('live tail: subscribes with the tail filter, appends lines, pauses with a count, reports skipped lines and disconnection', async () => {
    const { page, socket } = await openLive('?q=boom&level=warn&source=pm2:api:err');
    root(page).querySelector<HTMLButtonElement>('button.live')!.click();
    await page.updateComplete;
    expect(socket.sent).to.deep.include({ op: 'subscribe', topics: ['logs'],
      filter: { tail: { q: 'boom', regex: false, caseSensitive: false, level: 'warn', sources: ['pm2:api:err'] } } });
    expect(page.view).to.equal('tail');
    socket.receive({ topic: 'logs', seq: 10, type: 'snapshot', data: { runs: [], tail: { sources: ['pm2:api:err'], from: new Date().toISOString() } } });
    await page.updateComplete;
    expect(status(page)).to.match(/Live — following 1 source since/);
    socket.receive({ topic: 'logs', seq: 14, type: 'log.lines', data: { lines: [hit(5000, 'warn', 'boom a'), hit(5100, 'error', 'boom b')], dropped: 0 } });
    const tail = list(page, 'tail');
    await waitUntil(() => tail.lines.length === 2, 'tail lines appended (a seq gap on the filtered topic is not a loss)');
    root(page).querySelector<HTMLButtonElement>('button.pause')!.click();
    await page.updateComplete;
    socket.receive({ topic: 'logs', seq: 15, type: 'log.lines', data: { lines: [hit(5200, 'warn', 'boom c'), hit(5300, 'warn', 'boom d')], dropped: 5 } });
    await page.updateComplete;
    expect(tail.lines).to.have.length(2);
    expect(status(page)).to.contain('Paused — 2 new lines held.');
    expect(status(page)).to.contain('5 lines skipped — search to see them.');
    await tail.updateComplete;
    expect(text(tail.shadowRoot!.querySelector('.float.paused'))).to.equal('Paused — 2 new lines, resume');
    root(page).querySelector<HTMLButtonElement>('button.pause')!.click();
    await waitUntil(() => tail.lines.length === 4, 'held lines shown on resume');
    socket.drop();
    await waitUntil(() => status(page).includes('Live tail disconnected'), 'disconnection said');
    // Turning the tail off unsubscribes.
    root(page).querySelector<HTMLButtonElement>('button.live')!.click();
    expect(page.tailOn).to.be.false;
  });

  it('live tail: a pattern the hub refuses is said next to the field (announced), the tail stops listening, and a new pattern clears it', async () => {
    const { page, socket } = await openLive(`?q=${encodeURIComponent('(a)\\1')}&regex=1`);
    root(page).querySelector<HTMLButtonElement>('button.live')!.click();
    await page.updateComplete;
    expect(socket.sent.at(-1)).to.deep.equal({ op: 'subscribe', topics: ['logs'],
      filter: { tail: { q: '(a)\\1', regex: true, caseSensitive: false, level: null, sources: [] } } });
    const bar = root(page).querySelector<LogSearchBar>('log-search-bar')!;
    const tailError = () => bar.shadowRoot!.querySelector('#tail-error');
    const tailErrorText = () => text(tailError());
    socket.receiveHubError({ code: 'invalid_regex',
      message: 'The live tail runs regexes in linear time (RE2) and cannot run this one: invalid escape sequence', details: { field: 'tail.q' } });
    await waitUntil(() => tailError(), 'the refusal shown next to the field');
    expect(tailErrorText()).to.equal('The live tail refused this pattern: The live tail runs regexes in linear time (RE2) and cannot run this one: invalid escape sequence');
    expect(tailError()!.getAttribute('role'), 'announced').to.equal('alert');
    expect(bar.shadowRoot!.querySelector('input[type="search"]')!.getAttribute('aria-invalid')).to.equal('true');
    expect(status(page)).to.contain('Live tail stopped: it cannot run this pattern');
    expect(statusSaid(page), 'announced once, at the field').not.to.contain('Live tail stopped');
    expect(socket.sent.at(-1), 'stops listening to the filter the hub kept').to.deep.equal({ op: 'unsubscribe', topics: ['logs'] });
    expect(page.tailOn, 'the tail waits for another pattern').to.be.true;

    // Another pattern: the message goes and the tail starts again with it.
    bar.dispatchEvent(new CustomEvent('log-search', { detail: { ...page.query, q: 'timeout|ECONN' }, bubbles: true, composed: true }));
    await waitUntil(() => !tailError(), 'the message cleared when the pattern changed');
    expect(socket.sent.at(-1)).to.deep.equal({ op: 'subscribe', topics: ['logs'],
      filter: { tail: { q: 'timeout|ECONN', regex: true, caseSensitive: false, level: null, sources: [] } } });
    expect(status(page)).to.contain('Starting the live tail');

    // Other hub errors are not about the pattern: the tail goes on and nothing is said at the field.
    socket.receiveHubError({ code: 'topic_forbidden', message: 'Not allowed to follow webhook.' });
    await page.updateComplete;
    await bar.updateComplete;
    expect(tailErrorText()).to.equal('');
    expect(socket.sent.at(-1)).to.deep.include({ op: 'subscribe' });
  });

  it('live tail: a refusal of a pattern is ignored while the tail is off or the query is not a regex', async () => {
    const { page, socket } = await openLive('?q=boom');
    const bar = root(page).querySelector<LogSearchBar>('log-search-bar')!;
    const refuse = () => socket.receiveHubError({ code: 'invalid_regex', message: 'cannot run this one' });
    refuse();
    await page.updateComplete;
    expect(text(bar.shadowRoot!.querySelector('#tail-error')), 'tail off').to.equal('');
    root(page).querySelector<HTMLButtonElement>('button.live')!.click();
    await page.updateComplete;
    refuse();
    await page.updateComplete;
    await bar.updateComplete;
    expect(text(bar.shadowRoot!.querySelector('#tail-error')), 'literal text is never refused so').to.equal('');
    expect(socket.sent.at(-1)).to.deep.include({ op: 'subscribe', topics: ['logs'] });
  });

  it('error groups: occurrences on demand; admins get the clean-up dialog, viewers do not', async () => {
    const calls = stubFetch('admin', [...base, (c) => (c.url.startsWith('/api/logs/search?') ? { body: reply() } : undefined),
      (c) => (c.url === '/api/logs/groups/fp1' ? { body: { group: group('fp1', 4), occurrences: [{ ts: new Date().toISOString(), source: 'self', file: FILE, offset: 7 }] } } : undefined)]);
    const page = await fixture<PageLogs>(html`<page-logs .live=${store}></page-logs>`);
    const groups = root(page).querySelector('error-groups')!;
    await waitUntil(() => groups.shadowRoot!.querySelector('li.group'), 'groups listed');
    groups.shadowRoot!.querySelector<HTMLButtonElement>('button.toggle')!.click();
    await waitUntil(() => groups.shadowRoot!.querySelector('ol.occ a'), 'occurrences listed');
    expect(calls.some((c) => c.url === '/api/logs/groups/fp1')).to.be.true;
    await waitUntil(() => root(page).querySelector('button.cleanup'), 'admin sees clean-up');
    restoreFetch();
    stubFetch('viewer', [...base, (c) => (c.url.startsWith('/api/logs/search?') ? { body: reply() } : undefined)]);
    api.forgetSession();
    const viewerPage = await fixture<PageLogs>(html`<page-logs .live=${store}></page-logs>`);
    await waitUntil(() => viewerPage.searchPhase === 'done');
    await new Promise((r) => setTimeout(r, 50));
    expect(root(viewerPage).querySelector('button.cleanup')).to.be.null;
  });
});
