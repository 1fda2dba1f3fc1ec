// <page-login>: the API's error message is shown as is (429 adds "try again in N s"), Enter submits,
// the button is busy while signing in, fields carry autocomplete hints, and ?next= is kept same-origin. A sign-in
// with a first password that must be changed goes on to "Choose a new password", with the policy's errors per field.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/pages/page-login.js';
import { safeNext, type PageLogin } from '../../client/src/pages/page-login.js';
import { ApiClient } from '../../client/src/api/api-client.js';
import type SlInput from '@shoelace-style/shoelace/dist/components/input/input.js';

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

function fakeApi(replies: Reply[], calls: Array<{ url: string; init?: RequestInit }> = []): ApiClient {
  return new ApiClient(async (input, init) => {
    calls.push({ url: String(input), init });
    const reply = replies.shift() ?? { status: 500, body: {} };
    const body = reply.status === 204 ? null : JSON.stringify(reply.body);
    return new Response(body, { status: reply.status, headers: { 'Content-Type': 'application/json', ...reply.headers } });
  });
}

async function fillAndSubmit(el: PageLogin, username: string, password: string, how: 'enter' | 'click' = 'click'): Promise<void> {
  const [user, pass] = [...el.shadowRoot!.querySelectorAll('sl-input')];
  user!.value = username;
  pass!.value = password;
  await pass!.updateComplete;
  if (how === 'enter') {
    pass!.shadowRoot!.querySelector('input')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
  } else {
    el.shadowRoot!.querySelector('form')!.requestSubmit();
  }
}

const changeForm = (el: PageLogin) => el.shadowRoot!.querySelector('password-change-form');
const changeInput = (el: PageLogin, name: string) => changeForm(el)?.shadowRoot!.querySelector<SlInput>(`sl-input[name="${name}"]`) ?? null;
/** The texts of the errors shown under one field of the change form. */
const fieldErrors = (el: PageLogin, name: string) =>
  [...(changeInput(el, name)?.querySelectorAll('[slot="help-text"] .field-error') ?? [])].map((e) => e.textContent!.replace(/\s+/g, ' ').trim());

async function fillChange(el: PageLogin, values: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const input = changeInput(el, name)!;
    input.value = value;
    await input.updateComplete;
  }
  changeForm(el)!.shadowRoot!.querySelector('form')!.requestSubmit();
}

/** Stops Router.go from leaving the test page; returns a function that undoes it. */
function holdNavigation(): () => void {
  const stopNav = (e: Event) => e.preventDefault();
  window.addEventListener('vaadin-router-go', stopNav);
  return () => window.removeEventListener('vaadin-router-go', stopNav);
}

const MUST_CHANGE = { status: 200, body: { user: { username: 'admin', role: 'admin' }, mustChangePassword: true } };
const ME_MUST_CHANGE = { status: 200, body: { user: { username: 'admin', role: 'admin', kind: 'session' }, csrfToken: 'csrf-1', mustChangePassword: true } };

const errorText = (el: PageLogin) => el.shadowRoot!.querySelector('.error')?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

