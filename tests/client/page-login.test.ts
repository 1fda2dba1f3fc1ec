// <page-login>: the API's error message is shown as is (429 adds "try again in N s"), Enter submits,
// the button is busy while signing in, fields carry autocomplete hints, and ?next= is kept same-origin.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/pages/page-login.js';
import { safeNext, type PageLogin } from '../../client/src/pages/page-login.js';
import { ApiClient } from '../../client/src/api/api-client.js';

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

function fakeApi(replies: Reply[], calls: Array<{ url: string; init?: RequestInit }> = []): ApiClient {
  return new ApiClient(async (input, init) => {
    calls.push({ url: String(input), init });
    const reply = replies.shift() ?? { status: 500, body: {} };
    return new Response(JSON.stringify(reply.body), { status: reply.status, headers: { 'Content-Type': 'application/json', ...reply.headers } });
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

  it('only follows ?next= to same-origin paths other than /login', () => {
    expect(safeNext('?next=%2Flogs%3Fq%3Derror')).to.equal('/logs?q=error');
    expect(safeNext('?next=https%3A%2F%2Fevil.example')).to.equal('/');
    expect(safeNext('?next=%2F%2Fevil.example')).to.equal('/');
    expect(safeNext('?next=%2Flogin')).to.equal('/');
    expect(safeNext('')).to.equal('/');
  });
});
