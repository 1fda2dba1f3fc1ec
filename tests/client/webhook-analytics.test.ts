// <button-analytics>, <crm-panel> and <bar-chart>: the figures and the charts get the data (hourly distribution
// stacked by button type, daily chat volume), unknown is "—" with a reason, stale stays shown and greyed.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/components/button-analytics.js';
import '../../client/src/components/crm-panel.js';
import '../../client/src/components/bar-chart.js';
import type { ButtonAnalytics } from '../../client/src/components/button-analytics.js';
import type { CrmPanel } from '../../client/src/components/crm-panel.js';
import type { BarChartElement } from '../../client/src/components/bar-chart.js';
import { summariseBars } from '../../client/src/components/bar-chart.js';
import { buttonsDay, crmDay, minutesAgo } from './webhook-fixtures.js';

const scope = globalThis as { process?: { env: Record<string, string> } };
scope.process ??= { env: { NODE_ENV: 'development' } };   // ECharts reads it; the build defines it

const tileText = (root: ShadowRoot, sel: string) => root.querySelector<HTMLElement>(sel)!.innerText.replace(/\s+/g, ' ').trim();

describe('webhook analytics elements', () => {
  before(async function (this: unknown) {
    // The test server serves ECharts as hundreds of unbundled modules: load it once, slowly, here.
    (this as { timeout(ms: number): void }).timeout(90_000);
    await import('../../client/src/components/bar-chart-echarts.js');
  });

  it('button analytics: clicks by type with shares, response avg/p95, success rate, top advisors (numbers masked)', async () => {
    const el = await fixture<ButtonAnalytics>(html`<button-analytics .data=${buttonsDay()} .freshness=${{ kind: 'live' }}></button-analytics>`);
    const root = el.shadowRoot!;
    expect(tileText(root, '[data-button="total"]')).to.contain('26');
    expect(tileText(root, '[data-button="UNLOCK_CONTENT"]')).to.equal('Unlock content 18 69 %');
    expect(tileText(root, '[data-button="RETRIEVE_CONTENT"]')).to.contain('Retrieve content 5');
    expect(tileText(root, '[data-figure="response"]')).to.equal('Response time 1.3 s p95 · avg 420 ms');
    expect(tileText(root, '[data-figure="success"]')).to.contain('96.2 %');
    const advisors = [...root.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent));
    expect(advisors).to.deep.equal([['1', 'ADV-17', '9'], ['2', '…4242', '4']]);
    expect(root.textContent).not.to.contain('919800004242');
  });

  it('hands the hourly distribution to the chart, stacked by button type, 24 hours, and ECharts draws it', async () => {
    const el = await fixture<ButtonAnalytics>(html`<button-analytics style="width:600px" .data=${buttonsDay()} .freshness=${{ kind: 'live' }}></button-analytics>`);
    const chart = el.shadowRoot!.querySelector<BarChartElement>('bar-chart.hourly')!;
    expect(chart.stacked).to.be.true;
    expect(chart.categories.length).to.equal(24);
    expect(chart.series.map((s) => s.name)).to.deep.equal(['Retrieve content', 'Unlock content', 'Share with clients']);
    expect(chart.series[1]!.values[14]).to.equal(17);
    expect(chart.series[0]!.values[9]).to.equal(5);
    await chart.chartReady;
    await waitUntil(() => chart.shadowRoot!.querySelector('canvas'), 'a canvas is drawn');
    expect(chart.drawnData!.series[1]!.values[14]).to.equal(17);
    expect(chart.shadowRoot!.querySelector('[role="img"]')!.getAttribute('aria-label')).to.equal('Clicks per hour: 26 clicks in all; most at 14:00 (20)');
  });

  it('the chart\'s table is one tap away', async () => {
    const el = await fixture<BarChartElement>(html`<bar-chart label="Clicks per day" .categories=${['06-09', '06-10']}
      .series=${[{ name: 'Clicks', values: [4, 9] }]}></bar-chart>`);
    el.shadowRoot!.querySelector<HTMLButtonElement>('.toggle')!.click();
    await el.updateComplete;
    const cells = [...el.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent).join(' '));
    expect(cells).to.deep.equal(['06-09 4', '06-10 9']);
    expect(summariseBars('X', [], [])).to.equal('X: no data');
  });

  it('week range: a clicks-per-day chart from `daily`', async () => {
    const week = buttonsDay({ range: 'week', from: '2025-06-04', to: '2025-06-10', daily: [{ date: '2025-06-09', total: 11 }, { date: '2025-06-10', total: 26 }] });
    const el = await fixture<ButtonAnalytics>(html`<button-analytics .data=${week} .freshness=${{ kind: 'live' }}></button-analytics>`);
    const daily = el.shadowRoot!.querySelector<BarChartElement>('bar-chart.daily')!;
    expect(daily.categories).to.deep.equal(['06-09', '06-10']);
    expect(daily.series[0]!.values).to.deep.equal([11, 26]);
    expect(el.shadowRoot!.querySelector('h2')!.textContent).to.contain('4 Jun – 10 Jun');
  });

  it('stale: keeps the figures, greys the charts and says "last known as of"', async () => {
    const el = await fixture<ButtonAnalytics>(html`<button-analytics .data=${buttonsDay({ stale: true })}
      .freshness=${{ kind: 'stale', asOf: minutesAgo(3), reason: 'the webhook is down' }}></button-analytics>`);
    const root = el.shadowRoot!;
    expect(el.stale).to.be.true;
    expect(tileText(root, '[data-button="total"]')).to.contain('26');
    expect(root.querySelector<BarChartElement>('bar-chart.hourly')!.stale).to.be.true;
    expect(root.querySelector('.freshness.stale')!.textContent).to.match(/last known as of \d\d:\d\d:\d\d/);
  });

  it('unknown and not configured: "—" with a reason or how to configure, never 0', async () => {
    const unknown = await fixture<ButtonAnalytics>(html`<button-analytics .freshness=${{ kind: 'unknown', reason: 'Not received yet' }}></button-analytics>`);
    expect(unknown.shadowRoot!.querySelectorAll('.unknown').length).to.equal(4);
    expect(unknown.shadowRoot!.querySelector('.tiles')!.textContent).not.to.match(/\d/);
    const none = await fixture<ButtonAnalytics>(html`<button-analytics .data=${buttonsDay()} .freshness=${{ kind: 'not_configured' }}></button-analytics>`);
    expect(none.shadowRoot!.textContent).to.contain('Set WEBHOOK_URL');
    expect(none.shadowRoot!.querySelector('.tiles')).to.be.null;
  });

  it('CRM: active conversations listed, reply time, AI quality, completion, deliveries, daily volume chart', async () => {
    const el = await fixture<CrmPanel>(html`<crm-panel .data=${crmDay()} .freshness=${{ kind: 'live' }}></crm-panel>`);
    const root = el.shadowRoot!;
    expect(tileText(root, '[data-figure="active"]')).to.contain('2');
    expect(tileText(root, '[data-figure="reply"]')).to.equal('Reply time 5.4 s p95 · avg 2.1 s');
    expect(tileText(root, '[data-figure="quality"]')).to.contain('4.2 / 5');
    expect(tileText(root, '[data-figure="completion"]')).to.equal('Completion rate 75 % 6 completed · 2 abandoned');
    expect(tileText(root, '[data-figure="deliveries"]')).to.contain('94 %');
    expect(root.querySelector('.deliveries .failed.has')!.textContent).to.contain('3');
    const convs = [...root.querySelectorAll('ul.convs li')].map((li) => li.getAttribute('data-conversation'));
    expect(convs).to.deep.equal(['c1', 'c2']);
    expect(root.querySelector('ul.convs li .who')!.textContent).to.equal('ADV-17 · …1717');
    const volume = root.querySelector<BarChartElement>('bar-chart.volume')!;
    expect(volume.series.map((s) => [s.name, s.values])).to.deep.equal([['Received', [40]], ['Sent', [37]]]);
  });

  it('CRM with no rated replies and nothing ended: "—" with reasons, not 0', async () => {
    const el = await fixture<CrmPanel>(html`<crm-panel .data=${crmDay({ replyMs: null, aiQualityAvg: null, completionRate: null, completed: 0, abandoned: 0 })}
      .freshness=${{ kind: 'live' }}></crm-panel>`);
    const root = el.shadowRoot!;
    expect(root.querySelector('[data-figure="quality"] .unknown')!.getAttribute('title')).to.equal('No rated AI replies in this period');
    expect(root.querySelector('[data-figure="reply"] .unknown')).to.exist;
    expect(root.querySelector('[data-figure="completion"] .unknown')).to.exist;
  });
});
