// Sign-in page: username + password (Enter submits), the API's own error message on failure
// (429 adds "try again in N s"), then on to the page the user was sent here from (?next=). An account still on
// its generated first password chooses a new one here first (<password-change-form>).
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { Router } from '@vaadin/router';
import { Activity, CircleAlert, KeyRound } from 'lucide';
import '@shoelace-style/shoelace/dist/components/input/input.js';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import type SlInput from '@shoelace-style/shoelace/dist/components/input/input.js';
import { api as defaultApi, ApiClientError, type ApiClient, type SessionUser } from '../api/api-client.js';
import { rememberSignedIn } from '../app/session.js';
import '../components/oc-icon.js';
import '../components/password-change-form.js';
import type { FieldErrors, PasswordChangeDetail, PasswordChangeForm, PasswordField } from '../components/password-change-form.js';

/** Where to go after sign-in: only same-origin paths, never back to /login (no open redirects). */
export function safeNext(search: string): string {
  const next = new URLSearchParams(search).get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next === '/login' || next.startsWith('/login?') || next.startsWith('/login/')) return '/';
  return next;
}

@customElement('page-login')
export class PageLogin extends LitElement {
  static styles = css`
    :host { display: flex; justify-content: center; align-items: flex-start; min-height: 100%; box-sizing: border-box;
      padding: max(2rem, 8vh) 1rem 2rem; }
    .card { width: 100%; max-width: 22rem; background: var(--oc-surface); border: 1px solid var(--oc-border);
      border-radius: 14px; padding: 1.5rem 1.25rem; box-sizing: border-box; }
    h1 { display: flex; align-items: center; gap: 0.5rem; margin: 0 0 0.25rem; font-size: 1.35rem; }
    .lead { margin: 0 0 1.25rem; color: var(--oc-fg-muted); }
    form { display: grid; gap: 1rem; }
    sl-input::part(form-control-label) { font-weight: 600; }
    sl-button { width: 100%; }
    sl-button::part(base) { min-height: 44px; }
    .error { display: flex; gap: 0.5rem; align-items: flex-start; padding: 0.6rem 0.75rem; border-radius: 8px;
      color: var(--oc-bad); background: var(--oc-bad-bg); border: 1px solid currentColor; }
    .error oc-icon { margin-top: 0.1rem; }
  `;

