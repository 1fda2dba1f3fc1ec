// <webhook-widget-row> (home screen): state, today's clicks, response p95 and active conversations from the REST
// figures, moved by `webhook` frames; down or stale keeps the last values marked "as of", never zeros; not
// configured says how; every tile leads to /webhook. Also: the home page carries the row.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/components/webhook-widget-row.js';
import type { WebhookWidgetRow } from '../../client/src/components/webhook-widget-row.js';
import { api } from '../../client/src/api/api-client.js';
import { buttonsDay, crmDay, liveStoreOnFakeSocket, statusDown, statusNotConfigured, statusUp, stubFetch } from './webhook-fixtures.js';

const tile = (el: WebhookWidgetRow, key: string) => el.shadowRoot!.querySelector<HTMLAnchorElement>(`[data-tile="${key}"]`)!;
const figure = (el: WebhookWidgetRow, key: string) => tile(el, key).querySelector('.n')!.textContent!.trim();

describe('webhook-widget-row', () => {
  let fetchStub: ReturnType<typeof stubFetch> | null = null;
  beforeEach(() => { api.forgetSession(); });
  afterEach(() => { fetchStub?.restore(); fetchStub = null; });

  it('shows state, today\'s clicks, response p95 and active conversations, each leading to /webhook', async () => {
    fetchStub = stubFetch({ '/api/webhook/status': statusUp(), '/api/webhook/buttons': buttonsDay(), '/api/webhook/crm': crmDay() });
    const { store } = await liveStoreOnFakeSocket();
    const el = await fixture<WebhookWidgetRow>(html`<webhook-widget-row .live=${store}></webhook-widget-row>`);
    await waitUntil(() => el.figures !== null && el.status !== null, 'figures loaded');
    await el.updateComplete;
    expect(fetchStub.calls.map((c) => c.url)).to.include.members(['/api/webhook/status', '/api/webhook/buttons?range=day', '/api/webhook/crm?range=day']);
    expect(tile(el, 'state').querySelector('state-badge')!.state).to.equal('up');
    expect(figure(el, 'clicks')).to.equal('26');
    expect(tile(el, 'clicks').textContent).to.contain('5 retrieve · 18 unlock · 3 share');
    expect(figure(el, 'response')).to.equal('1.3 s');
    expect(figure(el, 'conversations')).to.equal('2');
    for (const key of ['state', 'clicks', 'response', 'conversations']) expect(tile(el, key).getAttribute('href')).to.equal('/webhook');
    expect(el.shadowRoot!.querySelector('h2 a')!.getAttribute('href')).to.equal('/webhook');
    expect(el.shadowRoot!.querySelector('.freshness.live')).to.exist;
    store.stop();
  });

  it('moves with figures frames, then keeps the last values marked stale "as of" when the webhook goes down — never zeros', async () => {
    fetchStub = stubFetch({ '/api/webhook/status': statusUp(), '/api/webhook/buttons': buttonsDay(), '/api/webhook/crm': crmDay() });
    const { store, send } = await liveStoreOnFakeSocket();
    const el = await fixture<WebhookWidgetRow>(html`<webhook-widget-row .live=${store}></webhook-widget-row>`);
    await waitUntil(() => el.figures !== null, 'figures loaded');
    send('snapshot', { status: statusUp(), recent: [] });
    send('figures', { clicks: { RETRIEVE_CONTENT: 5, UNLOCK_CONTENT: 19, SHARE_WITH_CLIENTS: 3, total: 27 }, responseMs: { avg: 400, p95: 900 }, successRate: 0.96, activeConversations: 3 });
    await el.updateComplete;
    expect(figure(el, 'clicks')).to.equal('27');
    expect(figure(el, 'response')).to.equal('900 ms');
    expect(figure(el, 'conversations')).to.equal('3');

    const down = statusDown();
    send('status', down);
    await el.updateComplete;
    expect(tile(el, 'state').querySelector('state-badge')!.state).to.equal('down');
    for (const [key, value] of [['clicks', '27'], ['response', '900 ms'], ['conversations', '3']]) {
      expect(figure(el, key!), key).to.equal(value);
      expect(tile(el, key!).classList.contains('kept'), `${key} marked kept`).to.be.true;
      expect(tile(el, key!).querySelector('.asof')!.textContent).to.match(/^stale · as of \d\d:\d\d:\d\d( \S+)?$/);
    }
    expect(el.shadowRoot!.querySelector('section')!.classList.contains('stale')).to.be.true;
    expect(el.shadowRoot!.querySelector('.freshness.stale')!.textContent).to.match(/last known as of \d\d:\d\d:\d\d/);
    store.stop();
  });

  it('says "stale" the same way for a webhook the gateway stopped hearing from', async () => {
    fetchStub = stubFetch({ '/api/webhook/status': statusUp({ state: 'stale' }), '/api/webhook/buttons': buttonsDay({ stale: true }), '/api/webhook/crm': crmDay({ stale: true }) });
    const { store } = await liveStoreOnFakeSocket();
    const el = await fixture<WebhookWidgetRow>(html`<webhook-widget-row .live=${store}></webhook-widget-row>`);
    await waitUntil(() => el.figures !== null && el.status !== null, 'loaded');
    await el.updateComplete;
    expect(figure(el, 'clicks')).to.equal('26');
    expect(tile(el, 'clicks').classList.contains('kept')).to.be.true;
    expect(tile(el, 'state').querySelector('state-badge')!.state).to.equal('stale');
    store.stop();
  });

  it('not configured: "—" everywhere with the reason and how to configure WEBHOOK_URL, no zeros', async () => {
    const zeros = buttonsDay({ clicks: { RETRIEVE_CONTENT: 0, UNLOCK_CONTENT: 0, SHARE_WITH_CLIENTS: 0, total: 0 } });
    fetchStub = stubFetch({ '/api/webhook/status': statusNotConfigured(), '/api/webhook/buttons': zeros, '/api/webhook/crm': crmDay({ activeConversations: [] }) });
    const { store } = await liveStoreOnFakeSocket();
    const el = await fixture<WebhookWidgetRow>(html`<webhook-widget-row .live=${store}></webhook-widget-row>`);
    await waitUntil(() => el.status !== null, 'status loaded');
    await el.updateComplete;
    expect(tile(el, 'state').querySelector('state-badge')!.state).to.equal('not_configured');
    for (const key of ['clicks', 'response', 'conversations']) {
      expect(figure(el, key), key).to.equal('—Unknown: The webhook is not configured');
    }
    const hint = el.shadowRoot!.querySelector('.hint')!.textContent!.replace(/\s+/g, ' ');
    expect(hint).to.contain('Set WEBHOOK_URL');
    expect(el.shadowRoot!.querySelector('.tiles')!.textContent).not.to.match(/\b0\b/);
    store.stop();
  });

  it('when nothing could be loaded: "—" with the reason, not 0', async () => {
    fetchStub = stubFetch({ '/api/webhook/status': new Error('The webhook connector is starting'), '/api/webhook/buttons': new Error('busy'), '/api/webhook/crm': new Error('busy') });
    const { store } = await liveStoreOnFakeSocket();
    const el = await fixture<WebhookWidgetRow>(html`<webhook-widget-row .live=${store}></webhook-widget-row>`);
    await waitUntil(() => el.shadowRoot!.textContent!.includes('Could not be loaded'), 'error shown');
    expect(figure(el, 'clicks')).to.match(/^—Unknown: Could not be loaded/);
    expect(el.shadowRoot!.querySelector('.tiles')!.textContent).not.to.match(/\b0\b/);
    store.stop();
  });
});
