// <uptime-strip> and the pure history helpers behind it: spans as wide as they lasted (tiny ones still visible),
// one tab stop with arrow keys between spans and the same words for eyes and screen readers, the summary in words,
// a plain "unavailable" or "stale" instead of an empty bar, live updates, and no sideways scroll at 375 px.
import { fixture, html, expect } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../../client/src/components/uptime-strip.js';
import type { UptimeStrip } from '../../client/src/components/uptime-strip.js';
import { historyView, stripSpans, summaryWords, uptimePercent, NO_RECORD, type HistoryView } from '../../client/src/pages/webhook-history.js';
import type { HistorySpan, HistoryState } from '../../client/src/pages/webhook-data.js';
import { statusNotConfigured, statusUp } from './webhook-fixtures.js';

const END = Date.parse('2025-06-10T06:30:00Z'); // 12:00 IST
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** A history ending at END: each entry lasts `minutes`; the first starts `lead` minutes before the window. */
function history(entries: Array<[HistoryState, number, string?]>, lead = 30): HistorySpan[] {
  let at = END - (entries.reduce((n, [, m]) => n + m, 0) + lead) * MIN;
  return entries.map(([state, minutes, detail], i) => {
    const from = at;
    at += (minutes + (i === 0 ? lead : 0)) * MIN;
    return { state, from: new Date(from).toISOString(), to: i === entries.length - 1 ? null : new Date(at).toISOString(), detail: detail ?? null };
  });
}
const shown = (h: unknown, end = END): HistoryView => ({ kind: 'shown', history: h, end, asOf: null });

const segs = (el: UptimeStrip) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('.seg')];
const widths = (el: UptimeStrip) => segs(el).map((s) => s.getBoundingClientRect().width);
const selected = (el: UptimeStrip) => el.shadowRoot!.querySelector<HTMLElement>('.seg[aria-selected="true"]')!;
const line = (el: UptimeStrip) => el.shadowRoot!.querySelector('.detail .line')!.textContent!.replace(/\s+/g, ' ').trim();

async function strip(view: HistoryView, width = 600): Promise<UptimeStrip> {
  const wrap = await fixture<HTMLDivElement>(html`<div style="width:${width}px"><uptime-strip .view=${view}></uptime-strip></div>`);
  const el = wrap.querySelector('uptime-strip')!;
  await el.updateComplete;
  return el;
}

