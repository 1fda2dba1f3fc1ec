// <run-log>: lines appended by seq without redrawing those already shown, level as word + colour, following
// the tail until the user scrolls up, then "N new lines — jump to latest"; errors-only view.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/components/run-log.js';
import type { RunLog } from '../../client/src/components/run-log.js';
import type { LogLine } from '../../client/src/pages/agents-data.js';
import { text, tolerateResizeObserverLoop } from './agents-fixtures.js';

const line = (seq: number, level = 'info', message = `line ${seq}`): LogLine =>
  ({ seq, ts: new Date(Date.UTC(2025, 0, 1, 10, 0, seq)).toISOString(), level, message });
const range = (from: number, to: number, level = 'info') => Array.from({ length: to - from + 1 }, (_, i) => line(from + i, level));
const row = (log: RunLog, seq: number) => log.shadowRoot!.querySelector<HTMLElement>(`.line[data-seq="${seq}"]`);
const scroller = (log: RunLog) => log.shadowRoot!.querySelector<HTMLElement>('.scroller')!;
const nextFrame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));

describe('run-log', () => {
  let untolerate: () => void;
  before(() => { untolerate = tolerateResizeObserverLoop(); });
  after(() => untolerate());

  it('appends lines by seq and keeps the rows already drawn (no redraw from the start)', async () => {
    const log = await fixture<RunLog>(html`<run-log style="--run-log-height: 400px"></run-log>`);
    expect(log.addLines(range(1, 5))).to.equal(5);
    await waitUntil(() => row(log, 5), 'first lines drawn');
    const first = row(log, 1)!;
    const firstText = first.querySelector('.msg')!.firstChild;
    let removed = 0;
    const observer = new MutationObserver((records) => { for (const r of records) removed += r.removedNodes.length; });
    observer.observe(scroller(log), { childList: true });
    log.addLines([line(6), line(7, 'error', 'boom'), line(3) /* duplicate */, line(8)]);
    await waitUntil(() => row(log, 8), 'new lines drawn');
    observer.disconnect();
    expect(row(log, 1)).to.equal(first);
    expect(first.querySelector('.msg')!.firstChild).to.equal(firstText);
    expect(removed, 'rows removed while appending').to.equal(0);
    expect(log.lines.map((l) => l.seq)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
    const error = row(log, 7)!;
    expect(text(error.querySelector('.level'))).to.equal('error');
    expect(error.classList.contains('lvl-error')).to.be.true;
    // A line arriving late (lower seq) goes to its place, not to the end.
    log.addLines([line(7.5 as number)]);
    expect(log.lines.map((l) => l.seq)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 7.5, 8]);
  });

  it('follows the tail, pauses when the user scrolls up and offers "N new lines — jump to latest"', async () => {
    const log = await fixture<RunLog>(html`<run-log style="--run-log-height: 150px"></run-log>`);
    log.addLines(range(1, 60));
    const el = scroller(log);
    await waitUntil(() => row(log, 60) && el.scrollHeight - el.scrollTop - el.clientHeight < 30, 'scrolled to the tail');
    expect(log.following).to.be.true;
    await new Promise((r) => setTimeout(r, 300));   // past our own scrolling
    el.scrollTop = 0;
    await waitUntil(() => !log.following, 'paused by scrolling up');
    log.addLines(range(61, 63));
    await log.updateComplete;
    await nextFrame();
    // Still where the user left it (the virtualizer may correct its estimate by a few rows), far from the tail.
    expect(el.scrollTop, 'stays near the top').to.be.below(200);
    expect(el.scrollHeight - el.scrollTop - el.clientHeight, 'distance from the tail').to.be.above(600);
    const jump = log.shadowRoot!.querySelector<HTMLButtonElement>('.jump')!;
    expect(text(jump)).to.equal('3 new lines — jump to latest');
    expect(text(log.shadowRoot!.querySelector('.note'))).to.contain('paused');
    jump.click();
    await waitUntil(() => log.following && row(log, 63), 'following again at the tail');
    await waitUntil(() => el.scrollHeight - el.scrollTop - el.clientHeight < 30, 'back at the tail');
    expect(log.shadowRoot!.querySelector('.jump')).to.be.null;
  });

  it('shows only the error lines when asked (one tap from a failed run to its cause)', async () => {
    const log = await fixture<RunLog>(html`<run-log></run-log>`);
    log.addLines([...range(1, 20), line(21, 'error', 'compliance API 500'), line(22, 'warn', 'retrying')]);
    log.shadowRoot!.querySelector<HTMLButtonElement>('button.errors')!.click();
    await waitUntil(() => row(log, 21) && !row(log, 1), 'only the error line');
    expect(text(log.shadowRoot!.querySelector('button.errors'))).to.equal('Errors (1)');
    expect(log.shadowRoot!.querySelectorAll('.line').length).to.equal(1);
  });
});
