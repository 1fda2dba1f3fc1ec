// The home screen carries the webhook widget row (right after the system figures), and Refresh refetches it too.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/pages/page-home.js';
import type { PageHome } from '../../client/src/pages/page-home.js';
import { api } from '../../client/src/api/api-client.js';
import { buttonsDay, crmDay, statusUp, stubFetch } from './webhook-fixtures.js';


describe('home: webhook widget row', () => {
  let fetchStub: ReturnType<typeof stubFetch> | null = null;
  beforeEach(() => { api.forgetSession(); });
  afterEach(() => { fetchStub?.restore(); fetchStub = null; });

  it('shows the webhook row after the system figures with today\'s clicks, and Refresh refetches it', async () => {
    fetchStub = stubFetch({
      '/api/health': { generatedAt: new Date().toISOString(), system: null, processes: [], services: {}, operations: { state: 'not_configured', detail: '' } },
      '/api/metrics/system*': { samples: [] },
      '/api/webhook/status': statusUp(), '/api/webhook/buttons*': buttonsDay(), '/api/webhook/crm*': crmDay(),
    });
    const el = await fixture<PageHome>(html`<page-home></page-home>`);
    const row = el.shadowRoot!.querySelector('webhook-widget-row')!;
    expect(row, 'the row is on the home screen').to.exist;
    expect(row.previousElementSibling!.querySelector('#system-h'), 'right after the system card').to.exist;
    await waitUntil(() => row.shadowRoot!.querySelector('[data-tile="clicks"] .n')?.textContent === '26', 'clicks shown');
    const before = fetchStub.calls.filter((c) => c.url.startsWith('/api/webhook/buttons')).length;
    await waitUntil(() => el.shadowRoot!.querySelector('.refresh')!.getAttribute('aria-busy') === 'false');
    el.shadowRoot!.querySelector<HTMLButtonElement>('.refresh')!.click();
    await waitUntil(() => fetchStub!.calls.filter((c) => c.url.startsWith('/api/webhook/buttons')).length > before, 'row refetched');
  });
});
