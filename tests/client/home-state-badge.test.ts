// <state-badge>: every state is drawn as icon + word (never colour alone), optionally with "since".
import { fixture, html, expect } from '@open-wc/testing';
import '../../client/src/components/state-badge.js';
import type { StateBadge } from '../../client/src/components/state-badge.js';
import { setTheme, textContrast, tokenColour, useAppTokens } from './contrast.js';

const EXPECTED: Array<[string, string]> = [
  ['up', 'up'], ['degraded', 'degraded'], ['down', 'down'], ['stale', 'stale'], ['unknown', 'unknown'],
  ['not_configured', 'not configured'], ['online', 'online'], ['stopped', 'stopped'], ['errored', 'errored'],
  ['launching', 'launching'],
];

describe('state-badge', () => {
  for (const [state, word] of EXPECTED) {
    it(`shows the word "${word}" and an icon for state ${state}`, async () => {
      const el = await fixture<StateBadge>(html`<state-badge state=${state}></state-badge>`);
      const badge = el.shadowRoot!.querySelector('.badge')!;
      expect(badge.querySelector('.word')!.textContent).to.equal(word);
      const icon = badge.querySelector('oc-icon')!;
      await (icon as unknown as { updateComplete: Promise<unknown> }).updateComplete;
      expect(icon.shadowRoot!.querySelector('svg'), 'an icon is drawn').to.exist;
    });
  }

  it('gives distinct icons to up, degraded, down, unknown and not configured', async () => {
    const shapes = new Set<string>();
    for (const state of ['up', 'degraded', 'down', 'unknown', 'not_configured', 'stale']) {
      const el = await fixture<StateBadge>(html`<state-badge state=${state}></state-badge>`);
      const icon = el.shadowRoot!.querySelector('oc-icon')!;
      await (icon as unknown as { updateComplete: Promise<unknown> }).updateComplete;
      shapes.add(icon.shadowRoot!.querySelector('svg')!.innerHTML);
    }
    expect(shapes.size).to.equal(6);
  });

  it('uses a different colour family for up, degraded and down', async () => {
    const colours = new Set<string>();
    for (const state of ['up', 'degraded', 'down']) {
      const el = await fixture<StateBadge>(html`<state-badge state=${state}></state-badge>`);
      colours.add(el.shadowRoot!.querySelector('.badge')!.className);
    }
    expect(colours.size).to.equal(3);
  });

  it('shows "since HH:MM:SS" when given when the state began', async () => {
    const el = await fixture<StateBadge>(html`<state-badge state="down" .since=${'2025-01-01T08:32:10Z'}></state-badge>`);
    const since = el.shadowRoot!.querySelector('.since')!.textContent!;
    expect(since).to.match(/^since \d\d:\d\d:\d\d/);
  });

  it('shows an unrecognised state as its own words in the unknown style', async () => {
    const el = await fixture<StateBadge>(html`<state-badge state="half_way"></state-badge>`);
    expect(el.shadowRoot!.querySelector('.word')!.textContent).to.equal('half way');
    expect(el.shadowRoot!.querySelector('.badge')!.classList.contains('unknown')).to.be.true;
  });

  describe('contrast', () => {
    before(useAppTokens);
    after(() => setTheme(null));
    // One state of each tone; the badge sits on the page, on cards and on selected rows.
    const STATES = ['up', 'degraded', 'down', 'stale', 'unknown', 'not_configured', 'running'];
    for (const theme of ['light', 'dark'] as const) {
      it(`keeps the word and "since" at 4.5:1 or more on every tone in the ${theme} theme`, async () => {
        setTheme(theme);
        for (const state of STATES) {
          const el = await fixture<StateBadge>(html`<state-badge state=${state} .since=${'2025-01-01T08:32:10Z'}></state-badge>`);
          const badge = el.shadowRoot!.querySelector('.badge')!;
          for (const surface of ['--oc-bg', '--oc-surface', '--oc-surface-2']) {
            for (const part of ['.word', '.since']) {
              const ratio = textContrast(badge.querySelector(part)!, badge, tokenColour(surface));
              expect(ratio, `${state} ${part} on ${surface} (${theme})`).to.be.at.least(4.5);
            }
          }
        }
      });
    }
  });
});