describe('webhook history helpers', () => {
  it('clips the spans to the window, fills time no span covers with "no record", and leaves out malformed spans', () => {
    const spans = stripSpans([
      { state: 'up', from: new Date(END - 30 * 60 * MIN).toISOString(), to: new Date(END - 20 * 60 * MIN).toISOString(), detail: null },
      { state: 'bogus', from: new Date(END - 20 * 60 * MIN).toISOString(), to: null, detail: null },
      { state: 'down', from: 'yesterday', to: null, detail: 'x' },
      { state: 'down', from: new Date(END - 10 * 60 * MIN).toISOString(), to: new Date(END - 9 * 60 * MIN).toISOString(), detail: 'HTTP 502' },
      { state: 'up', from: new Date(END - 9 * 60 * MIN).toISOString(), to: null, detail: null },
    ], END)!;
    expect(spans.map((s) => [s.state, (s.to - s.from) / MIN / 60])).to.deep.equal([['up', 4], ['none', 10], ['down', 1], ['up', 9]]);
    expect(spans[0]!.from).to.equal(END - DAY);
    expect(spans[1]!.detail).to.equal(NO_RECORD);
    expect(spans.at(-1)!.current).to.be.true;
    expect(spans.at(-1)!.to).to.equal(END);
  });

  it('an empty history is a day of "no record"; a history that is not a list is no history', () => {
    expect(stripSpans([], END)).to.deep.equal([{ state: 'none', from: END - DAY, to: END, current: false, detail: NO_RECORD }]);
    expect(stripSpans(undefined, END)).to.be.null;
    expect(stripSpans({ spans: [] }, END)).to.be.null;
  });

  it('sums the day in words: uptime of the time watched, outages with the longest, unknown time while the dashboard was down', () => {
    const spans = stripSpans(history([['up', 600], ['down', 5, 'HTTP 502'], ['up', 300], ['unknown', 65, 'The dashboard was not running.'],
      ['stale', 2, 'Not polled yet.'], ['up', 100], ['down', 14, 'timed out'], ['up', 354]]), END)!;
    expect(summaryWords(spans, END)).to.equal('Last 24 h: up 98.5 % of the time watched (22 h 55 min), 2 outages (longest 14 min), '
      + 'stale 2 min, unknown 1 h 05 min while the dashboard was not running.');
    const calm = stripSpans(history([['up', 1440]]), END)!;
    expect(summaryWords(calm, END)).to.equal('Last 24 h: up 100 % of the time watched (24 h 00 min), no outages.');
  });

  it('says when the record begins, and that a link never watched was not watched', () => {
    const late = stripSpans([{ state: 'up', from: new Date(END - 90 * MIN).toISOString(), to: null, detail: null }], END)!;
    expect(summaryWords(late, END)).to.match(/^Last 24 h: up 100 % of the time watched \(1 h 30 min\), no outages, no record before 10:30:00( IST)?\.$/);
    const away = stripSpans([{ state: 'unknown', from: new Date(END - DAY).toISOString(), to: null, detail: null }], END)!;
    expect(summaryWords(away, END)).to.equal('Last 24 h: the link was not watched, unknown 24 h 00 min while the dashboard was not running.');
  });

  it('never rounds a day with an outage up to 100 % nor a day with uptime down to 0 %', () => {
    expect(uptimePercent(DAY - 10_000, DAY)).to.equal('99.9 %');
    expect(uptimePercent(10_000, DAY)).to.equal('0.1 %');
    expect(uptimePercent(0, DAY)).to.equal('0 %');
    expect(uptimePercent(0, 0)).to.equal('—');
  });

  it('says a span of less than a second lasted "under 1 s", not "0 s"', () => {
    const spans = stripSpans([{ state: 'stale', from: new Date(END - DAY).toISOString(), to: new Date(END - DAY + 400).toISOString(), detail: 'Not polled yet.' },
      { state: 'up', from: new Date(END - DAY + 400).toISOString(), to: null, detail: null }], END)!;
    expect(summaryWords(spans, END)).to.equal('Last 24 h: up 99.9 % of the time watched (24 h 00 min), no outages, stale under 1 s.');
  });

  it('says why there is no history: loading, failed load, not configured, missing field; and when it is stale', () => {
    const base = { statusAt: END, statusError: '', live: true, now: END };
    expect(historyView({ ...base, status: null, statusAt: null })).to.deep.equal({ kind: 'unavailable', reason: 'Waiting for the webhook status…', loading: true });
    expect(historyView({ ...base, status: null, statusAt: null, statusError: 'HTTP 503' })).to.deep.equal({ kind: 'unavailable', reason: 'The status could not be loaded — HTTP 503.' });
    expect(historyView({ ...base, status: statusNotConfigured() })).to.deep.equal({ kind: 'unavailable', reason: 'No history: the webhook is not configured.' });
    expect(historyView({ ...base, status: statusUp() })).to.deep.equal({ kind: 'unavailable', reason: 'The gateway did not send the link\'s history.' });
    const h = history([['up', 1440]]);
    expect(historyView({ ...base, status: statusUp({ history24h: h }) })).to.deep.equal({ kind: 'shown', history: h, end: END, asOf: null });
    expect(historyView({ ...base, status: statusUp({ history24h: h }), live: false, now: END + 60_000 }))
      .to.deep.equal({ kind: 'stale', history: h, end: END, asOf: END, reason: 'the dashboard lost its live connection' });
    expect(historyView({ ...base, status: statusUp({ history24h: h }), live: false, statusError: 'HTTP 502' }))
      .to.deep.equal({ kind: 'stale', history: h, end: END, asOf: END, reason: 'refresh failed — HTTP 502' });
    // Live: the history holds until a status frame says otherwise, however long ago it came.
    expect(historyView({ ...base, status: statusUp({ history24h: h }), now: END + 3_600_000 }).kind).to.equal('shown');
  });
});

