// <offline-banner>: "Offline — last known status as of HH:MM:SS (N min ago)", nothing while live.
import { fixture, html, expect } from '@open-wc/testing';
import '../../client/src/components/offline-banner.js';
import type { OfflineBanner } from '../../client/src/components/offline-banner.js';
import { formatClock } from '../../client/src/app/time-format.js';

const NOW = Date.UTC(2024, 5, 1, 8, 20, 0);

describe('offline-banner', () => {
  it('says how old the last known status is', async () => {
    const asOf = new Date(NOW - 3 * 60_000).toISOString();
    const el = await fixture<OfflineBanner>(html`<offline-banner .asOf=${asOf} connection="offline" .now=${NOW}></offline-banner>`);
    const text = el.shadowRoot!.querySelector('.banner')!.textContent!.replace(/\s+/g, ' ').trim();
    expect(text).to.equal(`Offline — last known status as of ${formatClock(asOf)} (3 min ago)`);
    expect(el.shadowRoot!.querySelector('[role="status"]')).to.exist;
  });

  it('adds that it is reconnecting while the connection retries', async () => {
    const el = await fixture<OfflineBanner>(html`<offline-banner .asOf=${NOW - 60_000} connection="reconnecting" .now=${NOW}></offline-banner>`);
    const text = el.shadowRoot!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.contain('Offline — last known status as of');
    expect(text).to.contain('(1 min ago)');
    expect(text).to.contain('reconnecting');
  });

  it('says when no status was ever received', async () => {
    const el = await fixture<OfflineBanner>(html`<offline-banner connection="offline"></offline-banner>`);
    expect(el.shadowRoot!.textContent).to.contain('Offline — no status received yet');
  });

  it('renders nothing while the connection is live', async () => {
    const el = await fixture<OfflineBanner>(html`<offline-banner .asOf=${NOW} connection="live"></offline-banner>`);
    expect(el.shadowRoot!.querySelector('.banner')).to.equal(null);
  });
});
