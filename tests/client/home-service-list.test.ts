// <service-list>: services worst first with state words and freshness; "not configured" calm and last.
import { fixture, html, expect } from '@open-wc/testing';
import '../../client/src/components/service-list.js';
import type { ServiceList, ServiceMap } from '../../client/src/components/service-list.js';

const SERVICES: ServiceMap = {
  pm2: { state: 'up', observedAt: '2025-01-01T08:32:10Z', latencyMs: 4 },
  webhook: { state: 'down', observedAt: '2025-01-01T08:32:10Z', detail: 'connection refused' },
  whatsapp: { state: 'not_configured', observedAt: null },
  sheets: { state: 'degraded', observedAt: '2025-01-01T08:32:10Z', detail: 'slow' },
  drive: { state: 'unknown', observedAt: null },
};

describe('service-list', () => {
  it('lists services worst first, not configured last', async () => {
    const el = await fixture<ServiceList>(html`<service-list .services=${SERVICES}></service-list>`);
    const order = [...el.shadowRoot!.querySelectorAll('li')].map((li) => li.dataset.service);
    expect(order).to.deep.equal(['webhook', 'sheets', 'drive', 'pm2', 'whatsapp']);
  });

  it('links a troubled service to where its cause can be seen, with detail and check time', async () => {
    const el = await fixture<ServiceList>(html`<service-list .services=${SERVICES}></service-list>`);
    const webhook = el.shadowRoot!.querySelector('li[data-service="webhook"]')!;
    expect(webhook.querySelector('a')!.getAttribute('href')).to.equal('/webhook');
    expect(webhook.querySelector('.meta')!.textContent).to.match(/connection refused · checked \d\d:\d\d:\d\d/);
  });

  it('shows "not configured" calmly, without a check time or link', async () => {
    const el = await fixture<ServiceList>(html`<service-list .services=${SERVICES}></service-list>`);
    const whatsapp = el.shadowRoot!.querySelector('li[data-service="whatsapp"]')!;
    expect(whatsapp.querySelector('state-badge')!.getAttribute('state')).to.equal('not_configured');
    expect(whatsapp.querySelector('a')).to.be.null;
    expect(whatsapp.querySelector('.meta')).to.be.null;
  });
});
