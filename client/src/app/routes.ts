// Routes for @vaadin/router: every page is lazy-loaded, every page but /login needs a session
// (not signed in → /login?next=<where you were going>), unknown paths get the not-found page. A page behind
// sign-in is fetched alongside the session check when this browser was signed in last time, else only once let
// through: a signed-out visit to / loads the sign-in page and nothing of home.
import { Router, type Commands, type Route, type RouteContext } from '@vaadin/router';
import { BUILT_SECTIONS, SECTIONS } from './sections.js';
import { checkSession, loginUrlFor, probablySignedIn } from './session.js';

type Action = NonNullable<Route['action']>;
type ActionReturn = Awaited<ReturnType<Action>>;

/** Lets the page through when signed in (or when the gateway can't be asked: offline shows cached status). */
async function requireSession(context: RouteContext, commands: Commands): Promise<ActionReturn | undefined> {
  const session = await checkSession();
  if (session.kind !== 'signed-out' && session.kind !== 'must-change-password') {
    // The shell starts the live connection on this (user null = offline, not yet known).
    window.dispatchEvent(new CustomEvent('oc-session', { detail: { user: session.kind === 'signed-in' ? session.user : null } }));
    return undefined;
  }
  // Signed out, or a first password still to change (the sign-in page asks for it).
  // commands.redirect() drops the query string, so navigate explicitly and cancel this render.
  queueMicrotask(() => Router.go(loginUrlFor(`${context.pathname}${context.search ?? ''}`)));
  return commands.prevent();
}

function guarded(load: () => Promise<unknown>, make?: () => HTMLElement): Action {
  return async (context, commands) => {
    if (probablySignedIn()) {
      const [blocked] = await Promise.all([requireSession(context, commands), load()]);
      if (blocked) return blocked;
    } else {
      const blocked = await requireSession(context, commands);
      if (blocked) return blocked;
      await load();
    }
    return make ? make() : undefined;
  };
}

export const routes: Route[] = [
  {
    path: '/login',
    component: 'page-login',
    action: async (context, commands) => {
      const [session, { safeNext }] = await Promise.all([checkSession(), import('../pages/page-login.js')]);
      if (session.kind === 'signed-in') return commands.redirect(safeNext(context.search ?? ''));
      if (session.kind === 'must-change-password') {
        // Signed in (e.g. after a reload) but the first password is unchanged: straight to choosing a new one.
        const page = document.createElement('page-login');
        page.pendingChangeFor = session.user;
        return page;
      }
      return undefined;
    },
  },
  { path: '/', component: 'page-home', action: guarded(() => import('../pages/page-home.js')) },
  { path: '/agents', component: 'page-agents', action: guarded(() => import('../pages/page-agents.js')) },
  { path: '/agents/schedules', component: 'page-schedules', action: guarded(() => import('../pages/page-schedules.js')) },
  { path: '/agents/runs/:runId', component: 'page-run', action: guarded(() => import('../pages/page-run.js')) },
  { path: '/logs', component: 'page-logs', action: guarded(() => import('../pages/page-logs.js')) },
  { path: '/webhook', component: 'page-webhook', action: guarded(() => import('../pages/page-webhook.js')) },
  { path: '/analytics', component: 'page-analytics', action: guarded(() => import('../pages/page-analytics.js')) },
  // Sections still to be built get the "not built yet" page.
  ...SECTIONS.filter((s) => s.key !== 'home' && !BUILT_SECTIONS.has(s.key)).map((s): Route => ({
    path: s.path,
    action: guarded(() => import('../pages/page-section.js'), () => {
      const page = document.createElement('page-section');
      page.section = s.key;
      return page;
    }),
  })),
  { path: '(.*)', component: 'page-not-found', action: guarded(() => import('../pages/page-not-found.js')) },
];