describe('page-login', () => {
  it('shows the API error message for wrong credentials (401)', async () => {
    const api = fakeApi([{ status: 401, body: { error: { code: 'invalid_credentials', message: 'Wrong username or password.' } } }]);
    const el = await fixture<PageLogin>(html`<page-login .api=${api}></page-login>`);
    let signedOutEvents = 0;
    const onSignedOut = () => { signedOutEvents += 1; };
    window.addEventListener('oc-signed-out', onSignedOut);
    await fillAndSubmit(el, 'asha', 'nope');
    await waitUntil(() => errorText(el) !== '', 'error shown');
    window.removeEventListener('oc-signed-out', onSignedOut);
    expect(errorText(el)).to.equal('Wrong username or password.');
    expect(el.shadowRoot!.querySelector('[role="alert"]')).to.exist;
    expect(signedOutEvents, 'a failed sign-in is not a sign-out').to.equal(0);
  });

  it('shows the 429 message with "try again in N s" from Retry-After', async () => {
    const api = fakeApi([{ status: 429, body: { error: { code: 'too_many_attempts', message: 'Too many failed sign-ins.' } }, headers: { 'Retry-After': '30' } }]);
    const el = await fixture<PageLogin>(html`<page-login .api=${api}></page-login>`);
    await fillAndSubmit(el, 'asha', 'nope');
    await waitUntil(() => errorText(el) !== '', 'error shown');
    expect(errorText(el)).to.match(/^Too many failed sign-ins\. Try again in (30|29) s\.$/);
    expect(el.shadowRoot!.querySelector('sl-button')!.hasAttribute('disabled')).to.equal(true);
  });

  it('submits with Enter in the password field, sends the credentials and announces the session', async () => {
    const calls: Array<{ url: string; init?: RequestInit }> = [];
    const api = fakeApi([{ status: 200, body: { user: { username: 'asha', role: 'admin' } } }], calls);
    const el = await fixture<PageLogin>(html`<page-login .api=${api} .location=${{ search: '?next=%2Fnowhere-test' }}></page-login>`);
    const session = new Promise<CustomEvent>((resolve) => window.addEventListener('oc-session', (e) => resolve(e as CustomEvent), { once: true }));
    // Keep the test page where it is: the page navigates with Router.go, which fires this event.
    const stopNav = (e: Event) => e.preventDefault();
    window.addEventListener('vaadin-router-go', stopNav);
    await fillAndSubmit(el, ' asha ', 'secret', 'enter');
    const event = await session;
    window.removeEventListener('vaadin-router-go', stopNav);
    expect(event.detail.user).to.deep.equal({ username: 'asha', role: 'admin' });
    expect(calls[0]!.url).to.equal('/api/auth/login');
    expect(JSON.parse(String(calls[0]!.init!.body))).to.deep.equal({ username: 'asha', password: 'secret' });
  });

  it('is busy while the request runs', async () => {
    let release!: () => void;
    const api = new ApiClient(() => new Promise<Response>((resolve) => {
      release = () => resolve(new Response(JSON.stringify({ error: { code: 'x', message: 'No.' } }), { status: 401 }));
    }));
    const el = await fixture<PageLogin>(html`<page-login .api=${api}></page-login>`);
    await fillAndSubmit(el, 'asha', 'pw');
    await el.updateComplete;
    const button = el.shadowRoot!.querySelector('sl-button')!;
    expect(button.hasAttribute('loading')).to.equal(true);
    expect(button.textContent!.trim()).to.equal('Signing in…');
    release();
    await waitUntil(() => errorText(el) === 'No.', 'error shown');
    expect(button.hasAttribute('loading')).to.equal(false);
  });

  it('asks for a missing field without calling the API', async () => {
    const calls: Array<{ url: string }> = [];
    const el = await fixture<PageLogin>(html`<page-login .api=${fakeApi([], calls)}></page-login>`);
    await fillAndSubmit(el, 'asha', '');
    await el.updateComplete;
    expect(errorText(el)).to.equal('Enter your password.');
    expect(calls).to.have.length(0);
  });

  it('gives the fields autocomplete hints for password managers', async () => {
    const el = await fixture<PageLogin>(html`<page-login .api=${fakeApi([])}></page-login>`);
    const [user, pass] = [...el.shadowRoot!.querySelectorAll('sl-input')];
    expect(user!.getAttribute('autocomplete')).to.equal('username');
    expect(pass!.getAttribute('autocomplete')).to.equal('current-password');
  });

  it('after signing in with a first password, asks for a new one twice (not the current one) and sends the remembered one', async () => {
    const calls: Array<{ url: string; init?: RequestInit }> = [];
    const api = fakeApi([MUST_CHANGE, ME_MUST_CHANGE, { status: 204, body: null }], calls);
    const el = await fixture<PageLogin>(html`<page-login .api=${api} .location=${{ search: '?next=%2Flogs' }}></page-login>`);
    let sessions = 0;
    const onSession = () => { sessions += 1; };
    window.addEventListener('oc-session', onSession);
    const release = holdNavigation();
    try {
      await fillAndSubmit(el, 'admin', 'generated-First-1');
      await waitUntil(() => changeForm(el), 'the change form is shown');
      expect(sessions, 'not into the app yet').to.equal(0);
      expect(el.shadowRoot!.querySelector('h1')!.textContent).to.contain('Choose a new password');
      expect(changeInput(el, 'currentPassword'), 'no current-password field: it is kept in memory').to.equal(null);
      expect(changeInput(el, 'newPassword')!.getAttribute('autocomplete')).to.equal('new-password');
      expect(changeInput(el, 'repeatPassword')!.getAttribute('autocomplete')).to.equal('new-password');
      expect(el.shadowRoot!.querySelector('sl-input[name="password"]'), 'the sign-in form is gone').to.equal(null);
      expect(el.shadowRoot!.innerHTML + changeForm(el)!.shadowRoot!.innerHTML).not.to.contain('generated-First-1');

      const session = new Promise<CustomEvent>((resolve) => window.addEventListener('oc-session', (e) => resolve(e as CustomEvent), { once: true }));
      await fillChange(el, { newPassword: 'my-own-choice-42', repeatPassword: 'my-own-choice-42' });
      const event = await session;
      expect(event.detail.user).to.deep.equal({ username: 'admin', role: 'admin' });
    } finally {
      release();
      window.removeEventListener('oc-session', onSession);
    }
    const change = calls.find((c) => c.url === '/api/auth/password')!;
    expect(change.init!.method).to.equal('POST');
    expect(JSON.parse(String(change.init!.body))).to.deep.equal({ currentPassword: 'generated-First-1', newPassword: 'my-own-choice-42' });
    expect(new Headers(change.init!.headers).get('X-CSRF-Token')).to.equal('csrf-1');
  });

  it('shows each of the gateway\'s policy problems under the new-password field and stays on the form', async () => {
    const refused = { status: 400, body: { error: { code: 'validation_failed', message: 'The password change has invalid fields.', details: [
      { field: 'newPassword', problem: 'at least 12 characters' },
      { field: 'newPassword', problem: 'too common (on a list of leaked passwords); choose another' },
    ] } } };
    const el = await fixture<PageLogin>(html`<page-login .api=${fakeApi([MUST_CHANGE, ME_MUST_CHANGE, refused])}></page-login>`);
    await fillAndSubmit(el, 'admin', 'generated-First-1');
    await waitUntil(() => changeForm(el), 'the change form is shown');
    await fillChange(el, { newPassword: 'password', repeatPassword: 'password' });
    await waitUntil(() => fieldErrors(el, 'newPassword').length > 0, 'errors shown');
    expect(fieldErrors(el, 'newPassword')).to.deep.equal(['At least 12 characters.', 'Too common (on a list of leaked passwords); choose another.']);
    expect(fieldErrors(el, 'repeatPassword')).to.deep.equal([]);
    expect(changeInput(el, 'newPassword')!.classList.contains('invalid')).to.equal(true);
    expect(changeInput(el, 'newPassword')!.querySelector('[slot="help-text"]')!.getAttribute('role')).to.equal('alert');
  });

  it('refuses two different new passwords on the second field without calling the gateway', async () => {
    const calls: Array<{ url: string; init?: RequestInit }> = [];
    const el = await fixture<PageLogin>(html`<page-login .api=${fakeApi([MUST_CHANGE], calls)}></page-login>`);
    await fillAndSubmit(el, 'admin', 'generated-First-1');
    await waitUntil(() => changeForm(el), 'the change form is shown');
    await fillChange(el, { newPassword: 'my-own-choice-42', repeatPassword: 'my-own-choice-43' });
    await waitUntil(() => fieldErrors(el, 'repeatPassword').length > 0, 'error shown');
    expect(fieldErrors(el, 'repeatPassword')).to.deep.equal(['The two new passwords differ.']);
    expect(calls.map((c) => c.url)).to.deep.equal(['/api/auth/login']);
  });

  it('after a reload (signed in, password not yet changed) asks for the current password too and shows a wrong one on that field', async () => {
    const wrong = { status: 400, body: { error: { code: 'wrong_password', message: 'The current password is wrong.', details: [{ field: 'currentPassword', problem: 'does not match' }] } } };
    const calls: Array<{ url: string; init?: RequestInit }> = [];
    const el = await fixture<PageLogin>(html`<page-login .api=${fakeApi([ME_MUST_CHANGE, wrong], calls)}
      .pendingChangeFor=${{ username: 'admin', role: 'admin' }}></page-login>`);
    await waitUntil(() => changeInput(el, 'currentPassword'), 'the current-password field is shown');
    expect(changeInput(el, 'currentPassword')!.getAttribute('autocomplete')).to.equal('current-password');
    await fillChange(el, { currentPassword: 'not-it', newPassword: 'my-own-choice-42', repeatPassword: 'my-own-choice-42' });
    await waitUntil(() => fieldErrors(el, 'currentPassword').length > 0, 'error shown');
    expect(fieldErrors(el, 'currentPassword')).to.deep.equal(['Does not match.']);
    expect(JSON.parse(String(calls.find((c) => c.url === '/api/auth/password')!.init!.body)).currentPassword).to.equal('not-it');
  });

  it('"Sign out instead" signs out and shows the sign-in form again', async () => {
    const calls: Array<{ url: string; init?: RequestInit }> = [];
    const el = await fixture<PageLogin>(html`<page-login .api=${fakeApi([MUST_CHANGE, ME_MUST_CHANGE, { status: 204, body: null }], calls)}></page-login>`);
    await fillAndSubmit(el, 'admin', 'generated-First-1');
    await waitUntil(() => changeForm(el), 'the change form is shown');
    changeForm(el)!.shadowRoot!.querySelector<HTMLElement>('sl-button.sign-out')!.click();
    await waitUntil(() => el.shadowRoot!.querySelector('sl-input[name="password"]'), 'back to the sign-in form');
    expect(calls.map((c) => c.url)).to.include('/api/auth/logout');
    expect(changeForm(el)).to.equal(null);
  });

  it('only follows ?next= to same-origin paths other than /login', () => {
    expect(safeNext('?next=%2Flogs%3Fq%3Derror')).to.equal('/logs?q=error');
    expect(safeNext('?next=https%3A%2F%2Fevil.example')).to.equal('/');
    expect(safeNext('?next=%2F%2Fevil.example')).to.equal('/');
    expect(safeNext('?next=%2Flogin')).to.equal('/');
    expect(safeNext('')).to.equal('/');
  });
});
