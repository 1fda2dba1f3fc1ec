// The `?` sheet: lists the keyboard shortcuts in a Shoelace dialog (Esc or the close button dismisses it).
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import '@shoelace-style/shoelace/dist/components/dialog/dialog.js';

export interface Shortcut { keys: string[]; does: string }

export const SHORTCUTS: Shortcut[] = [
  { keys: ['?'], does: 'Show this list of shortcuts' },
  { keys: ['g', 'h'], does: 'Go to Home' },
  { keys: ['g', 'a'], does: 'Go to Agents' },
  { keys: ['g', 'l'], does: 'Go to Logs' },
  { keys: ['g', 's'], does: 'Go to Settings' },
  { keys: ['/'], does: 'Focus the search box (on pages that have one)' },
  { keys: ['Esc'], does: 'Close a dialog, sheet or menu' },
];

@customElement('shortcut-sheet')
export class ShortcutSheet extends LitElement {
  static styles = css`
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.6rem 1rem; margin: 0; align-items: center; }
    dt { display: flex; gap: 0.3rem; align-items: center; }
    dd { margin: 0; }
    kbd { font-family: var(--oc-mono, monospace); min-width: 1.6em; text-align: center; padding: 0.15rem 0.4rem; border-radius: 6px;
      border: 1px solid var(--oc-border); border-bottom-width: 2px; background: var(--oc-surface-2); color: var(--oc-fg); }
    .then { color: var(--oc-fg-muted); font-size: 0.8rem; }
  `;

  @property({ type: Boolean, reflect: true }) open = false;

  render() {
    return html`<sl-dialog label="Keyboard shortcuts" ?open=${this.open} @sl-after-hide=${this.#closed}>
      <dl>
        ${SHORTCUTS.map((s) => html`<dt>${s.keys.map((k, i) => html`${i > 0 ? html`<span class="then">then</span>` : ''}<kbd>${k}</kbd>`)}</dt>
          <dd>${s.does}</dd>`)}
      </dl>
    </sl-dialog>`;
  }

  #closed(e: Event): void {
    if (e.target !== e.currentTarget) return; // sl-after-hide also bubbles from nested tooltips etc.
    this.open = false;
    this.dispatchEvent(new CustomEvent('oc-shortcuts-closed', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'shortcut-sheet': ShortcutSheet }
}
