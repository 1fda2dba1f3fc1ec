// Layout of the shell: top bar (window-controls-overlay aware), sidebar from 1024 px, bottom navigation
// below it with safe-area insets, and tap targets of at least 44 px.
import { css } from 'lit';

export const appStyles = css`
  :host { display: block; min-height: 100vh; min-height: 100dvh; --oc-topbar-height: 56px; --oc-bottomnav-height: 60px; }
  a { color: inherit; }
  /* The surface colour on the accent reads at 4.5:1 or more in both themes (white on the dark theme's light accent does not). */
  .skip { position: absolute; left: 0.5rem; top: -5rem; z-index: 100; padding: 0.75rem 1rem; border: 0; border-radius: 8px;
    background: var(--oc-accent); color: var(--oc-surface); font: inherit; font-weight: 600; cursor: pointer; }
  .skip:focus { top: calc(env(safe-area-inset-top, 0px) + 0.5rem); }

  .topbar { position: sticky; top: 0; z-index: 20; display: flex; align-items: center; gap: 0.35rem; box-sizing: border-box;
    min-height: calc(var(--oc-topbar-height) + env(safe-area-inset-top, 0px));
    padding: env(safe-area-inset-top, 0px) max(0.5rem, env(safe-area-inset-right, 0px)) 0 max(0.75rem, env(safe-area-inset-left, 0px));
    background: var(--oc-surface); border-bottom: 1px solid var(--oc-border); }
  .brand { display: inline-flex; align-items: center; gap: 0.4rem; min-height: 44px; font-weight: 700; font-size: 1.05rem;
    text-decoration: none; color: var(--oc-fg); white-space: nowrap; }
  .brand oc-icon { color: var(--oc-accent); }
  .spacer { flex: 1; }
  /* The link is the 44 px tap target; the pill inside carries the colour. */
  .problems { display: inline-flex; align-items: center; min-height: 44px; text-decoration: none; white-space: nowrap;
    font-size: 0.875rem; font-variant-numeric: tabular-nums; border-radius: 999px; }
  .problems .pill { display: inline-flex; align-items: center; gap: 0.3rem; padding: 0.15rem 0.55rem; border-radius: 999px; }
  .problems.calm { color: var(--oc-fg-muted); }
  .problems.bad { color: var(--oc-bad); font-weight: 700; }
  .problems.bad .pill { background: var(--oc-bad-bg); }
  .problems.unknown { color: var(--oc-unknown); }
  .problems oc-icon, .user oc-icon { --oc-icon-size: 1.1rem; }
  .user { display: inline-flex; align-items: center; gap: 0.35rem; min-width: 44px; min-height: 44px; justify-content: center;
    padding: 0 0.5rem; border: 1px solid transparent; border-radius: 8px; background: none; color: var(--oc-fg); font: inherit; cursor: pointer; }
  .user:hover { background: var(--oc-surface-2); }
  .user .name { max-width: 10rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .who { padding: 0.5rem 1rem 0.25rem; font-size: 0.85rem; color: var(--oc-fg-muted); }
  .who strong { color: var(--oc-fg); }

  .layout { display: flex; align-items: stretch; }
  #outlet[data-filling] { visibility: hidden; }
  .sidebar { display: none; }
  main { flex: 1; min-width: 0;
    padding-bottom: calc(var(--oc-bottomnav-height) + env(safe-area-inset-bottom, 0px));
    padding-left: env(safe-area-inset-left, 0px); padding-right: env(safe-area-inset-right, 0px); }
  main.bare { padding-bottom: env(safe-area-inset-bottom, 0px); }
  /* <main> only takes focus programmatically (skip link, after navigation): no ring around the whole page. */
  main:focus, main:focus-visible { outline: none; }
  .shell-banner { display: block; margin: 0.75rem 1rem 0; }

  .bottomnav { position: fixed; left: 0; right: 0; bottom: 0; z-index: 20; display: grid; grid-template-columns: repeat(5, 1fr);
    background: var(--oc-surface); border-top: 1px solid var(--oc-border);
    padding: 0 env(safe-area-inset-right, 0px) env(safe-area-inset-bottom, 0px) env(safe-area-inset-left, 0px); }
  .bottomnav a, .bottomnav button { display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 2px;
    min-height: var(--oc-bottomnav-height); min-width: 44px; font: inherit; font-size: 0.75rem; color: var(--oc-fg-muted);
    text-decoration: none; background: none; border: 0; cursor: pointer; }
  .bottomnav [aria-current='page'], .bottomnav .current { color: var(--oc-accent); font-weight: 600; }
  .bottomnav oc-icon { --oc-icon-size: 1.4rem; }

  .navlist { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; }
  .navlist a { display: flex; align-items: center; gap: 0.65rem; min-height: 44px; padding: 0 0.75rem; border-radius: 8px;
    color: var(--oc-fg); text-decoration: none; }
  .navlist a:hover { background: var(--oc-surface-2); }
  .navlist a[aria-current='page'] { background: var(--oc-surface-2); color: var(--oc-accent); font-weight: 600;
    box-shadow: inset 3px 0 0 var(--oc-accent); }
  .sidebar-foot { margin-top: auto; padding: 0.5rem 0.75rem; font-size: 0.8rem; color: var(--oc-fg-muted); }
  .linklike { background: none; border: 0; padding: 0; min-height: 44px; color: var(--oc-accent); font: inherit; cursor: pointer; }
  kbd { font-family: var(--oc-mono, monospace); padding: 0 0.35rem; border: 1px solid var(--oc-border); border-radius: 4px; }

  /* Until ./shell-menus.js has defined them, the drawer and the account menu show nothing but the menu's button. */
  sl-drawer:not(:defined), sl-dropdown:not(:defined) > :not([slot='trigger']) { display: none; }
  sl-drawer::part(panel) { border-radius: 14px 14px 0 0; padding-bottom: env(safe-area-inset-bottom, 0px); }
  update-toast { --oc-toast-offset: calc(var(--oc-bottomnav-height) + 0.75rem); }

  @media (max-width: 720px) {
    connection-indicator::part(updated) { display: none; }
    .user .name { display: none; }
  }
  @media (max-width: 420px) {
    .topbar { gap: 0.25rem; }
    .brand { font-size: 0.95rem; min-width: 0; }
    /* The connection state and the problem count matter more than the product name on a phone. */
    .brand .name { display: none; }
    .problems .pill { padding: 0.15rem 0.4rem; }
    .user { padding: 0; }
  }

  @media (min-width: 1024px) {
    .sidebar { display: flex; flex-direction: column; position: sticky; top: var(--oc-topbar-height); align-self: flex-start;
      box-sizing: border-box; width: 15rem; flex: none; height: calc(100vh - var(--oc-topbar-height)); overflow-y: auto;
      padding: 0.75rem 0.5rem; border-right: 1px solid var(--oc-border); background: var(--oc-surface); }
    .bottomnav { display: none; }
    main { padding-bottom: 1rem; }
    update-toast { --oc-toast-offset: 1.25rem; }
  }

  /* Installed on a desktop with the title bar hidden: the top bar sits in the title-bar area. */
  @media (display-mode: window-controls-overlay) {
    .topbar { position: fixed; left: env(titlebar-area-x, 0); top: env(titlebar-area-y, 0);
      width: env(titlebar-area-width, 100%); height: env(titlebar-area-height, var(--oc-topbar-height));
      min-height: 0; padding-top: 0; app-region: drag; -webkit-app-region: drag; }
    .topbar a, .topbar button, .topbar sl-dropdown, .topbar connection-indicator { app-region: no-drag; -webkit-app-region: no-drag; }
    .topbar .brand, .topbar .problems, .topbar .user, .topbar connection-indicator { min-height: 0; height: 100%; }
    .layout { padding-top: env(titlebar-area-height, var(--oc-topbar-height)); }
    .sidebar { top: env(titlebar-area-height, var(--oc-topbar-height)); height: calc(100vh - env(titlebar-area-height, var(--oc-topbar-height))); }
  }
`;
