// <webhook-status-card>: the webhook's state in words with since-when, uptime, heartbeat, tunnel URL, messages
// processed, stream state, rejected counts and reconciliation drift; down keeps last values, not configured says how.
import { fixture, html, expect } from '@open-wc/testing';
import '../../client/src/components/webhook-status-card.js';
import type { WebhookStatusCard } from '../../client/src/components/webhook-status-card.js';
import { statusDown, statusNotConfigured, statusUp, minutesAgo } from './webhook-fixtures.js';

const item = (el: WebhookStatusCard, label: string) => el.shadowRoot!.querySelector(`[data-item="${label}"] dd`)!.textContent!.replace(/\s+/g, ' ').trim();

describe('webhook-status-card', () => {
  it('shows an up webhook: state in words with since, uptime, heartbeat, tunnel URL, messages, stream and matching counts', async () => {
    const el = await fixture<WebhookStatusCard>(html`<webhook-status-card .status=${statusUp()}></webhook-status-card>`);
    const root = el.shadowRoot!;
    const badge = root.querySelector('state-badge')!;
    expect(badge.state).to.equal('up');
    expect(badge.shadowRoot!.textContent).to.match(/up\s*since \d\d:\d\d:\d\d/);
    expect(item(el, 'Checks passed (24 h)')).to.contain('99.50 %');
    expect(item(el, 'Last heartbeat')).to.match(/^\d\d:\d\d:\d\d .*healthy/);
    expect(item(el, 'Messages processed')).to.contain('4,321');
    expect(root.querySelector('.tunnel a')!.getAttribute('href')).to.equal('https://hooks.example.test');
    expect(root.querySelector('.tunnel sl-copy-button')!.getAttribute('value')).to.equal('https://hooks.example.test');
    expect(item(el, 'Event stream')).to.equal('stream open');
    expect(item(el, 'Rejected events')).to.contain('0 malformed · 0 unknown');
    expect(root.querySelector('.recon.ok')!.textContent).to.contain('Counts match');
    expect(root.querySelector('.away')).to.be.null;
  });

  it('says why a down webhook is down when the gateway gives a detail', async () => {
    const el = await fixture<WebhookStatusCard>(html`<webhook-status-card .status=${statusDown({ detail: 'connect ECONNREFUSED 127.0.0.1:3000' })}></webhook-status-card>`);
    expect(el.shadowRoot!.querySelector('.away .detail')!.textContent).to.equal('connect ECONNREFUSED 127.0.0.1:3000');
  });

  it('when down: says so with since-when, keeps the last known values marked, and says "—" with a reason where nothing is known', async () => {
    const el = await fixture<WebhookStatusCard>(html`<webhook-status-card .status=${statusDown()}></webhook-status-card>`);
    const root = el.shadowRoot!;
    expect(root.querySelector('state-badge')!.state).to.equal('down');
    const away = root.querySelector('.away.down')!;
    expect(away.textContent).to.match(/The webhook is down.*last known ones, as of \d\d:\d\d:\d\d/s);
    expect(item(el, 'Event stream')).to.equal('stream reconnecting');
    // health is null while down: "—" with the reason, never 0
    const messages = root.querySelector('[data-item="Messages processed"] dd')!;
    expect(messages.querySelector('.unknown')!.textContent).to.equal('—');
    expect(messages.textContent).to.contain('The webhook is not answering');
    expect(messages.textContent).not.to.match(/\b0\b/);
    // the heartbeat it last had stays, marked as kept
    expect(root.querySelector('[data-item="Last heartbeat"]')!.classList.contains('kept')).to.be.true;
    expect(root.querySelector('[data-item="Checks passed (24 h)"]')!.textContent).to.contain('99.50 %');
  });

  it('when not configured: says how to configure (WEBHOOK_URL) and shows no figures at all', async () => {
    const el = await fixture<WebhookStatusCard>(html`<webhook-status-card .status=${statusNotConfigured()}></webhook-status-card>`);
    const text = el.shadowRoot!.textContent!.replace(/\s+/g, ' ');
    expect(el.shadowRoot!.querySelector('state-badge')!.state).to.equal('not_configured');
    expect(text).to.contain('Set WEBHOOK_URL');
    expect(text).to.contain('WEBHOOK_TOKEN');
    expect(text).not.to.match(/\d/);
  });

  it('shows rejected malformed and unknown counts, and reconciliation drift as a table', async () => {
    const status = statusUp({
      rejected: { malformed: 3, unknown: 1 },
      reconciliation: { checkedAt: minutesAgo(1), webhookStartedAt: minutesAgo(300), ok: false,
        drift: [{ metric: 'buttonClicks.UNLOCK_CONTENT', webhook: 19, dashboard: 18 }] },
    });
    const el = await fixture<WebhookStatusCard>(html`<webhook-status-card .status=${status}></webhook-status-card>`);
    const root = el.shadowRoot!;
    expect(root.querySelector('.rejected.has')!.textContent).to.contain('3 malformed · 1 unknown');
    const drift = root.querySelector('.recon.drift')!;
    expect(drift.textContent).to.contain('Counts differ');
    expect([...drift.querySelectorAll('tbody td')].map((td) => td.textContent)).to.deep.equal(['buttonClicks.UNLOCK_CONTENT', '19', '18']);
  });

  it('says why there is no status when loading failed, and waits otherwise', async () => {
    const failed = await fixture<WebhookStatusCard>(html`<webhook-status-card error="The gateway answered 503."></webhook-status-card>`);
    expect(failed.shadowRoot!.querySelector('[role="alert"]')!.textContent).to.contain('could not be loaded — The gateway answered 503.');
    const waiting = await fixture<WebhookStatusCard>(html`<webhook-status-card></webhook-status-card>`);
    expect(waiting.shadowRoot!.textContent).to.contain('Waiting for the webhook status');
  });
});
