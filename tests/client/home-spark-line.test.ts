// <spark-line>: its accessible name summarises the trend; ECharts draws it from a lazily imported chunk.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/components/spark-line.js';

// ECharts reads process.env.NODE_ENV; the production build defines it, the test server serves node_modules untouched.
const scope = globalThis as { process?: { env: Record<string, string> } };
scope.process ??= { env: { NODE_ENV: 'development' } };
import type { SparkLine } from '../../client/src/components/spark-line.js';
import { summariseTrend } from '../../client/src/components/spark-line.js';

describe('spark-line', () => {
  before(async function (this: unknown) {
    // The test server serves ECharts as hundreds of unbundled modules: the first load is slow, so load it once here.
    (this as { timeout(ms: number): void }).timeout(60_000);
    const started = performance.now();
    await import('../../client/src/components/spark-line-chart.js');
    console.log(`spark-line-chart module loaded in ${Math.round(performance.now() - started)} ms`);
  });

  it('names itself with min, max and now', async () => {
    const el = await fixture<SparkLine>(html`<spark-line label="CPU last hour" unit="%" .values=${[5, 3, 41, 12]}></spark-line>`);
    const img = el.shadowRoot!.querySelector('[role="img"]')!;
    expect(img.getAttribute('aria-label')).to.equal('CPU last hour: min 3 %, max 41 %, now 12 %');
  });

  it('says there is no data yet for an empty series, and updates its name as values arrive', async () => {
    const el = await fixture<SparkLine>(html`<spark-line label="Memory last hour" unit="%" .values=${[]}></spark-line>`);
    const img = () => el.shadowRoot!.querySelector('[role="img"]')!;
    expect(img().getAttribute('aria-label')).to.equal('Memory last hour: no data yet');
    el.values = [20, 22];
    await el.updateComplete;
    expect(img().getAttribute('aria-label')).to.equal('Memory last hour: min 20 %, max 22 %, now 22 %');
  });

  it('ignores gaps (NaN) in the summary and honours decimals', () => {
    expect(summariseTrend('Load', [0.5, Number.NaN, 1.25], '', 2)).to.equal('Load: min 0.50, max 1.25, now 1.25');
  });

  it('draws an ECharts canvas once the lazy chart module has loaded', async () => {
    const el = await fixture<SparkLine>(html`<spark-line style="width:200px;height:40px" label="CPU" .values=${[1, 5, 3]}></spark-line>`);
    await el.chartReady;
    await waitUntil(() => el.shadowRoot!.querySelector('canvas'), 'a canvas is drawn');
  });

  it('redraws when the theme attribute on <html> changes, without losing its name', async () => {
    const el = await fixture<SparkLine>(html`<spark-line style="width:200px;height:40px" label="CPU" unit="%" .values=${[1, 5, 3]}></spark-line>`);
    await el.chartReady;
    const before = document.documentElement.getAttribute('data-theme');
    document.documentElement.setAttribute('data-theme', before === 'dark' ? 'light' : 'dark');
    await new Promise((r) => requestAnimationFrame(r));
    if (before === null) document.documentElement.removeAttribute('data-theme');
    else document.documentElement.setAttribute('data-theme', before);
    expect(el.shadowRoot!.querySelector('canvas')).to.exist;
    expect(el.shadowRoot!.querySelector('[role="img"]')!.getAttribute('aria-label')).to.equal('CPU: min 1 %, max 5 %, now 3 %');
  });
});
