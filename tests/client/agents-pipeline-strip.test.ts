// <pipeline-strip>: the five stages in order, counts per stage, "no data" (never 0) for stages not fed,
// and "late" flagged in words; on the home page it is fed from GET /api/operations/today.
import { fixture, html, expect } from '@open-wc/testing';
import '../../client/src/components/pipeline-strip.js';
import type { PipelineStrip } from '../../client/src/components/pipeline-strip.js';
import type { OperationsToday } from '../../client/src/pages/agents-data.js';
import { text } from './agents-fixtures.js';

const today: OperationsToday = {
  date: '2025-01-01', timezone: 'Asia/Kolkata', advisors: [],
  stages: [
    { stage: 'generation', state: 'done', counts: { generated: 42 }, window: null, detail: '' },
    { stage: 'compliance', state: 'running', counts: { passed: 30, failed: 0 }, window: null, detail: '' },
    { stage: 'approval', state: 'late', counts: { approved: 0, rejected: 0, pendingApproval: 30 },
      window: { startsAt: '2025-01-01T17:30:00Z', endsAt: '2025-01-01T18:00:00Z' }, detail: 'approval-guardian has not started' },
    { stage: 'distribution', state: 'no_data', counts: null, window: null, detail: '' },
    // engagement not sent at all
  ],
};

describe('pipeline-strip', () => {
  it('lists the five stages in order with their counts', async () => {
    const el = await fixture<PipelineStrip>(html`<pipeline-strip .data=${today}></pipeline-strip>`);
    const stages = [...el.shadowRoot!.querySelectorAll<HTMLElement>('ol > li')];
    expect(stages.map((s) => s.dataset.stage)).to.deep.equal(['generation', 'compliance', 'approval', 'distribution', 'engagement']);
    expect(text(stages[0]!.querySelector('.counts'))).to.equal('42 generated');
    // A real zero of a stage that has data is a number.
    expect(text(stages[1]!.querySelector('.counts'))).to.equal('30 passed 0 failed');
    expect(text(stages[2]!.querySelector('.counts'))).to.contain('30 pending approval');
  });

  it('says "no data" — never 0 — for stages without data, including ones the gateway did not send', async () => {
    const el = await fixture<PipelineStrip>(html`<pipeline-strip .data=${today}></pipeline-strip>`);
    for (const stage of ['distribution', 'engagement']) {
      const li = el.shadowRoot!.querySelector(`li[data-stage="${stage}"]`)!;
      expect(text(li.querySelector('.nodata')), stage).to.equal('no data');
      expect(li.querySelector('.counts'), stage).to.be.null;
      expect(text(li)).to.not.match(/\b0\b/);
      expect(li.querySelector('state-badge')!.state).to.equal('no_data');
    }
    const empty = await fixture<PipelineStrip>(html`<pipeline-strip .data=${null}></pipeline-strip>`);
    expect(empty.shadowRoot!.querySelectorAll('.nodata').length).to.equal(5);
  });

  it('flags a late stage in words and with its missed window, not by colour alone', async () => {
    const el = await fixture<PipelineStrip>(html`<pipeline-strip .data=${today}></pipeline-strip>`);
    const late = el.shadowRoot!.querySelector('li[data-stage="approval"]')!;
    expect(late.classList.contains('late')).to.be.true;
    const badge = late.querySelector('state-badge')!;
    await badge.updateComplete;
    expect(text(badge.shadowRoot!.querySelector('.word'))).to.equal('late');
    expect(badge.shadowRoot!.querySelector('oc-icon')).to.exist;
    expect(text(late.querySelector('.late-note'))).to.match(/^Late — window \d\d:\d\d–\d\d:\d\d passed$/);
    expect(text(late.querySelector('.detail'))).to.equal('approval-guardian has not started');
    expect(el.shadowRoot!.querySelectorAll('.late-note').length).to.equal(1);
  });
});
