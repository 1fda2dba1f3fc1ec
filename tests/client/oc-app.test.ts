// <oc-app> shell: open-problem count from the live `status`/`processes` topics (calm at 0), connection
// indicator, `?` shortcuts sheet, bottom navigation with "More" below 1024 px and the sidebar above it.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import '../../client/src/app/oc-app.js';
import type { OcApp } from '../../client/src/app/oc-app.js';
import { LiveStore } from '../../client/src/live/live-store.js';
import { FakeEnvironment, FakeSocket } from './fake-live.js';
import { setTheme, textContrast, tokenColour, useAppTokens } from './contrast.js';

const UP = { state: 'up', observedAt: '2024-06-01T08:00:00Z' };
const healthy = {
  generatedAt: '2024-06-01T08:00:00Z', system: null,
  processes: [{ name: 'api', status: 'online' }, { name: 'worker', status: 'online' }],
  services: { pm2: UP, webhook: UP, whatsapp: { state: 'not_configured', observedAt: null }, sheets: UP, drive: { state: 'unknown', observedAt: null } },
  alerts: { active: [], state: 'not_configured' },
};

async function mountApp(): Promise<{ el: OcApp; store: LiveStore; socket: FakeSocket }> {
  FakeSocket.reset();
  const store = new LiveStore({ url: 'ws://test/ws', socketClass: FakeSocket, environment: new FakeEnvironment(), setTimer: () => 0, clearTimer: () => {} });
  const el = await fixture<OcApp>(html`<oc-app .live=${store}></oc-app>`);
  window.dispatchEvent(new CustomEvent('oc-session', { detail: { user: { username: 'asha', role: 'operator' } } }));
  const socket = await FakeSocket.next(0);
  socket.open();
  await el.updateComplete;
  return { el, store, socket };
}

const $ = (el: OcApp, selector: string) => el.shadowRoot!.querySelector(selector) as HTMLElement | null;
const problems = (el: OcApp) => $(el, '.problems')!;