  /** Injected in tests; the app's shared client otherwise. */
  @property({ attribute: false }) api: ApiClient = defaultApi;
  /** Set by @vaadin/router. */
  @property({ attribute: false }) location?: { search: string };
  /** Signed in, but the first password must be replaced: show "Choose a new password" (set by the route after a reload). */
  @property({ attribute: false }) pendingChangeFor: SessionUser | null = null;
  @state() private busy = false;
  @state() private error = '';
  @state() private retryInSeconds = 0;
  @query('sl-input[name="username"]') private usernameInput!: SlInput;
  @query('sl-input[name="password"]') private passwordInput!: SlInput;
  @query('password-change-form') private changeForm?: PasswordChangeForm;
  @state() private changeErrors: FieldErrors = {};
  @state() private changeError = '';
  /** Typed at sign-in, kept for the password change (in memory only, never rendered) and dropped after it. */
  #currentPassword: string | null = null;
  #countdown: ReturnType<typeof setInterval> | null = null;

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopCountdown();
    this.#currentPassword = null;
  }

  firstUpdated(): void {
    // Let Shoelace render its inner input before focusing it.
    if (this.pendingChangeFor) void this.changeForm?.focusFirst();
    else void customElements.whenDefined('sl-input').then(() => this.usernameInput?.focus());
  }

  render() {
    return this.pendingChangeFor ? this.#renderChange(this.pendingChangeFor) : this.#renderSignIn();
  }

  #renderChange(user: SessionUser) {
    return html`<section class="card" aria-labelledby="title">
      <h1 id="title"><oc-icon .icon=${KeyRound}></oc-icon>Choose a new password</h1>
      <p class="lead">Signed in as <strong>${user.username}</strong> with the password made at setup. Choose your own
        to continue; the setup password stops working.</p>
      <password-change-form ?ask-current=${this.#currentPassword === null} ?busy=${this.busy} .fieldErrors=${this.changeErrors}
        .error=${this.changeError} @password-change-submit=${this.#change} @password-change-sign-out=${this.#signOutInstead}></password-change-form>
    </section>`;
  }

  #renderSignIn() {
    const waiting = this.retryInSeconds > 0;
    return html`<section class="card" aria-labelledby="title">
      <h1 id="title"><oc-icon .icon=${Activity}></oc-icon>Ops Center</h1>
      <p class="lead">Sign in to see the pipeline's health.</p>
      <form @submit=${this.#submit} novalidate>
        <sl-input name="username" label="Username" autocomplete="username" autocapitalize="off" autocorrect="off"
          spellcheck="false" enterkeyhint="next" required ?disabled=${this.busy}></sl-input>
        <sl-input name="password" type="password" label="Password" autocomplete="current-password" password-toggle
          enterkeyhint="go" required ?disabled=${this.busy}></sl-input>
        ${this.error ? html`<div class="error" role="alert"><oc-icon .icon=${CircleAlert}></oc-icon>
          <span>${this.error}${waiting ? html` Try again in ${this.retryInSeconds} s.` : nothing}</span></div>` : nothing}
        <sl-button type="submit" variant="primary" ?loading=${this.busy} ?disabled=${waiting}>
          ${this.busy ? 'Signing in…' : 'Sign in'}</sl-button>
      </form>
    </section>`;
  }

  async #submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy || this.retryInSeconds > 0) return;
    const username = (this.usernameInput?.value ?? '').trim();
    const password = this.passwordInput?.value ?? '';
    if (!username || !password) {
      this.error = !username ? 'Enter your username.' : 'Enter your password.';
      (!username ? this.usernameInput : this.passwordInput)?.focus();
      return;
    }
    this.busy = true;
    this.error = '';
    let signedIn: { user: SessionUser; mustChangePassword: boolean };
    try {
      signedIn = await this.api.login(username, password);
    } catch (err) {
      this.busy = false;
      this.#showError(err);
      await this.updateComplete;
      this.passwordInput?.focus();
      return;
    }
    this.busy = false;
    if (signedIn.mustChangePassword) {
      this.#currentPassword = password;
      this.changeErrors = {};
      this.changeError = '';
      this.pendingChangeFor = signedIn.user;
      await this.updateComplete;
      await this.changeForm?.focusFirst();
      return;
    }
    this.#enter(signedIn.user);
  }

  #enter(user: SessionUser): void {
    rememberSignedIn(true); // the next page loads alongside its session check
    window.dispatchEvent(new CustomEvent('oc-session', { detail: { user } }));
    Router.go(safeNext(this.location?.search ?? window.location.search));
  }

  async #change(event: CustomEvent<PasswordChangeDetail>): Promise<void> {
    const user = this.pendingChangeFor;
    const current = event.detail.currentPassword ?? this.#currentPassword;
    if (!user || current === null || this.busy) return;
    this.busy = true;
    this.changeErrors = {};
    this.changeError = '';
    try {
      await this.api.changePassword(current, event.detail.newPassword);
    } catch (err) {
      this.busy = false;
      await this.#showChangeError(err);
      return;
    }
    this.busy = false;
    this.#currentPassword = null;
    this.pendingChangeFor = null;
    this.#enter(user);
  }

  async #showChangeError(err: unknown): Promise<void> {
    if (err instanceof ApiClientError && err.status === 401) {
      // The session ended meanwhile (timeout, signed out elsewhere): sign in again.
      this.#currentPassword = null;
      this.pendingChangeFor = null;
      this.error = 'Your session ended. Sign in again.';
      return;
    }
    if (err instanceof ApiClientError && err.status === 400 && Array.isArray(err.details)) {
      const errors: FieldErrors = {};
      for (const d of err.details as Array<{ field?: unknown; problem?: unknown }>) {
        const field = d.field === 'currentPassword' || d.field === 'newPassword' ? (d.field as PasswordField) : null;
        if (field && typeof d.problem === 'string') (errors[field] ??= []).push(d.problem);
      }
      if (errors.currentPassword && this.#currentPassword !== null) {
        // The remembered password no longer matches (changed elsewhere meanwhile): ask for it.
        this.#currentPassword = null;
      }
      if (Object.keys(errors).length > 0) {
        this.changeErrors = errors;
        await this.updateComplete;
        await this.changeForm?.focusFirst();
        return;
      }
    }
    this.changeError = err instanceof ApiClientError ? err.message : 'Saving the new password failed unexpectedly. Try again.';
    if (!(err instanceof ApiClientError)) console.error(err);
  }

  async #signOutInstead(): Promise<void> {
    this.#currentPassword = null;
    try {
      await this.api.logout();
    } catch {
      // signed out here either way
    }
    this.pendingChangeFor = null;
    this.changeErrors = {};
    this.changeError = '';
    await this.updateComplete;
    this.usernameInput?.focus();
  }

  #showError(err: unknown): void {
    if (err instanceof ApiClientError) {
      this.error = err.message;
      if (err.status === 429 && err.retryAfterSeconds) this.#startCountdown(err.retryAfterSeconds);
    } else {
      this.error = 'Signing in failed unexpectedly. Try again.';
      console.error(err);
    }
  }

  #startCountdown(seconds: number): void {
    this.#stopCountdown();
    this.retryInSeconds = seconds;
    this.#countdown = setInterval(() => {
      this.retryInSeconds = Math.max(0, this.retryInSeconds - 1);
      if (this.retryInSeconds === 0) this.#stopCountdown();
    }, 1000);
  }

  #stopCountdown(): void {
    if (this.#countdown !== null) clearInterval(this.#countdown);
    this.#countdown = null;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'page-login': PageLogin }
}
