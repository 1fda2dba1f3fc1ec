// <log-list>: 10,000 entries virtualised (a bounded number of rows in the DOM), tail lines appended without
// redrawing the rows already shown, pause holding lines as "N new lines", level as a word, j/k and Enter.
import { fixture, html, expect, waitUntil, oneEvent } from '@open-wc/testing';
import '../../client/src/components/log-list.js';
import type { LogList, LogOpenDetail } from '../../client/src/components/log-list.js';
import { matchParts } from '../../client/src/components/log-list.js';
import { text, tolerateResizeObserverLoop } from './agents-fixtures.js';
import { hit, hits } from './log-fixtures.js';

const root = (el: LogList) => el.shadowRoot!;
const rowAt = (el: LogList, offset: number) => root(el).querySelector<HTMLElement>(`.row[data-offset="${offset}"]`);
const rows = (el: LogList) => root(el).querySelectorAll('.row');
const scroller = (el: LogList) => root(el).querySelector<HTMLElement>('.scroller')!;

describe('log-list', () => {
  let untolerate: () => void;
  before(() => { untolerate = tolerateResizeObserverLoop(); });
  after(() => untolerate());

  it('renders 10,000 entries with only a bounded number of rows in the DOM, and scrolls smoothly to the end', async () => {
    const el = await fixture<LogList>(html`<log-list style="--log-list-height: 500px"></log-list>`);
    el.setLines(hits(0, 10_000));
    await waitUntil(() => rowAt(el, 0), 'first row drawn');
    expect(el.lines).to.have.length(10_000);
    expect(rows(el).length, 'rows in the DOM').to.be.within(5, 200);
    const started = performance.now();
    // Row heights are estimated until drawn: keep going to the end, as a user dragging the scrollbar would.
    await waitUntil(() => { scroller(el).scrollTop = scroller(el).scrollHeight; return rowAt(el, 9_999 * 100); }, 'last row drawn after scrolling', { interval: 50 });
    expect(performance.now() - started, 'ms to draw the end').to.be.below(2_000);
    expect(rows(el).length, 'rows in the DOM at the end').to.be.within(5, 200);
    expect(rowAt(el, 0), 'first row let go').to.be.null;
  });

  it('in tail mode appends new lines at the end and keeps the rows already drawn (no redraw from the start)', async () => {
    const el = await fixture<LogList>(html`<log-list mode="tail" style="--log-list-height: 400px"></log-list>`);
    el.addLines(hits(0, 5));
    await waitUntil(() => rowAt(el, 400), 'first lines drawn');
    const first = rowAt(el, 0)!;
    const firstMsg = first.querySelector('.msg')!.firstChild;
    let removed = 0;
    const observer = new MutationObserver((records) => { for (const r of records) removed += r.removedNodes.length; });
    observer.observe(scroller(el), { childList: true });
    expect(el.addLines([...hits(5, 3), hit(200) /* already shown */])).to.equal(3);
    await waitUntil(() => rowAt(el, 700), 'appended lines drawn');
    observer.disconnect();
    expect(rowAt(el, 0)).to.equal(first);
    expect(first.querySelector('.msg')!.firstChild).to.equal(firstMsg);
    expect(removed, 'rows removed while appending').to.equal(0);
    expect(el.lines.map((l) => l.offset)).to.deep.equal([0, 100, 200, 300, 400, 500, 600, 700]);
  });

  it('while paused holds new lines, says "N new lines", and shows them on resume', async () => {
    const el = await fixture<LogList>(html`<log-list mode="tail" style="--log-list-height: 300px"></log-list>`);
    el.addLines(hits(0, 3));
    el.paused = true;
    await el.updateComplete;
    expect(el.addLines(hits(3, 4))).to.equal(4);
    await el.updateComplete;
    expect(el.lines).to.have.length(3);
    expect(el.pending).to.equal(4);
    const note = root(el).querySelector<HTMLButtonElement>('.float.paused')!;
    expect(text(note)).to.equal('Paused — 4 new lines, resume');
    expect(rowAt(el, 300), 'held line not drawn').to.be.null;
    setTimeout(() => note.click());
    await oneEvent(el, 'log-resume');
    el.paused = false;
    await el.updateComplete;
    expect(el.lines).to.have.length(7);
    await waitUntil(() => rowAt(el, 600), 'held lines drawn after resume');
    expect(root(el).querySelector('.float.paused')).to.be.null;
  });

  it('labels each level with a word (not colour alone), an unknown level as "level unknown"', async () => {
    const el = await fixture<LogList>(html`<log-list style="--log-list-height: 400px"></log-list>`);
    el.setLines([hit(0, 'error', 'boom'), hit(100, 'warn'), hit(200, null, 'no level here'), hit(300, 'fatal')]);
    await waitUntil(() => rowAt(el, 300));
    const word = (offset: number) => {
      const badge = rowAt(el, offset)!.querySelector('log-level-badge')!;
      return { word: text(badge.shadowRoot!.querySelector('.word')), label: badge.shadowRoot!.querySelector('.word')!.getAttribute('aria-label') };
    };
    await waitUntil(() => word(0).word !== '');
    expect(word(0)).to.deep.equal({ word: 'error', label: 'error' });
    expect(word(100).word).to.equal('warn');
    expect(word(200)).to.deep.equal({ word: '—', label: 'level unknown' });
    expect(word(300).word).to.equal('fatal');
  });

  it('j/k move the active entry and Enter opens it; the active row\'s buttons are the ones reachable by Tab', async () => {
    const el = await fixture<LogList>(html`<log-list style="--log-list-height: 400px"></log-list>`);
    el.setLines(hits(0, 50));
    await waitUntil(() => rowAt(el, 0));
    const key = (k: string) => scroller(el).dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, composed: true }));
    key('j'); key('j'); key('j'); key('k');
    await el.updateComplete;
    expect(el.activeIndex).to.equal(1);
    expect(rowAt(el, 100)!.classList.contains('active')).to.be.true;
    expect(rowAt(el, 100)!.querySelector('button.open')!.getAttribute('tabindex')).to.equal('0');
    expect(rowAt(el, 0)!.querySelector('button.open')!.getAttribute('tabindex')).to.equal('-1');
    setTimeout(() => key('Enter'));
    const ev = (await oneEvent(el, 'log-open')) as CustomEvent<LogOpenDetail>;
    expect(ev.detail.hit.offset).to.equal(100);
    for (let i = 0; i < 30; i++) key('j');
    await waitUntil(() => rowAt(el, 3100)?.classList.contains('active'), 'the 32nd entry scrolled into view');
  });

  it('highlights the matches of the query', () => {
    expect(matchParts('a Timeout and timeout', 'timeout', false, false).filter((p) => p.hit).map((p) => p.text)).to.deep.equal(['Timeout', 'timeout']);
    expect(matchParts('a Timeout and timeout', 'timeout', false, true).filter((p) => p.hit)).to.have.length(1);
    expect(matchParts('x(1) y', '(1)', false, false).filter((p) => p.hit).map((p) => p.text)).to.deep.equal(['(1)']);
    expect(matchParts('E1 E22', 'E\\d+', true, true).filter((p) => p.hit).map((p) => p.text)).to.deep.equal(['E1', 'E22']);
    expect(matchParts('text', '(', true, false)).to.deep.equal([{ text: 'text', hit: false }]);
  });
});
