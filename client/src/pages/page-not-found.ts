// Shown for a path no route matches: names the path and offers the way home.
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { MapPinOff } from 'lucide';
import '../components/oc-icon.js';

@customElement('page-not-found')
export class PageNotFound extends LitElement {
  static styles = css`
    :host { display: block; padding: 1rem; max-width: 46rem; }
    h1 { display: flex; align-items: center; gap: 0.5rem; font-size: 1.4rem; margin: 0 0 0.75rem; }
    code { font-family: var(--oc-mono, monospace); background: var(--oc-surface-2); padding: 0.1rem 0.3rem; border-radius: 4px; }
    a { color: var(--oc-accent); display: inline-flex; align-items: center; min-height: 44px; }
  `;

  @property({ attribute: false }) location?: { pathname: string };

  render() {
    const path = this.location?.pathname ?? window.location.pathname;
    return html`<h1><oc-icon .icon=${MapPinOff}></oc-icon>Page not found</h1>
      <p>There is no page at <code>${path}</code>. It may have moved, or the link is mistyped.</p>
      <a href="/">Go to Home</a>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'page-not-found': PageNotFound }
}
