// "New version available — Reload": shown when a new service worker is waiting; the reload button
// fires 'oc-update-reload' (the page then activates the worker and reloads once it controls the page).
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { CircleFadingArrowUp, X } from 'lucide';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import './oc-icon.js';

@customElement('update-toast')
export class UpdateToast extends LitElement {
  static styles = css`
    :host { position: fixed; z-index: 50; left: 50%; transform: translateX(-50%);
      bottom: calc(env(safe-area-inset-bottom, 0px) + var(--oc-toast-offset, 1rem)); width: max-content; max-width: calc(100vw - 2rem); }
    .toast { display: flex; align-items: center; gap: 0.75rem; padding: 0.5rem 0.5rem 0.5rem 1rem; border-radius: 12px;
      background: var(--oc-surface); color: var(--oc-fg); border: 1px solid var(--oc-border); box-shadow: 0 6px 24px rgb(0 0 0 / 0.25); }
    .dismiss { display: inline-grid; place-items: center; width: 44px; height: 44px; border: 0; background: none; color: var(--oc-fg-muted);
      border-radius: 8px; cursor: pointer; }
    .dismiss:focus-visible { outline: 3px solid var(--oc-focus); outline-offset: 2px; }
  `;

  @property({ type: Boolean, reflect: true }) open = false;
  @property({ type: Boolean }) busy = false;

  render() {
    if (!this.open) return nothing;
    return html`<div class="toast" role="status">
      <oc-icon .icon=${CircleFadingArrowUp}></oc-icon>
      <span>New version available</span>
      <sl-button variant="primary" size="medium" ?loading=${this.busy} @click=${this.#reload}>Reload</sl-button>
      <button class="dismiss" aria-label="Dismiss" @click=${this.#dismiss}><oc-icon .icon=${X}></oc-icon></button>
    </div>`;
  }

  #reload(): void {
    this.busy = true;
    this.dispatchEvent(new CustomEvent('oc-update-reload', { bubbles: true, composed: true }));
  }

  #dismiss(): void {
    this.open = false;
    this.dispatchEvent(new CustomEvent('oc-update-dismiss', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'update-toast': UpdateToast }
}
