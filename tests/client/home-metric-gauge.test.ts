// <metric-gauge>: a number with its unit, "—" with a reason when unknown (never 0), greyed "stale since" when stale.
import { fixture, html, expect } from '@open-wc/testing';
import '../../client/src/components/metric-gauge.js';
import type { MetricGauge } from '../../client/src/components/metric-gauge.js';
import { gaugeLevel } from '../../client/src/components/metric-gauge.js';

describe('metric-gauge', () => {
  it('shows the value with its unit, a bar, and when it was measured', async () => {
    const el = await fixture<MetricGauge>(html`<metric-gauge label="CPU" .value=${12.4} unit="%" .percent=${12.4}
      .observedAt=${'2025-01-01T08:32:10Z'}></metric-gauge>`);
    const root = el.shadowRoot!;
    expect(root.querySelector('.value')!.textContent).to.equal('12');
    expect(root.querySelector('.unit')!.textContent).to.equal('%');
    expect((root.querySelector('.fill') as HTMLElement).style.width).to.equal('12.4%');
    expect(root.querySelector('.fresh')!.textContent).to.match(/^updated \d\d:\d\d:\d\d/);
  });

  it('shows "—" with the reason (title and screen-reader text) when the value is unknown, never 0', async () => {
    const el = await fixture<MetricGauge>(html`<metric-gauge label="CPU" .value=${null} unit="%" .percent=${null}
      reason="No system sample received yet"></metric-gauge>`);
    const root = el.shadowRoot!;
    const value = root.querySelector('.value')!;
    expect(value.textContent).to.equal('—');
    expect(value.getAttribute('title')).to.equal('No system sample received yet');
    expect(root.querySelector('.vh')!.textContent).to.equal('Unknown: No system sample received yet');
    expect(root.querySelector('.bar')).to.be.null;
    expect(root.textContent).not.to.match(/\b0\s*%/);
  });

  it('is greyed with "stale since HH:MM:SS" when stale', async () => {
    const el = await fixture<MetricGauge>(html`<metric-gauge label="Memory" .value=${40} unit="%" .percent=${40}
      .observedAt=${'2025-01-01T08:32:10Z'} stale></metric-gauge>`);
    const root = el.shadowRoot!;
    expect(root.querySelector('.gauge')!.classList.contains('stale')).to.be.true;
    expect(root.querySelector('.stale-mark')!.textContent).to.match(/stale since \d\d:\d\d:\d\d/);
    expect(root.querySelector('.fresh')).to.be.null;
  });

  it('says "high"/"critical" in words past its thresholds', async () => {
    const el = await fixture<MetricGauge>(html`<metric-gauge label="Data disk" .value=${93} unit="%" .percent=${93}></metric-gauge>`);
    expect(el.shadowRoot!.querySelector('.level')!.textContent).to.equal('critical');
    expect(gaugeLevel(85, 80, 90)).to.equal('high');
    expect(gaugeLevel(null, 80, 90)).to.equal('normal');
  });

  it('shows text values such as an uptime as given, without a bar', async () => {
    const el = await fixture<MetricGauge>(html`<metric-gauge label="Uptime" .value=${'3 h 05 min'}></metric-gauge>`);
    expect(el.shadowRoot!.querySelector('.value')!.textContent).to.equal('3 h 05 min');
    expect(el.shadowRoot!.querySelector('.bar')).to.be.null;
  });
});
