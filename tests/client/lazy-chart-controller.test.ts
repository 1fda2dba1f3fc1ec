// LazyChartController: the chart module loads once the host's first render has been painted and it is near the
// viewport, draws into the host's container, follows its size, is disposed when the host leaves and made again
// when it comes back; a module that fails to load is a warning, not an error.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import { LitElement, html as litHtml } from 'lit';
import { LazyChartController, type SizedChart } from '../../client/src/components/lazy-chart-controller.js';

interface FakeChart extends SizedChart { container: HTMLElement; draws: number; resizes: number; disposed: boolean }

let made: FakeChart[] = [];
let loads = 0;
let failNext = false;
/** While set, the chart module arrives only when this resolves. */
let gate: Promise<void> | null = null;

const init = (container: HTMLElement): FakeChart => {
  const chart: FakeChart = {
    container, draws: 0, resizes: 0, disposed: false,
    resize() { chart.resizes += 1; },
    dispose() { chart.disposed = true; },
  };
  made.push(chart);
  return chart;
};

class LazyChartHost extends LitElement {
  readonly chart = new LazyChartController(this, {
    name: 'lazy-chart-host',
    load: async () => {
      loads += 1;
      await gate;
      if (failNext) throw new Error('chunk gone');
      return init;
    },
    container: () => this.renderRoot.querySelector<HTMLElement>('.chart')!,
    draw: (chart) => { chart.draws += 1; },
  });

  render() {
    return litHtml`<div class="chart" style="width: 100px; height: 20px"></div>`;
  }
}
customElements.define('lazy-chart-host', LazyChartHost);

describe('LazyChartController', () => {
  beforeEach(() => { made = []; loads = 0; failNext = false; gate = null; });

  it('loads the chart after the first render and draws it into the host\'s container', async () => {
    const el = await fixture<LazyChartHost>(html`<lazy-chart-host></lazy-chart-host>`);
    await el.chart.ready;
    expect(loads).to.equal(1);
    expect(made.length).to.equal(1);
    expect(el.chart.handle).to.equal(made[0]);
    expect(made[0]!.container).to.equal(el.shadowRoot!.querySelector('.chart'));
    expect(made[0]!.draws).to.equal(1);
    el.requestUpdate();
    await el.updateComplete;
    expect(loads, 'later renders load nothing more').to.equal(1);
  });

  it('redraws on request and when the theme on <html> changes, and resizes with its container', async () => {
    const el = await fixture<LazyChartHost>(html`<lazy-chart-host></lazy-chart-host>`);
    await el.chart.ready;
    const chart = made[0]!;
    el.chart.redraw();
    expect(chart.draws).to.equal(2);
    const before = document.documentElement.getAttribute('data-theme');
    document.documentElement.setAttribute('data-theme', before === 'dark' ? 'light' : 'dark');
    await waitUntil(() => chart.draws === 3, 'redrawn for the theme');
    if (before === null) document.documentElement.removeAttribute('data-theme');
    else document.documentElement.setAttribute('data-theme', before);
    const resizes = chart.resizes;
    el.shadowRoot!.querySelector<HTMLElement>('.chart')!.style.width = '180px';
    await waitUntil(() => chart.resizes > resizes, 'resized with its container');
  });

  it('disposes the chart when the host leaves and makes a new one when it comes back', async () => {
    const el = await fixture<LazyChartHost>(html`<lazy-chart-host></lazy-chart-host>`);
    await el.chart.ready;
    const parent = el.parentElement!;
    el.remove();
    expect(made[0]!.disposed).to.be.true;
    expect(el.chart.handle).to.equal(null);
    el.chart.redraw();
    expect(made[0]!.draws, 'a disposed chart is not drawn').to.equal(1);
    parent.append(el);
    await el.chart.ready;
    expect(made.length).to.equal(2);
    expect(el.chart.handle).to.equal(made[1]);
    expect(made[1]!.draws).to.equal(1);
  });

  it('asks for the chart module only after the first render has been painted', async () => {
    const el = await fixture<LazyChartHost>(html`<lazy-chart-host></lazy-chart-host>`);
    expect(loads, 'nothing loaded before the first paint').to.equal(0);
    await el.chart.ready;
    expect(loads).to.equal(1);
  });

  it('loads nothing for a host that left before its first paint', async () => {
    const el = await fixture<LazyChartHost>(html`<lazy-chart-host></lazy-chart-host>`);
    el.remove();
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 20)));
    expect(loads).to.equal(0);
    expect(made.length).to.equal(0);
  });

  it('makes no chart for a host that left before the module arrived', async () => {
    let arrive = () => {};
    gate = new Promise<void>((resolve) => { arrive = resolve; });
    const el = await fixture<LazyChartHost>(html`<lazy-chart-host></lazy-chart-host>`);
    const loading = el.chart.ready;
    await waitUntil(() => loads === 1, 'the module is asked for once the first render is painted');
    el.remove();
    arrive();
    await loading;
    expect(made.length).to.equal(0);
    expect(el.chart.handle).to.equal(null);
  });

  it('warns, and draws nothing, when the chart module fails to load', async () => {
    failNext = true;
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => { warnings.push(args); };
    try {
      const el = await fixture<LazyChartHost>(html`<lazy-chart-host></lazy-chart-host>`);
      await el.chart.ready;
      expect(el.chart.handle).to.equal(null);
    } finally {
      console.warn = warn;
    }
    expect(made.length).to.equal(0);
    expect(warnings.length).to.equal(1);
    expect(warnings[0]![0]).to.equal('lazy-chart-host: chart module failed to load');
    expect((warnings[0]![1] as Error).message).to.equal('chunk gone');
  });

  it('loads nothing for a chart far below the viewport until it is scrolled near', async () => {
    const wrap = await fixture<HTMLDivElement>(html`<div><div style="height: 5000px"></div><lazy-chart-host></lazy-chart-host></div>`);
    const el = wrap.querySelector<LazyChartHost>('lazy-chart-host')!;
    await el.updateComplete;
    await new Promise((r) => setTimeout(r, 200));
    expect(loads, 'below the fold: not loaded').to.equal(0);
    el.scrollIntoView();
    await waitUntil(() => loads === 1, 'loaded once near the viewport');
    await el.chart.ready;
    expect(made.length).to.equal(1);
    window.scrollTo(0, 0);
  });
});
