// The app shell: top bar (name, open-problem count, connection, user menu), sidebar or bottom navigation,
// the <main> router outlet, the `?` shortcuts sheet and the update toast. Provides the live store by context.
// What only a signed-in user opens (account menu, More drawer, shortcuts sheet: ./shell-menus.js) is imported when
// the user heads for it (hover, focus, touch) or uses it, and the update toast once there is an update: no page's
// first screen carries their Shoelace components (the service worker keeps them for later visits).
import { LitElement, html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { provide } from '@lit/context';
import { Router } from '@vaadin/router';
import { Activity, CircleCheck, CircleQuestionMark, CircleUser, Ellipsis, Keyboard, LogOut, TriangleAlert } from 'lucide';
import type SlMenuItem from '@shoelace-style/shoelace/dist/components/menu-item/menu-item.js';
import { api, type SessionUser } from '../api/api-client.js';
import { liveStore, type ConnectionState, type LiveFrame, type LiveStore } from '../live/live-store.js';
import { liveContext } from '../live/live-context.js';
import { tokens, focusRing } from '../styles/theme.js';
import { appStyles } from './oc-app.styles.js';
import { SECTIONS, sectionForPath } from './sections.js';
import { clearLocalSession, loginUrlFor, signOut } from './session.js';
import { countProblems, problemLabel, type HealthLike, type ProcessLike } from './problem-count.js';
import { focusPageSearch, installShortcuts } from './keyboard-shortcuts.js';
import { readThemePreference, setThemePreference, type ThemePreference } from './theme-preference.js';
import { serviceWorkerUpdates } from './sw-registration.js';
import { renderQueue } from './render-scheduler.js';
import { firstLoadOf, type LoadsFirstData } from './first-load.js';
import '../components/oc-icon.js';
import '../components/connection-indicator.js';
import '../components/offline-banner.js';

const THEMES: Array<{ value: ThemePreference; label: string }> = [
  { value: 'system', label: 'System' }, { value: 'light', label: 'Light' }, { value: 'dark', label: 'Dark' },
];

/** The longest a new page stays hidden while its parts render. */
const FILL_HIDE_MAX_MS = 3000;

@customElement('oc-app')
export class OcApp extends LitElement {
  static styles = [tokens, focusRing, appStyles];

  @provide({ context: liveContext }) live: LiveStore = liveStore;
  @state() private path = window.location.pathname;
  @state() private user: SessionUser | null = null;
  @state() private connection: ConnectionState = liveStore.connection;
  @state() private lastMessageAt: number | null = liveStore.lastMessageAt;
  @state() private health: HealthLike | null = null;
  @state() private processes: ProcessLike[] | null | undefined = undefined;
  @state() private statusAsOf: string | null = null;
  @state() private shortcutsOpen = false;
  @state() private moreOpen = false;
  @state() private updateAvailable = serviceWorkerUpdates.waiting !== null;
  @state() private themePreference: ThemePreference = readThemePreference();
  /** A page behind sign-in has let the user through (signed in, or offline with the last known status). */
  @state() private sessionStarted = false;
  /** The router renders pages into this element. */
  @query('#outlet') outlet!: HTMLElement;
  @query('main') private main!: HTMLElement;
  #cleanups: Array<() => void> = [];
  /** Pages already shown (or being filled): each is hidden at most once, when it arrives. */
  #filled = new WeakSet<Element>();
  #fills = 0;
  /** Renders are sliced from the start until the first page is in the outlet (then its fill holds them). */
  #startSlicing = renderQueue.hold();
  #navigations = 0;
  #menus: Promise<unknown> | null = null;

  /** Imports the signed-in shell's menus, drawer and sheet (once); resolves when they are defined and rendered. */
  loadMenus(): Promise<void> {
    this.#menus ??= import('./shell-menus.js').catch((err: unknown) => {
      this.#menus = null; // e.g. offline with an old cache: the next attempt tries again
      throw err;
    });
    return this.#menus.then(() => this.updateComplete).then(() => undefined);
  }

  /** Opens something the menus module draws, once it is there (so it opens with its animation and focus). */
  #openWhenLoaded(open: () => void): void {
    this.loadMenus().then(open, (err: unknown) => console.warn('oc-app: the menus failed to load', err));
  }

  connectedCallback(): void {
    super.connectedCallback();
    const startSlicing = setTimeout(() => this.#startSlicing(), FILL_HIDE_MAX_MS); // no page came (it failed to load)
    this.#cleanups.push(() => { clearTimeout(startSlicing); this.#startSlicing(); });
    const on = <K extends keyof WindowEventMap>(type: K | string, handler: (e: Event) => void, target: EventTarget = window) => {
      target.addEventListener(type, handler);
      this.#cleanups.push(() => target.removeEventListener(type, handler));
    };
    on('connection', () => this.#syncConnection(), this.live);
    on('vaadin-router-location-changed', (e) => this.#onLocation((e as CustomEvent<{ location: { pathname: string } }>).detail.location.pathname));
    on('oc-session', (e) => this.#onSession((e as CustomEvent<{ user: SessionUser | null }>).detail.user));
    on('oc-signed-out', () => void this.#onSignedOut());
    on('oc-session-ended', () => { this.user = null; this.health = null; this.processes = undefined; this.statusAsOf = null; });
    on('change', () => { this.updateAvailable = serviceWorkerUpdates.waiting !== null; }, serviceWorkerUpdates);
    this.#cleanups.push(this.live.subscribe('status', (f) => this.#onStatus(f)));
    this.#cleanups.push(this.live.subscribe('processes', (f) => this.#onProcesses(f)));
    this.#cleanups.push(installShortcuts(window, {
      help: () => { if (this.#inApp) this.#openWhenLoaded(() => { this.shortcutsOpen = true; }); },
      go: (path) => { if (this.#inApp) Router.go(path); },
      focusSearch: () => focusPageSearch(this.outlet?.firstElementChild),
      escape: () => { this.moreOpen = false; },
    }));
  }

  firstUpdated(): void {
    // A page the router puts in the outlet is seen here before it is painted (a mutation observer's microtask).
    const pages = new MutationObserver(() => this.#hideWhileFilling());
    pages.observe(this.outlet, { childList: true });
    this.#cleanups.push(() => pages.disconnect());
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }

  get #inApp(): boolean {
    return this.path !== '/login';
  }

  render() {
    const inApp = this.#inApp;
    const showBanner = inApp && this.path !== '/' && this.connection === 'offline';
    return html`
      <button class="skip" @click=${this.#skipToContent}>Skip to content</button>
      <header class="topbar" @pointerover=${this.#warmMenus} @focusin=${this.#warmMenus}>
        <a class="brand" href="/" aria-label="Ops Center — Home"><oc-icon .icon=${Activity}></oc-icon><span class="name">Ops Center</span></a>
        <span class="spacer"></span>
        ${inApp ? this.#renderStatus() : nothing}
        ${inApp ? this.#renderUserMenu() : nothing}
      </header>
      <div class="layout">
        ${inApp ? html`<nav class="sidebar" aria-label="Sections">${this.#renderNavList(SECTIONS)}
          <div class="sidebar-foot" @pointerover=${this.#warmMenus} @focusin=${this.#warmMenus}>
            <button class="linklike" @click=${() => this.#openWhenLoaded(() => { this.shortcutsOpen = true; })}>
            Keyboard shortcuts <kbd>?</kbd></button></div></nav>` : nothing}
        <main id="main" tabindex="-1" class=${inApp ? '' : 'bare'}>
          ${showBanner ? html`<offline-banner class="shell-banner" .asOf=${this.statusAsOf} .connection=${this.connection}></offline-banner>` : nothing}
          <div id="outlet"></div>
        </main>
      </div>
      ${inApp ? this.#renderBottomNav() : nothing}
      <shortcut-sheet .open=${this.shortcutsOpen} @oc-shortcuts-closed=${() => { this.shortcutsOpen = false; }}></shortcut-sheet>
      <update-toast .open=${this.updateAvailable} @oc-update-reload=${() => serviceWorkerUpdates.applyUpdate()}
        @oc-update-dismiss=${() => { this.updateAvailable = false; }}></update-toast>
    `;
  }

  #renderStatus() {
    const count = countProblems(this.health, this.processes);
    const tone = count === null ? 'unknown' : count > 0 ? 'bad' : 'calm';
    const icon = count === null ? CircleQuestionMark : count > 0 ? TriangleAlert : CircleCheck;
    const title = count === null ? 'No status received yet' : `${problemLabel(count)} open (services down or degraded, processes not online, active alerts)`;
    return html`<a class="problems ${tone}" href="/" title=${title} aria-label=${count === null ? 'Open problems: not known yet' : `${problemLabel(count)} open`}>
        <span class="pill"><oc-icon .icon=${icon}></oc-icon><span>${problemLabel(count)}</span></span></a>
      <connection-indicator .state=${this.connection} .lastMessageAt=${this.lastMessageAt}></connection-indicator>`;
  }

  #renderUserMenu() {
    const name = this.user?.username ?? '';
    return html`<sl-dropdown placement="bottom-end" distance="4">
      <button slot="trigger" class="user" aria-label=${name ? `Account: ${name}` : 'Account'} @click=${this.#openUserMenu}>
        <oc-icon .icon=${CircleUser}></oc-icon>${name ? html`<span class="name">${name}</span>` : nothing}
      </button>
      <sl-menu @sl-select=${this.#onMenuSelect}>
        ${this.user ? html`<div class="who">Signed in as <strong>${this.user.username}</strong> (${this.user.role})</div>` : nothing}
        <sl-menu-label>Theme</sl-menu-label>
        ${THEMES.map((t) => html`<sl-menu-item type="checkbox" value="theme:${t.value}"
          .checked=${live(this.themePreference === t.value)}>${t.label}</sl-menu-item>`)}
        <sl-divider></sl-divider>
        <sl-menu-item value="shortcuts"><oc-icon slot="prefix" .icon=${Keyboard}></oc-icon>Keyboard shortcuts</sl-menu-item>
        <sl-menu-item value="sign-out"><oc-icon slot="prefix" .icon=${LogOut}></oc-icon>Sign out</sl-menu-item>
      </sl-menu>
    </sl-dropdown>`;
  }

  #renderNavList(sections: readonly (typeof SECTIONS)[number][]) {
    const current = sectionForPath(this.path);
    return html`<ul class="navlist">${sections.map((s) => html`<li><a href=${s.path}
        aria-current=${current?.key === s.key ? 'page' : nothing} @click=${() => { this.moreOpen = false; }}>
        <oc-icon .icon=${s.icon}></oc-icon><span>${s.label}</span></a></li>`)}</ul>`;
  }

  #renderBottomNav() {
    const current = sectionForPath(this.path);
    const rest = SECTIONS.filter((s) => !s.inBottomNav);
    const inMore = current !== undefined && !current.inBottomNav;
    return html`<nav class="bottomnav" aria-label="Sections" @touchstart=${this.#warmOnTouch} @pointerover=${this.#warmMenus}
        @focusin=${this.#warmMenus}>
        ${SECTIONS.filter((s) => s.inBottomNav).map((s) => html`<a href=${s.path} aria-current=${current?.key === s.key ? 'page' : nothing}>
          <oc-icon .icon=${s.icon}></oc-icon><span>${s.label}</span></a>`)}
        <button class=${inMore ? 'current' : ''} aria-haspopup="dialog" aria-expanded=${this.moreOpen ? 'true' : 'false'}
          @click=${() => this.#openWhenLoaded(() => { this.moreOpen = true; })}><oc-icon .icon=${Ellipsis}></oc-icon><span>More</span></button>
      </nav>
      <sl-drawer label="More sections" placement="bottom" ?open=${this.moreOpen}
        @sl-after-hide=${(e: Event) => { if (e.target === e.currentTarget) this.moreOpen = false; }}>
        <nav aria-label="More sections">${this.#renderNavList(rest)}</nav>
      </sl-drawer>`;
  }

  protected updated(): void {
    if (this.updateAvailable) void import('../components/update-toast.js');
  }

  /** The user is heading for a menu, the drawer or the sheet: fetch them now so they open at once. */
  #warmMenus = (): void => {
    if (this.#inApp && this.sessionStarted) this.loadMenus().catch(() => {});
  };

  readonly #warmOnTouch = { handleEvent: () => this.#warmMenus(), passive: true };

  /** Before the menus module has loaded, the dropdown can't open itself on this click: open it once it is there. */
  #openUserMenu = (): void => {
    if (customElements.get('sl-dropdown')) return; // the dropdown handles its own trigger
    this.#openWhenLoaded(() => void this.renderRoot.querySelector<HTMLElement & { show(): Promise<void> }>('sl-dropdown')?.show());
  };

  /** A button, not an in-page link: a `#main` hash can't reach into the shadow root, so focus moves from here. */
  #skipToContent(): void {
    this.main.focus();
  }

  async #onMenuSelect(event: CustomEvent<{ item: SlMenuItem }>): Promise<void> {
    const value = event.detail.item.value;
    if (value.startsWith('theme:')) {
      this.themePreference = value.slice('theme:'.length) as ThemePreference;
      setThemePreference(this.themePreference);
    } else if (value === 'shortcuts') {
      this.shortcutsOpen = true;
    } else if (value === 'sign-out') {
      await signOut();
    }
  }

  #onLocation(pathname: string): void {
    this.path = pathname;
    this.moreOpen = false;
    const section = sectionForPath(pathname);
    document.title = pathname === '/login' ? 'Sign in · Ops Center' : `${section?.label ?? 'Not found'} · Ops Center`;
    // After an in-app navigation, move focus to the new content so screen readers start there.
    if (this.#navigations++ > 0 && pathname !== '/login') this.main?.focus({ preventScroll: true });
  }

  /**
   * The new page renders in slices (render-scheduler.ts) and then loads its data (first-load.ts); it stays
   * hidden until both are done and what the data created has rendered, so it appears whole and nothing on it
   * moves while it fills in. After FILL_HIDE_MAX_MS it shows as it is (a slow network: its own loading states).
   * Hidden with `visibility`, not `content-visibility`: its layout keeps up as its parts arrive (sizes are right
   * for what measures itself, and there is no single layout of the whole page when it appears).
   */
  #hideWhileFilling(): void {
    const outlet = this.outlet;
    const page = outlet?.firstElementChild;
    if (!outlet || !page || this.#filled.has(page)) return;
    this.#filled.add(page);
    // Runs before the page's first update is scheduled (a mutation observer's microtask comes first), so that
    // update and those of the elements it creates go through the queue while the page fills.
    const slicing = renderQueue.hold();
    this.#startSlicing();
    if (renderQueue.pending === 0 && !(page as Partial<LoadsFirstData>).firstLoad) {
      slicing();
      return;
    }
    outlet.toggleAttribute('data-filling', true);
    outlet.setAttribute('aria-busy', 'true');
    const fill = ++this.#fills;
    const reveal = () => {
      slicing();
      if (fill !== this.#fills) return; // a newer page is filling: its own reveal shows the outlet
      outlet.removeAttribute('data-filling');
      outlet.removeAttribute('aria-busy');
    };
    const timer = setTimeout(reveal, FILL_HIDE_MAX_MS);
    void renderQueue.idle().then(() => firstLoadOf(page)).then(() => renderQueue.idle()).then(() => {
      clearTimeout(timer);
      reveal();
    });
  }

  #onSession(user: SessionUser | null): void {
    this.sessionStarted = true;
    if (user) this.user = user;
    this.live.start();
    if (!user) void this.#loadLastKnownStatus();
  }

  /** Without a live connection, the count comes from the last /api/health (the service worker's copy offline). */
  async #loadLastKnownStatus(): Promise<void> {
    if (this.health !== null) return;
    try {
      const body = await api.get<HealthLike & { generatedAt?: string }>('/api/health', { quiet401: true });
      if (this.health !== null) return; // the live snapshot won the race
      this.health = body;
      this.statusAsOf = body.generatedAt ?? null;
    } catch {
      // neither network nor cache: the count stays "—"
    }
  }

  async #onSignedOut(): Promise<void> {
    if (this.path === '/login') return;
    this.user = null;
    await clearLocalSession();
    Router.go(loginUrlFor(`${window.location.pathname}${window.location.search}`));
  }

  #syncConnection(): void {
    this.connection = this.live.connection;
    this.lastMessageAt = this.live.lastMessageAt;
    if (this.connection === 'offline' || this.connection === 'reconnecting') void this.#loadLastKnownStatus();
  }

  #onStatus(frame: LiveFrame): void {
    this.lastMessageAt = this.live.lastMessageAt;
    if (frame.type !== 'snapshot' && frame.type !== 'health') return;
    const body = frame.data as (HealthLike & { generatedAt?: string }) | null;
    this.health = body;
    this.statusAsOf = body?.generatedAt ?? null;
  }

  #onProcesses(frame: LiveFrame): void {
    this.lastMessageAt = this.live.lastMessageAt;
    const data = frame.data as { processes?: ProcessLike[] | null } | ProcessLike[] | null;
    this.processes = Array.isArray(data) ? data : data?.processes ?? null;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'oc-app': OcApp }
}
