// The "Choose a new password" form shown after signing in with a generated first password: the new password
// twice (and the current one only when the page does not hold it), each field with its own errors; it checks
// only what needs no server (empty, the two differ) and sends `password-change-submit` up; the page talks to the API.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { CircleAlert } from 'lucide';
import '@shoelace-style/shoelace/dist/components/input/input.js';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import type SlInput from '@shoelace-style/shoelace/dist/components/input/input.js';
import './oc-icon.js';

export type PasswordField = 'currentPassword' | 'newPassword' | 'repeatPassword';
export type FieldErrors = Partial<Record<PasswordField, string[]>>;
export interface PasswordChangeDetail {
  /** null: the page holds the current password from the sign-in. */
  currentPassword: string | null;
  newPassword: string;
}

// The gateway's policy decides; this is only the hint shown before the first try (gateway/domain/password-policy.ts).
const HINT = 'At least 12 characters, not a commonly used password.';

const sentence = (problem: string) => problem.charAt(0).toUpperCase() + problem.slice(1) + (/[.!?]$/.test(problem) ? '' : '.');

@customElement('password-change-form')
export class PasswordChangeForm extends LitElement {
  static styles = css`
    :host { display: block; }
    form { display: grid; gap: 1rem; }
    sl-input::part(form-control-label) { font-weight: 600; }
    sl-input.invalid::part(base) { border-color: var(--oc-bad); }
    .field-error { display: flex; gap: 0.35rem; align-items: flex-start; color: var(--oc-bad); margin: 0.15rem 0 0; }
    .field-error oc-icon { flex: none; margin-top: 0.1rem; }
    ul { margin: 0; padding: 0; list-style: none; }
    .hint { color: var(--oc-fg-muted); }
    .actions { display: grid; gap: 0.5rem; }
    sl-button { width: 100%; }
    sl-button::part(base) { min-height: 44px; }
    .error { display: flex; gap: 0.5rem; align-items: flex-start; padding: 0.6rem 0.75rem; border-radius: 8px;
      color: var(--oc-bad); background: var(--oc-bad-bg); border: 1px solid currentColor; }
  `;

  /** Ask for the current password too (after a reload the page no longer holds it). */
  @property({ type: Boolean, attribute: 'ask-current' }) askCurrent = false;
  @property({ type: Boolean }) busy = false;
  @property({ attribute: false }) fieldErrors: FieldErrors = {};
  /** A problem that belongs to no field (the gateway unreachable, …). */
  @property() error = '';
  @query('sl-input[name="currentPassword"]') private currentInput?: SlInput;
  @query('sl-input[name="newPassword"]') private newInput!: SlInput;
  @query('sl-input[name="repeatPassword"]') private repeatInput!: SlInput;

  /** Focuses the first field with an error, or the first field. */
  async focusFirst(): Promise<void> {
    await this.updateComplete;
    await customElements.whenDefined('sl-input');
    const order: Array<[PasswordField, SlInput | undefined]> = [['currentPassword', this.currentInput], ['newPassword', this.newInput], ['repeatPassword', this.repeatInput]];
    const target = order.find(([field, input]) => input && this.fieldErrors[field]?.length)?.[1] ?? order.find(([, input]) => input)?.[1];
    target?.focus();
  }

  render() {
    return html`<form @submit=${this.#submit} novalidate>
      ${this.askCurrent ? this.#field('currentPassword', 'Current password', 'current-password', '') : nothing}
      ${this.#field('newPassword', 'New password', 'new-password', HINT)}
      ${this.#field('repeatPassword', 'New password again', 'new-password', '')}
      ${this.error ? html`<div class="error" role="alert"><oc-icon .icon=${CircleAlert}></oc-icon><span>${this.error}</span></div>` : nothing}
      <div class="actions">
        <sl-button type="submit" variant="primary" ?loading=${this.busy}>${this.busy ? 'Saving…' : 'Save and continue'}</sl-button>
        <sl-button class="sign-out" variant="text" ?disabled=${this.busy} @click=${this.#signOut}>Sign out instead</sl-button>
      </div>
    </form>`;
  }

  #field(name: PasswordField, label: string, autocomplete: string, hint: string) {
    const errors = this.fieldErrors[name] ?? [];
    // Errors go in the help-text slot, which Shoelace ties to the input (aria-describedby) for screen readers.
    const help = errors.length > 0
      ? html`<ul slot="help-text" class="field-errors" role="alert">${errors.map((e) => html`<li class="field-error">
          <oc-icon .icon=${CircleAlert}></oc-icon><span>${sentence(e)}</span></li>`)}</ul>`
      : hint ? html`<span slot="help-text" class="hint">${hint}</span>` : nothing;
    return html`<sl-input name=${name} type="password" label=${label} autocomplete=${autocomplete} password-toggle
      class=${errors.length > 0 ? 'invalid' : ''} ?disabled=${this.busy} required>${help}</sl-input>`;
  }

  #submit(event: Event): void {
    event.preventDefault();
    if (this.busy) return;
    const currentPassword = this.askCurrent ? this.currentInput?.value ?? '' : null;
    const newPassword = this.newInput.value ?? '';
    const repeat = this.repeatInput.value ?? '';
    const errors: FieldErrors = {};
    if (currentPassword === '') errors.currentPassword = ['enter your current password'];
    if (!newPassword) errors.newPassword = ['enter a new password'];
    else if (repeat !== newPassword) errors.repeatPassword = ['the two new passwords differ'];
    this.fieldErrors = errors;
    this.error = '';
    if (Object.keys(errors).length > 0) {
      void this.focusFirst();
      return;
    }
    this.dispatchEvent(new CustomEvent<PasswordChangeDetail>('password-change-submit', { detail: { currentPassword, newPassword }, bubbles: true, composed: true }));
  }

  #signOut(): void {
    this.dispatchEvent(new CustomEvent('password-change-sign-out', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'password-change-form': PasswordChangeForm }
}
