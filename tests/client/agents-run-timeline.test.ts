// <run-timeline>: bars placed on the run's time span; a closed run's bar ends at its end, an open one grows
// to `now`; each row says its state in words.
import { fixture, html, expect } from '@open-wc/testing';
import '../../client/src/components/run-timeline.js';
import type { RunTimeline } from '../../client/src/components/run-timeline.js';
import { timelineLayout, upsertTimeline, type TimelineEntry } from '../../client/src/pages/agents-data.js';
import { run, text } from './agents-fixtures.js';

const t0 = Date.UTC(2025, 0, 1, 15, 0, 0);
const iso = (s: number) => new Date(t0 + s * 1000).toISOString();
const entries: TimelineEntry[] = [
  { runId: 'root', agent: 'content-engine', status: 'processing', startedAt: iso(0), endedAt: null, depth: 0 },
  { runId: 'a', agent: 'content-strategist', status: 'completed', startedAt: iso(0), endedAt: iso(25), depth: 1 },
  { runId: 'b', agent: 'content-generator', status: 'error', startedAt: iso(25), endedAt: iso(50), depth: 1 },
  { runId: 'c', agent: 'compliance-validator', status: 'processing', startedAt: iso(50), endedAt: null, depth: 1 },
  { runId: 'd', agent: 'distribution-manager', status: 'queued', startedAt: null, endedAt: null, depth: 1 },
];
const bar = (el: RunTimeline, runId: string) => el.shadowRoot!.querySelector<HTMLElement>(`.row[data-run="${runId}"] .bar`);

describe('run-timeline', () => {
  it('sizes closed bars by start and end, open bars up to now', async () => {
    const el = await fixture<RunTimeline>(html`<run-timeline .entries=${entries} .now=${t0 + 100_000}></run-timeline>`);
    expect([bar(el, 'root')!.style.left, bar(el, 'root')!.style.width]).to.deep.equal(['0%', '100%']);
    expect([bar(el, 'a')!.style.left, bar(el, 'a')!.style.width]).to.deep.equal(['0%', '25%']);
    expect([bar(el, 'b')!.style.left, bar(el, 'b')!.style.width]).to.deep.equal(['25%', '25%']);
    expect([bar(el, 'c')!.style.left, bar(el, 'c')!.style.width]).to.deep.equal(['50%', '50%']);
    expect(bar(el, 'c')!.classList.contains('open')).to.be.true;
    expect(bar(el, 'a')!.classList.contains('open')).to.be.false;
    expect(bar(el, 'd')).to.be.null;
    expect(text(el.shadowRoot!.querySelector('.row[data-run="d"] .queued'))).to.equal('not started');
    expect(text(el.shadowRoot!.querySelector('.row[data-run="b"] .word'))).to.equal('error · 25 s');
    expect(el.shadowRoot!.querySelector('.row[data-run="b"] a')!.getAttribute('href')).to.equal('/agents/runs/b');
  });

  it('grows open bars as time passes while closed ones keep their length', async () => {
    const el = await fixture<RunTimeline>(html`<run-timeline .entries=${entries} .now=${t0 + 100_000}></run-timeline>`);
    el.now = t0 + 200_000;
    await el.updateComplete;
    // The span doubled: the closed 25 s bar is now 12.5 %, the open one runs from 25 % to the end.
    expect(bar(el, 'a')!.style.width).to.equal('12.5%');
    expect([bar(el, 'c')!.style.left, bar(el, 'c')!.style.width]).to.deep.equal(['25%', '75%']);
    expect(el.shadowRoot!.querySelectorAll('.tick').length).to.be.greaterThan(1);
  });

  it('adds a child that starts live right after its parent\'s subtree', () => {
    const next = upsertTimeline(entries, run('e', 'image-creator', { parentRunId: 'root', startedAt: iso(60) }));
    expect(next.map((e) => `${e.depth}:${e.runId}`)).to.deep.equal(['0:root', '1:a', '1:b', '1:c', '1:d', '1:e']);
    const layout = timelineLayout(next, t0 + 100_000);
    expect(layout.rows.find((r) => r.runId === 'e')!.leftPct).to.equal(60);
  });
});
