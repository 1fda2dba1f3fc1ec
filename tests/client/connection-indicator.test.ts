// <connection-indicator>: every state is an icon + a word (never colour alone), plus "updated HH:MM:SS".
import { fixture, html, expect } from '@open-wc/testing';
import '../../client/src/components/connection-indicator.js';
import type { ConnectionIndicator } from '../../client/src/components/connection-indicator.js';
import { formatClock } from '../../client/src/app/time-format.js';

const CASES: Array<[string, string, string]> = [
  ['live', 'Live', 'ok'], ['connecting', 'Connecting', 'unknown'], ['reconnecting', 'Reconnecting', 'warn'], ['offline', 'Offline', 'bad'],
];

describe('connection-indicator', () => {
  for (const [state, word, tone] of CASES) {
    it(`shows the word "${word}", an icon and the ${tone} colour for ${state}`, async () => {
      const el = await fixture<ConnectionIndicator>(html`<connection-indicator state=${state}></connection-indicator>`);
      const badge = el.shadowRoot!.querySelector('.state')!;
      expect(badge.querySelector('.word')!.textContent).to.equal(word);
      expect(badge.classList.contains(tone)).to.equal(true);
      const icon = badge.querySelector('oc-icon') as HTMLElement & { updateComplete: Promise<unknown> };
      await icon.updateComplete;
      expect(icon.shadowRoot!.querySelector('svg path, svg circle, svg line'), 'an icon is drawn').to.exist;
    });
  }

  it('says when the last update arrived, and nothing when none did', async () => {
    const at = Date.UTC(2024, 5, 1, 8, 15, 42);
    const el = await fixture<ConnectionIndicator>(html`<connection-indicator state="live" .lastMessageAt=${at}></connection-indicator>`);
    expect(el.shadowRoot!.querySelector('.updated')!.textContent).to.equal(`updated ${formatClock(at)}`);
    el.lastMessageAt = null;
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.updated')).to.equal(null);
  });
});