describe('uptime-strip', () => {
  // The colour tokens of both themes, as the app's page has them.
  before(async () => {
    const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: '/client/styles.css' });
    const loaded = new Promise((resolve) => link.addEventListener('load', resolve));
    document.head.append(link);
    await loaded;
  });
  afterEach(async () => { await setViewport({ width: 800, height: 600 }); });

  it('draws each span as wide as it lasted, with its state, pattern and legend', async () => {
    const el = await strip(shown(history([['up', 720], ['down', 360, 'HTTP 502'], ['up', 360]], 0)));
    expect(segs(el).map((s) => s.dataset.state)).to.deep.equal(['up', 'down', 'up']);
    const [a, b, c] = widths(el);
    const bar = el.shadowRoot!.querySelector('.bar')!.clientWidth;
    expect(a! + b! + c!).to.be.closeTo(bar, 1);
    expect(a! / b!).to.be.closeTo(2, 0.02);
    expect(b! / c!).to.be.closeTo(1, 0.02);
    // Not colour alone: every state has its own fill, and wide spans say their word.
    const fills = ['up', 'down'].map((s) => getComputedStyle(el.shadowRoot!.querySelector(`.seg[data-state="${s}"]`)!).backgroundImage);
    expect(fills[1]).to.contain('repeating-linear-gradient');
    expect(fills[0]).to.equal('none');
    expect(getComputedStyle(segs(el)[1]!.querySelector('.word')!).display).not.to.equal('none');
    expect([...el.shadowRoot!.querySelectorAll('.legend li')].map((l) => l.textContent!.trim())).to.deep.equal(['up', 'degraded', 'down', 'stale', 'unknown']);
  });

  it('keeps a ten-second outage visible in a day', async () => {
    const el = await strip(shown(history([['up', 700], ['down', 10 / 60, 'timed out'], ['up', 740]])));
    expect(widths(el)[1]).to.be.at.least(5.5);
    // Too narrow for its word: the pattern, the legend and the span's own words say what it is.
    expect(getComputedStyle(segs(el)[1]!.querySelector('.word')!).display).to.equal('none');
    expect(segs(el)[1]!.getAttribute('aria-label')).to.match(/^down from .* — timed out$/);
  });

  it('is one tab stop; arrow keys, Home and End move between spans, and each says the same words to eyes and screen readers', async () => {
    const el = await strip(shown(history([['up', 600], ['down', 14, 'connect ECONNREFUSED'], ['up', 300], ['unknown', 65, 'The dashboard was not running.'], ['up', 461]])));
    expect(segs(el).filter((s) => s.tabIndex === 0)).to.have.length(1);
    expect(selected(el)).to.equal(segs(el).at(-1));
    expect(line(el)).to.match(/^up from \d\d:\d\d:\d\d( IST)? to now, 7 h 41 min$/);
    selected(el).focus();
    await sendKeys({ press: 'ArrowLeft' });
    await el.updateComplete;
    expect(selected(el).dataset.state).to.equal('unknown');
    expect(el.shadowRoot!.activeElement).to.equal(selected(el));
    expect(line(el)).to.match(/^unknown from \d\d:\d\d:\d\d( IST)? to \d\d:\d\d:\d\d( IST)?, 1 h 05 min — The dashboard was not running\.$/);
    expect(selected(el).getAttribute('aria-label')).to.equal(line(el));
    expect(selected(el).title).to.equal(line(el));
    await sendKeys({ press: 'ArrowLeft' });
    await sendKeys({ press: 'ArrowLeft' });
    await el.updateComplete;
    expect(line(el)).to.match(/^down from .*, 14 min — connect ECONNREFUSED$/);
    await sendKeys({ press: 'Home' });
    await el.updateComplete;
    expect(selected(el)).to.equal(segs(el)[0]);
    await sendKeys({ press: 'ArrowLeft' });
    await el.updateComplete;
    expect(selected(el)).to.equal(segs(el)[0]);
    expect(line(el)).to.match(/^up from yesterday \d\d:\d\d:\d\d( IST)? to /);
    await sendKeys({ press: 'End' });
    await el.updateComplete;
    expect(selected(el)).to.equal(segs(el).at(-1));
    expect(segs(el).filter((s) => s.tabIndex === 0)).to.deep.equal([selected(el)]);
    expect(el.shadowRoot!.querySelector('.bar')!.getAttribute('role')).to.equal('listbox');
  });

  it('the step buttons move the choice and say it to screen readers; a tap chooses a span', async () => {
    const el = await strip(shown(history([['up', 1000], ['down', 40, 'HTTP 500'], ['up', 400]])));
    const [prev, next] = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('.step')];
    expect(next!.getAttribute('aria-disabled')).to.equal('true');
    prev!.click();
    await el.updateComplete;
    expect(selected(el).dataset.state).to.equal('down');
    expect(el.shadowRoot!.querySelector('[aria-live="polite"]')!.textContent).to.equal(line(el));
    segs(el)[0]!.click();
    await el.updateComplete;
    expect(selected(el)).to.equal(segs(el)[0]);
    expect(prev!.getAttribute('aria-disabled')).to.equal('true');
    // At the end a press does nothing (and says nothing new).
    next!.click();
    prev!.click();
    await el.updateComplete;
    expect(selected(el)).to.equal(segs(el)[0]);
  });

  it('keeps a step button focused at the first span: it says it is disabled instead of disabling itself', async () => {
    const el = await strip(shown(history([['up', 1000], ['down', 40, 'HTTP 500'], ['up', 400]])));
    const prev = el.shadowRoot!.querySelector<HTMLButtonElement>('.step.prev')!;
    prev.focus();
    expect(prev.getAttribute('aria-disabled')).to.equal('false');
    for (let i = 0; i < 3; i++) {
      await sendKeys({ press: 'Enter' });
      await el.updateComplete;
    }
    expect(selected(el)).to.equal(segs(el)[0]);
    expect(prev.getAttribute('aria-disabled')).to.equal('true');
    expect(prev.disabled).to.be.false;
    expect(el.shadowRoot!.activeElement).to.equal(prev);
  });

  it('keeps focus on the chosen span when a new span arrives and when the window slides', async () => {
    const el = await strip(shown(history([['up', 1000], ['down', 40, 'HTTP 500'], ['up', 400]])));
    selected(el).focus();
    const grown = [...history([['up', 1000], ['down', 40, 'HTTP 500'], ['up', 400]])];
    grown[2] = { ...grown[2]!, to: new Date(END).toISOString() };
    grown.push({ state: 'stale', from: new Date(END).toISOString(), to: null, detail: 'timed out' });
    el.view = shown(grown, END + 5 * MIN);
    await el.updateComplete;
    expect(selected(el).dataset.state).to.equal('stale');
    expect(el.shadowRoot!.activeElement).to.equal(selected(el));

    // An older span chosen; the window slides so the oldest span leaves it and the chosen one moves left.
    const day = history([['up', 60], ['down', 40, 'HTTP 500'], ['degraded', 100, 'slow'], ['up', 1240]], 0);
    el.view = shown(day);
    await el.updateComplete;
    segs(el)[2]!.click();
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).to.equal(segs(el)[2]);
    el.view = shown(day, END + 70 * MIN);
    await el.updateComplete;
    expect(segs(el).map((s) => s.dataset.state)).to.deep.equal(['down', 'degraded', 'up']);
    expect(selected(el).dataset.state).to.equal('degraded');
    expect(el.shadowRoot!.activeElement).to.equal(selected(el));
  });

  it('puts "12 h ago" at the middle of the bar, whatever the widths of the labels either side', async () => {
    await setViewport({ width: 375, height: 740 });
    const el = await strip(shown(history([['up', 1440]])), 351);
    const mid = [...el.shadowRoot!.querySelectorAll<HTMLElement>('.axis span')].find((s) => s.textContent === '12 h ago')!;
    const [first, last] = [el.shadowRoot!.querySelector('.axis')!.firstElementChild!, el.shadowRoot!.querySelector('.axis')!.lastElementChild!];
    // The widths of the words themselves (a grid cell may be wider than its text).
    const text = (e: Element) => { const r = document.createRange(); r.selectNodeContents(e); return r.getBoundingClientRect(); };
    expect(Math.abs(text(first).width - text(last).width)).to.be.greaterThan(20);
    const centre = (r: DOMRect) => r.left + r.width / 2;
    expect(centre(text(mid))).to.be.closeTo(centre(el.shadowRoot!.querySelector('.bar')!.getBoundingClientRect()), 2);
  });

  it('follows live updates: a new span becomes the chosen one, unless an older one was chosen', async () => {
    const el = await strip(shown(history([['up', 1000], ['down', 40, 'HTTP 500'], ['up', 400]])));
    const later = END + 5 * MIN;
    const grown = [...history([['up', 1000], ['down', 40, 'HTTP 500'], ['up', 400]])];
    grown[2] = { ...grown[2]!, to: new Date(END).toISOString() };
    grown.push({ state: 'stale', from: new Date(END).toISOString(), to: null, detail: 'timed out' });
    el.view = shown(grown, later);
    await el.updateComplete;
    expect(segs(el)).to.have.length(4);
    expect(selected(el).dataset.state).to.equal('stale');
    expect(el.shadowRoot!.querySelector('.summary')!.textContent).to.contain('stale 5 min');
    segs(el)[1]!.click();
    el.view = shown(grown, later + MIN);
    await el.updateComplete;
    expect(selected(el).dataset.state).to.equal('down');
  });

  it('says plainly when the history is unavailable, and draws no bar', async () => {
    const el = await strip({ kind: 'unavailable', reason: 'The status could not be loaded — HTTP 503.' });
    expect(el.shadowRoot!.querySelector('.bar')).to.be.null;
    expect(el.shadowRoot!.querySelector('.unavailable')!.textContent!.replace(/\s+/g, ' ').trim())
      .to.equal('History unavailable. The status could not be loaded — HTTP 503.');
    el.view = { kind: 'unavailable', reason: 'Waiting for the webhook status…', loading: true };
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.unavailable')!.textContent!.trim()).to.equal('Waiting for the webhook status…');
  });

  it('marks stale history as the last known, ending at the time it was received', async () => {
    const el = await strip({ kind: 'stale', history: history([['up', 1440]]), end: END, asOf: END, reason: 'the dashboard lost its live connection' });
    expect(el.shadowRoot!.querySelector('.stale-note')!.textContent!.replace(/\s+/g, ' ').trim())
      .to.match(/^Stale: the last known history, as of 12:00:00( IST)? — the dashboard lost its live connection\.$/);
    expect(line(el)).to.match(/to 12:00:00( IST)? \(last known\), 24 h 00 min$/);
    expect(el.shadowRoot!.querySelector('.axis')!.textContent).to.match(/as of 12:00:00/);
    expect(line(el)).not.to.match(/\bnow\b/);
  });

  it('fits 375 px without sideways scroll, and draws every one of 288 spans (each at least half a pixel wide)', async () => {
    await setViewport({ width: 375, height: 740 });
    const entries: Array<[HistoryState, number, string?]> = [];
    for (let i = 0; i < 288; i++) entries.push(i % 2 === 0 ? ['up', 4] : ['down', 1, 'HTTP 502']);
    const wrap = await fixture<HTMLDivElement>(html`<div style="padding:12px;box-sizing:border-box;width:100%"><uptime-strip
      .view=${shown(history(entries, 0))}></uptime-strip></div>`);
    const el = wrap.querySelector('uptime-strip')!;
    await el.updateComplete;
    const bar = el.shadowRoot!.querySelector<HTMLElement>('.bar')!;
    expect(segs(el).length).to.be.at.least(288);
    expect(bar.scrollWidth).to.be.at.most(bar.clientWidth);
    expect(bar.getBoundingClientRect().width).to.be.closeTo(wrap.getBoundingClientRect().width - 24, 1);
    expect(document.documentElement.scrollWidth).to.be.at.most(375);
    expect(Math.min(...widths(el))).to.be.greaterThan(0.5);
  });
});