describe('oc-app shell', () => {
  afterEach(async () => { await setViewport({ width: 800, height: 600 }); });

  // First in the file: no other test has loaded the menus yet.
  it('imports no Shoelace menu, drawer or dialog until the signed-in user heads for one; the account menu opens on the first click', async () => {
    const { el, store } = await mountApp();
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100)));
    for (const tag of ['sl-dropdown', 'sl-menu', 'sl-drawer', 'sl-dialog', 'shortcut-sheet']) {
      expect(customElements.get(tag), `${tag} defined`).to.equal(undefined);
    }
    expect(getComputedStyle($(el, 'sl-drawer')!).display, 'an undefined drawer shows nothing').to.equal('none');
    expect(getComputedStyle($(el, 'sl-menu')!).display, 'nor does the menu of an undefined dropdown').to.equal('none');
    ($(el, 'button.user') as HTMLButtonElement).click();
    await waitUntil(() => $(el, 'sl-dropdown')?.hasAttribute('open'), 'the account menu opens once loaded', { timeout: 5000 });
    for (const tag of ['sl-dropdown', 'sl-drawer', 'shortcut-sheet']) expect(customElements.get(tag), `${tag} defined`).to.not.equal(undefined);
    store.stop();
  });

  it('subscribes to status and processes, and shows "0 problems" calmly (not red) when all is well', async () => {
    const { el, store, socket } = await mountApp();
    expect(socket.sent[0]).to.deep.equal({ op: 'subscribe', topics: ['status', 'processes'] });
    expect(problems(el).textContent!.trim()).to.equal('Problems: —');
    socket.receive({ topic: 'status', seq: 1, type: 'snapshot', data: { ...healthy, history: [] } });
    await el.updateComplete;
    expect(problems(el).textContent!.trim()).to.equal('0 problems');
    expect(problems(el).classList.contains('calm')).to.equal(true);
    expect(problems(el).classList.contains('bad')).to.equal(false);
    expect(($(el, 'connection-indicator') as HTMLElement & { state: string }).state).to.equal('live');
    store.stop();
  });

  it('counts services down/degraded, processes not online and active alerts', async () => {
    const { el, store, socket } = await mountApp();
    socket.receive({ topic: 'status', seq: 1, type: 'snapshot', data: healthy });
    socket.receive({ topic: 'status', seq: 2, type: 'health', data: {
      ...healthy, services: { ...healthy.services, webhook: { state: 'down', observedAt: null }, sheets: { state: 'degraded', observedAt: null } },
      alerts: { active: [{ id: 'a1' }] },
    } });
    socket.receive({ topic: 'processes', seq: 1, type: 'snapshot', data: {
      state: 'up', observedAt: null, processes: [{ name: 'api', status: 'online' }, { name: 'worker', status: 'errored' }] } });
    await el.updateComplete;
    expect(problems(el).textContent!.trim()).to.equal('4 problems');
    expect(problems(el).classList.contains('bad')).to.equal(true);
    store.stop();
  });

  it('opens the shortcuts sheet with ?', async () => {
    const { el, store } = await mountApp();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '?', bubbles: true }));
    const sheet = $(el, 'shortcut-sheet') as HTMLElement & { open: boolean; updateComplete: Promise<unknown> };
    await waitUntil(() => sheet.open, 'the sheet opens once its module is there', { timeout: 5000 });
    await sheet.updateComplete;
    expect(sheet.shadowRoot!.querySelector('sl-dialog')!.hasAttribute('open')).to.equal(true);
    store.stop();
  });

  it('below 1024 px: bottom navigation with Home, Agents, Content, Logs and More (≥ 44 px targets); More lists the rest', async () => {
    await setViewport({ width: 375, height: 740 });
    const { el, store } = await mountApp();
    const items = [...el.shadowRoot!.querySelectorAll('.bottomnav a, .bottomnav button')] as HTMLElement[];
    expect(items.map((i) => i.textContent!.trim())).to.deep.equal(['Home', 'Agents', 'Content', 'Logs', 'More']);
    for (const item of items) expect(item.getBoundingClientRect().height).to.be.at.least(44);
    expect(getComputedStyle($(el, '.sidebar')!).display).to.equal('none');
    items[4]!.click();
    const drawer = $(el, 'sl-drawer')!;
    await waitUntil(() => drawer.hasAttribute('open'), 'More drawer opens', { timeout: 5000 });
    expect([...drawer.querySelectorAll('a')].map((a) => a.textContent!.trim())).to.deep.equal(['Advisors', 'Webhook', 'Analytics', 'Backups', 'Settings']);
    store.stop();
  });

  it('from 1024 px: a persistent sidebar with every section and no bottom navigation', async () => {
    await setViewport({ width: 1440, height: 900 });
    const { el, store } = await mountApp();
    const sidebar = $(el, '.sidebar')!;
    expect(getComputedStyle(sidebar).display).to.equal('flex');
    expect([...sidebar.querySelectorAll('a')].map((a) => a.textContent!.trim())).to.deep.equal(
      ['Home', 'Agents', 'Content', 'Advisors', 'Logs', 'Webhook', 'Analytics', 'Backups', 'Settings']);
    expect(getComputedStyle($(el, '.bottomnav')!).display).to.equal('none');
    store.stop();
  });

  it('has a skip-to-content control that moves focus to <main>', async () => {
    const { el, store } = await mountApp();
    const skip = $(el, '.skip')!;
    expect(skip.tagName, 'a button: an in-page #main link has no target outside the shadow root').to.equal('BUTTON');
    expect(skip.textContent!.trim()).to.equal('Skip to content');
    skip.click();
    expect(el.shadowRoot!.activeElement).to.equal($(el, 'main'));
    store.stop();
  });

  it('has no in-page link whose target the document cannot find', async () => {
    const { el, store } = await mountApp();
    const inPage = [...el.shadowRoot!.querySelectorAll('a[href^="#"]')].filter((a) => !document.getElementById(a.getAttribute('href')!.slice(1)));
    expect(inPage.map((a) => a.outerHTML)).to.deep.equal([]);
    store.stop();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`shows the focused skip control at 4.5:1 or more in the ${theme} theme`, async () => {
      await useAppTokens();
      setTheme(theme);
      try {
        const { el, store } = await mountApp();
        const skip = $(el, '.skip')!;
        skip.focus();
        expect(textContrast(skip, skip, tokenColour('--oc-bg'))).to.be.at.least(4.5);
        store.stop();
      } finally {
        setTheme(null);
      }
    });
  }
});
