// Placeholder page for sections not built yet: says plainly that the section is not built
// yet, what brings it, and what it will do — so nobody mistakes an empty screen for "no data".
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { Construction } from 'lucide';
import { sectionByKey, sectionForPath } from '../app/sections.js';
import '../components/oc-icon.js';

@customElement('page-section')
export class PageSection extends LitElement {
  static styles = css`
    :host { display: block; padding: 1rem; max-width: 46rem; }
    h1 { display: flex; align-items: center; gap: 0.5rem; font-size: 1.4rem; margin: 0 0 0.75rem; }
    .notice { display: flex; gap: 0.6rem; align-items: flex-start; padding: 0.9rem 1rem; border-radius: var(--oc-radius, 10px);
      background: var(--oc-surface); border: 1px solid var(--oc-border); }
    .notice oc-icon { color: var(--oc-fg-muted); margin-top: 0.1rem; }
    p { margin: 0 0 0.5rem; line-height: 1.5; }
    .will { color: var(--oc-fg-muted); margin: 0; }
  `;

  /** Section key (e.g. 'agents'); when unset, taken from the router location. */
  @property() section = '';
  /** Set by @vaadin/router on rendered route elements. */
  @property({ attribute: false }) location?: { pathname: string };

  render() {
    const section = sectionByKey(this.section) ?? sectionForPath(this.location?.pathname ?? window.location.pathname);
    const label = section?.label ?? 'This section';
    return html`<h1 id="title">${section ? html`<oc-icon .icon=${section.icon}></oc-icon>` : ''}${label}</h1>
      <div class="notice" role="note" aria-labelledby="title">
        <oc-icon .icon=${Construction}></oc-icon>
        <div>
          <p class="status">${label} is not built yet — arrives with ${section?.arrivesWith ?? 'a later release'}.</p>
          ${section?.willDo ? html`<p class="will">What it will do: ${section.willDo}</p>` : ''}
        </div>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'page-section': PageSection }
}
