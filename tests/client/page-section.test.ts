// <page-section>: a later section says plainly that it is not built yet, what brings it and what it will do.
import { fixture, html, expect } from '@open-wc/testing';
import '../../client/src/pages/page-section.js';
import type { PageSection } from '../../client/src/pages/page-section.js';
import { SECTIONS } from '../../client/src/app/sections.js';

describe('page-section', () => {
  it('says "Agents is not built yet — arrives with …" and what the section will do', async () => {
    const el = await fixture<PageSection>(html`<page-section section="agents"></page-section>`);
    expect(el.shadowRoot!.querySelector('h1')!.textContent).to.contain('Agents');
    expect(el.shadowRoot!.querySelector('.status')!.textContent).to.equal('Agents is not built yet — arrives with agent monitoring.');
    expect(el.shadowRoot!.querySelector('.will')!.textContent).to.match(/^What it will do: .+trigger or cancel runs\.$/);
  });

  for (const section of SECTIONS.filter((s) => s.key !== 'home')) {
    it(`has a plain not-built-yet notice for ${section.label}`, async () => {
      const el = await fixture<PageSection>(html`<page-section section=${section.key}></page-section>`);
      expect(el.shadowRoot!.querySelector('.status')!.textContent).to.equal(`${section.label} is not built yet — arrives with ${section.arrivesWith}.`);
    });
  }

  it('takes the section from the router location when no key is given', async () => {
    const el = await fixture<PageSection>(html`<page-section .location=${{ pathname: '/settings' }}></page-section>`);
    expect(el.shadowRoot!.querySelector('.status')!.textContent).to.contain('Settings is not built yet');
  });
});
